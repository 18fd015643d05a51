/* advice.c - the evidence rules of docs/evidence-rules.md, in the order of its table: correctness
 * first (static), then the fullest evidence (a complete trace, else whole-run cache_info()
 * counters, else a cut-short trace, else the profile, else static facts), then min_calls, then
 * what that evidence says, and no REMOVE / ADJUST_SIZE without a stated gain. */
#include "advice.h"
#include <stdio.h>
#include <string.h>
#include "../runtime/trace.h"

enum { AD_SHARE_PERCENT = 95 };   /* suggested maxsize: this share of the best saving */
enum { AD_OVERHEAD_FACTOR = 10 }; /* a new cache's saving must be this many times its cost */
enum { AD_SHRINK_FACTOR = 2 };    /* a cache this many times too large is told to shrink */

const char *ad_action_name(AdAction a) {
    static const char *const N[] = {"KEEP", "REMOVE", "ADJUST_SIZE", "ADD_CACHE", "NOT_RECOMMENDED"};
    return a >= AD_KEEP && a <= AD_NOT_RECOMMENDED ? N[a] : "KEEP";
}

int64_t ad_current_maxsize(const AnFunc *fn, const CacheStat *stats) {
    if (fn->cache.maxsize == AN_UNBOUNDED || fn->cache.kind == AN_CACHE) return TC_UNBOUNDED;
    if (fn->cache.maxsize == AN_MAXSIZE_UNKNOWN || fn->cache.maxsize < 0) {
        if (stats) return stats->maxsize == CACHE_UNBOUNDED ? TC_UNBOUNDED : stats->maxsize;
        return 128;
    }
    return fn->cache.maxsize;
}

int64_t ad_headroom_size(uint64_t keys) {
    uint64_t want = keys + (keys + 3) / 4, p = 1;
    while (p < want && p < (UINT64_C(1) << 62)) p <<= 1;
    return (int64_t)p;
}

static const char *reach_name(int st) {
    return st == TR_SETTLED ? "settled" : st == TR_CUT_SHORT ? "cut short" : st == TR_STOPPED ? "stopped" : "complete";
}
static const char *rating(double hr) {
    return hr > 80 ? "Excellent" : hr >= 50 ? "Good" : hr >= 20 ? "Marginal" : "Poor";
}
static void size_text(char *out, size_t n, int64_t s) {
    if (s < 0) snprintf(out, n, "unbounded");
    else snprintf(out, n, "%lld", (long long)s);
}
/* Every call the wrappers saw (P records), at least the recorded ones. */
static uint64_t seen_calls(const TcFunc *t) { return t->seen > t->calls ? t->seen : t->calls; }

static AdVerdict base(const AdEvidence *e) {
    AdVerdict v;
    memset(&v, 0, sizeof v);
    v.action = AD_KEEP;
    v.gain_s = -1;
    v.source = "static";
    v.current_maxsize = ad_current_maxsize(e->fn, e->stats);
    return v;
}

/* The rule "no REMOVE or ADJUST_SIZE below min_calls": returns 1 (and fills v) when n is too few. */
static int too_few(AdVerdict *v, uint64_t n, const AdConfig *cfg, const char *what) {
    if (n == 0) {
        v->note = "not-exercised";
        snprintf(v->reason, sizeof v->reason,
                 "Not exercised by the workload: 0 calls in %s - kept; profile a workload that calls it to judge it", what);
        return 1;
    }
    if ((int64_t)n >= cfg->min_calls) return 0;
    v->note = "not-enough-data";
    char at[48] = "";
    if (v->current_maxsize) {
        char cs[24];
        size_text(cs, sizeof cs, v->current_maxsize);
        snprintf(at, sizeof at, " at maxsize %s", cs);
    }
    snprintf(v->reason, sizeof v->reason,
             "Not enough data: %llu call%s in %s (need min_calls = %lld) - kept; %.1f%% hit rate so far%s",
             (unsigned long long)n, n == 1 ? "" : "s", what, (long long)cfg->min_calls, v->hit_rate_percent, at);
    return 1;
}

