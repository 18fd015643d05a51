/* test_marshal.c - the marshal reader on hand-made bytes (each kind, references, limits, and the
 * exact error message and offset for broken input), and the writers read back by the reader. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "../../src/base/arena.h"
#include "../../src/profile/marshal.h"
#include "unit.h"

/* Loads bytes written as a C string literal (its trailing NUL not included). */
#define LOAD(arena, lit, err) marshal_load((arena), (const unsigned char *)(lit), sizeof(lit) - 1, (err))

/* 1 if loading `lit` fails with `msg` at `off`. */
static int fails_with(const char *lit, size_t n, size_t off, const char *msg) {
    Arena a;
    arena_init(&a);
    MarshalError err;
    MValue *v = marshal_load(&a, (const unsigned char *)lit, n, &err);
    int ok = v == NULL && err.offset == off && strcmp(err.msg, msg) == 0;
    if (!ok) printf("  got %s offset %zu: %s\n", v ? "a value" : "an error at", err.offset, v ? "" : err.msg);
    arena_free(&a);
    return ok;
}
#define FAILS(lit, off, msg) fails_with((lit), sizeof(lit) - 1, (off), (msg))

TEST(marshal_scalars) {
    Arena a;
    arena_init(&a);
    MarshalError err;
    MValue *v = LOAD(&a, "N", &err);
    CHECK(v && v->kind == M_NONE);
    v = LOAD(&a, "i\xff\xff\xff\xff", &err);
    CHECK(v && v->kind == M_INT && v->u.i == -1);
    v = LOAD(&a, "\xe9\x00\x00\x00\x80", &err); /* 'i' with the reference flag: INT32_MIN */
    CHECK(v && v->kind == M_INT && v->u.i == INT32_MIN);
    /* 'l': 2^45 + 3 = digits 3, 0, 0, 1 (15 bits each) */
    v = LOAD(&a, "l\x04\x00\x00\x00\x03\x00\x00\x00\x00\x00\x01\x00", &err);
    CHECK(v && v->kind == M_INT && v->u.i == ((int64_t)1 << 45) + 3);
    v = LOAD(&a, "l\xfe\xff\xff\xff\x01\x00\x01\x00", &err); /* -(1 + 2^15) */
    CHECK(v && v->kind == M_INT && v->u.i == -((1 << 15) + 1));
    /* 2^75: six digits, does not fit 64 bits */
    v = LOAD(&a, "l\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00", &err);
    CHECK(v && v->kind == M_BIGINT && v->u.f == ldexp(1.0, 75));
    v = LOAD(&a, "g\x00\x00\x00\x00\x00\x00\xf8\x3f", &err);
    CHECK(v && v->kind == M_FLOAT && v->u.f == 1.5);
    v = LOAD(&a, "f\x04-2.5", &err);
    CHECK(v && v->kind == M_FLOAT && v->u.f == -2.5);
    v = LOAD(&a, "y\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40", &err);
    CHECK(v && v->kind == M_COMPLEX && v->u.c.re == 1.0 && v->u.c.im == 2.0);
    arena_free(&a);
}

TEST(marshal_strings) {
    Arena a;
    arena_init(&a);
    MarshalError err;
    MValue *v = LOAD(&a, "z\x03" "abc", &err);
    CHECK(v && v->kind == M_STR && v->u.str.len == 3 && memcmp(v->u.str.s, "abc", 3) == 0);
    v = LOAD(&a, "u\x02\x00\x00\x00\xc3\xa9", &err);
    CHECK(v && v->kind == M_STR && v->u.str.len == 2);
    v = LOAD(&a, "a\x01\x00\x00\x00\xe9", &err); /* one-byte strings are Latin-1: stored as UTF-8 */
    CHECK(v && v->kind == M_STR && v->u.str.len == 2 && memcmp(v->u.str.s, "\xc3\xa9", 2) == 0);
    v = LOAD(&a, "u\x03\x00\x00\x00\xed\xa0\x80", &err); /* lone surrogate: surrogatepass */
    CHECK(v && v->kind == M_STR);
    v = LOAD(&a, "s\x02\x00\x00\x00\x00\xff", &err);
    CHECK(v && v->kind == M_BYTES && v->u.str.len == 2);
    CHECK(FAILS("u\x02\x00\x00\x00\xc3(", 5, "string is not valid UTF-8"));
    CHECK(FAILS("u\x02\x00\x00\x00\xc0\x80", 5, "string is not valid UTF-8"));
    arena_free(&a);
}

TEST(marshal_containers_and_refs) {
    Arena a;
    arena_init(&a);
    MarshalError err;
    /* {('f', 1, 'g'): (1, 2)} with the string 'f' flagged and referred to again */
    MValue *v = LOAD(&a, "\xfb)\x03\xfa\x01" "fi\x01\x00\x00\x00r\x01\x00\x00\x00)\x02i\x01\x00\x00\x00i\x02\x00\x00\x00" "0", &err);
    CHECK(v && v->kind == M_DICT && v->u.seq.len == 1);
    if (v && v->u.seq.len == 1) {
        MValue *key = v->u.seq.items[0];
        CHECK(key->kind == M_TUPLE && key->u.seq.len == 3);
        CHECK(key->u.seq.items[0] == key->u.seq.items[2]); /* the same object, by reference */
    }
    v = LOAD(&a, "[\x02\x00\x00\x00NT", &err);
    CHECK(v && v->kind == M_LIST && v->u.seq.len == 2 && v->u.seq.items[1]->kind == M_TRUE);
    v = LOAD(&a, "<\x01\x00\x00\x00" "F", &err);
    CHECK(v && v->kind == M_SET);
    v = LOAD(&a, "(\x00\x00\x00\x00", &err);
    CHECK(v && v->kind == M_TUPLE && v->u.seq.len == 0);
    v = LOAD(&a, ":NNN", &err);
    CHECK(v && v->kind == M_SLICE && v->u.seq.len == 3);
    v = LOAD(&a, "{N0", &err); /* a NULL in a value's place ends the dict, as in CPython */
    CHECK(v && v->kind == M_DICT && v->u.seq.len == 0);
    arena_free(&a);
}

