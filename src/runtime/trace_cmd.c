/* trace_cmd.c - `glintefy debug trace FILE`: reads a .gtr trace with tr_load and prints it as
 * JSON (functions by fid, calls in seq order, key_hash and result_fp as signed 64-bit values as
 * Python's hash() gives them, flags by name). */
#include "trace_cmd.h"
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../cli.h"
#include "../review/files.h"
#include "trace.h"

const char TR_DEBUG_TRACE_HELP[] =
    "Usage: glintefy debug trace FILE\n"
    "\n"
    "Prints a .gtr argument-key trace (docs/trace-format.md), as `glintefy review profile`\n"
    "writes into perf/traces/, as JSON: pid, overhead_ns, truncated, functions (fid, file,\n"
    "line, qualname, kind) and calls sorted by seq (fid, seq, parent_seq, key_hash,\n"
    "duration_ns, result_fp, flags); for version 2 also cache_clears (fid, seq, origin,\n"
    "nodeid) and tests (phase, seq, nodeid). Exit status 1 when the file is unreadable or invalid\n"
    "(FILE: offset N: what is wrong).\n";

static json_int_t as_signed(uint64_t v) {
    return v <= (uint64_t)INT64_MAX ? (json_int_t)v : (json_int_t)(v - (uint64_t)INT64_MAX - 1) + INT64_MIN;
}

int tr_cmd_debug_trace(int argc, char **argv) {
    const char *hint = "glintefy help debug trace";
    if (argc == 1 && cli_is_help(argv[0])) {
        fputs(TR_DEBUG_TRACE_HELP, stdout);
        return 0;
    }
    if (argc != 1 || (argv[0][0] == '-' && argv[0][1])) return cli_usage_error(hint, "debug trace takes one FILE");
    char *data;
    size_t n;
    int e = rv_read_file(AT_FDCWD, argv[0], &data, &n);
    if (e) {
        fprintf(stderr, "glintefy: %s: %s\n", argv[0], file_strerror(e));
        return EXIT_REJECTED;
    }
    TrFile t;
    char err[300];
    int r = tr_load((const unsigned char *)data, n, &t, err, sizeof err);
    free(data);
    if (r) {
        fprintf(stderr, "glintefy: %s: %s\n", argv[0], err);
        return EXIT_REJECTED;
    }
    json_t *root = json_object(), *funcs = json_array(), *calls = json_array();
    json_object_set_new(root, "pid", json_integer(t.pid));
    json_object_set_new(root, "overhead_ns", json_integer(t.overhead_ns));
    json_object_set_new(root, "truncated", json_integer((json_int_t)t.truncated));
    json_object_set_new(root, "version", json_integer(t.version));
    static const char *const STATE[] = {"complete", "settled", "cut_short", "stopped"};
    for (size_t i = 0; i < t.nfuncs; i++) {
        const TrFunc *f = &t.funcs[i];
        json_array_append_new(funcs, json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:s, s:I, s:b}", "fid", (json_int_t)i,
                                               "file", f->file, "line", (json_int_t)f->line, "qualname", f->qualname,
                                               "kind", f->kind == TR_CACHE ? "cache" : "candidate", "calls",
                                               as_signed(f->calls), "recorded", as_signed(f->recorded), "state",
                                               STATE[f->state & 3], "key_ns", as_signed(f->key_ns), "summary",
                                               f->has_summary));
    }
    for (size_t i = 0; i < t.ncalls; i++) {
        const TrCall *c = &t.calls[i];
        json_t *flags = json_array();
        if (c->flags & TR_RAISED) json_array_append_new(flags, json_string("raised"));
        if (c->flags & TR_UNHASHABLE) json_array_append_new(flags, json_string("unhashable"));
        if (c->flags & TR_MUTABLE_RESULT) json_array_append_new(flags, json_string("mutable_result"));
        json_array_append_new(calls, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "fid", (json_int_t)c->fid, "seq",
                                               as_signed(c->seq), "parent_seq", as_signed(c->parent_seq), "key_hash",
                                               as_signed(c->key_hash), "duration_ns", as_signed(c->duration_ns),
                                               "result_fp", as_signed(c->result_fp), "flags", flags));
    }
    json_object_set_new(root, "functions", funcs);
    json_object_set_new(root, "calls", calls);
    if (t.version >= 2) { /* v1 output stays as it was */
        static const char *const origin[TR_CLEAR_ORIGINS] = {"code", "test", "fixture", "unknown"};
        json_t *clears = json_array(), *tests = json_array();
        for (size_t i = 0; i < t.nclears; i++)
            json_array_append_new(clears, json_pack("{s:I, s:I, s:s, s:s}", "fid", (json_int_t)t.clears[i].fid, "seq",
                                                    as_signed(t.clears[i].seq), "origin", origin[t.clears[i].origin],
                                                    "nodeid", t.clears[i].nodeid));
        for (size_t i = 0; i < t.nbounds; i++)
            json_array_append_new(tests, json_pack("{s:s, s:I, s:s}", "phase", t.bounds[i].phase ? "end" : "start", "seq",
                                                   as_signed(t.bounds[i].seq), "nodeid", t.bounds[i].nodeid));
        json_object_set_new(root, "version", json_integer(t.version));
        json_object_set_new(root, "cache_clears", clears);
        json_object_set_new(root, "tests", tests);
    }
    json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(root);
    tr_free(&t);
    return 0;
}
