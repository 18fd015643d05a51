/* tools.c - the MCP tools: each runs this same binary as a child (`glintefy review cache --format
 * json ...`), so the MCP server and the CLI share one code path and a tool can be stopped by
 * killing its process. Arguments are checked against the table that also generates the
 * inputSchema; a file an argument names is opened here, inside the repository without following
 * symlinks or "..", and handed to the child as a descriptor. */
#include "tools.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "../base/fileio.h"
#include "../base/xalloc.h"

#include "../report/patch.h"
#define DEFAULT_PROFILE "LLM-CONTEXT/glintefy/review/perf/test_profile.prof"
#define SUMMARY_MD "LLM-CONTEXT/glintefy/review/cache/summary.md"
enum { TAIL_BYTES = 16 * 1024 };

static char *repo_real; /* the repository, a real path */

void mcp_tools_set_repo(const char *realrepo) {
    free(repo_real);
    repo_real = xstrndup(realrepo, strlen(realrepo));
    file_confine(repo_real, "LLM-CONTEXT"); /* summary.md is read without following symlinks */
}

/* ---- small helpers ------------------------------------------------------------------- */

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...) {
    Buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (!b.data) buf_puts(&b, "");
    return b.data;
}

static void push(McpCall *c, const char *s) { vec_push(&c->argv, xstrndup(s, strlen(s))); }

void mcp_call_free(McpCall *c) {
    for (size_t i = 0; i < c->argv.len; i++) free(c->argv.items[i]);
    vec_free(&c->argv);
    if (c->passing) close(c->pass_fd);
    c->passing = 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

json_t *mcp_json_text(const char *s, size_t n) {
    Buf b = {0};
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(u + i, n - i);
        if (k == 0) {
            buf_puts(&b, "\xef\xbf\xbd");
            i++;
        } else {
            buf_put(&b, u + i, k);
            i += k;
        }
    }
    json_t *j = json_stringn(b.data ? b.data : "", b.len);
    buf_free(&b);
    return j ? j : json_string("");
}

static json_t *text_content(const char *s, size_t n) {
    json_t *item = json_object();
    json_object_set_new(item, "type", json_string("text"));
    json_object_set_new(item, "text", mcp_json_text(s, n));
    return json_pack("[o]", item);
}

json_t *mcp_tool_error(const char *fmt, ...) {
    Buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    json_t *r = json_object();
    json_object_set_new(r, "content", text_content(b.data ? b.data : "", b.len));
    json_object_set_new(r, "isError", json_true());
    buf_free(&b);
    return r;
}

/* The last `max` bytes of s[0..n), starting at a line if one starts within it. */
static json_t *tail_text(const char *s, size_t n, size_t max) {
    if (n <= max) return mcp_json_text(s, n);
    const char *p = s + n - max, *nl = memchr(p, '\n', max);
    if (nl && nl + 1 < s + n) p = nl + 1;
    return mcp_json_text(p, (size_t)(s + n - p));
}

/* The stderr of a run, trimmed, for messages ("" if none). */
static char *err_text(const McpRun *r) {
    size_t n = r->err_len;
    while (n && (r->err[n - 1] == '\n' || r->err[n - 1] == ' ')) n--;
    const char *p = r->err;
    if (n > 4000) p += n - 4000, n = 4000;
    return xstrndup(p, n);
}

static json_t *ok_result(json_t *structured, const char *text, size_t textlen, int is_error) {
    json_t *r = json_object();
    json_object_set_new(r, "content", text_content(text, textlen));
    if (structured) json_object_set_new(r, "structuredContent", structured);
    if (is_error) json_object_set_new(r, "isError", json_true());
    return r;
}

/* A failed run that no tool-specific rule explains: its exit status and its stderr. */
static json_t *failed_run(const char *what, const McpRun *r) {
    char *e = err_text(r);
    json_t *res;
    if (r->timed_out)
        res = mcp_tool_error("%s: stopped at its time limit of %g s.%s%s", what, r->limit, *e ? "\n" : "", e);
    else if (r->status > 128)
        res = mcp_tool_error("%s was killed by signal %d.%s%s", what, r->status - 128, *e ? "\n" : "", e);
    else
        res = mcp_tool_error("%s failed (exit status %d)%s%s", what, r->status, *e ? ":\n" : ".", e);
    free(e);
    return res;
}

/* True if the run ended with "unknown review subcommand 'name'": the command is not in this
 * build yet. */
