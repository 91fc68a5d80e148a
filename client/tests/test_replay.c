/* test_replay.c - SIM-05: on the manual clock a race replays exactly. The accept-race naive
 * scenario (ACC-05: two agents accept one interaction at once; first wins) is run 20 times
 * with one seed, alternating --threads 1 and 2, while a CPU burner keeps both cores busy:
 * every run names the same winner and leaves a byte-identical ledger.jsonl (the mock's ledger
 * holds mock-clock times only). Seeds 1..8 between them reach both winners, and --order
 * chooses one. Every run's setup lines end before its load's begin: one time origin. Against
 * a standalone manual-clock mock as --target, fresh mocks keep byte-identical ledgers too. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cxltest.h"
#include "cxmock.h"

#define BURNERS 2

/* A ledger file's text after its START line (seq 0: the run id and wall-clock start differ from
 * run to run, SIM-03), moved to the front of text in place; the entries are what SIM-05 keeps
 * byte-identical. */
static char *entries_only(char *text)
{
    assert_non_null(text);
    assert_int_equal(strncmp(text, "{\"seq\":0,", 9), 0);
    assert_non_null(strstr(text, "\"type\":\"START\""));
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    memmove(text, nl + 1, strlen(nl + 1) + 1);
    return text;
}

static pid_t burners[BURNERS];

/* Keep every core busy, so the workers' threads are scheduled late and out of order. */
static int burn(void **state)
{
    (void)state;
    for (int i = 0; i < BURNERS; i++) {
        burners[i] = fork();
        if (burners[i] == 0) {
            volatile unsigned long x = 0;
            for (;;)
                x++;
        }
        if (burners[i] < 0)
            return -1;
    }
    return 0;
}

static int stop_burning(void **state)
{
    (void)state;
    for (int i = 0; i < BURNERS; i++)
        if (burners[i] > 0) {
            kill(burners[i], SIGKILL);
            waitpid(burners[i], NULL, 0);
            burners[i] = 0;
        }
    return 0;
}

struct outcome {
    char winner[64]; /* the agent the loser's accept answer named */
    char *ledger;    /* the run's ledger.jsonl */
};

/* Setup and load share one time origin: every setup line of the history ends before the
 * first load line starts (before, each had its own origin and their times overlapped). */
static void assert_setup_before_load(const struct proc *p)
{
    char *h = cxl_slurp(p, "out/history.jsonl");
    assert_non_null(h);
    long long setup_end = -1, load_start = -1;
    for (char *line = strtok(h, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *r = json_loads(line, 0, NULL);
        assert_non_null(r);
        long long start = (long long)json_integer_value(json_object_get(r, "startUs"));
        long long end = (long long)json_integer_value(json_object_get(r, "endUs"));
        if (json_is_true(json_object_get(r, "setup")))
            setup_end = end > setup_end ? end : setup_end;
        else if (load_start < 0 || start < load_start)
            load_start = start;
        json_decref(r);
    }
    free(h);
    assert_true(setup_end > 0 && load_start > 0);
    if (setup_end > load_start)
        fail_msg("the setup ended at %lld us, after the load began at %lld us", setup_end,
                 load_start);
}

/* Run the naive race with SEED and THREADS (and an --order, or NULL). */
static void race(const char *seed, const char *threads, const char *order, struct outcome *o)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "scenarios/accept-race/naive.json");
    struct proc p;
    const char *args[] = {"run",   sc,      "--seed", seed,      "--threads",
                          threads, "--out", "@OUT",   "--quiet", order ? "--order" : NULL,
                          order,   NULL};
    assert_int_equal(cxl_run(&p, args, 60), 0);
    json_t *s = cxl_summary(&p);
    const char *what = cxl_example_what(s, "DUPLICATE_ACCEPT");
    assert_non_null(what);
    const char *named = strstr(what, "named ");
    assert_non_null(named);
    snprintf(o->winner, sizeof o->winner, "%.*s", (int)strcspn(named + 6, " "), named + 6);
    json_decref(s);
    assert_setup_before_load(&p);
    o->ledger = entries_only(cxl_slurp(&p, "out/ledger.jsonl"));
    assert_non_null(strstr(o->ledger, "\"type\":\"ACCEPT\""));
    cxl_cleanup(&p);
}

static void test_SIM_05_same_seed_same_race(void **state)
{
    (void)state;
    struct outcome first, o;
    race("42", "1", NULL, &first);
    for (int i = 1; i < 20; i++) {
        race("42", i % 2 ? "2" : "1", NULL, &o);
        if (strcmp(o.winner, first.winner) != 0)
            fail_msg("run %d: %s won, run 0: %s", i, o.winner, first.winner);
        if (strcmp(o.ledger, first.ledger) != 0)
            fail_msg("run %d (--threads %d): its ledger differs from run 0's:\n%s\n--- run 0:\n%s",
                     i, i % 2 ? 2 : 1, o.ledger, first.ledger);
        free(o.ledger);
    }
    free(first.ledger);
}

