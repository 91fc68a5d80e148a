/* cxtest.c - see cxtest.h */
#include "cxtest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#if defined(__SANITIZE_THREAD__)
#define BUILD_SCALE 5.0
#elif defined(__SANITIZE_ADDRESS__)
#define BUILD_SCALE 3.0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BUILD_SCALE 5.0
#elif __has_feature(address_sanitizer)
#define BUILD_SCALE 3.0
#endif
#endif
#ifndef BUILD_SCALE
#define BUILD_SCALE 1.0
#endif

int64_t cxt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

double cxt_timeout_scale(void)
{
    const char *s = getenv("CX_TEST_TIMEOUT_SCALE");
    char *end;
    double v = s && *s ? strtod(s, &end) : 0;
    return s && *s && !*end && v >= 1 && v <= 100 ? v : BUILD_SCALE;
}

long cxt_scaled_ms(long ms)
{
    return (long)((double)ms * cxt_timeout_scale());
}

int cxt_wait_for(int (*cond)(void *), void *arg, long deadline_ms)
{
    int64_t until = cxt_now_ms() + cxt_scaled_ms(deadline_ms);
    for (;;) {
        if (cond(arg))
            return 1;
        if (cxt_now_ms() >= until)
            return cond(arg) ? 1 : 0;
        nap_ms(5);
    }
}

/* ---- processes ------------------------------------------------------------------------- */

/* Our environment less proxy settings and the admin token variable (tests pass --admin-token
 * explicitly): a malloc'd array of borrowed strings. */
static char **child_env(void)
{
    static const char *const drop[] = {
        "http_proxy=", "https_proxy=", "HTTP_PROXY=", "HTTPS_PROXY=",        "all_proxy=",
        "ALL_PROXY=",  "no_proxy=",    "NO_PROXY=",   "CXMOCK_ADMIN_TOKEN=", NULL};
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int skip = 0;
        for (const char *const *d = drop; *d && !skip; d++)
            skip = strncmp(environ[i], *d, strlen(*d)) == 0;
        if (!skip)
            env[k++] = environ[i];
    }
    env[k] = NULL;
    return env;
}

/* Route FD of the child as S says; a pipe's ends go to FDS. Returns 0 or -1. */
static int route(posix_spawn_file_actions_t *fa, int fd, struct cxt_stream s, int fds[2])
{
    switch (s.kind) {
    case CXT_INHERIT:
        return 0;
    case CXT_FILE:
        return posix_spawn_file_actions_addopen(fa, fd, s.path, O_WRONLY | O_CREAT | O_TRUNC,
                                                0644) == 0
                   ? 0
                   : -1;
    case CXT_PIPE:
        if (pipe2(fds, O_CLOEXEC) < 0)
            return -1;
        return posix_spawn_file_actions_adddup2(fa, fds[1], fd) == 0 ? 0 : -1;
    }
    return -1;
}

int cxt_spawn(struct cxt_proc *p, const char *const *argv, struct cxt_stream out,
              struct cxt_stream err)
{
    int o[2] = {-1, -1}, e[2] = {-1, -1}, rc = -1;
    p->pid = -1;
    p->out_fd = p->err_fd = -1;
    char **env = child_env();
    posix_spawn_file_actions_t fa;
    if (!env || posix_spawn_file_actions_init(&fa) != 0) {
        free(env);
        fprintf(stderr, "cxtest: out of memory spawning %s\n", argv[0]);
        return -1;
    }
    if (route(&fa, 1, out, o) < 0 || route(&fa, 2, err, e) < 0) {
        fprintf(stderr, "cxtest: %s: cannot set up its output: %s\n", argv[0], strerror(errno));
    } else if ((rc = posix_spawn(&p->pid, argv[0], &fa, NULL, (char *const *)argv, env)) != 0) {
        fprintf(stderr, "cxtest: cannot spawn %s: %s\n", argv[0], strerror(rc));
        p->pid = -1;
        rc = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    for (int *fds[] = {o, e}, i = 0; i < 2; i++) {
        if (fds[i][1] >= 0)
            close(fds[i][1]);
        if (rc != 0 && fds[i][0] >= 0)
            close(fds[i][0]);
    }
    if (rc != 0)
        return -1;
    p->out_fd = o[0];
    p->err_fd = e[0];
    return 0;
}

static int decode_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

/* Reap PID by UNTIL (monotonic ms): its status, -2 past UNTIL, -1 on error. */
static int reap(pid_t pid, int64_t until)
{
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return decode_status(st);
        if (r < 0 && errno != EINTR)
            return -1;
        if (cxt_now_ms() >= until)
            return -2;
        nap_ms(5);
    }
}

