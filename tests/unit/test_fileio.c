/* test_fileio.c - atomic writes replacing a large file (its old content is released by a
 * background thread) and a small one; nothing left behind but the file. */
#include <dirent.h>
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
