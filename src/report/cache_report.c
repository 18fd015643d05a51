/* cache_report.c - writers of `review cache`: a small streaming JSON emitter (jansson would
 * build ~40,000 objects for a large repository just to print them), the five output files,
 * SARIF, summary.md and the terminal summary. Sections are rendered once and shared by the
 * file that holds only them and cache_analysis.json, which holds everything; the two lists with
 * an entry per function (tens of MB on a large repository) are rendered in chunks by several
 * threads while the chunks done are written (list_emit). */
#include "cache_report.h"
#include "../base/fileio.h"
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../base/thread.h"
#include "../base/xalloc.h"
#include "../review/files.h"
#include "../version.h"

const char *const CR_FILES[5] = {"existing_cache_evaluations.json", "pure_functions.json", "cache_candidates.json",
                                 "cache_analysis.json", "summary.md"};

const AnIssueDesc cr_reject_desc[CR__REJECT_COUNT] = {
#define X(e, code, name, msg) {code, name, msg},
    CR_REJECTS(X)
#undef X
};

/* ---- JSON emitter --------------------------------------------------------------------- */

enum { JW_MAXDEPTH = 32 };
/* Reasons listed per rejected candidate; the rest are counted (rejected_more). */
enum { CR_MAX_REJECTS = 5 };

/* Pretty JSON (2-space indent) into a Buf. Invariant: after_key is set between a key and its
 * value; has[d] says whether the container at depth d has elements yet. */
typedef struct Jw {
    Buf *b;
    int depth, after_key;
    int inline_from; /* containers at this depth and deeper go on one line (0: none) */
    int fd, err;     /* fd >= 0: jw_raw writes b and then the fragment to fd (no copy); err: errno */
    unsigned char has[JW_MAXDEPTH];
} Jw;

static inline void jw_indent(Jw *w) {
    static const char nl_spaces[1 + 2 * 8] = "\n                ";
    if (w->depth <= 8) { /* the usual depths: one copy */
        buf_put(w->b, nl_spaces, 1 + 2 * (size_t)w->depth);
        return;
    }
    buf_putc(w->b, '\n');
    for (int i = 0; i < w->depth; i++) buf_put(w->b, "  ", 2);
}

/* Starts a value: after a key nothing; else a comma if needed and a new line. */
static inline void jw_pre(Jw *w) {
    if (w->after_key) { w->after_key = 0; return; }
    if (w->depth == 0) return;
    int had = w->has[w->depth];
    if (had) buf_putc(w->b, ',');
    w->has[w->depth] = 1;
    if (w->inline_from && w->depth >= w->inline_from) {
        if (had) buf_putc(w->b, ' ');
    } else {
        jw_indent(w);
    }
}

/* Bytes that stand for themselves inside a JSON string: ASCII from ' ' up, but '"' and '\\'. */
static const unsigned char JSON_PLAIN[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
    /* 0x80-0xFF: 0, checked as UTF-8 */
};

/* The inside of a JSON string for the NUL-terminated s (no quotes): one pass, runs of plain
 * bytes copied at once (no strlen first). */
static void jw_str_body(Buf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        const unsigned char *q = p;
        while (JSON_PLAIN[*q]) q++;
        if (q != p) buf_put(b, p, (size_t)(q - p));
        p = q;
        unsigned c = *p;
        if (!c) return;
        if (c == '"' || c == '\\') { buf_putc(b, '\\'); buf_putc(b, (char)c); p++; }
        else if (c < 0x20) {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            if (c == '\n') buf_put(b, "\\n", 2);
            else if (c == '\t') buf_put(b, "\\t", 2);
            else buf_put(b, esc, 6);
            p++;
        } else {
            /* keep valid UTF-8 sequences, replace anything else by U+FFFD (the terminating NUL
             * is no continuation byte: a sequence cut by the end is invalid) */
            int len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            int ok = len;
            for (int i = 1; ok && i < len; i++) ok = (p[i] & 0xC0) == 0x80;
            if (ok) { buf_put(b, p, (size_t)len); p += len; }
            else { buf_put(b, "\\ufffd", 6); p++; }
        }
    }
}

static void jw_str_raw(Buf *b, const char *s) {
    buf_putc(b, '"');
    jw_str_body(b, s);
    buf_putc(b, '"');
}

static void jw_open(Jw *w, char c) {
    jw_pre(w);
    buf_putc(w->b, c);
    if (w->depth + 1 < JW_MAXDEPTH) w->depth++;
    w->has[w->depth] = 0;
}
static void jw_close(Jw *w, char c) {
    int had = w->has[w->depth], was_inline = w->inline_from && w->depth >= w->inline_from;
    w->depth--;
    if (had && !was_inline) jw_indent(w);
    buf_putc(w->b, c);
    if (w->inline_from && w->depth < w->inline_from) w->inline_from = 0;
}
/* Opens a container whose contents stay on one line. */
static void jw_open_inline(Jw *w, char c) {
    jw_pre(w);
    buf_putc(w->b, c);
    if (w->depth + 1 < JW_MAXDEPTH) w->depth++;
    w->has[w->depth] = 0;
    if (!w->inline_from) w->inline_from = w->depth;
}
/* A key of any text (escaped). */
static void jw_key(Jw *w, const char *k) {
    jw_pre(w);
    jw_str_raw(w->b, k);
    buf_put(w->b, ": ", 2);
    w->after_key = 1;
}
/* A key given as a string literal that needs no escaping (ASCII letters, digits, '_', '$'):
 * its quoted form and ": " are one literal, copied at once. */
#define JW_LIT_KEY(lit) "\"" lit "\": "
#define jw_lkey(w, lit) jw_key_quoted((w), JW_LIT_KEY(lit), sizeof(JW_LIT_KEY(lit)) - 1)
static inline void jw_key_quoted(Jw *w, const char *quoted, size_t n) {
    jw_pre(w);
    buf_put(w->b, quoted, n);
    w->after_key = 1;
}
static void jw_str(Jw *w, const char *s) {
    jw_pre(w);
    if (s) jw_str_raw(w->b, s);
    else buf_put(w->b, "null", 4);
}
static void jw_int(Jw *w, long long v) {
    jw_pre(w);
    char t[24], *q = t + sizeof t;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do *--q = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--q = '-';
    buf_put(w->b, q, (size_t)(t + sizeof t - q));
}
static void jw_bool(Jw *w, int v) {
    jw_pre(w);
    if (v) buf_put(w->b, "true", 4);
    else buf_put(w->b, "false", 5);
}
static void jw_null(Jw *w) { jw_pre(w); buf_put(w->b, "null", 4); }
/* A number with `dec` decimals, as printf's %.*f (JSON has no NaN/inf: those become null). */
static void jw_num(Jw *w, double v, int dec) {
    jw_pre(w);
    if (v != v || v > 1e300 || v < -1e300) buf_put(w->b, "null", 4);
    else buf_put_fixed(w->b, v, dec);
}
/* Writes what b holds to w->fd and empties b. */
static void jw_flush(Jw *w) {
    if (w->fd < 0 || !w->b->len) return;
    if (!w->err) w->err = file_write_all(w->fd, w->b->data, w->b->len);
    w->b->len = 0;
    w->b->data[0] = 0;
}
static void jw_raw(Jw *w, const Buf *frag) {
    jw_pre(w);
    if (!frag->data) return;
    if (w->fd >= 0) {
        jw_flush(w);
        if (!w->err) w->err = file_write_all(w->fd, frag->data, frag->len);
    } else {
        buf_put(w->b, frag->data, frag->len);
    }
}

/* KEY: VALUE pairs; KEY is a string literal (see jw_lkey). kv_str's key, colon and opening
 * quote are one literal. */