static void close_pipes(struct cxt_proc *p)
{
    if (p->out_fd >= 0)
        close(p->out_fd);
    if (p->err_fd >= 0)
        close(p->err_fd);
    p->out_fd = p->err_fd = -1;
}

/* Reap P by UNTIL, killing it if it is not done then. */
static int reap_or_kill(struct cxt_proc *p, int64_t until)
{
    if (p->pid < 0)
        return -1;
    int st = reap(p->pid, until);
    if (st == -2) {
        fprintf(stderr, "cxtest: pid %d did not end in time; SIGKILL\n", (int)p->pid);
        kill(p->pid, SIGKILL);
        reap(p->pid, cxt_now_ms() + 10000);
    }
    p->pid = -1;
    close_pipes(p);
    return st;
}

int cxt_wait(struct cxt_proc *p, long deadline_ms)
{
    return reap_or_kill(p, cxt_now_ms() + cxt_scaled_ms(deadline_ms));
}

int cxt_stop(struct cxt_proc *p, int sig, long deadline_ms)
{
    if (p->pid < 0)
        return -1;
    kill(p->pid, sig);
    return cxt_wait(p, deadline_ms);
}

/* Append what is readable on FD to *BUF (NUL-terminated); 0 at EOF, 1 if more may come. */
static int drain(int fd, char **buf, size_t *len)
{
    char chunk[4096];
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR)
        return 1;
    if (r <= 0)
        return 0;
    char *grown = realloc(*buf, *len + (size_t)r + 1);
    if (!grown)
        return 0;
    *buf = grown;
    memcpy(*buf + *len, chunk, (size_t)r);
    *len += (size_t)r;
    (*buf)[*len] = '\0';
    return 1;
}

int cxt_run(const char *const *argv, long deadline_ms, char **out, char **err)
{
    struct cxt_proc p;
    struct cxt_stream pipe = {CXT_PIPE, NULL};
    if (cxt_spawn(&p, argv, pipe, pipe) < 0)
        return -1;
    char *bufs[2] = {calloc(1, 1), calloc(1, 1)};
    size_t lens[2] = {0, 0};
    int fds[2] = {p.out_fd, p.err_fd}, open = 2;
    int64_t until = cxt_now_ms() + cxt_scaled_ms(deadline_ms);
    while (open > 0 && cxt_now_ms() < until) {
        struct pollfd pf[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
        int pr = poll(pf, 2, (int)(until - cxt_now_ms()));
        if (pr < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2 && pr > 0; i++)
            if (fds[i] >= 0 && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                !drain(fds[i], &bufs[i], &lens[i])) {
                fds[i] = -1; /* closed with the proc below */
                open--;
            }
    }
    int st = reap_or_kill(&p, until);
    if (out)
        *out = bufs[0];
    else
        free(bufs[0]);
    if (err)
        *err = bufs[1];
    else
        free(bufs[1]);
    return st;
}

/* ---- files ------------------------------------------------------------------------------- */

int cxt_tmpdir(char *dir, size_t size, const char *prefix)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, size, "%s/%s-XXXXXX", base && *base ? base : "/tmp", prefix);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "cxtest: mkdtemp %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

void cxt_rmrf(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        char path[4096];
        while ((de = readdir(d))) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
                cxt_rmrf(path);
            else
                unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

char *cxt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    char chunk[8192];
    size_t k;
    while (m && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, k, m);
    int bad = ferror(f);
    fclose(f);
    if (!m || fclose(m) != 0 || bad) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}

int cxt_first_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    buf[0] = '\0';
    if (!f)
        return -1;
    if (!fgets(buf, (int)size, f))
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return buf[0] ? 0 : -1;
}

int cxt_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}