/* ---- existing caches ------------------------------------------------------------------- */

static AdVerdict existing_static(const AdEvidence *e) {
    AdVerdict v = base(e);
    const AnFunc *fn = e->fn;
    v.note = "not-measured";
    if (fn->call_sites >= 2)
        snprintf(v.reason, sizeof v.reason,
                 "Static analysis: Function called %d times in codebase - likely benefits from caching", fn->call_sites);
    else if (fn->call_sites == 1)
        snprintf(v.reason, sizeof v.reason,
                 "Static analysis: Function called 1 time in codebase - benefit uncertain (one call site may run many "
                 "times, e.g. in a loop); profile to decide");
    else
        snprintf(v.reason, sizeof v.reason,
                 "Static analysis: Function not called in codebase - public API or called dynamically; profile to decide");
    return v;
}

static AdVerdict existing_trace(const AdEvidence *e, const AdConfig *cfg) {
    const TcFunc *t = e->trace;
    AdVerdict v = base(e);
    v.source = "trace";
    v.reach = reach_name(t->state);
    uint64_t n = seen_calls(t);
    double k = t->calls ? (double)n / (double)t->calls : 1; /* SETTLED: the prefix stands for every call */
    int64_t cur = v.current_maxsize;
    int64_t sug = tc_suggest(t, AD_SHARE_PERCENT / 100.0, cfg->min_suggested_maxsize, cfg->small_keys);
    double hr_unb = tc_hit_rate(t, TC_UNBOUNDED), hr_cur = tc_hit_rate(t, cur);
    uint64_t D = t->len ? t->len - 1 : 0; /* the largest working set of a process */
    int64_t held = cur < 0 || (uint64_t)cur > D ? (int64_t)D : cur;
    double net_cur = tc_net_ns(t, cur) * k;
    char cs[24], ss[24], scaled[96] = "";
    size_text(cs, sizeof cs, cur);
    v.calls = (int64_t)n;
    v.hits = (int64_t)tc_hits(t, cur);
    v.misses = (int64_t)(t->calls - t->unhashable - tc_avoided(t, cur)) - v.hits;
    v.hit_rate_percent = hr_cur;
    if (too_few(&v, n, cfg, "the key trace")) return v;
    if (t->state == TR_SETTLED)
        snprintf(scaled, sizeof scaled, " (curve settled after %llu recorded calls; times scaled to all %llu)",
                 (unsigned long long)t->calls, (unsigned long long)n);

    if (sug == 0 || hr_unb < cfg->remove_threshold) {
        if (net_cur <= 0) {
            v.action = AD_REMOVE;
            v.gain_s = -net_cur / 1e9;
            v.entries_freed = held;
            if (hr_unb < cfg->remove_threshold)
                snprintf(v.reason, sizeof v.reason,
                         "Production data: Poor hit rate even unbounded (%.1f%% over %llu calls, %llu distinct keys) - "
                         "remove the cache: saves %.6f s of lookups and frees %lld entries%s",
                         hr_unb, (unsigned long long)n, (unsigned long long)t->distinct, v.gain_s, (long long)held, scaled);
            else
                snprintf(v.reason, sizeof v.reason,
                         "Production data: hit rate %.1f%% over %llu calls but hits save less than the cache costs "
                         "(%u ns per hit on this interpreter; the function takes %.0f ns per call) - remove the cache: "
                         "saves %.6f s and frees %lld entries%s",
                         hr_cur, (unsigned long long)n, t->overhead_ns,
                         t->calls ? (double)t->duration_ns / (double)t->calls : 0, v.gain_s, (long long)held, scaled);
            return v;
        }
        snprintf(v.reason, sizeof v.reason,
                 "Production data: %s hit rate (%.1f%% at maxsize %s over %llu calls) but its hits still save %.6f s - "
                 "kept (removing it would lose that)%s",
                 rating(hr_cur), hr_cur, cs, (unsigned long long)n, net_cur / 1e9, scaled);
        return v;
    }
    if (cur >= 0 && ((sug < 0 && (uint64_t)cur < D) || sug > cur)) {
        /* too small for the working set: a bounded size with headroom, never "unbounded" */
        int64_t to = sug < 0 ? ad_headroom_size(D) : sug;
        double gain = tc_net_ns(t, to) * k - net_cur;
        /* never more than the profile measured for the body (the misses a larger cache saves) */
        if (e->prof.present && e->prof.cumtime > 0 && gain > e->prof.cumtime * 1e9) gain = e->prof.cumtime * 1e9;
        size_text(ss, sizeof ss, to);
        if (gain > 0) {
            v.action = AD_ADJUST_SIZE;
            v.suggested_maxsize = to;
            v.gain_s = gain / 1e9;
            snprintf(v.reason, sizeof v.reason,
                     "Production data: maxsize %s is smaller than the working set (%llu keys) - hit rate %.1f%% at %s, "
                     "%.1f%% at %s; grow to %s: saves %.6f s more%s",
                     cs, (unsigned long long)D, hr_cur, cs, tc_hit_rate(t, to), ss, ss, v.gain_s, scaled);
            return v;
        }
    }
    if (sug > 0 && (cur < 0 || cur >= AD_SHRINK_FACTOR * sug) && (uint64_t)sug < D && held > sug) {
        size_text(ss, sizeof ss, sug);
        v.action = AD_ADJUST_SIZE;
        v.suggested_maxsize = sug;
        v.entries_freed = held - sug;
        double loss = net_cur - tc_net_ns(t, sug) * k;
        snprintf(v.reason, sizeof v.reason,
                 "Production data: %s hit rate (%.1f%%) but maxsize %s is larger than needed - %s entries give %.1f%% "
                 "(%d%% of the saving); can reduce to %s: frees %lld of %lld entries, costs %.6f s of saving%s",
                 rating(hr_cur), hr_cur, cs, ss, tc_hit_rate(t, sug), AD_SHARE_PERCENT, ss, (long long)v.entries_freed,
                 (long long)held, loss > 0 ? loss / 1e9 : 0.0, scaled);
        return v;
    }
    snprintf(v.reason, sizeof v.reason, "Production data: %s hit rate (%.1f%%) at maxsize %s over %llu calls, saving %.3f s%s",
             rating(hr_cur), hr_cur, cs, (unsigned long long)n, net_cur / 1e9, scaled);
    return v;
}

