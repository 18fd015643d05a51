/* fileio.h - the one place files are opened, read, written and deleted: whole-file reads of
 * regular files with a size bound, writes that never leave a partial file behind and never
 * replace anything but a regular file, and confinement of the output root (no symlink under it
 * is ever followed, by a write, a read, a listing or a delete). */
#ifndef GLINTEFY_FILEIO_H
#define GLINTEFY_FILEIO_H
#include <dirent.h>
#include <stddef.h>

/* Error codes beyond errno's range, for refusals no errno names well; file_strerror says them. */
enum {
    FILE_ESYMLINK = 4096, /* a symlink where a file or directory must be its own */
    FILE_ENOTREG,         /* not a regular file (device, FIFO, socket, directory) */
    FILE_ETOOBIG,         /* larger than FILE_READ_MAX */
    FILE_EDOTDOT,         /* a ".." component in a path that must stay below a directory */
    FILE_EOWNER,          /* the file to replace has an owner this process cannot give the new one */
    FILE_EOUTSIDE,        /* an absolute path outside the directory it must stay in */
};
/* strerror(e), or the sentence for a FILE_E* code. */
const char *file_strerror(int e);

/* Reads of a whole file stop here (2 GiB): a sparse or endless file is refused, not read. */
#define FILE_READ_MAX ((size_t)2 << 30)

/* From now on every path that names root/sub or something below it (root as spelt here, e.g.
 * "repo/LLM-CONTEXT/glintefy/...") is walked from a descriptor of root one component at a time
 * with O_NOFOLLOW: a symlinked component under root/sub is refused (FILE_ESYMLINK), never
 * followed, by every function of this header. root itself is the user's and may be a symlink.
 * One root per process; a later call replaces it. */
void file_confine(const char *root, const char *sub);

/* Opens the existing regular file `rel` below directory dirfd without following a symlink in
 * any component and refusing "..", so nothing outside dirfd can be reached, however the tree
 * changes meanwhile. *fd gets a read-only descriptor. Returns 0 or an error code. */
int file_open_beneath(int dirfd, const char *rel, int *fd);

/* Reads all of `path` ("-" is stdin) into *data (malloc'd, NUL after the end; the caller
 * frees it) and its length into *n. Returns 0, or an error code with nothing allocated.
 * Under the confined root: a regular file, not through a symlink. */
int file_read_all(const char *path, char **data, size_t *n);
/* Reads the regular file `path` (relative to dirfd, or AT_FDCWD) without blocking on a FIFO or
 * a device: anything else is FILE_ENOTREG. Under the confined root as file_read_all. */
int file_read_regular(int dirfd, const char *path, char **data, size_t *n);
/* The same from an open descriptor (left open); EISDIR for a directory, FILE_ETOOBIG past
 * FILE_READ_MAX. */
int file_read_fd(int fd, char **data, size_t *n);

/* Writes all of p[0..n) to fd, retrying short writes and EINTR. Returns 0 or an errno value. */
int file_write_all(int fd, const char *p, size_t n);

/* Writes data[0..n) to `path` through a temporary file in the same directory, renamed over
 * `path` once complete ("-" writes to stdout). Only a regular file (keeping its mode and
 * owner) or a new name is written: a symlink, device, FIFO or socket at `path` is refused and
 * left as it is. Returns 0, or an error code; on failure `path` is untouched and the temporary
 * file removed. The old content of a replaced file is freed by a detached thread (closing a
 * descriptor held across the rename), not by the caller. */
int file_write_atomic(const char *path, const void *data, size_t n);
/* The same, the content coming from emit(fd, ctx), which returns 0 or an errno value. */
int file_write_atomic_with(const char *path, int (*emit)(int fd, void *ctx), void *ctx);

/* A set of files in one directory written all or not at all: each is written to a temporary
 * name (a full disk fails here, with nothing replaced); file_set_commit renames them all into
 * place (renames need no space); file_set_free removes whatever was not committed. */
typedef struct FileSet {
    int dirfd;
    size_t n;
    struct FileSetItem {
        char *name, *tmp; /* tmp: NULL once renamed into place */
    } *items;
} FileSet;
/* Opens directory `dir` (created with its parents if missing). Returns 0 or an error code. */
int file_set_begin(FileSet *s, const char *dir);
int file_set_write(FileSet *s, const char *name, int (*emit)(int fd, void *ctx), void *ctx);
/* file_set_write of the bytes data[0..n). */
int file_set_put(FileSet *s, const char *name, const void *data, size_t n);
int file_set_commit(FileSet *s);
void file_set_free(FileSet *s);

/* Creates directory `path` and its missing parents (mode 0777 less umask). 0 or an error code. */
int file_mkdirs(const char *path);
/* Opens directory `path` (created with its parents when `create`) for fd-relative work: *fd.
 * Returns 0 or an error code. */
int file_open_dir(const char *path, int create, int *fd);
/* Whether directory `path` could be written, without creating anything: 0, or why not (a
 * symlink in the way, a read-only file system, no permission). Under the confined root the
 * deepest existing directory on the way is checked. */
int file_check_writable(const char *path);
/* opendir(path), confined as above; NULL with errno set. */
DIR *file_opendir(const char *path);
/* unlink(path), confined as above: the link itself, never what it points at. 0 or an error code. */
int file_unlink(const char *path);

#endif
