"""The `glintefy review` commands as Python calls returning plain dicts (used by
glintefy.servers.review and glintefy.subservers.review.cache_subserver)."""
import json
import os

from glintefy import _binary
from glintefy.errors import CommandFailedError, UnsupportedCommandError

OUTPUT_ROOT = os.path.join("LLM-CONTEXT", "glintefy", "review")
DEFAULT_PROFILE = os.path.join(OUTPUT_ROOT, "perf", "test_profile.prof")
DEFAULT_CACHE_DIR = os.path.join(OUTPUT_ROOT, "cache")

# Settings of the review (docs/configuration.md): keyword -> flag of `glintefy review`.
SETTINGS = {
    "cache_size": "--cache-size",
    "hit_rate_threshold": "--hit-rate",
    "remove_threshold": "--remove-threshold",
    "size_adjustment_threshold": "--size-threshold",
    "min_suggested_maxsize": "--min-maxsize",
    "speedup_threshold": "--speedup",
    "min_calls": "--min-calls",
    "min_cumtime": "--min-cumtime",
    "max_profile_age_hours": "--max-profile-age",
    "num_runs": "--num-runs",
    "test_timeout": "--test-timeout",
    "include": "--include",
    "exclude": "--exclude",
}


def check_settings(settings, where):
    unknown = sorted(k for k in settings if k not in SETTINGS)
    if unknown:
        raise TypeError("%s got unexpected keyword argument(s) %s (settings: %s)"
                        % (where, ", ".join(unknown), ", ".join(sorted(SETTINGS))))


def settings_flags(settings):
    out = []
    for key in SETTINGS:
        value = settings.get(key)
        if value is None:
            continue
        if key in ("include", "exclude"):
            for glob in ([value] if isinstance(value, str) else list(value)):
                out += [SETTINGS[key], str(glob)]
        else:
            out += [SETTINGS[key], repr(value) if isinstance(value, float) else str(value)]
    return out


def review_argv(repo_path, settings):
    return ["review", "--repo", os.path.abspath(os.fspath(repo_path))] + settings_flags(settings)


_help_cache = {}


def command_help(subcommand):
    """`glintefy help review SUBCOMMAND` of the binary found, or "" if it has no such command."""
    binary = _binary.find_binary()
    key = (binary, subcommand)
    if key not in _help_cache:
        p = _binary.run(["review", subcommand, "--help"], check=False)
        _help_cache[key] = p.stdout if p.returncode == 0 else ""
    return _help_cache[key]


def _profile_flag():
    text = command_help("cache")
    for flag in ("--profile-path", "--profile"):
        if flag + " " in text or flag + "=" in text:
            return flag
    raise UnsupportedCommandError(
        "glintefy: this glintefy binary's 'review cache' has no option to read a profile from "
        "another place; put it at %s or rebuild glintefy" % DEFAULT_PROFILE)


def _load_json_files(directory):
    files = {}
    if not os.path.isdir(directory):
        return files
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            try:
                with open(os.path.join(directory, name), "rb") as fp:
                    files[name] = json.loads(fp.read().decode("utf-8"))
            except (OSError, ValueError):
                continue  # not ours to judge here: `review cache` wrote it atomically
    return files