#define kv_str(w, k, v) kv_str_quoted((w), JW_LIT_KEY(k) "\"", sizeof(JW_LIT_KEY(k) "\"") - 1, (v))
#define kv_int(w, k, v) (jw_lkey((w), k), jw_int((w), (v)))
#define kv_num(w, k, v, dec) (jw_lkey((w), k), jw_num((w), (v), (dec)))
#define kv_bool(w, k, v) (jw_lkey((w), k), jw_bool((w), (v)))
static inline void kv_str_quoted(Jw *w, const char *quoted, size_t n, const char *v) {
    jw_pre(w);
    if (v) {
        buf_put(w->b, quoted, n);
        jw_str_body(w->b, v);
        buf_putc(w->b, '"');
    } else {
        buf_put(w->b, quoted, n - 1);
        buf_put(w->b, "null", 4);
    }
}

/* A section rendered at depth 1, as the value of a top-level key. */
static Jw section(Buf *b) {
    Jw w = {.b = b, .depth = 1, .after_key = 1, .fd = -1};
    return w;
}

/* ---- shared pieces ------------------------------------------------------------------- */

static const char *cache_kind_name(AnCacheKind k) {
    switch (k) {
    case AN_LRU_CACHE: return "lru_cache";
    case AN_CACHE: return "cache";
    case AN_CACHED_PROPERTY: return "cached_property";
    default: return "none";
    }
}

static const char *purity_name(AnPurity p) { return p == AN_PURE ? "pure" : p == AN_IMPURE ? "impure" : "unknown"; }

static void issue_obj(Jw *w, const AnIssue *is) {
    const AnIssueDesc *d = &an_issue_desc[is->kind];
    jw_open_inline(w, '{');
    kv_str(w, "code", d->code);
    kv_str(w, "name", d->name);
    kv_str(w, "message", d->message);
    kv_int(w, "line", is->loc.line);
    kv_int(w, "col", is->loc.col);
    if (is->detail) kv_str(w, "detail", is->detail);
    if (is->other_file) {
        kv_str(w, "other_file", is->other_file);
        kv_int(w, "other_line", is->other_loc.line);
        kv_int(w, "other_col", is->other_loc.col);
    }
    jw_close(w, '}');
}

static void issues_arr(Jw *w, const char *key, const AnIssue *is, int n) {
    jw_key(w, key);
    jw_open(w, '[');
    for (int i = 0; i < n; i++) issue_obj(w, &is[i]);
    jw_close(w, ']');
}

static void func_head(Jw *w, const AnFile *f, const AnFunc *fn) {
    kv_str(w, "file", f->path);
    kv_str(w, "function", fn->name);
    kv_int(w, "line", fn->line);
    kv_str(w, "module", f->module);
    kv_str(w, "qualname", fn->qualname);
}

static void expense_obj(Jw *w, const AnExpense *e) {
    jw_lkey(w, "expense");
    jw_open_inline(w, '{');
    kv_int(w, "loop_depth", e->loop_depth);
    kv_int(w, "loops", e->loops);
    kv_int(w, "comprehensions", e->comprehensions);
    kv_bool(w, "recursive", e->recursive);
    kv_int(w, "heavy_calls", e->heavy_calls);
    kv_int(w, "statements", e->statements);
    jw_close(w, '}');
}

static void existing_obj(Jw *w, const CrExisting *x) {
    const AnFunc *fn = x->fn;
    jw_open(w, '{');
    func_head(w, x->file, fn);
    kv_str(w, "decorator", cache_kind_name(fn->cache.kind));
    jw_lkey(w, "current_maxsize");
    if (fn->cache.maxsize == AN_UNBOUNDED) jw_str(w, "unbounded");
    else if (fn->cache.maxsize < 0) jw_null(w); /* an expression the analysis cannot evaluate */
    else jw_int(w, fn->cache.maxsize);
    kv_bool(w, "typed", fn->cache.typed);
    /* how the cache is made: a decorator, an assignment, one per instance, a cache factory's use */
    kv_str(w, "made_by", fn->cache.via ? fn->cache.via : "decorator");
    if (fn->cache.factory) kv_str(w, "factory", fn->cache.factory);
    kv_str(w, "recommendation", x->recommendation);
    kv_str(w, "reason", x->reason);
    jw_lkey(w, "suggested_maxsize");
    if (x->suggested_maxsize > 0) jw_int(w, x->suggested_maxsize);
    else if (x->suggested_maxsize < 0) jw_str(w, "unbounded"); /* from traces: functools.cache */
    else jw_null(w);
    kv_str(w, "source", x->source);
    if (x->verdict.reach) kv_str(w, "reach", x->verdict.reach);
    kv_int(w, "calls", x->verdict.calls);
    if (cr_existing_is_action(x)) {
        jw_lkey(w, "gain");
        jw_open_inline(w, '{');
        jw_lkey(w, "time_s");
        if (x->verdict.gain_s >= 0) jw_num(w, x->verdict.gain_s, 6);
        else jw_null(w);
        kv_int(w, "entries_freed", x->verdict.entries_freed);
        jw_close(w, '}');
    }
    jw_lkey(w, "evidence");
    if (x->trace_evidence) {
        Buf ev = {.data = x->trace_evidence, .len = strlen(x->trace_evidence)};
        jw_raw(w, &ev);
    } else {
    jw_open(w, '{');
    kv_int(w, "hits", x->hits);
    kv_int(w, "misses", x->misses);
    kv_num(w, "hit_rate_percent", x->hit_rate_percent, 1);
    kv_int(w, "calls", x->verdict.calls);
    if (!strcmp(x->source, "static")) kv_int(w, "call_sites", fn->call_sites);
    else if (!strcmp(x->source, "profile")) {
        kv_int(w, "body_calls", x->prof.calls);
        kv_num(w, "cumtime", x->prof.cumtime, 6);
    } else {
        kv_int(w, "currsize", x->currsize);
        jw_lkey(w, "maxsize");
        if (x->maxsize_seen < 0) jw_null(w);
        else jw_int(w, x->maxsize_seen);
        jw_lkey(w, "utilization_percent");
        if (x->utilization_percent < 0) jw_null(w);
        else jw_num(w, x->utilization_percent, 1);
        kv_str(w, "rating", x->rating);
    }
    jw_close(w, '}');
    }
    if (x->note) kv_str(w, "note", x->note);
    kv_str(w, "purity", purity_name(fn->purity));
    issues_arr(w, "hazards", fn->hazards, fn->nhazards);
    jw_close(w, '}');
}

static void candidate_obj(Jw *w, const CrCandidate *c) {
    const AnFunc *fn = c->fn;
    jw_open_inline(w, '{'); /* one line per candidate: there is one per function */
    func_head(w, c->file, fn);
    kv_str(w, "verdict", c->not_measured ? "NOT_MEASURED" : c->accepted ? "ADD_CACHE" : "REJECTED");
    if (c->not_measured) kv_str(w, "not_measured", c->not_measured);
    jw_lkey(w, "rank");
    if (c->rank) jw_int(w, c->rank);
    else jw_null(w);
    kv_num(w, "score", c->score, 2);
    kv_str(w, "purity", purity_name(fn->purity));
    kv_int(w, "call_sites", fn->call_sites);
    expense_obj(w, &fn->expense);
    kv_num(w, "expense_score", c->expense_score, 2);
    jw_lkey(w, "profile");
    if (c->profiled) {
        jw_open_inline(w, '{');
        kv_bool(w, "hot", c->hot);
        if (c->priority) kv_str(w, "priority", c->priority);
        kv_int(w, "calls", c->calls);
        kv_int(w, "primitive_calls", c->primitive_calls);
        kv_num(w, "tottime", c->tottime, 6);
        kv_num(w, "cumtime", c->cumtime, 6);
        kv_num(w, "percall", c->percall, 9);
        jw_close(w, '}');
    } else {
        jw_null(w);
    }
    if (c->trace_json) {
        Buf tj = {.data = c->trace_json, .len = strlen(c->trace_json)};
        jw_lkey(w, "trace");
        jw_raw(w, &tj);
    }
    /* one entry per distinct code (its first place), at most CR_MAX_REJECTS; names and
     * messages of the codes are in the file's "codes" table */
    jw_lkey(w, "rejected_because");
    jw_open(w, '[');
    int shown = 0;
    for (int i = 0; i < c->nrejects && shown < CR_MAX_REJECTS; i++) {
        const CrReject *r = &c->rejects[i];
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) {
            const char *a = c->rejects[j].code;
            seen = a == r->code || (a[0] == r->code[0] && !strcmp(a, r->code));
        }
        if (seen) continue;
        shown++;
        jw_open_inline(w, '{');
        kv_str(w, "code", r->code);
        if (r->detail) kv_str(w, "detail", r->detail);
        if (r->loc.line) {
            kv_int(w, "line", r->loc.line);
            kv_int(w, "col", r->loc.col);
        }
        jw_close(w, '}');
    }
    jw_close(w, ']');
    if (c->nrejects > shown) kv_int(w, "rejected_more", c->nrejects - shown);
    jw_close(w, '}');
}

