/* test_saturation.c - what summary.json and the warnings say of a target out of workers and of a
 * driver that fell behind (saturation.h), from counts made up here: the definition, not a run
 * (test_connections makes a target saturate for real). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "hist.h"
#include "saturation.h"

static const json_t *at(const json_t *o, const char *a, const char *b)
{
    return json_object_get(json_object_get(o, a), b);
}

/* The summary of a run whose loops started N things, LATE of them SAT_LAG_BOUND_US + 1 late
 * (the others on time), against a target that was read (or not: PROBED 0) with SATURATED more
 * connections after than before. */
static json_t *summarize(int n, int late, int probed, long saturated)
{
    struct stats all;
    assert_int_equal(stats_init(&all, 0), 0);
    for (int i = 0; i < n; i++)
        cx_hist_record(all.lag, i < late ? SAT_LAG_BOUND_US + 1 : 50);
    all.lag_over = late;
    struct saturation s = {.probed = probed, .after_ok = probed};
    s.before = (struct target_workers){.workers = 136, .saturated = 5};
    s.after = (struct target_workers){.workers = 136, .saturated = 5 + saturated};
    struct run_shared rs = {.connections = 128};
    json_t *sum = json_object();
    saturation_summarize(sum, &s, &rs, &all);
    stats_free(&all);
    return sum;
}

/* 1 % late is on the line, not over it; one more late start is. */
static void test_driver_fell_behind_past_one_percent(void **state)
{
    json_t *s = summarize(1000, 10, 1, 0);
    assert_true(json_is_false(json_object_get(at(s, "saturation", "driver"), "fellBehind")));
    assert_int_equal(json_array_size(json_object_get(s, "warnings")), 0);
    json_decref(s);
    s = summarize(1000, 11, 1, 0);
    const json_t *d = at(s, "saturation", "driver");
    assert_true(json_is_true(json_object_get(d, "fellBehind")));
    assert_int_equal(json_integer_value(json_object_get(d, "starts")), 1000);
    assert_int_equal(json_integer_value(json_object_get(d, "lateStarts")), 11);
    const char *w = json_string_value(json_array_get(json_object_get(s, "warnings"), 0));
    assert_non_null(strstr(w, "the driver fell behind: 11 of the 1000"));
    json_decref(s);
    s = summarize(0, 0, 1, 0); /* nothing was due: nothing was late */
    assert_true(json_is_false(json_object_get(at(s, "saturation", "driver"), "fellBehind")));
    json_decref(s);
}

/* The target's saturation is this run's: the counter's growth over the load, not its value. */
static void test_target_saturation_is_the_runs(void **state)
{
    json_t *s = summarize(10, 0, 1, 0);
    const json_t *t = at(s, "saturation", "target");
    assert_int_equal(json_integer_value(json_object_get(t, "workers")), 136);
    assert_int_equal(json_integer_value(json_object_get(t, "saturatedConnections")), 0);
    assert_int_equal(json_array_size(json_object_get(s, "warnings")), 0);
    json_decref(s);
    s = summarize(10, 0, 1, 3);
    t = at(s, "saturation", "target");
    assert_int_equal(json_integer_value(json_object_get(t, "saturatedConnections")), 3);
    const char *w = json_string_value(json_array_get(json_object_get(s, "warnings"), 0));
    assert_non_null(strstr(w, "the target held connections waiting for a worker: 3 opened while "
                              "all 136 of its worker threads were busy"));
    assert_non_null(strstr(w, "at least 129 here"));
    json_decref(s);
    s = summarize(10, 0, 0, 0); /* not a cxmock, or not asked: nothing said of the target */
    assert_true(json_is_null(at(s, "saturation", "target")));
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver_fell_behind_past_one_percent),
        cmocka_unit_test(test_target_saturation_is_the_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
