/* test_diff.c - `cxreport diff` (diff.h): identical runs pass; a slower tag, a lower rate, more
 * errors, a new violation or a vanished tag is a regression (exit 99, named); changes within the
 * tolerance, a faster run and a slower max are not. Variants of tests/data/run-a are made by
 * editing one figure of its summary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxrtest.h"
#include "diff.h"

static json_t *run_a(void)
{
    json_t *s = json_load_file(cxr_data("run-a/summary.json"), 0, NULL);
    assert_non_null(s);
    return s;
}

static json_t *tag(json_t *s, const char *name)
{
    return json_object_get(json_object_get(json_object_get(s, "latency"), "tags"), name);
}

static void scale(json_t *o, const char *k, double by)
{
    json_object_set_new(o, k, json_real(json_number_value(json_object_get(o, k)) * by));
}

/* diff BASE against RUN at TOLERANCE: the number of regressions, and the output in *out. */
static int diff(const json_t *base, const json_t *run, double tolerance, char **out)
{
    size_t len = 0;
    FILE *m = open_memstream(out, &len);
    assert_non_null(m);
    int n = diff_summaries(m, base, run, "base", "run", tolerance);
    fclose(m);
    return n;
}

static void test_identical(void **state)
{
    json_t *a = run_a();
    char *out;
    assert_int_equal(diff(a, a, 0.10, &out), 0);
    assert_non_null(strstr(out, "no regression (tolerance 10%)"));
    assert_null(strstr(out, "REGRESSION"));
    /* every tag's p50/p90/p99/max, the rate, the error rate and nonzero violations are listed */
    assert_non_null(strstr(out, "latency{accept} p90 ms"));
    assert_non_null(strstr(out, "latency{read} max ms"));
    assert_non_null(strstr(out, "latency (all) p99 ms"));
    assert_non_null(strstr(out, "requests/s"));
    assert_non_null(strstr(out, "error rate"));
    assert_non_null(strstr(out, "violations{DUPLICATE_ACCEPT} (ACC-05)"));
    assert_non_null(strstr(out, "(2 more violation checks: 0 in both)"));
    free(out);
    json_decref(a);
}

static void test_slower(void **state)
{
    json_t *a = run_a(), *b = run_a();
    scale(tag(b, "accept"), "p99", 2);
    char *out;
    assert_int_equal(diff(a, b, 0.10, &out), 1);
    assert_non_null(strstr(out, "latency{accept} p99 ms"));
    assert_non_null(strstr(out, "+100.0%  REGRESSION"));
    assert_non_null(strstr(out, "1 regression (tolerance 10%):\n  latency{accept} p99 ms: 9.007 -> "
                                "18.014 ms (+100.0%)\n"));
    free(out);
    /* within a wider tolerance: none */
    assert_int_equal(diff(a, b, 1.10, &out), 0);
    free(out);
    /* 5 % slower at p50 is within 10 % */
    json_decref(b);
    b = run_a();
    scale(tag(b, "read"), "p50", 1.05);
    assert_int_equal(diff(a, b, 0.10, &out), 0);
    free(out);
    /* faster is never a regression; max is shown, not judged */
    scale(tag(b, "read"), "p90", 0.5);
    scale(tag(b, "accept"), "max", 3);
    assert_int_equal(diff(a, b, 0.10, &out), 0);
    assert_non_null(strstr(out, "+200.0%  (not judged)"));
    free(out);
    json_decref(a);
    json_decref(b);
}

static void test_rates_and_errors(void **state)
{
    json_t *a = run_a(), *b = run_a();
    scale(json_object_get(b, "requests"), "ratePerS", 0.8); /* 20 % less throughput */
    char *out;
    assert_int_equal(diff(a, b, 0.10, &out), 1);
    assert_non_null(strstr(out, "requests/s: 42.0 -> 33.6/s (-20.0%)"));
    free(out);
    assert_int_equal(diff(b, a, 0.10, &out), 0); /* more throughput is fine */
    free(out);
    json_decref(b);
    b = run_a();
    json_object_set_new(json_object_get(b, "requests"), "failed", json_integer(25)); /* 17 -> 25 */
    assert_int_equal(diff(a, b, 0.10, &out), 1);
    assert_non_null(strstr(out, "error rate (failed / requests) %: 16.19 -> 23.81 % (+47.1%)"));
    free(out);
    /* from no error at all, any error is a regression */
    json_object_set_new(json_object_get(a, "requests"), "failed", json_integer(0));
    json_object_set_new(json_object_get(b, "requests"), "failed", json_integer(1));
    assert_int_equal(diff(a, b, 0.10, &out), 1);
    assert_non_null(strstr(out, "0.00 -> 0.95 % (from 0)"));
    free(out);
    json_decref(a);
    json_decref(b);
}

