/* config.c - loads the cache review's settings in layers: defaults < pyproject.toml <
 * environment < command-line flags. Every value is checked against its key's type and bounds;
 * an error names where the value came from. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../base/arena.h"
#include "../base/xalloc.h"
#include "files.h"
#include "toml.h"

#define PYPROJECT_TABLE "tool.glintefy.review.cache"
#define ENV_PREFIX "GLINTEFY_REVIEW_CACHE_"

const RvConfigKey rv_config_keys[RV_CFG_NKEYS] = {
#define X(name, type, def, lo, hi, flag, help) \
    {#name, RV_CFG_##type, def, lo, hi, flag, help, offsetof(RvConfig, name)},
    RV_CONFIG_KEYS(X)
#undef X
};

static long long *int_at(RvConfig *c, int k) { return (long long *)((char *)c + rv_config_keys[k].offset); }
static double *float_at(RvConfig *c, int k) { return (double *)((char *)c + rv_config_keys[k].offset); }
static RvStrList *list_at(RvConfig *c, int k) { return (RvStrList *)((char *)c + rv_config_keys[k].offset); }

static void list_push(RvStrList *l, const char *s, size_t n) {
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->len++] = xstrndup(s, n);
}

static void list_clear(RvStrList *l) {
    for (size_t i = 0; i < l->len; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void set_origin(RvConfig *c, int k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_origin(RvConfig *c, int k, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->origin[k], sizeof c->origin[k], fmt, ap);
    va_end(ap);
}

void rv_config_defaults(RvConfig *c) {
    memset(c, 0, sizeof *c);
    for (int k = 0; k < RV_CFG_NKEYS; k++) {
        const RvConfigKey *d = &rv_config_keys[k];
        if (d->type == RV_CFG_INT) *int_at(c, k) = (long long)d->def;
        else if (d->type == RV_CFG_FLOAT) *float_at(c, k) = d->def;
        set_origin(c, k, "default");
    }
}

void rv_config_free(RvConfig *c) {
    for (int k = 0; k < RV_CFG_NKEYS; k++)
        if (rv_config_keys[k].type == RV_CFG_LIST) list_clear(list_at(c, k));
    list_clear(&c->warnings);
}

void rv_config_env_name(int k, char *out, size_t outlen) {
    size_t n = (size_t)snprintf(out, outlen, ENV_PREFIX "%s", rv_config_keys[k].name);
    for (size_t i = 0; i < n && i < outlen; i++) out[i] = (char)toupper((unsigned char)out[i]);
}

static const char *range_text(const RvConfigKey *d, char *buf, size_t n) {
    if (d->hi >= 1e9) snprintf(buf, n, "at least %g", d->lo);
    else snprintf(buf, n, "%g to %g", d->lo, d->hi);
    return buf;
}

/* Checks a number against key k's type and bounds; on error writes "NAME: why" to why. An
 * integer (is_int) is `iv` and is quoted exactly, never rounded ("9.22337e+18"). */
/* %g rounds to 6 digits ("9.22337e+18"); this is the shortest text that reads back as v */
static const char *num_text(double v, char *buf, size_t n) {
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

static int check_number(int k, double v, long long iv, int is_int, char *why, size_t whylen) {
    const RvConfigKey *d = &rv_config_keys[k];
    char r[64];
    if (d->type == RV_CFG_INT && !is_int)
        return fail(why, whylen, "%s: expected an integer, got %s", d->name, num_text(v, r, sizeof r));
    if (is_int && ((double)iv < d->lo || (double)iv > d->hi))
        return fail(why, whylen, "%s: %lld is out of range (%s)", d->name, iv, range_text(d, r, sizeof r));
    char t[40];
    if (!isfinite(v) || v < d->lo || v > d->hi)
        return fail(why, whylen, "%s: %s is out of range (%s)", d->name, num_text(v, t, sizeof t), range_text(d, r, sizeof r));
    return 0;
}

static void store_number(RvConfig *c, int k, double v, long long iv) {
    if (rv_config_keys[k].type == RV_CFG_INT) *int_at(c, k) = iv;
    else *float_at(c, k) = v;
}

/* Parses `text` as key k's value into *c (lists: comma-separated). On error writes
 * "NAME: 'text' is not ..." to why. */
static int set_from_text(RvConfig *c, int k, const char *text, int append, char *why, size_t whylen) {
    const RvConfigKey *d = &rv_config_keys[k];
    if (d->type == RV_CFG_LIST) {
        RvStrList *l = list_at(c, k);
        if (!append) list_clear(l);
        for (const char *s = text;;) {
            const char *comma = strchr(s, ',');
            const char *e = comma ? comma : s + strlen(s);
            while (s < e && isspace((unsigned char)*s)) s++;
            while (e > s && isspace((unsigned char)e[-1])) e--;
            if (e > s) list_push(l, s, (size_t)(e - s));
            if (!comma) break;
            s = comma + 1;
        }
        return 0;
    }
    const char *s = text;
    while (isspace((unsigned char)*s)) s++;
    char *end;
    errno = 0;
    if (d->type == RV_CFG_INT) {
        long long v = strtoll(s, &end, 10);
        if (end == s || *end || (errno && errno != ERANGE))
            return fail(why, whylen, "%s: '%s' is not an integer", d->name, text);
        char r[64];
        if (errno == ERANGE)
            return fail(why, whylen, "%s: %s is out of range (%s)", d->name, s, range_text(d, r, sizeof r));
        if (check_number(k, (double)v, v, 1, why, whylen)) return -1;
        store_number(c, k, (double)v, v);
        return 0;
    }
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v)) return fail(why, whylen, "%s: '%s' is not a number", d->name, text);
    if (check_number(k, v, 0, 0, why, whylen)) return -1;
    store_number(c, k, v, 0);
    return 0;
}

