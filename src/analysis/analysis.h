/* analysis.h - what glintefy knows about each Python function without running it: where it is,
 * whether it is pure (with a reason and a location for every doubt), how expensive it looks,
 * its existing functools cache, and the hazards of caching it. Two stages:
 *   1. an_file_facts(): one syntax tree -> AnFile (per file, thread-safe, no shared state; runs in
 *      rv_parse_all's hook so the tree can be freed right after);
 *   2. an_repo_link(): all AnFiles -> call graph resolved across modules, impurity propagated
 *      over it (recursion included; an unresolved call is UNKNOWN, not pure), static call counts,
 *      and callers that mutate a function's result attached to the callee.
 * Everything an AnFile holds is owned by its own arena (an_file_free frees it), so nothing points
 * into the syntax tree or the source buffer. */
#ifndef GLINTEFY_ANALYSIS_H
#define GLINTEFY_ANALYSIS_H
#include <stddef.h>
#include "../base/arena.h"
#include "../syntax/ast.h"

/* A place in a file: 1-based line, 0-based column in UTF-8 bytes (as the AST). */
typedef struct AnLoc {
    int line, col;
} AnLoc;

/* Reasons and hazards: one X-macro table, stable codes. X(ENUM, "CODE", "name", "message")
 * - purity reasons (P1xx) say why a function is not pure;
 * - caching hazards (C2xx) are the diagnostics `review cache` reports on existing caches and
 *   uses to reject candidates. Messages are complete sentences; details go in AnIssue.detail. */
#define AN_ISSUES(X)                                                                                       \
    X(P_WRITES_GLOBAL, "P101", "writes-global", "assigns a module-level or enclosing variable")           \
    X(P_MUTATES_PARAM, "P102", "mutates-argument", "mutates an argument in place")                         \
    X(P_READS_MUTABLE_GLOBAL, "P103", "reads-mutable-global", "reads module state that is changed elsewhere") \
    X(P_READS_SELF, "P104", "reads-instance-state", "reads instance attributes, which may change")         \
    X(P_IO, "P105", "io", "performs I/O")                                                                   \
    X(P_TIME, "P106", "time", "depends on the clock")                                                       \
    X(P_RANDOM, "P107", "random", "depends on randomness")                                                  \
    X(P_ENV, "P108", "environment", "reads the environment or process state")                             \
    X(P_NETWORK, "P109", "network", "uses the network")                                                     \
    X(P_SUBPROCESS, "P110", "subprocess", "runs other programs")                                            \
    X(P_LOGGING, "P111", "logging", "logs or prints")                                                       \
    X(P_GENERATOR, "P112", "generator", "is a generator (yield)")                                           \
    X(P_COROUTINE, "P113", "coroutine", "is a coroutine (async def / await)")                              \
    X(P_CALLS_IMPURE, "P114", "calls-impure", "calls a function that is not pure")                          \
    X(P_CALLS_UNKNOWN, "P115", "calls-unknown", "calls code the analysis cannot see")                       \
    X(P_MUTATES_SELF, "P116", "mutates-instance", "changes instance state")                                 \
    X(P_RAISES_ONLY, "P117", "no-return-value", "returns nothing useful (None)")                            \
    X(C_METHOD_CACHE, "C201", "cache-on-method",                                                            \
      "cache on an instance method: keeps every instance alive and shares one cache across instances")      \
    X(C_UNBOUNDED_METHOD, "C202", "unbounded-cache-on-method",                                              \
      "unbounded cache on a method: instances are never freed")                                             \
    X(C_GENERATOR, "C203", "cache-on-generator", "cache on a generator or coroutine: caches a one-shot object") \
    X(C_IMPURE, "C204", "cache-on-impure", "cache on a function that is not pure: callers get stale results") \
    X(C_MUTABLE_RETURN, "C205", "mutable-return", "returns a new mutable object: a caller that mutates it corrupts the cache") \
    X(C_MUTATED_RESULT, "C206", "cached-result-mutated",                                                    \
      "a caller mutates the cached result: every later hit returns the corrupted object")                  \
    X(C_DECORATOR_ORDER, "C207", "decorator-order", "cache decorator in an order that does not work")      \
    X(C_UNHASHABLE_ARG, "C208", "unhashable-argument", "an argument is used as a list/dict/set: calls will raise TypeError") \
    X(C_MUTABLE_DEFAULT, "C209", "mutable-default", "a parameter has a mutable default value")            \
    X(C_TOO_CHEAP, "C210", "too-cheap", "does too little work for a cache to pay off")

typedef enum AnIssueKind {
#define X(e, code, name, msg) AN_##e,
    AN_ISSUES(X)
#undef X
    AN__ISSUE_COUNT
} AnIssueKind;

