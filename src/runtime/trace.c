/* trace.c - reader of argument-key traces (.gtr, docs/trace-format.md), in the manner of Lua's
 * lundump.c: one small load function per field kind, each checking that its bytes are there
 * before reading them; every failure goes through fail() (one error path: the caller frees
 * what was built). Version 2 adds P (per-function summary), X (cache_clear) and B (test
 * boundary) records. Limits: strings fit in the file and hold no NUL, fids are dense and in range,
 * record counts are bounded by the bytes left, a T record ends the file, a P record comes once per
 * function, after its C records. */
#include "trace.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../base/xalloc.h"

enum { HEADER_SIZE = 16, CALL_SIZE = 4 + 8 * 5 + 1, FUNC_MIN_SIZE = 4 + 4 + 1 + 2 + 2, TRUNC_SIZE = 8,
       SUMMARY_SIZE = 4 + 8 + 8 + 1 + 8 };
enum { FLAGS_KNOWN = TR_RAISED | TR_UNHASHABLE | TR_MUTABLE_RESULT };

/* A call and where its record began, until the calls are sorted and checked. */
typedef struct Placed {
    TrCall c;
    size_t off;
} Placed;

/* Invariant: pos <= n; placed holds every C record read so far. */
typedef struct Loader {
    const unsigned char *p;
    size_t n, pos;
    TrFile *out;
    size_t capfuncs;
    Placed *placed;
    size_t nplaced, capplaced;
    size_t capclears, capbounds;
    char *err;
    size_t errlen;
} Loader;

