/* test_fileio.c - atomic writes replacing a large file (its old content is released by a
 * background thread) and a small one; nothing left behind but the file. */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/base/fileio.h"
#include "unit.h"

static int entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

TEST(file_write_atomic_replaces_large_files) {
    char dir[] = "/tmp/glintefy-unit-XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/out.json", dir);
    static const size_t sizes[4] = {3u << 20, 2u << 20, 100, 5u << 20};
    for (int k = 0; k < 4; k++) {
        size_t n = sizes[k];
        char *data = malloc(n), *back = NULL;
        for (size_t i = 0; i < n; i++) data[i] = (char)('a' + (i * 7 + (size_t)k) % 26);
        CHECK(file_write_atomic(path, data, n) == 0);
        size_t got = 0;
        CHECK(file_read_all(path, &back, &got) == 0 && got == n && memcmp(back, data, n) == 0);
        CHECK(entries(dir) == 1);
        free(back);
        free(data);
    }
    unlink(path);
    rmdir(dir);
}

/* The confined root: a symlinked component is refused by every operation, by name, and the
 * folder it points at stays empty; a FIFO is neither read (no hang) nor replaced. */
TEST(file_confine_refuses_symlinks_and_special_files) {
    char top[] = "/tmp/glintefy-unit-XXXXXX", p[256], q[300];
    CHECK(mkdtemp(top) != NULL);
    snprintf(p, sizeof p, "%s/repo", top);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof p, "%s/outside", top);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof p, "%s/repo/LLM-CONTEXT", top);
    CHECK(mkdir(p, 0700) == 0);
    snprintf(p, sizeof p, "%s/repo/LLM-CONTEXT/out", top);
    snprintf(q, sizeof q, "%s/outside", top);
    CHECK(symlink(q, p) == 0);
    snprintf(q, sizeof q, "%s/repo", top);
    file_confine(q, "LLM-CONTEXT");

    snprintf(p, sizeof p, "%s/repo/LLM-CONTEXT/out/sub", top);
    CHECK(file_mkdirs(p) == FILE_ESYMLINK);
    CHECK(strstr(file_strerror(FILE_ESYMLINK), "LLM-CONTEXT/out is a symlink") != NULL);
    snprintf(p, sizeof p, "%s/repo/LLM-CONTEXT/out/x.json", top);
    CHECK(file_write_atomic(p, "{}", 2) == FILE_ESYMLINK);
    char *data = NULL;
    size_t n = 0;
    CHECK(file_read_all(p, &data, &n) == FILE_ESYMLINK);
    CHECK(file_opendir(p) == NULL && errno == FILE_ESYMLINK);
    snprintf(p, sizeof p, "%s/outside", top);
    CHECK(entries(p) == 0);

    /* a FIFO in the root: reading returns at once, writing leaves it a FIFO */
    snprintf(p, sizeof p, "%s/repo/LLM-CONTEXT/fifo", top);
    CHECK(mkfifo(p, 0600) == 0);
    CHECK(file_read_all(p, &data, &n) == FILE_ENOTREG);
    CHECK(file_write_atomic(p, "x", 1) == FILE_ENOTREG);
    struct stat st;
    CHECK(lstat(p, &st) == 0 && S_ISFIFO(st.st_mode));
    unlink(p);

    /* a set: nothing in place before the commit, everything after, no temporary left */
    FileSet set;
    snprintf(p, sizeof p, "%s/repo/LLM-CONTEXT/set", top);
    CHECK(file_set_begin(&set, p) == 0);
    CHECK(file_set_put(&set, "a", "1", 1) == 0 && file_set_put(&set, "b", "2", 1) == 0);
    CHECK(entries(p) == 0);
    CHECK(file_set_commit(&set) == 0);
    file_set_free(&set);
    CHECK(entries(p) == 2);
    CHECK(file_set_begin(&set, p) == 0);
    CHECK(file_set_put(&set, "a", "changed", 7) == 0);
    file_set_free(&set); /* not committed: a stays as it was */
    snprintf(q, sizeof q, "%s/a", p);
    CHECK(file_read_all(q, &data, &n) == 0 && n == 1 && data[0] == '1');
    free(data);
    CHECK(entries(p) == 2);

    file_confine("/nonexistent-glintefy-root", "LLM-CONTEXT"); /* leave no root for later tests */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    CHECK(system(cmd) == 0);
}