static void test_violations_and_tags(void **state)
{
    json_t *a = run_a(), *b = run_a();
    json_object_set_new(json_object_get(json_object_get(b, "violations"), "STALE_READ"), "count",
                        json_integer(1));
    char *out;
    assert_int_equal(diff(a, b, 0.10, &out), 1);
    assert_non_null(strstr(out, "violations{STALE_READ} (CONS-01): 0 -> 1"));
    free(out);
    /* a violation type the baseline did not check at all */
    json_object_set_new(json_object_get(b, "violations"), "RETRY_STORM",
                        json_pack("{ss si s[]}", "rule", "RATE-01", "count", 4, "examples"));
    assert_int_equal(diff(a, b, 0.10, &out), 2);
    assert_non_null(strstr(out, "violations{RETRY_STORM} (RATE-01): 0 -> 4"));
    free(out);
    /* fewer violations: fine */
    assert_int_equal(diff(b, a, 0.10, &out), 0);
    free(out);
    json_decref(b);
    /* a tag that vanished is a regression; a new one is listed */
    b = run_a();
    json_t *tags = json_object_get(json_object_get(b, "latency"), "tags");
    json_object_set(tags, "write", json_object_get(tags, "read"));
    json_object_del(tags, "read");
    assert_int_equal(diff(a, b, 0.10, &out), 1);
    assert_non_null(strstr(out, "latency{read}: the run has no such tag"));
    assert_non_null(strstr(out, "(new tag, not judged)"));
    free(out);
    json_decref(a);
    json_decref(b);
}

static void test_tolerance(void **state)
{
    double t = -1;
    assert_int_equal(diff_parse_tolerance("10%", &t), 0);
    assert_float_equal(t, 0.10, 1e-12);
    assert_int_equal(diff_parse_tolerance("2.5", &t), 0);
    assert_float_equal(t, 0.025, 1e-12);
    assert_int_equal(diff_parse_tolerance("0%", &t), 0);
    assert_float_equal(t, 0, 1e-12);
    static const char *const bad[] = {"", "%", "abc", "-5%", "10%%", "10 %", "1e9", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (diff_parse_tolerance(bad[i], &t) == 0)
            fail_msg("accepted tolerance \"%s\"", bad[i]);
}

static void test_cli(void **state)
{
    char *tmp = cxr_tmpdir(), slow[600], viol[600];
    snprintf(slow, sizeof slow, "%s/slow", tmp);
    snprintf(viol, sizeof viol, "%s/viol", tmp);
    json_t *s = run_a();
    scale(tag(s, "read"), "p90", 1.25);
    cxr_write_run(slow, s);
    json_decref(s);
    s = run_a();
    json_object_set_new(json_object_get(json_object_get(s, "violations"), "SILENT_DROP"), "count",
                        json_integer(2));
    cxr_write_run(viol, s);
    json_decref(s);
    char a[1024];
    snprintf(a, sizeof a, "%s", cxr_data("run-a"));

    struct cxr_proc p;
    const char *same[] = {"diff", a, a, NULL};
    assert_int_equal(cxr_run(&p, same), 0);
    assert_non_null(strstr(p.out, "no regression"));
    cxr_proc_free(&p);

    const char *slower[] = {"diff", a, slow, NULL};
    assert_int_equal(cxr_run(&p, slower), 99);
    assert_non_null(strstr(p.out, "1 regression (tolerance 10%):\n  latency{read} p90 ms: 0.476 -> "
                                  "0.595 ms (+25.0%)"));
    cxr_proc_free(&p);

    const char *tolerant[] = {"diff", a, slow, "--tolerance", "30%", NULL};
    assert_int_equal(cxr_run(&p, tolerant), 0);
    cxr_proc_free(&p);

    const char *violated[] = {"diff", a, viol, NULL};
    assert_int_equal(cxr_run(&p, violated), 99);
    assert_non_null(strstr(p.out, "violations{SILENT_DROP} (REJ-03): 0 -> 2"));
    cxr_proc_free(&p);

    const char *missing[] = {"diff", a, "/nonexistent/run", NULL};
    assert_int_equal(cxr_run(&p, missing), 1);
    assert_string_equal(p.err, "cxreport: /nonexistent/run: No such file or directory\n");
    cxr_proc_free(&p);

    char bad[1024];
    snprintf(bad, sizeof bad, "%s", cxr_data("bad-shape"));
    const char *malformed[] = {"diff", bad, a, NULL};
    assert_int_equal(cxr_run(&p, malformed), 1);
    assert_non_null(
        strstr(p.err, "bad-shape/summary.json:5:14: requests.count: expected a number"));
    cxr_proc_free(&p);
    cxr_rmrf(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),        cmocka_unit_test(test_slower),
        cmocka_unit_test(test_rates_and_errors), cmocka_unit_test(test_violations_and_tags),
        cmocka_unit_test(test_tolerance),        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
