/* check.h - `glintefy check [PATHS...]`: the caching hazards of existing functools caches as a
 * linter reports them (path:line:col: CODE message), exit status 1 when there is any; for
 * pre-commit and CI (docs/ci.md). */
#ifndef GLINTEFY_REVIEW_CHECK_H
#define GLINTEFY_REVIEW_CHECK_H

extern const char CHECK_HELP[];
/* argv after "check". */
int check_main(int argc, char **argv);

#endif