/* cache_info() counters over the whole run, with the profile's cost of a miss (its body). */
static AdVerdict existing_stats(const AdEvidence *e, const AdConfig *cfg, const char *why_not_trace) {
    const CacheStat *s = e->stats;
    AdVerdict v = base(e);
    v.source = "cache_stats";
    int64_t n = cache_stat_calls(s);
    v.calls = n;
    v.hits = s->hits;
    v.misses = s->misses;
    v.hit_rate_percent = n ? 100.0 * (double)s->hits / (double)n : 0;
    double hr = v.hit_rate_percent;
    if (too_few(&v, (uint64_t)n, cfg, "cache_info()")) return v;
    int bounded = s->maxsize != CACHE_UNBOUNDED, full = bounded && s->currsize >= s->maxsize;
    char size[64], tail[200] = "";
    if (bounded) snprintf(size, sizeof size, "%lld/%lld", (long long)s->currsize, (long long)s->maxsize);
    else snprintf(size, sizeof size, "%lld/unbounded", (long long)s->currsize);
    if (why_not_trace) snprintf(tail, sizeof tail, " (%s)", why_not_trace);
    double hit_ns = e->hit_ns ? e->hit_ns : AD_HIT_NS_ESTIMATE;
    const char *hit_how = e->hit_ns ? "measured by the probe" : "estimated";
    double per_ns = e->prof.present && e->prof.calls > 0 ? e->prof.cumtime * 1e9 / (double)e->prof.calls : -1;
    /* net time the cache saves: hits skip the body; a hit costs one lookup, a miss two */
    double net_ns = per_ns >= 0 ? (double)s->hits * (per_ns - hit_ns) - (double)s->misses * 2 * hit_ns : 0;
    const char *settle = "To settle it: 'glintefy review profile -- CMD' traces this cache's keys (hit rates at "
                         "every maxsize), or run with a larger maxsize and compare cache_info()";

    if (hr < cfg->remove_threshold) {
        if (full) {
            if (per_ns >= 0 && per_ns < hit_ns) {
                v.action = AD_REMOVE;
                v.gain_s = -net_ns / 1e9;
                v.entries_freed = s->currsize;
                snprintf(v.reason, sizeof v.reason,
                         "Production data: %s hit rate (%.1f%% over %lld calls), cache full (%s), and each call of the "
                         "function costs %.0f ns (profile), less than a cache hit (%.0f ns, %s): no maxsize can pay off "
                         "- remove the cache: saves %.6f s and frees %lld entries%s",
                         rating(hr), hr, (long long)n, size, per_ns, hit_ns, hit_how, v.gain_s, (long long)s->currsize, tail);
                return v;
            }
            v.note = "maxsize-may-be-too-small";
            if (per_ns >= 0)
                snprintf(v.reason, sizeof v.reason,
                         "Production data: %s hit rate (%.1f%% over %lld calls) but the cache is full (%s) and each call "
                         "costs %.0f ns (profile), more than a hit (%.0f ns, %s): maxsize may be too small - kept. %s%s",
                         rating(hr), hr, (long long)n, size, per_ns, hit_ns, hit_how, settle, tail);
            else
                snprintf(v.reason, sizeof v.reason,
                         "Production data: %s hit rate (%.1f%% over %lld calls) but the cache is full (%s); the function's "
                         "cost per call is unknown (no profile row) - kept. %s%s",
                         rating(hr), hr, (long long)n, size, settle, tail);
            return v;
        }
        if (per_ns >= 0 && net_ns > 0) {
            snprintf(v.reason, sizeof v.reason,
                     "Production data: %s hit rate (%.1f%% over %lld calls) but each hit skips %.0f ns of work (profile): "
                     "the cache saves %.6f s - kept%s",
                     rating(hr), hr, (long long)n, per_ns, net_ns / 1e9, tail);
            return v;
        }
        if (per_ns < 0 && s->currsize == 0) {
            snprintf(v.reason, sizeof v.reason,
                     "Production data: %s hit rate (%.1f%% over %lld calls), but it holds no entries and its cost per call "
                     "is unknown (no profile row): nothing measured to gain - kept%s",
                     rating(hr), hr, (long long)n, tail);
            return v;
        }
        v.action = AD_REMOVE;
        v.entries_freed = s->currsize;
        if (per_ns >= 0) {
            v.gain_s = -net_ns / 1e9;
            snprintf(v.reason, sizeof v.reason,
                     "Production data: %s hit rate (%.1f%% over %lld calls), below remove_threshold (%g%%), and its hits "
                     "save less than its lookups cost (%.0f ns per call, %.0f ns per hit, %s) - remove the cache: saves "
                     "%.6f s and frees %lld entries%s",
                     rating(hr), hr, (long long)n, cfg->remove_threshold, per_ns, hit_ns, hit_how, v.gain_s,
                     (long long)s->currsize, tail);
        } else {
            snprintf(v.reason, sizeof v.reason,
                     "Production data: %s hit rate (%.1f%% over %lld calls), below remove_threshold (%g%%) - remove the "
                     "cache: frees %lld entries and %lld lookups (time not measured: no profile row)%s",
                     rating(hr), hr, (long long)n, cfg->remove_threshold, (long long)s->currsize, (long long)n, tail);
        }
        return v;
    }
    if (hr < cfg->hit_rate_threshold) {
        if (full) v.note = "maxsize-may-be-too-small";
        snprintf(v.reason, sizeof v.reason,
                 "Production data: %s hit rate (%.1f%% over %lld calls), between remove_threshold (%g%%) and "
                 "hit_rate_threshold (%g%%) - kept, monitor it%s%s%s",
                 rating(hr), hr, (long long)n, cfg->remove_threshold, cfg->hit_rate_threshold,
                 full ? "; the cache is full (" : "", full ? size : "", full ? "), maxsize may be too small" : "");
        return v;
    }
    if (bounded && s->maxsize > 0 && 100.0 * (double)s->currsize / (double)s->maxsize < cfg->size_adjustment_threshold) {
        /* an lru_cache allocates per entry: a smaller maxsize frees nothing the cache holds */
        snprintf(v.reason, sizeof v.reason,
                 "Production data: %s hit rate (%.1f%% over %lld calls); it holds %s entries - a smaller maxsize would "
                 "free nothing it holds now, so it is kept as is%s",
                 rating(hr), hr, (long long)n, size, tail);
        return v;
    }
    snprintf(v.reason, sizeof v.reason, "Production data: %s hit rate (%.1f%% over %lld calls)%s%s%s%s", rating(hr), hr,
             (long long)n, full ? "; the cache is full (" : "", full ? size : "",
             full ? "), a larger maxsize may raise it further" : "", tail);
    return v;
}

