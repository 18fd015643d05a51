/* cachestats.c - reads cache_stats.json with jansson into CacheStat rows (verdicts from them are
 * decided in src/advice). */
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
        /* jansson ends its message with "near '<the input's bytes>'": the file's bytes are not
         * repeated (they may be anything, and MCP hands messages to a client) */
        char *near = strstr(jerr.text, " near '");
        if (near) *near = 0;
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