static int fail(Loader *L, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Loader *L, size_t off, const char *fmt, ...) {
    if (L->errlen) {
        int k = snprintf(L->err, L->errlen, "offset %zu: ", off);
        if (k >= 0 && (size_t)k < L->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(L->err + k, L->errlen - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static size_t left(const Loader *L) { return L->n - L->pos; }

/* Checks that `need` more bytes are there; `what` names what they were to hold. */
static int need(Loader *L, size_t need, const char *what) {
    if (left(L) >= need) return 0;
    return fail(L, L->pos, "truncated %s: needs %zu bytes, %zu left", what, need, left(L));
}

static uint64_t get_le(const unsigned char *p, int size) {
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static int load_u8(Loader *L, uint8_t *v, const char *what) {
    if (need(L, 1, what)) return -1;
    *v = L->p[L->pos++];
    return 0;
}
static int load_u16(Loader *L, uint16_t *v, const char *what) {
    if (need(L, 2, what)) return -1;
    *v = (uint16_t)get_le(L->p + L->pos, 2);
    L->pos += 2;
    return 0;
}
static int load_u32(Loader *L, uint32_t *v, const char *what) {
    if (need(L, 4, what)) return -1;
    *v = (uint32_t)get_le(L->p + L->pos, 4);
    L->pos += 4;
    return 0;
}
static int load_u64(Loader *L, uint64_t *v, const char *what) {
    if (need(L, 8, what)) return -1;
    *v = get_le(L->p + L->pos, 8);
    L->pos += 8;
    return 0;
}

/* A string: u16 length, then that many bytes (UTF-8, no NUL). */
static int load_string(Loader *L, char **s, const char *what) {
    size_t at = L->pos;
    uint16_t len;
    if (load_u16(L, &len, what)) return -1;
    if (need(L, len, what)) return -1;
    if (memchr(L->p + L->pos, 0, len)) return fail(L, at, "%s contains a NUL byte", what);
    *s = xmalloc((size_t)len + 1);
    memcpy(*s, L->p + L->pos, len);
    (*s)[len] = 0;
    L->pos += len;
    return 0;
}

static int load_header(Loader *L) {
    if (need(L, HEADER_SIZE, "header")) return -1;
    if (memcmp(L->p, "GTR1", 4) != 0) return fail(L, 0, "not a .gtr trace (magic is not GTR1)");
    uint16_t version = 0, flags = 0;
    L->pos = 4;
    load_u16(L, &version, "version");
    if (version != 1 && version != 2) return fail(L, 4, "format version %u, this reader knows 1 and 2", version);
    L->out->version = version;
    load_u16(L, &flags, "flags");
    if (flags != 0) return fail(L, 6, "header flags 0x%x, expected 0", flags);
    load_u32(L, &L->out->pid, "pid");
    load_u32(L, &L->out->overhead_ns, "overhead_ns");
    return 0;
}

/* F: fid, line, kind, file, qualname. fids are 0, 1, 2 ... in order of appearance. */
static int load_func(Loader *L) {
    size_t at = L->pos - 1;
    if (need(L, FUNC_MIN_SIZE, "F record")) return -1;
    uint32_t fid = 0, line = 0;
    uint8_t kind = 0;
    load_u32(L, &fid, "fid");
    if (fid != L->out->nfuncs) return fail(L, at, "F record with fid %u, expected %zu", fid, L->out->nfuncs);
    load_u32(L, &line, "line");
    load_u8(L, &kind, "kind");
    if (kind != TR_CANDIDATE && kind != TR_CACHE) return fail(L, L->pos - 1, "function kind %u (0 or 1)", kind);
    if (L->out->nfuncs == L->capfuncs) {
        L->capfuncs = L->capfuncs ? 2 * L->capfuncs : 16;
        L->out->funcs = xrealloc(L->out->funcs, L->capfuncs * sizeof *L->out->funcs);
    }
    TrFunc *f = &L->out->funcs[L->out->nfuncs++]; /* counted now: tr_free frees its strings */
    memset(f, 0, sizeof *f);
    f->line = line;
    f->kind = kind;
    if (load_string(L, &f->file, "file")) return -1;
    return load_string(L, &f->qualname, "qualname");
}

/* C: fid, seq, parent_seq, key_hash, duration_ns, result_fp, flags. */
static int load_call(Loader *L) {
    size_t at = L->pos - 1;
    if (need(L, CALL_SIZE, "C record")) return -1;
    TrCall c = {0};
    load_u32(L, &c.fid, "fid");
    if (c.fid >= L->out->nfuncs)
        return fail(L, at, "C record for fid %u, but %zu functions were declared", c.fid, L->out->nfuncs);
    load_u64(L, &c.seq, "seq");
    load_u64(L, &c.parent_seq, "parent_seq");
    load_u64(L, &c.key_hash, "key_hash");
    load_u64(L, &c.duration_ns, "duration_ns");
    load_u64(L, &c.result_fp, "result_fp");
    load_u8(L, &c.flags, "flags");
    if (L->out->funcs[c.fid].has_summary) return fail(L, at, "C record for fid %u after its P record", c.fid);
    if (c.seq == 0) return fail(L, at, "call with seq 0 (seqs start at 1)");
    if (c.parent_seq >= c.seq)
        return fail(L, at, "call %llu has parent_seq %llu (a parent starts before its child)",
                    (unsigned long long)c.seq, (unsigned long long)c.parent_seq);
    if (c.flags & ~FLAGS_KNOWN) return fail(L, at, "call flags 0x%x: unknown bits", c.flags);
    if ((c.flags & TR_UNHASHABLE) && c.key_hash != 0) return fail(L, at, "UNHASHABLE call with a key_hash");
    if ((c.flags & TR_RAISED) && c.result_fp != 0) return fail(L, at, "RAISED call with a result_fp");
    if (L->nplaced == L->capplaced) { /* bounded: every record took CALL_SIZE + 1 bytes */
        L->capplaced = L->capplaced ? 2 * L->capplaced : 64;
        size_t most = L->n / (CALL_SIZE + 1) + 1;
        if (L->capplaced > most) L->capplaced = most;
        L->placed = xrealloc(L->placed, L->capplaced * sizeof *L->placed);
    }
    L->placed[L->nplaced].c = c;
    L->placed[L->nplaced++].off = at;
    return 0;
}

/* P (version 2): fid, calls, recorded, state, key_ns - once per function, after its C records. */
static int load_summary(Loader *L) {
    size_t at = L->pos - 1;
    if (L->out->version < 2) return fail(L, at, "P record in a version 1 file");
    if (need(L, SUMMARY_SIZE, "P record")) return -1;
    uint32_t fid = 0;
    uint64_t calls = 0, recorded = 0, key_ns = 0;
    uint8_t state = 0;
    load_u32(L, &fid, "fid");
    load_u64(L, &calls, "calls");
    load_u64(L, &recorded, "recorded");
    load_u8(L, &state, "state");
    load_u64(L, &key_ns, "key_ns");
    if (fid >= L->out->nfuncs)
        return fail(L, at, "P record for fid %u, but %zu functions were declared", fid, L->out->nfuncs);
    TrFunc *f = &L->out->funcs[fid];
    if (f->has_summary) return fail(L, at, "second P record for fid %u", fid);
    if (state > TR_STOPPED) return fail(L, at, "P record state %u (0-3)", state);
    if (recorded > calls)
        return fail(L, at, "P record: %llu calls recorded of %llu", (unsigned long long)recorded,
                    (unsigned long long)calls);
    f->has_summary = 1;
    f->calls = calls;
    f->recorded = recorded;
    f->state = state;
    f->key_ns = key_ns;
    return 0;
}

/* T: the number of calls not recorded. Nothing may follow. */
static int load_truncation(Loader *L) {
    size_t at = L->pos - 1;
    if (load_u64(L, &L->out->truncated, "T record")) return -1;
    if (L->out->truncated == 0) return fail(L, at, "T record with 0 calls left out");
    if (left(L)) return fail(L, L->pos, "%zu bytes after the T record (it ends the file)", left(L));
    return 0;
}

/* Grows an array of records by one; bounded: each record took at least `least` bytes of n. */
static void *grow_one(void *items, size_t *cap, size_t len, size_t size, size_t least, size_t n) {
    if (len < *cap) return items;
    *cap = *cap ? 2 * *cap : 16;
    size_t most = n / least + 1;
    if (*cap > most) *cap = most;
    return xrealloc(items, *cap * size);
}

/* X (version 2): fid, seq, origin, nodeid. */
static int load_clear(Loader *L) {
    size_t at = L->pos - 1;
    if (L->out->version < 2) return fail(L, at, "X record in a version 1 file");
    if (need(L, 4 + 8 + 1 + 2, "X record")) return -1;
    uint32_t fid = 0;
    uint64_t seq = 0;
    uint8_t origin = 0;
    load_u32(L, &fid, "fid");
    load_u64(L, &seq, "seq");
    load_u8(L, &origin, "origin");
    if (fid >= L->out->nfuncs)
        return fail(L, at, "X record for fid %u, but %zu functions were declared", fid, L->out->nfuncs);
    if (seq == 0) return fail(L, at, "X record with seq 0 (seqs start at 1)");
    if (origin >= TR_CLEAR_ORIGINS) return fail(L, at, "X record origin %u (0 to 3)", origin);
    TrFile *o = L->out;
    o->clears = grow_one(o->clears, &L->capclears, o->nclears, sizeof *o->clears, 16, L->n);
    TrClear *c = &o->clears[o->nclears++]; /* counted now: tr_free frees its string */
    *c = (TrClear){.fid = fid, .seq = seq, .origin = origin};
    return load_string(L, &c->nodeid, "X record node id");
}

/* B (version 2): phase, seq, nodeid. */
static int load_boundary(Loader *L) {
    size_t at = L->pos - 1;
    if (L->out->version < 2) return fail(L, at, "B record in a version 1 file");
    if (need(L, 1 + 8 + 2, "B record")) return -1;
    uint8_t phase = 0;
    uint64_t seq = 0;
    load_u8(L, &phase, "phase");
    load_u64(L, &seq, "seq");
    if (phase > TR_TEST_END) return fail(L, at, "B record phase %u (0 start, 1 end)", phase);
    if (seq == 0) return fail(L, at, "B record with seq 0 (seqs start at 1)");
    TrFile *o = L->out;
    o->bounds = grow_one(o->bounds, &L->capbounds, o->nbounds, sizeof *o->bounds, 12, L->n);
    TrBoundary *b = &o->bounds[o->nbounds++];
    *b = (TrBoundary){.phase = phase, .seq = seq};
    return load_string(L, &b->nodeid, "B record node id");
}

/* By seq; ties in any order (two clears at one seq empty the cache alike). */
static int cmp_clear(const void *a, const void *b) {
    uint64_t x = ((const TrClear *)a)->seq, y = ((const TrClear *)b)->seq;
    return (x > y) - (x < y);
}
static int cmp_bound(const void *a, const void *b) {
    uint64_t x = ((const TrBoundary *)a)->seq, y = ((const TrBoundary *)b)->seq;
    return (x > y) - (x < y);
}

static int cmp_seq(const void *a, const void *b) {
    uint64_t x = ((const Placed *)a)->c.seq, y = ((const Placed *)b)->c.seq;
    return (x > y) - (x < y);
}

/* Sorts the calls by seq (cache lookup order), rejects a seq used twice, keeps the TrCalls. */
static int sort_calls(Loader *L) {
    if (L->nplaced > 1) qsort(L->placed, L->nplaced, sizeof *L->placed, cmp_seq);
    for (size_t i = 1; i < L->nplaced; i++)
        if (L->placed[i].c.seq == L->placed[i - 1].c.seq) {
            size_t a = L->placed[i - 1].off, b = L->placed[i].off;
            return fail(L, a > b ? a : b, "seq %llu is used by two calls", (unsigned long long)L->placed[i].c.seq);
        }
    L->out->calls = xmalloc((L->nplaced ? L->nplaced : 1) * sizeof *L->out->calls);
    for (size_t i = 0; i < L->nplaced; i++) L->out->calls[i] = L->placed[i].c;
    L->out->ncalls = L->nplaced;
    return 0;
}

/* Functions without a P record get the defaults of trace.h; a P record's `recorded` must equal
 * the C records the file holds for it. */
static int check_summaries(Loader *L) {
    TrFile *t = L->out;
    uint64_t *n = xcalloc(t->nfuncs + 1, sizeof *n);
    for (size_t i = 0; i < t->ncalls; i++) n[t->calls[i].fid]++;
    int r = 0, any = 0;
    for (size_t i = 0; i < t->nfuncs; i++) any |= t->funcs[i].has_summary;
    for (size_t i = 0; i < t->nfuncs && !r; i++) {
        TrFunc *f = &t->funcs[i];
        if (f->has_summary) {
            if (f->recorded != n[i])
                r = fail(L, L->n, "P record of fid %zu says %llu calls recorded, the file has %llu", i,
                         (unsigned long long)f->recorded, (unsigned long long)n[i]);
            continue;
        }
        f->calls = f->recorded = n[i];
        /* a version 2 file with summaries but none for this fid: the process died before it; with
         * no summary at all, a probe that writes none (version 2 began with X and B): as version 1 */
        f->state = (t->version >= 2 && any) || t->truncated ? TR_CUT_SHORT : TR_COMPLETE;
    }
    free(n);
    return r;
}

static int load_records(Loader *L) {
    while (left(L)) {
        uint8_t type = 0;
        load_u8(L, &type, "record type");
        int r;
        switch (type) {
        case 'F': r = load_func(L); break;
        case 'C': r = load_call(L); break;
        case 'T': r = load_truncation(L); break;
        case 'P': r = load_summary(L); break;
        case 'X': r = load_clear(L); break;
        case 'B': r = load_boundary(L); break;
        default: r = fail(L, L->pos - 1, "unknown record type 0x%02x", type); break;
        }
        if (r) return -1;
    }
    if (L->out->nclears > 1) qsort(L->out->clears, L->out->nclears, sizeof *L->out->clears, cmp_clear);
    if (L->out->nbounds > 1) qsort(L->out->bounds, L->out->nbounds, sizeof *L->out->bounds, cmp_bound);
    if (sort_calls(L)) return -1;
    return check_summaries(L);
}

int tr_load(const unsigned char *data, size_t n, TrFile *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (errlen) err[0] = 0;
    Loader L = {.p = data, .n = data ? n : 0, .out = out, .err = err, .errlen = errlen};
    int r = load_header(&L);
    if (!r) r = load_records(&L);
    free(L.placed);
    if (r) {
        tr_free(out);
        memset(out, 0, sizeof *out);
    }
    return r;
}

void tr_free(TrFile *t) {
    if (!t) return;
    for (size_t i = 0; i < t->nfuncs; i++) {
        free(t->funcs[i].file);
        free(t->funcs[i].qualname);
    }
    for (size_t i = 0; i < t->nclears; i++) free(t->clears[i].nodeid);
    for (size_t i = 0; i < t->nbounds; i++) free(t->bounds[i].nodeid);
    free(t->funcs);
    free(t->calls);
    free(t->clears);
    free(t->bounds);
    t->funcs = NULL;
    t->calls = NULL;
    t->clears = NULL;
    t->bounds = NULL;
    t->nfuncs = t->ncalls = t->nclears = t->nbounds = 0;
}
