/* trace_advice.c - traces -> curves (tcurve) -> verdicts. Two passes: the first assumes the
 * existing caches at their current maxsize and no new cache; the second assumes every verdict of
 * the first (kept, resized, removed, added), so that calls under another function's cache hit
 * are avoided, not counted twice. Rules and thresholds: docs/curves.md. */
#include "trace_advice.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "../base/buf.h"
#include "../base/hashidx.h"
#include "../base/xalloc.h"
#include "../runtime/tcurve.h"
#include "../version.h"
#include "files.h"

enum { TA_SHARE_PERCENT = 95 };   /* suggested maxsize: this share of the best saving */
enum { TA_OVERHEAD_FACTOR = 10 }; /* a new cache's saving must be this many times its cost */
enum { TA_SHRINK_FACTOR = 2 };    /* a cache this many times too large is told to shrink */

static void warn(CrReport *r, const char *msg) {
    r->warnings = xrealloc(r->warnings, (r->nwarnings + 1) * sizeof *r->warnings);
    r->warnings[r->nwarnings++] = xstrndup(msg, strlen(msg));
}

static int path_matches(const char *ours, const char *theirs) {
    size_t a = strlen(ours), b = strlen(theirs);
    if (a == b) return strcmp(ours, theirs) == 0;
    return b > a && theirs[b - a - 1] == '/' && strcmp(theirs + b - a, ours) == 0;
}
static int func_matches(const TcFunc *t, const AnFile *file, const AnFunc *fn) {
    return (t->line == (uint32_t)fn->first_line || t->line == (uint32_t)fn->line) && !strcmp(t->qualname, fn->qualname) &&
           path_matches(file->path, t->file);
}

static void jstr(Buf *b, const char *s) {
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') buf_printf(b, "\\%c", *p);
        else if (*p < 0x20) buf_printf(b, "\\u%04x", *p);
        else buf_putc(b, (char)*p);
    }
    buf_putc(b, '"');
}
static void jsize(Buf *b, int64_t s) {
    if (s < 0) buf_puts(b, "\"unbounded\"");
    else buf_printf(b, "%lld", (long long)s);
}

/* The state of one traced function between the passes. */
typedef struct TaItem {
    CrExisting *x;   /* or */
    CrCandidate *c;
    int64_t assumed; /* size assumed by the other functions' curves */
} TaItem;

/* The report's existing caches and candidates by (qualname, line), both first_line and line:
 * matching 100 k traced functions against thousands of functions one by one was quadratic. */
typedef struct TaEntry {
    const char *qualname;
    uint32_t line;
    int cand;  /* 0: r->existing[i], 1: r->candidates[i] */
    size_t i;
} TaEntry;
typedef struct TaIndex {
    TaEntry *e;
    uint32_t *next; /* chain of entries with the same key, HASHIDX_NONE ends it */
    size_t n, cap;
    HashIdx idx;
} TaIndex;

typedef struct TaCtx {
    const CrReport *r;
    const TaIndex *index;
    TaItem *items;   /* per TcSet function, filled after a pass */
    size_t nitems;
    const TcSet *building; /* the set whose functions size_of is asked about (pass 2) */
    int pass;
} TaCtx;

typedef struct TaKey {
    const TaIndex *x;
    const char *qualname;
    uint32_t line;
} TaKey;

static uint64_t key_hash(const char *qualname, uint32_t line) {
    uint64_t h = 1469598103934665603u ^ line;
    for (const unsigned char *p = (const unsigned char *)qualname; *p; p++) h = (h ^ *p) * 1099511628211u;
    return h ^ (h >> 29);
}

static int key_eq(const void *ctx, uint32_t v) {
    const TaKey *k = ctx;
    return k->x->e[v].line == k->line && strcmp(k->x->e[v].qualname, k->qualname) == 0;
}

static void index_add(TaIndex *x, const char *qualname, uint32_t line, int cand, size_t i) {
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 64;
        x->e = xrealloc(x->e, x->cap * sizeof *x->e);
        x->next = xrealloc(x->next, x->cap * sizeof *x->next);
    }
    uint32_t me = (uint32_t)x->n++;
    x->e[me] = (TaEntry){qualname, line, cand, i};
    x->next[me] = HASHIDX_NONE;
    TaKey k = {x, qualname, line};
    uint32_t head = hashidx_get_or_add(&x->idx, key_hash(qualname, line), me, key_eq, &k);
    if (head != me) { x->next[me] = x->next[head]; x->next[head] = me; }
}

