/* fileio.c - whole-file reads, atomic writes (temporary file + rename) and the confinement of
 * the output root: every step below it is an openat/mkdirat/renameat/unlinkat relative to a
 * directory opened with O_NOFOLLOW, so neither a committed symlink nor one swapped in meanwhile
 * can lead a write, read or delete outside. */
#include "fileio.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "xalloc.h"

/* The symlink last refused in this thread, for file_strerror. */
static _Thread_local char refused_link[PATH_MAX + 160];

static int refuse_symlink(const char *name, size_t len) {
    snprintf(refused_link, sizeof refused_link, "%.*s is a symlink; glintefy does not follow symlinks here (nothing read or written through it)",
             (int)(len < PATH_MAX ? len : PATH_MAX), name);
    return FILE_ESYMLINK;
}

const char *file_strerror(int e) {
    switch (e) {
    case FILE_ESYMLINK: return refused_link[0] ? refused_link : "a symlink is in the way (glintefy does not follow it)";
    case FILE_ENOTREG: return "not a regular file (glintefy reads and replaces only regular files)";
    case FILE_ETOOBIG: return "larger than the 2 GiB glintefy reads";
    case FILE_EDOTDOT: return "'..' is not allowed here";
    case FILE_EOWNER: return "it belongs to another user and its owner could not be kept";
    case FILE_EOUTSIDE: return "outside the repository";
    default: return strerror(e);
    }
}

/* ---- confinement ----------------------------------------------------------------------- */

static struct {
    char *root, *sub; /* root without trailing '/' ("" for "/") */
    size_t rootlen;
    int fd, err;      /* a descriptor of root, or -1 and why */
} conf = {NULL, NULL, 0, -1, 0};

void file_confine(const char *root, const char *sub) {
    if (conf.root && strcmp(conf.root, root) == 0 && strcmp(conf.sub, sub) == 0) return;
    free(conf.root);
    free(conf.sub);
    if (conf.fd >= 0) close(conf.fd);
    size_t n = strlen(root);
    while (n > 0 && root[n - 1] == '/') n--;
    conf.root = xstrndup(root, n);
    conf.rootlen = n;
    conf.sub = xstrndup(sub, strlen(sub));
    conf.fd = open(n ? conf.root : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    conf.err = conf.fd < 0 ? errno : 0;
}

/* The part of `path` from root/sub on ("LLM-CONTEXT/glintefy/..."), or NULL when path does
 * not name root/sub or something below it. Spelling matters: paths are built from the root as
 * given, so "root/./sub" and "root//sub" match, "/elsewhere/../root/sub" does not. */
static const char *confined_rel(const char *path) {
    if (!conf.root) return NULL;
    const char *p = path;
    if (strncmp(p, conf.root, conf.rootlen) == 0 && (p[conf.rootlen] == '/' || (conf.rootlen == 0 && p[0] == '/')))
        p += conf.rootlen;
    else if (strcmp(conf.root, ".") == 0 && p[0] != '/')
        ; /* relative to the current directory, which is root */
    else
        return NULL;
    while (*p == '/' || (p[0] == '.' && p[1] == '/')) p += *p == '/' ? 1 : 2;
    size_t m = strlen(conf.sub);
    return strncmp(p, conf.sub, m) == 0 && (p[m] == '/' || p[m] == 0) ? p : NULL;
}

/* FILE_ESYMLINK (naming rel[0..len)) when name in dirfd is a symlink, else e. */
static int why(int dirfd, const char *name, const char *rel, size_t len, int e) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) return refuse_symlink(rel, len);
    return e;
}

enum { DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC };

/* Opens directory rel below base one component at a time, never following a symlink and
 * refusing ".."; creates missing components when `create` is 1, stops at the first missing
 * one when it is WALK_EXISTING. *out gets a new descriptor. */
enum { WALK_EXISTING = 2 };
static int walk(int base, const char *rel, size_t len, int create, int *out) {
    int cur = base, e = 0;
    char comp[NAME_MAX + 1];
    size_t i = 0;
    while (i < len) {
        if (rel[i] == '/') { i++; continue; }
        size_t k = i;
        while (k < len && rel[k] != '/') k++;
        if (k - i > NAME_MAX) { e = ENAMETOOLONG; break; }
        memcpy(comp, rel + i, k - i);
        comp[k - i] = 0;
        i = k;
        if (strcmp(comp, ".") == 0) continue;
        if (strcmp(comp, "..") == 0) { e = FILE_EDOTDOT; break; }
        int next = openat(cur, comp, DIR_FLAGS);
        if (next < 0 && errno == ENOENT && create == WALK_EXISTING) break;
        if (next < 0 && errno == ENOENT && create) {
            if (mkdirat(cur, comp, 0777) != 0 && errno != EEXIST) { e = errno; break; }
            next = openat(cur, comp, DIR_FLAGS);
        }
        if (next < 0) {
            e = errno == ELOOP || errno == ENOTDIR ? why(cur, comp, rel, i, errno) : errno;
            break;
        }
        if (cur != base) close(cur);
        cur = next;
    }
    if (e) {
        if (cur != base) close(cur);
        return e;
    }
    if (cur == base && (cur = fcntl(base, F_DUPFD_CLOEXEC, 0)) < 0) return errno;
    *out = cur;
    return 0;
}