static int find_key(const char *name) {
    for (int k = 0; k < RV_CFG_NKEYS; k++)
        if (strcmp(rv_config_keys[k].name, name) == 0) return k;
    return -1;
}

/* ---- pyproject.toml ------------------------------------------------------------------ */

static int set_from_toml(RvConfig *c, int k, const TomlValue *v, const char *file, char *err, size_t errlen) {
    const RvConfigKey *d = &rv_config_keys[k];
    char why[256];
    if (d->type == RV_CFG_LIST) {
        if (v->kind != TOML_ARRAY)
            return fail(err, errlen, "%s:%d:%d: %s: expected an array of strings, got %s", file, v->line, v->col,
                        d->name, toml_kind_name(v->kind));
        RvStrList *l = list_at(c, k);
        list_clear(l);
        for (size_t i = 0; i < v->v.arr.len; i++) {
            const TomlValue *x = v->v.arr.items[i];
            if (x->kind != TOML_STRING)
                return fail(err, errlen, "%s:%d:%d: %s: expected a string, got %s", file, x->line, x->col,
                            d->name, toml_kind_name(x->kind));
            list_push(l, x->v.str.s, x->v.str.len);
        }
        return 0;
    }
    if (v->kind == TOML_INT) {
        if (check_number(k, (double)v->v.i, v->v.i, 1, why, sizeof why))
            return fail(err, errlen, "%s:%d:%d: %s", file, v->line, v->col, why);
        store_number(c, k, (double)v->v.i, v->v.i);
        return 0;
    }
    if (v->kind == TOML_FLOAT && d->type == RV_CFG_FLOAT) {
        if (check_number(k, v->v.f, 0, 0, why, sizeof why))
            return fail(err, errlen, "%s:%d:%d: %s", file, v->line, v->col, why);
        store_number(c, k, v->v.f, 0);
        return 0;
    }
    return fail(err, errlen, "%s:%d:%d: %s: expected %s, got %s", file, v->line, v->col, d->name,
                d->type == RV_CFG_INT ? "an integer" : "a number", toml_kind_name(v->kind));
}

static int load_pyproject(RvConfig *c, const char *repo, char *err, size_t errlen) {
    char path[4096], file[4096];
    snprintf(path, sizeof path, "%s/pyproject.toml", repo);
    snprintf(file, sizeof file, "%s", strcmp(repo, ".") == 0 ? "pyproject.toml" : path);
    char *data;
    size_t n;
    int e = rv_read_file(AT_FDCWD, path, &data, &n);
    if (e == ENOENT) return 0;
    if (e) return fail(err, errlen, "%s: %s", file, file_strerror(e));
    Arena a;
    arena_init(&a);
    TomlError te;
    int status = 0;
    const TomlValue *root = toml_parse(&a, data, n, &te);
    if (!root) {
        status = fail(err, errlen, "%s:%d:%d: malformed TOML: %s", file, te.line, te.col, te.msg);
        goto done;
    }
    const TomlValue *t = toml_get_path(root, PYPROJECT_TABLE);
    if (!t) goto done;
    if (t->kind != TOML_TABLE) {
        status = fail(err, errlen, "%s:%d:%d: [" PYPROJECT_TABLE "] must be a table, got %s", file, t->line, t->col,
                      toml_kind_name(t->kind));
        goto done;
    }
    for (size_t i = 0; i < t->v.tab.len; i++) {
        const char *name = t->v.tab.keys[i];
        const TomlValue *v = t->v.tab.vals[i];
        int k = find_key(name);
        if (k < 0) {
            char w[512];
            int len = snprintf(w, sizeof w, "%s:%d:%d: warning: unknown key '%s' in [" PYPROJECT_TABLE "] (ignored)",
                               file, v->line, v->col, name);
            list_push(&c->warnings, w, len < 0 ? 0 : (size_t)len < sizeof w ? (size_t)len : sizeof w - 1);
            continue;
        }
        if ((status = set_from_toml(c, k, v, file, err, errlen)) != 0) goto done;
        set_origin(c, k, "%s:%d", file, v->line);
    }
done:
    arena_free(&a);
    free(data);
    return status;
}