def run_cache(repo_path=".", output_dir=None, profile_path=None, settings=None):
    """Runs `glintefy review --repo REPO [SETTINGS] cache --format json [...]` and returns the
    JSON it printed as a dict, with these keys added when it lacks them:
      summary     the text summary (summary.md when written, else a line of counts)
      output_dir  where the files went (absolute)
      files       {file name: parsed JSON} of every .json file in output_dir
    Raises UnsupportedCommandError if the binary has no `review cache`, CommandFailedError
    (with the tool's message) if it fails."""
    settings = dict(settings or {})
    repo = os.path.abspath(os.fspath(repo_path))
    default_out = os.path.join(repo, DEFAULT_CACHE_DIR)
    out_dir = os.path.abspath(os.fspath(output_dir)) if output_dir is not None else default_out
    argv = review_argv(repo, settings) + ["cache", "--format", "json"]
    if out_dir != default_out:
        argv += ["--output-dir", out_dir]
    if profile_path is not None:
        prof = os.path.abspath(os.fspath(profile_path))
        if prof != os.path.join(repo, DEFAULT_PROFILE):
            if not os.path.isfile(prof):
                raise CommandFailedError("glintefy: %s: No such file (profile_path)" % prof, argv)
            argv += [_profile_flag(), prof]
    p = _binary.run(argv)
    try:
        data = json.loads(p.stdout)
    except ValueError as e:
        raise CommandFailedError("glintefy: 'review cache --format json' did not print JSON (%s): %r"
                                 % (e, p.stdout[:200]), argv, p.returncode, p.stdout, p.stderr)
    result = data if isinstance(data, dict) else {"results": data}
    result.setdefault("output_dir", out_dir)
    result.setdefault("files", _load_json_files(out_dir))
    if "summary" not in result:
        md = os.path.join(out_dir, "summary.md")
        if os.path.isfile(md):
            with open(md, "rb") as fp:
                result["summary"] = fp.read().decode("utf-8", "replace")
        else:
            result["summary"] = _summary_line(result)
    return result


def _summary_line(result):
    parts = []
    for name, value in sorted(result.get("files", {}).items()):
        if isinstance(value, list):
            parts.append("%s: %d entries" % (name, len(value)))
    return "glintefy review cache: " + ("; ".join(parts) if parts else "done")


def run_clean(repo_path=".", scope="all", dry_run=False):
    """`glintefy review clean`: returns {"scope", "dry_run", "paths": [repo-relative paths
    deleted or that would be], "output": the tool's text}."""
    argv = review_argv(repo_path, {}) + ["clean", "--scope", scope] + (["--dry-run"] if dry_run else [])
    p = _binary.run(argv)
    paths = []
    for line in p.stdout.splitlines():
        for prefix in ("would delete ", "deleted "):
            if line.startswith(prefix):
                paths.append(line[len(prefix):])
                break
    return {"scope": scope, "dry_run": bool(dry_run), "paths": paths, "output": p.stdout}


def run_hotspots(profile_paths, min_calls=None, min_cumtime=None):
    """`glintefy profile hotspots --json`: returns {"hotspots": [...]} (fields in
    docs/profile.md)."""
    if isinstance(profile_paths, (str, bytes)) or hasattr(profile_paths, "__fspath__"):
        profile_paths = [profile_paths]
    argv = ["profile", "hotspots", "--json"]
    if min_calls is not None:
        argv += ["--min-calls", str(min_calls)]
    if min_cumtime is not None:
        argv += ["--min-cumtime", repr(float(min_cumtime))]
    p = _binary.run(argv + [os.path.abspath(os.fspath(x)) for x in profile_paths])
    return {"hotspots": json.loads(p.stdout)}


def run_profile(repo_path, command, name=None, settings=None):
    """`glintefy review profile [--name NAME] -- COMMAND...`: runs the command under the
    profiler. Returns {"returncode" (the command's exit status), "stdout", "stderr",
    "profile_path"}; raises UnsupportedCommandError if the binary has no `review profile`."""
    if isinstance(command, str):
        raise TypeError("command must be a list of arguments, not a string")
    argv = review_argv(repo_path, dict(settings or {})) + ["profile"]
    if name:
        argv += ["--name", name]
    argv += ["--"] + [str(a) for a in command]
    p = _binary.run(argv, check=False)
    if p.returncode == 2 and "unknown review subcommand" in p.stderr:
        _binary.run(argv)  # raises UnsupportedCommandError with the message
    repo = os.path.abspath(os.fspath(repo_path))
    return {"returncode": p.returncode, "stdout": p.stdout, "stderr": p.stderr,
            "profile_path": os.path.join(repo, DEFAULT_PROFILE)}