/* Creates `path` and its missing parents, following symlinks (a path the user named). */
static int mkdirs_plain(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    size_t n = strlen(path);
    char *p = xstrndup(path, n);
    int e = 0;
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

int file_open_dir(const char *path, int create, int *fd) {
    const char *rel = confined_rel(path);
    if (rel) {
        if (conf.fd < 0) return conf.err;
        return walk(conf.fd, rel, strlen(rel), create, fd);
    }
    if (create) {
        int e = mkdirs_plain(path);
        if (e) return e;
    }
    *fd = open(*path ? path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return *fd < 0 ? errno : 0;
}

int file_check_writable(const char *path) {
    const char *rel = confined_rel(path);
    int fd, e;
    if (rel) {
        if (conf.fd < 0) return conf.err;
        e = walk(conf.fd, rel, strlen(rel), WALK_EXISTING, &fd);
    } else {
        e = file_open_dir(path, 0, &fd);
    }
    if (e == ENOENT) return 0; /* outside the confined root: created when written, or not */
    if (e) return e;
    if (faccessat(fd, ".", W_OK, AT_EACCESS) != 0) e = errno;
    close(fd);
    return e;
}

int file_mkdirs(const char *path) {
    int fd, e = file_open_dir(path, 1, &fd);
    if (!e) close(fd);
    return e;
}

DIR *file_opendir(const char *path) {
    int fd, e = file_open_dir(path, 0, &fd);
    if (e) {
        errno = e;
        return NULL;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        e = errno;
        close(fd);
        errno = e;
    }
    return d;
}

/* The directory holding `path` (opened as file_open_dir does) in *dirfd, and its last
 * component in *name (pointing into path). */
static int locate(const char *path, int create, int *dirfd, const char **name) {
    const char *slash = strrchr(path, '/');
    *name = slash ? slash + 1 : path;
    if (!**name || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0) return EISDIR;
    if (!slash) return file_open_dir(".", create, dirfd);
    if (slash == path) return file_open_dir("/", create, dirfd);
    char *dir = xstrndup(path, (size_t)(slash - path));
    int e = file_open_dir(dir, create, dirfd);
    free(dir);
    return e;
}

int file_unlink(const char *path) {
    int dirfd;
    const char *name;
    int e = locate(path, 0, &dirfd, &name);
    if (e) return e;
    if (unlinkat(dirfd, name, 0) != 0) e = errno;
    close(dirfd);
    return e;
}

/* ---- reads ----------------------------------------------------------------------------- */

int file_read_fd(int fd, char **data, size_t *n) {
    size_t cap = 64 * 1024, len = 0;
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return EISDIR;
        if (S_ISREG(st.st_mode) && (uint64_t)st.st_size >= FILE_READ_MAX) return FILE_ETOOBIG;
        if (S_ISREG(st.st_mode) && st.st_size > 0) cap = (size_t)st.st_size + 1;
    }
    char *p = xmalloc(cap);
    for (;;) {
        if (len >= FILE_READ_MAX) {
            free(p);
            return FILE_ETOOBIG;
        }
        if (len + 1 >= cap) p = xrealloc(p, cap = cap * 2 < FILE_READ_MAX + 1 ? cap * 2 : FILE_READ_MAX + 1);
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

/* Opens regular file name in dirfd without blocking (a FIFO would) and, when nofollow, not
 * through a symlink. */
static int open_regular(int dirfd, const char *name, int nofollow, int *fd) {
    int f = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    if (f < 0) return nofollow && errno == ELOOP ? refuse_symlink(name, strlen(name)) : errno;
    struct stat st;
    int e = fstat(f, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : !S_ISREG(st.st_mode) ? FILE_ENOTREG : 0;
    if (e) {
        close(f);
        return e;
    }
    fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK);
    *fd = f;
    return 0;
}

int file_open_beneath(int dirfd, const char *rel, int *fd) {
    if (rel[0] == '/') return FILE_EOUTSIDE;
    const char *slash = strrchr(rel, '/'), *name = slash ? slash + 1 : rel;
    if (strcmp(name, "..") == 0) return FILE_EDOTDOT;
    if (!*name || strcmp(name, ".") == 0) return EISDIR;
    int d, e = walk(dirfd, rel, slash ? (size_t)(slash - rel) : 0, 0, &d);
    if (e) return e;
    e = open_regular(d, name, 1, fd);
    close(d);
    return e;
}

int file_read_regular(int dirfd, const char *path, char **data, size_t *n) {
    int fd, e;
    if (dirfd == AT_FDCWD && confined_rel(path)) {
        int d;
        const char *name;
        if ((e = locate(path, 0, &d, &name))) return e;
        e = open_regular(d, name, 1, &fd);
        close(d);
    } else {
        e = open_regular(dirfd, path, 0, &fd);
    }
    if (e) return e;
    e = file_read_fd(fd, data, n);
    close(fd);
    return e;
}

int file_read_all(const char *path, char **data, size_t *n) {
    if (strcmp(path, "-") == 0) return file_read_fd(0, data, n);
    if (confined_rel(path)) return file_read_regular(AT_FDCWD, path, data, n);
    /* a path the user named: a pipe (`<(cmd)`) is fine, reads are still bounded */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = file_read_fd(fd, data, n);
    close(fd);
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

/* ---- writes ---------------------------------------------------------------------------- */

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

/* An fd on the non-empty regular file name in dirfd when it has one name, else -1. */
static int hold_old_content(int dirfd, const char *name) {
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
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

/* Writes name's new content to a fresh temporary file in dirfd (*tmp, malloc'd): only over a
 * regular file or a new name, with the mode and owner of the file it will replace. */
static int write_temp(int dirfd, const char *name, int (*emit)(int fd, void *ctx), void *ctx, char **tmp) {
    struct stat st;
    int exists = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) return errno;
    if (exists && S_ISLNK(st.st_mode)) return refuse_symlink(name, strlen(name));
    if (exists && S_ISDIR(st.st_mode)) return EISDIR;
    if (exists && !S_ISREG(st.st_mode)) return FILE_ENOTREG;
    static atomic_uint counter;
    size_t n = strlen(name);
    int keep = n > 200 ? 200 : (int)n; /* the temporary name stays within NAME_MAX */
    char *t = xmalloc((size_t)keep + 64);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        snprintf(t, (size_t)keep + 64, ".%.*s.tmp-%ld-%u%05ld", keep, name, (long)getpid(), atomic_fetch_add(&counter, 1),
                 ts.tv_nsec % 100000);
        fd = openat(dirfd, t, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        int e = errno;
        free(t);
        return e;
    }
    int e = emit(fd, ctx);
    if (!e && exists && (st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) != 0)
        e = FILE_EOWNER;
    mode_t mode;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (!e && fchmod(fd, mode) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (e) {
        unlinkat(dirfd, t, 0);
        free(t);
        return e;
    }
    *tmp = t;
    return 0;
}

/* Renames tmp over name in dirfd; the replaced content is released in the background. */
static int put_in_place(int dirfd, const char *tmp, const char *name) {
    int old = hold_old_content(dirfd, name), e = 0;
    if (renameat(dirfd, tmp, dirfd, name) != 0) e = errno;
    release_old_content(old);
    if (e) unlinkat(dirfd, tmp, 0);
    return e;
}

int file_write_atomic_with(const char *path, int (*emit)(int fd, void *ctx), void *ctx) {
    if (strcmp(path, "-") == 0) return emit(1, ctx);
    int dirfd;
    const char *name;
    int e = locate(path, 0, &dirfd, &name);
    if (e) return e;
    char *tmp = NULL;
    e = write_temp(dirfd, name, emit, ctx, &tmp);
    if (!e) e = put_in_place(dirfd, tmp, name);
    free(tmp);
    close(dirfd);
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

/* ---- sets of files --------------------------------------------------------------------- */

int file_set_begin(FileSet *s, const char *dir) {
    memset(s, 0, sizeof *s);
    s->dirfd = -1;
    return file_open_dir(dir, 1, &s->dirfd);
}

int file_set_write(FileSet *s, const char *name, int (*emit)(int fd, void *ctx), void *ctx) {
    if (s->dirfd < 0) return EBADF;
    if (strchr(name, '/')) return EINVAL;
    char *tmp = NULL;
    int e = write_temp(s->dirfd, name, emit, ctx, &tmp);
    if (e) return e;
    s->items = xrealloc(s->items, (s->n + 1) * sizeof *s->items);
    s->items[s->n].name = xstrndup(name, strlen(name));
    s->items[s->n].tmp = tmp;
    s->n++;
    return 0;
}

int file_set_put(FileSet *s, const char *name, const void *data, size_t n) {
    Bytes b = {data, n};
    return file_set_write(s, name, emit_bytes, &b);
}

int file_set_commit(FileSet *s) {
    int e = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct FileSetItem *it = &s->items[i];
        int r = put_in_place(s->dirfd, it->tmp, it->name);
        if (r && !e) e = r;
        free(it->tmp);
        it->tmp = NULL;
    }
    return e;
}

void file_set_free(FileSet *s) {
    for (size_t i = 0; i < s->n; i++) {
        if (s->items[i].tmp) unlinkat(s->dirfd, s->items[i].tmp, 0);
        free(s->items[i].tmp);
        free(s->items[i].name);
    }
    free(s->items);
    if (s->dirfd >= 0) close(s->dirfd);
    memset(s, 0, sizeof *s);
    s->dirfd = -1;
}
