/* sarif.c - SARIF 2.1.0 output (sarif.h): the rule table with help, results with fingerprints.
 * Built with jansson (objects keep insertion order), since the document is small: the hazards of
 * existing caches, never the 58,000 rejected candidates of a large repository. */
#include "sarif.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "../version.h"

#define RULES_URI "https://github.com/bitranox/glintefy/blob/main/docs/rules.md"

/* Why each code matters and what to do about it, in the order of AN_ISSUES. The suppression
 * comment is added by sarif_write's markdown, not repeated here. */
static const struct {
    const char *code, *help;
} HELP[] = {
    {"P101", "The function assigns a module-level or enclosing variable (global/nonlocal), so calling it changes "
             "state other calls see. A cache would skip that assignment on every hit. Keep such functions uncached, or "
             "move the state change out of the function."},
    {"P102", "The function mutates an argument in place (append, item assignment, ...). A cached call would skip "
             "the mutation on a hit, and the caller's object would no longer change. Return a new value instead."},
    {"P103", "The function reads module state that other code changes, so the same arguments can give different "
             "results over time: a cache would return stale values. Pass the state in as an argument."},
    {"P104", "The function reads instance attributes, which may change between calls: a cache keyed on the "
             "arguments would return results computed from old state."},
    {"P105", "The function reads or writes files or streams. Its result depends on the outside world and its "
             "effect must happen on every call; caching it would hide both."},
    {"P106", "The function depends on the clock (time.time, datetime.now, ...): a cached result is frozen at the "
             "first call."},
    {"P107", "The function depends on randomness: a cache would return the same 'random' value every time."},
    {"P108", "The function reads the environment or process state (os.environ, os.getcwd, sys.argv, ...), which "
             "can change while the program runs."},
    {"P109", "The function uses the network: results change and the call has effects. Cache at a level that knows "
             "when the data goes stale (with a time-to-live), not with functools."},
    {"P110", "The function runs other programs: their output and effects are not a pure function of the arguments."},
    {"P111", "The function logs or prints. A cached call would not log again on a hit; if the output matters, keep "
             "it uncached, else move the logging out."},
    {"P112", "The function is a generator: calling it returns a one-shot iterator, which a cache would hand out "
             "again after it has been consumed."},
    {"P113", "The function is a coroutine: calling it returns a coroutine object that can be awaited only once."},
    {"P114", "The function calls a function that is not pure, so it is not pure either (the reason of the callee "
             "is given in the detail)."},
    {"P115", "The function calls code the analysis cannot see (a parameter, an attribute of an unknown object, a "
             "library without a known effect). Its purity is unknown: profile it and check the callee."},
    {"P116", "The method changes instance state; a cache would skip the change on every hit."},
    {"P117", "The function returns nothing useful (None): there is no result worth caching, only effects."},
    {"C201", "functools.lru_cache on an instance method keys the cache on self: the cache keeps every instance it "
             "has seen alive (a memory leak for short-lived objects) and one cache is shared by all instances. Use "
             "functools.cached_property for per-instance values, or cache a module-level function of the "
             "arguments that matter."},
    {"C202", "An unbounded cache (maxsize=None, functools.cache) on a method keeps every instance alive for the "
             "life of the program: they are never freed. Bound the cache, or use cached_property."},
    {"C203", "A cache on a generator or coroutine function stores the generator/coroutine object itself: the first "
             "caller consumes it, every later hit gets an exhausted iterator (or a coroutine that cannot be awaited "
             "again). Remove the cache, or cache a function that returns a list/tuple."},
    {"C204", "The cached function is not pure (see its purity reasons): callers get results computed from old "
             "state, and side effects happen only on misses. Remove the cache or make the function pure."},
    {"C205", "The cached function returns a new mutable object (list, dict, set). Every hit returns the same "
             "object, so a caller that changes it changes what all later callers get. Return a tuple, frozenset "
             "or types.MappingProxyType, or copy at the call site."},
    {"C206", "A caller mutates the object the cache returned: every later hit returns the corrupted object. Copy "
             "the result before changing it, or return an immutable value (the related location is the caller)."},
    {"C207", "The cache decorator is in an order that does not work (for example above @property or "
             "@staticmethod, where it wraps the descriptor rather than the function). Put the cache decorator "
             "directly above the def, under @staticmethod/@classmethod, or use cached_property."},
    {"C208", "An argument is used as a list, dict or set. Caches hash their arguments, so calls with such values "
             "raise TypeError: unhashable type. Pass tuples/frozensets, or convert at the call site."},
    {"C209", "A parameter has a mutable default value ([], {}, set()): it is shared by every call, and with a cache "
             "the result computed from it is shared too. Use None and create the value inside."},
    {"C210", "The function does too little work for a cache to pay off: hashing the arguments and the lookup cost "
             "about as much as the call. Measure before caching (glintefy review profile)."},
};

const char *sarif_rule_help(AnIssueKind k) {
    if ((int)k < 0 || k >= AN__ISSUE_COUNT) return "";
    for (size_t i = 0; i < sizeof HELP / sizeof HELP[0]; i++)
        if (strcmp(HELP[i].code, an_issue_desc[k].code) == 0) return HELP[i].help;
    return "";
}

const char *sarif_level(AnIssueKind k) {
    if (an_issue_desc[k].code[0] == 'P') return "note";
    switch (k) {
    case AN_C_GENERATOR:
    case AN_C_MUTATED_RESULT:
    case AN_C_UNHASHABLE_ARG: return "error";
    case AN_C_TOO_CHEAP: return "note";
    default: return "warning";
    }
}