typedef struct AnIssueDesc {
    const char *code, *name, *message;
} AnIssueDesc;
extern const AnIssueDesc an_issue_desc[AN__ISSUE_COUNT];

/* One reason or hazard at a place; detail is a short specific note ("calls time.time()",
 * "parts.append(...) in module.caller at line 12"), or NULL. */
typedef struct AnIssue {
    AnIssueKind kind;
    AnLoc loc;
    const char *detail;
    const char *other_file; /* for C206/P114: where the other end is (repo-relative), or NULL */
    AnLoc other_loc;
} AnIssue;

typedef enum AnPurity { AN_PURE, AN_IMPURE, AN_UNKNOWN } AnPurity;

typedef enum AnCacheKind { AN_NO_CACHE, AN_LRU_CACHE, AN_CACHE, AN_CACHED_PROPERTY } AnCacheKind;
enum { AN_UNBOUNDED = -1 };
/* ADDED (analysis engineer): maxsize given by an expression the analysis cannot evaluate (a
 * module-level `NAME = <int>` constant IS evaluated). */
enum { AN_MAXSIZE_UNKNOWN = -2 };

/* An existing functools cache decorator (every spelling: @lru_cache, @lru_cache(), @lru_cache(64),
 * @lru_cache(maxsize=None), typed=True, through import aliases, f = lru_cache(32)(g)). */
typedef struct AnCache {
    AnCacheKind kind;
    long maxsize;   /* AN_UNBOUNDED for None / functools.cache; 128 when not given */
    int typed;
    AnLoc loc;      /* the decorator expression (or the assignment for f = lru_cache()(g)) */
    int index;      /* position in the decorator list, 0 = topmost; -1 for f = lru_cache(..)(g) */
    /* how the cache is made (a static string): "decorator", "assignment" (module-level
     * f = lru_cache(n)(g)), "local assignment" (x = lru_cache(n)(f) in a function),
     * "instance assignment" (self.f = lru_cache()(self.f): one cache per instance), "factory" (a
     * decorator whose body makes lru_cache(...)(func), named by factory) */
    const char *via;
    const char *factory; /* "module.qualname" of the cache decorator for via "factory", else NULL */
    const char *made_at; /* "path:line" of the call that makes it when that is in another file
                          * (lru_cache(n)(imported_function)), else NULL; loc is then the def */
} AnCache;

/* ADDED: how a call's target was classified by an_file_facts. */
typedef enum AnCallOrigin {
    AN_CALL_REPO,    /* a name an_repo_link looks up in the repository (unresolved => P115 there) */
    AN_CALL_KNOWN,   /* a builtin or library call from the tables (its effect, if any, is a reason) */
    AN_CALL_UNKNOWN  /* calls a parameter/local object or an expression: P115 already recorded */
} AnCallOrigin;

/* A call site inside a function (or at module level, func == -1): the callee as the code names
 * it after alias resolution, resolved later by an_repo_link. */
typedef struct AnCall {
    const char *target; /* "pkg.mod.func", "pkg.mod.Class.method", "self.method", or a name */
    AnLoc loc;
    int func;           /* index of the calling function in AnFile.funcs, or -1 */
    int resolved;       /* after linking: index into AnRepo.funcs, or -1 */
    int result_mutated; /* the caller stores the result and then mutates it */
    AnLoc mutation_loc;
    AnCallOrigin origin; /* ADDED */
} AnCall;

/* Expense indicators (static). */
typedef struct AnExpense {
    int loop_depth;      /* deepest loop nesting */
    int loops;           /* number of loops */
    int comprehensions;
    int recursive;       /* calls itself directly (set by linking for indirect recursion too) */
    int heavy_calls;     /* calls known to be costly (sorted, re.*, json.*, deepcopy, ...) */
    int statements;      /* size */
} AnExpense;

typedef struct AnFunc {
    const char *name;     /* co_name */
    const char *qualname; /* as __qualname__: "Class.method", "outer.<locals>.inner" */
    int line;             /* the def line */
    int first_line;       /* co_firstlineno: the first decorator's line, else the def line */
    int end_line, col;
    int is_method, is_staticmethod, is_classmethod, is_property, is_async, is_generator, is_nested;
    int is_overload;      /* a typing.overload stub: a signature, not a function of its own */
    const char *unhashable_hint; /* a parameter annotated dict/list/set..., or **kwargs; else NULL */
    int nparams;
    AnCache cache;        /* kind AN_NO_CACHE when none */
    AnPurity purity;      /* local verdict; an_repo_link makes it repository-wide */
    AnExpense expense;
    AnIssue *reasons;     /* why not pure (P1xx); P117 (no return value) and P115 (unknown) do
                           * not make a function impure: only P115 makes it AN_UNKNOWN */
    int nreasons;
    AnIssue *hazards;     /* caching hazards (C2xx), suppressed ones already removed */
    int nhazards;
    int returns_mutable;  /* returns a fresh list/dict/set (also recorded as C205) */
    int call_sites;       /* after linking: calls to it from anywhere in the repository */
    /* ADDED: bit (1ull << kind) set for every code suppressed by `# glintefy: ignore[CODE]` (all
     * bits for a bare `ignore`) on the def or a decorator line; hazards already filtered. */
    unsigned long long suppressed;
    /* a cache decorator: makes_cache_level 1 when calling it with a function makes a functools
     * cache of that function (its body has lru_cache(...)(param)); 2 when calling it returns such a
     * decorator (a factory: `def cacheit(maxsize): def deco(func): ... return deco`); 0 otherwise.
     * makes_cache is the cache it makes (maxsize unknown when it comes from a parameter). */
    int makes_cache_level;
    AnCache makes_cache;
} AnFunc;

