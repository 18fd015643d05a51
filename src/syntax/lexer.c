/* lexer.c - Python tokenizer following CPython's Parser/tokenizer.c: indentation with tabs and
 * form feeds, implicit line joining in brackets, backslash continuations, string prefixes, and
 * PEP 701 f-strings/t-strings as FSTRING_START / FSTRING_MIDDLE / FSTRING_END with the replacement
 * fields tokenised as ordinary code. One pass over the bytes; no allocation but the token array. */
#include "lexer.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "unicode.h"

const char *const tok_spelling[T__COUNT] = {
#define X(name, spelling) spelling,
    TOKEN_OPS(X) TOKEN_KEYWORDS(X) TOKEN_OTHER(X)
#undef X
};

enum { MAX_INDENT = 100, MAX_PAREN = 200, MAX_FRAMES = 200 };

/* f-string nesting: a string frame is the literal text of an f-string, a field frame is the
 * expression of a replacement field (tokenised as code), a spec frame is a format spec. */
typedef enum { FR_STRING, FR_FIELD, FR_SPEC } FrameKind;
typedef struct Frame {
    FrameKind kind;
    char quote;
    uint8_t triple, raw, tstring;
    int depth;        /* FR_FIELD: bracket depth once its '{' is pushed */
    size_t start;     /* FR_STRING: offset of the FSTRING_START token */
} Frame;

typedef struct Lexer {
    const char *s;
    size_t n, pos;
    int line;
    size_t line_start;
    int pyminor;
    TokenArray *toks;
    LexError *err;
    int failed;
    int at_bol;        /* at the beginning of a logical line: indentation to measure */
    int line_has_tok;  /* a token was emitted on the current logical line */
    int ind[MAX_INDENT + 1], altind[MAX_INDENT + 1], nind;
    int pending_dedents;
    char br[MAX_PAREN];
    size_t br_off[MAX_PAREN];
    int br_line[MAX_PAREN];
    int nbr;
    size_t tok_start; /* start of the number being lexed, where its errors point */
    Frame fr[MAX_FRAMES];
    int nfr;
} Lexer;

void lex_line_col(const char *text, size_t n, size_t off, int *line, int *col) {
    int l = 1;
    size_t ls = 0;
    if (off > n) off = n;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') { l++; ls = i + 1; }
    *line = l;
    *col = (int)(off - ls);
}

static void lex_error(Lexer *L, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void lex_error(Lexer *L, size_t off, const char *fmt, ...) {
    if (L->failed) return;
    L->failed = 1;
    L->err->offset = off;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->err->msg, sizeof L->err->msg, fmt, ap);
    va_end(ap);
    static const char *const quiet[] = {"unindent does not match", "inconsistent use of tabs", "too many levels of",
                                        "unexpected EOF", "' was never closed"};
    L->err->overrides = 1;
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        if (strstr(L->err->msg, quiet[i])) L->err->overrides = 0;
}

static inline int cur(Lexer *L) { return L->pos < L->n ? (unsigned char)L->s[L->pos] : -1; }
static inline int peek(Lexer *L, size_t k) {
    return L->pos + k < L->n ? (unsigned char)L->s[L->pos + k] : -1;
}
/* Returns the offset of the next '\n' at or after pos, or n. */
static inline size_t skip_line(const char *s, size_t pos, size_t n) {
    const char *nl = pos < n ? memchr(s + pos, '\n', n - pos) : NULL;
    return nl ? (size_t)(nl - s) : n;
}

static inline void newline_at(Lexer *L, size_t nl) { L->line++; L->line_start = nl + 1; }

/* The line CPython names in "(detected at line N)" at end of input: a final newline does not
 * start another line. */
static int eof_line(Lexer *L) { return (L->n > 0 && L->s[L->n - 1] == '\n') ? L->line - 1 : L->line; }

/* Appends a token spanning [start, L->pos); start must be on line `line` at `line_start`. */
static Token *emit_at(Lexer *L, TokType t, size_t start, int line, size_t line_start) {
    Token tk;
    tk.type = (uint8_t)t;
    tk.flags = 0;
    tk.level = (uint8_t)(L->nbr > 255 ? 255 : L->nbr);
    tk.start = (uint32_t)start;
    tk.end = (uint32_t)L->pos;
    tk.line = line;
    tk.col = (int32_t)(start - line_start);
    tk.end_line = L->line;
    tk.end_col = (int32_t)(L->pos - L->line_start);
    vec_push(L->toks, tk);
    if (t != T_NEWLINE && t != T_INDENT && t != T_DEDENT) L->line_has_tok = 1;
    return &L->toks->items[L->toks->len - 1];
}
static Token *emit(Lexer *L, TokType t, size_t start) { return emit_at(L, t, start, L->line, L->line_start); }

