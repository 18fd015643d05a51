/* files.c - reading and atomic writing of files, and the output root's paths. */
#include "files.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../base/fileio.h"
#include "../base/xalloc.h"

int rv_read_file(int dirfd, const char *path, char **data, size_t *n) {
    return file_read_regular(dirfd, path, data, n);
}

char *rv_output_path(const char *repo, const char *sub) {
    /* every path built here is walked without following symlinks from the repository down */
    file_confine(repo, "LLM-CONTEXT");
    size_t n = strlen(repo) + strlen(RV_OUTPUT_ROOT) + (sub ? strlen(sub) : 0) + 3;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s%s%s", repo, RV_OUTPUT_ROOT, sub ? "/" : "", sub ? sub : "");
    return p;
}

int rv_mkdirs(const char *path) { return file_mkdirs(path); }

int rv_write_atomic(const char *path, const void *data, size_t n) {
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char *dir = xstrndup(path, (size_t)(slash - path));
        int e = file_mkdirs(dir);
        free(dir);
        if (e) return e;
    }
    return file_write_atomic(path, data, n);
}

int rv_write_json(const char *path, const json_t *root) {
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) return EINVAL;
    size_t n = strlen(text);
    char *withnl = xmalloc(n + 2);
    memcpy(withnl, text, n);
    withnl[n] = '\n';
    withnl[n + 1] = 0;
    free(text);
    int e = rv_write_atomic(path, withnl, n + 1);
    free(withnl);
    return e;
}
