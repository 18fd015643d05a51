/* clean.c - deletion confined to the output root: every step is openat/unlinkat relative to a
 * directory opened with O_NOFOLLOW, and entries are examined with AT_SYMLINK_NOFOLLOW, so no
 * symlink (or a directory swapped for one mid-way) can lead outside. */
#include "clean.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "files.h"

enum { MAX_DEPTH = 64 };

const RvCleanScope rv_clean_scopes[] = {
    {"all", NULL, NULL, "the whole review output (" RV_OUTPUT_ROOT "/)"},
    {"cache", RV_OUTPUT_CACHE, NULL, "the cache analysis (cache/)"},
    {"perf", RV_OUTPUT_PERF, NULL, "profiles and runtime evidence (perf/)"},
    {"profile", RV_OUTPUT_PERF, ".prof", "the profile data (perf/*.prof)"},
};
const size_t rv_clean_nscopes = sizeof rv_clean_scopes / sizeof rv_clean_scopes[0];

const RvCleanScope *rv_clean_scope(const char *name) {
    for (size_t i = 0; i < rv_clean_nscopes; i++)
        if (strcmp(rv_clean_scopes[i].name, name) == 0) return &rv_clean_scopes[i];
    return NULL;
}

typedef struct Clean {
    int dry_run, failed;
    dev_t dev; /* the output root's file system: clean stays on it (as rm --one-file-system) */
    size_t files, dirs;
    FILE *out;
    Buf path; /* repository-relative path of the entry being handled */
} Clean;

static int cmp_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static void say(Clean *c) { fprintf(c->out, "%s %s\n", c->dry_run ? "would delete" : "deleted", c->path.data); }

static void cannot(Clean *c, const char *what, int e) {
    fprintf(stderr, "glintefy: cannot %s %s: %s\n", what, c->path.data, strerror(e));
    c->failed = 1;
}

/* Deletes entry `name` of directory dirfd (c->path names it), depth-first. */
static void remove_entry(Clean *c, int dirfd, const char *name, int depth) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) cannot(c, "examine", errno);
        return;
    }
    if (st.st_dev != c->dev) {
        fprintf(stderr, "glintefy: %s is on another file system (a mount point); clean does not cross it (not deleted)\n",
                c->path.data);
        c->failed = 1;
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth >= MAX_DEPTH) { cannot(c, "delete", ELOOP); return; }
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) { cannot(c, "open", errno); return; }
        DIR *d = fdopendir(fd);
        if (!d) { close(fd); cannot(c, "open", errno); return; }
        size_t base = c->path.len;
        /* names first: deleting while reading a directory may skip entries */
        Buf names = {0};
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            buf_put(&names, e->d_name, strlen(e->d_name) + 1);
        }
        size_t n = 0;
        for (size_t off = 0; off < names.len; off += strlen(names.data + off) + 1) n++;
        const char **sorted = xmalloc((n ? n : 1) * sizeof *sorted);
        n = 0;
        for (size_t off = 0; off < names.len; off += strlen(names.data + off) + 1) sorted[n++] = names.data + off;
        qsort(sorted, n, sizeof *sorted, cmp_name); /* listings in a stable order */
        for (size_t k = 0; k < n; k++) {
            buf_putc(&c->path, '/');
            buf_puts(&c->path, sorted[k]);
            remove_entry(c, fd, sorted[k], depth + 1);
            c->path.len = base;
            c->path.data[base] = 0;
        }
        free(sorted);
        buf_free(&names);
        closedir(d);
        if (!c->dry_run && unlinkat(dirfd, name, AT_REMOVEDIR) != 0) { cannot(c, "delete", errno); return; }
        c->dirs++;
        say(c);
        return;
    }
    /* files, symlinks (the link itself), anything else */
    if (!c->dry_run && unlinkat(dirfd, name, 0) != 0) { cannot(c, "delete", errno); return; }
    c->files++;
    say(c);
}

/* Opens component `name` of dirfd as a directory without following a symlink. Returns the fd,
 * -1 if it does not exist, -2 after an error message. */
static int open_component(Clean *c, int dirfd, const char *name) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return -1;
        cannot(c, "examine", errno);
        return -2;
    }
    if (S_ISLNK(st.st_mode)) {
        fprintf(stderr, "glintefy: %s is a symlink; clean does not follow it (nothing deleted)\n", c->path.data);
        c->failed = 1;
        return -2;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "glintefy: %s is not a directory (nothing deleted)\n", c->path.data);
        c->failed = 1;
        return -2;
    }
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) { cannot(c, "open", errno); return -2; }
    return fd;
}

int rv_clean(const char *repo, const RvCleanScope *sc, int dry_run, FILE *out) {
    Clean c = {.dry_run = dry_run, .out = out};
    int fd = open(repo, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "glintefy: %s: %s\n", repo, strerror(errno));
        return 1;
    }
    /* walk down to the directory that holds the target: LLM-CONTEXT/glintefy[/review] */
    const char *parts[] = {"LLM-CONTEXT", "glintefy", "review", sc->dir};
    int nparts = sc->dir ? 4 : 3, found = 1;
    for (int i = 0; i < nparts - 1 && found; i++) {
        if (i) buf_putc(&c.path, '/');
        buf_puts(&c.path, parts[i]);
        int sub = open_component(&c, fd, parts[i]);
        close(fd);
        fd = sub;
        if (sub < 0) found = 0;
    }
    struct stat rootst;
    if (found && fstat(fd, &rootst) != 0) {
        cannot(&c, "examine", errno);
        found = 0;
        close(fd);
    }
    if (found) {
        c.dev = rootst.st_dev;
        buf_putc(&c.path, '/');
        buf_puts(&c.path, parts[nparts - 1]);
        if (!sc->suffix) {
            remove_entry(&c, fd, parts[nparts - 1], 0);
        } else {
            int dfd = open_component(&c, fd, parts[nparts - 1]);
            DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
            if (dfd >= 0 && !d) close(dfd);
            size_t base = c.path.len, sl = strlen(sc->suffix);
            Buf names = {0};
            struct dirent *e;
            while (d && (e = readdir(d)) != NULL) {
                size_t n = strlen(e->d_name);
                if (n > sl && strcmp(e->d_name + n - sl, sc->suffix) == 0) buf_put(&names, e->d_name, n + 1);
            }
            for (size_t off = 0; off < names.len; off += strlen(names.data + off) + 1) {
                const char *name = names.data + off;
                struct stat st;
                buf_putc(&c.path, '/');
                buf_puts(&c.path, name);
                /* only files (or links) called *.prof; a directory so named is left alone */
                if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
                    remove_entry(&c, dirfd(d), name, 0);
                c.path.len = base;
                c.path.data[base] = 0;
            }
            buf_free(&names);
            if (d) closedir(d);
        }
        close(fd);
    }
    if (c.files + c.dirs == 0) {
        if (!c.failed) fprintf(out, "clean: nothing to delete: %s\n", sc->what);
    } else {
        fprintf(out, "clean: %s %zu file%s and %zu director%s%s\n", dry_run ? "would delete" : "deleted", c.files,
                c.files == 1 ? "" : "s", c.dirs, c.dirs == 1 ? "y" : "ies", dry_run ? " (dry run: nothing deleted)" : "");
    }
    buf_free(&c.path);
    return c.failed ? 1 : 0;
}
