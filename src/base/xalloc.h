/* xalloc.h - malloc wrappers that abort with a message on out-of-memory. */
#ifndef GLINTEFY_XALLOC_H
#define GLINTEFY_XALLOC_H
#include <stddef.h>
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);
#endif
