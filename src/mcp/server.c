/* server.c - `glintefy mcp`: the JSON-RPC 2.0 loop of a Model Context Protocol server over stdio
 * (one message a line; stdout carries only protocol messages, logs go to stderr), its lifecycle
 * (initialize, ping, end of input), logging, and the child processes that run the tools.
 *
 * Why children: a tool runs this same binary (/proc/self/exe) with the CLI's arguments, so MCP
 * and CLI share one code path, the commands' own printing can never reach the protocol stream,
 * a crash in a tool cannot take the server down, and cancellation and time limits are a kill of
 * the child's process group. One poll() loop reads stdin and every child's pipes, so the server
 * keeps answering (ping, cancellation) while tools run. */
#include "mcp.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../cli.h"
#include "../runtime/run.h"
#include "../version.h"
#include "tools.h"
#include <ftw.h>

#define LATEST_PROTOCOL "2025-11-25"
static const char *const PROTOCOLS[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL};

enum {
    MAX_MESSAGE = 4 << 20,     /* bytes of one incoming line */
    MAX_CAPTURE = 8 << 20,     /* bytes kept of a child's stdout or stderr */
    MAX_JOBS = 8,              /* tools running at once */
    RPC_PARSE = -32700, RPC_INVALID = -32600, RPC_NO_METHOD = -32601, RPC_PARAMS = -32602, RPC_INTERNAL = -32603,
};
/* seconds between SIGTERM and SIGKILL: more than review profile's own grace for the command
 * (RT_KILL_GRACE), so that it can end the command's processes and clean up itself */
static const double KILL_GRACE = RT_KILL_GRACE + 4.0;
static const double PROGRESS_EVERY = 1.0; /* seconds between progress notifications */

const char MCP_HELP[] =
    "Usage: glintefy mcp [--repo DIR]\n"
    "\n"
    "Serves the Model Context Protocol (revision " LATEST_PROTOCOL "; also 2025-06-18, 2025-03-26,\n"
    "2024-11-05) as JSON-RPC 2.0 on stdin/stdout, one message a line; logs go to stderr.\n"
    "AI assistants start it as a child process. Tools: review_cache, review_profile (runs a\n"
    "command), review_clean (deletes review output), profile_hotspots. Every path stays\n"
    "inside DIR (default: the current directory). See docs/mcp.md.\n";

/* ---- the server's state -------------------------------------------------------------- */

/* A running tool: its child, the request it answers, and what it has printed so far.
 * Invariant: out_fd/err_fd are -1 once closed; the job ends when the child has been reaped. */
typedef struct Job {
    pid_t pid;
    json_t *id, *token, *args; /* owned references; token may be NULL */
    const McpTool *tool;
    int out_fd, err_fd;
    Buf out, err;
    int out_truncated;
    size_t err_relayed; /* bytes of err already sent as log lines */
    double start, limit, next_progress, last_progress, kill_at;
    int cancelled, timed_out, signalled;
    int id_big; /* id is an integer beyond int64, held as its digits */
    char *tmpdir; /* the tool's own TMPDIR for glintefy (GLINTEFY_TMPDIR), removed when it ends */
    char last_line[200]; /* last stderr line, for progress messages */
} Job;

static struct {
    int level;           /* minimum level of notifications/message */
    int modern;          /* negotiated protocol 2025-06-18 or later */
    int stdout_broken;   /* the client is gone */
    int dry;             /* fuzzing: a tools/call is checked and built but starts nothing */
    Array(Job *) jobs;
} S;

static volatile sig_atomic_t stop_signal;

/* Integers beyond int64 (jansson's limit) in the message being handled: each was read as a string
 * holding its digits. An id among them is answered as the number it was, digit for digit. */
static struct {
    Array(char *) texts;
    int reply_raw; /* the id being answered is such an integer */
} Big;

static int big_has(const json_t *v) {
    if (!json_is_string(v)) return 0;
    for (size_t i = 0; i < Big.texts.len; i++)
        if (strcmp(Big.texts.items[i], json_string_value(v)) == 0) return 1;
    return 0;
}

