/* fileio.h - whole-file reads, and writes that never leave a partial file behind. */
#ifndef GLINTEFY_FILEIO_H
#define GLINTEFY_FILEIO_H
#include <stddef.h>

/* Reads all of `path` ("-" is stdin) into *data (malloc'd, NUL after the end; the caller
 * frees it) and its length into *n. Returns 0, or an errno value with nothing allocated. */
int file_read_all(const char *path, char **data, size_t *n);
/* The same from an open descriptor (left open); EISDIR for a directory. */
int file_read_fd(int fd, char **data, size_t *n);

/* Writes all of p[0..n) to fd, retrying short writes and EINTR. Returns 0 or an errno value. */
int file_write_all(int fd, const char *p, size_t n);

/* Writes data[0..n) to `path` through a temporary file in the same directory, renamed over
 * `path` once complete ("-" writes to stdout). Returns 0, or an errno value; on failure
 * `path` is untouched and the temporary file removed. The old content of a replaced file is freed
 * by a detached thread (closing a descriptor held across the rename), not by the caller. */
int file_write_atomic(const char *path, const void *data, size_t n);
/* The same, the content coming from emit(fd, ctx), which returns 0 or an errno value. */
int file_write_atomic_with(const char *path, int (*emit)(int fd, void *ctx), void *ctx);

#endif
