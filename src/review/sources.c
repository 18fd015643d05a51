/* sources.c - discovery of a repository's Python files: asks git (so .gitignore holds), or
 * walks the tree; drops environments, build output and our own output; applies the globs;
 * names modules. Skipped directories are recognised by name or by what they hold. */
#include "sources.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../base/buf.h"
#include "../base/xalloc.h"

enum { MAX_WALK_DEPTH = 100 };

typedef Array(char *) Paths;

/* ---- globs --------------------------------------------------------------------------- */

/* [...] at p (after '['); sets *end past ']'. Returns 1/0 for a match of c, -1 if malformed. */
static int match_class(const char *p, char c, const char **end) {
    int neg = 0, hit = 0;
    if (*p == '!' || *p == '^') { neg = 1; p++; }
    const char *first = p;
    while (*p && (*p != ']' || p == first)) {
        char lo = *p == '\\' && p[1] ? *++p : *p;
        char hi = lo;
        if (p[1] == '-' && p[2] && p[2] != ']') {
            p += 2;
            hi = *p == '\\' && p[1] ? *++p : *p;
        }
        if (c >= lo && c <= hi) hit = 1;
        p++;
    }
    if (*p != ']') return -1;
    *end = p + 1;
    return c != '/' && (hit ^ neg);
}

/* The pattern compiled to a token list, matched by simulating its automaton over the path one
 * character at a time: O(pattern x path) whatever the stars (a backtracking matcher takes
 * exponential time on `*a*a*a*a*b` or `**` repeated). */
typedef enum { G_LIT, G_ANY, G_CLASS, G_STAR, G_GLOBSTAR, G_ALL, G_END } GlobOp;
typedef struct GlobTok {
    GlobOp op;
    char c;              /* G_LIT */
    const char *cls;     /* G_CLASS: just after '[' */
} GlobTok;

/* '**' is special only as a whole component: at the start, or after a '/' (G_GLOBSTAR: any
 * number of "name/" prefixes; G_ALL: a final '**', everything). `toks` has room for
 * strlen(p) + 1 entries; returns their number, the last being G_END. */
static size_t glob_compile(const char *p, GlobTok *toks) {
    size_t n = 0;
    int bol = 1;
    while (*p) {
        if (bol && p[0] == '*' && p[1] == '*' && (p[2] == '/' || p[2] == 0)) {
            if (p[2] == 0) { toks[n++] = (GlobTok){.op = G_ALL}; p += 2; break; }
            toks[n++] = (GlobTok){.op = G_GLOBSTAR};
            p += 3;
            continue;
        }
        char c = *p;
        bol = 0;
        if (c == '*') {
            while (*p == '*') p++;
            toks[n++] = (GlobTok){.op = G_STAR};
        } else if (c == '?') {
            toks[n++] = (GlobTok){.op = G_ANY};
            p++;
        } else if (c == '[') {
            const char *end;
            if (match_class(p + 1, 'a', &end) < 0) { toks[n++] = (GlobTok){.op = G_LIT, .c = '['}; p++; } /* a lone '[' is literal */
            else { toks[n++] = (GlobTok){.op = G_CLASS, .cls = p + 1}; p = end; }
        } else {
            if (c == '\\' && p[1]) c = *++p;
            toks[n++] = (GlobTok){.op = G_LIT, .c = c};
            p++;
            bol = c == '/';
        }
    }
    toks[n++] = (GlobTok){.op = G_END};
    return n;
}

/* States: 2k is "before token k"; 2k+1 is "inside a name skipped by the G_GLOBSTAR at k". Adds
 * state st and what it reaches without reading (a star or '**' may match nothing). */
static void glob_add(const GlobTok *t, unsigned char *set, size_t st) {
    while (!set[st]) {
        set[st] = 1;
        if (st & 1) return;
        GlobOp op = t[st / 2].op;
        if (op != G_STAR && op != G_GLOBSTAR && op != G_ALL) return;
        st += 2;
    }
}

