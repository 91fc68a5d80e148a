/* test_render.c - `cxreport text|json|junit|hgrm` of the fixture run tests/data/run-a against
 * golden files (tests/data/golden), --out, and bad input: each case a directory under
 * tests/data named for what is wrong with it, answered by a message naming the file (and line)
 * and exit 1, never a crash. Runs the built cxreport (CXREPORT_BIN).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cxrtest.h"

/* cxreport ARGS... must exit 0 with stdout equal to the golden file NAME and nothing on stderr. */
static void golden_run(const char *name, const char *const *args)
{
    struct cxr_proc p;
    cxr_run(&p, args);
    if (p.status != 0)
        fail_msg("exit %d, stderr: %s", p.status, p.err);
    assert_string_equal(p.err, "");
    cxr_golden(name, p.out);
    cxr_proc_free(&p);
}

static void test_text(void **state)
{
    const char *args[] = {"text", cxr_data("run-a"), NULL};
    golden_run("run-a.txt", args);
}

static void test_json(void **state)
{
    const char *args[] = {"json", cxr_data("run-a"), NULL};
    golden_run("run-a.json", args);
    /* the pretty-printed summary is the file cxload wrote, byte for byte */
    char path[1024];
    snprintf(path, sizeof path, "%s/run-a/summary.json", CXR_TEST_DATA);
    char *orig = cxr_slurp(path);
    struct cxr_proc p;
    cxr_run(&p, args);
    assert_string_equal(p.out, orig);
    free(orig);
    cxr_proc_free(&p);
}

static void test_junit(void **state)
{
    const char *args[] = {"junit", cxr_data("run-a"), NULL};
    golden_run("run-a.junit.xml", args);
}

static void test_hgrm_all(void **state)
{
    const char *args[] = {"hgrm", cxr_data("run-a"), NULL};
    golden_run("run-a.hgrm", args);
}

static void test_hgrm_tag(void **state)
{
    const char *args[] = {"hgrm", cxr_data("run-a"), "--tag", "read", NULL};
    golden_run("run-a.read.hgrm", args);
    struct cxr_proc p;
    cxr_run(&p, args);
    /* 30 reads (20 + 10 in the log), max 0.509 ms */
    assert_non_null(strstr(p.out, "Total count    =           30]"));
    assert_non_null(strstr(p.out, "#[Max     =        0.509,"));
    cxr_proc_free(&p);
}

static void test_hgrm_unknown_tag(void **state)
{
    const char *args[] = {"hgrm", cxr_data("run-a"), "--tag", "nope", NULL};
    struct cxr_proc p;
    assert_int_equal(cxr_run(&p, args), 1);
    assert_non_null(strstr(p.err, "run-a/latency.hlog: no tag \"nope\" (tags: accept, read)"));
    assert_string_equal(p.out, "");
    cxr_proc_free(&p);
}

static void test_out_file(void **state)
{
    char *dir = cxr_tmpdir(), out[600];
    snprintf(out, sizeof out, "%s/summary.txt", dir);
    const char *args[] = {"text", cxr_data("run-a"), "--out", out, NULL};
    struct cxr_proc p;
    assert_int_equal(cxr_run(&p, args), 0);
    assert_string_equal(p.out, "");
    char *text = cxr_slurp(out);
    assert_non_null(text);
    cxr_golden("run-a.txt", text);
    free(text);
    cxr_proc_free(&p);
    /* an --out that cannot be written: exit 1, named */
    char bad[700];
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.txt", dir);
    const char *args2[] = {"junit", cxr_data("run-a"), "--out", bad, NULL};
    assert_int_equal(cxr_run(&p, args2), 1);
    assert_non_null(strstr(p.err, bad));
    cxr_proc_free(&p);
    cxr_rmrf(dir);
    free(dir);
}

/* Bad input: cxreport CMD DATA/CASE exits 1 and says WANT (DATA stands for the data dir). */
struct bad_case {
    const char *cmd, *dir, *want;
};

static const struct bad_case bad_cases[] = {
    {"text", "bad-syntax",
     "cxreport: DATA/bad-syntax/summary.json:4:27: not JSON: string or '}' expected near ','\n"},
    {"json", "bad-shape",
     "cxreport: DATA/bad-shape/summary.json:5:14: requests.count: expected a number\n"},
    {"junit", "bad-missing",
     "cxreport: DATA/bad-missing/summary.json:1:1: latency: missing (expected an object)\n"},
    {"hgrm", "bad-hlog", "cxreport: DATA/bad-hlog/latency.hlog:6: histogram is not base64\n"},
    {"html", "bad-hlog", "cxreport: DATA/bad-hlog/latency.hlog:6: histogram is not base64\n"},
    {"text", "no-such-run", "cxreport: DATA/no-such-run: No such file or directory\n"},
    {"text", "golden/run-a.txt",
     "cxreport: DATA/golden/run-a.txt: not a directory (expected a run directory written by "
     "cxload)\n"},
    {"hgrm", "bad-syntax",
     "cxreport: DATA/bad-syntax/summary.json:4:27: not JSON: string or '}' expected near ','\n"},
};