static void pure_obj(Jw *w, const CrCandidate *c) {
    const AnFunc *fn = c->fn;
    jw_open_inline(w, '{');
    func_head(w, c->file, fn);
    kv_int(w, "call_sites", fn->call_sites);
    kv_str(w, "cached", fn->cache.kind ? cache_kind_name(fn->cache.kind) : NULL);
    kv_bool(w, "candidate", c->accepted);
    expense_obj(w, &fn->expense);
    jw_close(w, '}');
}

static void pure_item(Jw *w, const CrReport *r, size_t i) {
    if (r->candidates[i].fn->purity == AN_PURE) pure_obj(w, &r->candidates[i]);
}
static void candidate_item(Jw *w, const CrReport *r, size_t i) { candidate_obj(w, &r->candidates[i]); }

/* Candidates are in rank order, so their functions and strings lie all over the files' arenas:
 * rendering waits on memory. Stage 0 fetches a candidate's function and rejects, stage 1 (later,
 * once those have arrived) the strings they point to. */
static void candidate_prefetch(const CrReport *r, size_t i, int stage) {
    const CrCandidate *c = &r->candidates[i];
    if (stage == 0) {
        __builtin_prefetch(c->fn);
        __builtin_prefetch((const char *)c->fn + 64);
        __builtin_prefetch(c->rejects);
        return;
    }
    __builtin_prefetch(c->fn->name);
    __builtin_prefetch(c->fn->qualname);
    __builtin_prefetch(c->file->path);
    __builtin_prefetch(c->file->module);
    for (int j = 0; j < c->nrejects && j < CR_MAX_REJECTS; j++)
        if (c->rejects[j].detail) __builtin_prefetch(c->rejects[j].detail);
}
/* The same for the pure functions: every function is looked at, the pure ones' strings fetched. */
static void pure_prefetch(const CrReport *r, size_t i, int stage) {
    const CrCandidate *c = &r->candidates[i];
    if (stage == 0) __builtin_prefetch(c->fn);
    else if (c->fn->purity == AN_PURE) {
        __builtin_prefetch(c->fn->name);
        __builtin_prefetch(c->fn->qualname);
        __builtin_prefetch(c->file->path);
        __builtin_prefetch(c->file->module);
    }
}

/* ---- lists rendered by several threads ------------------------------------------------ */

/* A JSON array with one entry per item 0..n-1: item(w, r, i) renders item i's value, or nothing. */
typedef struct List {
    const CrReport *r;
    void (*item)(Jw *w, const CrReport *r, size_t i);
    void (*prefetch)(const CrReport *r, size_t i, int stage); /* or NULL */
    size_t n;
    int threads; /* rendering threads, the caller's included */
} List;

enum { LIST_CHUNK = 512 }; /* items per chunk (about 350 kB of candidates) */
enum { PREFETCH_AHEAD = 8 }; /* items between prefetch stages, and from stage 1 to rendering */

/* Chunk c is rendered into slot[c % nslots] by any thread, as the caller's writer would have
 * written it after an entry (every entry starts with its comma), and emitted in order by the
 * caller. A chunk may start only once the chunk nslots before it has been emitted; the slots'
 * buffers are reused, so memory stays at nslots chunks and their pages stay warm. */
typedef struct ListRun {
    const List *l;
    Jw proto; /* the writer's state inside the array, an entry before */
    size_t nchunks, nslots;
    Buf *slot;
    unsigned char *ready; /* per slot: its chunk is rendered and not yet emitted */
    size_t next;          /* the next chunk to render */
    size_t emitted;       /* chunks emitted */
    pthread_mutex_t mu;
    pthread_cond_t cv;    /* a chunk rendered or emitted */
} ListRun;

static void render_chunk(ListRun *q, size_t c) {
    Buf *b = &q->slot[c % q->nslots];
    b->len = 0;
    if (b->data) b->data[0] = 0;
    Jw w = q->proto;
    w.b = b;
    const List *l = q->l;
    size_t lo = c * LIST_CHUNK, hi = l->n - lo < LIST_CHUNK ? l->n : lo + LIST_CHUNK;
    for (size_t i = lo; i < hi; i++) {
        if (l->prefetch) {
            if (i + 2 * PREFETCH_AHEAD < l->n) l->prefetch(l->r, i + 2 * PREFETCH_AHEAD, 0);
            if (i + PREFETCH_AHEAD < l->n) l->prefetch(l->r, i + PREFETCH_AHEAD, 1);
        }
        l->item(&w, l->r, i);
    }
}

/* With q->mu held: takes the next chunk to render if its slot is free. */
static int claim_chunk(ListRun *q, size_t *c) {
    if (q->next >= q->nchunks || q->next >= q->emitted + q->nslots) return 0;
    *c = q->next++;
    return 1;
}

/* With q->mu held: renders chunk c unlocked, then marks it ready. */
static void render_claimed(ListRun *q, size_t c) {
    pthread_mutex_unlock(&q->mu);
    render_chunk(q, c);
    pthread_mutex_lock(&q->mu);
    q->ready[c % q->nslots] = 1;
    pthread_cond_broadcast(&q->cv);
}

