/* marshal.h - Python's marshal format, as .prof files use it: a reader for versions 2-5 that
 * builds a tree of MValue in an arena, and small writers for version 4 that CPython reads back.
 * The reader is modelled on Lua's lundump.c: every load checks the bytes it needs before it
 * reads them; hostile input gives an error with the offset of the offending byte. */
#ifndef GLINTEFY_MARSHAL_H
#define GLINTEFY_MARSHAL_H
#include <stddef.h>
#include <stdint.h>
#include "../base/arena.h"
#include "../base/buf.h"

/* Limits that keep hostile input from exhausting the stack. Sizes need no limit of their own:
 * every length is checked against the bytes left, so allocation stays proportional to the input. */
enum { MARSHAL_MAX_DEPTH = 100 };

#define MARSHAL_KINDS(X) \
    X(M_NONE, "None") X(M_TRUE, "bool") X(M_FALSE, "bool") X(M_ELLIPSIS, "ellipsis") \
    X(M_STOPITER, "StopIteration") X(M_INT, "int") X(M_BIGINT, "int") X(M_FLOAT, "float") \
    X(M_COMPLEX, "complex") X(M_STR, "str") X(M_BYTES, "bytes") X(M_TUPLE, "tuple") \
    X(M_LIST, "list") X(M_DICT, "dict") X(M_SET, "set") X(M_FROZENSET, "frozenset") \
    X(M_SLICE, "slice")

typedef enum MKind {
#define X(k, name) k,
    MARSHAL_KINDS(X)
#undef X
} MKind;

/* Python's type name for a kind ("tuple", "int", ...), for messages. */
const char *marshal_kind_name(MKind k);

/* One object. Shared objects (marshal back-references) appear as the same MValue more than once,
 * so the tree is a DAG; the reader refuses references to an object still being read, so it
 * has no cycles. Invariant: a container's items are never NULL. */
typedef struct MValue MValue;
struct MValue {
    uint8_t kind;     /* MKind */
    uint8_t busy;     /* being read: a reference to it is an error (no cycles) */
    uint32_t aux;     /* 0 after loading; free for a consumer to cache what it derived */
    size_t off;       /* offset of the object's type byte in the input */
    union {
        int64_t i;                                  /* M_INT */
        double f;                                   /* M_FLOAT; M_BIGINT: approximate value */
        struct { double re, im; } c;                /* M_COMPLEX */
        struct { const char *s; size_t len; } str;  /* M_STR (UTF-8, surrogates as WTF-8), M_BYTES */
        struct { MValue **items; size_t len; } seq; /* tuple, list, set, frozenset, slice (3 items);
                                                       M_DICT: key, value, key, value... and len pairs */
    } u;
};

typedef struct MarshalError {
    size_t offset;
    char msg[200];
} MarshalError;

/* Reads the first object of data[0..n). Returns it, or NULL with *err set. Nodes live in `arena`;
 * strings may point into `data`, which must outlive the tree. Bytes after the object are ignored,
 * as marshal.load does. A code object (profile.Profile writes one) becomes the str of its repr
 * without the address: <code object NAME, file "FILE", line N>. */
MValue *marshal_load(Arena *arena, const unsigned char *data, size_t n, MarshalError *err);

/* Writers for version 4 (what marshal.dumps(x, 4) produces, or an equivalent form it reads).
 * `ref` != 0 sets the reference flag: the object takes the next reference index. */
enum { MARSHAL_FLAG_REF = 0x80 };
void marshal_w_none(Buf *b);
void marshal_w_int(Buf *b, int64_t v); /* 'i' when it fits 32 bits, else 'l' */
void marshal_w_float(Buf *b, double v);
void marshal_w_str(Buf *b, const char *s, size_t len, int ref); /* UTF-8 */
void marshal_w_tuple(Buf *b, size_t n, int ref);                 /* then n objects */
void marshal_w_dict_begin(Buf *b, int ref);                      /* then key, value pairs */
void marshal_w_dict_end(Buf *b);
void marshal_w_ref(Buf *b, uint32_t index);

#endif
