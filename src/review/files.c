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
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = file_read_fd(fd, data, n);
    close(fd);
    return e;
}

char *rv_output_path(const char *repo, const char *sub) {
    size_t n = strlen(repo) + strlen(RV_OUTPUT_ROOT) + (sub ? strlen(sub) : 0) + 3;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s%s%s", repo, RV_OUTPUT_ROOT, sub ? "/" : "", sub ? sub : "");
    return p;
}

int rv_mkdirs(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    size_t n = strlen(path);
    char *p = xstrndup(path, n);
    int e = 0;
    /* create each prefix in turn; EEXIST for a prefix that is a directory is fine */
    for (size_t i = 1; i <= n && !e; i++) {
        if (p[i] != '/' && p[i] != 0) continue;
        char c = p[i];
        p[i] = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) e = errno;
        else if (stat(p, &st) != 0) e = errno;
        else if (!S_ISDIR(st.st_mode)) e = ENOTDIR;
        p[i] = c;
        while (c == '/' && p[i + 1] == '/') i++;
    }
    free(p);
    return e;
}

int rv_write_atomic(const char *path, const void *data, size_t n) {
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char *dir = xstrndup(path, (size_t)(slash - path));
        int e = rv_mkdirs(dir);
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
