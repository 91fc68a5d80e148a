/* cxltest.c - see cxltest.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxltest.h"

const char *cxl_src(void)
{
    const char *s = getenv("CX_SOURCE_DIR");
    assert_non_null(s);
    return s;
}

/* Start cxload with ARGS (NULL-terminated; "@OUT" is replaced by the run's out directory). */
void cxl_start(struct proc *p, const char *const *args)
{
    const char *bin = getenv("CXLOAD_BIN");
    assert_non_null(bin);
    assert_int_equal(cxt_tmpdir(p->dir, sizeof p->dir, "cxload-test"), 0);
    char out[320], so[320], se[320];
    snprintf(out, sizeof out, "%s/out", p->dir);
    snprintf(so, sizeof so, "%s/stdout", p->dir);
    snprintf(se, sizeof se, "%s/stderr", p->dir);
    const char *argv[64];
    int n = 0;
    argv[n++] = bin;
    for (int i = 0; args[i] && n < 62; i++)
        argv[n++] = strcmp(args[i], "@OUT") == 0 ? out : args[i];
    argv[n] = NULL;
    struct cxt_stream o = {CXT_FILE, so}, e = {CXT_FILE, se};
    assert_int_equal(cxt_spawn(&p->child, argv, o, e), 0);
}

/* Wait for the process, at most SECS (scaled); fails the test (after killing it) on a hang. */
int cxl_finish(struct proc *p, double secs)
{
    p->status = cxt_wait(&p->child, (long)(secs * 1000));
    if (p->status == -2)
        fail_msg("cxload did not finish within %.0f s (scaled x%.0f)", secs, cxt_timeout_scale());
    assert_true(p->status >= 0);
    return p->status;
}

int cxl_run(struct proc *p, const char *const *args, double secs)
{
    cxl_start(p, args);
    return cxl_finish(p, secs);
}

void cxl_run_says(const char *const *args, int rc, const char *stream, const char *text)
{
    struct proc p;
    assert_int_equal(cxl_run(&p, args, 60), rc);
    char *said = cxl_slurp(&p, stream);
    assert_non_null(said);
    if (!strstr(said, text))
        fail_msg("%s does not say \"%s\":\n%s", stream, text, said);
    free(said);
    cxl_cleanup(&p);
}

char *cxl_slurp(const struct proc *p, const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", p->dir, name);
    return cxt_read_file(path, NULL);
}

json_t *cxl_summary(const struct proc *p)
{
    char path[400];
    snprintf(path, sizeof path, "%s/out/summary.json", p->dir);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j) {
        char *err = cxl_slurp(p, "stderr");
        fail_msg("%s: %s (stderr: %s)", path, e.text, err ? err : "");
    }
    return j;
}

void cxl_cleanup(struct proc *p)
{
    cxt_rmrf(p->dir);
}

double cxl_num(const json_t *o, const char *a, const char *b)
{
    const json_t *x = json_object_get(o, a);
    return json_number_value(b ? json_object_get(x, b) : x);
}

double cxl_violations(const json_t *s, const char *name)
{
    return cxl_num(json_object_get(s, "violations"), name, "count");
}

void cxl_path_of(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", cxl_src(), rel);
}

const json_t *cxl_example(const json_t *s, const char *name)
{
    const json_t *v = json_object_get(json_object_get(s, "violations"), name);
    return json_array_get(json_object_get(v, "examples"), 0);
}

const char *cxl_example_what(const json_t *s, const char *name)
{
    return json_string_value(json_object_get(cxl_example(s, name), "what"));
}
