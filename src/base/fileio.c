/* fileio.c - whole-file reads and atomic writes (temporary file + rename). */
#include "fileio.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "xalloc.h"

int file_read_fd(int fd, char **data, size_t *n) {
    size_t cap = 64 * 1024, len = 0;
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return EISDIR;
        if (S_ISREG(st.st_mode) && st.st_size > 0) cap = (size_t)st.st_size + 1;
    }
    char *p = xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) p = xrealloc(p, cap *= 2);
        ssize_t r = read(fd, p + len, cap - len - 1);
        if (r == 0) break;
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            free(p);
            return e;
        }
        len += (size_t)r;
    }
    p[len] = 0;
    *data = p;
    *n = len;
    return 0;
}

int file_read_all(const char *path, char **data, size_t *n) {
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = file_read_fd(fd, data, n);
    if (fd != 0) close(fd);
    return e;
}

int file_write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Replacing a file frees its old content (page cache, blocks; with the `discard` mount option a
 * synchronous discard too) when the last reference to it goes: in rename(), from a few ms per
 * 10 MB to ms for any file. An fd held across the rename moves that work to a detached thread
 * that closes it, while the caller goes on; at most RELEASING_MAX at once, else the caller
 * closes it itself. */
enum { RELEASING_MAX = 8 };
static atomic_int releasing;

static void *close_in_background(void *arg) {
    close((int)(intptr_t)arg);
    atomic_fetch_sub(&releasing, 1);
    return NULL;
}

/* An fd on the non-empty regular file at path when it has one name, else -1. */
static int hold_old_content(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0 || st.st_nlink != 1) {
        close(fd);
        return -1;
    }
    return fd;
}

static void release_old_content(int fd) {
    if (fd < 0) return;
    if (atomic_fetch_add(&releasing, 1) < RELEASING_MAX) {
        pthread_attr_t attr;
        pthread_t t;
        if (pthread_attr_init(&attr) == 0) {
            int started = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                          pthread_create(&t, &attr, close_in_background, (void *)(intptr_t)fd) == 0;
            pthread_attr_destroy(&attr);
            if (started) return;
        }
    }
    atomic_fetch_sub(&releasing, 1);
    close(fd);
}

int file_write_atomic_with(const char *path, int (*emit)(int fd, void *ctx), void *ctx) {
    if (strcmp(path, "-") == 0) return emit(1, ctx);
    size_t len = strlen(path);
    char *tmp = xmalloc(len + 16);
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return e;
    }
    int e = emit(fd, ctx);
    mode_t mask = umask(0);
    umask(mask);
    if (!e && fchmod(fd, 0666 & ~mask) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    int old = e ? -1 : hold_old_content(path);
    if (!e && rename(tmp, path) != 0) e = errno;
    release_old_content(old);
    if (e) unlink(tmp);
    free(tmp);
    return e;
}

typedef struct Bytes {
    const void *data;
    size_t n;
} Bytes;

static int emit_bytes(int fd, void *ctx) {
    const Bytes *b = ctx;
    return file_write_all(fd, b->data, b->n);
}

int file_write_atomic(const char *path, const void *data, size_t n) {
    Bytes b = {data, n};
    return file_write_atomic_with(path, emit_bytes, &b);
}
