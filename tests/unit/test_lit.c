/* test_lit.c - numeric literal values and string/bytes escape decoding against values and
 * messages taken from CPython 3.11 (tests/tools/check_literals.py does the same at random). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../src/syntax/lit.h"
#include "unit.h"

static int num_is(const char *text, LitNumKind want_kind, const char *want) {
    Arena a;
    arena_init(&a);
    LitNumKind k;
    Str out;
    const char *msg;
    int ok = lit_number(&a, text, strlen(text), &k, &out, &msg) == 0 && k == want_kind &&
             str_eq(out, want);
    arena_free(&a);
    return ok;
}

static int num_err(const char *text, const char *want_prefix) {
    Arena a;
    arena_init(&a);
    LitNumKind k;
    Str out;
    const char *msg;
    int ok = lit_number(&a, text, strlen(text), &k, &out, &msg) == -1 &&
             strncmp(msg, want_prefix, strlen(want_prefix)) == 0;
    arena_free(&a);
    return ok;
}

TEST(lit_ints) {
    CHECK(num_is("0", LIT_INT, "0"));
    CHECK(num_is("00", LIT_INT, "0"));
    CHECK(num_is("0_0", LIT_INT, "0"));
    CHECK(num_is("1_000_000", LIT_INT, "1000000"));
    CHECK(num_is("0xff", LIT_INT, "255"));
    CHECK(num_is("0X_F_F", LIT_INT, "255"));
    CHECK(num_is("0o777", LIT_INT, "511"));
    CHECK(num_is("0b1010", LIT_INT, "10"));
    CHECK(num_is("0x0", LIT_INT, "0"));
    CHECK(num_is("0xffffffffffffffffffffffffffffffff", LIT_INT,
                 "340282366920938463463374607431768211455"));
    CHECK(num_is("0b1" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
                 "0000000000" "0000", LIT_INT, "18446744073709551616"));
    CHECK(num_is("123456789012345678901234567890", LIT_INT, "123456789012345678901234567890"));
    CHECK(num_err("01", "leading zeros in decimal integer literals are not permitted"));
    CHECK(num_err("0_1", "leading zeros"));
    CHECK(num_err("1__0", "invalid"));
    CHECK(num_err("0x", "invalid hexadecimal literal"));
    CHECK(num_err("0b2", "invalid binary literal"));
    char big[4302];
    memset(big, '1', 4301);
    big[4301] = 0;
    CHECK(num_err(big, "Exceeds the limit (4300 digits) for integer string conversion: value has "
                       "4301 digits"));
    big[4300] = 0;
    Arena a;
    arena_init(&a);
    LitNumKind k;
    Str out;
    const char *msg;
    CHECK(lit_number(&a, big, 4300, &k, &out, &msg) == 0 && out.len == 4300);
    arena_free(&a);
}

static double unit_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A base-2/8/16 literal whose decimal form has more than 4,300 digits (CPython's str(int) limit)
 * keeps its literal text; the quadratic conversion took 21 s on a 1 M-digit hex literal. */
TEST(lit_huge_radix_ints) {
    size_t n = 1000000;
    char *hex = malloc(n + 3);
    memcpy(hex, "0X", 2);
    memset(hex + 2, 'F', n);
    hex[n + 2] = 0;
    Arena a;
    arena_init(&a);
    LitNumKind k;
    Str out;
    const char *msg;
    double t0 = unit_now();
    CHECK(lit_number(&a, hex, n + 2, &k, &out, &msg) == 0 && k == LIT_INT && out.len == n + 2 &&
          memcmp(out.s, "0xfff", 5) == 0 && out.s[n + 1] == 'f');
    double dt = unit_now() - t0;
    if (dt > 1.0) printf("  1 M hex digits took %.2f s\n", dt);
    CHECK(dt < 1.0);
    /* 3,571 hex digits F make 4,300 decimal digits (CPython's limit, inclusive): converted;
     * 3,572 make 4,302: kept as text */
    hex[3573] = 0;
    CHECK(lit_number(&a, hex, 3573, &k, &out, &msg) == 0 && out.len == 4300 && memcmp(out.s, "817", 3) == 0);
    hex[3573] = 'F';
    hex[3574] = 0;
    CHECK(lit_number(&a, hex, 3574, &k, &out, &msg) == 0 && out.len == 3574 && memcmp(out.s, "0xf", 3) == 0);
    /* leading zeros and underscores go */
    CHECK(num_is("0b0001_1", LIT_INT, "3"));
    arena_free(&a);
    free(hex);
}