static AdVerdict existing_verdict(const AdEvidence *e, const AdConfig *cfg) {
    const AnFunc *fn = e->fn;
    AdVerdict v = base(e);
    /* correctness before measurements: a hit would hand out an exhausted one-shot object */
    int one_shot = fn->is_generator || (fn->is_async && fn->cache.kind != AN_CACHED_PROPERTY);
    for (int i = 0; i < fn->nhazards && !one_shot; i++) one_shot = fn->hazards[i].kind == AN_C_GENERATOR;
    if (one_shot) {
        v.action = AD_REMOVE;
        snprintf(v.reason, sizeof v.reason,
                 "Static analysis: cache on a %s - it caches a one-shot object, later hits get it exhausted; removing "
                 "it gains correct results",
                 fn->is_async ? "coroutine function" : "generator function");
        return v;
    }
    if (fn->cache.kind == AN_CACHED_PROPERTY) {
        snprintf(v.reason, sizeof v.reason, "Static analysis: cached_property computes its value once per instance - kept");
        return v;
    }
    const TcFunc *t = e->trace;
    int64_t scalls = e->stats ? cache_stat_calls(e->stats) : -1;
    /* the fullest evidence wins: a complete trace, else the whole run's counters */
    if (t && t->calls && (t->state == TR_COMPLETE || t->state == TR_SETTLED)) return existing_trace(e, cfg);
    if (scalls > 0) {
        char why[160];
        if (t)
            snprintf(why, sizeof why, "the key trace was %s after %llu of %llu calls: cache_info() covers the whole run",
                     reach_name(t->state), (unsigned long long)t->calls, (unsigned long long)seen_calls(t));
        return existing_stats(e, cfg, t ? why : NULL);
    }
    if (t && seen_calls(t) > 0) {
        v.source = "trace";
        v.reach = reach_name(t->state);
        v.calls = (int64_t)seen_calls(t);
        v.note = "trace-cut-short";
        snprintf(v.reason, sizeof v.reason,
                 "Not enough data: the key trace was %s after %llu of %llu calls (%s) - no REMOVE or ADJUST_SIZE from a "
                 "partial trace; kept. perf/cache_stats.json (written by review profile) gives the whole run's counters",
                 v.reach, (unsigned long long)t->calls, (unsigned long long)v.calls,
                 t->state == TR_STOPPED ? "tracing stopped for safety" : "the trace budget was spent");
        return v;
    }
    if (t || e->stats) {
        v.source = t ? "trace" : "cache_stats";
        if (t) v.reach = reach_name(t->state);
        too_few(&v, 0, cfg, t ? "the key trace" : "cache_info()");
        return v;
    }
    if (e->prof.present) {
        v.source = "profile";
        v.calls = e->prof.calls;
        v.note = "not-measured";
        snprintf(v.reason, sizeof v.reason,
                 "Profile: the function's body ran %lld times (%.6f s) - those are cache misses, cProfile does not see "
                 "hits, so the hit rate is unknown; kept. A key trace or cache_stats.json ('glintefy review profile -- CMD') "
                 "decides",
                 (long long)e->prof.calls, e->prof.cumtime);
        return v;
    }
    v = existing_static(e);
    if (e->run_measured) {
        size_t l = strlen(v.reason);
        snprintf(v.reason + l, sizeof v.reason - l,
                 " (not measured: the profiled run has no trace, cache_info() or profile row of it - its module was "
                 "not imported or the function not reached)");
    }
    return v;
}