static void test_SIM_05_seeds_reach_both_winners(void **state)
{
    (void)state;
    int won[2] = {0, 0};
    for (int seed = 1; seed <= 8; seed++) {
        char s[8];
        snprintf(s, sizeof s, "%d", seed);
        struct outcome o;
        race(s, "2", NULL, &o);
        won[strcmp(o.winner, "agent-voice-2") == 0]++;
        free(o.ledger);
    }
    if (!won[0] || !won[1])
        fail_msg("seeds 1..8: agent-voice-1 won %d times, agent-voice-2 %d", won[0], won[1]);
    /* --order picks the winner: rank 1 (user 1, agent-voice-2) first, then rank 0 */
    static const char *const orders[] = {"ring=0,1", "ring=1,0"};
    static const char *const winners[] = {"agent-voice-1", "agent-voice-2"};
    for (int k = 0; k < 2; k++) {
        struct outcome o;
        race("42", "2", orders[k], &o);
        assert_string_equal(o.winner, winners[k]);
        free(o.ledger);
    }
}

/* The same against a standalone mock (`cxmock --clock manual --seed 42 --ledger FILE`, here
 * in-process) as an outside --target: four fresh mocks, four byte-identical ledgers. */
static void test_SIM_05_standalone_mock_same_ledger(void **state)
{
    (void)state;
    char dir[256], sc[512];
    assert_int_equal(cxt_tmpdir(dir, sizeof dir, "cxload-replay"), 0);
    cxl_path_of(sc, sizeof sc, "scenarios/accept-race/naive.json");
    char *first = NULL;
    for (int k = 0; k < 4; k++) {
        char ledger[320], url[64];
        snprintf(ledger, sizeof ledger, "%s/ledger-%d.jsonl", dir, k);
        struct cxm_options mo;
        cxm_options_default(&mo);
        mo.port = 0;
        mo.clock = "manual";
        mo.seed = 42;
        mo.ledger_path = ledger;
        struct cxm *mock = NULL;
        struct cx_error err;
        assert_int_equal(cxm_create(&mo, &mock, &err), 0);
        assert_int_equal(cxm_start(mock, &err), 0);
        snprintf(url, sizeof url, "http://127.0.0.1:%d", cxm_port(mock));
        struct proc p;
        const char *args[] = {"run",   sc,     "--target", url, "--threads", k % 2 ? "2" : "1",
                              "--out", "@OUT", "--quiet",  NULL};
        assert_int_equal(cxl_run(&p, args, 60), 0);
        cxl_cleanup(&p);
        cxm_destroy(mock);
        char *text = entries_only(cxt_read_file(ledger, NULL));
        assert_non_null(strstr(text, "\"type\":\"ACCEPT\""));
        if (!first)
            first = text;
        else if (strcmp(text, first) != 0)
            fail_msg("mock %d's ledger differs from the first:\n%s\n--- first:\n%s", k, text,
                     first);
        if (text != first)
            free(text);
    }
    free(first);
    cxt_rmrf(dir);
}

/* An --order that could order nothing is refused before anything runs: no such barrier, the
 * wrong number of ranks, a rank twice, users that do not take turns. */
static void test_SIM_05_orders_that_fit_nothing(void **state)
{
    (void)state;
    char sc[512], scaled[512];
    cxl_path_of(sc, sizeof sc, "scenarios/accept-race/naive.json");
    cxl_path_of(scaled, sizeof scaled, "scenarios/retry-429/naive.json");
    cxl_run_says((const char *[]){"run", sc, "--order", "nosuch=0,1", "--out", "@OUT", NULL}, 1,
                 "stderr", "has no barrier \"nosuch\"");
    cxl_run_says((const char *[]){"run", sc, "--order", "ring=0,1,2", "--out", "@OUT", NULL}, 1,
                 "stderr", "releases 2 racers, so its order has 2 ranks (0..1), not 3");
    cxl_run_says((const char *[]){"run", sc, "--order", "ring=1,1", "--out", "@OUT", NULL}, 1,
                 "stderr", "expected distinct ranks");
    cxl_run_says((const char *[]){"run", scaled, "--order", "ring=0,1", "--out", "@OUT", NULL}, 1,
                 "stderr", "do not take turns");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_SIM_05_same_seed_same_race),
        cmocka_unit_test(test_SIM_05_seeds_reach_both_winners),
        cmocka_unit_test(test_SIM_05_standalone_mock_same_ledger),
        cmocka_unit_test(test_SIM_05_orders_that_fit_nothing),
    };
    return cmocka_run_group_tests(tests, burn, stop_burning);
}
