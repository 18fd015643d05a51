/* unicode.h - the Unicode facts the lexer needs: identifier characters (PEP 3131), NFKC
 * normalisation of identifiers, and character names for \N{...} escapes. Tables are generated
 * by tools/gen_unicode.py from CPython's unicodedata and checked in. */
#ifndef GLINTEFY_UNICODE_H
#define GLINTEFY_UNICODE_H
#include <stddef.h>
#include <stdint.h>
#include "../base/arena.h"
#include "../base/str.h"

int uni_is_xid_start(uint32_t cp);    /* includes '_' */
int uni_is_xid_continue(uint32_t cp);
/* Python's str.isprintable() for one code point: the lexer's "invalid character '%c' (U+XXXX)"
 * versus "invalid non-printable character U+XXXX". */
int uni_is_printable(uint32_t cp);
/* Returns the NFKC normalisation of the UTF-8 identifier s[0..n) (arena-owned; s itself when it is
 * already normalised, always for ASCII). */
Str uni_nfkc(Arena *a, const char *s, size_t n);
/* Looks up a character by its Unicode name or alias, case-insensitively as \N{...} does; returns
 * the code point, or -1 when unknown. Covers algorithmic names (CJK UNIFIED IDEOGRAPH-XXXX, Hangul
 * syllables). */
int32_t uni_lookup_name(const char *name, size_t n);

#endif
