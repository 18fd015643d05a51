/* probe.c - the temporary directory of `review profile`: the embedded probe written out
 * (probe_py.h is generated from python/glintefy/_probe/sitecustomize.py) and removed again. */
#include "probe.h"
#include <time.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "probe_py.h"

enum { MAX_DEPTH = 16 };

static char *join(const char *a, const char *b) {
    Buf x = {0};
    buf_printf(&x, "%s/%s", a, b);
    return x.data;
}

static int write_all(const char *path, const char *data, size_t n) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return errno;
    while (n) {
        ssize_t w = write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            return e;
        }
        data += w;
        n -= (size_t)w;
    }
    return close(fd) ? errno : 0;
}

int rt_probe_prepare(RtProbe *p, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    /* GLINTEFY_TMPDIR: set by `glintefy mcp` to a directory of the tool's own, which it
     * removes even if this process is killed; the command keeps the user's TMPDIR */
    const char *tmp = getenv("GLINTEFY_TMPDIR");
    if (!tmp || !*tmp) tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    char *templ = join(tmp, "glintefy-profile-XXXXXX");
    if (!mkdtemp(templ)) {
        snprintf(err, errlen, "cannot create a temporary directory in %s: %s", tmp, strerror(errno));
        free(templ);
        return -1;
    }
    p->top = templ;
    p->probe = join(p->top, "probe");
    p->raw = join(p->top, "raw");
    int e = 0;
    if (mkdir(p->probe, 0700) || mkdir(p->raw, 0700)) e = errno;
    if (!e) {
        Buf src = {0};
        for (size_t i = 0; i < sizeof PROBE_PY_LINES / sizeof PROBE_PY_LINES[0]; i++) buf_puts(&src, PROBE_PY_LINES[i]);
        char *path = join(p->probe, "sitecustomize.py");
        e = write_all(path, src.data, src.len);
        free(path);
        buf_free(&src);
    }
    if (e) {
        snprintf(err, errlen, "cannot write the probe into %s: %s", p->top, strerror(e));
        rt_probe_remove(p);
        return -1;
    }
    return 0;
}

void rt_probe_environment(const RtProbe *p, const char *repo_realpath) {
    const char *old = getenv("PYTHONPATH");
    Buf pp = {0};
    buf_puts(&pp, p->probe);
    if (old && *old) buf_printf(&pp, ":%s", old);
    setenv("PYTHONPATH", pp.data, 1);
    buf_free(&pp);
    setenv("GLINTEFY_PROBE_DIR", p->raw, 1);
    setenv("GLINTEFY_PROBE_REPO", repo_realpath, 1);
}

/* Empties directory fd (closes it), depth-first; never follows symlinks. */
static void remove_tree(int fd, int depth) {
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return; }
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *n = ent->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) continue;
        if (unlinkat(fd, n, 0) == 0) continue;
        if (depth < MAX_DEPTH) {
            int sub = openat(fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) remove_tree(sub, depth + 1);
        }
        unlinkat(fd, n, AT_REMOVEDIR);
    }
    closedir(d);
}

void rt_probe_remove(RtProbe *p) {
    if (p->top) {
        /* A process of the command may outlive it (multiprocessing's resource tracker, a
         * daemon) and save its data late. Renaming the raw directory first makes such a late
         * save fail (its path is gone) instead of creating files while we remove them; then a
         * few passes remove whatever a save already under way still left. */
        if (p->raw) {
            size_t n = strlen(p->top) + 16;
            char *gone = xmalloc(n);
            snprintf(gone, n, "%s/gone", p->top);
            rename(p->raw, gone);
            free(gone);
        }
        for (int pass = 0; pass < 5; pass++) {
            int fd = open(p->top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0) remove_tree(fd, 0);
            if (rmdir(p->top) == 0 || errno == ENOENT) break;
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    free(p->top);
    free(p->probe);
    free(p->raw);
    memset(p, 0, sizeof *p);
}