static const char *const LEVELS[] = {"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency", NULL};
enum { L_DEBUG, L_INFO, L_NOTICE, L_WARNING, L_ERROR };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- output: one JSON message a line -------------------------------------------------- */

/* Writes m (reference stolen) as one line on stdout. */
static void send_msg(json_t *m) {
    char *text = json_dumps(m, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(m);
    if (!text || S.stdout_broken) {
        free(text);
        return;
    }
    size_t n = strlen(text);
    static const char RAW_ID[] = "{\"jsonrpc\":\"2.0\",\"id\":\"";
    if (Big.reply_raw && strncmp(text, RAW_ID, sizeof RAW_ID - 1) == 0) {
        /* "id":"123…" becomes "id":123…: the digits need no escapes */
        char *d = text + sizeof RAW_ID - 1, *q = strchr(d, '"');
        if (q && q > d && strspn(d, "-0123456789") == (size_t)(q - d)) {
            memmove(d - 1, d, (size_t)(q - d));
            memmove(q - 1, q + 1, strlen(q + 1) + 1);
            n -= 2;
        }
    }
    text[n] = '\n'; /* json_dumps leaves room: replace the NUL, write n + 1 bytes */
    for (size_t done = 0; done < n + 1;) {
        ssize_t w = write(STDOUT_FILENO, text + done, n + 1 - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            S.stdout_broken = 1;
            fprintf(stderr, "glintefy mcp: stdout: %s; stopping\n", strerror(errno));
            break;
        }
        done += (size_t)w;
    }
    free(text);
}

static void send_result(json_t *id, json_t *result) {
    send_msg(json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "result", result));
}

static void send_error(json_t *id, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void send_error(json_t *id, int code, const char *fmt, ...) {
    Buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    send_msg(json_pack("{s:s, s:O, s:{s:i, s:o}}", "jsonrpc", "2.0", "id", id ? id : json_null(), "error", "code",
                       code, "message", mcp_json_text(b.data ? b.data : "", b.len)));
    buf_free(&b);
}

static void send_notification(const char *method, json_t *params) {
    send_msg(json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params", params));
}

/* Logs at `level`: always on stderr from info up, and to the client from its chosen level. */
static void mcp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mcp_log(int level, const char *fmt, ...) {
    Buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (level >= L_INFO && !S.dry) fprintf(stderr, "glintefy mcp: %s\n", b.data ? b.data : "");
    if (level >= S.level)
        send_notification("notifications/message", json_pack("{s:s, s:s, s:o}", "level", LEVELS[level], "logger",
                                                             "glintefy", "data", mcp_json_text(b.data ? b.data : "", b.len)));
    buf_free(&b);
}

/* ---- child processes ----------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)ftw;
    if (flag == FTW_DP) rmdir(path);
    else unlink(path);
    return 0;
}

/* Removes dir and everything under it, never following a symlink or leaving the file system:
 * what a killed tool left in its temporary directory (a glintefy-profile-* of review profile). */
static void remove_dir(const char *dir) {
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void job_free(Job *j) {
    if (j->out_fd >= 0) close(j->out_fd);
    if (j->err_fd >= 0) close(j->err_fd);
    json_decref(j->id);
    json_decref(j->token);
    json_decref(j->args);
    buf_free(&j->out);
    buf_free(&j->err);
    if (j->tmpdir) {
        remove_dir(j->tmpdir);
        free(j->tmpdir);
    }
    free(j);
}

/* Starts argv (after the program name) as a child of this binary in its own process group,
 * stdin from /dev/null, stdout and stderr into pipes, in the repository. */
static Job *job_spawn(McpCall *call, const char *repo, char *err, size_t errlen) {
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0) goto fail;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]), close(po[1]);
        goto fail;
    }
    char **av = xcalloc(call->argv.len + 2, sizeof *av); /* "glintefy", the arguments, NULL */
    av[0] = "glintefy";
    memcpy(av + 1, call->argv.items, call->argv.len * sizeof *av);
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    Buf td = {0};
    buf_printf(&td, "%s/glintefy-mcp-XXXXXX", tmp);
    char *tmpdir = mkdtemp(td.data) ? td.data : (buf_free(&td), NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
        free(av);
        if (tmpdir) rmdir(tmpdir);
        free(tmpdir);
        errno = e;
        goto fail;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* the server gone (even by SIGKILL): so is the tool */
        if (getppid() != parent) _exit(127);
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0) _exit(127);
        /* the file the tool reads, opened by the server inside the repository (tools.c) */
        if (call->passing && (call->pass_fd == MCP_PASSED_FD ? fcntl(MCP_PASSED_FD, F_SETFD, 0)
                                                             : dup2(call->pass_fd, MCP_PASSED_FD)) < 0)
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (chdir(repo) != 0) {
            dprintf(2, "glintefy mcp: %s: %s\n", repo, strerror(errno));
            _exit(127);
        }
        /* GLINTEFY_MCP_EXE replaces the binary the tools run, for tests of the protocol
         * machinery (slow tools, cancellation) with a stand-in. */
        if (tmpdir) setenv("GLINTEFY_TMPDIR", tmpdir, 1);
        const char *exe = getenv("GLINTEFY_MCP_EXE");
        if (!exe || !*exe) exe = "/proc/self/exe";
        execv(exe, av);
        dprintf(2, "glintefy mcp: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    free(av);
    setpgid(pid, pid); /* also here, so a kill of the group cannot race the child's own call */
    close(po[1]);
    close(pe[1]);
    fcntl(po[0], F_SETFL, O_NONBLOCK);
    fcntl(pe[0], F_SETFL, O_NONBLOCK);
    Job *j = xcalloc(1, sizeof *j);
    j->pid = pid;
    j->tmpdir = tmpdir;
    j->out_fd = po[0];
    j->err_fd = pe[0];
    j->start = now();
    j->limit = call->limit;
    j->next_progress = j->start + PROGRESS_EVERY;
    j->last_progress = -1;
    return j;
fail:
    snprintf(err, errlen, "cannot start the tool: %s", strerror(errno));
    return NULL;
}

