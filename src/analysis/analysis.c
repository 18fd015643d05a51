/* analysis.c - the issue table, and the tables of names the analysis knows without seeing their
 * code: builtins, library functions and methods, with their effect (an AnIssueKind), whether they
 * are costly, whether they return a fresh mutable object or mutate their receiver/argument. */
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "../base/hashidx.h"
#include "analysis.h"
#include "an_internal.h"

const AnIssueDesc an_issue_desc[AN__ISSUE_COUNT] = {
#define X(e, code, name, msg) {code, name, msg},
    AN_ISSUES(X)
#undef X
};

const char *an_purity_name(AnPurity p) {
    return p == AN_PURE ? "pure" : p == AN_IMPURE ? "impure" : "unknown";
}

const char *an_cache_kind_name(AnCacheKind k) {
    switch (k) {
    case AN_LRU_CACHE: return "lru_cache";
    case AN_CACHE: return "cache";
    case AN_CACHED_PROPERTY: return "cached_property";
    default: return NULL;
    }
}

int an_issue_lookup(const char *s, size_t n) {
    for (int k = 0; k < AN__ISSUE_COUNT; k++) {
        const AnIssueDesc *d = &an_issue_desc[k];
        if ((strlen(d->code) == n && strncasecmp(d->code, s, n) == 0) ||
            (strlen(d->name) == n && strncmp(d->name, s, n) == 0))
            return k;
    }
    return -1;
}

void an_file_free(AnFile *f) {
    if (!f) return;
    arena_free(&f->arena);
    memset(f, 0, sizeof *f);
}

/* ---- known names ------------------------------------------------------------------------ */

#define E(k) (AN_F_EFFECT | ((unsigned)AN_##k << AN_F_KIND_SHIFT))
enum { PURE = AN_F_PURE, HEAVY = AN_F_HEAVY | AN_F_PURE, MUTRET = AN_F_MUTRET | AN_F_PURE };

/* Qualified names after alias resolution; "x.*" covers everything under module x (the longest
 * entry wins: "os.path.*" before "os.*"). */