static int missing_subcommand(const McpRun *r, const char *name) {
    char pat[96];
    snprintf(pat, sizeof pat, "unknown review subcommand '%s'", name);
    return r->status == 2 && r->err && memmem(r->err, r->err_len, pat, strlen(pat)) != NULL;
}

static json_t *not_available(const char *cmd, const char *issue) {
    return mcp_tool_error("'glintefy %s' is not available in this build of glintefy: the command has not been "
                          "written yet (%s). Nothing was run or written.",
                          cmd, issue);
}

/* Opens the regular file `p` (relative to the repository, or absolute inside it) once, walking
 * from the repository's descriptor without following a symlink or "..": the child gets this
 * descriptor (as /dev/fd/3), never the name, so swapping a directory for a symlink meanwhile
 * cannot lead it outside. Refusals never look outside the repository, so they cannot tell
 * whether a path there exists. Returns the fd, or -1 with a message in *msg (malloc'd). */
static int open_inside_repo(const char *p, char **msg) {
    size_t n = strlen(repo_real);
    const char *rel = p;
    if (p[0] == '/') {
        if (strncmp(p, repo_real, n) != 0 || p[n] != '/') {
            *msg = xasprintf("%s: refused: outside the repository %s (name files inside it)", p, repo_real);
            return -1;
        }
        rel = p + n + 1;
    }
    int dir = open(repo_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;
    int e = dir < 0 ? errno : file_open_beneath(dir, rel, &fd);
    if (dir >= 0) close(dir);
    if (e == FILE_EDOTDOT || e == FILE_EOUTSIDE || e == FILE_ESYMLINK) {
        *msg = xasprintf("%s: refused: %s; a path must stay inside the repository %s without '..' or symlinks, so "
                         "nothing outside the repository is read", p, file_strerror(e), repo_real);
        return -1;
    }
    if (e) {
        *msg = xasprintf("%s: %s (paths are relative to the repository %s)", p, file_strerror(e), repo_real);
        return -1;
    }
    return fd;
}

/* The profile argument (default: the guide's test_profile.prof), opened inside the repository
 * and handed to the child: returns the name the child reads it by, or NULL with *msg. */
static const char *profile_arg(json_t *args, const char *key, McpCall *c, char **msg) {
    json_t *v = json_object_get(args, key);
    const char *p = v ? json_string_value(v) : DEFAULT_PROFILE;
    int fd = open_inside_repo(p, msg);
    if (fd < 0) {
        if (!v) {
            free(*msg);
            *msg = xasprintf("no profile at %s: run review_profile (or `glintefy review profile -- CMD`) first, "
                             "or name a .prof file in the repository",
                             DEFAULT_PROFILE);
        }
        return NULL;
    }
    c->pass_fd = fd;
    c->passing = 1;
    return MCP_PASSED_FILE;
}

static void push_number(McpCall *c, const char *flag, json_t *v, int integer) {
    char num[64];
    if (integer) snprintf(num, sizeof num, "%.0f", json_number_value(v));
    else snprintf(num, sizeof num, "%.17g", json_number_value(v));
    push(c, flag);
    push(c, num);
}

static double limit_arg(json_t *args, double def) {
    json_t *v = json_object_get(args, "time_limit_seconds");
    return v ? json_number_value(v) : def;
}

/* ---- argument table, schemas and checks ---------------------------------------------- */

static const char *type_name(McpArgType t) {
    switch (t) {
    case MCP_ARG_STRING: return "string";
    case MCP_ARG_INT: return "integer";
    case MCP_ARG_NUMBER: return "number";
    case MCP_ARG_BOOL: return "boolean";
    case MCP_ARG_STRINGS: return "array";
    }
    return "string";
}

static json_t *arg_schema(const McpArg *a) {
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string(type_name(a->type)));
    json_object_set_new(s, "description", json_string(a->help));
    if (a->type == MCP_ARG_INT || a->type == MCP_ARG_NUMBER) {
        json_object_set_new(s, "minimum", a->type == MCP_ARG_INT ? json_integer((json_int_t)a->lo) : json_real(a->lo));
        json_object_set_new(s, "maximum", a->type == MCP_ARG_INT ? json_integer((json_int_t)a->hi) : json_real(a->hi));
    }
    if (a->type == MCP_ARG_STRINGS) {
        json_object_set_new(s, "items", json_pack("{s:s}", "type", "string"));
        json_object_set_new(s, "minItems", json_integer((json_int_t)a->lo));
    }
    if (a->choices) {
        json_t *e = json_array();
        for (const char *const *c = a->choices; *c; c++) json_array_append_new(e, json_string(*c));
        json_object_set_new(s, "enum", e);
    }
    return s;
}

