/* test_review.c - the review's building blocks: TOML reader, globs, module names, settings
 * bounds, atomic JSON writes. (The CLI behaviour is tested in tests/review/.) */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../../src/base/buf.h"
#include "../../src/review/config.h"
#include "../../src/review/files.h"
#include "../../src/review/sources.h"
#include "../../src/review/toml.h"
#include "unit.h"

static const TomlValue *parse_ok(Arena *a, const char *text) {
    TomlError e;
    const TomlValue *v = toml_parse(a, text, strlen(text), &e);
    if (!v) printf("  toml error %d:%d: %s\n", e.line, e.col, e.msg);
    return v;
}

TEST(toml_values) {
    Arena a;
    arena_init(&a);
    const TomlValue *r = parse_ok(&a,
        "# pyproject\n[project]\nname = \"x\"\n"
        "[tool.glintefy.review.cache]\ncache_size = 1_024\nmin_cumtime = 0.25\n"
        "include = [ 'src/**', # comment\n  \"a\\tb\", ]\nflag = true\nwhen = 1979-05-27 07:32:00Z\n"
        "s = \"\"\"\nline \\\n   joined\"\"\"\nhex = 0xff\ninl = { a.b = 1 }\n[[arr]]\nx = 1\n[[arr]]\nx = 2\n");
    CHECK(r != NULL);
    const TomlValue *t = toml_get_path(r, "tool.glintefy.review.cache");
    CHECK(t && t->kind == TOML_TABLE && t->line == 4);
    const TomlValue *v = toml_get(t, "cache_size");
    CHECK(v && v->kind == TOML_INT && v->v.i == 1024 && v->line == 5 && v->col == 14);
    v = toml_get(t, "min_cumtime");
    CHECK(v && v->kind == TOML_FLOAT && v->v.f == 0.25);
    v = toml_get(t, "include");
    CHECK(v && v->kind == TOML_ARRAY && v->v.arr.len == 2 && strcmp(v->v.arr.items[1]->v.str.s, "a\tb") == 0);
    CHECK(toml_get(t, "flag")->v.b == 1 && toml_get(t, "when")->kind == TOML_DATETIME);
    CHECK(strcmp(toml_get(t, "s")->v.str.s, "line joined") == 0);
    CHECK(toml_get(t, "hex")->v.i == 255);
    CHECK(toml_get_path(r, "tool.glintefy.review.cache.inl.a.b")->v.i == 1);
    CHECK(toml_get(r, "arr")->v.arr.len == 2);
    CHECK(toml_get_path(r, "tool.nothing") == NULL);
    arena_free(&a);
}

/* Parses data[0..n) from a heap block of exactly n bytes: ASan sees a read past the end. */
static void parse_exact(const char *data, size_t n) {
    char *copy = malloc(n ? n : 1);
    if (n) memcpy(copy, data, n);
    Arena a;
    arena_init(&a);
    TomlError e;
    const TomlValue *v = toml_parse(&a, copy, n, &e);
    CHECK(v != NULL || (e.line >= 1 && e.col >= 1 && e.msg[0]));
    arena_free(&a);
    free(copy);
}

TEST(toml_reads_nothing_past_the_end) {
    static const char *const docs[] = {
        "d = 1979-05-27", "t = 07:32:00", "t = 07:32:00.999", "dt = 1979-05-27T07:32:00", "dt = 1979-05-27 07:32",
        "x = 1", "x = 1.5", "s = \"abc", "s = '''abc", "a = [1, 2", "[t", "k", "b = tru", "i = 0x", "f = 1e",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) parse_exact(docs[i], strlen(docs[i]));
}

/* tests/review/fuzz-regressions: what the fuzzer found (the unit tests run from the repository) */
TEST(toml_fuzz_regressions) {
    DIR *d = opendir("tests/review/fuzz-regressions");
    CHECK(d != NULL);
    if (!d) return;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0) continue;
        char path[512];
        snprintf(path, sizeof path, "tests/review/fuzz-regressions/%s", e->d_name);
        FILE *fp = fopen(path, "rb");
        CHECK(fp != NULL);
        if (!fp) continue;
        static char buf[1 << 16];
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        parse_exact(buf, len);
        n++;
    }
    closedir(d);
    CHECK(n > 0);
}

