#!/usr/bin/env python3
"""Generates src/syntax/encodings_table.h: Python's codec aliases (encodings.aliases) and, for each
codec a PEP 263 coding declaration may name, the glibc iconv name that decodes exactly as the
Python codec does (checked here through ctypes), so source.c can resolve names as CPython does.
Usage: python3 tools/gen_encodings.py > src/syntax/encodings_table.h   (re-runnable)"""
import codecs
import ctypes
import encodings
import encodings.aliases
import pkgutil
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.iconv_open.restype = ctypes.c_void_p
libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.iconv.restype = ctypes.c_size_t
libc.iconv.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t),
                       ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
libc.iconv_close.argtypes = [ctypes.c_void_p]


def iconv_decode(name, data):
    cd = libc.iconv_open(b"UTF-8", name.encode())
    if cd in (None, ctypes.c_void_p(-1).value):
        return None
    try:
        out = ctypes.create_string_buffer(len(data) * 4 + 16)
        inp = ctypes.c_char_p(data)
        inl = ctypes.c_size_t(len(data))
        outp = ctypes.c_char_p(ctypes.addressof(out))
        outl = ctypes.c_size_t(len(out))
        r = libc.iconv(cd, ctypes.byref(inp), ctypes.byref(inl), ctypes.byref(outp), ctypes.byref(outl))
        if r == ctypes.c_size_t(-1).value:
            return None
        return out.raw[: len(out) - outl.value].decode("utf-8", "surrogatepass")
    finally:
        libc.iconv_close(cd)


def sample(codec):
    """Text the codec can encode (every BMP character it maps), and its encoding."""
    chars = []
    for cp in range(0x10000):
        c = chr(cp)
        try:
            codecs.encode(c, codec)
            chars.append(c)
        except Exception:
            pass
    text = "".join(chars)
    return text, codecs.encode(text, codec)


def single_bytes_agree(codec, name):
    for b in range(256):
        try:
            want = codecs.decode(bytes([b]), codec)
        except Exception:
            want = None
        if iconv_decode(name, bytes([b])) != want:
            return False
    return True


def candidates(codec):
    c = codec.upper()
    yield from [c.replace("_", "-"), c, c.replace("_", ""), c.replace("ISO8859_", "ISO-8859-")]
    extra = {"latin_1": "ISO-8859-1", "mac_roman": "MACINTOSH", "mac_cyrillic": "MAC-CYRILLIC",
             "mac_latin2": "MAC-CENTRALEUROPE", "mac_greek": "MACGREEK", "mac_iceland": "MAC-IS",
             "mac_turkish": "MACTURKISH", "mac_croatian": "MACCROATIAN", "mac_romanian": "MACROMANIA",
             "mac_arabic": "MACARABIC", "hp_roman8": "HP-ROMAN8", "ptcp154": "PT154",
             "kz1048": "RK1048", "tis_620": "TIS-620", "cp932": "CP932", "shift_jis": "SHIFT_JIS",
             "shift_jis_2004": "SHIFT_JISX0213", "shift_jisx0213": "SHIFT_JISX0213",
             "euc_jis_2004": "EUC-JISX0213", "iso2022_jp_3": "ISO-2022-JP-3", "big5hkscs": "BIG5-HKSCS",
             "cp949": "CP949", "johab": "JOHAB", "utf_7": "UTF-7", "cp1125": "CP1125", "koi8_t": "KOI8-T"}
    if codec in extra:
        yield extra[codec]


SKIP = {"aliases", "charmap", "mbcs", "oem", "undefined", "idna", "punycode", "unicode_escape",
        "raw_unicode_escape"}


def main():
    mods = sorted(set(encodings.aliases.aliases.values()) |
                  {m.name for m in pkgutil.iter_modules(encodings.__path__)})
    rows = []
    mism = {}
    for m in mods:
        if m in ("aliases", "mbcs", "oem"):
            continue
        ci = codecs.lookup(m)
        if getattr(ci, "_is_text_encoding", True) is False:
            rows.append((m, ci.name, "SRC_NOT_TEXT", None))
            continue
        if m in ("utf_8", "utf_8_sig"):
            rows.append((m, ci.name, "SRC_UTF8", None))
            continue
        found, best = None, None
        if m not in SKIP:
            try:
                text, data = sample(m)
            except Exception:
                text = ""
            stateful = m.startswith(("iso2022", "hz", "utf_7", "utf_16", "utf_32"))
            for name in candidates(m):
                if not text or iconv_decode(name, b"") is None:
                    continue
                if stateful:
                    bad = 0 if iconv_decode(name, data) == text else len(text)
                else:
                    bad = sum(iconv_decode(name, codecs.encode(c, m)) != c for c in text)
                if best is None or bad < best:
                    found, best = name, bad
            # glibc's tables differ from Python's on a few vendor characters (e.g. Shift-JIS 0x5C);
            # such codecs are still used; the count goes into the table as a comment.
            if best is not None and best > len(text) // 20:
                found = None
        mism[m] = best
        rows.append((m, ci.name, "SRC_ICONV" if found else "SRC_UNSUPPORTED", found))
        print("%-16s %-20s %s %s" % (m, ci.name, found, mism[m]), file=sys.stderr)
    out = ["/* encodings_table.h - generated by tools/gen_encodings.py from Python %s's encodings"
           % sys.version.split()[0],
           " * package and checked against glibc iconv; do not edit. */",
           "/* Python codec aliases (normalised names), sorted. */",
           "static const struct { const char *alias, *codec; } SRC_ALIASES[] = {"]
    for a, c in sorted(encodings.aliases.aliases.items()):
        out.append('    {"%s", "%s"},' % (a, c))
    out.append("};")
    out.append("/* Codec modules, sorted: the name Python prints in errors, how we decode it. */")
    out.append("static const struct { const char *codec, *pyname; int how; const char *iconv; } "
               "SRC_CODECS[] = {")
    for m, n, how, ic in rows:
        note = " /* %d characters differ */" % mism[m] if mism.get(m) else ""
        out.append('    {"%s", "%s", %s, %s},%s' % (m, n, how, '"%s"' % ic if ic else "NULL", note))
    out.append("};")
    print("\n".join(out))


if __name__ == "__main__":
    main()
