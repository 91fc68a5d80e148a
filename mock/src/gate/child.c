/* child.c - see child.h */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

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
    signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN would reap the child behind our back */
    pthread_sigmask(SIG_BLOCK, &s, NULL);
}

int gate_child_interrupted(void)
{
    sigset_t pending;
    return sigpending(&pending) == 0 &&
           (sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1);
}

/* Our environment with ENV's entries added (replacing the same names): a new array of borrowed
 * strings, built before the child starts (nothing is allocated between fork and exec). */
static char **child_env(char *const *env)
{
    size_t n = 0, k = 0, extra = 0;
    while (environ[n])
        n++;
    while (env[extra])
        extra++;
    char **out = calloc(n + extra + 1, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int replaced = 0;
        for (size_t j = 0; j < extra && !replaced; j++) {
            size_t name = strcspn(env[j], "=");
            replaced = strncmp(environ[i], env[j], name + 1) == 0;
        }
        if (!replaced)
            out[k++] = environ[i];
    }
    for (size_t j = 0; j < extra; j++)
        out[k++] = env[j];
    return out;
}

/* Start ARGV in a process group of its own, with every signal as it should be for a new
 * program (none blocked, the stop signals at their defaults). The pid, or -1 with errno. */
static pid_t spawn(char *const *argv, char **envp)
{
    posix_spawnattr_t a;
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    int sigs[] = {SIGINT, SIGTERM, SIGQUIT, SIGPIPE, SIGCHLD, SIGTTIN, SIGTTOU, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&defaults, sigs[i]);
    pid_t pid = -1;
    int rc = posix_spawnattr_init(&a);
    if (rc == 0) {
        posix_spawnattr_setflags(&a, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                         POSIX_SPAWN_SETSIGDEF);
        posix_spawnattr_setpgroup(&a, 0);
        posix_spawnattr_setsigmask(&a, &none);
        posix_spawnattr_setsigdefault(&a, &defaults);
        rc = posix_spawnp(&pid, argv[0], NULL, &a, argv, envp);
        posix_spawnattr_destroy(&a);
    }
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return pid;
}

/* The terminal, when the gate has it in the foreground, goes to the child's group (a program
 * that reads its terminal would otherwise stop on SIGTTIN), and comes back after. */
static int give_terminal(pid_t to)
{
    if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
        return 0;
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &ttou, &old);
    int given = tcsetpgrp(STDIN_FILENO, to) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return given;
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
    }
}

/* Has PID ended? Not reaped (WNOWAIT): while it is a zombie its process group id cannot be
 * another's, so what it left in the group can still be killed safely. */
static int ended(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
        return errno == ECHILD;
    return info.si_pid == pid;
}

/* Stop the group: SIGTERM, then SIGKILL after GRACE_S if the leader is still there. */
static void stop_group(pid_t pid, double grace_s)
{
    kill(-pid, SIGTERM);
    double until = now_s() + grace_s;
    while (!ended(pid))
        if (wait_signal(until) == 0 && !ended(pid)) {
            kill(-pid, SIGKILL);
            return;
        }
}

void gate_child_run(char *const *argv, char *const *env, double timeout_s, double grace_s,
                    struct gate_child *c)
{
    memset(c, 0, sizeof *c);
    double t0 = now_s();
    char **envp = child_env(env);
    pid_t pid = envp ? spawn(argv, envp) : -1;
    int err = errno;
    free(envp);
    if (pid < 0) {
        c->end = GATE_CHILD_NOT_RUN;
        snprintf(c->why, sizeof c->why, "%s", strerror(envp ? err : ENOMEM));
        return;
    }
    int terminal = give_terminal(pid);
    if (terminal) /* it may have touched the terminal first and been stopped (SIGTTOU): go on */
        kill(-pid, SIGCONT);
    double deadline = timeout_s > 0 ? t0 + timeout_s : 0;
    c->end = GATE_CHILD_EXITED;
    while (!ended(pid)) {
        int sig = wait_signal(deadline);
        if (sig == SIGCHLD)
            continue;
        c->end = sig ? GATE_CHILD_INTERRUPTED : GATE_CHILD_TIMED_OUT;
        stop_group(pid, grace_s);
        break;
    }
    kill(-pid, SIGKILL); /* what it left behind in its group, before the leader is reaped */
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (terminal)
        give_terminal(getpgrp());
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
        snprintf(buf, size, "was killed by signal %d (%s)", c->code, strsignal(c->code));
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