static void job_kill(Job *j, int sig) {
    if (kill(-j->pid, sig) != 0) kill(j->pid, sig);
}

/* Starts stopping a job: SIGTERM now, SIGKILL after the grace period. */
static void job_stop(Job *j) {
    if (j->signalled) return;
    j->signalled = 1;
    j->kill_at = now() + KILL_GRACE;
    job_kill(j, SIGTERM);
}

/* Reads what fd has; closes it at end of file. */
static void job_read(Job *j, int *fd, Buf *b, int *truncated) {
    char chunk[65536];
    for (;;) {
        ssize_t n = read(*fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return; /* EAGAIN: nothing more for now */
        if (n == 0) {
            close(*fd);
            *fd = -1;
            return;
        }
        size_t room = b->len < MAX_CAPTURE ? MAX_CAPTURE - b->len : 0;
        if ((size_t)n > room) {
            if (truncated) *truncated = 1;
            n = (ssize_t)room;
        }
        buf_put(b, chunk, (size_t)n);
        (void)j;
    }
}

/* Sends the child's new complete stderr lines as log messages (level info) and keeps the last
 * for progress messages. */
static void job_relay(Job *j, int all) {
    while (j->err_relayed < j->err.len) {
        const char *p = j->err.data + j->err_relayed;
        const char *nl = memchr(p, '\n', j->err.len - j->err_relayed);
        if (!nl && !all) break;
        size_t n = nl ? (size_t)(nl - p) : j->err.len - j->err_relayed;
        if (n) {
            snprintf(j->last_line, sizeof j->last_line, "%.*s", (int)(n < 190 ? n : 190), p);
            mcp_log(L_INFO, "%s: %.*s", j->tool->name, (int)(n < 4000 ? n : 4000), p);
        }
        j->err_relayed += n + (nl ? 1 : 0);
    }
}

static void send_progress(Job *j, const char *message) {
    if (!j->token) return;
    double t = now() - j->start;
    t = floor(t * 10) / 10;
    if (t <= j->last_progress) t = j->last_progress + 0.1; /* progress must grow every time */
    j->last_progress = t;
    json_t *p = json_pack("{s:O, s:f, s:s}", "progressToken", j->token, "progress", t, "message", message);
    if (j->limit > 0) json_object_set_new(p, "total", json_real(j->limit));
    send_notification("notifications/progress", p);
}

/* The child has been reaped with wait status ws: answers the request (unless cancelled). */
static void job_finish(Job *j, int ws) {
    if (j->out_fd >= 0) job_read(j, &j->out_fd, &j->out, &j->out_truncated);
    if (j->err_fd >= 0) job_read(j, &j->err_fd, &j->err, NULL);
    job_relay(j, 1);
    McpRun run = {
        .status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws),
        .timed_out = j->timed_out,
        .out = j->out.data ? j->out.data : "",
        .out_len = j->out.len,
        .err = j->err.data ? j->err.data : "",
        .err_len = j->err.len,
        .out_truncated = j->out_truncated,
        .seconds = now() - j->start,
        .limit = j->limit,
    };
    if (j->cancelled) {
        mcp_log(L_DEBUG, "%s: cancelled; stopped after %.1f s", j->tool->name, run.seconds);
        return;
    }
    send_progress(j, "finished");
    mcp_log(L_DEBUG, "%s: finished in %.2f s, exit status %d", j->tool->name, run.seconds, run.status);
    json_t *res = j->tool->result(j->args, &run);
    Big.reply_raw = j->id_big;
    send_result(j->id, res);
    Big.reply_raw = 0;
}