static const AnKnown KNOWN_CALLS[] = {
    /* builtins */
    {"abs", PURE}, {"all", PURE}, {"any", PURE}, {"ascii", PURE}, {"bin", PURE}, {"bool", PURE},
    {"bytes", PURE}, {"callable", PURE}, {"chr", PURE}, {"complex", PURE}, {"divmod", PURE},
    {"enumerate", PURE}, {"filter", PURE}, {"float", PURE}, {"format", PURE}, {"frozenset", PURE},
    {"getattr", PURE}, {"hasattr", PURE}, {"hash", PURE}, {"hex", PURE}, {"id", PURE}, {"int", PURE},
    {"isinstance", PURE}, {"issubclass", PURE}, {"iter", PURE}, {"len", PURE}, {"map", PURE},
    {"max", PURE}, {"min", PURE}, {"next", PURE}, {"oct", PURE}, {"ord", PURE}, {"pow", PURE},
    {"range", PURE}, {"repr", PURE}, {"reversed", PURE}, {"round", PURE}, {"slice", PURE},
    {"str", PURE}, {"sum", PURE}, {"tuple", PURE}, {"type", PURE}, {"zip", PURE}, {"object", PURE},
    {"super", PURE}, {"property", PURE}, {"staticmethod", PURE}, {"classmethod", PURE},
    {"memoryview", PURE}, {"NotImplemented", PURE},
    {"sorted", AN_F_PURE | AN_F_HEAVY | AN_F_MUTRET}, {"list", MUTRET}, {"dict", MUTRET},
    {"set", MUTRET}, {"bytearray", MUTRET}, {"dir", MUTRET}, {"vars", MUTRET},
    {"print", E(P_LOGGING)}, {"input", E(P_IO)}, {"open", E(P_IO)}, {"breakpoint", E(P_IO)},
    {"exit", E(P_SUBPROCESS)}, {"quit", E(P_SUBPROCESS)}, {"globals", E(P_READS_MUTABLE_GLOBAL)},
    {"compile", HEAVY}, {"eval", 0}, {"exec", 0},
    /* pure library modules */
    {"math.*", PURE}, {"cmath.*", PURE}, {"operator.*", PURE}, {"itertools.*", PURE},
    {"itertools.permutations", HEAVY}, {"itertools.combinations", HEAVY}, {"itertools.product", HEAVY},
    {"functools.*", PURE}, {"functools.reduce", HEAVY}, {"string.*", PURE}, {"keyword.*", PURE},
    {"re.*", HEAVY}, {"re.findall", AN_F_PURE | AN_F_HEAVY | AN_F_MUTRET},
    {"re.split", AN_F_PURE | AN_F_HEAVY | AN_F_MUTRET}, {"re.escape", PURE},
    {"json.loads", AN_F_PURE | AN_F_HEAVY | AN_F_MUTRET}, {"json.dumps", HEAVY},
    {"json.load", E(P_IO)}, {"json.dump", E(P_IO)},
    {"pickle.loads", AN_F_PURE | AN_F_HEAVY | AN_F_MUTRET}, {"pickle.dumps", HEAVY},
    {"pickle.load", E(P_IO)}, {"pickle.dump", E(P_IO)}, {"marshal.load", E(P_IO)}, {"marshal.dump", E(P_IO)},
    {"marshal.loads", HEAVY}, {"marshal.dumps", HEAVY},
    {"copy.copy", MUTRET}, {"copy.deepcopy", AN_F_PURE | AN_F_HEAVY | AN_F_MUTRET},
    {"collections.*", PURE}, {"collections.defaultdict", MUTRET}, {"collections.OrderedDict", MUTRET},
    {"collections.Counter", MUTRET}, {"collections.deque", MUTRET}, {"collections.ChainMap", MUTRET},
    {"hashlib.*", HEAVY}, {"zlib.*", HEAVY}, {"bz2.compress", HEAVY}, {"bz2.decompress", HEAVY},
    {"lzma.compress", HEAVY}, {"lzma.decompress", HEAVY}, {"gzip.compress", HEAVY},
    {"gzip.decompress", HEAVY}, {"base64.*", PURE}, {"binascii.*", PURE}, {"struct.*", PURE},
    {"unicodedata.*", PURE}, {"textwrap.*", HEAVY}, {"difflib.*", HEAVY}, {"ast.parse", HEAVY},
    {"ast.literal_eval", HEAVY}, {"fnmatch.fnmatch", PURE}, {"fnmatch.fnmatchcase", PURE},
    {"fnmatch.translate", PURE}, {"fnmatch.filter", MUTRET}, {"shlex.split", MUTRET},
    {"shlex.quote", PURE}, {"shlex.join", PURE}, {"bisect.bisect", PURE}, {"bisect.bisect_left", PURE},
    {"bisect.bisect_right", PURE}, {"bisect.insort", AN_F_PURE | AN_F_MUTARG0},
    {"bisect.insort_left", AN_F_PURE | AN_F_MUTARG0}, {"bisect.insort_right", AN_F_PURE | AN_F_MUTARG0},
    {"heapq.heappush", AN_F_PURE | AN_F_MUTARG0}, {"heapq.heappop", AN_F_PURE | AN_F_MUTARG0},
    {"heapq.heapify", AN_F_PURE | AN_F_MUTARG0}, {"heapq.heapreplace", AN_F_PURE | AN_F_MUTARG0},
    {"heapq.heappushpop", AN_F_PURE | AN_F_MUTARG0}, {"heapq.nlargest", MUTRET}, {"heapq.nsmallest", MUTRET},
    {"heapq.merge", PURE}, {"typing.*", PURE}, {"dataclasses.*", PURE}, {"dataclasses.asdict", MUTRET},
    {"enum.*", PURE}, {"abc.*", PURE}, {"decimal.*", PURE}, {"fractions.*", PURE},
    {"statistics.*", HEAVY}, {"numbers.*", PURE}, {"types.*", PURE}, {"weakref.*", PURE},
    {"contextlib.*", PURE}, {"warnings.warn", E(P_LOGGING)}, {"ipaddress.*", PURE},
    {"urllib.parse.*", PURE}, {"html.escape", PURE}, {"html.unescape", PURE},
    {"posixpath.*", PURE}, {"ntpath.*", PURE}, {"os.path.*", PURE}, {"os.fspath", PURE},
    {"os.fsencode", PURE}, {"os.fsdecode", PURE}, {"sys.getsizeof", PURE}, {"sys.intern", PURE},
    {"sys.getrecursionlimit", PURE}, {"sys.getdefaultencoding", PURE}, {"sys.getfilesystemencoding", PURE},
    {"pathlib.*", PURE}, {"inspect.*", PURE}, {"datetime.*", PURE}, {"calendar.*", PURE},
    /* effects */
    {"time.*", E(P_TIME)}, {"datetime.datetime.now", E(P_TIME)}, {"datetime.datetime.today", E(P_TIME)},
    {"datetime.datetime.utcnow", E(P_TIME)}, {"datetime.date.today", E(P_TIME)},
    {"datetime.now", E(P_TIME)}, {"datetime.today", E(P_TIME)}, {"datetime.utcnow", E(P_TIME)},
    {"random.*", E(P_RANDOM)}, {"secrets.*", E(P_RANDOM)}, {"uuid.uuid1", E(P_RANDOM)},
    {"uuid.uuid4", E(P_RANDOM)}, {"os.urandom", E(P_RANDOM)}, {"numpy.random.*", E(P_RANDOM)},
    {"os.getenv", E(P_ENV)}, {"os.putenv", E(P_ENV)}, {"os.unsetenv", E(P_ENV)}, {"os.environ.*", E(P_ENV)},
    {"os.getcwd", E(P_ENV)}, {"os.getpid", E(P_ENV)}, {"os.getppid", E(P_ENV)}, {"os.getuid", E(P_ENV)},
    {"os.getlogin", E(P_ENV)}, {"os.chdir", E(P_ENV)}, {"os.path.abspath", E(P_ENV)},
    {"os.path.expanduser", E(P_ENV)}, {"os.path.expandvars", E(P_ENV)}, {"os.cpu_count", E(P_ENV)},
    {"sys.exit", E(P_SUBPROCESS)}, {"sys.argv.*", E(P_ENV)}, {"platform.*", E(P_ENV)},
    {"getpass.*", E(P_ENV)}, {"locale.*", E(P_ENV)},
    {"socket.*", E(P_NETWORK)}, {"urllib.request.*", E(P_NETWORK)}, {"http.*", E(P_NETWORK)},
    {"requests.*", E(P_NETWORK)}, {"httpx.*", E(P_NETWORK)}, {"aiohttp.*", E(P_NETWORK)},
    {"ftplib.*", E(P_NETWORK)}, {"smtplib.*", E(P_NETWORK)}, {"ssl.*", E(P_NETWORK)},
    {"urllib3.*", E(P_NETWORK)}, {"xmlrpc.*", E(P_NETWORK)},
    {"subprocess.*", E(P_SUBPROCESS)}, {"os.system", E(P_SUBPROCESS)}, {"os.popen", E(P_SUBPROCESS)},
    {"os.fork", E(P_SUBPROCESS)}, {"os.kill", E(P_SUBPROCESS)}, {"os.execv", E(P_SUBPROCESS)},
    {"os.execvp", E(P_SUBPROCESS)}, {"os.execve", E(P_SUBPROCESS)}, {"os.spawnv", E(P_SUBPROCESS)},
    {"os._exit", E(P_SUBPROCESS)}, {"multiprocessing.*", E(P_SUBPROCESS)}, {"threading.*", E(P_SUBPROCESS)},
    {"logging.*", E(P_LOGGING)},
    {"os.*", E(P_IO)}, {"io.*", E(P_IO)}, {"shutil.*", E(P_IO)}, {"tempfile.*", E(P_IO)},
    {"glob.*", E(P_IO)}, {"sys.stdout.*", E(P_IO)}, {"sys.stderr.*", E(P_IO)}, {"sys.stdin.*", E(P_IO)},
    {"csv.*", E(P_IO)}, {"sqlite3.*", E(P_IO)}, {"importlib.*", E(P_IO)}, {"builtins.open", E(P_IO)},
    {"builtins.print", E(P_LOGGING)}, {"atexit.*", E(P_IO)}, {"signal.*", E(P_ENV)},
};

