/* marshal.c - reader and writer of Python's marshal format (CPython's Python/marshal.c is the
 * reference). One load function per kind of object, each checking the bytes it needs first;
 * every failure goes through fail() and unwinds by returning NULL. */
#include "marshal.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const KIND_NAMES[] = {
#define X(k, name) name,
    MARSHAL_KINDS(X)
#undef X
};

const char *marshal_kind_name(MKind k) {
    return (unsigned)k < sizeof KIND_NAMES / sizeof KIND_NAMES[0] ? KIND_NAMES[k] : "?";
}

/* Invariant: start <= p <= end; refs holds every flagged object begun so far, in order. */
typedef struct Loader {
    const unsigned char *start, *p, *end;
    Arena *arena;
    Array(MValue *) refs;
    int depth;
    MarshalError *err;
} Loader;

static MValue *fail(Loader *L, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static MValue *fail(Loader *L, size_t off, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    L->err->offset = off;
    vsnprintf(L->err->msg, sizeof L->err->msg, fmt, ap);
    va_end(ap);
    return NULL;
}

static size_t offset(const Loader *L) { return (size_t)(L->p - L->start); }
static size_t left(const Loader *L) { return (size_t)(L->end - L->p); }

/* Checks that n more bytes are there; `what` names what they were to hold. */
static int need(Loader *L, size_t n, const char *what) {
    if (left(L) >= n) return 1;
    fail(L, offset(L), "truncated: %s needs %zu bytes, %zu left", what, n, left(L));
    return 0;
}

static uint32_t get_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static int32_t get_i32(const unsigned char *p) {
    uint32_t u = get_u32(p);
    return u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

static int load_i32(Loader *L, int32_t *v, const char *what) {
    if (!need(L, 4, what)) return 0;
    *v = get_i32(L->p);
    L->p += 4;
    return 1;
}

/* A size: 4 bytes (or 1 when `short1`), not negative, and each element needs at least
 * `min_bytes` of what is left, so a lying size fails here rather than in an allocation. */
static int load_size(Loader *L, int short1, size_t min_bytes, const char *what, size_t *n) {
    size_t at = offset(L);
    if (short1) {
        if (!need(L, 1, what)) return 0;
        *n = *L->p++;
    } else {
        int32_t v;
        if (!load_i32(L, &v, what)) return 0;
        if (v < 0) { fail(L, at, "negative size %ld for %s", (long)v, what); return 0; }
        *n = (size_t)v;
    }
    if (*n > left(L) / min_bytes) {
        fail(L, at, "%s of size %zu does not fit in the %zu bytes left", what, *n, left(L));
        return 0;
    }
    return 1;
}

static MValue *new_value(Loader *L, MKind kind, size_t off) {
    MValue *v = arena_alloc(L->arena, sizeof *v);
    v->kind = (uint8_t)kind;
    v->off = off;
    return v;
}

static MValue *load_object(Loader *L);

/* ---- scalars ------------------------------------------------------------------------- */

/* 'l': a signed count of 15-bit digits, least significant first. Values that do not fit
 * 64 bits become M_BIGINT with an approximate double. */
static MValue *load_long(Loader *L, MValue *v) {
    int32_t nd;
    if (!load_i32(L, &nd, "long digit count")) return NULL;
    if (nd < -INT32_MAX) return fail(L, v->off, "long size out of range");
    size_t n = (size_t)(nd < 0 ? -(int64_t)nd : nd);
    if (n > left(L) / 2) return fail(L, v->off, "long of %zu digits does not fit in the %zu bytes left", n, left(L));
    const unsigned char *d = L->p;
    L->p += 2 * n;
    uint64_t mag = 0;
    int big = 0;
    double approx = 0;
    for (size_t k = n; k-- > 0;) {
        unsigned digit = (unsigned)d[2 * k] | (unsigned)d[2 * k + 1] << 8;
        if (digit >= 1u << 15) return fail(L, (size_t)(d + 2 * k - L->start), "long digit %u out of range", digit);
        if (k == n - 1 && digit == 0) return fail(L, (size_t)(d + 2 * k - L->start), "unnormalized long (leading zero digit)");
        if (mag > UINT64_MAX >> 15) big = 1;
        mag = mag << 15 | digit;
        approx = approx * 32768.0 + digit;
    }
    if (!big && nd >= 0 && mag <= INT64_MAX) {
        v->kind = M_INT;
        v->u.i = (int64_t)mag;
    } else if (!big && nd < 0 && mag <= (uint64_t)INT64_MAX + 1) {
        v->kind = M_INT;
        v->u.i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        v->kind = M_BIGINT;
        v->u.f = nd < 0 ? -approx : approx;
    }
    return v;
}

static double get_f64(const unsigned char *p) {
    uint64_t u = 0;
    for (int k = 7; k >= 0; k--) u = u << 8 | p[k];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* 'f' and 'x': a float as text, one length byte then the digits (marshal versions 0 and 1). */
static int load_text_float(Loader *L, double *out) {
    size_t at = offset(L), n;
    if (!load_size(L, 1, 1, "float text", &n)) return 0;
    char buf[257];
    memcpy(buf, L->p, n);
    buf[n] = 0;
    L->p += n;
    char *end;
    *out = strtod(buf, &end);
    if (n == 0 || *end) { fail(L, at, "invalid float text '%s'", buf); return 0; }
    return 1;
}

/* ---- strings -------------------------------------------------------------------------- */

/* Checks UTF-8 as CPython decodes marshal strings (surrogatepass: lone surrogates allowed). */
static size_t utf8_bad_at(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (!len || c > 0xF4 || i + len > n) return i;
        unsigned cp = c & (0x3F >> (len - 1));
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return i;
        i += len;
    }
    return (size_t)-1;
}

/* 'u', 't' (UTF-8), 'a', 'A', 'z', 'Z' (one byte a character: Latin-1 as CPython reads them,
 * stored here as UTF-8) and 's' (bytes). */
static MValue *load_string(Loader *L, MValue *v, int code) {
    int short1 = code == 'z' || code == 'Z';
    size_t n;
    if (!load_size(L, short1, 1, code == 's' ? "bytes" : "string", &n)) return NULL;
    const unsigned char *s = L->p;
    L->p += n;
    v->kind = code == 's' ? M_BYTES : M_STR;
    v->u.str.s = (const char *)s;
    v->u.str.len = n;
    if (code == 'u' || code == 't') {
        size_t bad = utf8_bad_at(s, n);
        if (bad != (size_t)-1) return fail(L, (size_t)(s + bad - L->start), "string is not valid UTF-8");
    } else if (code != 's') {
        size_t high = 0;
        for (size_t k = 0; k < n; k++) high += s[k] >= 0x80;
        if (high) {
            char *t = arena_alloc(L->arena, n + high + 1), *q = t;
            for (size_t k = 0; k < n; k++) {
                if (s[k] < 0x80) *q++ = (char)s[k];
                else { *q++ = (char)(0xC0 | s[k] >> 6); *q++ = (char)(0x80 | (s[k] & 0x3F)); }
            }
            v->u.str.s = t;
            v->u.str.len = n + high;
        }
    }
    return v;
}

/* ---- containers ----------------------------------------------------------------------- */

/* '(' ')' '[' '<' '>' and ':' (slice, 3 items): a size, then that many objects. */
static MValue *load_sequence(Loader *L, MValue *v, int code) {
    static const struct { char code; uint8_t kind; const char *what; } SEQ[] = {
        {'(', M_TUPLE, "tuple"}, {')', M_TUPLE, "tuple"}, {'[', M_LIST, "list"},
        {'<', M_SET, "set"}, {'>', M_FROZENSET, "frozenset"}, {':', M_SLICE, "slice"},
    };
    size_t k = 0;
    while (SEQ[k].code != code) k++;
    v->kind = SEQ[k].kind;
    size_t n = 3;
    if (code != ':' && !load_size(L, code == ')', 1, SEQ[k].what, &n)) return NULL;
    v->u.seq.items = n ? arena_alloc(L->arena, n * sizeof(MValue *)) : NULL;
    for (size_t i = 0; i < n; i++) {
        MValue *item = load_object(L);
        if (!item) return NULL;
        v->u.seq.items[i] = item;
        v->u.seq.len = i + 1;
    }
    return v;
}

/* '{': key, value pairs up to a '0' (a '0' in a value's place also ends it, as in CPython). */
static MValue *load_dict(Loader *L, MValue *v) {
    v->kind = M_DICT;
    size_t cap = 0, len = 0;
    MValue **items = NULL;
    for (;;) {
        if (!need(L, 1, "dict entry (or its end '0')")) return NULL;
        if ((*L->p & 0x7F) == '0') { L->p++; break; }
        MValue *key = load_object(L);
        if (!key) return NULL;
        if (!need(L, 1, "dict value")) return NULL;
        if ((*L->p & 0x7F) == '0') { L->p++; break; }
        MValue *val = load_object(L);
        if (!val) return NULL;
        if (2 * len + 2 > cap) {
            size_t nc = cap ? 2 * cap : 16;
            MValue **grown = arena_alloc(L->arena, nc * sizeof *grown);
            if (len) memcpy(grown, items, 2 * len * sizeof *grown);
            items = grown;
            cap = nc;
        }
        items[2 * len] = key;
        items[2 * len + 1] = val;
        len++;
    }
    v->u.seq.items = items;
    v->u.seq.len = len;
    return v;
}

/* ---- objects -------------------------------------------------------------------------- */

static MValue *load_ref(Loader *L, size_t at) {
    int32_t idx;
    if (!load_i32(L, &idx, "reference index")) return NULL;
    if (idx < 0 || (size_t)idx >= L->refs.len)
        return fail(L, at, "reference %ld out of range (%zu objects so far)", (long)idx, L->refs.len);
    MValue *v = L->refs.items[idx];
    if (v->busy) return fail(L, at, "reference %ld to an object still being read", (long)idx);
    return v;
}

/* 1 when the type byte at p is one of `codes` (the reference flag aside) */
static int type_at(const Loader *L, const unsigned char *p, const char *codes) {
    return p < L->end && *p & 0x7F && strchr(codes, *p & 0x7F) != NULL;
}

/* Which layout the code object body at L->p has: 1 for CPython 3.11 and later (5 ints before
 * the bytecode), 0 for 3.8-3.10 (6 ints). Decided by looking ahead, not by trying both, so
 * nested code objects cost linear time: the bytecode is a bytes object ('s'), the constants a
 * tuple or a reference after it. */
static int code_layout(const Loader *L) {
    int score[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        const unsigned char *b = L->p + (k ? 20 : 24);
        if (!type_at(L, b, "s")) continue;
        score[k] = 1;
        if (L->end - b >= 5) {
            uint32_t n = get_u32(b + 1);
            if (n <= (uint32_t)(L->end - b - 5) && type_at(L, b + 5 + n, "()r")) score[k] = 2;
        }
    }
    return score[1] >= score[0];
}

/* A code object: profile.Profile (not cProfile) keys its fake top-level frame by one. It becomes
 * the str pstats would print for it, its repr without the address:
 * <code object NAME, file "FILE", line N>. Fields per CPython's marshal.c w_object. */
static MValue *load_code(Loader *L, MValue *v) {
    int modern = code_layout(L);
    int32_t x;
    for (int i = 0; i < (modern ? 5 : 6); i++)
        if (!load_i32(L, &x, "code object field")) return NULL;
    /* 3.11+: code consts names localsplusnames localspluskinds filename name qualname
     * 3.8-3.10: code consts names varnames freevars cellvars filename name */
    MValue *f[8];
    for (int i = 0; i < 8; i++)
        if (!(f[i] = load_object(L))) return NULL;
    MValue *file = modern ? f[5] : f[6], *name = modern ? f[6] : f[7];
    int32_t line;
    if (!load_i32(L, &line, "code object first line")) return NULL;
    for (int i = 0; i < (modern ? 2 : 1); i++)
        if (!load_object(L)) return NULL;
    if (file->kind != M_STR || name->kind != M_STR)
        return fail(L, v->off, "code object: file name and name must be str, found %s and %s",
                    marshal_kind_name((MKind)file->kind), marshal_kind_name((MKind)name->kind));
    Buf b = {0};
    buf_printf(&b, "<code object %.*s, file \"%.*s\", line %ld>", (int)name->u.str.len, name->u.str.s,
               (int)file->u.str.len, file->u.str.s, (long)line);
    v->kind = M_STR;
    v->u.str.s = arena_strndup(L->arena, b.data, b.len);
    v->u.str.len = b.len;
    buf_free(&b);
    return v;
}

static MValue *load_body(Loader *L, MValue *v, int code) {
    switch (code) {
    case 'N': v->kind = M_NONE; return v;
    case 'T': v->kind = M_TRUE; return v;
    case 'F': v->kind = M_FALSE; return v;
    case '.': v->kind = M_ELLIPSIS; return v;
    case 'S': v->kind = M_STOPITER; return v;
    case 'i': {
        int32_t i;
        if (!load_i32(L, &i, "int")) return NULL;
        v->kind = M_INT;
        v->u.i = i;
        return v;
    }
    case 'l': return load_long(L, v);
    case 'g':
        if (!need(L, 8, "float")) return NULL;
        v->kind = M_FLOAT;
        v->u.f = get_f64(L->p);
        L->p += 8;
        return v;
    case 'f':
        v->kind = M_FLOAT;
        return load_text_float(L, &v->u.f) ? v : NULL;
    case 'y':
        if (!need(L, 16, "complex")) return NULL;
        v->kind = M_COMPLEX;
        v->u.c.re = get_f64(L->p);
        v->u.c.im = get_f64(L->p + 8);
        L->p += 16;
        return v;
    case 'x':
        v->kind = M_COMPLEX;
        return load_text_float(L, &v->u.c.re) && load_text_float(L, &v->u.c.im) ? v : NULL;
    case 'u': case 't': case 'a': case 'A': case 'z': case 'Z': case 's':
        return load_string(L, v, code);
    case '(': case ')': case '[': case '<': case '>': case ':':
        return load_sequence(L, v, code);
    case '{': return load_dict(L, v);
    case 'c': return load_code(L, v);
    case '0': return fail(L, v->off, "NULL object outside a dict");
    case '?': return fail(L, v->off, "unknown object type '?'");
    default:
        if (code >= 0x21 && code < 0x7F) return fail(L, v->off, "unknown object type '%c'", code);
        return fail(L, v->off, "unknown object type 0x%02x", (unsigned)code);
    }
}

/* object: type byte (with the reference flag 0x80) then its body; 'r' is a back-reference. */
static MValue *load_object(Loader *L) {
    size_t at = offset(L);
    if (!need(L, 1, "object type")) return NULL;
    int type = *L->p++, code = type & 0x7F;
    if (code == 'r') return load_ref(L, at);
    if (L->depth >= MARSHAL_MAX_DEPTH) return fail(L, at, "nested deeper than %d levels", MARSHAL_MAX_DEPTH);
    MValue *v = new_value(L, M_NONE, at);
    if (type & MARSHAL_FLAG_REF) {
        if (L->refs.len >= INT32_MAX) return fail(L, at, "too many references");
        vec_push(&L->refs, v);
    }
    v->busy = 1;
    L->depth++;
    MValue *r = load_body(L, v, code);
    L->depth--;
    v->busy = 0;
    return r;
}

MValue *marshal_load(Arena *arena, const unsigned char *data, size_t n, MarshalError *err) {
    Loader L = {data, data, data + n, arena, {0}, 0, err};
    err->offset = 0;
    err->msg[0] = 0;
    MValue *v = n ? load_object(&L) : fail(&L, 0, "empty file");
    vec_free(&L.refs);
    return v;
}

/* ---- writers -------------------------------------------------------------------------- */

static void put_u32(Buf *b, uint32_t u) {
    unsigned char t[4] = {(unsigned char)u, (unsigned char)(u >> 8), (unsigned char)(u >> 16), (unsigned char)(u >> 24)};
    buf_put(b, t, 4);
}

void marshal_w_none(Buf *b) { buf_putc(b, 'N'); }

void marshal_w_int(Buf *b, int64_t v) {
    if (v >= INT32_MIN && v <= INT32_MAX) {
        buf_putc(b, 'i');
        put_u32(b, (uint32_t)(int32_t)v);
        return;
    }
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    unsigned char digits[10];
    int32_t n = 0;
    for (; mag; mag >>= 15, n++) {
        digits[2 * n] = (unsigned char)(mag & 0xFF);
        digits[2 * n + 1] = (unsigned char)((mag >> 8) & 0x7F);
    }
    buf_putc(b, 'l');
    put_u32(b, (uint32_t)(v < 0 ? -n : n));
    buf_put(b, digits, 2 * (size_t)n);
}

void marshal_w_float(Buf *b, double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    unsigned char t[9] = {'g'};
    for (int k = 0; k < 8; k++) t[1 + k] = (unsigned char)(u >> (8 * k));
    buf_put(b, t, 9);
}

void marshal_w_str(Buf *b, const char *s, size_t len, int ref) {
    int ascii = 1;
    for (size_t k = 0; k < len && ascii; k++) ascii = (unsigned char)s[k] < 0x80;
    int flag = ref ? MARSHAL_FLAG_REF : 0;
    if (ascii && len < 256) {
        buf_putc(b, (char)('z' | flag));
        buf_putc(b, (char)len);
    } else {
        buf_putc(b, (char)((ascii ? 'a' : 'u') | flag));
        put_u32(b, (uint32_t)len);
    }
    buf_put(b, s, len);
}

void marshal_w_tuple(Buf *b, size_t n, int ref) {
    int flag = ref ? MARSHAL_FLAG_REF : 0;
    if (n < 256) {
        buf_putc(b, (char)(')' | flag));
        buf_putc(b, (char)n);
    } else {
        buf_putc(b, (char)('(' | flag));
        put_u32(b, (uint32_t)n);
    }
}

void marshal_w_dict_begin(Buf *b, int ref) { buf_putc(b, (char)('{' | (ref ? MARSHAL_FLAG_REF : 0))); }
void marshal_w_dict_end(Buf *b) { buf_putc(b, '0'); }

void marshal_w_ref(Buf *b, uint32_t index) {
    buf_putc(b, 'r');
    put_u32(b, index);
}