static void index_build(TaIndex *x, const CrReport *r) {
    for (size_t i = 0; i < r->nexisting; i++) {
        const AnFunc *fn = r->existing[i].fn;
        index_add(x, fn->qualname, (uint32_t)fn->first_line, 0, i);
        if (fn->line != fn->first_line) index_add(x, fn->qualname, (uint32_t)fn->line, 0, i);
    }
    for (size_t i = 0; i < r->ncandidates; i++) {
        const AnFunc *fn = r->candidates[i].fn;
        index_add(x, fn->qualname, (uint32_t)fn->first_line, 1, i);
        if (fn->line != fn->first_line) index_add(x, fn->qualname, (uint32_t)fn->line, 1, i);
    }
}

static void index_free(TaIndex *x) {
    free(x->e);
    free(x->next);
    hashidx_free(&x->idx);
}

/* What the loops "first existing (or candidate) i that f matches" found: the smallest such i
 * among the entries under f's key, or SIZE_MAX. `want`: 0 existing but cached properties, 1
 * candidates without a cache, 2 any existing. */
static size_t index_first(const TaIndex *x, const CrReport *r, const TcFunc *f, int want) {
    TaKey k = {x, f->qualname, f->line};
    size_t best = SIZE_MAX;
    for (uint32_t v = hashidx_find(&x->idx, key_hash(f->qualname, f->line), key_eq, &k); v != HASHIDX_NONE;
         v = x->next[v]) {
        const TaEntry *e = &x->e[v];
        if (e->cand != (want == 1) || e->i >= best) continue;
        const AnFile *file = e->cand ? r->candidates[e->i].file : r->existing[e->i].file;
        const AnFunc *fn = e->cand ? r->candidates[e->i].fn : r->existing[e->i].fn;
        if (want == 0 && fn->cache.kind == AN_CACHED_PROPERTY) continue;
        if (want == 1 && fn->cache.kind != AN_NO_CACHE) continue;
        if (func_matches(f, file, fn)) best = e->i;
    }
    return best;
}

static int64_t current_maxsize(const CrExisting *x) {
    const AnFunc *fn = x->fn;
    if (fn->cache.maxsize == AN_UNBOUNDED || fn->cache.kind == AN_CACHE) return TC_UNBOUNDED;
    if (fn->cache.maxsize == AN_MAXSIZE_UNKNOWN) {
        /* t17b: a maxsize the source does not spell out (maxsize=SOME_CONSTANT) is the one the
         * running cache reported (cache_stats.json) before it is guessed to be 128 */
        if (x->have_stats) return x->maxsize_seen < 0 ? TC_UNBOUNDED : x->maxsize_seen;
        return 128;
    }
    return fn->cache.maxsize;
}

static int64_t size_of(const TcFunc *f, void *vctx) {
    TaCtx *ctx = vctx;
    const CrReport *r = ctx->r;
    if (ctx->pass == 2) {
        /* the second pass's set holds the same functions in the same order as the first's */
        size_t k = (size_t)(f - ctx->building->funcs);
        if (k < ctx->nitems && (ctx->items[k].x || ctx->items[k].c)) return ctx->items[k].assumed;
    }
    size_t i = index_first(ctx->index, r, f, 2);
    return i == SIZE_MAX ? 0 : current_maxsize(&r->existing[i]);
}

static double secs(double ns) { return ns / 1e9; }

/* Curve points: powers of two, the current and suggested sizes, the distinct keys. */
static void curve_points(Buf *b, const TcFunc *f, int64_t cur, int64_t sug) {
    buf_puts(b, "[");
    int first = 1;
    uint64_t maxs = f->len ? f->len - 1 : 0;
    for (uint64_t s = 1; s <= maxs; s = s * 2 <= maxs || s == maxs ? s * 2 : maxs) {
        int extra = (cur > 0 && (uint64_t)cur < s && (uint64_t)cur > s / 2) || (sug > 0 && (uint64_t)sug < s && (uint64_t)sug > s / 2);
        if (extra) {
            int64_t e[2] = {cur, sug};
            for (int k = 0; k < 2; k++)
                if (e[k] > 0 && (uint64_t)e[k] < s && (uint64_t)e[k] > s / 2 && (k == 0 || e[1] != e[0])) {
                    buf_printf(b, "%s{\"size\": %lld, \"hit_rate_percent\": %.1f, \"saving_s\": %.6f}", first ? "" : ", ",
                               (long long)e[k], tc_hit_rate(f, e[k]), secs(tc_net_ns(f, e[k])));
                    first = 0;
                }
        }
        buf_printf(b, "%s{\"size\": %llu, \"hit_rate_percent\": %.1f, \"saving_s\": %.6f}", first ? "" : ", ",
                   (unsigned long long)s, tc_hit_rate(f, (int64_t)s), secs(tc_net_ns(f, (int64_t)s)));
        first = 0;
        if (s == maxs) break;
    }
    buf_puts(b, "]");
}

