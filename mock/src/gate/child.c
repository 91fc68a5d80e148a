/* child.c - see child.h */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void waited_set(sigset_t *s)
{
    sigemptyset(s);
    sigaddset(s, SIGINT);
    sigaddset(s, SIGTERM);
    sigaddset(s, SIGCHLD);
}

void gate_child_block(void)
{
    sigset_t s;
    waited_set(&s);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
}

/* In the child: its own group, the signals back, the environment, then exec; on failure errno
 * goes up the pipe. */
static void exec_child(char *const *argv, char *const *env, int report)
{
    sigset_t s;
    waited_set(&s);
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    for (size_t i = 0; env[i]; i++)
        putenv(env[i]);
    execvp(argv[0], argv);
    int err = errno;
    ssize_t w = write(report, &err, sizeof err);
    (void)w;
    _exit(127);
}

/* Wait for one of the signals until DEADLINE (monotonic s; 0: none). The signal, or 0 at the
 * deadline. */
static int wait_signal(double deadline)
{
    sigset_t s;
    waited_set(&s);
    for (;;) {
        struct timespec ts = {3600, 0};
        if (deadline > 0) {
            double left = deadline - now_s();
            if (left <= 0)
                return 0;
            ts.tv_sec = (time_t)left;
            ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
        }
        int sig = sigtimedwait(&s, NULL, &ts);
        if (sig > 0)
            return sig;
        if (errno != EAGAIN && errno != EINTR)
            return 0;
        if (errno == EAGAIN && deadline > 0 && now_s() >= deadline)
            return 0;
    }
}

/* Reap PID if it ended: 1 with its status, else 0. */
static int reaped(pid_t pid, int *status)
{
    return waitpid(pid, status, WNOHANG) == pid;
}

/* Stop the group: SIGTERM, then SIGKILL after GRACE_S if the leader is still there. */
static void stop_group(pid_t pid, double grace_s, int *status)
{
    kill(-pid, SIGTERM);
    double until = now_s() + grace_s;
    while (!reaped(pid, status)) {
        if (wait_signal(until) == 0 && !reaped(pid, status)) {
            kill(-pid, SIGKILL);
            waitpid(pid, status, 0);
            return;
        }
    }
}

static int started(pid_t pid, int report, struct gate_child *c)
{
    int err = 0;
    ssize_t n;
    while ((n = read(report, &err, sizeof err)) < 0 && errno == EINTR)
        ;
    close(report);
    if (n != (ssize_t)sizeof err)
        return 1;
    int status;
    waitpid(pid, &status, 0);
    c->end = GATE_CHILD_NOT_RUN;
    snprintf(c->why, sizeof c->why, "%s", strerror(err));
    return 0;
}

void gate_child_run(char *const *argv, char *const *env, double timeout_s, double grace_s,
                    struct gate_child *c)
{
    memset(c, 0, sizeof *c);
    int pipefd[2];
    double t0 = now_s();
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        c->end = GATE_CHILD_NOT_RUN;
        snprintf(c->why, sizeof c->why, "pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0)
        exec_child(argv, env, pipefd[1]);
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        c->end = GATE_CHILD_NOT_RUN;
        snprintf(c->why, sizeof c->why, "fork: %s", strerror(errno));
        return;
    }
    setpgid(pid, pid); /* also here: no window in which a signal to the group misses it */
    if (!started(pid, pipefd[0], c))
        return;
    int status = 0;
    double deadline = timeout_s > 0 ? t0 + timeout_s : 0;
    c->end = GATE_CHILD_EXITED;
    while (!reaped(pid, &status)) {
        int sig = wait_signal(deadline);
        if (sig == SIGCHLD)
            continue;
        c->end = sig ? GATE_CHILD_INTERRUPTED : GATE_CHILD_TIMED_OUT;
        stop_group(pid, grace_s, &status);
        break;
    }
    kill(-pid, SIGKILL); /* what it left behind in its group */
    c->seconds = now_s() - t0;
    if (c->end == GATE_CHILD_EXITED && WIFSIGNALED(status)) {
        c->end = GATE_CHILD_SIGNALLED;
        c->code = WTERMSIG(status);
    } else if (c->end == GATE_CHILD_EXITED) {
        c->code = WEXITSTATUS(status);
    }
}

const char *gate_child_describe(const struct gate_child *c, char *buf, size_t size)
{
    switch (c->end) {
    case GATE_CHILD_EXITED:
        snprintf(buf, size, "exited with status %d", c->code);
        break;
    case GATE_CHILD_SIGNALLED:
        snprintf(buf, size, "killed by signal %d (%s)", c->code, strsignal(c->code));
        break;
    case GATE_CHILD_TIMED_OUT:
        snprintf(buf, size, "timed out after %.1f s and was stopped", c->seconds);
        break;
    case GATE_CHILD_INTERRUPTED:
        snprintf(buf, size, "was stopped: the gate was interrupted");
        break;
    case GATE_CHILD_NOT_RUN:
        snprintf(buf, size, "could not be started: %s", c->why);
        break;
    }
    return buf;
}

int gate_child_failed(const struct gate_child *c)
{
    return c->end != GATE_CHILD_EXITED || c->code != 0;
}
