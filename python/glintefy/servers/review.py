"""ReviewMCPServer: the review tools of `glintefy mcp`, called directly from Python.

    from glintefy.servers.review import ReviewMCPServer
    server = ReviewMCPServer(repo_path=".")
    result = server.run_cache()
    print(result["summary"])

Every method runs the glintefy binary and returns a plain dict; a failure raises a
glintefy.errors.GlintefyError carrying the tool's message.
"""
import os

from glintefy import _review


class ReviewMCPServer(object):
    """The review of the repository at repo_path. Settings (cache_size, hit_rate_threshold,
    remove_threshold, size_adjustment_threshold, min_suggested_maxsize, speedup_threshold,
    min_calls, min_cumtime, max_profile_age_hours, num_runs, test_timeout, include, exclude)
    given here apply to every call, over the environment and pyproject.toml."""

    def __init__(self, repo_path=".", **settings):
        _review.check_settings(settings, "ReviewMCPServer()")
        self.repo_path = os.path.abspath(os.fspath(repo_path))
        self.settings = settings

    def _settings(self, overrides, where):
        _review.check_settings(overrides, where)
        merged = dict(self.settings)
        merged.update(overrides)
        return merged

    def run_cache(self, output_dir=None, profile_path=None, **settings):
        """`glintefy review cache`: the verdicts, as a dict with "summary" (see
        glintefy._review.run_cache)."""
        return _review.run_cache(self.repo_path, output_dir, profile_path,
                                 self._settings(settings, "run_cache()"))

    def run_clean(self, scope="all", dry_run=False):
        """`glintefy review clean -s SCOPE [--dry-run]`: {"scope", "dry_run", "paths", "output"}."""
        return _review.run_clean(self.repo_path, scope, dry_run)

    def run_profile(self, command, name=None):
        """`glintefy review profile -- COMMAND`: {"returncode", "stdout", "stderr", "profile_path"}."""
        return _review.run_profile(self.repo_path, command, name, self.settings)

    def run_hotspots(self, profile_path=None, min_calls=None, min_cumtime=None):
        """`glintefy profile hotspots --json` on the review's profile (default
        perf/test_profile.prof): {"hotspots": [...]}."""
        if profile_path is None:
            profile_path = os.path.join(self.repo_path, _review.DEFAULT_PROFILE)
        return _review.run_hotspots(profile_path,
                                    self.settings.get("min_calls") if min_calls is None else min_calls,
                                    self.settings.get("min_cumtime") if min_cumtime is None else min_cumtime)