TEST(toml_errors) {
    static const struct { const char *text; int line, col; const char *msg; } cases[] = {
        {"a = 1\na = 2\n", 2, 1, "duplicate key 'a' (first defined on line 1)"},
        {"[t]\n[t]\n", 2, 1, "table 't' is already defined (line 1)"},
        {"a = 01\n", 1, 5, "leading zeros are not allowed in '01'"},
        {"a = 1__0\n", 1, 6, "'_' must stand between digits"},
        {"a = [1, 2\n", 1, 5, "unterminated array"},
        {"a = \"\\q\"\n", 1, 6, "invalid escape sequence '\\q'"},
        {"a = 1 b = 2\n", 1, 7, "expected a newline or end of file after a value"},
        {"a = { b = 1 }\na.c = 2\n", 2, 1, "cannot add to 'a': it is already defined (line 1)"},
        {"= 1\n", 1, 1, "expected a key"},
        {"a = 1979-02-30\n", 1, 5, "invalid date or time '1979-02-30'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Arena a;
        arena_init(&a);
        TomlError e;
        const TomlValue *r = toml_parse(&a, cases[i].text, strlen(cases[i].text), &e);
        CHECK(r == NULL);
        if (!r && (e.line != cases[i].line || e.col != cases[i].col || strcmp(e.msg, cases[i].msg) != 0)) {
            printf("  case %zu: got %d:%d: %s\n", i, e.line, e.col, e.msg);
            CHECK(!"toml error position or message");
        }
        arena_free(&a);
    }
}

TEST(review_globs) {
    CHECK(rv_glob_match("src/**/*.py", "src/a.py"));
    CHECK(rv_glob_match("src/**/*.py", "src/x/y/a.py"));
    CHECK(!rv_glob_match("src/*.py", "src/x/a.py"));
    CHECK(rv_glob_match("**", "a/b/c"));
    CHECK(rv_glob_match("a?c/[!x]*.py", "abc/y.py"));
    CHECK(!rv_glob_match("a?c/[!x]*.py", "abc/x.py"));
    CHECK(!rv_glob_match("a?c", "a/c"));
    CHECK(rv_glob_match("a**b", "axxb") && !rv_glob_match("a**b", "a/b"));
    CHECK(rv_glob_selects("test_*.py", "pkg/tests/test_a.py"));
    CHECK(rv_glob_selects("tests", "tests/unit/a.py"));
    CHECK(rv_glob_selects("tests/", "pkg/tests/a.py"));
    CHECK(!rv_glob_selects("pkg/gen", "other/pkg/gen/a.py"));
    CHECK(rv_glob_selects("./pkg/gen", "pkg/gen/a.py"));
    CHECK(!rv_glob_selects("", "a.py"));
    CHECK(rv_glob_match("**/**/x.py", "x.py") && rv_glob_match("**/**/x.py", "a/b/c/x.py"));
    CHECK(rv_glob_match("a/**/b/**/c", "a/b/c") && !rv_glob_match("a/**/b/**/c", "a/c"));
    CHECK(rv_glob_match("[a-c]*[!/]", "bzz") && !rv_glob_match("[", "a") && rv_glob_match("[", "["));
}

static double unit_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Patterns that took a backtracking matcher 31 s, over 300 s and 88 s: each must take well under
 * a second now (the bound is generous for ASan on a loaded machine). */
TEST(review_globs_linear_time) {
    char name[130], deep[200];
    memset(name, 'a', 120);
    name[120] = 0;
    size_t n = 0;
    for (int i = 0; i < 60; i++) { deep[n++] = 'd'; deep[n++] = '/'; }
    memcpy(deep + n, "x.py", 5);
    double t0 = unit_now();
    CHECK(!rv_glob_match("*a*a*a*a*a*b", name));
    CHECK(!rv_glob_match("*a*a*a*a*a*a*a*a*a*a*a*b", name));
    CHECK(!rv_glob_selects("**/**/**/**/**/**/**/**/y.py", deep));
    CHECK(rv_glob_selects("**/**/**/**/**/**/**/**/x.py", deep));
    CHECK(!rv_glob_match("**/*a*a*a*a*a*/**/b", deep));
    double dt = unit_now() - t0;
    if (dt > 1.0) printf("  globs took %.2f s\n", dt);
    CHECK(dt < 1.0);
}

/* 80,000 keys in one table, then a duplicate of the first: a quadratic check took 11 s. */
TEST(toml_many_keys_linear_time) {
    enum { NKEYS = 80000 };
    Buf b = {0};
    buf_puts(&b, "[t]\n");
    for (int i = 0; i < NKEYS; i++) buf_printf(&b, "k%d = %d\n", i, i);
    buf_puts(&b, "k0 = 1\n");
    Arena a;
    arena_init(&a);
    TomlError e;
    double t0 = unit_now();
    const TomlValue *r = toml_parse(&a, b.data, b.len, &e);
    double dt = unit_now() - t0;
    CHECK(r == NULL && e.line == NKEYS + 2 && strcmp(e.msg, "duplicate key 'k0' (first defined on line 2)") == 0);
    if (dt > 2.0) printf("  80,000 keys took %.2f s\n", dt);
    CHECK(dt < 2.0);
    arena_reset(&a);
    r = toml_parse(&a, b.data, b.len - 7, &e);
    CHECK(r && toml_get(toml_get(r, "t"), "k79999")->v.i == 79999 && toml_get(r, "t")->v.tab.len == NKEYS);
    CHECK(toml_get(toml_get(r, "t"), "k80000") == NULL);
    arena_free(&a);
    buf_free(&b);
}

static int init_in(void *ctx, const char *dir) {
    for (const char *const *p = ctx; *p; p++)
        if (strcmp(*p, dir) == 0) return 1;
    return 0;
}

TEST(review_module_names) {
    const char *pkgs[] = {"pkg", "pkg/sub", "src/app", "lib/inner", NULL};
    static const char *const cases[][2] = {
        {"top.py", "top"},
        {"pkg/__init__.py", "pkg"},
        {"pkg/sub/m.py", "pkg.sub.m"},
        {"pkg/sub/__init__.py", "pkg.sub"},
        {"pkg/data/x.py", "x"},
        {"lib/inner/y.py", "inner.y"},
        {"src/app/core.py", "app.core"},
        {"src/ns/deep/z.py", "ns.deep.z"},
        {"src/top.py", "top"},
        {"__init__.py", "__init__"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = rv_module_name(cases[i][0], init_in, (void *)pkgs);
        if (strcmp(m, cases[i][1]) != 0) {
            printf("  %s -> %s, expected %s\n", cases[i][0], m, cases[i][1]);
            CHECK(!"module name");
        }
        free(m);
    }
}

TEST(review_config_table) {
    RvConfig c;
    rv_config_defaults(&c);
    CHECK(c.cache_size == 128 && c.hit_rate_threshold == 20 && c.remove_threshold == 10);
    CHECK(c.size_adjustment_threshold == 50 && c.min_suggested_maxsize == 16 && c.speedup_threshold == 5);
    CHECK(c.min_calls == 100 && c.min_cumtime == 0.1 && c.max_profile_age_hours == 24);
    CHECK(c.num_runs == 3 && c.test_timeout == 300 && c.include.len == 0 && c.exclude.len == 0);
    char name[96];
    rv_config_env_name(RV_CFG_max_profile_age_hours, name, sizeof name);
    CHECK(strcmp(name, "GLINTEFY_REVIEW_CACHE_MAX_PROFILE_AGE_HOURS") == 0);
    RvConfigFlags f = {0};
    char *argv[] = {"--include=a/**", "--include", "b", "--cache-size", "0", "--other"};
    char err[256];
    int i = 0;
    CHECK(rv_config_flag(&f, 6, argv, &i, err, sizeof err) == 1 && i == 0);
    i = 1;
    CHECK(rv_config_flag(&f, 6, argv, &i, err, sizeof err) == 1 && i == 2);
    i = 3;
    CHECK(rv_config_flag(&f, 6, argv, &i, err, sizeof err) == -1);
    CHECK(strcmp(err, "--cache-size: 0 is out of range (at least 1)") == 0);
    i = 5;
    CHECK(rv_config_flag(&f, 6, argv, &i, err, sizeof err) == 0);
    rv_config_flags_free(&f);
    rv_config_free(&c);
}

TEST(review_write_json_atomically) {
    char dir[] = "/tmp/glintefy-unit-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/a/b/out.json", dir);
    json_t *o = json_pack("{s:s, s:i}", "file", "x.py", "line", 3);
    CHECK(rv_write_json(path, o) == 0);
    CHECK(rv_write_json(path, o) == 0); /* replaces */
    json_decref(o);
    char *data;
    size_t n;
    CHECK(rv_read_file(AT_FDCWD, path, &data, &n) == 0);
    CHECK(n > 0 && strcmp(data, "{\n  \"file\": \"x.py\",\n  \"line\": 3\n}\n") == 0);
    free(data);
    /* nothing else in the directory: no temporary left behind */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    DIR *d = opendir(sub);
    int entries = 0;
    for (struct dirent *e; d && (e = readdir(d));) entries += e->d_name[0] != '.';
    if (d) closedir(d);
    CHECK(entries == 1);
    /* a file where a directory should be */
    snprintf(path, sizeof path, "%s/a/b/out.json/x.json", dir);
    CHECK(rv_write_atomic(path, "x", 1) != 0);
    char *root = rv_output_path("repo", "cache");
    CHECK(strcmp(root, "repo/LLM-CONTEXT/glintefy/review/cache") == 0);
    free(root);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    CHECK(system(path) == 0);
}