/* Kills every process descended from the server but the running jobs and theirs: orphans of
 * ended tools, adopted by the server as subreaper. */
static void kill_strays(void) {
    pid_t keep[MAX_JOBS];
    size_t n = 0;
    for (size_t i = 0; i < S.jobs.len && n < MAX_JOBS; i++) keep[n++] = S.jobs.items[i]->pid;
    rt_kill_descendants_except(keep, n);
}

/* Checks every job: reaps finished children, enforces time limits, sends progress. */
static void jobs_tick(void) {
    double t = now();
    for (size_t i = 0; i < S.jobs.len;) {
        Job *j = S.jobs.items[i];
        int ws;
        pid_t r = waitpid(j->pid, &ws, WNOHANG);
        if (r == j->pid) {
            /* Kill what the tool left in its group (a command's background children), and the
             * processes that left the group (setsid) and were orphaned to us, the subreaper. */
            kill(-j->pid, SIGKILL);
            S.jobs.items[i] = S.jobs.items[--S.jobs.len];
            kill_strays();
            job_finish(j, ws);
            job_free(j);
            continue;
        }
        job_relay(j, 0);
        if (!j->signalled && j->limit > 0 && t - j->start >= j->limit) {
            j->timed_out = 1;
            mcp_log(L_WARNING, "%s: time limit of %g s reached; stopping it", j->tool->name, j->limit);
            job_stop(j);
        } else if (j->signalled && t >= j->kill_at) {
            job_kill(j, SIGKILL);
            j->kill_at = t + 3600;
        }
        if (t >= j->next_progress && !j->cancelled) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s: running for %.0f s%s%s", j->tool->name, t - j->start,
                     j->last_line[0] ? ": " : "", j->last_line);
            send_progress(j, msg);
            j->next_progress = t + PROGRESS_EVERY;
        }
        i++;
    }
}

/* ---- requests --------------------------------------------------------------------------- */

static int level_index(const char *s) {
    for (int i = 0; LEVELS[i]; i++)
        if (strcmp(LEVELS[i], s) == 0) return i;
    return -1;
}