/* A decorator that is not a library one, to be looked up across the repository by an_repo_link:
 * a use of a cache decorator (AnFunc.makes_cache_level) makes the decorated function cached. */
typedef struct AnDecoUse {
    int func;           /* the decorated function (index in AnFile.funcs); -1: the function target
                         * names is itself cached by `cache` (lru_cache(n)(imported_function)) */
    AnCache cache;      /* func -1 only */
    int index;          /* position in the decorator list */
    int called;         /* calls made between the name and the decorator: `@f` 0, `@f(64)` 1, and one
                         * more when the name holds a call's result (`cacheit = make_cache(64)`) */
    const char *target; /* qualified name of the function named ("pkg.cache.memo"), or NULL */
    int call;           /* the AnFile.calls index whose target stands for the name (name = f(...)), or -1 */
    AnLoc loc;
} AnDecoUse;

/* ADDED: a module-level name that stands for another qualified name: imports
 * (`from .x import f` in pkg/__init__ -> "pkg.x.f") and `f = lru_cache(32)(g)` -> "mod.g".
 * an_repo_link follows them for re-exports. */
typedef struct AnAlias {
    const char *name, *target;
} AnAlias;

typedef struct AnFile {
    Arena arena;          /* owns everything below */
    const char *path;     /* repo-relative */
    const char *module;
    AnFunc *funcs;
    int nfuncs;
    AnCall *calls;
    int ncalls;
    int ncaches;          /* functions with an existing cache */
    AnAlias *aliases;     /* ADDED */
    int naliases;
    const char **classes; /* ADDED: qualnames of the classes defined in the file */
    int *class_lines;     /* ADDED: their bodies' co_firstlineno (first decorator or class line) */
    int nclasses;
    AnDecoUse *deco_uses; /* decorators an_repo_link looks up (cache factories) */
    int ndeco_uses;
    AnAlias *call_aliases; /* module-level NAME = f(...): name -> the call's target ("" unknown) */
    int ncall_aliases;
} AnFile;

/* Extracts the facts of one parsed module. path/module are copied. Never fails on a valid tree. */
void an_file_facts(AnFile *out, const AstNode *module, const char *path, const char *module_name);
/* ADDED: the same, with the source bytes src[0..n) so that `# glintefy: ignore[CODE]` comments
 * are honoured (an_file_facts is this with no source: nothing suppressed). */
void an_file_facts_src(AnFile *out, const AstNode *module, const char *path, const char *module_name,
                       const char *src, size_t n);
void an_file_free(AnFile *f);
/* ADDED: "pure"/"impure"/"unknown"; "lru_cache"/"cache"/"cached_property"/NULL. */
const char *an_purity_name(AnPurity p);
const char *an_cache_kind_name(AnCacheKind k);
/* ADDED: the AnIssueKind of a code ("C201") or name ("cache-on-method"), or -1. */
int an_issue_lookup(const char *s, size_t n);

/* The repository: files linked together. funcs is a flat view (file index, function index). */
typedef struct AnFuncRef {
    int file, func;
} AnFuncRef;
typedef struct AnRepo {
    AnFile *files;
    int nfiles;
    AnFuncRef *funcs;
    int nfuncs;
    int *file_base;       /* ADDED: funcs index of files[i].funcs[0] */
} AnRepo;

/* Resolves calls across files, propagates impurity over the call graph to a fixed point, counts
 * static call sites, and attaches result mutations to callees (as C206 on cached callees; ADDED:
 * on uncached callees too, since such a function must not become a candidate), adds C204 on
 * cached functions that end up impure (for cached_property, reading self alone does not count). The
 * files stay owned by the caller; an_repo_free frees only the index. */
void an_repo_link(AnRepo *repo, AnFile *files, int nfiles);
void an_repo_free(AnRepo *repo);

#endif
