/* test_buf.c - the byte buffer, printf into it, UTF-8 encoding, and Array(T). */
#include <math.h>
#include <stdlib.h> /* buf.h's vec_free uses free() without including it */
#include <string.h>
#include "../../src/base/buf.h"
#include "unit.h"

TEST(buf_put_and_printf) {
    Buf b = {0};
    buf_puts(&b, "abc");
    buf_putc(&b, '-');
    buf_printf(&b, "%d/%s", 42, "x");
    CHECK(b.len == 8 && strcmp(b.data, "abc-42/x") == 0);
    for (int i = 0; i < 10000; i++) buf_putc(&b, 'z');
    CHECK(b.len == 10008 && b.data[b.len] == 0 && b.cap > b.len);
    buf_put(&b, "", 0);
    CHECK(b.len == 10008);
    buf_free(&b);
    CHECK(b.data == NULL && b.len == 0);
    buf_free(&b);
    buf_free(NULL);
}

TEST(buf_utf8_encoding) {
    Buf b = {0};
    buf_put_utf8(&b, 0x41);
    buf_put_utf8(&b, 0xE9);
    buf_put_utf8(&b, 0x20AC);
    buf_put_utf8(&b, 0x1F600);
    buf_put_utf8(&b, 0xD800); /* a lone surrogate, as WTF-8 */
    CHECK(b.len == 1 + 2 + 3 + 4 + 3);
    CHECK(memcmp(b.data, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xED\xA0\x80", b.len) == 0);
    buf_free(&b);
}

TEST(array_push_grows) {
    Array(int) v = {0};
    for (int i = 0; i < 1000; i++) vec_push(&v, i * 2);
    CHECK(v.len == 1000 && v.cap >= 1000);
    int ok = 1;
    for (int i = 0; i < 1000; i++) ok &= v.items[i] == i * 2;
    CHECK(ok);
    vec_free(&v);
    CHECK(v.items == NULL && v.len == 0);
}

/* buf_put_fixed against printf("%.*f") (glibc): random doubles of every magnitude, exact
 * halfway cases (n/2^j, x.xx5 in decimal), signs, zeros, subnormals and the printf fallbacks. */
static int fixed_same(double v, int dec) {
    char want[512];
    snprintf(want, sizeof want, "%.*f", dec, v);
    Buf b = {0};
    buf_put_fixed(&b, v, dec);
    int ok = b.data && strcmp(b.data, want) == 0;
    if (!ok) printf("  buf_put_fixed(%.17g, %d) = %s, printf: %s\n", v, dec, b.data ? b.data : "(null)", want);
    buf_free(&b);
    return ok;
}

TEST(buf_put_fixed_matches_printf) {
    int ok = 1;
    static const double special[] = {0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, -0.125, 0.005, 0.015, 0.025,
                                     1.005, 2.675, 1e-7, 5e-10, 4.9e-324, -4.9e-324, 2.2250738585072014e-308,
                                     999999999.99999, 999999999.4999999, 1e9, -1e9, 1e15, 1e300, 1.7976931348623157e308,
                                     0.1, 0.7, 123.456, -0.0049, -0.005, 0.0050000000000000001};
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        for (int dec = 0; dec <= 12; dec++) ok &= fixed_same(special[i], dec);
    ok &= fixed_same(NAN, 2) && fixed_same(-NAN, 2) && fixed_same(INFINITY, 1) && fixed_same(-INFINITY, 6);
    ok &= fixed_same(1.25, -1);
    /* halfway at every decimal count: n / 2^j has a finite decimal expansion ending in 5 */
    for (int j = 1; j <= 40 && ok; j++)
        for (int n = -2000; n <= 2000 && ok; n += 1 + (n & 7)) {
            double v = ldexp((double)n, -j);
            for (int dec = 0; dec <= 9; dec++) ok &= fixed_same(v, dec);
        }
    /* decimal-looking halfway values (not exact in binary: they fall on either side) */
    for (int n = 0; n < 200000 && ok; n++) {
        double v = n / 1000.0 + 0.0005;
        ok &= fixed_same(v, 3) && fixed_same(-v, 3) && fixed_same(n / 100.0 + 0.005, 2) && fixed_same(n / 10.0 + 0.05, 1);
    }
    /* random bit patterns of every magnitude below the fallback, and uniform values */
    unsigned long long x = 88172645463325252ull;
    for (int i = 0; i < 400000 && ok; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        double v;
        unsigned long long bits = (x & 0x800FFFFFFFFFFFFFull) | ((unsigned long long)(x % 1054) << 52);
        memcpy(&v, &bits, sizeof v); /* exponents up to 2^30 and down to the subnormals */
        int dec = (int)((x >> 20) % 10);
        ok &= fixed_same(v, dec) && fixed_same((double)(x >> 11) / 9007199254740992.0 * 1000.0, dec);
    }
    CHECK(ok);
}
