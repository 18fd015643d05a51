/* test_source.c - source_decode: BOM, coding declarations, invalid UTF-8, with the messages of
 * CPython 3.11's ast.parse(bytes) (tests/tools/check_source.py compares many more). */
#include <string.h>
#include "../../src/syntax/source.h"
#include "unit.h"

/* Decodes the literal; want_msg NULL means success with text == want (or "" want = same). */
static int src(const char *in, size_t n, const char *want, const char *want_msg, int want_line) {
    Buf scratch = {0};
    const char *text = NULL, *msg = NULL;
    size_t len = 0;
    int line = 0;
    int r = source_decode(in, n, &scratch, &text, &len, &msg, &line);
    int ok = want_msg ? r == -1 && strcmp(msg, want_msg) == 0 && line == want_line
                      : r == 0 && len == strlen(want) && memcmp(text, want, len) == 0;
    if (!ok && r == -1) printf("  got error line %d: %s\n", line, msg);
    buf_free(&scratch);
    return ok;
}
#define SRC_OK(in, want) src(in, sizeof(in) - 1, want, NULL, 0)
#define SRC_ERR(in, msg, line) src(in, sizeof(in) - 1, NULL, msg, line)

TEST(source_utf8_no_copy) {
    const char in[] = "x = '\xc3\xa9'\n";
    Buf scratch = {0};
    const char *text, *msg;
    size_t len;
    int line;
    CHECK(source_decode(in, sizeof in - 1, &scratch, &text, &len, &msg, &line) == 0);
    CHECK(text == in && len == sizeof in - 1 && scratch.data == NULL);
    CHECK(SRC_OK("\xef\xbb\xbfx=1\n", "x=1\n"));
    CHECK(SRC_OK("", ""));
    CHECK(SRC_OK("\xef\xbb\xbf", ""));
}

TEST(source_coding_declarations) {
    CHECK(SRC_OK("# -*- coding: latin-1 -*-\nx = '\xe9'\n", "# -*- coding: latin-1 -*-\nx = '\xc3\xa9'\n"));
    CHECK(SRC_OK("\n# coding=latin_1\n\xe9", "\n# coding=latin_1\n\xc3\xa9"));
    CHECK(SRC_OK("#!/usr/bin/python\r\n# vim: set fileencoding=iso-8859-15 :\r\n\xa4",
                 "#!/usr/bin/python\r\n# vim: set fileencoding=iso-8859-15 :\r\n\xe2\x82\xac"));
    CHECK(SRC_OK("# coding: koi8-r\n\xf0", "# coding: koi8-r\n\xd0\x9f"));
    CHECK(SRC_OK("# coding: l1\n\xe9", "# coding: l1\n\xc3\xa9")); /* a Python alias */
    CHECK(SRC_OK("x=1\n# coding: latin-1\n", "x=1\n# coding: latin-1\n")); /* too late */
    CHECK(SRC_OK("x=1 # coding: latin-1\n", "x=1 # coding: latin-1\n")); /* not alone */
    CHECK(SRC_ERR("# coding: foobar\nx=1\n", "unknown encoding: foobar", 1));
    CHECK(SRC_ERR("\xef\xbb\xbf# coding: latin-1\n", "encoding problem: iso-8859-1 with BOM", 1));
    CHECK(SRC_ERR("# coding: rot13\n", "'rot13' is not a text encoding; use codecs.decode() to "
                                       "handle arbitrary codecs", 1));
    CHECK(SRC_ERR("# coding: ascii\nx='\xe9'\n", "'ascii' codec can't decode byte 0xe9 in "
                                                 "position 19: ordinal not in range(128)", 2));
    CHECK(SRC_ERR("# coding: utf8\nx='\xe9'\n", "'utf-8' codec can't decode byte 0xe9 in "
                                                "position 18: invalid continuation byte", 2));
}

TEST(source_invalid_utf8) {
    CHECK(SRC_ERR("x = 1\n\xff\n", "(unicode error) 'utf-8' codec can't decode byte 0xff in "
                                   "position 0: invalid start byte", 2));
    CHECK(SRC_ERR("x = 'ab\xe9" "cd'\n", "(unicode error) 'utf-8' codec can't decode byte 0xe9 in "
                                      "position 2: invalid continuation byte", 1));
    CHECK(SRC_ERR("x = '\xf0\x9f\x98'\n", "(unicode error) 'utf-8' codec can't decode bytes in "
                                          "position 0-2: unexpected end of data", 1));
    CHECK(SRC_ERR("x = '''a\n\n  \xff'''\n", "(unicode error) 'utf-8' codec can't decode byte "
                                             "0xff in position 5: invalid start byte", 3));
    CHECK(SRC_ERR("abc\xff" "d = 1\n", "(unicode error) 'utf-8' codec can't decode byte 0xff in "
                                    "position 3: invalid start byte", 1));
    CHECK(SRC_ERR("x = b'\xff'\n", "bytes can only contain ASCII literal characters", 1));
    CHECK(SRC_ERR("x = '\xed\xa0\x80'\n", "(unicode error) 'utf-8' codec can't decode byte 0xed "
                                          "in position 0: invalid continuation byte", 1));
    /* CPython never decodes comments, so bad bytes there pass (as '?', keeping offsets) */
    CHECK(SRC_OK("x=1 # \xff\xc3\n'\xc3\xa9'\n", "x=1 # ??\n'\xc3\xa9'\n"));
    CHECK(SRC_ERR("x=1\n\0", "source code string cannot contain null bytes", 2));
}