json_t *mcp_tool_describe(const McpTool *t, int modern) {
    json_t *props = json_object(), *req = json_array();
    for (size_t i = 0; i < t->nargs; i++) {
        json_object_set_new(props, t->args[i].name, arg_schema(&t->args[i]));
        if (t->args[i].required) json_array_append_new(req, json_string(t->args[i].name));
    }
    json_t *in = json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties", props, "required", req,
                           "additionalProperties", 0);
    json_t *d = json_object();
    json_object_set_new(d, "name", json_string(t->name));
    if (modern) json_object_set_new(d, "title", json_string(t->title));
    json_object_set_new(d, "description", json_string(t->description));
    json_object_set_new(d, "inputSchema", in);
    if (modern) {
        json_error_t e;
        json_t *out = json_loads(t->output_schema, 0, &e);
        if (!out) {
            fprintf(stderr, "glintefy mcp: internal: output schema of %s: %s\n", t->name, e.text);
            abort();
        }
        json_object_set_new(d, "outputSchema", out);
    }
    json_object_set_new(d, "annotations",
                        json_pack("{s:s, s:b, s:b, s:b, s:b}", "title", t->title, "readOnlyHint", t->read_only,
                                  "destructiveHint", t->destructive, "idempotentHint", t->idempotent,
                                  "openWorldHint", t->open_world));
    return d;
}

static int has_nul(json_t *s) { return memchr(json_string_value(s), 0, json_string_length(s)) != NULL; }

int mcp_tool_check(const McpTool *t, json_t *args, char *err, size_t errlen) {
    if (args && !json_is_object(args)) {
        snprintf(err, errlen, "%s: arguments must be an object", t->name);
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(args, key, v) {
        const McpArg *a = NULL;
        for (size_t i = 0; i < t->nargs; i++)
            if (strcmp(t->args[i].name, key) == 0) a = &t->args[i];
        if (!a) {
            Buf names = {0};
            for (size_t i = 0; i < t->nargs; i++) buf_printf(&names, "%s%s", i ? ", " : "", t->args[i].name);
            snprintf(err, errlen, "%s: unknown argument '%s' (known: %s)", t->name, key, names.data ? names.data : "none");
            buf_free(&names);
            return -1;
        }
        const char *want = NULL;
        switch (a->type) {
        case MCP_ARG_STRING:
            if (!json_is_string(v) || has_nul(v) || json_string_length(v) == 0) want = "a non-empty string";
            else if (a->choices) {
                int ok = 0;
                for (const char *const *c = a->choices; *c; c++) ok |= strcmp(*c, json_string_value(v)) == 0;
                if (!ok) want = "one of the values listed in the schema";
            }
            break;
        case MCP_ARG_INT:
        case MCP_ARG_NUMBER: {
            double d = json_number_value(v);
            if (!json_is_number(v) || !isfinite(d)) want = a->type == MCP_ARG_INT ? "an integer" : "a number";
            else if (a->type == MCP_ARG_INT && d != floor(d)) want = "an integer";
            else if (d < a->lo || d > a->hi) {
                snprintf(err, errlen, "%s: argument '%s' must be from %g to %g, not %g", t->name, key, a->lo, a->hi, d);
                return -1;
            }
            break;
        }
        case MCP_ARG_BOOL:
            if (!json_is_boolean(v)) want = "a boolean";
            break;
        case MCP_ARG_STRINGS: {
            size_t i;
            json_t *item;
            if (!json_is_array(v) || json_array_size(v) < (size_t)a->lo) {
                want = "an array of strings with at least one item";
                break;
            }
            json_array_foreach(v, i, item) if (!json_is_string(item) || has_nul(item)) want = "an array of strings";
            break;
        }
        }
        if (want) {
            snprintf(err, errlen, "%s: argument '%s' must be %s", t->name, key, want);
            return -1;
        }
    }
    for (size_t i = 0; i < t->nargs; i++)
        if (t->args[i].required && !json_object_get(args, t->args[i].name)) {
            snprintf(err, errlen, "%s: missing required argument '%s'", t->name, t->args[i].name);
            return -1;
        }
    return 0;
}

/* ---- review_clean -------------------------------------------------------------------- */

static const char *const CLEAN_SCOPES[] = {"all", "cache", "perf", "profile", NULL};

static const McpArg CLEAN_ARGS[] = {
    {"scope", MCP_ARG_STRING, 0, 0, 0, CLEAN_SCOPES,
     "what to delete: all (the whole LLM-CONTEXT/glintefy/review/, default), cache (the cache analysis), "
     "perf (profiles and runtime evidence), profile (perf/*.prof only)"},
    {"dry_run", MCP_ARG_BOOL, 0, 0, 0, NULL, "only list what would be deleted (default false)"},
};

static char *clean_build(json_t *args, McpCall *c) {
    json_t *s = json_object_get(args, "scope");
    push(c, "review");
    push(c, "--repo");
    push(c, repo_real);
    push(c, "clean");
    push(c, "--scope");
    push(c, s ? json_string_value(s) : "all");
    if (json_is_true(json_object_get(args, "dry_run"))) push(c, "--dry-run");
    c->limit = 120;
    return NULL;
}

static json_t *clean_result(json_t *args, const McpRun *r) {
    if (r->status != 0 || r->timed_out) return failed_run("review clean", r);
    json_t *paths = json_array();
    const char *summary = "", *p = r->out, *end = r->out + r->out_len;
    size_t summary_len = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > 8 && memcmp(p, "deleted ", 8) == 0) json_array_append_new(paths, mcp_json_text(p + 8, n - 8));
        else if (n > 13 && memcmp(p, "would delete ", 13) == 0) json_array_append_new(paths, mcp_json_text(p + 13, n - 13));
        else if (n > 7 && memcmp(p, "clean: ", 7) == 0) summary = p + 7, summary_len = n - 7;
        p += n + 1;
    }
    json_t *s = json_object_get(args, "scope");
    json_t *sc = json_pack("{s:s, s:b, s:o, s:o}", "scope", s ? json_string_value(s) : "all", "dry_run",
                           json_is_true(json_object_get(args, "dry_run")), "paths", paths, "summary",
                           mcp_json_text(summary, summary_len));
    return ok_result(sc, r->out, r->out_len, 0);
}