/* t17b: which curve drives the verdict when the trace has cache_clear() calls (X records):
 * production's (test/fixture clears left out, set->clears = TC_CLEARS_PRODUCTION) unless some
 * clears are of unknown origin, then the one as measured (every clear applied). m is the
 * function in the measured set, NULL when no trace has a clear. Marked for the advice stage. */
static int basis_measured(const TcFunc *f, const TcFunc *m) { return m && f->clears[TR_CLEAR_UNKNOWN] > 0; }
static uint64_t nclears(const TcFunc *f) {
    return f->clears[TR_CLEAR_CODE] + f->clears[TR_CLEAR_TEST] + f->clears[TR_CLEAR_FIXTURE] + f->clears[TR_CLEAR_UNKNOWN];
}

/* The reason's words on the clears (empty when there were none). */
static void clears_note(char *out, size_t n, const TcFunc *f, const TcFunc *m, int64_t size) {
    out[0] = 0;
    if (!m || !nclears(f)) return;
    unsigned long long code = f->clears[TR_CLEAR_CODE], unk = f->clears[TR_CLEAR_UNKNOWN],
                       tests = f->clears[TR_CLEAR_TEST] + f->clears[TR_CLEAR_FIXTURE];
    double hp = tc_hit_rate(f, size), hm = tc_hit_rate(m, size);
    if (unk)
        snprintf(out, n, " [verdict on the hit rate as measured, %.1f%%: %llu cache_clear() calls of unknown origin - run pytest "
                         "--glintefy to tell the tests' from the code's]", hm, unk);
    else if (tests)
        snprintf(out, n, " [verdict on the hit rate as in production, %.1f%%: the %llu cache_clear() calls made by tests/fixtures "
                         "left out%s; as measured with them %.1f%%]", hp, tests, code ? ", the code's kept" : "", hm);
    else snprintf(out, n, " [the %llu cache_clear() calls made by the code are kept: they happen in production too]", code);
}

static void evidence_clears(Buf *b, const TcFunc *f, const TcFunc *m, int64_t at) {
    if (!m || !nclears(f)) return;
    buf_printf(b, ", \"hit_rate_percent_measured\": %.1f, \"hit_rate_percent_production\": %.1f, \"hit_rate_basis\": \"%s\", "
                  "\"cache_clears\": {\"code\": %llu, \"test\": %llu, \"fixture\": %llu, \"unknown\": %llu}",
               tc_hit_rate(m, at), tc_hit_rate(f, at), basis_measured(f, m) ? "measured" : "production",
               (unsigned long long)f->clears[TR_CLEAR_CODE], (unsigned long long)f->clears[TR_CLEAR_TEST],
               (unsigned long long)f->clears[TR_CLEAR_FIXTURE], (unsigned long long)f->clears[TR_CLEAR_UNKNOWN]);
}

/* f: the curve the verdict uses; prod, meas: the production and measured ones (meas NULL: no
 * clears). */