int rv_glob_match(const char *pattern, const char *path) {
    size_t plen = strlen(pattern);
    GlobTok *t = xmalloc((plen + 1) * sizeof *t);
    size_t n = glob_compile(pattern, t), ns = 2 * n;
    unsigned char *cur = xcalloc(ns, 1), *next = xcalloc(ns, 1);
    glob_add(t, cur, 0);
    int alive = 1;
    for (const char *s = path; *s && alive; s++) {
        char c = *s;
        memset(next, 0, ns);
        alive = 0;
        for (size_t st = 0; st < ns; st++) {
            if (!cur[st]) continue;
            size_t k = st / 2;
            if (st & 1) { glob_add(t, next, c == '/' ? 2 * k : st); alive = 1; continue; }
            const char *end;
            switch (t[k].op) {
            case G_LIT: if (c == t[k].c) { glob_add(t, next, st + 2); alive = 1; } break;
            case G_ANY: if (c != '/') { glob_add(t, next, st + 2); alive = 1; } break;
            case G_CLASS: if (match_class(t[k].cls, c, &end) == 1) { glob_add(t, next, st + 2); alive = 1; } break;
            case G_STAR: if (c != '/') { glob_add(t, next, st); alive = 1; } break;
            case G_GLOBSTAR: glob_add(t, next, c == '/' ? st : st + 1); alive = 1; break;
            case G_ALL: glob_add(t, next, st); alive = 1; break;
            case G_END: break;
            }
        }
        unsigned char *x = cur;
        cur = next;
        next = x;
    }
    int m = alive && cur[2 * (n - 1)];
    free(t);
    free(cur);
    free(next);
    return m;
}

int rv_glob_selects(const char *pattern, const char *path) {
    while (pattern[0] == '.' && pattern[1] == '/') pattern += 2;
    while (pattern[0] == '/') pattern++;
    size_t n = strlen(pattern);
    while (n && pattern[n - 1] == '/') n--;
    if (!n) return 0;
    int anchored = memchr(pattern, '/', n) != NULL;
    Buf b = {0};
    if (!anchored) buf_puts(&b, "**/");
    buf_put(&b, pattern, n);
    int m = rv_glob_match(b.data, path);
    if (!m) {
        buf_puts(&b, "/**");
        m = rv_glob_match(b.data, path);
    }
    buf_free(&b);
    return m;
}

/* ---- module names -------------------------------------------------------------------- */

char *rv_module_name(const char *path, int (*has_init)(void *ctx, const char *dir), void *ctx) {
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".py") == 0) n -= 3;
    char *p = xstrndup(path, n);
    /* components: dirs[0..nd) and the stem */
    char *parts[256];
    int np = 0;
    for (char *s = p; np < 256;) {
        parts[np++] = s;
        char *slash = strchr(s, '/');
        if (!slash) break;
        *slash = 0;
        s = slash + 1;
    }
    int nd = np - 1, is_init = strcmp(parts[np - 1], "__init__") == 0;
    int first;
    if (nd >= 1 && strcmp(parts[0], "src") == 0 && !(nd == 1 && is_init)) {
        first = 1;
    } else {
        /* climb while the directory is a package */
        first = nd;
        Buf dir = {0};
        while (first > 0) {
            dir.len = 0;
            for (int i = 0; i < first; i++) {
                if (i) buf_putc(&dir, '/');
                buf_puts(&dir, parts[i]);
            }
            if (!has_init(ctx, dir.data)) break;
            first--;
        }
        buf_free(&dir);
    }
    int last = is_init && nd > first ? nd - 1 : np - 1; /* "pkg/__init__" names pkg */
    if (is_init && nd == 0) last = 0;
    Buf m = {0};
    for (int i = first; i <= last; i++) {
        if (i > first) buf_putc(&m, '.');
        buf_puts(&m, parts[i]);
    }
    if (!m.data) buf_puts(&m, parts[np - 1]);
    free(p);
    return m.data;
}

/* ---- skipping directories ------------------------------------------------------------ */