/* Byte classes: 1 = may start an identifier (letters, '_', any non-ASCII byte), 2 = digit. */
static const unsigned char byte_class[256] = {
    ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
    ['_'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
    ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
#define B16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
    [128] = B16, B16, B16, B16, B16, B16, B16, B16,
#undef B16
};
static inline int is_id_start(int c) { return c >= 0 && byte_class[c] == 1; }
static inline int is_id_char(int c) { return c >= 0 && byte_class[c] != 0; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Keywords: a switch on the first letter, then the few keywords that start with it. */
static TokType keyword_type(const char *s, size_t n) {
#define KW(spelling, tok) if (n == sizeof(spelling) - 1 && memcmp(s + 1, spelling + 1, n - 1) == 0) return tok
    if (n < 2 || n > 8) return T_NAME;
    switch (s[0]) {
    case 'F':
        KW("False", T_KW_FALSE);
        break;
    case 'N':
        KW("None", T_KW_NONE);
        break;
    case 'T':
        KW("True", T_KW_TRUE);
        break;
    case 'a':
        KW("and", T_KW_AND);
        KW("as", T_KW_AS);
        KW("assert", T_KW_ASSERT);
        KW("async", T_KW_ASYNC);
        KW("await", T_KW_AWAIT);
        break;
    case 'b':
        KW("break", T_KW_BREAK);
        break;
    case 'c':
        KW("class", T_KW_CLASS);
        KW("continue", T_KW_CONTINUE);
        break;
    case 'd':
        KW("def", T_KW_DEF);
        KW("del", T_KW_DEL);
        break;
    case 'e':
        KW("elif", T_KW_ELIF);
        KW("else", T_KW_ELSE);
        KW("except", T_KW_EXCEPT);
        break;
    case 'f':
        KW("finally", T_KW_FINALLY);
        KW("for", T_KW_FOR);
        KW("from", T_KW_FROM);
        break;
    case 'g':
        KW("global", T_KW_GLOBAL);
        break;
    case 'i':
        KW("if", T_KW_IF);
        KW("import", T_KW_IMPORT);
        KW("in", T_KW_IN);
        KW("is", T_KW_IS);
        break;
    case 'l':
        KW("lambda", T_KW_LAMBDA);
        break;
    case 'n':
        KW("nonlocal", T_KW_NONLOCAL);
        KW("not", T_KW_NOT);
        break;
    case 'o':
        KW("or", T_KW_OR);
        break;
    case 'p':
        KW("pass", T_KW_PASS);
        break;
    case 'r':
        KW("raise", T_KW_RAISE);
        KW("return", T_KW_RETURN);
        break;
    case 't':
        KW("try", T_KW_TRY);
        break;
    case 'w':
        KW("while", T_KW_WHILE);
        KW("with", T_KW_WITH);
        break;
    case 'y':
        KW("yield", T_KW_YIELD);
        break;
    default: break;
    }
#undef KW
    return T_NAME;
}

/* Decodes one UTF-8 sequence at s (valid UTF-8 is guaranteed by source decoding). */
static uint32_t utf8_at(const char *s, size_t n, size_t *len) {
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80 || n < 2) { *len = 1; return u[0]; }
    if (u[0] < 0xE0) { *len = 2; return ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu); }
    if (u[0] < 0xF0 || n < 4) {
        if (n < 3) { *len = n; return 0xFFFD; }
        *len = 3;
        return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    }
    *len = 4;
    return ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
}

/* Identifiers: ASCII fast path; non-ASCII ones are checked against PEP 3131 like CPython's
 * verify_identifier, which reports the first character that is not allowed. */
static void lex_name(Lexer *L, size_t start) {
    int ascii = 1;
    const unsigned char *u = (const unsigned char *)L->s;
    size_t pos = L->pos, n = L->n;
    while (pos < n && byte_class[u[pos]]) {
        if (u[pos] >= 128) ascii = 0;
        pos++;
    }
    L->pos = pos;
    if (!ascii) {
        size_t i = start;
        int first = 1;
        while (i < L->pos) {
            size_t len;
            uint32_t cp = utf8_at(L->s + i, L->pos - i, &len);
            int ok = first ? uni_is_xid_start(cp) : uni_is_xid_continue(cp);
            if (!ok && !(first == 0 && uni_is_xid_start(cp))) {
                char ch[5] = {0};
                memcpy(ch, L->s + i, len < 5 ? len : 4);
                lex_error(L, i, "invalid character '%s' (U+%04X)", ch, (unsigned)cp);
                return;
            }
            first = 0;
            i += len;
        }
    }
    TokType t = keyword_type(L->s + start, L->pos - start);
    emit(L, t, start);
}