static void evidence(Buf *b, const TcFunc *f, int64_t cur, int64_t sug, double run_ns, const TcFunc *prod, const TcFunc *meas) {
    int64_t at = cur ? cur : TC_UNBOUNDED;
    uint64_t hits = tc_hits(f, at), av = tc_avoided(f, at);
    uint64_t lookups = f->calls - f->unhashable - av;
    buf_printf(b, "{\"hits\": %llu, \"misses\": %llu, \"hit_rate_percent\": %.1f, \"calls\": %llu, \"distinct_keys\": %llu, "
                  "\"avoided_calls\": %llu, \"time_per_call_s\": %.9f",
               (unsigned long long)hits, (unsigned long long)(lookups - hits), tc_hit_rate(f, at),
               (unsigned long long)f->calls, (unsigned long long)f->distinct, (unsigned long long)av,
               f->calls ? secs((double)f->duration_ns) / (double)f->calls : 0);
    if (cur) {
        buf_puts(b, ", \"current_maxsize\": ");
        jsize(b, cur);
        buf_printf(b, ", \"hit_rate_percent_at_current\": %.1f, \"saving_s_at_current\": %.6f", tc_hit_rate(f, cur),
                   secs(tc_net_ns(f, cur)));
    }
    if (sug) {
        buf_puts(b, ", \"suggested_maxsize\": ");
        jsize(b, sug);
        double sv = tc_net_ns(f, sug);
        buf_printf(b, ", \"hit_rate_percent_at_suggested\": %.1f, \"expected_saving_s\": %.6f, \"expected_saving_percent_of_run\": %.2f",
                   tc_hit_rate(f, sug), secs(sv), run_ns > 0 ? 100.0 * sv / run_ns : 0);
    }
    evidence_clears(b, prod, meas, sug && !cur ? sug : at);
    buf_printf(b, ", \"overhead_ns_per_hit\": %u, \"curve\": ", f->overhead_ns);
    curve_points(b, f, cur, sug);
    buf_puts(b, "}");
}

static const char *rating(double hr) {
    return hr > 80 ? "Excellent" : hr >= 50 ? "Good" : hr >= 20 ? "Marginal" : "Poor";
}

static void size_text(char *out, size_t n, int64_t s) {
    if (s < 0) snprintf(out, n, "unbounded");
    else snprintf(out, n, "%lld", (long long)s);
}

/* Existing cache: KEEP / REMOVE / ADJUST_SIZE. Returns the size the cache will have. */
static int64_t judge_existing(CrExisting *x, const TcFunc *prod, const TcFunc *meas, const RvConfig *cfg, double run_ns,
                              Buf *recs) {
    const TcFunc *f = basis_measured(prod, meas) ? meas : prod;
    int64_t cur = current_maxsize(x);
    int64_t sug = tc_suggest(f, TA_SHARE_PERCENT / 100.0, cfg->min_suggested_maxsize, cfg->cache_size);
    double hr_unb = tc_hit_rate(f, TC_UNBOUNDED), hr_cur = tc_hit_rate(f, cur);
    char cs[24], ss[24];
    size_text(cs, sizeof cs, cur);
    size_text(ss, sizeof ss, sug);
    x->source = "trace";
    x->suggested_maxsize = 0;
    x->hits = (int64_t)tc_hits(f, cur);
    x->misses = (int64_t)(f->calls - f->unhashable - tc_avoided(f, cur)) - x->hits;
    x->hit_rate_percent = hr_cur;
    x->rating = rating(hr_cur);
    x->note = NULL;
    int64_t result = cur;
    if (hr_unb < cfg->remove_threshold) {
        x->recommendation = "REMOVE";
        snprintf(x->reason, sizeof x->reason,
                 "Production data: Poor hit rate even unbounded (%.1f%% over %llu calls, %llu distinct keys) - remove the cache",
                 hr_unb, (unsigned long long)f->calls, (unsigned long long)f->distinct);
        result = 0;
    } else if (sug == 0) {
        x->recommendation = "REMOVE";
        snprintf(x->reason, sizeof x->reason,
                 "Production data: hit rate %.1f%% but hits save less than the cache costs (%u ns per hit on this "
                 "interpreter; the function takes %.0f ns per call) - remove the cache",
                 hr_cur, f->overhead_ns, f->calls ? (double)f->duration_ns / (double)f->calls : 0);
        result = 0;
    } else if (cur >= 0 && ((sug < 0 && (uint64_t)cur < f->len - 1) || sug > cur)) {
        /* too small for the working set (a maxsize >= every process's distinct keys is unbounded) */
        x->recommendation = "ADJUST_SIZE";
        snprintf(x->reason, sizeof x->reason,
                 "Production data: maxsize %s is smaller than the working set - hit rate %.1f%% at %s, %.1f%% at %s; "
                 "grow to %s",
                 cs, hr_cur, cs, tc_hit_rate(f, sug), ss, ss);
        x->suggested_maxsize = sug;
        result = sug;
    } else if (sug > 0 && (cur < 0 || cur >= TA_SHRINK_FACTOR * sug) && (uint64_t)sug < f->len - 1) {
        x->recommendation = "ADJUST_SIZE";
        snprintf(x->reason, sizeof x->reason,
                 "Production data: %s hit rate (%.1f%%) but maxsize %s is larger than needed - %s entries give "
                 "%.1f%% (%d%% of the saving); can reduce to %s",
                 rating(hr_cur), hr_cur, cs, ss, tc_hit_rate(f, sug), TA_SHARE_PERCENT, ss);
        x->suggested_maxsize = sug;
        result = sug;
    } else {
        x->recommendation = "KEEP";
        snprintf(x->reason, sizeof x->reason, "Production data: %s hit rate (%.1f%%) at maxsize %s, saving %.3f s",
                 rating(hr_cur), hr_cur, cs, secs(tc_net_ns(f, cur)));
    }
    char note[300];
    clears_note(note, sizeof note, prod, meas, cur);
    size_t len = strlen(x->reason);
    snprintf(x->reason + len, sizeof x->reason - len, "%s", note);
    Buf ev = {0};
    evidence(&ev, f, cur, sug, run_ns, prod, meas);
    free(x->trace_evidence);
    x->trace_evidence = ev.data;
    if (recs && strcmp(x->recommendation, "KEEP") != 0) {
        if (recs->len) buf_puts(recs, ",\n    ");
        buf_puts(recs, "{\"file\": ");
        jstr(recs, x->file->path);
        buf_puts(recs, ", \"module\": ");
        jstr(recs, x->file->module);
        buf_puts(recs, ", \"function\": ");
        jstr(recs, x->fn->name);
        buf_puts(recs, ", \"qualname\": ");
        jstr(recs, x->fn->qualname);
        buf_printf(recs, ", \"line\": %d, \"recommendation\": \"%s\", \"current_maxsize\": ", x->fn->line, x->recommendation);
        jsize(recs, cur);
        buf_puts(recs, ", \"suggested_maxsize\": ");
        if (x->suggested_maxsize) jsize(recs, x->suggested_maxsize);
        else buf_puts(recs, "null");
        if (x->suggested_maxsize) {
            buf_puts(recs, ", \"decorator\": ");
            char d[64];
            if (x->suggested_maxsize < 0) snprintf(d, sizeof d, "@functools.cache");
            else snprintf(d, sizeof d, "@functools.lru_cache(maxsize=%lld)", (long long)x->suggested_maxsize);
            jstr(recs, d);
        }
        buf_puts(recs, ", \"reason\": ");
        jstr(recs, x->reason);
        buf_printf(recs, ", \"evidence\": %s}", x->trace_evidence);
    }
    return result;
}