static void do_initialize(json_t *id, json_t *params) {
    json_t *v = json_object_get(params, "protocolVersion");
    if (!json_is_string(v)) {
        send_error(id, RPC_PARAMS, "initialize: params.protocolVersion must be a string");
        return;
    }
    const char *version = LATEST_PROTOCOL;
    for (int i = 0; PROTOCOLS[i]; i++)
        if (strcmp(PROTOCOLS[i], json_string_value(v)) == 0) version = PROTOCOLS[i];
    S.modern = strcmp(version, "2025-06-18") >= 0;
    json_t *ci = json_object_get(params, "clientInfo");
    if (!S.dry) fprintf(stderr, "glintefy mcp: initialize: client %s %s asks for %s; using %s\n",
            json_string_value(json_object_get(ci, "name")) ? json_string_value(json_object_get(ci, "name")) : "?",
            json_string_value(json_object_get(ci, "version")) ? json_string_value(json_object_get(ci, "version")) : "",
            json_string_value(v), version);
    json_t *info = json_pack("{s:s, s:s}", "name", "glintefy", "version", GLINTEFY_VERSION);
    if (S.modern) json_object_set_new(info, "title", json_string("glintefy cache review"));
    send_result(id, json_pack("{s:s, s:{s:{s:b}, s:{}}, s:o, s:s}", "protocolVersion", version, "capabilities", "tools",
                              "listChanged", 0, "logging", "serverInfo", info, "instructions",
                              "glintefy tells which Python functions to cache and which functools caches to keep, "
                              "remove or resize. Typical order: review_profile (runs a workload command; ask the "
                              "user first), then profile_hotspots and review_cache; review_clean deletes the "
                              "output under LLM-CONTEXT/glintefy/review/."));
}

static void do_tools_list(json_t *id) {
    json_t *tools = json_array();
    for (size_t i = 0; i < mcp_ntools; i++) json_array_append_new(tools, mcp_tool_describe(&mcp_tools[i], S.modern));
    send_result(id, json_pack("{s:o}", "tools", tools));
}

static void do_tools_call(json_t *id, json_t *params, const char *repo) {
    json_t *name = json_object_get(params, "name"), *args = json_object_get(params, "arguments");
    if (!json_is_string(name)) {
        send_error(id, RPC_PARAMS, "tools/call: params.name must be a string");
        return;
    }
    if (strlen(json_string_value(name)) != json_string_length(name)) {
        send_error(id, RPC_PARAMS, "Unknown tool: a tool name cannot contain a NUL character");
        return;
    }
    const McpTool *t = mcp_tool(json_string_value(name));
    if (!t) {
        send_error(id, RPC_PARAMS, "Unknown tool: %s", json_string_value(name));
        return;
    }
    char err[1024];
    if (json_is_null(args)) args = NULL;
    if (mcp_tool_check(t, args, err, sizeof err)) {
        send_error(id, RPC_PARAMS, "Invalid arguments: %s", err);
        return;
    }
    json_t *meta = json_object_get(params, "_meta"), *token = json_object_get(meta, "progressToken");
    if (token && !json_is_string(token) && !json_is_integer(token)) token = NULL;
    if (S.jobs.len >= MAX_JOBS) {
        send_result(id, mcp_tool_error("%d tools are running already; try again when one has finished", MAX_JOBS));
        return;
    }
    json_t *a = args ? json_incref(args) : json_object();
    McpCall call = {0};
    char *refused = t->build(a, &call);
    if (refused) {
        mcp_log(L_WARNING, "%s: %s", t->name, refused);
        send_result(id, mcp_tool_error("%s: %s", t->name, refused));
        free(refused);
        mcp_call_free(&call);
        json_decref(a);
        return;
    }
    if (S.dry) {
        send_result(id, mcp_tool_error("%s: not started (dry run)", t->name));
        mcp_call_free(&call);
        json_decref(a);
        return;
    }
    Job *j = job_spawn(&call, repo, err, sizeof err);
    mcp_call_free(&call);
    if (!j) {
        send_result(id, mcp_tool_error("%s: %s", t->name, err));
        json_decref(a);
        return;
    }
    j->tool = t;
    j->id = json_incref(id);
    j->id_big = Big.reply_raw;
    j->token = token ? json_incref(token) : NULL;
    j->args = a;
    vec_push(&S.jobs, j);
    mcp_log(L_DEBUG, "%s: started (pid %d, time limit %g s)", t->name, (int)j->pid, j->limit);
    send_progress(j, "started");
}

