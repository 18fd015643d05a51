"""The review sub-servers (CacheSubServer in glintefy.subservers.review.cache_subserver)."""
