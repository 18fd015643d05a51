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
#include "../advice/advice.h"
#include "../runtime/tcurve.h"
#include "../version.h"
#include "files.h"


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

static int64_t current_maxsize(const CrExisting *x) { return ad_current_maxsize(x->fn, x->has_stat ? &x->stat : NULL); }

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

/* t17b: which curve is the evidence when the trace has cache_clear() calls (X records):
 * production's (test/fixture clears left out, set->clears = TC_CLEARS_PRODUCTION) unless some
 * clears are of unknown origin, then the one as measured (every clear applied). m is the
 * function in the measured set, NULL when no trace has a clear. The advice stage then judges
 * that curve like any other (docs/evidence-rules.md). */
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

/* The trace's numbers behind verdict v (its suggested size and expected saving, already capped
 * by the advice stage) as a JSON object. */
static void evidence(Buf *b, const TcFunc *f, int64_t cur, const AdVerdict *v, double run_ns, const TcFunc *prod,
                     const TcFunc *meas) {
    int64_t sug = v->suggested_maxsize;
    int64_t at = cur ? cur : TC_UNBOUNDED;
    uint64_t hits = tc_hits(f, at), av = tc_avoided(f, at);
    uint64_t lookups = f->calls - f->unhashable - av;
    buf_printf(b, "{\"hits\": %llu, \"misses\": %llu, \"hit_rate_percent\": %.1f, \"calls\": %llu, \"calls_seen\": %llu, "
                  "\"reach\": \"%s\", \"distinct_keys\": %llu, \"avoided_calls\": %llu, \"time_per_call_s\": %.9f",
               (unsigned long long)hits, (unsigned long long)(lookups - hits), tc_hit_rate(f, at),
               (unsigned long long)f->calls, (unsigned long long)v->calls, v->reach ? v->reach : "complete",
               (unsigned long long)f->distinct, (unsigned long long)av,
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
        double sv = v->gain_s > 0 ? v->gain_s * 1e9 : tc_net_ns(f, sug);
        buf_printf(b, ", \"hit_rate_percent_at_suggested\": %.1f, \"expected_saving_s\": %.6f, \"expected_saving_percent_of_run\": %.2f",
                   tc_hit_rate(f, sug), secs(sv), run_ns > 0 ? 100.0 * sv / run_ns : 0);
        if (v->capped) buf_puts(b, ", \"capped_by_profile\": true");
    }
    evidence_clears(b, prod, meas, sug && !cur ? sug : at);
    buf_printf(b, ", \"overhead_ns_per_hit\": %u, \"curve\": ", f->overhead_ns);
    curve_points(b, f, cur, sug);
    buf_puts(b, "}");
}

/* Existing cache: the advice stage's verdict on its trace and the rest of its evidence. Returns
 * the size the cache will have. */
static int64_t judge_existing(CrExisting *x, const TcFunc *prod, const TcFunc *meas, const RvConfig *cfg, double run_ns,
                              const CrReport *r) {
    const TcFunc *f = basis_measured(prod, meas) ? meas : prod;
    AdConfig ac = rv_advice_config(cfg);
    AdEvidence e = {.fn = x->fn, .stats = x->has_stat ? &x->stat : NULL, .prof = x->prof, .trace = f, .run_ns = run_ns,
                    .hit_ns = r->hit_ns};
    AdVerdict v = ad_existing(&e, &ac);
    if (!strcmp(v.source, "trace")) {
        char note[300];
        clears_note(note, sizeof note, prod, meas, v.current_maxsize);
        size_t len = strlen(v.reason);
        snprintf(v.reason + len, sizeof v.reason - len, "%s", note);
    }
    cr_existing_take(x, &v);
    x->decided = 1;
    free(x->trace_evidence);
    x->trace_evidence = NULL;
    if (!strcmp(v.source, "trace")) {
        Buf ev = {0};
        evidence(&ev, f, v.current_maxsize, &v, run_ns, prod, meas);
        x->trace_evidence = ev.data;
    }
    return v.action == AD_REMOVE ? 0 : v.action == AD_ADJUST_SIZE ? v.suggested_maxsize : v.current_maxsize;
}

