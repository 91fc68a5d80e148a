/* cxrtest.c - shared test helpers (see cxrtest.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cxrtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cxtest.h"

int cxr_run(struct cxr_proc *p, const char *const *args)
{
    const char *bin = getenv("CXREPORT_BIN");
    assert_non_null(bin);
    const char *argv[64];
    int n = 0;
    argv[n++] = bin;
    for (int i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    p->status = cxt_run(argv, 30000, &p->out, &p->err);
    if (p->status < 0)
        fail_msg("cxreport did not run or finish within 30 s (scaled)");
    assert_non_null(p->out);
    assert_non_null(p->err);
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
    return cxt_read_file(path, NULL);
}

void cxr_write(const char *path, const char *text)
{
    if (cxt_write_file(path, text) < 0)
        fail_msg("%s: cannot write", path);
}

char *cxr_tmpdir(void)
{
    char d[512];
    assert_int_equal(cxt_tmpdir(d, sizeof d, "cxreport-test"), 0);
    char *copy = strdup(d);
    assert_non_null(copy);
    return copy;
}

void cxr_rmrf(const char *dir)
{
    cxt_rmrf(dir);
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

struct cx_error cxr_e;

const char *cxr_err(void)
{
    static char buf[2048];
    cx_error_format(&cxr_e, buf, sizeof buf);
    return buf;
}

int cxr_count(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)); p += len)
        n++;
    return n;
}