static void *list_worker(void *arg) {
    ListRun *q = arg;
    pthread_mutex_lock(&q->mu);
    while (q->next < q->nchunks) {
        size_t c;
        if (claim_chunk(q, &c)) render_claimed(q, c);
        else pthread_cond_wait(&q->cv, &q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* The list as the value of a key just written to w: the same bytes as rendering the items one
 * after the other into w. With w->fd >= 0 each chunk is written to fd from its own buffer as
 * soon as it and those before it are done (the caller's thread renders too while it waits). */
static void list_emit(Jw *w, const List *l) {
    jw_open(w, '[');
    if (w->fd >= 0) jw_flush(w);
    ListRun q = {.l = l, .proto = *w, .nchunks = (l->n + LIST_CHUNK - 1) / LIST_CHUNK};
    q.proto.fd = -1;
    q.proto.has[w->depth] = 1;
    /* an entry after another starts with "," and a new line, or ", " on an inline line; the
     * first has no comma (and no space) */
    size_t skip = w->inline_from && w->depth >= w->inline_from ? 2 : 1;
    int threads = l->threads < 1 ? 1 : l->threads;
    if ((size_t)threads > q.nchunks) threads = q.nchunks ? (int)q.nchunks : 1;
    q.nslots = (size_t)threads * 2;
    q.slot = xcalloc(q.nslots, sizeof *q.slot);
    q.ready = xcalloc(q.nslots, 1);
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.cv, NULL);
    pthread_t tid[64];
    int started = 0;
    while (started < threads - 1 && started < 64 && thread_create(&tid[started], list_worker, &q) == 0) started++;
    int any = 0;
    for (size_t c = 0; c < q.nchunks; c++) {
        size_t s = c % q.nslots, m;
        pthread_mutex_lock(&q.mu);
        while (!q.ready[s]) {
            if (claim_chunk(&q, &m)) render_claimed(&q, m);
            else pthread_cond_wait(&q.cv, &q.mu);
        }
        pthread_mutex_unlock(&q.mu);
        const Buf *b = &q.slot[s];
        size_t from = any || !b->len ? 0 : skip;
        any |= b->len > 0;
        if (b->len > from) {
            if (w->fd < 0) buf_put(w->b, b->data + from, b->len - from);
            else if (!w->err) w->err = file_write_all(w->fd, b->data + from, b->len - from);
        }
        pthread_mutex_lock(&q.mu);
        q.ready[s] = 0;
        q.emitted++;
        pthread_cond_broadcast(&q.cv);
        pthread_mutex_unlock(&q.mu);
    }
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    pthread_cond_destroy(&q.cv);
    pthread_mutex_destroy(&q.mu);
    for (size_t i = 0; i < q.nslots; i++) buf_free(&q.slot[i]);
    free(q.slot);
    free(q.ready);
    w->has[w->depth] = (unsigned char)any;
    jw_close(w, ']');
}

/* The sections rendered once each (the per-function lists are streamed: list_emit). */
typedef struct Sections {
    Buf existing, accepted, rejected_by_code, codes, counts, runtime, settings, skipped, timings;
} Sections;

static void code_entry(Jw *w, const AnIssueDesc *d) {
    jw_key(w, d->code);
    jw_open_inline(w, '{');
    kv_str(w, "name", d->name);
    kv_str(w, "message", d->message);
    jw_close(w, '}');
}

/* Candidates rejected for each code (a candidate counts once per distinct code). */
enum { CODE_SLOTS = 256 }; /* open addressing by pointer, at most half full */
_Static_assert(AN__ISSUE_COUNT + CR__REJECT_COUNT <= CODE_SLOTS / 2, "CODE_SLOTS too small");
static unsigned code_slot(const char *p) { return (unsigned)(((uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull) >> 56); }

static void rejected_by_code(Jw *w, const CrReport *r) {
    enum { NCODES = AN__ISSUE_COUNT + CR__REJECT_COUNT };
    const char *codes[NCODES];
    size_t counts[NCODES] = {0}, seen_by[NCODES] = {0}; /* seen_by: 1 + the candidate that counted */
    int n = 0;
    for (int k = 0; k < CR__REJECT_COUNT; k++) codes[n++] = cr_reject_desc[k].code;
    for (int k = 0; k < AN__ISSUE_COUNT; k++) codes[n++] = an_issue_desc[k].code;
    /* reject codes point into those tables: found by pointer, by text only when not */
    const char *slot_code[CODE_SLOTS] = {0};
    unsigned char slot_k[CODE_SLOTS];
    for (int k = 0; k < n; k++) {
        unsigned h = code_slot(codes[k]);
        while (slot_code[h] && slot_code[h] != codes[k]) h = (h + 1) % CODE_SLOTS;
        if (!slot_code[h]) { slot_code[h] = codes[k]; slot_k[h] = (unsigned char)k; }
    }
    for (size_t i = 0; i < r->ncandidates; i++) {
        const CrCandidate *c = &r->candidates[i];
        if (i + 8 < r->ncandidates) __builtin_prefetch(r->candidates[i + 8].rejects); /* scattered */
        for (int j = 0; j < c->nrejects; j++) {
            const char *code = c->rejects[j].code;
            unsigned h = code_slot(code);
            while (slot_code[h] && slot_code[h] != code) h = (h + 1) % CODE_SLOTS;
            int k = slot_code[h] ? slot_k[h] : 0;
            if (!slot_code[h])
                while (k < n && strcmp(codes[k], code) != 0) k++;
            if (k == n || seen_by[k] == i + 1) continue;
            counts[k]++;
            seen_by[k] = i + 1;
        }
    }
    jw_open_inline(w, '{');
    for (int k = 0; k < n; k++)
        if (counts[k]) {
            jw_key(w, codes[k]);
            jw_int(w, (long long)counts[k]);
        }
    jw_close(w, '}');
}

static void render_sections(const CrReport *r, Sections *s) {
    memset(s, 0, sizeof *s);
    Jw w = section(&s->existing);
    jw_open(&w, '[');
    for (size_t i = 0; i < r->nexisting; i++) existing_obj(&w, &r->existing[i]);
    jw_close(&w, ']');

    w = section(&s->accepted);
    jw_open(&w, '[');
    for (size_t i = 0; i < r->ncandidates && r->candidates[i].accepted; i++) candidate_obj(&w, &r->candidates[i]);
    jw_close(&w, ']');

    w = section(&s->rejected_by_code);
    rejected_by_code(&w, r);

    w = section(&s->codes);
    jw_open(&w, '{');
    for (int k = 0; k < AN__ISSUE_COUNT; k++) code_entry(&w, &an_issue_desc[k]);
    for (int k = 0; k < CR__REJECT_COUNT; k++) code_entry(&w, &cr_reject_desc[k]);
    jw_close(&w, '}');

    size_t keep = 0, rem = 0, adj = 0, hazards = 0;
    for (size_t i = 0; i < r->nexisting; i++) {
        const char *rec = r->existing[i].recommendation;
        keep += !strcmp(rec, "KEEP");
        rem += !strcmp(rec, "REMOVE");
        adj += !strcmp(rec, "ADJUST_SIZE");
        hazards += (size_t)r->existing[i].fn->nhazards;
    }
    w = section(&s->counts);
    jw_open(&w, '{');
    kv_int(&w, "files", (long long)r->files);
    kv_int(&w, "files_skipped", (long long)r->nskipped);
    kv_int(&w, "bytes", (long long)r->bytes);
    kv_int(&w, "functions", (long long)r->functions);
    kv_int(&w, "pure", (long long)r->pure);
    kv_int(&w, "impure", (long long)r->impure);
    kv_int(&w, "unknown", (long long)r->unknown);
    kv_int(&w, "existing_caches", (long long)r->nexisting);
    kv_int(&w, "keep", (long long)keep);
    kv_int(&w, "remove", (long long)rem);
    kv_int(&w, "adjust_size", (long long)adj);
    kv_int(&w, "hazards", (long long)hazards);
    kv_int(&w, "candidates_considered", (long long)r->ncandidates);
    kv_int(&w, "candidates_accepted", (long long)r->naccepted);
    kv_int(&w, "candidates_profile_backed", (long long)r->nprofile_backed);
    jw_close(&w, '}');

    w = section(&s->runtime);
    jw_open(&w, '{');
    kv_str(&w, "mode", r->mode);
    jw_lkey(&w, "profiles");
    jw_open(&w, '[');
    for (size_t i = 0; i < r->nprofiles; i++) jw_str(&w, r->profiles[i]);
    jw_close(&w, ']');
    kv_int(&w, "profile_rows", (long long)r->profile_rows);
    kv_int(&w, "profile_rows_joined", (long long)r->profile_rows_joined);
    kv_str(&w, "cache_stats", r->cache_stats_path);
    kv_int(&w, "cache_stats_entries", (long long)r->cache_stats_entries);
    kv_int(&w, "cache_stats_matched", (long long)r->cache_stats_matched);
    jw_lkey(&w, "warnings");
    jw_open(&w, '[');
    for (size_t i = 0; i < r->nwarnings; i++) jw_str(&w, r->warnings[i]);
    jw_close(&w, ']');
    jw_close(&w, '}');

    w = section(&s->settings);
    jw_open(&w, '{');
    kv_int(&w, "cache_size", r->cache_size);
    kv_num(&w, "hit_rate_threshold", r->hit_rate_threshold, 1);
    kv_num(&w, "remove_threshold", r->remove_threshold, 1);
    kv_num(&w, "size_adjustment_threshold", r->size_adjustment_threshold, 1);
    kv_int(&w, "min_suggested_maxsize", r->min_suggested_maxsize);
    kv_int(&w, "min_calls", r->min_calls);
    kv_num(&w, "min_cumtime", r->min_cumtime, 3);
    kv_num(&w, "max_profile_age_hours", r->max_profile_age_hours, 1);
    jw_close(&w, '}');

    w = section(&s->skipped);
    jw_open(&w, '[');
    for (size_t i = 0; i < r->nskipped; i++) {
        jw_open(&w, '{');
        kv_str(&w, "file", r->skipped[i].path);
        kv_int(&w, "line", r->skipped[i].line);
        kv_int(&w, "col", r->skipped[i].col);
        kv_str(&w, "message", r->skipped[i].msg);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    w = section(&s->timings);
    jw_open(&w, '{');
    kv_int(&w, "threads", r->threads);
    kv_num(&w, "discover_seconds", r->t_discover, 6);
    kv_num(&w, "parse_and_facts_seconds", r->t_parse, 6);
    kv_num(&w, "link_seconds", r->t_link, 6);
    kv_num(&w, "advice_seconds", r->t_advice, 6);
    kv_num(&w, "write_seconds", r->t_write, 6);
    kv_num(&w, "total_seconds", r->t_total, 6);
    jw_close(&w, '}');
}

static void free_sections(Sections *s) {
    buf_free(&s->existing);
    buf_free(&s->accepted);
    buf_free(&s->rejected_by_code);
    buf_free(&s->codes);
    buf_free(&s->counts);
    buf_free(&s->runtime);
    buf_free(&s->settings);
    buf_free(&s->skipped);
    buf_free(&s->timings);
}

/* {"version": 1, "tool": ..., "kind": KIND, [EXTRA_KEY: extra_key_frag,] KEY: frag or list} to fd
 * (or appended to out when fd < 0). Returns 0 or an errno value. */
static int one_section_file(int fd, Buf *out, const char *kind, const char *key, const Buf *frag, const List *list,
                            const Buf *extra_key_frag, const char *extra_key) {
    Jw w = {.b = out, .fd = fd};
    jw_open(&w, '{');
    kv_int(&w, "version", CR_FORMAT_VERSION);
    kv_str(&w, "tool", "glintefy " GLINTEFY_VERSION);
    kv_str(&w, "kind", kind);
    if (extra_key) { jw_key(&w, extra_key); jw_raw(&w, extra_key_frag); }
    jw_key(&w, key);
    if (list) list_emit(&w, list);
    else jw_raw(&w, frag);
    jw_close(&w, '}');
    buf_putc(out, '\n');
    jw_flush(&w);
    return w.err;
}

static int analysis_from(int fd, const CrReport *r, const Sections *s, Buf *out) {
    Jw w = {.b = out, .fd = fd};
    jw_open(&w, '{');
    kv_int(&w, "version", CR_FORMAT_VERSION);
    kv_str(&w, "tool", "glintefy " GLINTEFY_VERSION);
    kv_str(&w, "kind", "cache_analysis");
    kv_str(&w, "repo", r->repo);
    jw_lkey(&w, "counts"); jw_raw(&w, &s->counts);
    jw_lkey(&w, "runtime_data"); jw_raw(&w, &s->runtime);
    jw_lkey(&w, "settings"); jw_raw(&w, &s->settings);
    jw_lkey(&w, "timings"); jw_raw(&w, &s->timings);
    jw_lkey(&w, "skipped_files"); jw_raw(&w, &s->skipped);
    jw_lkey(&w, "existing_caches"); jw_raw(&w, &s->existing);
    jw_lkey(&w, "candidates"); jw_raw(&w, &s->accepted);
    jw_lkey(&w, "rejected_candidates"); jw_open(&w, '{');
    kv_int(&w, "count", (long long)(r->ncandidates - r->naccepted));
    kv_str(&w, "listed_in", "cache_candidates.json");
    jw_lkey(&w, "by_code"); jw_raw(&w, &s->rejected_by_code);
    jw_close(&w, '}');
    jw_lkey(&w, "codes"); jw_raw(&w, &s->codes);
    jw_close(&w, '}');
    buf_putc(out, '\n');
    jw_flush(&w);
    return w.err;
}

void cr_analysis_json(const CrReport *r, Buf *out) {
    Sections s;
    render_sections(r, &s);
    analysis_from(-1, r, &s, out);
    free_sections(&s);
}

typedef struct EmitCtx {
    const CrReport *r;
    const Sections *s;
    int which;
} EmitCtx;

static int emit_file(int fd, void *vctx) {
    EmitCtx *c = vctx;
    Buf glue = {0};
    int e = 0;
    List pure = {c->r, pure_item, pure_prefetch, c->r->ncandidates, c->r->threads};
    List candidates = {c->r, candidate_item, candidate_prefetch, c->r->ncandidates, c->r->threads};
    switch (c->which) {
    case 0: e = one_section_file(fd, &glue, "existing_cache_evaluations", "evaluations", &c->s->existing, NULL, &c->s->runtime, "runtime_data"); break;
    case 1: e = one_section_file(fd, &glue, "pure_functions", "functions", NULL, &pure, NULL, NULL); break;
    case 2: e = one_section_file(fd, &glue, "cache_candidates", "candidates", NULL, &candidates, &c->s->codes, "codes"); break;
    case 3: e = analysis_from(fd, c->r, c->s, &glue); break;
    default:
        cr_summary_md(c->r, &glue);
        e = glue.len ? file_write_all(fd, glue.data, glue.len) : 0;
    }
    buf_free(&glue);
    return e;
}

int cr_write_files(const CrReport *r, FileSet *set, const char **failed) {
    static char path[PATH_MAX + 64];
    int e = file_set_begin(set, r->output_dir);
    if (e) {
        *failed = r->output_dir;
        return e;
    }
    Sections s;
    render_sections(r, &s);
    for (int i = 0; i < 5 && !e; i++) {
        snprintf(path, sizeof path, "%s/%s", r->output_dir, CR_FILES[i]);
        EmitCtx c = {r, &s, i};
        e = file_set_write(set, CR_FILES[i], emit_file, &c);
        if (e) *failed = path;
    }
    free_sections(&s);
    return e;
}

/* ---- SARIF ----------------------------------------------------------------------------- */

static const char *issue_level(AnIssueKind k) {
    switch (k) {
    case AN_C_GENERATOR:
    case AN_C_MUTATED_RESULT:
    case AN_C_UNHASHABLE_ARG: return "error";
    case AN_C_TOO_CHEAP: return "note";
    default: return "warning";
    }
}

static void sarif_location(Jw *w, const char *file, int line, int col) {
    jw_open(w, '{');
    jw_lkey(w, "physicalLocation");
    jw_open(w, '{');
    jw_lkey(w, "artifactLocation");
    jw_open(w, '{');
    kv_str(w, "uri", file);
    kv_str(w, "uriBaseId", "SRCROOT");
    jw_close(w, '}');
    jw_lkey(w, "region");
    jw_open(w, '{');
    kv_int(w, "startLine", line > 0 ? line : 1);
    kv_int(w, "startColumn", col >= 0 ? col + 1 : 1);
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, '}');
}

void cr_sarif(const CrReport *r, Buf *out) {
    Jw w = {.b = out, .fd = -1};
    jw_open(&w, '{');
    kv_str(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    kv_str(&w, "version", "2.1.0");
    jw_lkey(&w, "runs");
    jw_open(&w, '[');
    jw_open(&w, '{');
    jw_lkey(&w, "tool");
    jw_open(&w, '{');
    jw_lkey(&w, "driver");
    jw_open(&w, '{');
    kv_str(&w, "name", "glintefy");
    kv_str(&w, "version", GLINTEFY_VERSION);
    kv_str(&w, "informationUri", "https://github.com/bitranox/glintefy");
    jw_lkey(&w, "rules");
    jw_open(&w, '[');
    for (int k = 0; k < AN__ISSUE_COUNT; k++) {
        const AnIssueDesc *d = &an_issue_desc[k];
        jw_open(&w, '{');
        kv_str(&w, "id", d->code);
        kv_str(&w, "name", d->name);
        jw_lkey(&w, "shortDescription");
        jw_open(&w, '{');
        kv_str(&w, "text", d->message);
        jw_close(&w, '}');
        jw_lkey(&w, "defaultConfiguration");
        jw_open(&w, '{');
        kv_str(&w, "level", d->code[0] == 'P' ? "note" : issue_level((AnIssueKind)k));
        jw_close(&w, '}');
        jw_lkey(&w, "helpUri");
        char uri[160];
        snprintf(uri, sizeof uri, "docs/review-cache.md#%s", d->code);
        jw_str(&w, uri);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_close(&w, '}');
    jw_close(&w, '}');
    jw_lkey(&w, "results");
    jw_open(&w, '[');
    for (size_t i = 0; i < r->nexisting; i++) {
        const CrExisting *x = &r->existing[i];
        for (int h = 0; h < x->fn->nhazards; h++) {
            const AnIssue *is = &x->fn->hazards[h];
            const AnIssueDesc *d = &an_issue_desc[is->kind];
            jw_open(&w, '{');
            kv_str(&w, "ruleId", d->code);
            kv_int(&w, "ruleIndex", (long long)is->kind);
            kv_str(&w, "level", issue_level(is->kind));
            jw_lkey(&w, "message");
            jw_open(&w, '{');
            Buf m = {0};
            buf_printf(&m, "%s: %s", x->fn->qualname, d->message);
            if (is->detail) buf_printf(&m, " (%s)", is->detail);
            kv_str(&w, "text", m.data);
            buf_free(&m);
            jw_close(&w, '}');
            jw_lkey(&w, "locations");
            jw_open(&w, '[');
            sarif_location(&w, x->file->path, is->loc.line, is->loc.col);
            jw_close(&w, ']');
            if (is->other_file) {
                jw_lkey(&w, "relatedLocations");
                jw_open(&w, '[');
                sarif_location(&w, is->other_file, is->other_loc.line, is->other_loc.col);
                jw_close(&w, ']');
            }
            jw_close(&w, '}');
        }
    }
    jw_close(&w, ']');
    jw_lkey(&w, "invocations");
    jw_open(&w, '[');
    jw_open(&w, '{');
    kv_bool(&w, "executionSuccessful", 1);
    jw_lkey(&w, "toolExecutionNotifications");
    jw_open(&w, '[');
    for (size_t i = 0; i < r->nskipped; i++) {
        const CrSkipped *sk = &r->skipped[i];
        jw_open(&w, '{');
        kv_str(&w, "level", "warning");
        jw_lkey(&w, "message");
        jw_open(&w, '{');
        Buf m = {0};
        buf_printf(&m, "skipped: %s", sk->msg);
        kv_str(&w, "text", m.data);
        buf_free(&m);
        jw_close(&w, '}');
        jw_lkey(&w, "locations");
        jw_open(&w, '[');
        sarif_location(&w, sk->path, sk->line, sk->col > 0 ? sk->col - 1 : 0);
        jw_close(&w, ']');
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_close(&w, '}');
    jw_close(&w, ']');
    jw_close(&w, '}');
    jw_close(&w, ']');
    jw_close(&w, '}');
    buf_putc(out, '\n');
}

/* ---- text and markdown ----------------------------------------------------------------- */

static void maxsize_text(const AnFunc *fn, Buf *b) {
    if (fn->cache.kind == AN_CACHED_PROPERTY) buf_puts(b, "cached_property");
    else if (fn->cache.kind == AN_CACHE) buf_puts(b, "cache");
    else if (fn->cache.maxsize == AN_UNBOUNDED) buf_puts(b, "lru_cache(maxsize=None)");
    else if (fn->cache.maxsize < 0) buf_puts(b, "lru_cache(maxsize=?)");
    else buf_printf(b, "lru_cache(maxsize=%ld)", fn->cache.maxsize);
}

static void md_cell(Buf *b, const char *s) {
    for (; *s; s++) {
        if (*s == '|') buf_puts(b, "\\|");
        else if (*s == '\n') buf_putc(b, ' ');
        else buf_putc(b, *s);
    }
}

/* How many actions there are (cache_recommendations.json holds exactly these) and their saving. */
static size_t count_actions(const CrReport *r, double *total) {
    size_t n = 0;
    *total = 0;
    for (size_t i = 0; i < r->ncandidates; i++)
        if (cr_candidate_is_action(&r->candidates[i])) { n++; *total += r->candidates[i].trace_saving_s; }
    for (size_t i = 0; i < r->nexisting; i++) n += (size_t)cr_existing_is_action(&r->existing[i]);
    return n;
}

static void gain_text(const AdVerdict *v, Buf *b) {
    if (v->gain_s >= 0 && v->entries_freed > 0)
        buf_printf(b, "gain: %.6f s, %lld entries freed", v->gain_s, (long long)v->entries_freed);
    else if (v->gain_s >= 0) buf_printf(b, "gain: %.6f s", v->gain_s);
    else if (v->entries_freed > 0) buf_printf(b, "gain: %lld entries freed", (long long)v->entries_freed);
    else buf_puts(b, "gain: correct results");
}

/* The actions, first: what to add, resize or remove, each with the evidence it rests on and its
 * gain. md: as a markdown table (summary.md), else terminal lines. */
static void actions_out(const CrReport *r, Buf *b, int md) {
    double total;
    size_t n = count_actions(r, &total);
    if (!n) {
        size_t traced = 0;
        for (size_t i = 0; i < r->ncandidates; i++) traced += r->candidates[i].trace_verdict != 0;
        for (size_t i = 0; i < r->nexisting; i++) traced += r->existing[i].trace_evidence != NULL;
        if (md) buf_puts(b, "## Actions\n\nNone");
        if (traced)
            buf_printf(b, "%s The measured calls of %zu traced function%s (perf/traces) show no cache to add,%s"
                          "resize or remove; the reasons are in cache_candidates.json (\"trace\") and existing_cache_evaluations.json.\n",
                       md ? "." : "\nActions: none.", traced, traced == 1 ? "" : "s", md ? " " : "\n");
        else if (md) buf_puts(b, ".\n");
        return;
    }
    if (md) buf_puts(b, "## Actions\n\n| action | location | function | evidence | gain | reason |\n| --- | --- | --- | --- | --- | --- |\n");
    else buf_printf(b, "\nActions (%zu; cache_recommendations.json, each with the evidence it rests on):\n", n);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < (pass ? r->nexisting : r->ncandidates); i++) {
            const CrCandidate *c = pass ? NULL : &r->candidates[i];
            const CrExisting *x = pass ? &r->existing[i] : NULL;
            if (c ? !cr_candidate_is_action(c) : !cr_existing_is_action(x)) continue;
            const AnFile *f = c ? c->file : x->file;
            const AnFunc *fn = c ? c->fn : x->fn;
            const AdVerdict *v = c ? &c->trace_v : &x->verdict;
            const char *what = c ? "ADD_CACHE" : x->recommendation;
            if (md) {
                buf_printf(b, "| %s | `%s:%d` | `", what, f->path, fn->line);
                md_cell(b, fn->qualname);
                buf_printf(b, "` | %s, %lld calls | ", v->source, (long long)v->calls);
                gain_text(v, b);
                buf_puts(b, " | ");
                md_cell(b, v->reason);
                buf_puts(b, " |\n");
            } else {
                buf_printf(b, "  %-11s %s:%d %s  [%s, %lld calls; ", what, f->path, fn->line, fn->qualname, v->source,
                           (long long)v->calls);
                gain_text(v, b);
                buf_printf(b, "]\n              %s\n", v->reason);
            }
        }
    if (total > 0) buf_printf(b, "%sxpected saving of the new caches: %.3f s\n", md ? "\nE" : "  e", total);
}

/* After profiling: statically accepted candidates no trace covered, apart from the actions. */
static void not_measured_out(const CrReport *r, Buf *b, int top, int md) {
    size_t n = 0;
    for (size_t i = 0; i < r->ncandidates; i++) n += r->candidates[i].not_measured != NULL;
    if (!n) return;
    if (md)
        buf_printf(b, "\n## Not measured (%zu)\n\nStatic candidates the profiled run did not trace: no verdict until a "
                      "workload calls them.\n\n| location | function | why not measured |\n| --- | --- | --- |\n", n);
    else
        buf_printf(b, "\nNot measured: %zu static candidate%s the profiled run did not trace (no verdict until a workload "
                      "calls them):\n", n, n == 1 ? "" : "s");
    size_t shown = 0;
    for (size_t i = 0; i < r->ncandidates && shown < (size_t)top; i++) {
        const CrCandidate *c = &r->candidates[i];
        if (!c->not_measured) continue;
        shown++;
        if (md) {
            buf_printf(b, "| `%s:%d` | `", c->file->path, c->fn->line);
            md_cell(b, c->fn->qualname);
            buf_puts(b, "` | ");
            md_cell(b, c->not_measured);
            buf_puts(b, " |\n");
        } else {
            buf_printf(b, "  %s:%d %s  (%s", c->file->path, c->fn->line, c->fn->qualname, c->not_measured);
            if (c->profiled) buf_printf(b, "; profile: %lld calls, %.3f s", (long long)c->calls, c->cumtime);
            buf_puts(b, ")\n");
        }
    }
    if (shown < n) buf_printf(b, "%s... %zu more in cache_candidates.json (verdict NOT_MEASURED)\n", md ? "\n" : "  ", n - shown);
}

static void expense_text(const CrCandidate *c, Buf *b) {
    const AnExpense *e = &c->fn->expense;
    const char *sep = "";
    if (e->recursive) { buf_puts(b, "recursive"); sep = ", "; }
    if (e->loops) { buf_printf(b, "%s%d loop%s (depth %d)", sep, e->loops, e->loops == 1 ? "" : "s", e->loop_depth); sep = ", "; }
    if (e->comprehensions) { buf_printf(b, "%s%d comprehension%s", sep, e->comprehensions, e->comprehensions == 1 ? "" : "s"); sep = ", "; }
    if (e->heavy_calls) { buf_printf(b, "%s%d heavy call%s", sep, e->heavy_calls, e->heavy_calls == 1 ? "" : "s"); sep = ", "; }
    buf_printf(b, "%s%d statement%s", sep, e->statements, e->statements == 1 ? "" : "s");
}

static const char NO_PROFILE_TEXT[] =
    "No profiling data found. This is normal: the verdicts above come from static code\n"
    "analysis (call sites counted in the code), not from measurements. To use profiling data:\n"
    "  glintefy review profile -- python my_app.py        (wraps your command with cProfile)\n"
    "  or, by hand, run your workload under cProfile and save it where the analysis looks:\n"
    "    profiler = cProfile.Profile(); profiler.enable(); main(); profiler.disable()\n"
    "    profiler.dump_stats(\"LLM-CONTEXT/glintefy/review/perf/test_profile.prof\")\n"
    "  then run 'glintefy review cache' again (or pass --profile FILE).\n"
    "  Cache statistics from cache_info() go to LLM-CONTEXT/glintefy/review/perf/cache_stats.json.\n";

void cr_text(const CrReport *r, int top, Buf *b) {
    size_t keep = 0, rem = 0, adj = 0, hazards = 0;
    for (size_t i = 0; i < r->nexisting; i++) {
        keep += !strcmp(r->existing[i].recommendation, "KEEP");
        rem += !strcmp(r->existing[i].recommendation, "REMOVE");
        adj += !strcmp(r->existing[i].recommendation, "ADJUST_SIZE");
        hazards += (size_t)r->existing[i].fn->nhazards;
    }
    buf_printf(b, "glintefy review cache: %zu files", r->files);
    if (r->nskipped) buf_printf(b, " (%zu skipped: syntax errors or unreadable)", r->nskipped);
    buf_printf(b, ", %zu functions (%zu pure, %zu impure, %zu unknown), %.2f s\n", r->functions, r->pure, r->impure,
               r->unknown, r->t_total);
    buf_printf(b, "Data: %s\n", !strcmp(r->mode, "static") ? "static analysis (no profile, no cache statistics)"
                                                            : "production data (profile and/or cache statistics)");
    actions_out(r, b, 0);
    if (r->ntraces) not_measured_out(r, b, top, 0);
    buf_printf(b, "\nExisting caches: %zu (KEEP %zu, REMOVE %zu, ADJUST_SIZE %zu); %zu hazard%s\n", r->nexisting, keep,
               rem, adj, hazards, hazards == 1 ? "" : "s");
    size_t shown = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        /* REMOVE/ADJUST_SIZE and caches with hazards first, then the rest */
        for (size_t i = 0; i < r->nexisting && shown < (size_t)top; i++) {
            const CrExisting *x = &r->existing[i];
            int notable = strcmp(x->recommendation, "KEEP") != 0 || x->fn->nhazards > 0;
            if (notable != (pass == 0)) continue;
            buf_printf(b, "  %-11s %s:%d %s  ", x->recommendation, x->file->path, x->fn->line, x->fn->qualname);
            maxsize_text(x->fn, b);
            buf_printf(b, "\n              %s\n", x->reason);
            for (int h = 0; h < x->fn->nhazards; h++) {
                const AnIssue *is = &x->fn->hazards[h];
                buf_printf(b, "              %s:%d:%d: %s %s: %s", x->file->path, is->loc.line, is->loc.col + 1,
                           an_issue_desc[is->kind].code, an_issue_desc[is->kind].name, an_issue_desc[is->kind].message);
                if (is->detail) buf_printf(b, " (%s)", is->detail);
                buf_putc(b, '\n');
            }
            shown++;
        }
    }
    if (shown < r->nexisting) buf_printf(b, "  ... %zu more in existing_cache_evaluations.json\n", r->nexisting - shown);

    if (r->ntraces) {
        /* after profiling the candidates are the measured actions above and the list not measured */
        size_t nm = 0;
        for (size_t i = 0; i < r->ncandidates; i++) nm += r->candidates[i].not_measured != NULL;
        buf_printf(b, "\nCandidates for a new cache: %zu measured (in the actions), %zu not measured, of %zu functions considered\n",
                   r->naccepted - nm, nm, r->ncandidates);
    } else {
    buf_printf(b, "\nCandidates for a new cache: %zu of %zu functions considered", r->naccepted, r->ncandidates);
    if (r->nprofile_backed) buf_printf(b, " (%zu backed by the profile)", r->nprofile_backed);
    buf_puts(b, "\n");
    for (size_t i = 0; i < r->ncandidates && i < (size_t)top && r->candidates[i].accepted; i++) {
        const CrCandidate *c = &r->candidates[i];
        buf_printf(b, "  %2d. %s:%d %s  score %.1f: ", c->rank, c->file->path, c->fn->line, c->fn->qualname, c->score);
        if (c->profiled)
            buf_printf(b, "%lld calls, %.3f s cumulative, %.6f s per call; ", (long long)c->calls, c->cumtime, c->percall);
        expense_text(c, b);
        buf_printf(b, "; %d call site%s\n", c->fn->call_sites, c->fn->call_sites == 1 ? "" : "s");
    }
    }

    if (r->nwarnings) {
        buf_puts(b, "\nWarnings:\n");
        for (size_t i = 0; i < r->nwarnings; i++) buf_printf(b, "  %s\n", r->warnings[i]);
    }
    if (r->nprofiles)
        buf_printf(b, "\nProfile: %zu row%s, %zu joined to functions of the repository\n", r->profile_rows,
                   r->profile_rows == 1 ? "" : "s", r->profile_rows_joined);
    if (r->cache_stats_path)
        buf_printf(b, "Cache statistics: %s (%zu entries, %zu matched)\n", r->cache_stats_path, r->cache_stats_entries,
                   r->cache_stats_matched);
    if (!r->nprofiles && !r->cache_stats_path) {
        buf_puts(b, "\n");
        buf_puts(b, NO_PROFILE_TEXT);
    }
    buf_printf(b, "\nWritten to %s/: %s, %s, %s, %s, %s, cache_recommendations.json\n", r->output_dir, CR_FILES[0],
               CR_FILES[1], CR_FILES[2], CR_FILES[3], CR_FILES[4]);
}

void cr_summary_md(const CrReport *r, Buf *b) {
    buf_printf(b, "<!-- glintefy review cache summary, format version %d -->\n", CR_FORMAT_VERSION);
    buf_puts(b, "# Cache analysis\n\n");
    actions_out(r, b, 1);
    if (r->ntraces) not_measured_out(r, b, 50, 1);
    buf_puts(b, "\n## Overview\n\n");
    buf_printf(b, "- Files: %zu (%zu skipped)\n- Functions: %zu (%zu pure, %zu impure, %zu unknown)\n", r->files,
               r->nskipped, r->functions, r->pure, r->impure, r->unknown);
    buf_printf(b, "- Existing caches: %zu\n- New cache candidates: %zu of %zu considered (%zu profile-backed)\n",
               r->nexisting, r->naccepted, r->ncandidates, r->nprofile_backed);
    buf_printf(b, "- Data: %s\n", !strcmp(r->mode, "static") ? "static analysis only (no profiling data found)"
                                                              : "production data");
    buf_printf(b, "- Time: %.3f s on %d thread%s\n", r->t_total, r->threads, r->threads == 1 ? "" : "s");
    buf_puts(b, "\n## Existing caches\n\n");
    if (!r->nexisting) buf_puts(b, "None found.\n");
    else {
        buf_puts(b, "| recommendation | location | function | decorator | reason | hazards |\n| --- | --- | --- | --- | --- | --- |\n");
        for (size_t i = 0; i < r->nexisting; i++) {
            const CrExisting *x = &r->existing[i];
            buf_printf(b, "| %s | `%s:%d` | `", x->recommendation, x->file->path, x->fn->line);
            md_cell(b, x->fn->qualname);
            buf_puts(b, "` | ");
            maxsize_text(x->fn, b);
            buf_puts(b, " | ");
            md_cell(b, x->reason);
            buf_puts(b, " | ");
            for (int h = 0; h < x->fn->nhazards; h++)
                buf_printf(b, "%s%s", h ? ", " : "", an_issue_desc[x->fn->hazards[h].kind].code);
            buf_puts(b, " |\n");
        }
    }
    buf_puts(b, "\n## Top candidates for a new cache\n\n");
    if (!r->naccepted) buf_puts(b, "None.\n");
    else {
        buf_puts(b, "| rank | location | function | score | call sites | profile (calls, cumtime) |\n| --- | --- | --- | --- | --- | --- |\n");
        for (size_t i = 0; i < r->ncandidates && i < 50 && r->candidates[i].accepted; i++) {
            const CrCandidate *c = &r->candidates[i];
            if (c->not_measured) continue; /* listed under "Not measured" */
            buf_printf(b, "| %d | `%s:%d` | `", c->rank, c->file->path, c->fn->line);
            md_cell(b, c->fn->qualname);
            buf_printf(b, "` | %.1f | %d | ", c->score, c->fn->call_sites);
            if (c->profiled) buf_printf(b, "%lld, %.3f s", (long long)c->calls, c->cumtime);
            else buf_puts(b, "-");
            buf_puts(b, " |\n");
        }
    }
    if (r->nwarnings) {
        buf_puts(b, "\n## Warnings\n\n");
        for (size_t i = 0; i < r->nwarnings; i++) buf_printf(b, "- %s\n", r->warnings[i]);
    }
    if (r->nskipped) {
        buf_puts(b, "\n## Skipped files\n\n");
        for (size_t i = 0; i < r->nskipped; i++)
            buf_printf(b, "- `%s:%d:%d`: %s\n", r->skipped[i].path, r->skipped[i].line, r->skipped[i].col, r->skipped[i].msg);
    }
    if (!r->nprofiles && !r->cache_stats_path) {
        buf_puts(b, "\n## No profiling data found\n\nThis is normal: the analysis used static code analysis. To use "
                    "runtime data, save a cProfile profile to `LLM-CONTEXT/glintefy/review/perf/test_profile.prof` "
                    "(`glintefy review profile -- CMD`, or the guide's cProfile recipe) and cache statistics to "
                    "`perf/cache_stats.json`, then run `glintefy review cache` again.\n");
    }
}

void cr_existing_take(CrExisting *x, const AdVerdict *v) {
    x->verdict = *v;
    x->recommendation = ad_action_name(v->action);
    snprintf(x->reason, sizeof x->reason, "%s", v->reason);
    x->suggested_maxsize = v->suggested_maxsize;
    x->source = v->source;
    x->note = v->note;
    x->hits = v->hits;
    x->misses = v->misses;
    x->hit_rate_percent = v->hit_rate_percent;
    x->rating = NULL;
    x->utilization_percent = -1;
    if (!strcmp(v->source, "cache_stats") && x->has_stat) {
        const CacheStat *s = &x->stat;
        x->currsize = s->currsize;
        x->maxsize_seen = s->maxsize;
        if (s->maxsize != CACHE_UNBOUNDED)
            x->utilization_percent = s->maxsize ? 100.0 * (double)s->currsize / (double)s->maxsize : 100.0;
        double hr = v->hit_rate_percent;
        x->rating = !v->calls ? "Not exercised" : hr > 80 ? "Excellent" : hr >= 50 ? "Good" : hr >= 20 ? "Marginal" : "Poor";
    }
}

int cr_existing_is_action(const CrExisting *x) { return strcmp(x->recommendation, "KEEP") != 0; }
int cr_candidate_is_action(const CrCandidate *c) { return c->accepted && c->trace_verdict > 0; }

void cr_report_free(CrReport *r) {
    if (!r) return;
    for (size_t i = 0; i < r->ncandidates; i++) {
        free(r->candidates[i].rejects);
        free(r->candidates[i].trace_json);
        free(r->candidates[i].trace_reason);
        free(r->candidates[i].trace_evidence);
    }
    free(r->candidates);
    for (size_t i = 0; i < r->nexisting; i++) free(r->existing[i].trace_evidence);
    free(r->existing);
    free(r->skipped);
    for (size_t i = 0; i < r->nprofiles; i++) free(r->profiles[i]);
    free(r->profiles);
    for (size_t i = 0; i < r->nwarnings; i++) free(r->warnings[i]);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}
