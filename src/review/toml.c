/* toml.c - TOML 1.0 reader: one recursive-descent pass, values in an arena, errors by longjmp
 * (everything allocated lives in the arena, so unwinding leaks nothing). Datetimes are checked
 * for shape and kept as text: pyproject.toml readers here never need their value. */
#include "toml.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TOML_F_DEFINED = 1, TOML_F_IMPLICIT = 2, TOML_F_DOTTED = 4, TOML_F_INLINE = 8, TOML_F_AOT = 16 };
enum { MAX_DEPTH = 100, MAX_KEY_PARTS = 64 };

typedef struct P {
    Arena *a;
    const char *start, *p, *end;
    int depth;
    /* line counting checkpoint: position `lc_at` is on line `lc_line`, which starts at `lc_ls` */
    const char *lc_at, *lc_ls;
    int lc_line;
    TomlError *err;
    jmp_buf jb;
} P;

static void where(P *p, const char *at, int *line, int *col) {
    if (at < p->lc_at) { p->lc_at = p->lc_ls = p->start; p->lc_line = 1; }
    for (const char *q = p->lc_at; q < at; q++)
        if (*q == '\n') { p->lc_line++; p->lc_ls = q + 1; }
    p->lc_at = at;
    *line = p->lc_line;
    *col = (int)(at - p->lc_ls) + 1;
}

static _Noreturn void fail_at(P *p, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static _Noreturn void fail_at(P *p, const char *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    where(p, at, &p->err->line, &p->err->col);
    longjmp(p->jb, 1);
}

static TomlValue *new_value(P *p, TomlKind k, const char *at) {
    TomlValue *v = arena_alloc(p->a, sizeof *v);
    v->kind = k;
    where(p, at, &v->line, &v->col);
    return v;
}

/* ---- tables and arrays --------------------------------------------------------------- */

/* Keys are found by hash from INDEX_FROM keys on, so a table of n keys costs O(n) to build,
 * not O(n^2) (80,000 keys took 11 s). */
enum { INDEX_FROM = 8 };

static uint64_t key_hash(const char *k) {
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *k; k++) h = (h ^ (unsigned char)*k) * 1099511628211u;
    return h;
}

static TomlValue *tab_find(const TomlValue *t, const char *key) {
    if (!t->v.tab.idx) {
        for (size_t i = 0; i < t->v.tab.len; i++)
            if (strcmp(t->v.tab.keys[i], key) == 0) return t->v.tab.vals[i];
        return NULL;
    }
    size_t mask = t->v.tab.idx_cap - 1;
    for (size_t i = key_hash(key) & mask; t->v.tab.idx[i]; i = (i + 1) & mask) {
        uint32_t j = t->v.tab.idx[i] - 1;
        if (strcmp(t->v.tab.keys[j], key) == 0) return t->v.tab.vals[j];
    }
    return NULL;
}

static void index_put(TomlValue *t, size_t j) {
    size_t mask = t->v.tab.idx_cap - 1, i = key_hash(t->v.tab.keys[j]) & mask;
    while (t->v.tab.idx[i]) i = (i + 1) & mask;
    t->v.tab.idx[i] = (uint32_t)j + 1;
}

static void tab_add(P *p, TomlValue *t, const char *key, TomlValue *val) {
    if (t->v.tab.len == t->v.tab.cap) {
        size_t cap = t->v.tab.cap ? t->v.tab.cap * 2 : 8;
        const char **k = arena_alloc(p->a, cap * sizeof *k);
        TomlValue **v = arena_alloc(p->a, cap * sizeof *v);
        if (t->v.tab.len) {
            memcpy(k, t->v.tab.keys, t->v.tab.len * sizeof *k);
            memcpy(v, t->v.tab.vals, t->v.tab.len * sizeof *v);
        }
        t->v.tab.keys = k;
        t->v.tab.vals = v;
        t->v.tab.cap = cap;
    }
    size_t j = t->v.tab.len++;
    t->v.tab.keys[j] = key;
    t->v.tab.vals[j] = val;
    if (t->v.tab.len < INDEX_FROM) return;
    if (t->v.tab.idx && t->v.tab.len * 2 <= t->v.tab.idx_cap) { index_put(t, j); return; }
    /* (re)build at a quarter full */
    size_t cap = 16;
    while (cap < t->v.tab.len * 4) cap *= 2;
    t->v.tab.idx = arena_alloc(p->a, cap * sizeof *t->v.tab.idx);
    memset(t->v.tab.idx, 0, cap * sizeof *t->v.tab.idx);
    t->v.tab.idx_cap = cap;
    for (size_t i = 0; i < t->v.tab.len; i++) index_put(t, i);
}

