/* sources.h - which Python files a review reads: discovery (git ls-files or a walk), skipping
 * environments and build output, include/exclude globs, and module names from paths. */
#ifndef GLINTEFY_REVIEW_SOURCES_H
#define GLINTEFY_REVIEW_SOURCES_H
#include <stddef.h>
#include "config.h"

/* One source file: its path relative to the repository ('/'-separated, no "./") and its
 * dotted module name. Both malloc'd, owned by the list. */
typedef struct RvSource {
    char *path;
    char *module;
} RvSource;

/* Invariant: items sorted by path, paths distinct. Free with rv_sources_free. */
typedef struct RvSourceList {
    RvSource *items;
    size_t len, cap;
    int from_git; /* 1 if `git ls-files` listed the files, 0 if the directory was walked */
} RvSourceList;

/* Finds the .py files of repository `repo`: `git ls-files -co --exclude-standard` when repo is
 * inside a git work tree (so .gitignore is respected), else a walk that does not follow
 * symlinked directories. Either way skips virtual environments (a directory holding pyvenv.cfg,
 * conda-meta/, bin/python or Scripts/python.exe), site-packages, dist-packages, node_modules,
 * __pycache__, VCS and tool directories (.git, .tox, .nox, .venv, caches), *.egg-info, build/ and
 * dist/ at the top, and LLM-CONTEXT/; then keeps the files that cfg's include globs match (all,
 * if none) and its exclude globs do not. cfg may be NULL. Returns 0, or -1 with a message in err
 * (repo unreadable). *out must be freed with rv_sources_free either way. */
int rv_find_sources(const char *repo, const RvConfig *cfg, RvSourceList *out, char *err, size_t errlen);
void rv_sources_free(RvSourceList *l);

/* fnmatch-style match of a whole '/'-separated path: '*' and '?' stay within one component,
 * '[...]' classes ('!' or '^' negates), '\' escapes, and a '**' component matches any number
 * of components (zero included). Returns 1 on a match. */
int rv_glob_match(const char *pattern, const char *path);
/* Whether config glob `pattern` selects `path`: a pattern without '/' matches a file or
 * directory name at any depth ("test_*.py", "tests"); one with '/' is anchored at the
 * repository ("src/gen/x.py", "src/gen"); a pattern matching a directory selects everything under it. */
int rv_glob_selects(const char *pattern, const char *path);

/* Returns the dotted module name of repository-relative `path` (malloc'd): package directories
 * (those holding __init__.py, per has_init(ctx, dir)) are joined up to the first that is not one;
 * a file outside any package is named by its stem; "pkg/__init__.py" is "pkg"; under a top-level
 * src/ every directory counts as a package (src itself is not part of the name). */
char *rv_module_name(const char *path, int (*has_init)(void *ctx, const char *dir), void *ctx);

#endif
