/* lit.h - Python literal values: numbers and string/bytes escapes, decoded as CPython does. */
#ifndef GLINTEFY_LIT_H
#define GLINTEFY_LIT_H
#include "../base/arena.h"
#include "../base/str.h"

typedef enum { LIT_INT, LIT_FLOAT, LIT_IMAG } LitNumKind;

/* Parses the text of a numeric literal s[0..n) exactly as the lexer delimited it (underscores,
 * 0x/0o/0b prefixes, exponents, trailing j/J allowed). On success returns 0, sets *kind and sets
 * *out to arena-owned text: for LIT_INT the value in decimal digits (any size), for LIT_FLOAT
 * Python's repr(float(text)) (e.g. "1e+16", "0.0001", "inf"), for LIT_IMAG repr of the imaginary
 * part as a float. On failure returns -1 and sets *msg to a static message. */
int lit_number(Arena *a, const char *s, size_t n, LitNumKind *kind, Str *out, const char **msg);

/* Formats d as Python's repr(float) into buf (at least 32 bytes); returns the length. */
int lit_float_repr(double d, char *buf);

enum { LIT_RAW = 1, LIT_BYTES = 2 };

/* Decodes the body of a string or bytes literal (no prefix, no quotes) s[0..n). For str the
 * result is UTF-8 in which lone surrogates (from \ud800 escapes) are encoded as 3-byte WTF-8
 * sequences; for bytes it is the raw bytes. The result is arena-owned (it may point into s when
 * nothing needed decoding). On error returns -1 with *msg set to CPython's message (arena-owned)
 * and *err_off to the byte offset in s of the offending escape. Invalid escapes such as "\d" are
 * kept literally, as CPython does (it only warns). */
int lit_decode(Arena *a, const char *s, size_t n, unsigned flags, Str *out, const char **msg,
               size_t *err_off);

#endif