static const char CLEAN_OUT[] =
    "{\"type\":\"object\",\"required\":[\"scope\",\"dry_run\",\"paths\",\"summary\"],\"properties\":{"
    "\"scope\":{\"type\":\"string\"},\"dry_run\":{\"type\":\"boolean\"},"
    "\"paths\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
    "\"description\":\"repository-relative paths deleted (or that would be)\"},"
    "\"summary\":{\"type\":\"string\"}}}";

/* ---- profile_hotspots ---------------------------------------------------------------- */

static const McpArg HOTSPOT_ARGS[] = {
    {"profile", MCP_ARG_STRING, 0, 0, 0, NULL,
     "a .prof file (cProfile/profile) inside the repository, relative to it; default " DEFAULT_PROFILE},
    {"min_calls", MCP_ARG_INT, 0, 0, 1e15, NULL, "calls that make a function hot (default 100)"},
    {"min_cumtime", MCP_ARG_NUMBER, 0, 0, 1e9, NULL, "cumulative seconds that make a function hot (default 0.1)"},
    {"limit", MCP_ARG_INT, 0, 1, 100000, NULL, "at most this many hotspots in the result (default 50)"},
};

static char *hotspots_build(json_t *args, McpCall *c) {
    char *msg = NULL;
    const char *prof = profile_arg(args, "profile", c, &msg);
    if (!prof) return msg;
    json_t *v;
    push(c, "profile");
    push(c, "hotspots");
    push(c, "--json");
    if ((v = json_object_get(args, "min_calls"))) push_number(c, "--min-calls", v, 1);
    if ((v = json_object_get(args, "min_cumtime"))) push_number(c, "--min-cumtime", v, 0);
    push(c, "--");
    push(c, prof);
    c->limit = 120;
    return NULL;
}

