/* test_unicode.c - identifier classes, NFKC of identifiers and \N{} names, against values from
 * CPython 3.11's unicodedata (tests/tools/check_unicode.py checks every code point). */
#include <string.h>
#include "../../src/syntax/unicode.h"
#include "unit.h"

TEST(unicode_identifier_classes) {
    CHECK(uni_is_xid_start('_') && uni_is_xid_start('a') && uni_is_xid_start('Z'));
    CHECK(!uni_is_xid_start('1') && uni_is_xid_continue('1') && !uni_is_xid_continue('$'));
    CHECK(uni_is_xid_start(0xE9) && uni_is_xid_start(0x4E00) && uni_is_xid_start(0x1D400));
    CHECK(!uni_is_xid_start(0x300) && uni_is_xid_continue(0x300));   /* combining grave */
    CHECK(!uni_is_xid_start(0x2E2F) && !uni_is_xid_continue(0xB7 + 1)); /* vertical tilde; ¸ */
    CHECK(uni_is_xid_continue(0xB7) && !uni_is_xid_start(0xB7));
    CHECK(!uni_is_xid_start(0x20AC) && !uni_is_xid_continue(0xFEFF));
    CHECK(uni_is_printable('a') && !uni_is_printable(0x81) && !uni_is_printable(0xA0));
}

static int nfkc_is(const char *in, const char *want, int same) {
    Arena a;
    arena_init(&a);
    Str r = uni_nfkc(&a, in, strlen(in));
    int ok = str_eq(r, want) && (r.s == in) == same;
    arena_free(&a);
    return ok;
}

TEST(unicode_nfkc) {
    CHECK(nfkc_is("plain_ascii", "plain_ascii", 1));
    CHECK(nfkc_is("caf\xc3\xa9", "caf\xc3\xa9", 1));                /* already NFC */
    CHECK(nfkc_is("cafe\xcc\x81", "caf\xc3\xa9", 0));               /* e + combining acute */
    CHECK(nfkc_is("\xef\xac\x81le", "file", 0));                    /* fi ligature */
    CHECK(nfkc_is("\xe2\x84\x8c", "H", 0));                         /* black-letter H */
    CHECK(nfkc_is("\xf0\x9d\x90\x80", "A", 0));                     /* mathematical bold A */
    CHECK(nfkc_is("\xc2\xb5", "\xce\xbc", 0));                      /* micro sign -> mu */
    CHECK(nfkc_is("\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8", "\xea\xb0\x81", 0)); /* jamo -> GAG */
    CHECK(nfkc_is("\xea\xb0\x81", "\xea\xb0\x81", 1));
    /* a dot below (class 220) moves before a dot above (230), and both compose */
    CHECK(nfkc_is("q\xcc\x87\xcc\xa3", "q\xcc\xa3\xcc\x87", 0));
    CHECK(nfkc_is("s\xcc\x87\xcc\xa3", "\xe1\xb9\xa9", 0));
}

TEST(unicode_names) {
    CHECK(uni_lookup_name("LATIN SMALL LETTER A", 20) == 'a');
    CHECK(uni_lookup_name("latin small letter a", 20) == 'a');
    CHECK(uni_lookup_name("EURO SIGN", 9) == 0x20AC);
    CHECK(uni_lookup_name("LINE FEED", 9) == '\n');  /* alias */
    CHECK(uni_lookup_name("BOM", 3) == 0xFEFF);       /* abbreviation alias */
    CHECK(uni_lookup_name("LATIN SMALL LETTER", 18) == -1);
    CHECK(uni_lookup_name("", 0) == -1);
    CHECK(uni_lookup_name("CJK UNIFIED IDEOGRAPH-4E00", 26) == 0x4E00);
    CHECK(uni_lookup_name("CJK UNIFIED IDEOGRAPH-2A6DF", 27) == 0x2A6DF);
    CHECK(uni_lookup_name("CJK UNIFIED IDEOGRAPH-4e00", 26) == -1); /* 3.11: capitals only */
    CHECK(uni_lookup_name("cjk unified ideograph-4E00", 26) == -1);
    CHECK(uni_lookup_name("HANGUL SYLLABLE GA", 18) == 0xAC00);
    CHECK(uni_lookup_name("HANGUL SYLLABLE A", 17) == 0xC544);
    CHECK(uni_lookup_name("HANGUL SYLLABLE HIH", 19) == 0xD7A3);
    CHECK(uni_lookup_name("hangul syllable ga", 18) == -1);
    CHECK(uni_lookup_name("CJK COMPATIBILITY IDEOGRAPH-F900", 32) == 0xF900);
}
