/* cachestats.c - reads cache_stats.json with jansson into CacheStat rows, and the verdict rules
 * for existing caches (the guide's hit-rate table and glintefy's thresholds). */
#include "cachestats.h"
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../base/buf.h"
#include "../base/xalloc.h"

/* ---- reading -------------------------------------------------------------------------- */

static int cerr(CacheStatsError *err, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cerr(CacheStatsError *err, const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err->line = err->column = 0;
    snprintf(err->path, sizeof err->path, "%s", path);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static char *dup_json_str(json_t *v) {
    return v && json_is_string(v) ? xstrndup(json_string_value(v), json_string_length(v)) : NULL;
}

/* A required non-negative integer field. */
static int get_counter(json_t *o, const char *key, const char *path, int64_t *out, CacheStatsError *err) {
    json_t *v = json_object_get(o, key);
    if (!v) return cerr(err, path, "missing \"%s\"", key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return cerr(err, path, "\"%s\" must be a non-negative integer", key);
    *out = json_integer_value(v);
    return 0;
}

/* One cache's object; `name` is its "module.function" key in the keyed shape, else NULL. */
static int read_entry(json_t *o, const char *name, const char *path, CacheStat *s, CacheStatsError *err) {
    memset(s, 0, sizeof *s);
    if (!json_is_object(o)) return cerr(err, path, "expected an object with hits, misses, maxsize, currsize");
    if (get_counter(o, "hits", path, &s->hits, err) || get_counter(o, "misses", path, &s->misses, err)) return -1;
    json_t *max = json_object_get(o, "maxsize");
    if (!max) return cerr(err, path, "missing \"maxsize\" (null for an unbounded cache)");
    if (json_is_null(max)) s->maxsize = CACHE_UNBOUNDED;
    else if (get_counter(o, "maxsize", path, &s->maxsize, err)) return -1;
    if (get_counter(o, "currsize", path, &s->currsize, err)) return -1;
    json_t *line = json_object_get(o, "line");
    if (line && !json_is_null(line)) {
        if (!json_is_integer(line) || json_integer_value(line) < 1) return cerr(err, path, "\"line\" must be a positive integer");
        s->line = json_integer_value(line);
    }
    static const char *const STRINGS[] = {"module", "function", "file", "qualname"};
    for (size_t k = 0; k < 4; k++) {
        json_t *v = json_object_get(o, STRINGS[k]);
        if (v && !json_is_null(v) && !json_is_string(v)) return cerr(err, path, "\"%s\" must be a string", STRINGS[k]);
    }
    s->module = dup_json_str(json_object_get(o, "module"));
    s->function = dup_json_str(json_object_get(o, "function"));
    s->file = dup_json_str(json_object_get(o, "file"));
    s->qualname = dup_json_str(json_object_get(o, "qualname"));
    if (name && !s->function) { /* the key names it ("module" in the entry, if any, gives way) */
        const char *dot = strrchr(name, '.');
        free(s->module);
        s->module = dot ? xstrndup(name, (size_t)(dot - name)) : NULL;
        s->function = xstrndup(dot ? dot + 1 : name, strlen(dot ? dot + 1 : name));
    }
    if (!s->function && !s->qualname) return cerr(err, path, "needs \"function\" or \"qualname\" to name the cache");
    return 0;
}

static void free_stat(CacheStat *s) {
    free(s->module);
    free(s->function);
    free(s->file);
    free(s->qualname);
}

static int read_list(json_t *arr, const char *where, CacheStats *out, CacheStatsError *err) {
    out->items = xcalloc(json_array_size(arr) + 1, sizeof *out->items);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        char path[96];
        snprintf(path, sizeof path, "%s[%zu]", where, i);
        if (json_is_object(v) && json_object_get(v, "error") && !json_object_get(v, "hits")) continue;
        if (read_entry(v, NULL, path, &out->items[out->len], err)) {
            free_stat(&out->items[out->len]);
            return -1;
        }
        out->len++;
    }
    return 0;
}

static int read_keyed(json_t *obj, CacheStats *out, CacheStatsError *err) {
    out->items = xcalloc(json_object_size(obj) + 1, sizeof *out->items);
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        char path[96];
        snprintf(path, sizeof path, "$[\"%.60s\"]", key);
        if (read_entry(v, key, path, &out->items[out->len], err)) {
            free_stat(&out->items[out->len]);
            return -1;
        }
        out->len++;
    }
    return 0;
}

int cachestats_parse(const char *data, size_t n, CacheStats *out, CacheStatsError *err) {
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loadb(data, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root) {
        err->line = jerr.line > 0 ? jerr.line : 1;
        err->column = jerr.column > 0 ? jerr.column : 1;
        err->path[0] = 0;
        snprintf(err->msg, sizeof err->msg, "%s", jerr.text);
        return -1;
    }
    int rc;
    json_t *caches = json_is_object(root) ? json_object_get(root, "caches") : NULL;
    if (json_is_array(root)) rc = read_list(root, "$", out, err);
    else if (caches && json_is_array(caches)) rc = read_list(caches, "$.caches", out, err);
    else if (caches) rc = cerr(err, "$.caches", "expected a list of caches");
    else if (json_is_object(root)) rc = read_keyed(root, out, err);
    else rc = cerr(err, "$", "expected a list of caches or an object keyed by \"module.function\"");
    json_decref(root);
    if (rc) cachestats_free(out);
    return rc;
}

void cachestats_free(CacheStats *st) {
    if (!st) return;
    for (size_t i = 0; i < st->len; i++) free_stat(&st->items[i]);
    free(st->items);
    st->items = NULL;
    st->len = 0;
}

/* ---- verdicts ------------------------------------------------------------------------- */

const CacheVerdictConfig CACHE_VERDICT_DEFAULTS = {
    .remove_threshold = 10.0,
    .hit_rate_threshold = 20.0,
    .size_adjustment_threshold = 50.0,
    .min_suggested_maxsize = 16,
    .excellent_above = 80.0,
    .good_from = 50.0,
    .marginal_from = 20.0,
};

const char *cache_recommendation_name(CacheRecommendation r) {
    return r == CACHE_REMOVE ? "REMOVE" : r == CACHE_ADJUST_SIZE ? "ADJUST_SIZE" : "KEEP";
}

/* The guide's table: >80% excellent, 50-80% good, 20-50% marginal, <20% poor. */
static const char *rating(double rate, const CacheVerdictConfig *cfg) {
    if (rate > cfg->excellent_above) return "Excellent";
    if (rate >= cfg->good_from) return "Good";
    if (rate >= cfg->marginal_from) return "Marginal";
    return "Poor";
}

static void size_text(const CacheStat *s, char *buf, size_t n) {
    if (s->maxsize == CACHE_UNBOUNDED) snprintf(buf, n, "%" PRId64 "/unbounded", s->currsize);
    else snprintf(buf, n, "%" PRId64 "/%" PRId64, s->currsize, s->maxsize);
}

CacheVerdict cache_verdict(const CacheStat *s, const CacheVerdictConfig *cfg) {
    CacheVerdict v = {CACHE_KEEP, CACHE_NOTE_NONE, 0.0, -1.0, 0, "Not exercised", ""};
    char size[64];
    size_text(s, size, sizeof size);
    int bounded = s->maxsize != CACHE_UNBOUNDED;
    int full = bounded && s->currsize >= s->maxsize;
    if (bounded) v.utilization_percent = s->maxsize ? (double)s->currsize / (double)s->maxsize * 100.0 : 100.0;

    double total = (double)s->hits + (double)s->misses;
    if (total == 0) {
        v.note = CACHE_NOTE_NOT_EXERCISED;
        snprintf(v.reason, sizeof v.reason,
                 "No runtime data: 0 hits and 0 misses - the workload never called it, its module was not "
                 "imported, or cache_clear() ran; kept until a workload exercises it");
        return v;
    }
    double rate = (double)s->hits / total * 100.0;
    v.hit_rate_percent = rate;
    v.rating = rating(rate, cfg);

    if (rate < cfg->remove_threshold) {
        if (full) {
            v.note = CACHE_NOTE_MAY_BE_TOO_SMALL;
            snprintf(v.reason, sizeof v.reason,
                     "Production data: %s hit rate (%.1f%%) but the cache is full (%s): maxsize may be too small, "
                     "evicting entries before they are reused; hit rates at larger sizes (a key trace, or a run "
                     "with a larger maxsize) would settle whether to enlarge or remove it",
                     v.rating, rate, size);
            return v;
        }
        v.recommendation = CACHE_REMOVE;
        snprintf(v.reason, sizeof v.reason,
                 "Production data: %s hit rate (%.1f%%), below remove_threshold (%g%%) - cache not beneficial",
                 v.rating, rate, cfg->remove_threshold);
        return v;
    }
    if (rate < cfg->hit_rate_threshold) {
        if (full) v.note = CACHE_NOTE_MAY_BE_TOO_SMALL;
        snprintf(v.reason, sizeof v.reason,
                 "Production data: %s hit rate (%.1f%%), between remove_threshold (%g%%) and hit_rate_threshold "
                 "(%g%%) - monitor performance%s%s%s",
                 v.rating, rate, cfg->remove_threshold, cfg->hit_rate_threshold,
                 full ? "; the cache is full (" : "", full ? size : "", full ? "), maxsize may be too small" : "");
        return v;
    }
    if (bounded && s->maxsize > 0 && v.utilization_percent < cfg->size_adjustment_threshold) {
        int64_t suggested = s->currsize > INT64_MAX / 2 ? INT64_MAX : 2 * s->currsize;
        if (suggested < cfg->min_suggested_maxsize) suggested = cfg->min_suggested_maxsize;
        if (suggested < s->maxsize) {
            v.recommendation = CACHE_ADJUST_SIZE;
            v.suggested_maxsize = suggested;
            snprintf(v.reason, sizeof v.reason,
                     "Production data: %s hit rate (%.1f%%) but maxsize is larger than needed (using %s, %.1f%%) "
                     "- can reduce to %" PRId64,
                     v.rating, rate, size, v.utilization_percent, suggested);
            return v;
        }
    }
    snprintf(v.reason, sizeof v.reason, "Production data: %s hit rate (%.1f%%)%s%s%s", v.rating, rate,
             full ? "; the cache is full (" : "", full ? size : "", full ? "), a larger maxsize may raise it further" : "");
    return v;
}
