/* test_thresholds.c - k6-style thresholds judged on a summary (thresholds.h): latency
 * percentiles from the histogram, violation counts, error rate, achieved starts; a threshold on a
 * figure the run does not have fails rather than passing silently. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "thresholds.h"

static struct cx_hist *lat;

static const struct cx_hist *hist_for(void *ctx, const char *tag)
{
    return strcmp(tag, "") == 0 || strcmp(tag, "accept") == 0 ? lat : NULL;
}

static json_t *summary(const char *thresholds)
{
    char text[4096];
    snprintf(
        text, sizeof text,
        "{\"requests\": {\"count\": 1000, \"failed\": 5, \"ratePerS\": 100},"
        " \"iterations\": {\"offered\": 100, \"started\": 98, \"late\": 3},"
        " \"violations\": {\"SILENT_DROP\": {\"count\": 2}, \"DUPLICATE_ACCEPT\": {\"count\": 0}},"
        " \"thresholds\": %s}",
        thresholds);
    json_t *s = json_loads(text, 0, NULL);
    assert_non_null(s);
    return s;
}

static int ok_at(json_t *s, size_t i)
{
    return json_is_true(json_object_get(json_array_get(json_object_get(s, "thresholds"), i), "ok"));
}

static void test_latency_percentiles(void **state)
{
    cx_hist_new(&lat);
    for (int v = 1; v <= 1000; v++)
        cx_hist_record(lat, v * 1000); /* 1..1000 ms */
    json_t *s = summary("[{\"text\": \"a\", \"metric\": \"latency\", \"selector\": \"accept\","
                        " \"stat\": \"p\", \"pct\": 99, \"cmp\": \"<\", \"value\": 995},"
                        " {\"text\": \"b\", \"metric\": \"latency\", \"selector\": \"\","
                        " \"stat\": \"p\", \"pct\": 99, \"cmp\": \"<\", \"value\": 985},"
                        " {\"text\": \"c\", \"metric\": \"latency\", \"selector\": \"nope\","
                        " \"stat\": \"p\", \"pct\": 50, \"cmp\": \"<\", \"value\": 1e9}]");
    assert_int_equal(thresholds_eval(s, hist_for, NULL), 2);
    assert_true(ok_at(s, 0));  /* p99 = 990 ms (within a bucket) < 995 */
    assert_false(ok_at(s, 1)); /* not < 985 */
    assert_false(ok_at(s, 2)); /* no such tag: fails, actual null */
    assert_true(json_is_null(
        json_object_get(json_array_get(json_object_get(s, "thresholds"), 2), "actual")));
    assert_false(json_is_true(json_object_get(s, "passed")));
    json_decref(s);
    cx_hist_free(lat);
}

static void test_counts_and_rates(void **state)
{
    json_t *s =
        summary("[{\"text\": \"v\", \"metric\": \"violations\", \"selector\": \"SILENT_DROP\","
                " \"stat\": \"count\", \"cmp\": \">=\", \"value\": 1},"
                " {\"text\": \"d\", \"metric\": \"violations\", \"selector\": \"DUPLICATE_ACCEPT\","
                " \"stat\": \"count\", \"cmp\": \"==\", \"value\": 0},"
                " {\"text\": \"all\", \"metric\": \"violations\", \"selector\": \"\","
                " \"stat\": \"count\", \"cmp\": \"==\", \"value\": 0},"
                " {\"text\": \"e\", \"metric\": \"errors\", \"selector\": \"\","
                " \"stat\": \"rate\", \"cmp\": \"<\", \"value\": 0.01},"
                " {\"text\": \"o\", \"metric\": \"offered\", \"selector\": \"\","
                " \"stat\": \"achieved\", \"cmp\": \">=\", \"value\": 0.99}]");
    assert_int_equal(thresholds_eval(s, hist_for, NULL), 2);
    assert_true(ok_at(s, 0));
    assert_true(ok_at(s, 1));
    assert_false(ok_at(s, 2)); /* 2 violations in all */
    assert_true(ok_at(s, 3));  /* 5 / 1000 = 0.005 */
    assert_false(ok_at(s, 4)); /* 98 of 100 started */
    json_decref(s);
}

/* violations{RULE}: every violation type of that rule, and the failed expectations whose step
 * named it (ACC-03, PRI-06); a rule nothing was found for counts 0. */
static void test_violations_by_rule(void **state)
{
    json_t *s =
        json_loads("{\"violations\": {\"SILENT_DROP\": {\"count\": 2, \"rule\": \"REJ-03\"},"
                   " \"EXPECT_FAILED\": {\"count\": 3, \"rule\": \"scenario\","
                   " \"rules\": {\"ACC-03\": 2, \"PRI-06\": 1}}},"
                   " \"thresholds\": ["
                   "{\"text\": \"a\", \"metric\": \"violations\", \"selector\": \"REJ-03\","
                   " \"stat\": \"count\", \"cmp\": \"==\", \"value\": 2},"
                   " {\"text\": \"b\", \"metric\": \"violations\", \"selector\": \"ACC-03\","
                   " \"stat\": \"count\", \"cmp\": \"==\", \"value\": 2},"
                   " {\"text\": \"c\", \"metric\": \"violations\", \"selector\": \"PRI-06\","
                   " \"stat\": \"count\", \"cmp\": \">=\", \"value\": 2},"
                   " {\"text\": \"d\", \"metric\": \"violations\", \"selector\": \"GWS-04\","
                   " \"stat\": \"count\", \"cmp\": \"==\", \"value\": 0}]}",
                   0, NULL);
    assert_non_null(s);
    assert_int_equal(thresholds_eval(s, hist_for, NULL), 1);
    assert_true(ok_at(s, 0));
    assert_true(ok_at(s, 1));
    assert_false(ok_at(s, 2)); /* PRI-06: 1 */
    assert_true(ok_at(s, 3));
    json_decref(s);
}

/* A summary with no violations object was never judged: every violation threshold fails,
 * "no violations at all" included, instead of reading the missing counts as zero. */
static void test_unjudged_run_fails_closed(void **state)
{
    json_t *s =
        json_loads("{\"thresholds\": ["
                   "{\"text\": \"a\", \"metric\": \"violations\", \"selector\": \"\","
                   " \"stat\": \"count\", \"cmp\": \"==\", \"value\": 0},"
                   " {\"text\": \"b\", \"metric\": \"violations\","
                   " \"selector\": \"DUPLICATE_ACCEPT\", \"stat\": \"count\", \"cmp\": \"==\","
                   " \"value\": 0},"
                   " {\"text\": \"c\", \"metric\": \"violations\", \"selector\": \"ACC-05\","
                   " \"stat\": \"count\", \"cmp\": \"==\", \"value\": 0}]}",
                   0, NULL);
    assert_non_null(s);
    assert_int_equal(thresholds_eval(s, hist_for, NULL), 3);
    assert_false(json_is_true(json_object_get(s, "passed")));
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latency_percentiles),
        cmocka_unit_test(test_counts_and_rates),
        cmocka_unit_test(test_violations_by_rule),
        cmocka_unit_test(test_unjudged_run_fails_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