/* A candidate: ADD_CACHE when every rule of docs/curves.md holds. Returns its assumed size. */
static int64_t judge_candidate(CrCandidate *c, const TcFunc *prod, const TcFunc *meas, const RvConfig *cfg, double run_ns,
                               Buf *recs) {
    const TcFunc *f = basis_measured(prod, meas) ? meas : prod;
    int64_t sug = tc_suggest(f, TA_SHARE_PERCENT / 100.0, cfg->min_suggested_maxsize, cfg->cache_size);
    char why[400] = "", ss[24];
    size_text(ss, sizeof ss, sug);
    const char *objection = NULL;
    for (int i = 0; i < c->nrejects && !objection; i++)
        if (strcmp(c->rejects[i].code, "C210") && strcmp(c->rejects[i].code, "R305")) objection = c->rejects[i].code;
    double hr = sug ? tc_hit_rate(f, sug) : 0, net = sug ? tc_net_ns(f, sug) : 0;
    double gross = sug ? f->gross_ns[sug < 0 || (uint64_t)sug >= f->len ? f->len - 1 : (size_t)sug] : 0;
    double cost = gross - net;
    if (!f->calls) snprintf(why, sizeof why, "not called in the traced run");
    else if (objection) snprintf(why, sizeof why, "static objection %s (see rejected_because)", objection);
    else if (f->unhashable) snprintf(why, sizeof why, "%llu calls had unhashable arguments (lru_cache raises TypeError)", (unsigned long long)f->unhashable);
    else if (f->raised) snprintf(why, sizeof why, "raised in %llu calls (lru_cache does not cache exceptions)", (unsigned long long)f->raised);
    else if (f->inconsistent) snprintf(why, sizeof why, "same arguments gave different results (%llu keys): not a function of its arguments", (unsigned long long)f->inconsistent);
    else if (f->mutable_result) snprintf(why, sizeof why, "returns mutable objects (%llu calls): every hit would share one", (unsigned long long)f->mutable_result);
    else if (!sug && tc_hit_rate(f, TC_UNBOUNDED) < cfg->hit_rate_threshold)
        snprintf(why, sizeof why, "hit rate %.1f%% even unbounded is below hit_rate_threshold (%g%%)", tc_hit_rate(f, TC_UNBOUNDED), cfg->hit_rate_threshold);
    else if (!sug) snprintf(why, sizeof why, "no cache size saves more than the cache costs (%u ns per hit)", f->overhead_ns);
    else if (hr < cfg->hit_rate_threshold) snprintf(why, sizeof why, "hit rate %.1f%% at maxsize %s is below hit_rate_threshold (%g%%)", hr, ss, cfg->hit_rate_threshold);
    else if (gross < TA_OVERHEAD_FACTOR * cost)
        snprintf(why, sizeof why, "saving %.6f s is not well above the cache costs (%.6f s, %u ns per hit)", secs(gross), secs(cost), f->overhead_ns);
    else if (run_ns > 0 && 100.0 * net / run_ns < cfg->speedup_threshold)
        snprintf(why, sizeof why, "expected saving %.4f s is %.2f%% of the run, below speedup_threshold (%g%%)", secs(net), 100.0 * net / run_ns, cfg->speedup_threshold);
    int ok = !why[0];
    Buf b = {0};
    buf_printf(&b, "{\"recommendation\": \"%s\", \"reason\": ", ok ? "ADD_CACHE" : "NOT_RECOMMENDED");
    char reason[900];
    if (ok)
        snprintf(reason, sizeof reason,
                 "Production data: %.1f%% hit rate at maxsize %s over %llu calls (%llu distinct keys) - expected saving %.3f s "
                 "(%.1f%% of the run)",
                 hr, ss, (unsigned long long)f->calls, (unsigned long long)f->distinct, secs(net),
                 run_ns > 0 ? 100.0 * net / run_ns : 0);
    else snprintf(reason, sizeof reason, "Production data: not recommended - %s", why);
    char note[300];
    clears_note(note, sizeof note, prod, meas, sug ? sug : TC_UNBOUNDED);
    size_t len = strlen(reason);
    snprintf(reason + len, sizeof reason - len, "%s", note);
    jstr(&b, reason);
    buf_puts(&b, ", \"evidence\": ");
    evidence(&b, f, 0, sug, run_ns, prod, meas);
    buf_puts(&b, "}");
    free(c->trace_json);
    c->trace_json = b.data;
    free(c->trace_reason);
    c->trace_reason = xstrndup(reason, strlen(reason));
    c->trace_verdict = ok ? 1 : -1;
    c->trace_saving_s = ok ? secs(net) : 0;
    if (ok && recs) {
        if (recs->len) buf_puts(recs, ",\n    ");
        buf_puts(recs, "{\"file\": ");
        jstr(recs, c->file->path);
        buf_puts(recs, ", \"module\": ");
        jstr(recs, c->file->module);
        buf_puts(recs, ", \"function\": ");
        jstr(recs, c->fn->name);
        buf_puts(recs, ", \"qualname\": ");
        jstr(recs, c->fn->qualname);
        buf_printf(recs, ", \"line\": %d, \"recommendation\": \"ADD_CACHE\", \"suggested_maxsize\": ", c->fn->line);
        jsize(recs, sug);
        char d[64];
        if (sug < 0) snprintf(d, sizeof d, "@functools.cache");
        else snprintf(d, sizeof d, "@functools.lru_cache(maxsize=%lld)", (long long)sug);
        buf_puts(recs, ", \"decorator\": ");
        jstr(recs, d);
        buf_puts(recs, ", \"reason\": ");
        jstr(recs, reason);
        buf_puts(recs, ", \"evidence\": ");
        evidence(recs, f, 0, sug, run_ns, prod, meas);
        buf_puts(recs, "}");
    }
    return ok ? sug : 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

size_t ta_apply(const char *perf_dir, CrReport *r, const RvConfig *cfg, double run_seconds) {
    char *dir = xmalloc(strlen(perf_dir) + 16);
    sprintf(dir, "%s/traces", perf_dir);
    DIR *d = opendir(dir);
    if (!d) { free(dir); return 0; }
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".gtr")) {
            names = xrealloc(names, (nn + 1) * sizeof *names);
            names[nn++] = xstrndup(e->d_name, l);
        }
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str);
    TrFile *tf = xcalloc(nn + 1, sizeof *tf);
    size_t nt = 0;
    for (size_t i = 0; i < nn; i++) {
        char *path = xmalloc(strlen(dir) + strlen(names[i]) + 2);
        sprintf(path, "%s/%s", dir, names[i]);
        char *data, err[300], msg[900];
        size_t n;
        int rc = rv_read_file(AT_FDCWD, path, &data, &n);
        if (rc) {
            snprintf(msg, sizeof msg, "%s: %s (trace not used)", path, strerror(rc));
            warn(r, msg);
        } else {
            if (tr_load((const unsigned char *)data, n, &tf[nt], err, sizeof err)) {
                snprintf(msg, sizeof msg, "%s: %s (trace not used)", path, err);
                warn(r, msg);
            } else {
                if (tf[nt].truncated) {
                    snprintf(msg, sizeof msg, "%s: %llu calls not recorded after the size bound: curves use the recorded prefix",
                             path, (unsigned long long)tf[nt].truncated);
                    warn(r, msg);
                }
                nt++;
            }
            free(data);
        }
        free(path);
        free(names[i]);
    }
    free(names);
    free(dir);
    if (!nt) { free(tf); return 0; }

    /* Traces of one function written in different checkouts (CI shards merged by `review
     * merge`, each with its own absolute path) are one function: name each traced file by the
     * repository-relative path of the analysed file it is, so that their curves add up. */
    for (size_t i = 0; i < nt; i++) {
        char *last = NULL; /* a trace's functions come file by file: look each file up once */
        const char *last_rel = NULL;
        for (size_t k = 0; k < tf[i].nfuncs; k++) {
            TrFunc *fn = &tf[i].funcs[k];
            if (last && !strcmp(last, fn->file)) {
                if (last_rel) {
                    free(fn->file);
                    fn->file = xstrndup(last_rel, strlen(last_rel));
                }
                continue;
            }
            free(last);
            last = xstrndup(fn->file, strlen(fn->file));
            const char *rel = NULL;
            for (size_t j = 0; j < r->nexisting && !rel; j++)
                if (path_matches(r->existing[j].file->path, fn->file)) rel = r->existing[j].file->path;
            for (size_t j = 0; j < r->ncandidates && !rel; j++)
                if (path_matches(r->candidates[j].file->path, fn->file)) rel = r->candidates[j].file->path;
            last_rel = rel && strcmp(rel, fn->file) ? rel : NULL;
            if (last_rel) {
                free(fn->file);
                fn->file = xstrndup(rel, strlen(rel));
            }
        }
        free(last);
    }
    TaIndex index = {0};
    index_build(&index, r);
    TaCtx ctx = {.r = r, .index = &index, .pass = 1};
    TcSet set = {0}, meas = {.clears = TC_CLEARS_MEASURED}; /* meas: only when a trace has clears */
    int any_clears = 0;
    for (size_t i = 0; i < nt; i++) any_clears |= tf[i].nclears > 0;
    for (size_t i = 0; i < nt; i++) tc_add(&set, &tf[i], size_of, &ctx);
    if (any_clears)
        for (size_t i = 0; i < nt; i++) tc_add(&meas, &tf[i], size_of, &ctx);
    double run_ns = run_seconds > 0 ? run_seconds * 1e9 : (double)set.root_ns;
    for (int pass = 1; pass <= 2; pass++) {
        Buf recs = {0};
        size_t nrecs = 0;
        ctx.items = xcalloc(set.nfuncs + 1, sizeof *ctx.items);
        ctx.nitems = set.nfuncs;
        for (size_t k = 0; k < set.nfuncs; k++) {
            const TcFunc *f = &set.funcs[k];
            TaItem *it = &ctx.items[k];
            size_t xi = index_first(&index, r, f, 0);
            if (xi != SIZE_MAX) it->x = &r->existing[xi];
            size_t ci = it->x ? SIZE_MAX : index_first(&index, r, f, 1);
            if (ci != SIZE_MAX) it->c = &r->candidates[ci];
            /* the same function in the measured set: built from the same traces in the same
             * order, so at the same index */
            const TcFunc *m = k < meas.nfuncs ? &meas.funcs[k] : NULL;
            if (m && (m->line != f->line || strcmp(m->file, f->file) || strcmp(m->qualname, f->qualname))) m = NULL;
            size_t before = recs.len;
            if (it->x && !f->calls) {
                /* t17b: a cache never called in the traced run (its module was imported, nothing
                 * more - common in a test suite) has no trace evidence: its verdict stays the
                 * static or cache-statistics one, never "REMOVE: 0.0% over 0 calls". */
                it->assumed = current_maxsize(it->x);
                continue;
            }
            if (it->x) it->assumed = judge_existing(it->x, f, m, cfg, run_ns, pass == 2 ? &recs : NULL);
            else if (it->c) it->assumed = judge_candidate(it->c, f, m, cfg, run_ns, pass == 2 ? &recs : NULL);
            nrecs += recs.len != before;
        }
        if (pass == 1) {
            TaItem *items = ctx.items;
            TcSet again = {0};
            ctx.pass = 2;
            ctx.building = &again;
            for (size_t i = 0; i < nt; i++) tc_add(&again, &tf[i], size_of, &ctx);
            tc_set_free(&set);
            set = again;
            if (any_clears) {
                TcSet m2 = {.clears = TC_CLEARS_MEASURED};
                for (size_t i = 0; i < nt; i++) tc_add(&m2, &tf[i], size_of, &ctx);
                tc_set_free(&meas);
                meas = m2;
            }
            free(items);
            ctx.items = NULL;
            buf_free(&recs);
        } else {
            free(ctx.items);
            free(r->recommendations_json);
            r->recommendations_json = recs.data;
            r->nrecommendations = nrecs;
        }
    }
    r->ntraces = nt;
    r->trace_calls = 0;
    for (size_t i = 0; i < set.nfuncs; i++) r->trace_calls += set.funcs[i].calls;
    r->trace_run_seconds = run_ns / 1e9;
    tc_set_free(&set);
    tc_set_free(&meas);
    index_free(&index);
    for (size_t i = 0; i < nt; i++) tr_free(&tf[i]);
    free(tf);
    return nt;
}