TEST(marshal_errors) {
    CHECK(FAILS("", 0, "empty file"));
    CHECK(FAILS("i\x01\x00", 1, "truncated: int needs 4 bytes, 2 left"));
    CHECK(FAILS("{", 1, "truncated: dict entry (or its end '0') needs 1 bytes, 0 left"));
    CHECK(FAILS(")\x05NN", 1, "tuple of size 5 does not fit in the 2 bytes left"));
    CHECK(FAILS("(\xff\xff\xff\x7f", 1, "tuple of size 2147483647 does not fit in the 0 bytes left"));
    CHECK(FAILS("[\xff\xff\xff\xff", 1, "negative size -1 for list"));
    CHECK(FAILS("u\x00\x00\x00\x10" "abc", 1, "string of size 268435456 does not fit in the 3 bytes left"));
    CHECK(FAILS("r\x00\x00\x00\x00", 0, "reference 0 out of range (0 objects so far)"));
    CHECK(FAILS("\xa8\x01\x00\x00\x00r\x00\x00\x00\x00", 5, "reference 0 to an object still being read"));
    CHECK(FAILS("l\x01\x00\x00\x00\x00\x80", 5, "long digit 32768 out of range"));
    CHECK(FAILS("l\x02\x00\x00\x00\x01\x00\x00\x00", 7, "unnormalized long (leading zero digit)"));
    CHECK(FAILS("l\x00\x00\x00\x80", 0, "long size out of range"));
    CHECK(FAILS("l\x00\x00\x10\x00", 0, "long of 1048576 digits does not fit in the 0 bytes left"));
    CHECK(FAILS("f\x03" "1.x", 1, "invalid float text '1.x'"));
    CHECK(FAILS("c\x00\x00\x00\x00", 5, "truncated: code object field needs 4 bytes, 0 left"));
    CHECK(FAILS("0", 0, "NULL object outside a dict"));
    CHECK(FAILS("Q", 0, "unknown object type 'Q'"));
    CHECK(FAILS("\x01", 0, "unknown object type 0x01"));
    CHECK(FAILS(")\x01\xff", 2, "unknown object type 0x7f"));
}

TEST(marshal_depth_limit) {
    /* 150 nested one-item lists: refused at the 101st level, not a stack overflow */
    unsigned char buf[150 * 5 + 1];
    for (int k = 0; k < 150; k++) memcpy(buf + 5 * k, "[\x01\x00\x00\x00", 5);
    buf[150 * 5] = 'N';
    Arena a;
    arena_init(&a);
    MarshalError err;
    CHECK(marshal_load(&a, buf, sizeof buf, &err) == NULL);
    CHECK(err.offset == 500 && strcmp(err.msg, "nested deeper than 100 levels") == 0);
    CHECK(marshal_load(&a, buf + 5 * 60, sizeof buf - 5 * 60, &err) != NULL); /* 90 levels are fine */
    arena_free(&a);
}

TEST(marshal_writers_round_trip) {
    static const int64_t INTS[] = {0, 1, -1, INT32_MAX, INT32_MIN, (int64_t)INT32_MAX + 1, (int64_t)INT32_MIN - 1,
                                   (int64_t)1 << 45, INT64_MAX, INT64_MIN, -((int64_t)1 << 60) - 12345};
    Arena a;
    arena_init(&a);
    MarshalError err;
    for (size_t k = 0; k < sizeof INTS / sizeof INTS[0]; k++) {
        Buf b = {0};
        marshal_w_int(&b, INTS[k]);
        MValue *v = marshal_load(&a, (const unsigned char *)b.data, b.len, &err);
        CHECK(v && v->kind == M_INT && v->u.i == INTS[k]);
        buf_free(&b);
    }
    Buf b = {0};
    marshal_w_tuple(&b, 3, 1);
    marshal_w_str(&b, "caf\xc3\xa9", 5, 1);
    marshal_w_float(&b, -0.125);
    marshal_w_ref(&b, 1);
    MValue *v = marshal_load(&a, (const unsigned char *)b.data, b.len, &err);
    CHECK(v && v->kind == M_TUPLE && v->u.seq.len == 3);
    if (v && v->u.seq.len == 3) {
        CHECK(v->u.seq.items[0]->kind == M_STR && v->u.seq.items[0]->u.str.len == 5);
        CHECK(v->u.seq.items[1]->kind == M_FLOAT && v->u.seq.items[1]->u.f == -0.125);
        CHECK(v->u.seq.items[2] == v->u.seq.items[0]);
    }
    buf_free(&b);
    arena_free(&a);
}