/* Attribute reads (not calls) with an effect. */
static const AnKnown KNOWN_ATTRS[] = {
    {"os.environ", E(P_ENV)}, {"sys.argv", E(P_ENV)}, {"sys.path", E(P_ENV)}, {"sys.modules", E(P_ENV)},
    {"sys.stdin", E(P_IO)}, {"sys.stdout", E(P_IO)}, {"sys.stderr", E(P_IO)}, {"os.environb", E(P_ENV)},
};

/* Methods called on an object the analysis cannot type (a parameter, a local, an expression). */
static const AnKnown KNOWN_METHODS[] = {
    {"append", AN_F_MUTATES}, {"extend", AN_F_MUTATES}, {"insert", AN_F_MUTATES}, {"pop", AN_F_MUTATES},
    {"remove", AN_F_MUTATES}, {"clear", AN_F_MUTATES}, {"sort", AN_F_MUTATES | AN_F_HEAVY},
    {"reverse", AN_F_MUTATES}, {"update", AN_F_MUTATES}, {"setdefault", AN_F_MUTATES}, {"add", AN_F_MUTATES},
    {"discard", AN_F_MUTATES}, {"popitem", AN_F_MUTATES}, {"appendleft", AN_F_MUTATES},
    {"popleft", AN_F_MUTATES}, {"extendleft", AN_F_MUTATES}, {"difference_update", AN_F_MUTATES},
    {"intersection_update", AN_F_MUTATES}, {"symmetric_difference_update", AN_F_MUTATES},
    {"get", PURE}, {"keys", PURE}, {"values", PURE}, {"items", PURE}, {"copy", MUTRET}, {"count", PURE},
    {"index", PURE}, {"find", PURE}, {"rfind", PURE}, {"rindex", PURE}, {"strip", PURE}, {"lstrip", PURE},
    {"rstrip", PURE}, {"split", MUTRET}, {"rsplit", MUTRET}, {"splitlines", MUTRET}, {"join", PURE},
    {"lower", PURE}, {"upper", PURE}, {"title", PURE}, {"capitalize", PURE}, {"casefold", PURE},
    {"swapcase", PURE}, {"startswith", PURE}, {"endswith", PURE}, {"replace", PURE}, {"format", PURE},
    {"format_map", PURE}, {"encode", PURE}, {"decode", PURE}, {"isdigit", PURE}, {"isalpha", PURE},
    {"isalnum", PURE}, {"isspace", PURE}, {"isupper", PURE}, {"islower", PURE}, {"isidentifier", PURE},
    {"isnumeric", PURE}, {"isdecimal", PURE}, {"isascii", PURE}, {"istitle", PURE}, {"isprintable", PURE},
    {"partition", PURE}, {"rpartition", PURE}, {"zfill", PURE}, {"center", PURE}, {"ljust", PURE},
    {"rjust", PURE}, {"expandtabs", PURE}, {"translate", PURE}, {"maketrans", PURE},
    {"removeprefix", PURE}, {"removesuffix", PURE}, {"union", PURE}, {"intersection", PURE},
    {"difference", PURE}, {"symmetric_difference", PURE}, {"issubset", PURE}, {"issuperset", PURE},
    {"isdisjoint", PURE}, {"bit_length", PURE}, {"to_bytes", PURE}, {"from_bytes", PURE}, {"hex", PURE},
    {"fromhex", PURE}, {"conjugate", PURE}, {"is_integer", PURE}, {"as_integer_ratio", PURE},
    {"group", PURE}, {"groups", PURE}, {"groupdict", PURE}, {"span", PURE}, {"start", PURE}, {"end", PURE},
    {"match", HEAVY}, {"search", HEAVY}, {"fullmatch", HEAVY}, {"findall", AN_F_PURE | AN_F_HEAVY | AN_F_MUTRET},
    {"finditer", HEAVY}, {"sub", HEAVY}, {"subn", HEAVY}, {"fromkeys", MUTRET}, {"isoformat", PURE},
    {"strftime", PURE}, {"timestamp", PURE}, {"date", PURE}, {"hexdigest", PURE}, {"digest", PURE},
    {"read", E(P_IO)}, {"write", E(P_IO)}, {"readline", E(P_IO)}, {"readlines", E(P_IO)},
    {"writelines", E(P_IO)}, {"close", E(P_IO)}, {"flush", E(P_IO)}, {"seek", E(P_IO)}, {"tell", E(P_IO)},
    {"truncate", E(P_IO)}, {"read_text", E(P_IO)}, {"write_text", E(P_IO)}, {"read_bytes", E(P_IO)},
    {"write_bytes", E(P_IO)}, {"exists", E(P_IO)}, {"is_file", E(P_IO)}, {"is_dir", E(P_IO)},
    {"iterdir", E(P_IO)}, {"mkdir", E(P_IO)}, {"unlink", E(P_IO)}, {"rglob", E(P_IO)},
    {"recv", E(P_NETWORK)}, {"send", E(P_NETWORK)}, {"sendall", E(P_NETWORK)}, {"connect", E(P_NETWORK)},
    {"debug", E(P_LOGGING)}, {"info", E(P_LOGGING)}, {"warning", E(P_LOGGING)}, {"warn", E(P_LOGGING)},
    {"error", E(P_LOGGING)}, {"exception", E(P_LOGGING)}, {"critical", E(P_LOGGING)},
};