int ta_write_recommendations(const CrReport *r) {
    Buf b = {0};
    buf_printf(&b, "{\n  \"version\": 1,\n  \"tool\": \"glintefy %s\",\n  \"kind\": \"cache_recommendations\",\n"
                   "  \"traces\": %zu,\n  \"run_seconds\": %.6f,\n  \"recommendations\": [",
               GLINTEFY_VERSION, r->ntraces, r->trace_run_seconds);
    int any = 0;
    if (r->recommendations_json && *r->recommendations_json) {
        buf_printf(&b, "\n    %s", r->recommendations_json);
        any = 1;
    }
    /* the existing caches whose verdict changes something but does not come from traces
     * (cache_stats.json): the file is the one list of actions */
    for (size_t i = 0; i < r->nexisting; i++) {
        const CrExisting *x = &r->existing[i];
        if (x->trace_evidence || !strcmp(x->recommendation, "KEEP")) continue;
        buf_puts(&b, any ? ",\n    " : "\n    ");
        any = 1;
        buf_puts(&b, "{\"file\": ");
        jstr(&b, x->file->path);
        buf_puts(&b, ", \"module\": ");
        jstr(&b, x->file->module);
        buf_puts(&b, ", \"function\": ");
        jstr(&b, x->fn->name);
        buf_puts(&b, ", \"qualname\": ");
        jstr(&b, x->fn->qualname);
        buf_printf(&b, ", \"line\": %d, \"recommendation\": ", x->fn->line);
        jstr(&b, x->recommendation);
        buf_puts(&b, ", \"suggested_maxsize\": ");
        if (x->suggested_maxsize) jsize(&b, x->suggested_maxsize);
        else buf_puts(&b, "null");
        buf_puts(&b, ", \"reason\": ");
        jstr(&b, x->reason);
        buf_puts(&b, ", \"source\": ");
        jstr(&b, x->source);
        buf_printf(&b, ", \"evidence\": {\"hits\": %lld, \"misses\": %lld, \"hit_rate_percent\": %.1f}}", (long long)x->hits,
                   (long long)x->misses, x->hit_rate_percent);
    }
    buf_puts(&b, any ? "\n  ]\n}\n" : "]\n}\n");
    char *path = xmalloc(strlen(r->output_dir) + 40);
    sprintf(path, "%s/cache_recommendations.json", r->output_dir);
    int e = rv_write_atomic(path, b.data, b.len);
    free(path);
    buf_free(&b);
    return e;
}
