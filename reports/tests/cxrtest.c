/* cxrtest.c - shared test helpers (see cxrtest.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cxrtest.h"

#include <fcntl.h>
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cxr_run(struct cxr_proc *p, const char *const *args)
{
    const char *bin = getenv("CXREPORT_BIN");
    assert_non_null(bin);
    char *dir = cxr_tmpdir(), so[512], se[512];
    snprintf(so, sizeof so, "%s/stdout", dir);
    snprintf(se, sizeof se, "%s/stderr", dir);
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)bin;
    for (int i = 0; args[i] && n < 63; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, so, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, se, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, bin, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    double deadline = now_s() + 30;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        if (now_s() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fail_msg("cxreport did not finish within 30 s");
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    p->out = cxr_slurp(so);
    p->err = cxr_slurp(se);
    assert_non_null(p->out);
    assert_non_null(p->err);
    cxr_rmrf(dir);
    free(dir);
    return p->status;
}

void cxr_proc_free(struct cxr_proc *p)
{
    free(p->out);
    free(p->err);
    p->out = p->err = NULL;
}

char *cxr_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    char chunk[8192];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, k, m);
    fclose(f);
    fclose(m);
    return buf;
}

void cxr_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("%s: cannot write", path);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

char *cxr_tmpdir(void)
{
    char *d = strdup("/tmp/cxreport-test-XXXXXX");
    assert_non_null(d);
    assert_non_null(mkdtemp(d));
    return d;
}

void cxr_rmrf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

const char *cxr_data(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", CXR_TEST_DATA, name);
    return buf;
}

void cxr_golden(const char *name, const char *actual)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/golden/%s", CXR_TEST_DATA, name);
    const char *update = getenv("CXR_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        cxr_write(path, actual);
        return;
    }
    char *want = cxr_slurp(path);
    if (!want)
        fail_msg("%s: missing (run with CXR_UPDATE_GOLDEN=1 to write it)", path);
    if (strcmp(want, actual) != 0) {
        const char *a = want, *b = actual;
        int line = 1;
        while (*a && *a == *b) {
            line += *a == '\n';
            a++;
            b++;
        }
        while (a > want && a[-1] != '\n') {
            a--;
            b--;
        }
        fail_msg("%s differs at line %d:\n  want: %.*s\n  got:  %.*s", path, line,
                 (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
    }
    free(want);
}

void cxr_write_run(const char *dir, const json_t *summary)
{
    char path[1024];
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    assert_int_equal(json_dump_file(summary, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
}

int cxr_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)); p += len)
        n++;
    return n;
}
