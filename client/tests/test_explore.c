/* test_explore.c - SIM-05: `cxload explore` runs every release order of a scenario's races,
 * each on a fresh embedded mock. On the accept-race pair (ACC-05: first wins) the naive client
 * violates in every order, each naming that order's loser, and the correct one in none; each
 * row's replay command gives that order's run again. Three racers make six orders, all run
 * and distinct; with --max-orders below that, distinct samples. A scenario whose users do not
 * take turns cannot be explored. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxltest.h"

/* OUT/explore.json of P. */
static json_t *index_of(const struct proc *p)
{
    char path[400];
    snprintf(path, sizeof path, "%s/out/explore.json", p->dir);
    json_t *j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    return j;
}

static const char *what_of(const json_t *row, const char *violation)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(row, "violations"), violation), "what"));
}

static void test_accept_race_pair(void **state)
{
    (void)state;
    char naive[512], correct[512];
    cxl_path_of(naive, sizeof naive, "scenarios/accept-race/naive.json");
    cxl_path_of(correct, sizeof correct, "scenarios/accept-race/correct.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"explore", naive, "--out", "@OUT", NULL}, 120),
                     99);
    json_t *ix = index_of(&p);
    json_t *runs = json_object_get(ix, "runs");
    assert_int_equal(json_array_size(runs), 2);
    assert_true(json_is_true(json_object_get(ix, "exhaustive")));
    static const char *const losers[] = {"agent-voice-2 acted", "agent-voice-1 acted"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *row = json_array_get(runs, i);
        const char *what = what_of(row, "DUPLICATE_ACCEPT");
        assert_non_null(what);
        if (strncmp(what, losers[i], strlen(losers[i])) != 0)
            fail_msg("order %zu: %s (expected the loser %s)", i + 1, what, losers[i]);
        assert_non_null(strstr(json_string_value(json_object_get(row, "replay")),
                               i ? "--order ring#0=1,0" : "--order ring#0=0,1"));
    }
    char *out = cxl_slurp(&p, "stdout");
    assert_non_null(strstr(out, "2 of 2 orders violated"));
    free(out);
    json_decref(ix);
    cxl_cleanup(&p);

    assert_int_equal(cxl_run(&p, (const char *[]){"explore", correct, "--out", "@OUT", NULL}, 120),
                     0);
    ix = index_of(&p);
    assert_int_equal(json_integer_value(json_object_get(ix, "violating")), 0);
    assert_int_equal(json_array_size(json_object_get(ix, "runs")), 2);
    json_decref(ix);
    cxl_cleanup(&p);
}

/* A row's replay command, run, gives that row's loser again. */
static void test_replay_command_replays(void **state)
{
    (void)state;
    char naive[512];
    cxl_path_of(naive, sizeof naive, "scenarios/accept-race/naive.json");
    struct proc p;
    const char *args[] = {"run",        naive,   "--seed", "1",       "--order",
                          "ring#0=1,0", "--out", "@OUT",   "--quiet", NULL};
    assert_int_equal(cxl_run(&p, args, 60), 0);
    json_t *s = cxl_summary(&p);
    const char *what = cxl_example_what(s, "DUPLICATE_ACCEPT");
    assert_non_null(what);
    assert_true(strncmp(what, "agent-voice-1 acted", 19) == 0);
    json_decref(s);
    cxl_cleanup(&p);
}

/* The distinct "orders" of an index's runs: N of them, each a permutation of 0,1,2. */
static void assert_distinct_orders(const json_t *runs, size_t n)
{
    assert_int_equal(json_array_size(runs), n);
    for (size_t i = 0; i < n; i++) {
        const char *a = json_string_value(json_object_get(json_array_get(runs, i), "orders"));
        assert_non_null(a);
        assert_true(strncmp(a, "go#0=", 5) == 0 && strlen(a) == 10);
        for (int r = 0; r < 3; r++)
            assert_non_null(strchr(a + 5, '0' + r));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(
                a, json_string_value(json_object_get(json_array_get(runs, j), "orders")));
    }
}

static void test_every_order_then_samples(void **state)
{
    (void)state;
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/three-racers.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"explore", sc, "--out", "@OUT", NULL}, 120), 0);
    json_t *ix = index_of(&p);
    assert_true(json_is_true(json_object_get(ix, "exhaustive")));
    assert_int_equal(json_integer_value(json_object_get(ix, "orders")), 6);
    assert_distinct_orders(json_object_get(ix, "runs"), 6);
    json_decref(ix);
    cxl_cleanup(&p);

    assert_int_equal(
        cxl_run(&p, (const char *[]){"explore", sc, "--max-orders", "4", "--out", "@OUT", NULL},
                120),
        0);
    ix = index_of(&p);
    assert_true(json_is_false(json_object_get(ix, "exhaustive")));
    assert_distinct_orders(json_object_get(ix, "runs"), 4);
    char *out = cxl_slurp(&p, "stdout");
    assert_non_null(strstr(out, "4 uniform samples (PCT)"));
    free(out);
    json_decref(ix);
    cxl_cleanup(&p);
}

static void test_not_a_turn_taking_scenario(void **state)
{
    (void)state;
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/barrier-never-fills-scaled.json");
    cxl_run_says((const char *[]){"explore", sc, "--out", "@OUT", NULL}, 1, "stderr",
                 "explore needs \"clock\": \"manual\" and a closed load");
    cxl_run_says((const char *[]){"explore", sc, "--target", "http://127.0.0.1:1", NULL}, 1,
                 "stderr", "is not an explore option");
    cxl_run_says((const char *[]){"explore", "--help", NULL}, 0, "stdout",
                 "usage: cxload explore SCENARIO.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_race_pair),
        cmocka_unit_test(test_replay_command_replays),
        cmocka_unit_test(test_every_order_then_samples),
        cmocka_unit_test(test_not_a_turn_taking_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
