/* probe.h - the probe's side of `review profile`: a temporary directory holding the probe
 * (probe/sitecustomize.py, from python/glintefy/_probe/) and the per-process raw files (raw/),
 * and the environment that starts the probe in every Python process of the command. */
#ifndef GLINTEFY_RUNTIME_PROBE_H
#define GLINTEFY_RUNTIME_PROBE_H
#include <stddef.h>

/* Invariant after rt_probe_prepare: top/probe holds sitecustomize.py and top/raw is empty. */
typedef struct RtProbe {
    char *top;   /* $TMPDIR/glintefy-profile-XXXXXX (malloc'd) */
    char *probe; /* top/probe: first on PYTHONPATH */
    char *raw;   /* top/raw: GLINTEFY_PROBE_DIR */
} RtProbe;

/* Creates the directories and writes the probe. Returns 0, or -1 with a message in err
 * (nothing left behind). */
int rt_probe_prepare(RtProbe *p, char *err, size_t errlen);
/* Sets PYTHONPATH (probe dir first, the user's entries after), GLINTEFY_PROBE_DIR and
 * GLINTEFY_PROBE_REPO (the repository's real path) in this process's environment. */
void rt_probe_environment(const RtProbe *p, const char *repo_realpath);
/* Deletes the temporary directory and everything in it, frees the strings; NULL-safe fields. */
void rt_probe_remove(RtProbe *p);

#endif
