/* unicode.c - identifier characters, NFKC for identifiers, and \N{...} names, from the tables
 * tools/gen_unicode.py generates out of CPython's unicodedata. NFKC is done the textbook way
 * (UAX #15): full compatibility decomposition, canonical reordering, canonical composition. */
#include "unicode.h"
#include "../base/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include "unicode_tables.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ranges: lo0, hi0, lo1, hi1, ... sorted */
static int in_ranges(const uint32_t *r, size_t n, uint32_t cp) {
    size_t lo = 0, hi = n / 2;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[2 * mid]) hi = mid;
        else if (cp > r[2 * mid + 1]) lo = mid + 1;
        else return 1;
    }
    return 0;
}

int uni_is_xid_start(uint32_t cp) {
    if (cp < 0x80) return cp == '_' || (cp | 0x20) - 'a' < 26;
    return in_ranges(UNI_XID_START, COUNT(UNI_XID_START), cp);
}

int uni_is_xid_continue(uint32_t cp) {
    if (cp < 0x80) return cp == '_' || (cp | 0x20) - 'a' < 26 || cp - '0' < 10;
    return in_ranges(UNI_XID_CONTINUE, COUNT(UNI_XID_CONTINUE), cp);
}

int uni_is_printable(uint32_t cp) { return in_ranges(UNI_PRINTABLE, COUNT(UNI_PRINTABLE), cp); }

/* ---- NFKC ---- */

enum { S_BASE = 0xAC00, L_BASE = 0x1100, V_BASE = 0x1161, T_BASE = 0x11A7,
       L_COUNT = 19, V_COUNT = 21, T_COUNT = 28, N_COUNT = V_COUNT * T_COUNT,
       S_COUNT = L_COUNT * N_COUNT };

static int ccc_of(uint32_t cp) {
    size_t lo = 0, hi = COUNT(UNI_CCC);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint32_t c = UNI_CCC[mid] >> 8;
        if (c == cp) return (int)(UNI_CCC[mid] & 0xFF);
        if (c < cp) lo = mid + 1; else hi = mid;
    }
    return 0;
}

/* Full compatibility decomposition of cp: returns its length and sets *d (NULL: cp itself). */
static size_t decompose(uint32_t cp, const uint32_t **d) {
    *d = NULL;
    size_t lo = 0, hi = COUNT(UNI_DECOMP_CP);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (UNI_DECOMP_CP[mid] == cp) {
            *d = UNI_DECOMP_POOL + (UNI_DECOMP_INFO[mid] >> 5);
            return UNI_DECOMP_INFO[mid] & 31;
        }
        if (UNI_DECOMP_CP[mid] < cp) lo = mid + 1; else hi = mid;
    }
    return 1;
}

static int64_t compose(uint32_t a, uint32_t b) {
    if (a - L_BASE < L_COUNT && b - V_BASE < V_COUNT)
        return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT;
    if (a - S_BASE < S_COUNT && (a - S_BASE) % T_COUNT == 0 && b - T_BASE - 1 < T_COUNT - 1)
        return a + (b - T_BASE);
    uint64_t key = (uint64_t)a << 21 | b;
    size_t lo = 0, hi = COUNT(UNI_COMPOSE_KEY);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (UNI_COMPOSE_KEY[mid] == key) return UNI_COMPOSE_CP[mid];
        if (UNI_COMPOSE_KEY[mid] < key) lo = mid + 1; else hi = mid;
    }
    return -1;
}

/* Decodes one UTF-8 (or WTF-8) sequence at s[0..n); returns its length, 0 if malformed. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3
               : c >= 0xF0 && c < 0xF5 ? 4 : 0;
    if (!len || len > n) return 0;
    uint32_t v = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[k] & 0x3F);
    }
    *cp = v;
    return len;
}

static size_t utf8_encode(uint32_t cp, char *o) {
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

Str uni_nfkc(Arena *a, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && u[i] < 0x80) i++;
    if (i == n) return (Str){s, n};
    /* 1. decompose (each code point expands to at most 18) */
    size_t cap = n * 18 + 4, m = 0;
    uint32_t *b = xmalloc(cap * sizeof *b);
    for (i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode(u + i, n - i, &cp);
        if (!k) { free(b); return (Str){s, n}; } /* not UTF-8: leave it to the caller's checks */
        i += k;
        if (cp - S_BASE < S_COUNT) {
            uint32_t si = cp - S_BASE;
            b[m++] = L_BASE + si / N_COUNT;
            b[m++] = V_BASE + si % N_COUNT / T_COUNT;
            if (si % T_COUNT) b[m++] = T_BASE + si % T_COUNT;
            continue;
        }
        const uint32_t *d;
        size_t dn = decompose(cp, &d);
        if (!d) b[m++] = cp;
        else for (size_t k2 = 0; k2 < dn; k2++) b[m++] = d[k2];
    }
    /* 2. canonical order: stable insertion sort of each run of non-starters by class */
    for (size_t j = 1; j < m; j++) {
        int cj = ccc_of(b[j]);
        if (!cj) continue;
        uint32_t x = b[j];
        size_t k = j;
        while (k > 0) {
            int ck = ccc_of(b[k - 1]);
            if (ck <= cj) break;
            b[k] = b[k - 1];
            k--;
        }
        b[k] = x;
    }
    /* 3. compose: a character joins the last starter when it is next to it, or when everything
     * in between has a lower, non-zero class (after step 2, the last one has the highest) */
    size_t out = 0, starter = 0;
    int have_starter = 0, last_ccc = 0;
    for (size_t j = 0; j < m; j++) {
        uint32_t c = b[j];
        int cc = ccc_of(c);
        if (have_starter && (out == starter + 1 || (last_ccc != 0 && last_ccc < cc))) {
            int64_t comp = compose(b[starter], c);
            if (comp >= 0) {
                b[starter] = (uint32_t)comp;
                continue;
            }
        }
        if (cc == 0) { starter = out; have_starter = 1; }
        last_ccc = cc;
        b[out++] = c;
    }
    /* 4. back to UTF-8; unchanged text is returned as it was */
    char *r = arena_alloc(a, out * 4 + 1);
    size_t rn = 0;
    for (size_t j = 0; j < out; j++) rn += utf8_encode(b[j], r + rn);
    free(b);
    if (rn == n && memcmp(r, s, n) == 0) return (Str){s, n};
    return (Str){r, rn};
}