/* ---- numbers ---- */

static int after_number_ok(Lexer *L, const char *kind) {
    /* verify_end_of_number: a letter right after a number is an error, except the keywords
     * that CPython still accepts there with a warning ("1if x else y"). */
    int c = cur(L);
    if (c < 0 || !is_id_char(c)) return 1;
    static const char *const kws[] = {"and", "else", "for", "if", "in", "is", "not", "or"};
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++) {
        size_t k = strlen(kws[i]);
        if (L->pos + k <= L->n && memcmp(L->s + L->pos, kws[i], k) == 0) return 1;
    }
    lex_error(L, L->tok_start, "invalid %s literal", kind);
    return 0;
}

/* Consumes digits accepted by `ok` with single underscores between them; returns the count of
 * digits, or -1 after an error about a misplaced underscore. */
static int digits(Lexer *L, int (*ok)(int), const char *kind) {
    int count = 0;
    for (;;) {
        while (ok(cur(L))) { L->pos++; count++; }
        if (cur(L) != '_') break;
        L->pos++;
        if (!ok(cur(L))) {
            lex_error(L, L->tok_start, "invalid %s literal", kind);
            return -1;
        }
    }
    return count;
}
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_oct(int c) { return c >= '0' && c <= '7'; }
static int is_bin(int c) { return c == '0' || c == '1'; }

static int lex_exponent_and_imag(Lexer *L) {
    int c = cur(L);
    if (c == 'e' || c == 'E') {
        size_t save = L->pos;
        L->pos++;
        c = cur(L);
        if (c == '+' || c == '-') {
            L->pos++;
            if (!is_digit(cur(L))) { lex_error(L, L->tok_start, "invalid decimal literal"); return 0; }
        } else if (!is_digit(c)) {
            L->pos = save; /* "1else": the number ends before the 'e' */
            return after_number_ok(L, "decimal");
        }
        if (digits(L, is_digit, "decimal") < 0) return 0;
    }
    c = cur(L);
    if (c == 'j' || c == 'J') {
        L->pos++;
        return after_number_ok(L, "imaginary");
    }
    return after_number_ok(L, "decimal");
}