TEST(lit_floats) {
    CHECK(num_is("1.0", LIT_FLOAT, "1.0"));
    CHECK(num_is("1.", LIT_FLOAT, "1.0"));
    CHECK(num_is(".5", LIT_FLOAT, "0.5"));
    CHECK(num_is("0.1", LIT_FLOAT, "0.1"));
    CHECK(num_is("1e16", LIT_FLOAT, "1e+16"));
    CHECK(num_is("1e15", LIT_FLOAT, "1000000000000000.0"));
    CHECK(num_is("123456789012345678.0", LIT_FLOAT, "1.2345678901234568e+17"));
    CHECK(num_is("0.0001", LIT_FLOAT, "0.0001"));
    CHECK(num_is("0.00001", LIT_FLOAT, "1e-05"));
    CHECK(num_is("1.5E-7", LIT_FLOAT, "1.5e-07"));
    CHECK(num_is("1e999", LIT_FLOAT, "inf"));
    CHECK(num_is("1e-999", LIT_FLOAT, "0.0"));
    CHECK(num_is("5e-324", LIT_FLOAT, "5e-324"));
    CHECK(num_is("1_0.0_1e1_0", LIT_FLOAT, "100100000000.0"));
    CHECK(num_is("09.5", LIT_FLOAT, "9.5"));
    CHECK(num_is("1e100", LIT_FLOAT, "1e+100"));
    CHECK(num_is("9007199254740993", LIT_INT, "9007199254740993"));
    CHECK(num_is("9007199254740993.0", LIT_FLOAT, "9007199254740992.0"));
    CHECK(num_is("1.7976931348623157e308", LIT_FLOAT, "1.7976931348623157e+308"));
    CHECK(num_err("1e", "invalid"));
    CHECK(num_err("1._5", "invalid"));
}

TEST(lit_imaginary) {
    CHECK(num_is("1j", LIT_IMAG, "1.0"));
    CHECK(num_is("09J", LIT_IMAG, "9.0"));
    CHECK(num_is("0.0j", LIT_IMAG, "0.0"));
    CHECK(num_is("1e999j", LIT_IMAG, "inf"));
    CHECK(num_is("2.5e-3j", LIT_IMAG, "0.0025"));
}

TEST(lit_float_repr_direct) {
    char b[32];
    lit_float_repr(-0.0, b);
    CHECK(strcmp(b, "-0.0") == 0);
    lit_float_repr(-1.5, b);
    CHECK(strcmp(b, "-1.5") == 0);
    lit_float_repr(1.0 / 3, b);
    CHECK(strcmp(b, "0.3333333333333333") == 0);
    lit_float_repr(0.0 / 0.0, b);
    CHECK(strcmp(b, "nan") == 0);
    lit_float_repr(-1e308 * 10, b);
    CHECK(strcmp(b, "-inf") == 0);
    lit_float_repr(9.5e-5, b);
    CHECK(strcmp(b, "9.5e-05") == 0);
}

/* Decodes `body` with `flags`; returns 1 when it yields want[0..wn) (or, if want_msg is set, fails
 * with that message at offset want_off). */
static int dec(const char *body, unsigned flags, const char *want, size_t wn, const char *want_msg,
               size_t want_off) {
    Arena a;
    arena_init(&a);
    Str out;
    const char *msg = NULL;
    size_t off = 0;
    int r = lit_decode(&a, body, strlen(body), flags, &out, &msg, &off);
    int ok = want_msg ? r == -1 && strcmp(msg, want_msg) == 0 && off == want_off
                      : r == 0 && out.len == wn && memcmp(out.s, want, wn) == 0;
    if (!ok && r == -1) printf("  got error: %s (offset %zu)\n", msg, off);
    arena_free(&a);
    return ok;
}
#define DEC_OK(body, flags, want) dec(body, flags, want, sizeof(want) - 1, NULL, 0)
#define DEC_ERR(body, flags, msg, off) dec(body, flags, NULL, 0, msg, off)

