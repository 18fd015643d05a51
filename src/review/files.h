/* files.h - file helpers of the review: reading a whole file, the output root, creating
 * directories, and writing files atomically (temporary name in the same directory + rename). */
#ifndef GLINTEFY_REVIEW_FILES_H
#define GLINTEFY_REVIEW_FILES_H
#include <stddef.h>
#include <jansson.h>
#include "../base/fileio.h" /* file_strerror for the codes these return */

/* Output root, relative to the repository, and its parts. */
#define RV_OUTPUT_ROOT "LLM-CONTEXT/glintefy/review"
#define RV_OUTPUT_PERF "perf"
#define RV_OUTPUT_CACHE "cache"

/* Reads the regular file `path` (relative paths are relative to directory fd `dirfd`, or AT_FDCWD) into
 * *data (malloc'd, NUL after the end; the caller frees it) and its length into *n.
 * Returns 0, or an errno value with nothing allocated. */
int rv_read_file(int dirfd, const char *path, char **data, size_t *n);

/* Returns "<repo>/LLM-CONTEXT/glintefy/review[/sub]" (malloc'd; sub may be NULL). */
char *rv_output_path(const char *repo, const char *sub);

/* Creates directory `path` and its missing parents (mode 0777 less umask).
 * Returns 0, or an errno value. */
int rv_mkdirs(const char *path);

/* Writes data[0..n) to `path` atomically: creates missing directories, writes a temporary file
 * in the same directory, flushes it, renames it over `path`. On failure nothing is left
 * behind and `path` is untouched. Returns 0, or an errno value. */
int rv_write_atomic(const char *path, const void *data, size_t n);

/* Writes `root` as JSON (2-space indent, keys in insertion order, final newline) to `path`
 * atomically. Returns 0, or an errno value (EINVAL if jansson cannot encode it). */
int rv_write_json(const char *path, const json_t *root);

#endif