void sarif_fingerprint(const SarifResult *r, unsigned occurrence, char out[17]) {
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    /* not the detail: it may name a line ("mutates the result at pkg/a.py:27") */
    const char *parts[] = {an_issue_desc[r->kind].code, r->file, r->qualname, r->other_file};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        const char *p = parts[i] ? parts[i] : "";
        XXH3_64bits_update(st, p, strlen(p) + 1); /* with the NUL: "ab"+"c" differs from "a"+"bc" */
    }
    XXH3_64bits_update(st, &occurrence, sizeof occurrence);
    snprintf(out, 17, "%016llx", (unsigned long long)XXH3_64bits_digest(st));
    XXH3_freeState(st);
}

static json_t *location(const char *file, int line, int col0) {
    return json_pack("{s:{s:{s:s,s:s},s:{s:i,s:i}}}", "physicalLocation", "artifactLocation", "uri", file, "uriBaseId",
                     "SRCROOT", "region", "startLine", line > 0 ? line : 1, "startColumn", col0 >= 0 ? col0 + 1 : 1);
}

static json_t *rules(void) {
    json_t *a = json_array();
    for (int k = 0; k < AN__ISSUE_COUNT; k++) {
        const AnIssueDesc *d = &an_issue_desc[k];
        const char *help = sarif_rule_help((AnIssueKind)k);
        char uri[200], lower[8];
        size_t n = strlen(d->code);
        for (size_t i = 0; i <= n && i < sizeof lower; i++) lower[i] = (char)(d->code[i] >= 'A' && d->code[i] <= 'Z' ? d->code[i] + 32 : d->code[i]);
        lower[sizeof lower - 1] = 0;
        snprintf(uri, sizeof uri, "%s#%s", RULES_URI, lower);
        size_t mlen = strlen(help) + strlen(d->message) + strlen(d->code) * 2 + 200;
        char *md = malloc(mlen), *text = malloc(mlen);
        if (!md || !text) abort();
        snprintf(text, mlen, "%s\n\nSuppress it on the def or decorator line with: # glintefy: ignore[%s]", help, d->code);
        snprintf(md, mlen, "**%s** (%s): %s.\n\n%s\n\nSuppress it on the `def` or decorator line with `# glintefy: ignore[%s]`.",
                 d->code, d->name, d->message, help, d->code);
        json_t *tags = json_pack("[s,s]", d->code[0] == 'P' ? "purity" : "caching",
                                 d->code[0] == 'P' ? "maintainability" : "correctness");
        json_array_append_new(
            a, json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s,s:s},s:s,s:{s:s},s:{s:o,s:s}}", "id", d->code, "name", d->name,
                         "shortDescription", "text", d->message, "fullDescription", "text", help, "help", "text", text,
                         "markdown", md, "helpUri", uri, "defaultConfiguration", "level", sarif_level((AnIssueKind)k),
                         "properties", "tags", tags, "precision", d->code[0] == 'P' ? "medium" : "high"));
        free(md);
        free(text);
    }
    return a;
}

void sarif_write(Buf *out, const SarifResult *res, size_t nres, const SarifNote *notes, size_t nnotes) {
    json_t *results = json_array();
    for (size_t i = 0; i < nres; i++) {
        const SarifResult *r = &res[i];
        const AnIssueDesc *d = &an_issue_desc[r->kind];
        /* equal fingerprints are told apart by how many came before (results are in a stable order) */
        char fp[17], prev[17];
        unsigned occ = 0;
        sarif_fingerprint(r, 0, fp);
        for (size_t j = 0; j < i; j++) {
            sarif_fingerprint(&res[j], 0, prev);
            occ += strcmp(prev, fp) == 0;
        }
        if (occ) sarif_fingerprint(r, occ, fp);
        Buf m = {0};
        buf_printf(&m, "%s: %s", r->qualname ? r->qualname : "<module>", d->message);
        if (r->detail) buf_printf(&m, " (%s)", r->detail);
        json_t *o = json_pack("{s:s,s:i,s:s,s:{s:s},s:[o],s:{s:s}}", "ruleId", d->code, "ruleIndex", (int)r->kind, "level",
                              sarif_level(r->kind), "message", "text", m.data, "locations",
                              location(r->file, r->line, r->col), "partialFingerprints", "glintefyHazard/v1", fp);
        buf_free(&m);
        if (r->other_file)
            json_object_set_new(o, "relatedLocations", json_pack("[o]", location(r->other_file, r->other_line, r->other_col)));
        json_array_append_new(results, o);
    }
    json_t *notif = json_array();
    for (size_t i = 0; i < nnotes; i++) {
        char msg[700];
        snprintf(msg, sizeof msg, "skipped: %s", notes[i].message);
        json_array_append_new(notif, json_pack("{s:s,s:{s:s},s:[o]}", "level", "warning", "message", "text", msg, "locations",
                                               location(notes[i].file, notes[i].line, notes[i].col > 0 ? notes[i].col - 1 : 0)));
    }
    json_t *doc = json_pack(
        "{s:s,s:s,s:[{s:{s:{s:s,s:s,s:s,s:o}},s:{s:{s:{s:s}}},s:o,s:[{s:b,s:o}]}]}", "$schema",
        "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool", "driver", "name", "glintefy",
        "version", GLINTEFY_VERSION, "informationUri", "https://github.com/bitranox/glintefy", "rules", rules(),
        "originalUriBaseIds", "SRCROOT", "description", "text", "the repository root (the directory reviewed)", "results",
        results, "invocations", "executionSuccessful", 1, "toolExecutionNotifications", notif);
    char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
    if (!s) abort();
    buf_puts(out, s);
    buf_putc(out, '\n');
    free(s);
    json_decref(doc);
}
