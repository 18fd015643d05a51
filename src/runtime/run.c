/* run.c - fork/exec of the user's command with an exec-error pipe, signal forwarding and
 * shell-style exit statuses (see run.h for the process-group rules). */
#include "run.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "../base/clock.h"

static const int FORWARDED[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
enum { NFORWARDED = sizeof FORWARDED / sizeof FORWARDED[0] };

static volatile sig_atomic_t g_child;      /* pid of the command, 0 before it exists */
static volatile sig_atomic_t g_own_group;  /* 1: the command leads its own process group */
static volatile sig_atomic_t g_stop_sent;  /* a signal that stops the command was passed on */

static void forward(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    int saved = errno;
    pid_t child = (pid_t)g_child;
    if (child > 0) {
        if (g_own_group) kill(-child, sig), g_stop_sent = 1;
        else if (!info || info->si_code <= 0) kill(child, sig), g_stop_sent = 1; /* sent by kill(), not the tty */
    }
    errno = saved;
}

/* 1 when this process is in the foreground process group of its controlling terminal. */
static int in_terminal_foreground(void) {
    int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return 0;
    int fg = tcgetpgrp(fd) == getpgrp();
    close(fd);
    return fg;
}

int rt_run(char **argv, int *exec_errno) {
    *exec_errno = 0;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
    g_own_group = !in_terminal_foreground();

    struct sigaction sa, old[NFORWARDED];
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    g_stop_sent = 0;
    /* Orphans of the command (daemons, setsid children) become our children, not init's, so a
     * stop can find and end them too. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigemptyset(&sa.sa_mask);
    sigset_t block, saved_mask;
    sigemptyset(&block);
    for (int i = 0; i < NFORWARDED; i++) sigaddset(&block, FORWARDED[i]);
    sigprocmask(SIG_BLOCK, &block, &saved_mask);
    for (int i = 0; i < NFORWARDED; i++) sigaction(FORWARDED[i], &sa, &old[i]);

    pid_t pid = fork();
    if (pid == 0) {
        /* the child: default dispositions before the signals are unblocked, then exec */
        for (int i = 0; i < NFORWARDED; i++) sigaction(FORWARDED[i], &old[i], NULL);
        if (g_own_group) setpgid(0, 0);
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        close(pipefd[0]);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(pipefd[1], &e, sizeof e);
        (void)w;
        _exit(e == ENOENT ? RT_STATUS_NOT_FOUND : RT_STATUS_CANNOT_EXECUTE);
    }
    int fork_errno = errno;
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        for (int i = 0; i < NFORWARDED; i++) sigaction(FORWARDED[i], &old[i], NULL);
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        errno = fork_errno;
        return -1;
    }
    if (g_own_group) setpgid(pid, pid); /* also here: no window in which the group is missing */
    g_child = pid;
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);

    int e = 0;
    ssize_t got;
    do got = read(pipefd[0], &e, sizeof e);
    while (got < 0 && errno == EINTR);
    close(pipefd[0]);
    if (got == (ssize_t)sizeof e) *exec_errno = e;

    /* Wait; once a stop has been passed on, a command that ignores it is killed after
     * RT_KILL_GRACE seconds, with its group and every process it left behind. Polling (every
     * 20 ms) leaves no window in which a signal could arrive just before a blocking wait. */
    int st = 0;
    double stop_at = 0;
    int killed = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) break;
        if (g_stop_sent && !killed) {
            double t = now_seconds();
            if (stop_at == 0) stop_at = t;
            else if (t - stop_at >= RT_KILL_GRACE) {
                if (g_own_group) kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                killed = 1;
            }
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    g_child = 0;
    if (g_stop_sent) {
        if (g_own_group) kill(-pid, SIGKILL);
        rt_kill_descendants();
    }
    for (int i = 0; i < NFORWARDED; i++) sigaction(FORWARDED[i], &old[i], NULL);

    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 1;
}

static int kept(pid_t p, const pid_t *keep, size_t nkeep) {
    for (size_t j = 0; j < nkeep; j++)
        if (keep[j] == p) return 1;
    return 0;
}

/* Fills *out with the pids of every descendant of `root` found in /proc (by parent pid), but
 * those in keep[0..nkeep) and their own descendants; *live: how many are not zombies. */
static size_t descendants(pid_t root, const pid_t *keep, size_t nkeep, pid_t **out, size_t *live) {
    size_t n = 0, cap = 0, nall = 0, capall = 0;
    pid_t *pid = NULL, *ppid = NULL, *res = NULL;
    char *zombie = NULL;
    *live = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        char path[64], buf[512];
        int num = atoi(e->d_name);
        snprintf(path, sizeof path, "/proc/%d/stat", num);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t k = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (k <= 0) continue;
        buf[k] = 0;
        /* "pid (comm) state ppid ...": comm may hold spaces and parentheses; the last ')' ends it */
        char *rp = strrchr(buf, ')');
        if (!rp) continue;
        int parent;
        char state;
        if (sscanf(rp + 1, " %c %d", &state, &parent) != 2) continue;
        if (nall == capall) {
            capall = capall ? capall * 2 : 256;
            pid = realloc(pid, capall * sizeof *pid);
            ppid = realloc(ppid, capall * sizeof *ppid);
            zombie = realloc(zombie, capall);
            if (!pid || !ppid || !zombie) abort();
        }
        pid[nall] = (pid_t)num;
        zombie[nall] = state == 'Z';
        ppid[nall++] = (pid_t)parent;
    }
    if (d) closedir(d);
    /* breadth first from root: res grows while it is scanned */
    for (size_t head = 0; head <= n; head++) {
        pid_t of = head == 0 ? root : res[head - 1];
        for (size_t i = 0; i < nall; i++) {
            if (ppid[i] != of || pid[i] == root || kept(pid[i], keep, nkeep)) continue;
            int seen = 0;
            for (size_t j = 0; j < n && !seen; j++) seen = res[j] == pid[i];
            if (seen) continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                res = realloc(res, cap * sizeof *res);
                if (!res) abort();
            }
            res[n++] = pid[i];
            *live += !zombie[i];
        }
    }
    free(pid);
    free(ppid);
    free(zombie);
    *out = res;
    return n;
}

int rt_kill_descendants_except(const pid_t *keep, size_t nkeep) {
    int total = 0;
    pid_t self = getpid();
    for (int pass = 0; pass < 50; pass++) {
        pid_t *d;
        size_t live, n = descendants(self, keep, nkeep, &d, &live);
        /* stopped first, so a process cannot fork while its tree is being killed */
        for (size_t i = 0; i < n; i++) kill(d[i], SIGSTOP);
        for (size_t i = 0; i < n; i++) kill(d[i], SIGKILL);
        /* reap our own children among them (orphans adopted as subreaper) */
        for (size_t i = 0; i < n; i++) waitpid(d[i], NULL, WNOHANG);
        free(d);
        total += (int)live;
        if (!live) break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* the last of them may have died after the reaping pass */
    while (nkeep == 0 && waitpid(-1, NULL, WNOHANG | __WALL) > 0) {}
    return total;
}

int rt_kill_descendants(void) { return rt_kill_descendants_except(NULL, 0); }