static void lex_number(Lexer *L, size_t start) {
    L->tok_start = start;
    int c = cur(L);
    if (c == '.') { /* .5 */
        L->pos++;
        if (digits(L, is_digit, "decimal") < 0) return;
        if (!lex_exponent_and_imag(L)) return;
        emit(L, T_NUMBER, start);
        return;
    }
    if (c == '0') {
        int x = peek(L, 1);
        if (x == 'x' || x == 'X' || x == 'o' || x == 'O' || x == 'b' || x == 'B') {
            L->pos += 2;
            int (*ok)(int) = (x == 'x' || x == 'X') ? is_hex : (x == 'o' || x == 'O') ? is_oct : is_bin;
            const char *kind = ok == is_hex ? "hexadecimal" : ok == is_oct ? "octal" : "binary";
            if (cur(L) == '_') L->pos++;
            if (!ok(cur(L))) {
                if (ok != is_hex && is_digit(cur(L)))
                    lex_error(L, L->pos, "invalid digit '%c' in %s literal", cur(L), kind);
                else
                    lex_error(L, L->pos - 1, "invalid %s literal", kind);
                return;
            }
            if (digits(L, ok, kind) < 0) return;
            if (ok != is_hex && is_digit(cur(L))) {
                lex_error(L, L->pos, "invalid digit '%c' in %s literal", cur(L), kind);
                return;
            }
            if (!after_number_ok(L, kind)) return;
            emit(L, T_NUMBER, start);
            return;
        }
        /* zeros, then maybe more digits: only a float or imaginary may have leading zeros */
        int nonzero = 0;
        L->pos++;
        for (;;) {
            while (cur(L) == '0') L->pos++;
            if (cur(L) == '_') {
                L->pos++;
                if (!is_digit(cur(L))) { lex_error(L, L->tok_start, "invalid decimal literal"); return; }
                continue;
            }
            if (is_digit(cur(L))) {
                nonzero = 1;
                size_t zs = L->pos;
                (void)zs;
                if (digits(L, is_digit, "decimal") < 0) return;
                continue;
            }
            break;
        }
        c = cur(L);
        if (c == '.') {
            L->pos++;
            if (is_digit(cur(L)) && digits(L, is_digit, "decimal") < 0) return;
            if (!lex_exponent_and_imag(L)) return;
        } else if (c == 'e' || c == 'E' || c == 'j' || c == 'J') {
            if (!lex_exponent_and_imag(L)) return;
        } else if (nonzero) {
            lex_error(L, start,
                      "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
            return;
        } else if (!after_number_ok(L, "decimal")) {
            return;
        }
        emit(L, T_NUMBER, start);
        return;
    }
    if (digits(L, is_digit, "decimal") < 0) return;
    c = cur(L);
    if (c == '.') {
        L->pos++;
        if (is_digit(cur(L)) && digits(L, is_digit, "decimal") < 0) return;
    }
    if (!lex_exponent_and_imag(L)) return;
    emit(L, T_NUMBER, start);
}

/* ---- strings ---- */

/* Recognises a string prefix at start (letters up to a quote). Returns 1 and sets flags. */
static int string_prefix(Lexer *L, size_t start, size_t *qpos, unsigned *flags, int *is_f) {
    size_t i = start;
    int r = 0, b = 0, u = 0, f = 0, t = 0;
    while (i < L->n && i - start < 3) {
        char c = L->s[i];
        if (c == 'r' || c == 'R') r++;
        else if (c == 'b' || c == 'B') b++;
        else if (c == 'u' || c == 'U') u++;
        else if (c == 'f' || c == 'F') f++;
        else if (c == 't' || c == 'T') t++;
        else break;
        i++;
    }
    if (i == start || i >= L->n || (L->s[i] != '\'' && L->s[i] != '"')) return 0;
    if (r > 1 || b > 1 || u > 1 || f > 1 || t > 1) return 0;
    if (u && (r || b || f || t)) return 0;
    if ((b != 0) + (f != 0) + (t != 0) > 1) return 0;
    if (t && L->pyminor < 14) return 0;
    *qpos = i;
    *flags = (r ? TF_RAW : 0) | (b ? TF_BYTES : 0) | (u ? TF_UPREFIX : 0) | (t ? TF_TSTRING : 0);
    *is_f = f || t;
    return 1;
}

static void lex_plain_string(Lexer *L, size_t start, size_t qpos, unsigned flags) {
    int sline = L->line;
    size_t sls = L->line_start;
    char q = L->s[qpos];
    int triple = qpos + 2 < L->n && L->s[qpos + 1] == q && L->s[qpos + 2] == q;
    L->pos = qpos + (triple ? 3 : 1);
    for (;;) {
        if (L->pos >= L->n) {
            lex_error(L, start, triple ? "unterminated triple-quoted string literal (detected at line %d)"
                                       : "unterminated string literal (detected at line %d)",
                      eof_line(L));
            return;
        }
        char c = L->s[L->pos];
        if (c == '\\') {
            if (L->pos + 1 < L->n && L->s[L->pos + 1] == '\n') newline_at(L, L->pos + 1);
            L->pos += 2;
            if (L->pos > L->n) L->pos = L->n;
            continue;
        }
        if (c == '\n') {
            if (!triple) {
                lex_error(L, start, "unterminated string literal (detected at line %d)", L->line);
                return;
            }
            newline_at(L, L->pos);
            L->pos++;
            continue;
        }
        L->pos++;
        if (c == q) {
            if (!triple) break;
            if (L->pos + 1 < L->n && L->s[L->pos] == q && L->s[L->pos + 1] == q) {
                L->pos += 2;
                break;
            }
        }
    }
    Token *t = emit_at(L, T_STRING, start, sline, sls);
    t->flags = (uint8_t)(flags | (triple ? TF_TRIPLE : 0));
}

static Frame *top_frame(Lexer *L) { return L->nfr ? &L->fr[L->nfr - 1] : NULL; }

static Frame *owner_string(Lexer *L) {
    for (int i = L->nfr - 1; i >= 0; i--)
        if (L->fr[i].kind == FR_STRING) return &L->fr[i];
    return NULL;
}

/* Before 3.12 a replacement field could not hold the quote of an f-string around it: the
 * tokenizer ended that string there. A string (plain or prefixed, f'' included) whose quote is
 * at qpos inside a field (fr) is an error if the quote would end an enclosing f-string:
 * "expecting '}'" for the innermost, "unterminated string" for one further out (whose field
 * text then holds an unclosed quote). Returns 1 after reporting it. */
static int pre312_quote_ends(Lexer *L, const Frame *fr, size_t qpos) {
    if (L->pyminor >= 12 || !fr || fr->kind != FR_FIELD) return 0;
    char c = L->s[qpos];
    int innermost = 1;
    for (int i = L->nfr - 1; i >= 0; i--) {
        const Frame *f = &L->fr[i];
        if (f->kind != FR_STRING) continue;
        if (c == f->quote && (!f->triple || (qpos + 2 < L->n && L->s[qpos + 1] == c && L->s[qpos + 2] == c))) {
            if (!innermost) lex_error(L, qpos + 1, "f-string: unterminated string");
            else if (L->nbr > fr->depth) lex_error(L, qpos + 1, "f-string: unmatched '%c'", L->br[L->nbr - 1]);
            else lex_error(L, qpos + 1, "f-string: expecting '}'");
            return 1;
        }
        innermost = 0;
    }
    return 0;
}

static int push_bracket(Lexer *L, char c, size_t off) {
    if (L->nbr >= MAX_PAREN) {
        lex_error(L, off, "too many nested parentheses");
        return 0;
    }
    L->br[L->nbr] = c;
    L->br_off[L->nbr] = off;
    L->br_line[L->nbr] = L->line;
    L->nbr++;
    return 1;
}

static void lex_fstring_start(Lexer *L, size_t start, size_t qpos, unsigned flags) {
    char q = L->s[qpos];
    int triple = qpos + 2 < L->n && L->s[qpos + 1] == q && L->s[qpos + 2] == q;
    if (L->nfr + 2 >= MAX_FRAMES) {
        lex_error(L, start, "too many nested f-strings");
        return;
    }
    L->pos = qpos + (triple ? 3 : 1);
    Token *t = emit(L, T_FSTRING_START, start);
    t->flags = (uint8_t)(flags | (triple ? TF_TRIPLE : 0));
    Frame *f = &L->fr[L->nfr++];
    memset(f, 0, sizeof *f);
    f->kind = FR_STRING;
    f->quote = q;
    f->triple = (uint8_t)triple;
    f->raw = (flags & TF_RAW) != 0;
    f->tstring = (flags & TF_TSTRING) != 0;
    f->start = start;
}

/* Scans literal text of an f-string (FR_STRING) or of a format spec (FR_SPEC) up to the next
 * replacement field, the end of the spec, or the closing quote. */
static void lex_fstring_text(Lexer *L) {
    Frame *fr = top_frame(L);
    Frame *own = owner_string(L);
    size_t start = L->pos;
    int sline = L->line;
    size_t sls = L->line_start;
    const char *what = L->pyminor < 12 ? "string" : own->tstring ? "t-string" : "f-string";
#define EMIT_MIDDLE()                                                        \
    do {                                                                     \
        if (L->pos > start) emit_at(L, T_FSTRING_MIDDLE, start, sline, sls); \
    } while (0)
    for (;;) {
        if (L->pos >= L->n) {
            lex_error(L, own->start,
                      own->triple ? "unterminated triple-quoted %s literal (detected at line %d)"
                                  : "unterminated %s literal (detected at line %d)",
                      what, eof_line(L));
            return;
        }
        char c = L->s[L->pos];
        if (c == own->quote &&
            (!own->triple || (L->pos + 2 < L->n && L->s[L->pos + 1] == c && L->s[L->pos + 2] == c))) {
            if (fr->kind == FR_SPEC) {
                lex_error(L, L->pos, "%s: expecting '}'", what);
                return;
            }
            EMIT_MIDDLE();
            size_t e = L->pos;
            L->pos += own->triple ? 3 : 1;
            Token *t = emit(L, T_FSTRING_END, e);
            t->flags = own->tstring ? TF_TSTRING : 0;
            L->nfr--;
            return;
        }
        if (c == '\n') {
            if (!own->triple) {
                if (fr->kind == FR_SPEC) {
                    lex_error(L, L->pos, "%s: newlines are not allowed in format specifiers for single quoted %ss", what, what);
                    return;
                }
                lex_error(L, own->start, "unterminated %s literal (detected at line %d)", what, L->line);
                return;
            }
            newline_at(L, L->pos);
            L->pos++;
            continue;
        }
        if (c == '\\') {
            int d = peek(L, 1);
            if (!own->raw && d == 'N' && peek(L, 2) == '{') {
                /* \N{NAME}: the braces belong to the escape */
                size_t p = L->pos + 3;
                while (p < L->n && L->s[p] != '}' && L->s[p] != own->quote && L->s[p] != '\n') p++;
                if (p < L->n && L->s[p] == '}') { L->pos = p + 1; continue; }
                L->pos += 2;
                continue;
            }
            if (d == '{' || d == '}' || d < 0) { L->pos++; continue; }
            if (d == '\n') newline_at(L, L->pos + 1);
            L->pos += 2;
            continue;
        }
        if (c == '{') {
            if (fr->kind == FR_STRING && peek(L, 1) == '{') { L->pos += 2; continue; }
            EMIT_MIDDLE();
            size_t b = L->pos;
            if (!push_bracket(L, '{', b)) return;
            L->pos++;
            emit(L, T_LBRACE, b);
            if (L->nfr >= MAX_FRAMES) { lex_error(L, b, "too many nested f-strings"); return; }
            Frame *nf = &L->fr[L->nfr++];
            memset(nf, 0, sizeof *nf);
            nf->kind = FR_FIELD;
            nf->depth = L->nbr;
            return;
        }
        if (c == '}') {
            if (fr->kind == FR_STRING) {
                if (peek(L, 1) == '}') { L->pos += 2; continue; }
                lex_error(L, L->pos, "%s: single '}' is not allowed", what);
                return;
            }
            EMIT_MIDDLE(); /* end of the spec: the field frame takes the '}' */
            L->nfr--;
            return;
        }
        L->pos++;
    }
#undef EMIT_MIDDLE
}

/* ---- operators ---- */

static TokType lex_op(Lexer *L) {
    int c = cur(L), d = peek(L, 1), e = peek(L, 2);
    switch (c) {
    case '(': return T_LPAR;
    case ')': return T_RPAR;
    case '[': return T_LSQB;
    case ']': return T_RSQB;
    case ',': return T_COMMA;
    case ';': return T_SEMI;
    case '~': return T_TILDE;
    case '{': return T_LBRACE;
    case '}': return T_RBRACE;
    case ':': return d == '=' ? T_COLONEQUAL : T_COLON;
    case '+': return d == '=' ? T_PLUSEQUAL : T_PLUS;
    case '-': return d == '=' ? T_MINEQUAL : d == '>' ? T_RARROW : T_MINUS;
    case '*': return d == '*' ? (e == '=' ? T_DOUBLESTAREQUAL : T_DOUBLESTAR) : d == '=' ? T_STAREQUAL : T_STAR;
    case '/': return d == '/' ? (e == '=' ? T_DOUBLESLASHEQUAL : T_DOUBLESLASH) : d == '=' ? T_SLASHEQUAL : T_SLASH;
    case '|': return d == '=' ? T_VBAREQUAL : T_VBAR;
    case '&': return d == '=' ? T_AMPEREQUAL : T_AMPER;
    case '<': return d == '<' ? (e == '=' ? T_LEFTSHIFTEQUAL : T_LEFTSHIFT) : d == '=' ? T_LESSEQUAL : d == '>' ? T_NOTEQUAL : T_LESS;
    case '>': return d == '>' ? (e == '=' ? T_RIGHTSHIFTEQUAL : T_RIGHTSHIFT) : d == '=' ? T_GREATEREQUAL : T_GREATER;
    case '=': return d == '=' ? T_EQEQUAL : T_EQUAL;
    case '.': return d == '.' && e == '.' ? T_ELLIPSIS : T_DOT;
    case '%': return d == '=' ? T_PERCENTEQUAL : T_PERCENT;
    case '^': return d == '=' ? T_CIRCUMFLEXEQUAL : T_CIRCUMFLEX;
    case '@': return d == '=' ? T_ATEQUAL : T_AT;
    case '!': return d == '=' ? T_NOTEQUAL : T_EXCLAMATION;
    default: return T_ERRORTOKEN;
    }
}

static size_t op_len(TokType t) {
    static const unsigned char len[] = {
#define X(name, spelling) sizeof(spelling) - 1,
        TOKEN_OPS(X)
#undef X
    };
    return len[t];
}

/* ---- indentation ---- */

/* At the start of a logical line outside brackets: measures indentation and emits INDENT or
 * DEDENTs. Returns 0 when the line is blank or a comment (no tokens, no indentation change). */
static int lex_indentation(Lexer *L) {
    int col = 0, altcol = 0, cont_col = 0;
    for (;;) {
        int c = cur(L);
        if (c == ' ') { col++; altcol++; }
        else if (c == '\t') { col = (col / 8 + 1) * 8; altcol = altcol + 1; }
        else if (c == '\f') { col = altcol = 0; }
        else if (c == '\\' && peek(L, 1) == '\n') {
            /* indentation is not split by a backslash: the first one (if not at column 0)
             * fixes the level, as in CPython */
            if (!cont_col) cont_col = col;
            newline_at(L, L->pos + 1);
            L->pos += 2;
            if (L->pos >= L->n) {
                lex_error(L, L->pos - 1, "unexpected EOF while parsing");
                return -1;
            }
            continue;
        }
        else break;
        L->pos++;
    }
    if (cont_col) col = altcol = cont_col;
    int c = cur(L);
    if (c == '#' || c == '\n' || c < 0) return 0;
    int top = L->ind[L->nind], alttop = L->altind[L->nind];
    if (col == top) {
        if (altcol != alttop) { lex_error(L, L->line_start, "inconsistent use of tabs and spaces in indentation"); return -1; }
    } else if (col > top) {
        if (L->nind + 1 >= MAX_INDENT) { lex_error(L, L->line_start, "too many levels of indentation"); return -1; }
        if (altcol <= alttop) { lex_error(L, L->line_start, "inconsistent use of tabs and spaces in indentation"); return -1; }
        L->nind++;
        L->ind[L->nind] = col;
        L->altind[L->nind] = altcol;
        /* CPython reports "unexpected indent" one column before the line's first token */
        emit(L, T_INDENT, L->pos > L->line_start ? L->pos - 1 : L->pos);
    } else {
        /* find the level first: CPython reports a mismatch before any DEDENT */
        int k = L->nind;
        while (k > 0 && col < L->ind[k]) k--;
        if (col == L->ind[k]) {
            while (L->nind > k) {
                L->nind--;
                emit(L, T_DEDENT, L->pos);
            }
        }
        if (col != L->ind[L->nind]) {
            /* CPython has read the whole line by then: the error points at its end */
            size_t e = L->pos;
            while (e < L->n && L->s[e] != '\n') e++;
            lex_error(L, e, "unindent does not match any outer indentation level");
            return -1;
        }
        if (altcol != L->altind[L->nind]) {
            lex_error(L, L->line_start, "inconsistent use of tabs and spaces in indentation");
            return -1;
        }
    }
    return 1;
}

static const char *closing_for(char open) { return open == '(' ? ")" : open == '[' ? "]" : "}"; }

/* One step of the main loop: emits zero or more tokens. */
static void lex_step(Lexer *L) {
    Frame *fr = top_frame(L);
    if (fr && fr->kind != FR_FIELD) {
        lex_fstring_text(L);
        return;
    }
    if (L->at_bol && L->nbr == 0) {
        L->at_bol = 0;
        int r = lex_indentation(L);
        if (r < 0) return;
        if (r == 0 && L->pos < L->n) {
            /* blank or comment-only line: skip it entirely */
            L->pos = skip_line(L->s, L->pos, L->n);
            if (L->pos < L->n) {
                newline_at(L, L->pos);
                L->pos++;
                L->at_bol = 1;
            }
            return;
        }
    }
    /* skip whitespace */
    for (;;) {
        int c = cur(L);
        if (c == ' ' || c == '\t' || c == '\f') { L->pos++; continue; }
        if (c == '#') {
            if (fr && fr->kind == FR_FIELD && L->pyminor < 12) {
                lex_error(L, L->pos, "f-string expression part cannot include '#'");
                return;
            }
            L->pos = skip_line(L->s, L->pos, L->n);
            continue;
        }
        if (c == '\\') {
            if (peek(L, 1) == '\n') {
                newline_at(L, L->pos + 1);
                L->pos += 2;
                if (L->pos >= L->n) { lex_error(L, L->pos - 1, "unexpected EOF while parsing"); return; }
                continue;
            }
            if (peek(L, 1) < 0) { lex_error(L, L->pos + 1, "unexpected EOF while parsing"); return; }
            lex_error(L, L->pos + 1, "unexpected character after line continuation character");
            return;
        }
        break;
    }
    size_t start = L->pos;
    int c = cur(L);
    if (c < 0) {
        /* end of input */
        if (L->nfr) {
            Frame *own = owner_string(L);
            lex_error(L, own->start, own->triple ? "unterminated triple-quoted %s literal (detected at line %d)"
                                                 : "unterminated %s literal (detected at line %d)",
                      L->pyminor < 12 ? "string" : own->tstring ? "t-string" : "f-string", eof_line(L));
            return;
        }
        if (L->nbr) {
            lex_error(L, L->br_off[L->nbr - 1], "'%c' was never closed", L->br[L->nbr - 1]);
            return;
        }
        if (L->line_has_tok) emit(L, T_NEWLINE, start);
        /* CPython places the tokens at end of input at the end of the last line */
        size_t ls = L->line_start;
        int line = L->line;
        if (L->n > 0 && L->s[L->n - 1] == '\n' && line > 1) {
            line--;
            ls = L->n - 1;
            while (ls > 0 && L->s[ls - 1] != '\n') ls--;
            start = L->n - 1;
        }
        while (L->nind > 0) { L->nind--; emit_at(L, T_DEDENT, start, line, ls); }
        Token *e = emit_at(L, T_ENDMARKER, start, line, ls);
        e->end_line = e->line;
        e->end_col = e->col;
        return;
    }
    if (c == '\n') {
        if (L->nbr == 0) {
            L->pos++;
            Token *t = emit(L, T_NEWLINE, start);
            (void)t;
            L->line_has_tok = 0;
            newline_at(L, start);
            L->at_bol = 1;
        } else {
            if (fr && fr->kind == FR_FIELD && L->nbr == fr->depth) {
                Frame *own = owner_string(L);
                if (!own->triple && L->pyminor < 12) {
                    lex_error(L, own->start, "unterminated string literal (detected at line %d)", L->line);
                    return;
                }
            }
            L->pos++;
            newline_at(L, start);
        }
        return;
    }
    if (is_id_start(c)) {
        size_t qpos;
        unsigned flags;
        int is_f;
        if (string_prefix(L, start, &qpos, &flags, &is_f)) {
            if (pre312_quote_ends(L, fr, qpos)) return;
            if (is_f) lex_fstring_start(L, start, qpos, flags);
            else lex_plain_string(L, start, qpos, flags);
            return;
        }
        lex_name(L, start);
        return;
    }
    if (is_digit(c) || (c == '.' && is_digit(peek(L, 1)))) {
        lex_number(L, start);
        return;
    }
    if (c == '"' || c == '\'') {
        if (pre312_quote_ends(L, fr, start)) return;
        lex_plain_string(L, start, start, 0);
        return;
    }
    /* replacement-field punctuation */
    if (fr && fr->kind == FR_FIELD && L->nbr == fr->depth) {
        if (c == ':' ) {
            L->pos++;
            emit(L, T_COLON, start);
            if (L->nfr >= MAX_FRAMES) { lex_error(L, start, "too many nested f-strings"); return; }
            Frame *nf = &L->fr[L->nfr++];
            memset(nf, 0, sizeof *nf);
            nf->kind = FR_SPEC;
            return;
        }
        if (c == '}') {
            L->pos++;
            emit(L, T_RBRACE, start);
            L->nbr--;
            L->nfr--;
            return;
        }
    }
    TokType t = lex_op(L);
    if (t == T_ERRORTOKEN) {
        if (c >= 0x20 && c < 0x7f) {
            /* '$', '?', '`': CPython makes a token of it that no rule accepts, and goes on */
            L->pos++;
            emit(L, T_BADCHAR, start);
            return;
        }
        else if (c == 0)
            lex_error(L, start, "source code cannot contain null bytes");
        else
            lex_error(L, start, "invalid non-printable character U+%04X", (unsigned)c);
        return;
    }
    if (t == T_LPAR || t == T_LSQB || t == T_LBRACE) {
        if (!push_bracket(L, (char)c, start)) return;
    } else if (t == T_RPAR || t == T_RSQB || t == T_RBRACE) {
        if (L->nbr == 0 || (fr && fr->kind == FR_FIELD && L->nbr <= fr->depth - 0 && L->nbr == fr->depth && c != '}')) {
            if (L->nbr == 0) {
                lex_error(L, start, "unmatched '%c'", c);
                return;
            }
        }
        char open = L->br[L->nbr - 1];
        if ((open == '(' && c != ')') || (open == '[' && c != ']') || (open == '{' && c != '}')) {
            if (L->br_line[L->nbr - 1] != L->line)
                lex_error(L, start, "closing parenthesis '%c' does not match opening parenthesis '%c' on line %d", c,
                          open, L->br_line[L->nbr - 1]);
            else
                lex_error(L, start, "closing parenthesis '%c' does not match opening parenthesis '%c'", c, open);
            return;
        }
        (void)closing_for;
        L->nbr--;
    }
    L->pos += op_len(t);
    emit(L, t, start);
}

int lex_tokenize(const char *text, size_t n, int pyminor, TokenArray *out, LexError *err) {
    Lexer L;
    memset(&L, 0, sizeof L);
    L.s = text;
    L.n = n;
    L.line = 1;
    L.pyminor = pyminor;
    L.toks = out;
    L.err = err;
    L.at_bol = 1;
    vec_grow(out, n / 4 + 16);
    for (;;) {
        size_t before_pos = L.pos, before_len = out->len;
        int before_nfr = L.nfr;
        lex_step(&L);
        if (!L.failed && L.pos == before_pos && out->len == before_len && L.nfr == before_nfr && !L.at_bol) {
            /* a step that neither advances nor emits would loop forever: a bug, reported as such */
            lex_error(&L, L.pos, "internal error: tokenizer made no progress");
        }
        if (L.failed) {
            Token tk = {T_ERRORTOKEN, 0, 0, (uint32_t)err->offset, (uint32_t)err->offset, 0, 0, 0, 0};
            lex_line_col(text, n, err->offset, &tk.line, &tk.col);
            tk.end_line = tk.line;
            tk.end_col = tk.col;
            vec_push(out, tk);
            return -1;
        }
        if (out->len && out->items[out->len - 1].type == T_ENDMARKER) return 0;
    }
}