TEST(lit_decode_values) {
    CHECK(DEC_OK("plain", 0, "plain"));
    CHECK(DEC_OK("a\\nb\\tc\\\\d\\'e\\\"f", 0, "a\nb\tc\\d'e\"f"));
    CHECK(DEC_OK("\\a\\b\\f\\v\\r", 0, "\a\b\f\v\r"));
    CHECK(DEC_OK("x\\\ny", 0, "xy"));
    CHECK(DEC_OK("\\0\\7\\101\\1010", 0, "\0\a" "A" "A0"));
    CHECK(DEC_OK("\\777", 0, "\xc7\xbf"));
    CHECK(DEC_OK("\\777", LIT_BYTES, "\xff"));
    CHECK(DEC_OK("\\x41\\xe9", 0, "A\xc3\xa9"));
    CHECK(DEC_OK("\\xe9", LIT_BYTES, "\xe9"));
    CHECK(DEC_OK("\\u20ac\\U0001F600", 0, "\xe2\x82\xac\xf0\x9f\x98\x80"));
    CHECK(DEC_OK("\\ud800", 0, "\xed\xa0\x80"));
    CHECK(DEC_OK("\\q\\8\\ \\\xc3\xa9", 0, "\\q\\8\\ \\\xc3\xa9"));
    CHECK(DEC_OK("\\u1234\\N{DASH}", LIT_BYTES, "\\u1234\\N{DASH}"));
    CHECK(DEC_OK("\\n\\x", LIT_RAW, "\\n\\x"));
    CHECK(DEC_OK("\\n\\x", LIT_RAW | LIT_BYTES, "\\n\\x"));
}

TEST(lit_decode_errors) {
    CHECK(DEC_ERR("\\x", 0, "(unicode error) 'unicodeescape' codec can't decode bytes in "
                            "position 0-1: truncated \\xXX escape", 0));
    CHECK(DEC_ERR("ab\\x4g", 0, "(unicode error) 'unicodeescape' codec can't decode bytes in "
                                "position 2-4: truncated \\xXX escape", 2));
    /* CPython counts each non-ASCII character as the 10 bytes of "\UXXXXXXXX". */
    CHECK(DEC_ERR("\xc3\xa9\\x", 0, "(unicode error) 'unicodeescape' codec can't decode bytes in "
                                    "position 10-11: truncated \\xXX escape", 2));
    CHECK(DEC_ERR("\\\xc3\xa9\\x", 0, "(unicode error) 'unicodeescape' codec can't decode bytes "
                                      "in position 16-17: truncated \\xXX escape", 3));
    CHECK(DEC_ERR("\\u12", 0, "(unicode error) 'unicodeescape' codec can't decode bytes in "
                              "position 0-3: truncated \\uXXXX escape", 0));
    CHECK(DEC_ERR("\\U00110000", 0, "(unicode error) 'unicodeescape' codec can't decode bytes in "
                                    "position 0-9: illegal Unicode character", 0));
    CHECK(DEC_ERR("\\N", 0, "(unicode error) 'unicodeescape' codec can't decode bytes in "
                            "position 0-1: malformed \\N character escape", 0));
    CHECK(DEC_ERR("\\N{}", 0, "(unicode error) 'unicodeescape' codec can't decode bytes in "
                              "position 0-2: malformed \\N character escape", 0));
    CHECK(DEC_ERR("\\N{foo}", 0, "(unicode error) 'unicodeescape' codec can't decode bytes in "
                                 "position 0-6: unknown Unicode character name", 0));
    CHECK(DEC_ERR("ab\\x1", LIT_BYTES, "(value error) invalid \\x escape at position 2", 2));
    CHECK(DEC_ERR("a\xc3\xa9", LIT_BYTES, "bytes can only contain ASCII literal characters", 1));
    CHECK(DEC_ERR("\xc3\xa9", LIT_BYTES | LIT_RAW, "bytes can only contain ASCII literal characters", 0));
}
TEST(lit_decode_names) {
    CHECK(DEC_OK("\\N{LATIN SMALL LETTER A}\\N{latin small letter e with acute}", 0, "a\xc3\xa9"));
    CHECK(DEC_OK("\\N{EURO SIGN}", 0, "\xe2\x82\xac"));
    CHECK(DEC_OK("\\N{LINE FEED}\\N{BOM}", 0, "\n\xef\xbb\xbf"));
    CHECK(DEC_OK("\\N{CJK UNIFIED IDEOGRAPH-4E00}", 0, "\xe4\xb8\x80"));
    CHECK(DEC_OK("\\N{HANGUL SYLLABLE GA}", 0, "\xea\xb0\x80"));
}