/* ---- names ---- */

static const char *const JAMO_L[L_COUNT] = {"G", "GG", "N", "D", "DD", "R", "M", "B", "BB", "S",
                                            "SS", "", "J", "JJ", "C", "K", "T", "P", "H"};
static const char *const JAMO_V[V_COUNT] = {"A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O",
                                            "WA", "WAE", "OE", "YO", "U", "WEO", "WE", "WI", "YU",
                                            "EU", "YI", "I"};
static const char *const JAMO_T[T_COUNT] = {"", "G", "GG", "GS", "N", "NJ", "NH", "D", "L", "LG",
                                            "LM", "LB", "LS", "LT", "LP", "LH", "M", "B", "BS",
                                            "S", "SS", "NG", "J", "C", "K", "T", "P", "H"};

/* CPython's find_syllable: the longest jamo short name at s (case-sensitive, as in 3.11). */
static int find_jamo(const char *s, size_t n, const char *const *tab, int count, size_t *len) {
    int best = -1;
    size_t blen = 0;
    for (int i = 0; i < count; i++) {
        size_t l = strlen(tab[i]);
        if ((best >= 0 && l <= blen) || l > n || strncmp(s, tab[i], l) != 0) continue;
        best = i;
        blen = l;
    }
    *len = blen;
    return best;
}

static int32_t hangul_name(const char *s, size_t n) {
    size_t l1, l2, l3;
    int L = find_jamo(s, n, JAMO_L, L_COUNT, &l1);
    int V = find_jamo(s + l1, n - l1, JAMO_V, V_COUNT, &l2);
    int T = find_jamo(s + l1 + l2, n - l1 - l2, JAMO_T, T_COUNT, &l3);
    if (L < 0 || V < 0 || T < 0 || l1 + l2 + l3 != n) return -1;
    return S_BASE + (L * V_COUNT + V) * T_COUNT + T;
}

static int32_t cjk_name(const char *s, size_t n) {
    if (n != 4 && n != 5) return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') v = v * 16 + (uint32_t)(c - '0');
        else if (c >= 'A' && c <= 'F') v = v * 16 + (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    return in_ranges(UNI_CJK_UNIFIED, COUNT(UNI_CJK_UNIFIED), v) ? (int32_t)v : -1;
}

/* Compares the upper-cased query q with the first entry of bucket b (a full name). */
static int cmp_head(const char *q, size_t qn, const char *b) {
    const char *e = strchr(b + 1, ';');
    size_t hn = (size_t)(e - (b + 1));
    int c = memcmp(q, b + 1, qn < hn ? qn : hn);
    return c ? c : (qn > hn) - (qn < hn);
}

int32_t uni_lookup_name(const char *name, size_t n) {
    /* CPython 3.11 matches the algorithmic names in capitals only */
    if (n > 22 && !memcmp(name, "CJK UNIFIED IDEOGRAPH-", 22)) return cjk_name(name + 22, n - 22);
    if (n >= 16 && !memcmp(name, "HANGUL SYLLABLE ", 16)) return hangul_name(name + 16, n - 16);
    char q[128];
    if (n == 0 || n >= sizeof q) return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 0x80 || c == ';') return -1;
        q[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    /* last bucket whose head is <= q */
    size_t lo = 0, hi = COUNT(UNI_NAME_BUCKETS);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cmp_head(q, n, UNI_NAME_BUCKETS[mid]) < 0) hi = mid; else lo = mid + 1;
    }
    if (lo == 0) return -1;
    size_t bi = lo - 1;
    char cur[128];
    size_t cn = 0, idx = bi * UNI_NAME_BUCKET;
    for (const char *p = UNI_NAME_BUCKETS[bi]; *p; idx++) {
        size_t keep = (size_t)(unsigned char)*p++ - 32;
        const char *e = strchr(p, ';');
        size_t add = (size_t)(e - p);
        if (keep > cn || keep + add >= sizeof cur) return -1; /* cannot happen with our tables */
        memcpy(cur + keep, p, add);
        cn = keep + add;
        p = e + 1;
        if (cn == n && !memcmp(cur, q, n)) return (int32_t)UNI_NAME_CP[idx];
    }
    return -1;
}