static void arr_add(P *p, TomlValue *arr, TomlValue *x) {
    if (arr->v.arr.len == arr->v.arr.cap) {
        size_t cap = arr->v.arr.cap ? arr->v.arr.cap * 2 : 8;
        TomlValue **items = arena_alloc(p->a, cap * sizeof *items);
        if (arr->v.arr.len) memcpy(items, arr->v.arr.items, arr->v.arr.len * sizeof *items);
        arr->v.arr.items = items;
        arr->v.arr.cap = cap;
    }
    arr->v.arr.items[arr->v.arr.len++] = x;
}

/* ---- lexical helpers ----------------------------------------------------------------- */

static int is_bare(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_ctrl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

static void skip_ws(P *p) {
    while (p->p < p->end && (*p->p == ' ' || *p->p == '\t')) p->p++;
}

static void skip_comment(P *p) {
    if (p->p < p->end && *p->p == '#') {
        for (p->p++; p->p < p->end && *p->p != '\n'; p->p++) {
            if (*p->p == '\r' && p->p + 1 < p->end && p->p[1] == '\n') continue;
            if (is_ctrl((unsigned char)*p->p)) fail_at(p, p->p, "control character in a comment");
        }
    }
}

/* Consumes a newline (\n or \r\n) if there is one; returns whether it did. */
static int eat_newline(P *p) {
    if (p->p < p->end && *p->p == '\n') { p->p++; return 1; }
    if (p->p + 1 < p->end && p->p[0] == '\r' && p->p[1] == '\n') { p->p += 2; return 1; }
    return 0;
}

/* Skips whitespace, comments and newlines (inside arrays). */
static void skip_ws_nl(P *p) {
    for (;;) {
        skip_ws(p);
        skip_comment(p);
        if (!eat_newline(p)) return;
    }
}

/* After a key/value pair or a header: only whitespace, a comment, then a newline or the end. */
static void end_of_line(P *p) {
    skip_ws(p);
    skip_comment(p);
    if (p->p < p->end && !eat_newline(p)) fail_at(p, p->p, "expected a newline or end of file after a value");
}

/* ---- strings ------------------------------------------------------------------------- */

static void put_utf8(char **o, unsigned long cp) {
    unsigned char *u = (unsigned char *)*o;
    if (cp < 0x80) *u++ = (unsigned char)cp;
    else if (cp < 0x800) { *u++ = (unsigned char)(0xC0 | cp >> 6); *u++ = (unsigned char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        *u++ = (unsigned char)(0xE0 | cp >> 12);
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *u++ = (unsigned char)(0xF0 | cp >> 18);
        *u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = (char *)u;
}

/* Parses a string starting at p->p (at its opening quote); returns its text in the arena.
 * Escapes never grow the text, so the decoded form fits in the raw length. */
static const char *parse_string(P *p, size_t *lenp) {
    const char *open = p->p;
    char q = *p->p;
    int literal = q == '\'';
    int multi = p->end - p->p >= 3 && p->p[1] == q && p->p[2] == q;
    p->p += multi ? 3 : 1;
    if (multi) eat_newline(p); /* a newline right after the opening delimiter is trimmed */
    const char *body = p->p, *body_end = NULL;
    /* pass 1: find the end */
    while (!body_end) {
        if (p->p >= p->end) fail_at(p, open, "unterminated string");
        char c = *p->p;
        if (c == q) {
            if (!multi) { body_end = p->p++; break; }
            size_t run = 0;
            while (p->p + run < p->end && p->p[run] == q) run++;
            if (run >= 3) {
                if (run > 5) fail_at(p, p->p, "too many quotes at the end of a multi-line string");
                body_end = p->p + (run - 3);
                p->p += run;
                break;
            }
            p->p += run;
            continue;
        }
        if (c == '\\' && !literal) {
            if (p->p + 1 >= p->end) fail_at(p, open, "unterminated string");
            p->p += 2;
            continue;
        }
        if (c == '\n' || (c == '\r' && p->p + 1 < p->end && p->p[1] == '\n')) {
            if (!multi) fail_at(p, p->p, "newline in a single-line string");
            p->p += c == '\r' ? 2 : 1;
            continue;
        }
        if (is_ctrl((unsigned char)c)) fail_at(p, p->p, "control character in a string");
        p->p++;
    }
    /* pass 2: decode */
    char *out = arena_alloc(p->a, (size_t)(body_end - body) + 1), *o = out;
    for (const char *s = body; s < body_end;) {
        if (*s != '\\' || literal) { *o++ = *s++; continue; }
        const char *esc = s++;
        char e = *s++;
        switch (e) {
        case 'b': *o++ = '\b'; break;
        case 't': *o++ = '\t'; break;
        case 'n': *o++ = '\n'; break;
        case 'f': *o++ = '\f'; break;
        case 'r': *o++ = '\r'; break;
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case 'u':
        case 'U': {
            int nd = e == 'u' ? 4 : 8;
            unsigned long cp = 0;
            for (int k = 0; k < nd; k++, s++) {
                if (s >= body_end) fail_at(p, esc, "incomplete \\%c escape", e);
                char h = *s;
                int d = is_digit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                      : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                if (d < 0) fail_at(p, esc, "invalid \\%c escape", e);
                cp = cp * 16 + (unsigned long)d;
            }
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                fail_at(p, esc, "escape is not a Unicode scalar value");
            put_utf8(&o, cp);
            break;
        }
        default:
            if (multi && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {
                /* line-ending backslash: trims all whitespace and newlines up to the next text */
                const char *t = s - 1;
                while (t < body_end && (*t == ' ' || *t == '\t')) t++;
                if (t >= body_end || (*t != '\n' && *t != '\r')) fail_at(p, esc, "invalid escape sequence");
                while (t < body_end && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')) t++;
                s = t;
                break;
            }
            fail_at(p, esc, "invalid escape sequence '\\%c'", e);
        }
    }
    *o = 0;
    *lenp = (size_t)(o - out);
    return out;
}

/* ---- keys ---------------------------------------------------------------------------- */

/* key: simple-key *( ws '.' ws simple-key ); fills parts[], returns their number. */
static int parse_key(P *p, const char **parts, const char **starts) {
    int n = 0;
    for (;;) {
        skip_ws(p);
        if (n == MAX_KEY_PARTS) fail_at(p, p->p, "dotted key has too many parts");
        starts[n] = p->p;
        if (p->p < p->end && (*p->p == '"' || *p->p == '\'')) {
            if (p->end - p->p >= 3 && p->p[1] == *p->p && p->p[2] == *p->p)
                fail_at(p, p->p, "multi-line strings cannot be keys");
            size_t len;
            parts[n++] = parse_string(p, &len);
        } else {
            const char *b = p->p;
            while (p->p < p->end && is_bare((unsigned char)*p->p)) p->p++;
            if (p->p == b) {
                if (p->p >= p->end || *p->p == '\n' || *p->p == '\r' || *p->p == '=')
                    fail_at(p, b, "expected a key");
                fail_at(p, b, "invalid character '%c' in a key", *b);
            }
            parts[n++] = arena_strndup(p->a, b, (size_t)(p->p - b));
        }
        skip_ws(p);
        if (p->p < p->end && *p->p == '.') { p->p++; continue; }
        return n;
    }
}

/* ---- values -------------------------------------------------------------------------- */

static TomlValue *parse_value(P *p);

static void insert_keyval(P *p, TomlValue *t, const char **parts, const char **starts, int n, TomlValue *val) {
    for (int i = 0; i < n - 1; i++) {
        TomlValue *x = tab_find(t, parts[i]);
        if (!x) {
            x = new_value(p, TOML_TABLE, starts[i]);
            x->flags = TOML_F_DOTTED;
            tab_add(p, t, parts[i], x);
        } else if (x->kind != TOML_TABLE || (x->flags & (TOML_F_INLINE | TOML_F_DEFINED))) {
            fail_at(p, starts[i], "cannot add to '%s': it is already defined (line %d)", parts[i], x->line);
        }
        t = x;
    }
    TomlValue *old = tab_find(t, parts[n - 1]);
    if (old) fail_at(p, starts[n - 1], "duplicate key '%s' (first defined on line %d)", parts[n - 1], old->line);
    tab_add(p, t, parts[n - 1], val);
}

static TomlValue *parse_array(P *p) {
    const char *open = p->p;
    TomlValue *arr = new_value(p, TOML_ARRAY, p->p);
    arr->flags = TOML_F_INLINE;
    p->p++;
    for (;;) {
        skip_ws_nl(p);
        if (p->p >= p->end) fail_at(p, open, "unterminated array");
        if (*p->p == ']') { p->p++; return arr; }
        arr_add(p, arr, parse_value(p));
        skip_ws_nl(p);
        if (p->p < p->end && *p->p == ',') { p->p++; continue; }
        if (p->p < p->end && *p->p == ']') { p->p++; return arr; }
        if (p->p >= p->end) fail_at(p, open, "unterminated array");
        fail_at(p, p->p, "expected ',' or ']' in an array");
    }
}

static TomlValue *parse_inline_table(P *p) {
    TomlValue *t = new_value(p, TOML_TABLE, p->p);
    p->p++;
    skip_ws(p);
    if (p->p < p->end && *p->p == '}') { p->p++; t->flags = TOML_F_INLINE; return t; }
    for (;;) {
        const char *parts[MAX_KEY_PARTS], *starts[MAX_KEY_PARTS];
        int n = parse_key(p, parts, starts);
        if (p->p >= p->end || *p->p != '=') fail_at(p, p->p, "expected '=' after a key");
        p->p++;
        skip_ws(p);
        TomlValue *v = parse_value(p);
        insert_keyval(p, t, parts, starts, n, v);
        skip_ws(p);
        if (p->p < p->end && *p->p == ',') { p->p++; continue; }
        if (p->p < p->end && *p->p == '}') { p->p++; break; }
        fail_at(p, p->p, "expected ',' or '}' in an inline table");
    }
    /* frozen: neither headers nor dotted keys may extend it or its dotted sub-tables */
    t->flags = TOML_F_INLINE;
    for (size_t i = 0; i < t->v.tab.len; i++)
        if (t->v.tab.vals[i]->kind == TOML_TABLE) t->v.tab.vals[i]->flags |= TOML_F_INLINE;
    return t;
}

static int digits_at(const char *s, const char *e, int n) {
    if (e - s < n) return 0;
    for (int i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i])) return 0;
    return 1;
}

/* the number written by n digits at s (checked by digits_at): data[0..n) has no NUL after it,
 * so no atoi */
static int digits_value(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
    return v;
}

/* time: HH:MM:SS[.frac] ; returns the end or NULL */
static const char *scan_time(const char *s, const char *e) {
    if (!digits_at(s, e, 2) || e - s < 8 || s[2] != ':' || !digits_at(s + 3, e, 2) || s[5] != ':' ||
        !digits_at(s + 6, e, 2))
        return NULL;
    if (digits_value(s, 2) > 23 || digits_value(s + 3, 2) > 59 || digits_value(s + 6, 2) > 60) return NULL;
    s += 8;
    if (s < e && *s == '.') {
        const char *f = ++s;
        while (s < e && is_digit((unsigned char)*s)) s++;
        if (s == f) return NULL;
    }
    return s;
}

/* date-time shapes of TOML 1.0: offset/local date-time, local date, local time */
static int valid_datetime(const char *s, const char *e) {
    if (digits_at(s, e, 4) && e - s >= 10 && s[4] == '-' && digits_at(s + 5, e, 2) && s[7] == '-' &&
        digits_at(s + 8, e, 2)) {
        static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int y = digits_value(s, 4), m = digits_value(s + 5, 2), d = digits_value(s + 8, 2);
        if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return 0;
        if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return 0;
        s += 10;
        if (s == e) return 1;
        if (*s != 'T' && *s != 't' && *s != ' ') return 0;
        if (!(s = scan_time(s + 1, e))) return 0;
        if (s == e) return 1;
        if ((*s == 'Z' || *s == 'z') && s + 1 == e) return 1;
        return (*s == '+' || *s == '-') && e - s == 6 && digits_at(s + 1, e, 2) && s[3] == ':' && digits_at(s + 4, e, 2);
    }
    s = scan_time(s, e);
    return s == e;
}

/* integer or float text (underscores only between digits) */
static TomlValue *parse_number(P *p, const char *b, const char *e) {
    char buf[128];
    size_t n = 0;
    const char *s = b;
    int sign = 0;
    if (*s == '+' || *s == '-') sign = *s++;
    if (e - s == 3 && (memcmp(s, "inf", 3) == 0 || memcmp(s, "nan", 3) == 0)) {
        TomlValue *v = new_value(p, TOML_FLOAT, b);
        v->v.f = s[0] == 'i' ? (sign == '-' ? -INFINITY : INFINITY) : NAN;
        return v;
    }
    int base = 10;
    if (!sign && e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
        base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
        s += 2;
    }
    int is_float = 0;
    char prev = 0;
    if (sign) buf[n++] = (char)sign;
    for (const char *q = s; q < e; q++) {
        char c = *q;
        if (n + 2 >= sizeof buf) fail_at(p, b, "number is too long");
        if (c == '_') {
            int ok_prev = base == 16 ? isxdigit((unsigned char)prev) != 0 : is_digit((unsigned char)prev);
            int nx = q + 1 < e ? (unsigned char)q[1] : 0;
            int ok_next = base == 16 ? isxdigit(nx) != 0 : is_digit(nx);
            if (!ok_prev || !ok_next) fail_at(p, q, "'_' must stand between digits");
            prev = c;
            continue;
        }
        int ok;
        if (base == 16) ok = isxdigit((unsigned char)c) != 0;
        else if (base == 8) ok = c >= '0' && c <= '7';
        else if (base == 2) ok = c == '0' || c == '1';
        else if (c == '.' || c == 'e' || c == 'E') { ok = 1; is_float = 1; }
        else if ((c == '+' || c == '-') && (prev == 'e' || prev == 'E')) ok = 1;
        else ok = is_digit((unsigned char)c);
        if (!ok) fail_at(p, b, "invalid value '%.*s'", (int)(e - b), b);
        buf[n++] = c;
        prev = c;
    }
    buf[n] = 0;
    const char *digits = buf + (sign ? 1 : 0);
    if (!*digits) fail_at(p, b, "invalid value '%.*s'", (int)(e - b), b);
    if (base == 10 && digits[0] == '0' && is_digit((unsigned char)digits[1]))
        fail_at(p, b, "leading zeros are not allowed in '%.*s'", (int)(e - b), b);
    if (is_float) {
        /* TOML: digits on both sides of '.', and an exponent with digits */
        const char *dot = strchr(digits, '.');
        if (dot && (dot == digits || !is_digit((unsigned char)dot[1]) || !is_digit((unsigned char)dot[-1])))
            fail_at(p, b, "invalid float '%.*s'", (int)(e - b), b);
        char *endp;
        errno = 0;
        double d = strtod(buf, &endp);
        if (*endp || (errno == ERANGE && isinf(d))) fail_at(p, b, "invalid float '%.*s'", (int)(e - b), b);
        TomlValue *v = new_value(p, TOML_FLOAT, b);
        v->v.f = d;
        return v;
    }
    char *endp;
    errno = 0;
    long long x = strtoll(buf, &endp, base);
    if (*endp) fail_at(p, b, "invalid integer '%.*s'", (int)(e - b), b);
    if (errno == ERANGE) fail_at(p, b, "integer '%.*s' does not fit in 64 bits", (int)(e - b), b);
    TomlValue *v = new_value(p, TOML_INT, b);
    v->v.i = x;
    return v;
}

static TomlValue *parse_value(P *p) {
    if (p->p >= p->end || *p->p == '\n' || *p->p == '\r' || *p->p == '#') fail_at(p, p->p, "expected a value");
    if (++p->depth > MAX_DEPTH) fail_at(p, p->p, "values nested too deeply");
    TomlValue *v;
    char c = *p->p;
    if (c == '"' || c == '\'') {
        v = new_value(p, TOML_STRING, p->p);
        v->v.str.s = parse_string(p, &v->v.str.len);
    } else if (c == '[') {
        v = parse_array(p);
    } else if (c == '{') {
        v = parse_inline_table(p);
    } else {
        const char *b = p->p;
        while (p->p < p->end && (is_bare((unsigned char)*p->p) || *p->p == '+' || *p->p == '.' || *p->p == ':'))
            p->p++;
        /* "1979-05-27 07:32:00": a space may separate date and time */
        if (p->p - b == 10 && digits_at(b, p->p, 4) && b[4] == '-' && p->end - p->p >= 4 && *p->p == ' ' &&
            digits_at(p->p + 1, p->end, 2) && p->p[3] == ':') {
            p->p++;
            while (p->p < p->end && (is_bare((unsigned char)*p->p) || *p->p == '+' || *p->p == '.' || *p->p == ':'))
                p->p++;
        }
        const char *e = p->p;
        size_t n = (size_t)(e - b);
        if (n == 0) fail_at(p, b, "invalid value starting with '%c'", c);
        if (n == 4 && memcmp(b, "true", 4) == 0) {
            v = new_value(p, TOML_BOOL, b);
            v->v.b = 1;
        } else if (n == 5 && memcmp(b, "false", 5) == 0) {
            v = new_value(p, TOML_BOOL, b);
        } else if (memchr(b, ':', n) || (n >= 10 && digits_at(b, e, 4) && b[4] == '-')) {
            if (!valid_datetime(b, e)) fail_at(p, b, "invalid date or time '%.*s'", (int)n, b);
            v = new_value(p, TOML_DATETIME, b);
            v->v.str.s = arena_strndup(p->a, b, n);
            v->v.str.len = n;
        } else {
            v = parse_number(p, b, e);
        }
    }
    p->depth--;
    return v;
}

/* The first byte of data[0..n) that does not begin a well-formed UTF-8 sequence (overlong
 * forms, surrogates and code points above U+10FFFF are not), or NULL. */
static const char *utf8_invalid(const char *data, size_t n) {
    const unsigned char *s = (const unsigned char *)data, *e = s + n;
    while (s < e) {
        unsigned c = *s;
        if (c < 0x80) { s++; continue; }
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) k = 1;
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        else return (const char *)s;
        if ((size_t)(e - s) <= k || s[1] < lo || s[1] > hi) return (const char *)s;
        for (size_t i = 2; i <= k; i++)
            if (s[i] < 0x80 || s[i] > 0xBF) return (const char *)s;
        s += k + 1;
    }
    return NULL;
}

/* ---- document ------------------------------------------------------------------------ */

/* [a.b.c] or [[a.b.c]] at p->p; returns the table that following key/values go into. */
static TomlValue *parse_header(P *p, TomlValue *root) {
    const char *hdr = p->p;
    int aot = p->end - p->p >= 2 && p->p[1] == '[';
    p->p += aot ? 2 : 1;
    const char *parts[MAX_KEY_PARTS], *starts[MAX_KEY_PARTS];
    int n = parse_key(p, parts, starts);
    if (aot ? !(p->end - p->p >= 2 && p->p[0] == ']' && p->p[1] == ']') : !(p->p < p->end && *p->p == ']'))
        fail_at(p, p->p, "expected '%s' at the end of a table header", aot ? "]]" : "]");
    p->p += aot ? 2 : 1;
    TomlValue *t = root;
    for (int i = 0; i < n - 1; i++) {
        TomlValue *x = tab_find(t, parts[i]);
        if (!x) {
            x = new_value(p, TOML_TABLE, starts[i]);
            x->flags = TOML_F_IMPLICIT;
            tab_add(p, t, parts[i], x);
        } else if (x->kind == TOML_ARRAY && (x->flags & TOML_F_AOT)) {
            x = x->v.arr.items[x->v.arr.len - 1];
        } else if (x->kind != TOML_TABLE || (x->flags & TOML_F_INLINE)) {
            fail_at(p, starts[i], "'%s' is already defined as a value (line %d)", parts[i], x->line);
        }
        t = x;
    }
    const char *last = parts[n - 1];
    TomlValue *x = tab_find(t, last);
    if (aot) {
        if (!x) {
            x = new_value(p, TOML_ARRAY, hdr);
            x->flags = TOML_F_AOT;
            tab_add(p, t, last, x);
        } else if (x->kind != TOML_ARRAY || !(x->flags & TOML_F_AOT)) {
            fail_at(p, hdr, "'%s' is already defined (line %d) and is not an array of tables", last, x->line);
        }
        TomlValue *nt = new_value(p, TOML_TABLE, hdr);
        nt->flags = TOML_F_DEFINED;
        arr_add(p, x, nt);
        return nt;
    }
    if (!x) {
        x = new_value(p, TOML_TABLE, hdr);
        tab_add(p, t, last, x);
    } else if (x->kind != TOML_TABLE || (x->flags & (TOML_F_DEFINED | TOML_F_INLINE | TOML_F_DOTTED))) {
        fail_at(p, hdr, "table '%s' is already defined (line %d)", last, x->line);
    }
    x->flags = TOML_F_DEFINED;
    x->line = 0;
    where(p, hdr, &x->line, &x->col);
    return x;
}

TomlValue *toml_parse(Arena *a, const char *data, size_t n, TomlError *err) {
    P p = {0};
    p.a = a;
    p.start = p.p = p.lc_at = p.lc_ls = data;
    p.end = data + n;
    p.lc_line = 1;
    p.err = err;
    if (setjmp(p.jb)) return NULL;
    /* as tomllib, which reads pyproject.toml for pip and build: the bytes must be UTF-8, and a
     * byte order mark is a character no statement starts with */
    if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        fail_at(&p, p.p, "a byte order mark (BOM) is not allowed; save the file as UTF-8 without one");
    const char *bad = utf8_invalid(data, n);
    if (bad) fail_at(&p, bad, "invalid UTF-8 (byte 0x%02X)", (unsigned char)*bad);
    TomlValue *root = new_value(&p, TOML_TABLE, p.p);
    root->flags = TOML_F_DEFINED;
    TomlValue *cur = root;
    while (p.p < p.end) {
        skip_ws(&p);
        skip_comment(&p);
        if (eat_newline(&p)) continue;
        if (p.p >= p.end) break;
        if (*p.p == '[') {
            cur = parse_header(&p, root);
        } else {
            const char *parts[MAX_KEY_PARTS], *starts[MAX_KEY_PARTS];
            int k = parse_key(&p, parts, starts);
            if (p.p >= p.end || *p.p != '=') fail_at(&p, p.p, "expected '=' after a key");
            p.p++;
            skip_ws(&p);
            TomlValue *v = parse_value(&p);
            insert_keyval(&p, cur, parts, starts, k, v);
        }
        end_of_line(&p);
    }
    return root;
}

const TomlValue *toml_get(const TomlValue *t, const char *key) {
    if (!t || t->kind != TOML_TABLE) return NULL;
    return tab_find(t, key);
}

const TomlValue *toml_get_path(const TomlValue *t, const char *dotted) {
    char part[256];
    while (t && *dotted) {
        const char *dot = strchr(dotted, '.');
        size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
        if (n >= sizeof part) return NULL;
        memcpy(part, dotted, n);
        part[n] = 0;
        t = toml_get(t, part);
        dotted += n + (dot ? 1 : 0);
    }
    return t;
}

const char *toml_kind_name(TomlKind k) {
    static const char *const names[] = {"string", "integer", "float", "boolean", "date-time", "array", "table"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "value";
}
