"""glintefy's servers as Python classes (ReviewMCPServer in glintefy.servers.review)."""