typedef struct KnownIndex {
    HashIdx idx;
    const AnKnown *tab;
} KnownIndex;
static KnownIndex known_calls, known_attrs, known_methods;
static pthread_once_t known_once = PTHREAD_ONCE_INIT;

typedef struct KeyCtx {
    const AnKnown *tab;
    const char *s;
    size_t n;
} KeyCtx;
static int known_eq(const void *ctx, uint32_t v) {
    const KeyCtx *k = ctx;
    return strlen(k->tab[v].name) == k->n && memcmp(k->tab[v].name, k->s, k->n) == 0;
}

static void build_one(KnownIndex *ki, const AnKnown *tab, size_t n) {
    ki->tab = tab;
    hashidx_reserve(&ki->idx, n);
    for (size_t i = 0; i < n; i++) {
        KeyCtx k = {tab, tab[i].name, strlen(tab[i].name)};
        hashidx_get_or_add(&ki->idx, XXH3_64bits(k.s, k.n), (uint32_t)i, known_eq, &k);
    }
}

static void build_known(void) {
    build_one(&known_calls, KNOWN_CALLS, sizeof KNOWN_CALLS / sizeof KNOWN_CALLS[0]);
    build_one(&known_attrs, KNOWN_ATTRS, sizeof KNOWN_ATTRS / sizeof KNOWN_ATTRS[0]);
    build_one(&known_methods, KNOWN_METHODS, sizeof KNOWN_METHODS / sizeof KNOWN_METHODS[0]);
}