static json_t *hotspots_result(json_t *args, const McpRun *r) {
    if (r->status != 0 || r->timed_out) return failed_run("profile hotspots", r);
    json_error_t e;
    json_t *all = json_loadb(r->out, r->out_len, 0, &e);
    if (!json_is_array(all)) {
        json_decref(all);
        return mcp_tool_error("profile hotspots printed no JSON array (%s)", e.text);
    }
    json_t *lim = json_object_get(args, "limit");
    size_t limit = lim ? (size_t)json_number_value(lim) : 50, total = json_array_size(all);
    json_t *hs = json_array();
    Buf text = {0};
    json_t *pa = json_object_get(args, "profile");
    const char *prof = pa ? json_string_value(pa) : DEFAULT_PROFILE;
    buf_printf(&text, "%zu hotspot%s in %s%s\n", total, total == 1 ? "" : "s", prof,
               total > limit ? " (the first shown)" : "");
    if (total) buf_printf(&text, "%-8s %10s %10s  %s\n", "priority", "calls", "cumtime", "function");
    for (size_t i = 0; i < total && i < limit; i++) {
        json_t *h = json_array_get(all, i);
        json_array_append(hs, h);
        buf_printf(&text, "%-8s %10lld %10.3f  %s:%lld(%s)\n", json_string_value(json_object_get(h, "priority")),
                   (long long)json_integer_value(json_object_get(h, "calls")),
                   json_number_value(json_object_get(h, "cumtime")), json_string_value(json_object_get(h, "file")),
                   (long long)json_integer_value(json_object_get(h, "line")),
                   json_string_value(json_object_get(h, "function")));
    }
    json_t *sc = json_pack("{s:s, s:I, s:o, s:s%}", "profile", prof, "count", (json_int_t)total, "hotspots", hs,
                           "summary", text.data, strcspn(text.data, "\n"));
    json_t *res = ok_result(sc, text.data, text.len, 0);
    buf_free(&text);
    json_decref(all);
    return res;
}

static const char HOTSPOT_OUT[] =
    "{\"type\":\"object\",\"required\":[\"profile\",\"count\",\"hotspots\",\"summary\"],\"properties\":{"
    "\"profile\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\",\"description\":\"hotspots found\"},"
    "\"summary\":{\"type\":\"string\"},"
    "\"hotspots\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"required\":[\"file\",\"line\",\"function\",\"calls\",\"cumtime\",\"priority\"],\"properties\":{"
    "\"file\":{\"type\":\"string\"},\"line\":{\"type\":\"integer\"},\"function\":{\"type\":\"string\"},"
    "\"calls\":{\"type\":\"integer\"},\"primitive_calls\":{\"type\":\"integer\"},"
    "\"tottime\":{\"type\":\"number\"},\"cumtime\":{\"type\":\"number\"},\"percall\":{\"type\":\"number\"},"
    "\"priority\":{\"type\":\"string\",\"enum\":[\"HIGH\",\"MEDIUM\",\"LOW\"]}}}}}}";

/* ---- review_cache -------------------------------------------------------------------- */

static const McpArg CACHE_ARGS[] = {
    {"cache_size", MCP_ARG_INT, 0, 1, 1e9, NULL, "maxsize used when testing a new cache (--cache-size; default 128)"},
    {"hit_rate_threshold", MCP_ARG_NUMBER, 0, 0, 100, NULL, "hit rate (%) a new candidate needs (--hit-rate; default 20)"},
    {"speedup_threshold", MCP_ARG_NUMBER, 0, 0, 1e6, NULL, "speedup (%) a new cache must bring (--speedup; default 5)"},
    {"profile", MCP_ARG_STRING, 0, 0, 0, NULL,
     "a .prof file inside the repository to use instead of " DEFAULT_PROFILE " (--profile)"},
    {"validate", MCP_ARG_BOOL, 0, 0, 0, NULL,
     "confirm recommendations by re-running the workload with and without the cache (--validate; this runs "
     "the repository's workload command; default false)"},
    {"time_limit_seconds", MCP_ARG_NUMBER, 0, 1, 86400, NULL, "stop the analysis after this many seconds (default 600)"},
    {"diff", MCP_ARG_BOOL, 0, 0, 0, NULL,
     "also return the recommended actions as a unified diff of the sources (what 'review cache --diff' prints; "
     "nothing is changed; review_fix applies it)"},
};

/* The diff of the actions the run just wrote (src/report/patch.c, in this process), with the
 * messages about actions left out. */