/* ---- environment and flags ----------------------------------------------------------- */

static int load_env(RvConfig *c, char *err, size_t errlen) {
    for (int k = 0; k < RV_CFG_NKEYS; k++) {
        char name[96], why[512];
        rv_config_env_name(k, name, sizeof name);
        const char *v = getenv(name);
        if (!v || !*v) continue; /* empty means unset */
        if (set_from_text(c, k, v, 0, why, sizeof why)) return fail(err, errlen, "environment %s: %s", name, why);
        set_origin(c, k, "%s", name);
    }
    return 0;
}

int rv_config_flag(RvConfigFlags *f, int argc, char **argv, int *i, char *err, size_t errlen) {
    const char *a = argv[*i];
    if (strncmp(a, "--", 2) != 0) return 0;
    for (int k = 0; k < RV_CFG_NKEYS; k++) {
        const char *flag = rv_config_keys[k].flag;
        size_t fl = strlen(flag);
        const char *val;
        if (strcmp(a, flag) == 0) {
            if (*i + 1 >= argc) return fail(err, errlen, "%s needs a value", flag);
            val = argv[++*i];
        } else if (strncmp(a, flag, fl) == 0 && a[fl] == '=') {
            val = a + fl + 1;
        } else {
            continue;
        }
        /* check the value now, so a bad flag is a usage error before any work */
        RvConfig scratch;
        rv_config_defaults(&scratch);
        char why[512];
        int bad = set_from_text(&scratch, k, val, 0, why, sizeof why);
        rv_config_free(&scratch);
        if (bad) return fail(err, errlen, "%s: %s", flag, strchr(why, ':') ? strchr(why, ':') + 2 : why);
        if (f->len == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 8;
            f->items = xrealloc(f->items, f->cap * sizeof *f->items);
        }
        f->items[f->len].key = k;
        f->items[f->len++].value = xstrndup(val, strlen(val));
        return 1;
    }
    return 0;
}

void rv_config_flags_free(RvConfigFlags *f) {
    if (!f) return;
    for (size_t i = 0; i < f->len; i++) free(f->items[i].value);
    free(f->items);
    f->items = NULL;
    f->len = f->cap = 0;
}

static int load_flags(RvConfig *c, const RvConfigFlags *f, char *err, size_t errlen) {
    int seen[RV_CFG_NKEYS] = {0};
    for (size_t i = 0; f && i < f->len; i++) {
        int k = f->items[i].key;
        char why[512];
        /* a repeated list flag adds to the list; a repeated number flag: the last one wins */
        if (set_from_text(c, k, f->items[i].value, seen[k], why, sizeof why))
            return fail(err, errlen, "%s: %s", rv_config_keys[k].flag, why);
        seen[k] = 1;
        set_origin(c, k, "%s", rv_config_keys[k].flag);
    }
    return 0;
}

int rv_config_load(RvConfig *c, const char *repo, const RvConfigFlags *flags, char *err, size_t errlen) {
    rv_config_defaults(c);
    if (load_pyproject(c, repo, err, errlen)) return -1;
    if (load_env(c, err, errlen)) return -1;
    return load_flags(c, flags, err, errlen);
}

void rv_config_format(const RvConfig *c, int k, char *out, size_t outlen) {
    const RvConfigKey *d = &rv_config_keys[k];
    RvConfig *cc = (RvConfig *)c;
    if (d->type == RV_CFG_INT) snprintf(out, outlen, "%lld", *int_at(cc, k));
    else if (d->type == RV_CFG_FLOAT) snprintf(out, outlen, "%g", *float_at(cc, k));
    else {
        const RvStrList *l = list_at(cc, k);
        size_t used = 0;
        if (outlen) out[0] = 0;
        for (size_t i = 0; i < l->len && used < outlen; i++) {
            int w = snprintf(out + used, outlen - used, "%s%s", i ? "," : "", l->items[i]);
            if (w < 0) break;
            used += (size_t)w;
        }
    }
}

AdConfig rv_advice_config(const RvConfig *cfg) {
    AdConfig c = {cfg->remove_threshold, cfg->hit_rate_threshold, cfg->size_adjustment_threshold, cfg->speedup_threshold,
                  cfg->min_suggested_maxsize, cfg->cache_size, cfg->min_calls};
    return c;
}
