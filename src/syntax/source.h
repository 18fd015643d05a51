/* source.h - turning a file's bytes into the UTF-8 text the lexer reads, as CPython does. */
#ifndef GLINTEFY_SOURCE_H
#define GLINTEFY_SOURCE_H
#include <stddef.h>
#include "../base/buf.h"

/* Decodes Python source bytes in[0..n): a UTF-8 BOM is dropped; a PEP 263 coding declaration on
 * line 1 or 2 selects the encoding (any name iconv knows, with CPython's aliases such as
 * "latin-1", "utf8", "iso-8859-15"); default UTF-8. Newlines are left untouched.
 * On success returns 0 and sets *text and *len: either pointing into `in` (when no conversion was
 * needed) or into *scratch, which the caller frees with buf_free. The result is valid UTF-8.
 * On failure returns -1 and sets *errmsg (static or in scratch) and *errline (1-based). */
int source_decode(const char *in, size_t n, Buf *scratch, const char **text, size_t *len,
                  const char **errmsg, int *errline);

#endif