/* A candidate: the advice stage's verdict on its trace. Returns its assumed size. */
static int64_t judge_candidate(CrCandidate *c, const TcFunc *prod, const TcFunc *meas, const RvConfig *cfg, double run_ns) {
    const TcFunc *f = basis_measured(prod, meas) ? meas : prod;
    AdConfig ac = rv_advice_config(cfg);
    const char *objection = NULL;
    for (int i = 0; i < c->nrejects && !objection; i++)
        if (strcmp(c->rejects[i].code, "C210") && strcmp(c->rejects[i].code, "R305") && strcmp(c->rejects[i].code, "R308"))
            objection = c->rejects[i].code;
    AdEvidence e = {.fn = c->fn, .prof = {c->profiled, c->calls, c->cumtime}, .trace = f, .run_ns = run_ns,
                    .objection = objection};
    AdVerdict v = ad_candidate(&e, &ac);
    int ok = v.action == AD_ADD_CACHE, thin = v.note != NULL;
    {
        char note[300];
        clears_note(note, sizeof note, prod, meas, v.suggested_maxsize ? v.suggested_maxsize : TC_UNBOUNDED);
        size_t len = strlen(v.reason);
        snprintf(v.reason + len, sizeof v.reason - len, "%s", note);
    }
    Buf ev = {0};
    evidence(&ev, f, 0, &v, run_ns, prod, meas);
    Buf b = {0};
    buf_printf(&b, "{\"recommendation\": \"%s\", \"reason\": ", thin ? "NOT_MEASURED" : ad_action_name(v.action));
    jstr(&b, v.reason);
    buf_printf(&b, ", \"evidence\": %s}", ev.data);
    free(c->trace_json);
    c->trace_json = b.data;
    free(c->trace_evidence);
    c->trace_evidence = ev.data;
    free(c->trace_reason);
    const char *dash = thin ? strstr(v.reason, " - ") : NULL; /* "traced: not enough data (...)" */
    if (dash) {
        Buf t = {0};
        buf_printf(&t, "traced: %s", dash + 3);
        c->trace_reason = t.data;
    } else {
        c->trace_reason = xstrndup(v.reason, strlen(v.reason));
    }
    c->trace_v = v;
    /* too few calls to judge: not measured (listed apart), not "measured, not worth it" */
    c->trace_verdict = ok ? 1 : thin ? 0 : -1;
    c->not_measured = thin ? c->trace_reason : NULL;
    c->trace_saving_s = ok ? v.gain_s : 0;
    return ok ? v.suggested_maxsize : 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

size_t ta_apply(const char *perf_dir, CrReport *r, const RvConfig *cfg, double run_seconds) {
    char *dir = xmalloc(strlen(perf_dir) + 16);
    sprintf(dir, "%s/traces", perf_dir);
    DIR *d = file_opendir(dir);
    if (!d) {
        if (errno != ENOENT) {
            char msg[900];
            snprintf(msg, sizeof msg, "%s: %s (traces not used)", dir, file_strerror(errno));
            warn(r, msg);
        }
        free(dir);
        return 0;
    }
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
            snprintf(msg, sizeof msg, "%s: %s (trace not used)", path, file_strerror(rc));
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
    for (size_t i = 0; i < nt; i++)
        if (tf[i].overhead_ns > r->hit_ns) r->hit_ns = tf[i].overhead_ns;
    for (int pass = 1; pass <= 2; pass++) {
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
            /* a cache never called in the traced run (recorded or not) is judged by the advice
             * stage too: cache_info() if it has counters, else "not exercised" - never REMOVE */
            if (it->x) it->assumed = judge_existing(it->x, f, m, cfg, run_ns, r);
            else if (it->c) it->assumed = judge_candidate(it->c, f, m, cfg, run_ns);
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
        } else {
            free(ctx.items);
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

/* One entry's head: where the function is and what to do. */
static void rec_head(Buf *b, const AnFile *file, const AnFunc *fn, const char *what) {
    buf_puts(b, "{\"file\": ");
    jstr(b, file->path);
    buf_puts(b, ", \"module\": ");
    jstr(b, file->module);
    buf_puts(b, ", \"function\": ");
    jstr(b, fn->name);
    buf_puts(b, ", \"qualname\": ");
    jstr(b, fn->qualname);
    buf_printf(b, ", \"line\": %d, \"recommendation\": \"%s\"", fn->line, what);
}
static void rec_decorator(Buf *b, int64_t size) {
    char d[64];
    if (size < 0) snprintf(d, sizeof d, "@functools.cache");
    else snprintf(d, sizeof d, "@functools.lru_cache(maxsize=%lld)", (long long)size);
    buf_puts(b, ", \"decorator\": ");
    jstr(b, d);
}
static void rec_gain(Buf *b, const AdVerdict *v) {
    buf_puts(b, ", \"gain\": {\"time_s\": ");
    if (v->gain_s >= 0) buf_printf(b, "%.6f", v->gain_s);
    else buf_puts(b, "null");
    buf_printf(b, ", \"entries_freed\": %lld}", (long long)v->entries_freed);
}

int ta_write_recommendations(const CrReport *r, FileSet *set) {
    Buf b = {0};
    buf_printf(&b, "{\n  \"version\": 1,\n  \"tool\": \"glintefy %s\",\n  \"kind\": \"cache_recommendations\",\n"
                   "  \"traces\": %zu,\n  \"run_seconds\": %.6f,\n  \"recommendations\": [",
               GLINTEFY_VERSION, r->ntraces, r->trace_run_seconds);
    /* exactly the actions the terminal and summary.md show (cr_*_is_action), candidates in rank
     * order first: the file --validate applies */
    int any = 0;
    for (size_t i = 0; i < r->ncandidates; i++) {
        const CrCandidate *c = &r->candidates[i];
        if (!cr_candidate_is_action(c)) continue;
        buf_puts(&b, any ? ",\n    " : "\n    ");
        any = 1;
        rec_head(&b, c->file, c->fn, "ADD_CACHE");
        buf_puts(&b, ", \"suggested_maxsize\": ");
        jsize(&b, c->trace_v.suggested_maxsize);
        rec_decorator(&b, c->trace_v.suggested_maxsize);
        buf_puts(&b, ", \"reason\": ");
        jstr(&b, c->trace_v.reason);
        buf_puts(&b, ", \"source\": \"trace\"");
        rec_gain(&b, &c->trace_v);
        buf_printf(&b, ", \"evidence\": %s}", c->trace_evidence ? c->trace_evidence : "{}");
    }
    for (size_t i = 0; i < r->nexisting; i++) {
        const CrExisting *x = &r->existing[i];
        if (!cr_existing_is_action(x)) continue;
        buf_puts(&b, any ? ",\n    " : "\n    ");
        any = 1;
        rec_head(&b, x->file, x->fn, x->recommendation);
        buf_puts(&b, ", \"current_maxsize\": ");
        jsize(&b, x->verdict.current_maxsize);
        buf_puts(&b, ", \"suggested_maxsize\": ");
        if (x->suggested_maxsize) jsize(&b, x->suggested_maxsize);
        else buf_puts(&b, "null");
        if (x->suggested_maxsize) rec_decorator(&b, x->suggested_maxsize);
        buf_puts(&b, ", \"reason\": ");
        jstr(&b, x->reason);
        buf_puts(&b, ", \"source\": ");
        jstr(&b, x->source);
        rec_gain(&b, &x->verdict);
        if (x->trace_evidence) buf_printf(&b, ", \"evidence\": %s}", x->trace_evidence);
        else
            buf_printf(&b, ", \"evidence\": {\"hits\": %lld, \"misses\": %lld, \"hit_rate_percent\": %.1f, \"calls\": %lld}}",
                       (long long)x->hits, (long long)x->misses, x->hit_rate_percent, (long long)x->verdict.calls);
    }
    buf_puts(&b, any ? "\n  ]\n}\n" : "]\n}\n");
    int e = file_set_put(set, "cache_recommendations.json", b.data, b.len);
    buf_free(&b);
    return e;
}
