/* test_suite.c - `cxreport suite` (suite.h), the conformance gate's judge: a suite of passing
 * runs exits 0, one failed run makes it exit 99 and is named with what it expected; the JUnit
 * document holds one testsuite per run; the HTML index links each run's own report.html; a
 * missing run directory is a usage error naming it. Runs are tests/data/run-a with its verdict
 * edited.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cxrtest.h"

/* DIR/NAME: run-a's summary (and latency log), passed or failed as PASSED says. */
static char *make_run(const char *dir, const char *name, int passed)
{
    json_t *s = json_load_file(cxr_data("run-a/summary.json"), 0, NULL);
    assert_non_null(s);
    json_object_set_new(s, "scenario", json_string(name));
    json_object_set_new(s, "passed", json_boolean(passed));
    json_object_set_new(s, "exitCode", json_integer(passed ? 0 : 99));
    /* a violation no threshold names: the scenario's consequence, not its verdict */
    json_object_set_new(json_object_get(s, "violations"), "EXPECT_FAILED",
                        json_pack("{si ss s[{ss}]}", "count", 1, "rule", "scenario", "examples",
                                  "what", "expected status 200; got status 409"));
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(s, "thresholds"), i, t)
        json_object_set_new(t, "ok", json_boolean(passed));
    char *path;
    assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
    cxr_write_run(path, s);
    char log[4096];
    snprintf(log, sizeof log, "%s/latency.hlog", path);
    char *hlog = cxr_slurp(cxr_data("run-a/latency.hlog"));
    cxr_write(log, hlog);
    free(hlog);
    json_decref(s);
    return path;
}

/* `cxreport suite` over two runs, trap-naive (passed as NAIVE_PASSED says) and a passing
 * trap-correct, with --junit: its exit status, output in *P and the JUnit text in *JUNIT. */
static int suite_of_two(int naive_passed, struct cxr_proc *p, char **junit)
{
    char *dir = cxr_tmpdir(), *a = make_run(dir, "trap-naive", naive_passed),
         *b = make_run(dir, "trap-correct", 1);
    char path[4096];
    snprintf(path, sizeof path, "%s/junit.xml", dir);
    int status = cxr_run(p, (const char *[]){"suite", a, b, "--junit", path, "--skip",
                                              "admin-trap: needs the mock's admin API", NULL});
    *junit = cxr_slurp(path);
    cxr_rmrf(dir);
    free(a), free(b), free(dir);
    return status;
}

static void test_all_passed(void **state)
{
    struct cxr_proc p;
    char *x;
    assert_int_equal(suite_of_two(1, &p, &x), 0);
    assert_non_null(strstr(p.out, "PASS   trap-naive"));
    assert_non_null(strstr(p.out, "PASS   trap-correct"));
    assert_non_null(strstr(p.out, "2 scenarios: 2 passed, 0 failed"));
    /* run-a found DUPLICATE_ACCEPT: listed with its rule */
    assert_non_null(strstr(p.out, "DUPLICATE_ACCEPT (ACC-05)"));
    assert_true(strncmp(x, "<?xml", 5) == 0);
    assert_int_equal(cxr_count(x, "<testsuite "), 3);
    assert_int_equal(cxr_count(x, "</testsuite>"), 3);
    assert_int_equal(cxr_count(x, "<testsuites"), 1);
    /* the scenarios' thresholds held: nothing fails, the violations found are listed, each
     * test classed by its scenario; the scenario not run is a skipped test */
    assert_int_equal(cxr_count(x, "<failure"), 0);
    assert_non_null(strstr(x, "found (within the thresholds)"));
    assert_non_null(strstr(x, "found (no threshold names it: the run does not fail on it)"));
    assert_non_null(strstr(x, "classname=\"trap-naive.violations\""));
    assert_non_null(strstr(x, "classname=\"trap-correct.thresholds\""));
    assert_non_null(strstr(x, "<testcase classname=\"admin-trap.verdict\" name=\"not run\">"
                              "<skipped message=\"needs the mock&#39;s admin API\"/>"));
    free(x);
    cxr_proc_free(&p);
}

static void test_one_failed_exits_99(void **state)
{
    struct cxr_proc p;
    char *x;
    assert_int_equal(suite_of_two(0, &p, &x), 99);
    assert_non_null(strstr(p.out, "FAIL   trap-naive"));
    assert_non_null(strstr(p.out, "expected: "));
    assert_non_null(strstr(p.out, "2 scenarios: 1 passed, 1 failed"));
    /* a failure exactly where the run failed: its three failed thresholds and the violation
     * one of them counts; not the violation no threshold names */
    assert_int_equal(cxr_count(x, "<failure"), 4);
    assert_non_null(strstr(x, "name=\"DUPLICATE_ACCEPT (ACC-05)\"><failure"));
    assert_null(strstr(x, "name=\"EXPECT_FAILED (scenario)\"><failure"));
    free(x);
    cxr_proc_free(&p);
}

static void test_html_index_links_each_run(void **state)
{
    char *dir = cxr_tmpdir(), *a = make_run(dir, "trap-naive", 1),
         *b = make_run(dir, "trap-correct", 0);
    char index[4096], page[4096], b2[4096];
    /* a doubled slash (--out dir/ in a script) must not break the relative links */
    snprintf(index, sizeof index, "%s/index.html", dir);
    snprintf(b2, sizeof b2, "%s//trap-correct", dir);
    struct cxr_proc p;
    assert_int_equal(cxr_run(&p, (const char *[]){"suite", a, b2, "--html", index, "--title",
                                                  "suite <&>", NULL}),
                     99);
    char *h = cxr_slurp(index);
    assert_true(strncmp(h, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(h, "href=\"trap-naive/report.html\""));
    assert_non_null(strstr(h, "href=\"trap-correct/report.html\""));
    assert_non_null(strstr(h, "suite &lt;&amp;&gt;"));
    assert_null(strstr(h, "suite <&>"));
    assert_int_equal(cxr_count(h, "<tr>"), 3);
    assert_int_equal(cxr_count(h, "<table>"), cxr_count(h, "</table>"));
    assert_non_null(strstr(h, "</html>"));
    free(h);
    snprintf(page, sizeof page, "%s/report.html", a);
    assert_int_equal(access(page, R_OK), 0);
    cxr_proc_free(&p);
    cxr_rmrf(dir);
    free(a), free(b), free(dir);
}

static void test_missing_run_is_named(void **state)
{
    struct cxr_proc p;
    assert_int_equal(cxr_run(&p, (const char *[]){"suite", "/nonexistent/run", NULL}), 1);
    assert_non_null(strstr(p.err, "/nonexistent/run"));
    cxr_proc_free(&p);
    assert_int_equal(cxr_run(&p, (const char *[]){"suite", NULL}), 1);
    cxr_proc_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_passed),
        cmocka_unit_test(test_one_failed_exits_99),
        cmocka_unit_test(test_html_index_links_each_run),
        cmocka_unit_test(test_missing_run_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