static void do_cancelled(json_t *params) {
    json_t *rid = json_object_get(params, "requestId");
    for (size_t i = 0; rid && i < S.jobs.len; i++) {
        Job *j = S.jobs.items[i];
        if (json_equal(j->id, rid) && j->id_big == big_has(rid) && !j->cancelled) {
            j->cancelled = 1;
            const char *why = json_string_value(json_object_get(params, "reason"));
            mcp_log(L_INFO, "%s: cancelled by the client%s%s; stopping it", j->tool->name, why ? ": " : "", why ? why : "");
            job_stop(j);
        }
    }
}

static void handle_message(json_t *m, const char *repo) {
    if (json_is_array(m)) {
        send_error(NULL, RPC_INVALID, "Invalid Request: JSON-RPC batches are not supported (MCP %s)", LATEST_PROTOCOL);
        return;
    }
    if (!json_is_object(m)) {
        send_error(NULL, RPC_INVALID, "Invalid Request: a message must be a JSON object");
        return;
    }
    json_t *id = json_object_get(m, "id"), *method = json_object_get(m, "method"), *params = json_object_get(m, "params");
    int has_id = id != NULL;
    if (id && !json_is_string(id) && !json_is_integer(id)) {
        send_error(NULL, RPC_INVALID, "Invalid Request: id must be a string or an integer");
        return;
    }
    if (!json_is_string(method)) {
        if (has_id && (json_object_get(m, "result") || json_object_get(m, "error"))) return; /* a reply; we ask nothing */
        send_error(id, RPC_INVALID, "Invalid Request: no method");
        return;
    }
    if (!json_is_string(json_object_get(m, "jsonrpc")) || strcmp(json_string_value(json_object_get(m, "jsonrpc")), "2.0") != 0) {
        send_error(id, RPC_INVALID, "Invalid Request: jsonrpc must be \"2.0\"");
        return;
    }
    if (params && !json_is_object(params)) {
        if (has_id) send_error(id, RPC_PARAMS, "Invalid params: params must be an object");
        return;
    }
    const char *name = json_string_value(method);
    if (strlen(name) != json_string_length(method)) { /* "ping\u0000x" is not "ping" */
        if (has_id) send_error(id, RPC_NO_METHOD, "Method not found: a method name cannot contain a NUL character");
        return;
    }
    if (!has_id) { /* a notification: never answered */
        if (strcmp(name, "notifications/cancelled") == 0) do_cancelled(params);
        else if (strcmp(name, "notifications/initialized") == 0) mcp_log(L_DEBUG, "client initialized");
        return;
    }
    if (strcmp(name, "initialize") == 0) do_initialize(id, params);
    else if (strcmp(name, "ping") == 0) send_result(id, json_object());
    else if (strcmp(name, "tools/list") == 0) do_tools_list(id);
    else if (strcmp(name, "tools/call") == 0) do_tools_call(id, params, repo);
    else if (strcmp(name, "logging/setLevel") == 0) {
        json_t *l = json_object_get(params, "level");
        int k = json_is_string(l) ? level_index(json_string_value(l)) : -1;
        if (k < 0) {
            send_error(id, RPC_PARAMS, "Invalid params: level must be one of debug, info, notice, warning, error, "
                                       "critical, alert, emergency");
            return;
        }
        S.level = k;
        send_result(id, json_object());
    } else
        send_error(id, RPC_NO_METHOD, "Method not found: %s", name);
}

static void quote_big_ints(const char *s, size_t n, Buf *out);