AdVerdict ad_existing(const AdEvidence *e, const AdConfig *cfg) {
    AdVerdict v = existing_verdict(e, cfg);
    const AnCache *c = &e->fn->cache;
    /* A site of a cache factory (@cacheit) has no maxsize of its own to edit: the factory sets
     * one size for all its sites. What this site's evidence says is reported, not acted on. */
    if (v.action == AD_ADJUST_SIZE && c->via && !strcmp(c->via, "factory")) {
        char best[24];
        size_text(best, sizeof best, v.suggested_maxsize);
        size_t l = strlen(v.reason);
        snprintf(v.reason + l, sizeof v.reason - l,
                 ". Kept: its size is set by the cache factory %s for all its sites, not here - this site alone would do "
                 "best at maxsize %s; change the factory's size if most of its sites agree",
                 c->factory ? c->factory : "(unknown)", best);
        v.action = AD_KEEP;
        v.note = "size-set-by-factory";
        v.suggested_maxsize = 0;
        v.gain_s = -1;
        v.entries_freed = 0;
    }
    return v;
}

/* ---- candidates ------------------------------------------------------------------------ */

AdVerdict ad_candidate(const AdEvidence *e, const AdConfig *cfg) {
    const TcFunc *f = e->trace;
    AdVerdict v = base(e);
    v.current_maxsize = 0;
    v.source = "trace";
    v.reach = reach_name(f->state);
    uint64_t n = seen_calls(f);
    v.calls = (int64_t)n;
    /* a settled curve stands for every call; a cut-short one only for the calls it recorded */
    double k = f->state == TR_SETTLED && f->calls ? (double)n / (double)f->calls : 1;
    int64_t sug = tc_suggest(f, AD_SHARE_PERCENT / 100.0, cfg->min_suggested_maxsize, cfg->small_keys);
    char why[400] = "", ss[24];
    size_text(ss, sizeof ss, sug);
    double hr = sug ? tc_hit_rate(f, sug) : 0, net = sug ? tc_net_ns(f, sug) * k : 0;
    double gross = sug ? f->gross_ns[sug < 0 || (uint64_t)sug >= f->len ? f->len - 1 : (size_t)sug] * k : 0;
    double cost = gross - net;
    if (sug) {
        v.hits = (int64_t)tc_hits(f, sug);
        v.misses = (int64_t)(f->calls - f->unhashable - tc_avoided(f, sug)) - v.hits;
        v.hit_rate_percent = hr;
    }
    /* expected savings never exceed what the profile measured for the calls a cache would skip */
    if (net > 0 && e->prof.present && e->prof.cumtime > 0 && f->calls) {
        double skipped = (double)(tc_hits(f, sug) + tc_avoided(f, sug)) / (double)f->calls;
        double cap = e->prof.cumtime * 1e9 * (skipped > 1 ? 1 : skipped);
        if (net > cap) {
            net = cap;
            v.capped = 1;
        }
    }
    if (!n) {
        v.note = "not-exercised";
        snprintf(why, sizeof why, "not called in the traced run");
    } else if (e->objection) snprintf(why, sizeof why, "static objection %s (see rejected_because)", e->objection);
    else if ((int64_t)n < cfg->min_calls) {
        v.note = "not-enough-data";
        snprintf(why, sizeof why, "not enough data (%llu calls; need min_calls = %lld)", (unsigned long long)n,
                 (long long)cfg->min_calls);
    }
    else if (f->unhashable) snprintf(why, sizeof why, "%llu calls had unhashable arguments (lru_cache raises TypeError)", (unsigned long long)f->unhashable);
    else if (f->raised) snprintf(why, sizeof why, "raised in %llu calls (lru_cache does not cache exceptions)", (unsigned long long)f->raised);
    else if (f->inconsistent) snprintf(why, sizeof why, "same arguments gave different results (%llu keys): not a function of its arguments", (unsigned long long)f->inconsistent);
    else if (f->mutable_result) snprintf(why, sizeof why, "returns mutable objects (%llu calls): every hit would share one", (unsigned long long)f->mutable_result);
    else if (!sug && tc_hit_rate(f, TC_UNBOUNDED) < cfg->hit_rate_threshold)
        snprintf(why, sizeof why, "hit rate %.1f%% even unbounded is below hit_rate_threshold (%g%%)", tc_hit_rate(f, TC_UNBOUNDED), cfg->hit_rate_threshold);
    else if (!sug) snprintf(why, sizeof why, "no cache size saves more than the cache costs (%u ns per hit)", f->overhead_ns);
    else if (hr < cfg->hit_rate_threshold) snprintf(why, sizeof why, "hit rate %.1f%% at maxsize %s is below hit_rate_threshold (%g%%)", hr, ss, cfg->hit_rate_threshold);
    else if (gross < AD_OVERHEAD_FACTOR * cost)
        snprintf(why, sizeof why, "saving %.6f s is not well above the cache costs (%.6f s, %u ns per hit)", gross / 1e9, cost / 1e9, f->overhead_ns);
    else if (e->run_ns > 0 && 100.0 * net / e->run_ns < cfg->speedup_threshold)
        snprintf(why, sizeof why, "expected saving %.4f s is %.2f%% of the run, below speedup_threshold (%g%%)", net / 1e9, 100.0 * net / e->run_ns, cfg->speedup_threshold);
    if (why[0]) {
        v.action = AD_NOT_RECOMMENDED;
        snprintf(v.reason, sizeof v.reason, "Production data: not recommended - %s", why);
        return v;
    }
    char note[200] = "";
    if (v.capped) snprintf(note, sizeof note, "; capped at the profile's time for the calls it would skip (traced durations include the probe's overhead)");
    else if (f->state == TR_CUT_SHORT || f->state == TR_STOPPED)
        snprintf(note, sizeof note, "; the trace was %s after %llu of %llu calls: measured on those", v.reach,
                 (unsigned long long)f->calls, (unsigned long long)n);
    v.action = AD_ADD_CACHE;
    v.suggested_maxsize = sug;
    v.gain_s = net / 1e9;
    snprintf(v.reason, sizeof v.reason,
             "Production data: %.1f%% hit rate at maxsize %s over %llu calls (%llu distinct keys) - expected saving %.3f s "
             "(%.1f%% of the run)%s",
             hr, ss, (unsigned long long)n, (unsigned long long)f->distinct, v.gain_s,
             e->run_ns > 0 ? 100.0 * net / e->run_ns : 0, note);
    return v;
}