static const char *const SKIP_NAMES[] = {
    ".git", ".hg", ".svn", "__pycache__", "node_modules", "site-packages", "dist-packages", ".tox", ".nox",
    ".venv", ".eggs", ".mypy_cache", ".pytest_cache", ".ruff_cache", "LLM-CONTEXT",
};
static const char *const SKIP_TOP_NAMES[] = {"build", "dist"};
/* a directory holding one of these is a Python environment */
static const char *const ENV_MARKERS[] = {"pyvenv.cfg", "conda-meta", "bin/python", "bin/python3", "Scripts/python.exe"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Whether directory `rel` (relative to repo_fd; its last component is `name`) is skipped. */
static int skip_dir(int repo_fd, const char *rel, const char *name, int top) {
    for (size_t i = 0; i < COUNT(SKIP_NAMES); i++)
        if (strcmp(name, SKIP_NAMES[i]) == 0) return 1;
    if (top)
        for (size_t i = 0; i < COUNT(SKIP_TOP_NAMES); i++)
            if (strcmp(name, SKIP_TOP_NAMES[i]) == 0) return 1;
    size_t n = strlen(name);
    if (n > 9 && strcmp(name + n - 9, ".egg-info") == 0) return 1;
    char buf[4096];
    struct stat st;
    for (size_t i = 0; i < COUNT(ENV_MARKERS); i++) {
        snprintf(buf, sizeof buf, "%s/%s", rel, ENV_MARKERS[i]);
        if (fstatat(repo_fd, buf, &st, 0) == 0) return 1;
    }
    return 0;
}

static int ends_with_py(const char *s, size_t n) { return n > 3 && memcmp(s + n - 3, ".py", 3) == 0; }

/* ---- git ----------------------------------------------------------------------------- */

/* Runs git with `args` (NULL-terminated, after "git -C repo"); returns its stdout (malloc'd)
 * and length if it exited 0, else NULL (also when git is missing). */
static char *run_git(const char *repo, const char *const *args, size_t *len) {
    const char *argv[16] = {"git", "-C", repo};
    int n = 3;
    for (; *args && n < 15; args++) argv[n++] = *args;
    argv[n] = NULL;
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) return NULL;
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return NULL;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 2); }
        dup2(pfd[1], 1);
        execvp("git", (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    Buf out = {0};
    char chunk[65536];
    for (;;) {
        ssize_t r = read(pfd[0], chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        buf_put(&out, chunk, (size_t)r);
    }
    close(pfd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        buf_free(&out);
        return NULL;
    }
    if (!out.data) buf_puts(&out, "");
    *len = out.len;
    return out.data;
}

/* `git ls-files -z -co --exclude-standard` in repo, or NULL if repo is not in a work tree or
 * is itself ignored by the enclosing one (say a Python install inside a git checkout): then
 * the caller walks it. */
static char *git_ls_files(const char *repo, size_t *len) {
    static const char *const LS[] = {"ls-files", "-z", "-co", "--exclude-standard", NULL};
    static const char *const IGNORED[] = {"check-ignore", "-q", ".", NULL};
    char *out = run_git(repo, LS, len);
    if (out && *len == 0) {
        size_t n;
        char *ign = run_git(repo, IGNORED, &n);
        if (ign) { free(ign); free(out); return NULL; }
    }
    return out;
}

/* Keeps the .py files of git's list whose directories are not skipped and that exist. */
static void from_git(int repo_fd, const char *list, size_t len, Paths *out) {
    char lastdir[4096] = "";
    int lastskip = 0, have_last = 0;
    for (const char *s = list, *end = list + len; s < end;) {
        size_t n = strnlen(s, (size_t)(end - s));
        const char *path = s;
        s += n + 1;
        if (!ends_with_py(path, n)) continue;
        const char *slash = memrchr(path, '/', n);
        size_t dl = slash ? (size_t)(slash - path) : 0;
        if (dl >= sizeof lastdir) continue;
        if (!have_last || strlen(lastdir) != dl || memcmp(lastdir, path, dl) != 0) {
            memcpy(lastdir, path, dl);
            lastdir[dl] = 0;
            have_last = 1;
            lastskip = 0;
            /* every prefix directory, outermost first */
            char pre[4096];
            for (size_t i = 0; i <= dl && dl && !lastskip; i++) {
                if (i < dl && path[i] != '/') continue;
                memcpy(pre, path, i);
                pre[i] = 0;
                const char *name = memrchr(pre, '/', i);
                name = name ? name + 1 : pre;
                lastskip = skip_dir(repo_fd, pre, name, name == pre);
            }
        }
        if (lastskip) continue;
        char *p = xstrndup(path, n);
        struct stat st;
        /* -c lists tracked files that were deleted from the work tree */
        if (fstatat(repo_fd, p, &st, 0) != 0 || !S_ISREG(st.st_mode)) { free(p); continue; }
        vec_push(out, p);
    }
}

/* ---- walk ---------------------------------------------------------------------------- */

static void walk(int repo_fd, int dirfd, Buf *rel, int depth, Paths *out) {
    DIR *d = fdopendir(dirfd);
    if (!d) { close(dirfd); return; }
    struct dirent *e;
    size_t base = rel->len;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
        unsigned char type = e->d_type;
        struct stat st;
        if (type == DT_UNKNOWN) {
            if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
        rel->len = base;
        if (base) buf_putc(rel, '/');
        buf_puts(rel, name);
        if (type == DT_DIR) {
            if (depth >= MAX_WALK_DEPTH || skip_dir(repo_fd, rel->data, name, depth == 0)) continue;
            int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) walk(repo_fd, sub, rel, depth + 1, out);
        } else if ((type == DT_REG || type == DT_LNK) && ends_with_py(name, strlen(name))) {
            /* a symlinked file counts if it leads to a regular file; symlinked dirs are not followed */
            if (type == DT_LNK && (fstatat(dirfd, name, &st, 0) != 0 || !S_ISREG(st.st_mode))) continue;
            vec_push(out, xstrndup(rel->data, rel->len));
        }
    }
    rel->len = base;
    if (rel->data) rel->data[base] = 0;
    closedir(d);
}

/* ---- putting it together ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct InitIndex { char **paths; size_t n; } InitIndex;

static int has_init(void *ctx, const char *dir) {
    const InitIndex *ix = ctx;
    size_t dl = strlen(dir);
    char *want = xmalloc(dl + 13);
    memcpy(want, dir, dl);
    memcpy(want + dl, "/__init__.py", 13);
    void *hit = bsearch(&want, ix->paths, ix->n, sizeof *ix->paths, cmp_str);
    free(want);
    return hit != NULL;
}

static int selected(const RvConfig *cfg, const char *path) {
    if (!cfg) return 1;
    int in = cfg->include.len == 0;
    for (size_t i = 0; !in && i < cfg->include.len; i++) in = rv_glob_selects(cfg->include.items[i], path);
    for (size_t i = 0; in && i < cfg->exclude.len; i++)
        if (rv_glob_selects(cfg->exclude.items[i], path)) in = 0;
    return in;
}

int rv_find_sources(const char *repo, const RvConfig *cfg, RvSourceList *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    int repo_fd = open(repo, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (repo_fd < 0) {
        snprintf(err, errlen, "%s: %s", repo, strerror(errno));
        return -1;
    }
    Paths paths = {0};
    size_t len;
    char *list = git_ls_files(repo, &len);
    if (list) {
        out->from_git = 1;
        from_git(repo_fd, list, len, &paths);
        free(list);
    } else {
        int fd = dup(repo_fd);
        Buf rel = {0};
        if (fd >= 0) walk(repo_fd, fd, &rel, 0, &paths);
        buf_free(&rel);
    }
    if (paths.len) qsort(paths.items, paths.len, sizeof *paths.items, cmp_str);
    /* git -co can list a path twice (tracked and, after a merge conflict, again) */
    size_t w = 0;
    for (size_t i = 0; i < paths.len; i++) {
        if (w && strcmp(paths.items[w - 1], paths.items[i]) == 0) { free(paths.items[i]); continue; }
        paths.items[w++] = paths.items[i];
    }
    paths.len = w;
    InitIndex ix = {paths.items, paths.len};
    for (size_t i = 0; i < paths.len; i++) {
        if (!selected(cfg, paths.items[i])) continue;
        vec_grow(out, out->len + 1);
        out->items[out->len].path = xstrndup(paths.items[i], strlen(paths.items[i]));
        out->items[out->len++].module = rv_module_name(paths.items[i], has_init, &ix);
    }
    for (size_t i = 0; i < paths.len; i++) free(paths.items[i]);
    vec_free(&paths);
    close(repo_fd);
    return 0;
}

void rv_sources_free(RvSourceList *l) {
    if (!l) return;
    for (size_t i = 0; i < l->len; i++) {
        free(l->items[i].path);
        free(l->items[i].module);
    }
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}