/* S with every occurrence of the data directory's path replaced by "DATA". */
static char *masked(const char *s)
{
    size_t dl = strlen(CXR_TEST_DATA);
    char *out = malloc(strlen(s) + 1), *o = out;
    assert_non_null(out);
    while (*s) {
        if (strncmp(s, CXR_TEST_DATA, dl) == 0) {
            o += sprintf(o, "DATA");
            s += dl;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static void test_bad_input(void **state)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", CXR_TEST_DATA, c->dir);
        const char *args[] = {c->cmd, dir, NULL};
        struct cxr_proc p;
        int rc = cxr_run(&p, args);
        char *err = masked(p.err);
        if (rc != 1 || strcmp(err, c->want) != 0)
            fail_msg("cxreport %s %s: exit %d (want 1)\n  stderr: %s  want:   %s", c->cmd, c->dir,
                     rc, err, c->want);
        if (strcmp(c->cmd, "html") != 0)
            assert_string_equal(p.out, "");
        free(err);
        cxr_proc_free(&p);
    }
}

static void test_missing_summary(void **state)
{
    char *dir = cxr_tmpdir();
    const char *args[] = {"text", dir, NULL};
    struct cxr_proc p;
    assert_int_equal(cxr_run(&p, args), 1);
    char want[700];
    snprintf(want, sizeof want,
             "cxreport: %s/summary.json: cannot open: No such file or directory\n", dir);
    assert_string_equal(p.err, want);
    cxr_proc_free(&p);
    /* a summary without its latency.hlog: text renders, hgrm says which file is missing */
    char path[700];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *sum = cxr_slurp(cxr_data("run-a/summary.json"));
    cxr_write(path, sum);
    free(sum);
    assert_int_equal(cxr_run(&p, args), 0);
    cxr_proc_free(&p);
    const char *args2[] = {"hgrm", dir, NULL};
    assert_int_equal(cxr_run(&p, args2), 1);
    snprintf(want, sizeof want, "cxreport: %s/latency.hlog: No such file or directory\n", dir);
    assert_string_equal(p.err, want);
    cxr_proc_free(&p);
    cxr_rmrf(dir);
    free(dir);
}

static void test_usage(void **state)
{
    struct cxr_proc p;
    const char *none[] = {NULL};
    assert_int_equal(cxr_run(&p, none), 1);
    assert_non_null(strstr(p.err, "expected a command"));
    cxr_proc_free(&p);

    const char *help[] = {"--help", NULL};
    assert_int_equal(cxr_run(&p, help), 0);
    assert_non_null(strstr(p.out, "cxreport merge RUN_DIR... --out DIR"));
    assert_non_null(strstr(p.out, "cxreport diff BASELINE_DIR RUN_DIR [--tolerance 10%]"));
    assert_non_null(strstr(p.out, "exit codes:"));
    cxr_proc_free(&p);

    const char *version[] = {"--version", NULL};
    assert_int_equal(cxr_run(&p, version), 0);
    assert_true(strncmp(p.out, "cxreport ", 9) == 0);
    cxr_proc_free(&p);

    const char *const *const bad[] = {
        (const char *const[]){"frobnicate", NULL},
        (const char *const[]){"text", NULL},
        (const char *const[]){"text", "a", "b", NULL},
        (const char *const[]){"text", "a", "--tag", "x", NULL},
        (const char *const[]){"text", "a", "--bogus", NULL},
        (const char *const[]){"text", "a", "--out", NULL},
        (const char *const[]){"merge", "a", "b", NULL},
        (const char *const[]){"diff", "a", NULL},
        (const char *const[]){"diff", "a", "b", "--tolerance", "lots", NULL},
        (const char *const[]){"html", "a", "--tolerance", "5%", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(cxr_run(&p, bad[i]), 1);
        if (!strstr(p.err, "(cxreport --help for usage)"))
            fail_msg("case %zu (%s): stderr %s", i, bad[i][0], p.err);
        cxr_proc_free(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_hgrm_all),
        cmocka_unit_test(test_hgrm_tag),
        cmocka_unit_test(test_hgrm_unknown_tag),
        cmocka_unit_test(test_out_file),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_missing_summary),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
