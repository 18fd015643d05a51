/* run.c - fork/exec of the user's command with an exec-error pipe, signal forwarding and
 * shell-style exit statuses (see run.h for the process-group rules). */
#include "run.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const int FORWARDED[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};
enum { NFORWARDED = sizeof FORWARDED / sizeof FORWARDED[0] };

static volatile sig_atomic_t g_child;      /* pid of the command, 0 before it exists */
static volatile sig_atomic_t g_own_group;  /* 1: the command leads its own process group */

static void forward(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    int saved = errno;
    pid_t child = (pid_t)g_child;
    if (child > 0) {
        if (g_own_group) kill(-child, sig);
        else if (!info || info->si_code <= 0) kill(child, sig); /* sent by kill(), not the tty */
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

    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    g_child = 0;
    for (int i = 0; i < NFORWARDED; i++) sigaction(FORWARDED[i], &old[i], NULL);

    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 1;
}
