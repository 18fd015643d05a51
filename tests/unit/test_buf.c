/* test_buf.c - the byte buffer, printf into it, UTF-8 encoding, and Array(T). */
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