static json_t *cache_diff(Buf *text) {
    char *outdir = xasprintf("%s/LLM-CONTEXT/glintefy/review/cache", repo_real);
    char *msg = NULL;
    size_t msglen = 0;
    FILE *err = open_memstream(&msg, &msglen);
    Buf d = {0};
    int na = 0, nf = 0;
    RpOptions o = {0};
    if (err) {
        rp_patch(repo_real, outdir, &o, &d, err, &na, &nf);
        fclose(err);
    }
    buf_printf(text, "\n\nThe actions as a diff (%d action%s in %d file%s; review_fix applies it):\n", na, na == 1 ? "" : "s", nf,
               nf == 1 ? "" : "s");
    if (d.len) buf_put(text, d.data, d.len);
    if (msglen) buf_put(text, msg, msglen);
    json_t *j = mcp_json_text(d.data ? d.data : "", d.len);
    buf_free(&d);
    free(msg);
    free(outdir);
    return j;
}

static char *cache_build(json_t *args, McpCall *c) {
    json_t *v;
    const char *prof = NULL;
    if (json_object_get(args, "profile")) {
        char *msg = NULL;
        if (!(prof = profile_arg(args, "profile", c, &msg))) return msg;
    }
    push(c, "review");
    push(c, "--repo");
    push(c, repo_real);
    if ((v = json_object_get(args, "cache_size"))) push_number(c, "--cache-size", v, 1);
    if ((v = json_object_get(args, "hit_rate_threshold"))) push_number(c, "--hit-rate", v, 0);
    if ((v = json_object_get(args, "speedup_threshold"))) push_number(c, "--speedup", v, 0);
    push(c, "cache");
    push(c, "--format");
    push(c, "json");
    if (prof) {
        push(c, "--profile");
        push(c, prof);
    }
    if (json_is_true(json_object_get(args, "validate"))) push(c, "--validate");
    c->limit = limit_arg(args, 600);
    return NULL;
}

static json_t *cache_result(json_t *args, const McpRun *r) {
    if (missing_subcommand(r, "cache")) return not_available("review cache", "issue 4 is in progress");
    if (r->status != 0 || r->timed_out) return failed_run("review cache", r);
    json_error_t e;
    json_t *report = json_loadb(r->out, r->out_len, 0, &e);
    if (!json_is_object(report)) {
        json_decref(report);
        return mcp_tool_error("review cache --format json printed no JSON object (%s)", e.text);
    }
    /* The summary: the report's own, else the summary.md this run wrote, else its stderr. */
    json_t *s = json_object_get(report, "summary");
    json_t *summary = NULL;
    char *md = xasprintf("%s/%s", repo_real, SUMMARY_MD), *data;
    size_t n;
    struct stat st;
    if (json_is_string(s)) summary = json_incref(s);
    else if (stat(md, &st) == 0 && (double)st.st_mtime >= (double)time(NULL) - r->seconds - 2 &&
             file_read_all(md, &data, &n) == 0) {
        summary = mcp_json_text(data, n);
        free(data);
    } else if (r->err_len) summary = mcp_json_text(r->err, r->err_len);
    else summary = json_string("review cache finished; the report has the details");
    free(md);
    Buf text = {0};
    buf_put(&text, json_string_value(summary), json_string_length(summary));
    if (r->err_len && json_is_string(s)) {
        buf_puts(&text, "\n\n");
        buf_put(&text, r->err, r->err_len);
    }
    json_t *sc = json_pack("{s:o, s:o}", "summary", summary, "report", report);
    if (json_is_true(json_object_get(args, "diff"))) json_object_set_new(sc, "diff", cache_diff(&text));
    json_t *res = ok_result(sc, text.data ? text.data : "", text.len, 0);
    buf_free(&text);
    return res;
}

static const char CACHE_OUT[] =
    "{\"type\":\"object\",\"required\":[\"summary\",\"report\"],\"properties\":{"
    "\"summary\":{\"type\":\"string\",\"description\":\"the summary the CLI prints\"},"
    "\"report\":{\"type\":\"object\",\"description\":\"the JSON of 'glintefy review cache --format json'\"},"
    "\"diff\":{\"type\":\"string\",\"description\":\"with diff=true: the actions as a unified diff\"}}}";

/* ---- review_fix ----------------------------------------------------------------------- */

static const McpArg FIX_ARGS[] = {
    {"validate", MCP_ARG_BOOL, 0, 0, 0, NULL,
     "first re-run the workload command recorded by review_profile with and without the changes, and apply "
     "only the validated actions (--validate; runs that command)"},
    {"time_limit_seconds", MCP_ARG_NUMBER, 0, 1, 86400, NULL, "stop after this many seconds (default 600)"},
};

