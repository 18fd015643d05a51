/* unicode.c - PROVISIONAL: every non-ASCII code point counts as an identifier character, no NFKC,
 * and \N{...} knows no names. Replaced by the table-driven version from tools/gen_unicode.py. */
#include "unicode.h"

int uni_is_xid_start(uint32_t cp) {
    return cp == '_' || (cp | 0x20) - 'a' < 26 || cp >= 0x80;
}
int uni_is_xid_continue(uint32_t cp) { return uni_is_xid_start(cp) || cp - '0' < 10; }
Str uni_nfkc(Arena *a, const char *s, size_t n) { (void)a; return (Str){s, n}; }
int32_t uni_lookup_name(const char *name, size_t n) { (void)name; (void)n; return -1; }