static void handle_line(const char *s, size_t n, const char *repo) {
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    if (k == n) return; /* blank line */
    json_error_t e;
    json_t *m = json_loadb(s + k, n - k, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
    Buf quoted = {0};
    if (!m && strstr(e.text, "too big") && strstr(e.text, "integer")) {
        /* JSON numbers have no size limit and an id may be any integer: read again with the
         * big integers as strings of their digits, remembered in Big.texts */
        quote_big_ints(s + k, n - k, &quoted);
        m = json_loadb(quoted.data, quoted.len, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
    }
    if (!m) send_error(NULL, RPC_PARSE, "Parse error: %s (at byte %d)", e.text, e.position);
    else {
        Big.reply_raw = json_is_object(m) && big_has(json_object_get(m, "id"));
        handle_message(m, repo);
        Big.reply_raw = 0;
        json_decref(m);
    }
    for (size_t i = 0; i < Big.texts.len; i++) free(Big.texts.items[i]);
    Big.texts.len = 0;
    buf_free(&quoted);
}

/* Copies s[0..n) to out with every integer outside strings that does not fit in int64 written
 * as a string of its digits, which Big.texts records. */
static void quote_big_ints(const char *s, size_t n, Buf *out) {
    size_t i = 0, from = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\') i++;
            i++;
            continue;
        }
        if (c != '-' && !(c >= '0' && c <= '9')) { i++; continue; }
        size_t b = i;
        if (s[i] == '-') i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        int integer = i < n ? !strchr(".eE", s[i]) : 1;
        while (i < n && strchr("0123456789.eE+-", s[i])) i++;
        char *end;
        errno = 0;
        char *t = xstrndup(s + b, i - b);
        (void)strtoll(t, &end, 10);
        if (!integer || errno != ERANGE || *end) { free(t); continue; }
        buf_put(out, s + from, b - from);
        buf_printf(out, "\"%s\"", t);
        vec_push(&Big.texts, t);
        from = i;
    }
    buf_put(out, s + from, n - from);
}

/* The input stream: bytes read so far and not yet a complete line. */
typedef struct Reader {
    Buf in;
    size_t scanned;  /* in[0..scanned) holds no newline */
    int discarding;  /* skipping the rest of a line over MAX_MESSAGE */
} Reader;

/* Handles every complete line in rd->in (and, at end of input, the last line without a
 * newline). Each line is one message; a line over MAX_MESSAGE is answered with an error once
 * and skipped up to its newline. */
static void reader_feed(Reader *rd, int eof, const char *repo) {
    for (;;) {
        char *nl = rd->in.len > rd->scanned ? memchr(rd->in.data + rd->scanned, '\n', rd->in.len - rd->scanned) : NULL;
        if (!nl) {
            if (!rd->discarding && rd->in.len > MAX_MESSAGE) {
                send_error(NULL, RPC_INVALID, "Invalid Request: message longer than %d bytes; ignored", MAX_MESSAGE);
                mcp_log(L_WARNING, "a message longer than %d bytes was ignored", MAX_MESSAGE);
                rd->discarding = 1;
            }
            if (rd->discarding) rd->in.len = 0;
            rd->scanned = rd->in.len;
            break;
        }
        size_t len = (size_t)(nl - rd->in.data);
        if (rd->discarding) rd->discarding = 0;
        else if (len > MAX_MESSAGE) {
            send_error(NULL, RPC_INVALID, "Invalid Request: message longer than %d bytes; ignored", MAX_MESSAGE);
            mcp_log(L_WARNING, "a message longer than %d bytes was ignored", MAX_MESSAGE);
        } else
            handle_line(rd->in.data, len, repo);
        memmove(rd->in.data, nl + 1, rd->in.len - len - 1);
        rd->in.len -= len + 1;
        rd->in.data[rd->in.len] = 0;
        rd->scanned = 0;
    }
    if (eof && rd->in.len && !rd->discarding) handle_line(rd->in.data, rd->in.len, repo); /* last line without newline */
    if (eof) rd->in.len = 0;
}

void mcp_fuzz_input(const char *data, size_t n, const char *repo) {
    S.dry = 1;
    mcp_tools_set_repo(repo);
    if (!S.level) S.level = L_INFO;
    Reader rd = {0};
    /* in pieces, as reads return them: a line may straddle two */
    size_t half = n / 2;
    buf_put(&rd.in, data, half);
    reader_feed(&rd, 0, repo);
    buf_put(&rd.in, data + half, n - half);
    reader_feed(&rd, 1, repo);
    buf_free(&rd.in);
    vec_free(&Big.texts);
}

/* ---- the loop ----------------------------------------------------------------------- */

static void on_signal(int sig) { stop_signal = sig; }