static char *fix_build(json_t *args, McpCall *c) {
    push(c, "review");
    push(c, "--repo");
    push(c, repo_real);
    push(c, "cache");
    push(c, "--diff");
    push(c, "--fix");
    if (json_is_true(json_object_get(args, "validate"))) push(c, "--validate");
    c->limit = limit_arg(args, 600);
    return NULL;
}

static json_t *fix_result(json_t *args, const McpRun *r) {
    (void)args;
    json_t *sc = json_pack("{s:i, s:o, s:o}", "exit_status", r->status, "applied", mcp_json_text(r->out, r->out_len),
                           "messages", tail_text(r->err, r->err_len, TAIL_BYTES));
    Buf text = {0};
    if (r->err_len) buf_put(&text, r->err, r->err_len);
    if (r->out_len) {
        buf_puts(&text, "\nApplied:\n");
        buf_put(&text, r->out, r->out_len);
    }
    if (!text.len) buf_puts(&text, "nothing to apply");
    json_t *res = ok_result(sc, text.data, text.len, r->status != 0 || r->timed_out);
    buf_free(&text);
    return res;
}

static const char FIX_OUT[] =
    "{\"type\":\"object\",\"required\":[\"exit_status\",\"applied\"],\"properties\":{"
    "\"exit_status\":{\"type\":\"integer\",\"description\":\"0: every action applied; 1: some left out (see messages)\"},"
    "\"applied\":{\"type\":\"string\",\"description\":\"the unified diff of what was changed\"},"
    "\"messages\":{\"type\":\"string\"}}}";

/* ---- review_profile ------------------------------------------------------------------ */

static const McpArg PROFILE_ARGS[] = {
    {"command", MCP_ARG_STRINGS, 1, 1, 0, NULL,
     "the command to run and profile, as an argument list (no shell), e.g. [\"pytest\", \"tests/\"] or "
     "[\"python3\", \"my_app.py\"]; it runs in the repository directory"},
    {"name", MCP_ARG_STRING, 0, 0, 0, NULL, "scenario name: saves the run as perf/NAME_profile.prof (--name)"},
    {"time_limit_seconds", MCP_ARG_NUMBER, 0, 1, 86400, NULL,
     "stop the command after this many seconds (default 600)"},
};

static char *profile_build(json_t *args, McpCall *c) {
    json_t *cmd = json_object_get(args, "command"), *name = json_object_get(args, "name"), *item;
    size_t i;
    if (name) {
        const char *n = json_string_value(name);
        if (n[0] == '.' || strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(n))
            return xasprintf("name '%s': use letters, digits, '_', '-' and '.' (not first)", n);
    }
    if (json_string_length(json_array_get(cmd, 0)) == 0) return xasprintf("command: the program name is empty");
    push(c, "review");
    push(c, "--repo");
    push(c, repo_real);
    push(c, "profile");
    if (name) {
        push(c, "--name");
        push(c, json_string_value(name));
    }
    push(c, "--");
    json_array_foreach(cmd, i, item) push(c, json_string_value(item));
    c->limit = limit_arg(args, 600);
    return NULL;
}

static json_t *profile_result(json_t *args, const McpRun *r) {
    if (missing_subcommand(r, "profile")) return not_available("review profile", "issue 6 is in progress");
    char *prof = xasprintf("%s/%s", repo_real, DEFAULT_PROFILE);
    struct stat st;
    /* a profile left by an earlier run does not count */
    int have = stat(prof, &st) == 0 && (double)st.st_mtime >= (double)time(NULL) - r->seconds - 2;
    free(prof);
    json_t *sc = json_pack("{s:O, s:i, s:b, s:f, s:o, s:o, s:o}", "command", json_object_get(args, "command"),
                           "exit_status", r->status, "timed_out", r->timed_out, "seconds", r->seconds, "profile",
                           have ? json_string(DEFAULT_PROFILE) : json_null(), "output",
                           tail_text(r->out, r->out_len, TAIL_BYTES), "errors", tail_text(r->err, r->err_len, TAIL_BYTES));
    Buf text = {0};
    if (r->timed_out) buf_printf(&text, "The command was stopped at its time limit of %g s.\n", r->limit);
    else if (r->status) buf_printf(&text, "The command ended with exit status %d.\n", r->status);
    else buf_printf(&text, "The command finished (exit status 0) in %.1f s.\n", r->seconds);
    buf_printf(&text, "Profile: %s\n", have ? DEFAULT_PROFILE : "none written");
    if (r->err_len) {
        buf_puts(&text, "\nstderr (end):\n");
        json_t *t = tail_text(r->err, r->err_len, 4000);
        buf_puts(&text, json_string_value(t));
        json_decref(t);
    }
    json_t *res = ok_result(sc, text.data, text.len, r->status != 0 || r->timed_out);
    buf_free(&text);
    return res;
}

