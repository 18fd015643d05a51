"""CacheSubServer: `glintefy review cache` with its output directory and profile given.

    from glintefy.subservers.review.cache_subserver import CacheSubServer
    from pathlib import Path

    server = CacheSubServer(
        output_dir=Path("LLM-CONTEXT/glintefy/review/cache"),
        profile_path=Path("custom/path/to/profile.prof"),  # Custom location
    )
    result = server.run()
"""
import os

from glintefy import _review


def _repo_from_output_dir(output_dir):
    """REPO for an output_dir of the form REPO/LLM-CONTEXT/glintefy/review/cache, else None."""
    parts = os.path.abspath(os.fspath(output_dir)).split(os.sep)
    tail = _review.DEFAULT_CACHE_DIR.split(os.sep)
    if len(parts) > len(tail) and parts[-len(tail):] == tail:
        return os.sep.join(parts[:-len(tail)]) or os.sep
    return None


class CacheSubServer(object):
    """The cache analysis of repo_path (default: the repository output_dir belongs to when it
    ends in LLM-CONTEXT/glintefy/review/cache, else the current directory), writing to
    output_dir (default REPO/LLM-CONTEXT/glintefy/review/cache) and reading the profile at
    profile_path (default REPO/LLM-CONTEXT/glintefy/review/perf/test_profile.prof).
    Settings keywords as for ReviewMCPServer."""

    def __init__(self, output_dir=None, repo_path=None, profile_path=None, **settings):
        _review.check_settings(settings, "CacheSubServer()")
        if repo_path is None:
            repo_path = (_repo_from_output_dir(output_dir) if output_dir is not None else None) or "."
        self.repo_path = os.path.abspath(os.fspath(repo_path))
        self.output_dir = (os.path.abspath(os.fspath(output_dir)) if output_dir is not None
                           else os.path.join(self.repo_path, _review.DEFAULT_CACHE_DIR))
        self.profile_path = os.path.abspath(os.fspath(profile_path)) if profile_path is not None else None
        self.settings = settings

    def run(self):
        """Runs the analysis; returns the result dict of ReviewMCPServer.run_cache (with
        "summary", "output_dir", "files"). Raises a GlintefyError on failure."""
        return _review.run_cache(self.repo_path, self.output_dir, self.profile_path, self.settings)