static const AnKnown *find_exact(const KnownIndex *ki, const char *s, size_t n) {
    KeyCtx k = {ki->tab, s, n};
    uint32_t v = hashidx_find(&ki->idx, XXH3_64bits(s, n), known_eq, &k);
    return v == HASHIDX_NONE ? NULL : &ki->tab[v];
}

/* Exact name first, then "prefix.*" for ever shorter prefixes. */
static const AnKnown *find_qualified(const KnownIndex *ki, const char *s) {
    pthread_once(&known_once, build_known);
    size_t n = strlen(s);
    const AnKnown *k = find_exact(ki, s, n);
    if (k) return k;
    char buf[256];
    if (n + 3 > sizeof buf) return NULL;
    memcpy(buf, s, n);
    for (size_t i = n; i-- > 0;) {
        if (s[i] != '.') continue;
        memcpy(buf + i, ".*", 2);
        if ((k = find_exact(ki, buf, i + 2))) return k;
    }
    return NULL;
}

const AnKnown *an_known_call(const char *qualified) { return find_qualified(&known_calls, qualified); }
const AnKnown *an_known_attr(const char *qualified) {
    pthread_once(&known_once, build_known);
    return find_exact(&known_attrs, qualified, strlen(qualified));
}
const AnKnown *an_known_method(const char *name, size_t n) {
    pthread_once(&known_once, build_known);
    return find_exact(&known_methods, name, n);
}