static const char PROFILE_OUT[] =
    "{\"type\":\"object\",\"required\":[\"command\",\"exit_status\",\"timed_out\",\"seconds\",\"profile\"],"
    "\"properties\":{\"command\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
    "\"exit_status\":{\"type\":\"integer\",\"description\":\"the command's exit status (128+N: signal N)\"},"
    "\"timed_out\":{\"type\":\"boolean\"},\"seconds\":{\"type\":\"number\"},"
    "\"profile\":{\"type\":[\"string\",\"null\"],\"description\":\"the merged profile, repository-relative\"},"
    "\"output\":{\"type\":\"string\",\"description\":\"the end of the command's stdout\"},"
    "\"errors\":{\"type\":\"string\",\"description\":\"the end of its stderr and glintefy's report\"}}}";

/* ---- the table ------------------------------------------------------------------------ */

#define ARGS(a) a, sizeof a / sizeof a[0]

const McpTool mcp_tools[] = {
    {"review_cache", "Review the repository's caches",
     "Runs glintefy's cache review of the repository (as 'glintefy review cache --format json'): which "
     "functions to cache, which existing functools caches to keep, remove or resize, with evidence from the "
     "profile under LLM-CONTEXT/glintefy/review/perf/ when there is one. Returns the summary and the full report; "
     "writes its results under LLM-CONTEXT/glintefy/review/cache/. With validate=true it also re-runs the "
     "workload command to measure speedups.",
     ARGS(CACHE_ARGS), CACHE_OUT, 0, 0, 1, 0, cache_build, cache_result},
    {"review_fix", "Apply the cache actions to the sources",
     "EDITS SOURCE FILES: applies the actions of the last review_cache run (cache_recommendations.json: add, "
     "resize or remove functools caches) to the repository's Python files, atomically per file ('glintefy review "
     "cache --diff --fix'); a file changed since that review is refused. Returns the diff applied. Show the user "
     "the diff first (review_cache with diff=true) and ask before running it.",
     ARGS(FIX_ARGS), FIX_OUT, 0, 1, 0, 1, fix_build, fix_result},
    {"review_profile", "Run and profile a command",
     "RUNS A COMMAND: executes the given program with its arguments in the repository directory, with the "
     "user's privileges, under glintefy's profiler ('glintefy review profile -- COMMAND'), and saves the "
     "profile and cache statistics under LLM-CONTEXT/glintefy/review/perf/. The command can do anything the "
     "user can; ask the user before running it. Stopped at time_limit_seconds or on cancellation.",
     ARGS(PROFILE_ARGS), PROFILE_OUT, 0, 1, 0, 1, profile_build, profile_result},
    {"review_clean", "Delete review output",
     "Deletes what glintefy's review wrote under LLM-CONTEXT/glintefy/review/ (nothing else; symlinks are "
     "deleted, never followed). dry_run=true only lists what would be deleted.",
     ARGS(CLEAN_ARGS), CLEAN_OUT, 0, 1, 1, 0, clean_build, clean_result},
    {"profile_hotspots", "Hotspots of a profile",
     "Reads a cProfile .prof file of the repository and lists its hotspots: the functions of the project's own "
     "code (not the standard library or site-packages) with at least min_calls calls and min_cumtime seconds, "
     "by cumulative time, each with a priority (HIGH, MEDIUM, LOW). Reads only.",
     ARGS(HOTSPOT_ARGS), HOTSPOT_OUT, 1, 0, 1, 0, hotspots_build, hotspots_result},
};
const size_t mcp_ntools = sizeof mcp_tools / sizeof mcp_tools[0];

const McpTool *mcp_tool(const char *name) {
    for (size_t i = 0; i < mcp_ntools; i++)
        if (strcmp(mcp_tools[i].name, name) == 0) return &mcp_tools[i];
    return NULL;
}