int mcp_main(int argc, char **argv) {
    const char *repo = ".", *hint = "glintefy help mcp";
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(MCP_HELP, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--repo") == 0 && i + 1 < argc) repo = argv[++i];
        else if (strncmp(argv[i], "--repo=", 7) == 0) repo = argv[i] + 7;
        else return cli_usage_error(hint, "mcp: unexpected argument '%s'", argv[i]);
    }
    char *real = realpath(repo, NULL);
    struct stat st;
    if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "glintefy: %s: %s\n", repo, real ? "not a directory" : strerror(errno));
        free(real);
        return EXIT_REJECTED;
    }
    mcp_tools_set_repo(real);
    S.level = L_INFO;
    /* processes of a tool that leave its group (setsid) and are orphaned become our children,
     * so they can be found and ended with the tool */
    prctl(PR_SET_CHILD_SUBREAPER, 1);

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "glintefy mcp: serving %s (MCP %s) on stdio\n", real, LATEST_PROTOCOL);

    Reader rd = {0};
    int eof = 0;
    struct pollfd *fds = xcalloc(1 + 2 * MAX_JOBS, sizeof *fds);
    while (!stop_signal && !S.stdout_broken && !(eof && S.jobs.len == 0)) {
        nfds_t nf = 0;
        if (!eof) fds[nf++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        for (size_t i = 0; i < S.jobs.len; i++) {
            Job *j = S.jobs.items[i];
            if (j->out_fd >= 0) fds[nf++] = (struct pollfd){.fd = j->out_fd, .events = POLLIN};
            if (j->err_fd >= 0) fds[nf++] = (struct pollfd){.fd = j->err_fd, .events = POLLIN};
        }
        int pr = poll(fds, nf, S.jobs.len ? 100 : 1000);
        if (pr < 0 && errno != EINTR) {
            fprintf(stderr, "glintefy mcp: poll: %s\n", strerror(errno));
            break;
        }
        for (size_t i = 0; i < S.jobs.len; i++) {
            Job *j = S.jobs.items[i];
            if (j->out_fd >= 0) job_read(j, &j->out_fd, &j->out, &j->out_truncated);
            if (j->err_fd >= 0) job_read(j, &j->err_fd, &j->err, NULL);
        }
        if (!eof && pr > 0 && fds[0].revents) {
            char chunk[65536];
            ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
            if (n < 0 && errno != EINTR && errno != EAGAIN) {
                fprintf(stderr, "glintefy mcp: stdin: %s\n", strerror(errno));
                eof = 1;
            } else if (n == 0) {
                eof = 1;
            } else if (n > 0) {
                buf_put(&rd.in, chunk, (size_t)n);
            }
            reader_feed(&rd, eof, real);
        }
        jobs_tick();
    }
    if (stop_signal || S.stdout_broken) {
        /* SIGTERM, so review profile can end its command and clean up; SIGKILL to whatever is
         * left after the grace period; then every process they left behind */
        double until = now() + KILL_GRACE;
        for (size_t i = 0; i < S.jobs.len; i++) job_stop(S.jobs.items[i]);
        for (size_t i = 0; i < S.jobs.len;) {
            Job *j = S.jobs.items[i];
            if (waitpid(j->pid, NULL, WNOHANG) == j->pid) {
                kill(-j->pid, SIGKILL);
                job_free(j);
                S.jobs.items[i] = S.jobs.items[--S.jobs.len];
                continue;
            }
            if (now() >= until) {
                job_kill(j, SIGKILL);
                waitpid(j->pid, NULL, 0);
                job_free(j);
                S.jobs.items[i] = S.jobs.items[--S.jobs.len];
                continue;
            }
            if (++i == S.jobs.len) {
                i = 0;
                struct timespec ts = {0, 20 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
        }
        S.jobs.len = 0;
        rt_kill_descendants();
        if (stop_signal) fprintf(stderr, "glintefy mcp: signal %d: stopped\n", (int)stop_signal);
    }
    vec_free(&S.jobs);
    vec_free(&Big.texts);
    free(fds);
    buf_free(&rd.in);
    free(real);
    mcp_tools_set_repo("");
    return 0;
}
