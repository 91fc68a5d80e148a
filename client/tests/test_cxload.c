/* test_cxload.c - integration tests of the `cxload` program: real processes, the embedded mock
 * on a loopback port chosen by the kernel, exit codes and result files.
 *
 * Each test runs `$CXLOAD_BIN ARGS...` with stdout and stderr in files of a fresh directory,
 * waits for it with a deadline, and reads its summary.json. Scenarios come from
 * $CX_SOURCE_DIR (scenarios/ and client/tests/fixtures/). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cxlmock.h"
#include "cxltest.h"
#include "cxmock.h"
#include "cxtest.h"

/* A scenario with a parse error runs nothing, says FILE:LINE:COLUMN, exits 1. */
static void test_parse_error_runs_nothing(void **state)
{
    char bad[512];
    cxl_path_of(bad, sizeof bad, "client/tests/scenarios/bad/unknown_op.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", bad, "--out", "@OUT", NULL}, 30), 1);
    char *err = cxl_slurp(&p, "stderr");
    assert_non_null(err);
    /* the same located message the loader's own test expects (scenarios/bad/unknown_op.err) */
    char want[512], *where = strstr(err, "unknown_op.json:");
    assert_non_null(where);
    int line = 0, col = 0;
    assert_int_equal(sscanf(where, "unknown_op.json:%d:%d:", &line, &col), 2);
    assert_true(line > 0 && col > 0);
    snprintf(want, sizeof want, "%s", "steps[0].request.op");
    assert_non_null(strstr(where, want));
    char out[400];
    snprintf(out, sizeof out, "%s/out", p.dir);
    struct stat st;
    assert_int_equal(stat(out, &st), -1); /* nothing ran, nothing was written */
    free(err);
    cxl_cleanup(&p);
    /* validate says the same */
    assert_int_equal(cxl_run(&p, (const char *[]){"validate", bad, NULL}, 30), 1);
    cxl_cleanup(&p);
    /* a credential from the environment that is not set: refused before anything is sent */
    cxl_path_of(bad, sizeof bad, "client/tests/fixtures/env-unset.json");
    unsetenv("CXLOAD_TEST_UNSET_SECRET");
    assert_int_equal(cxl_run(&p, (const char *[]){"run", bad, "--out", "@OUT", NULL}, 30), 1);
    err = cxl_slurp(&p, "stderr");
    assert_non_null(strstr(err, "${env.CXLOAD_TEST_UNSET_SECRET}, which is not set"));
    snprintf(out, sizeof out, "%s/out", p.dir);
    assert_int_equal(stat(out, &st), -1);
    free(err);
    cxl_cleanup(&p);
}

/* Usage errors exit 1 and say what was expected (an override the load cannot take among them);
 * --help exits 0 and documents exit codes. */
static void test_usage(void **state)
{
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", "x.json", "--threads", "0", NULL}, 30), 1);
    char *err = cxl_slurp(&p, "stderr");
    assert_non_null(strstr(err, "--threads"));
    free(err);
    cxl_cleanup(&p);
    /* an override the scenario's load cannot take is refused, not ignored */
    static const struct {
        const char *scenario, *flag, *value, *says;
    } unfit[] = {
        {"scenarios/capacity/inject-k.json", "--rate", "50/s", "load is ramping"},
        {"scenarios/capacity/inject-k.json", "--duration", "30s", "load is ramping"},
        {"client/tests/fixtures/scaled-cap.json", "--rate", "50/s", "load is closed"},
    };
    for (size_t i = 0; i < sizeof unfit / sizeof unfit[0]; i++) {
        char sc[512];
        cxl_path_of(sc, sizeof sc, unfit[i].scenario);
        assert_int_equal(cxl_run(&p,
                                 (const char *[]){"run", sc, unfit[i].flag, unfit[i].value, "--out",
                                                  "@OUT", NULL},
                                 30),
                         1);
        err = cxl_slurp(&p, "stderr");
        assert_non_null(strstr(err, unfit[i].flag));
        assert_non_null(strstr(err, unfit[i].says));
        free(err);
        cxl_cleanup(&p);
    }
    assert_int_equal(cxl_run(&p, (const char *[]){"--help", NULL}, 30), 0);
    char *out = cxl_slurp(&p, "stdout");
    assert_non_null(strstr(out, "exit codes"));
    assert_non_null(strstr(out, "99"));
    assert_non_null(strstr(out, "${env.NAME}"));
    free(out);
    cxl_cleanup(&p);
}

/* A target where nothing listens: exit 2. A non-loopback target without a rate cap is refused
 * before anything is sent: exit 1. */
static void test_unreachable_and_rate_cap(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "scenarios/accept-race/correct.json");
    struct proc p;
    assert_int_equal(cxl_run(&p,
                             (const char *[]){"run", sc, "--target", "http://127.0.0.1:1", "--out",
                                              "@OUT", NULL},
                             30),
                     2);
    cxl_cleanup(&p);
    assert_int_equal(cxl_run(&p,
                             (const char *[]){"run", sc, "--target", "http://192.0.2.1:8080",
                                              "--out", "@OUT", NULL},
                             30),
                     1);
    char *err = cxl_slurp(&p, "stderr");
    assert_non_null(strstr(err, "rate cap"));
    free(err);
    cxl_cleanup(&p);
    /* a mock's clock against a tenant is refused, cap or not */
    char scaled[512];
    cxl_path_of(scaled, sizeof scaled, "scenarios/retry-429/naive.json");
    assert_int_equal(cxl_run(&p,
                             (const char *[]){"run", scaled, "--target", "http://192.0.2.1:8080",
                                              "--rate-cap", "5/s", "--out", "@OUT", NULL},
                             30),
                     1);
    err = cxl_slurp(&p, "stderr");
    assert_non_null(strstr(err, "is a mock's"));
    free(err);
    cxl_cleanup(&p);
    /* a host that merely starts like a loopback name is not one */
    static const char *const lookalikes[] = {"http://127.example.test:8080",
                                             "http://localhost.example.test:8080"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(
            cxl_run(&p,
                    (const char *[]){"run", sc, "--target", lookalikes[i], "--out", "@OUT", NULL},
                    30),
            1);
        err = cxl_slurp(&p, "stderr");
        assert_non_null(strstr(err, "is not a loopback address"));
        free(err);
        cxl_cleanup(&p);
    }
}

/* Coordinated omission: one virtual user at 100 arrivals/s, a mock that stalls once for 300 ms.
 * The corrected p99 shows the stall, the uncorrected one does not; every arrival started and
 * the run made its 300 requests. */
static void test_co_correction_against_a_stall(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/co-stall.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", "--quiet", NULL}, 60),
                     0);
    json_t *s = cxl_summary(&p);
    const json_t *read =
        json_object_get(json_object_get(json_object_get(s, "latency"), "tags"), "read");
    assert_non_null(read);
    assert_int_equal((int)cxl_num(read, "count", NULL), 300);
    assert_true(cxl_num(read, "p99", NULL) >= 150.0);        /* ms, from the intended start */
    assert_true(cxl_num(read, "uncorrected", "p99") < 50.0); /* what a naive tool reports */
    assert_int_equal((int)cxl_num(s, "iterations", "offered"), 300); /* 100/s for 3 s */
    assert_int_equal((int)cxl_num(s, "iterations", "started"), 300);
    assert_true(cxl_num(s, "iterations", "late") >= 5);
    json_decref(s);
    cxl_cleanup(&p);
}

/* The scenario's thresholds decide the exit code: a failed one exits 99 and says FAIL. */
static void test_failed_threshold_exits_99(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/impossible.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", NULL}, 60), 99);
    char *out = cxl_slurp(&p, "stdout");
    assert_non_null(strstr(out, "FAIL"));
    free(out);
    json_t *s = cxl_summary(&p);
    assert_false(json_is_true(json_object_get(s, "passed")));
    assert_int_equal((int)cxl_num(s, "exitCode", NULL), 99);
    json_decref(s);
    char *junit = cxl_slurp(&p, "out/junit.xml");
    assert_non_null(junit);
    assert_non_null(strstr(junit, "<failure"));
    free(junit);
    cxl_cleanup(&p);
}

/* Ctrl-C stops new iterations, drains, and still writes every result file. */
static int file_grew(void *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Every line of HISTORY is a JSON object ending in a newline: how many. */
static long history_lines(const char *history)
{
    long n = 0;
    for (const char *at = history; *at; n++) {
        const char *nl = strchr(at, '\n');
        assert_non_null(nl); /* no line cut short */
        json_error_t e;
        json_t *o = json_loadb(at, (size_t)(nl - at), 0, &e);
        if (!json_is_object(o))
            fail_msg("history line %ld: %s", n + 1, e.text);
        json_decref(o);
        at = nl + 1;
    }
    return n;
}

/* Interrupt the run of SCENARIO once its history file has grown: it exits 0, says it was
 * interrupted, and history.jsonl holds a line for every request it counted (the lines are
 * batched: none may be lost). Returns the summary. */
static json_t *interrupted_run(struct proc *p, const char *scenario, const char *threads)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, scenario);
    cxl_start(p,
              (const char *[]){"run", sc, "--threads", threads, "--out", "@OUT", "--quiet", NULL});
    /* wait until the run has made requests: its history file grows */
    char hist[400];
    snprintf(hist, sizeof hist, "%s/out/history.0.jsonl", p->dir);
    assert_true(cxt_wait_for(file_grew, hist, 30000));
    kill(p->child.pid, SIGINT);
    assert_int_equal(cxl_finish(p, 30), 0);
    json_t *s = cxl_summary(p);
    assert_true(json_is_true(json_object_get(s, "interrupted")));
    assert_true(cxl_num(s, "requests", "count") > 0);
    assert_true(cxl_num(s, "wallSeconds", NULL) < 50); /* the scenario asks for 60 s */
    char *h = cxl_slurp(p, "out/history.jsonl");
    assert_non_null(h);
    assert_int_equal(history_lines(h), (long)cxl_num(s, "requests", "count"));
    free(h);
    return s;
}

/* Back to back on 2 threads: more lines than a history buffer holds, each worker's flushed. */
static void test_interrupt_keeps_every_line(void **state)
{
    (void)state;
    struct proc p;
    json_t *s = interrupted_run(&p, "client/tests/fixtures/long-closed.json", "2");
    assert_true(cxl_num(s, "requests", "count") > 2000);
    json_decref(s);
    cxl_cleanup(&p);
}

static void test_interrupt_writes_results(void **state)
{
    (void)state;
    struct proc p;
    json_t *s = interrupted_run(&p, "client/tests/fixtures/long.json", "1");
    json_decref(s);
    const char *files[] = {"out/junit.xml", "out/latency.hlog", "out/history.jsonl"};
    for (int i = 0; i < 3; i++) {
        char *f = cxl_slurp(&p, files[i]);
        assert_non_null(f);
        assert_true(strlen(f) > 0);
        free(f);
    }
    cxl_cleanup(&p);
}

/* Secrets (client secrets, passwords, tokens) appear in no result file and no output. */
static void test_secrets_never_written(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "scenarios/accept-race/correct.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", NULL}, 60), 0);
    const char *files[] = {"stdout",        "stderr",           "out/summary.json",
                           "out/junit.xml", "out/latency.hlog", "out/history.jsonl"};
    const char *secrets[] = {"cx-integration-secret", "ada-pass", "bob-pass", "access_token",
                             "Bearer"};
    for (int i = 0; i < 6; i++) {
        char *f = cxl_slurp(&p, files[i]);
        assert_non_null(f);
        for (int j = 0; j < 5; j++)
            if (strstr(f, secrets[j]))
                fail_msg("%s holds \"%s\"", files[i], secrets[j]);
        free(f);
    }
    cxl_cleanup(&p);
}

/* Against an outside target, ${uuid} and idempotency keys are new every run: a second run of an
 * idempotent injection against the same tenant creates contacts of its own instead of replaying the
 * first run's (INJ-05). Against the embedded mock, a fresh tenant, they repeat with the seed. */
static void test_ids_unique_per_run_against_a_target(void **state)
{
    char url[64], sc[512];
    struct cxm *mock = cxl_mock(0, NULL, url, sizeof url);
    cxl_path_of(sc, sizeof sc, "scenarios/attribute-loss/correct.json");
    char *ids[2] = {0};
    for (int i = 0; i < 2; i++) {
        struct proc p;
        const char *args[] = {"run", sc, "--target", url, "--out", "@OUT", "--quiet", NULL};
        assert_int_equal(cxl_run(&p, args, 60), 0);
        json_t *s = cxl_summary(&p);
        /* every run's read-back matched what it sent: no replay of another run's contact */
        assert_int_equal(cxl_violations(s, "ATTRIBUTE_LOSS"), 0);
        json_decref(s);
        char *h = cxl_slurp(&p, "out/history.jsonl");
        assert_non_null(h);
        char *id = strstr(h, "\"GET /api/v2/routing/contacts/");
        assert_non_null(id);
        ids[i] = strndup(id, 70);
        free(h);
        cxl_cleanup(&p);
    }
    assert_string_not_equal(ids[0], ids[1]);
    free(ids[0]);
    free(ids[1]);
    cxm_destroy(mock);
}

static int by_value(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* The sorted startUs of P's history lines (those holding TAG, e.g. "\"tag\":\"token\"", or
 * all with NULL): at most MAX into STARTS; returns how many. */
static int history_starts(const struct proc *p, const char *tag, long long *starts, int max)
{
    char *h = cxl_slurp(p, "out/history.jsonl");
    assert_non_null(h);
    int n = 0;
    for (char *line = strtok(h, "\n"); line && n < max; line = strtok(NULL, "\n")) {
        char *at = strstr(line, "\"startUs\":");
        if (tag && !strstr(line, tag))
            continue;
        assert_non_null(at);
        starts[n++] = atoll(at + 10);
    }
    free(h);
    qsort(starts, (size_t)n, sizeof starts[0], by_value);
    return n;
}

/* No three of the N sorted STARTS within MIN_US: the cap's slots spaced them. */
static void assert_spaced(const long long *starts, int n, long long min_us, const char *what)
{
    for (int i = 0; i + 2 < n; i++)
        if (starts[i + 2] - starts[i] < min_us)
            fail_msg("%s %d..%d started within %lld us", what, i, i + 2, starts[i + 2] - starts[i]);
}

/* The client-side rate cap holds for token fetches too: with a wrong secret every iteration
 * fetches a token and is refused; at 20/s over two threads no three fetches start within 50 ms
 * (before, they went out back to back). A refused token is a failed request, not a transport
 * error. */
static void test_rate_cap_holds_for_token_fetches(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/capped-token.json");
    setenv("CXLOAD_TEST_WRONG_SECRET", "not-the-secret", 1);
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", "--quiet", NULL}, 60),
                     0);
    unsetenv("CXLOAD_TEST_WRONG_SECRET");
    json_t *s = cxl_summary(&p);
    assert_int_equal((int)cxl_num(s, "requests", "failed"), 12);
    assert_int_equal((int)cxl_num(s, "requests", "transportErrors"), 0);
    assert_int_equal((int)cxl_num(s, "requests", "tokenFetches"), 12);
    json_decref(s);
    long long starts[64];
    int n = history_starts(&p, "\"tag\":\"token\"", starts, 64);
    assert_int_equal(n, 12);
    /* each thread's slots are 100 ms apart; a send may start a little after its slot, so the
     * bound checked is half that (uncapped, all twelve went out within a few ms) */
    assert_spaced(starts, n, 50000, "token fetches");
    cxl_cleanup(&p);
}

/* The rate cap is in scenario time: 2/s on scaled:100 lets 200 requests a wall second (the 20
 * requests span about 95 ms; at 2 per wall second they would need 9.5 s, so the 3 s bound has
 * room for a slow sanitizer build), and still spaces them (no three within 5 ms: two threads,
 * 10 ms apart each). */
static void test_rate_cap_on_a_scaled_clock(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/scaled-cap.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", "--quiet", NULL}, 60),
                     0);
    long long starts[64];
    int n = history_starts(&p, NULL, starts, 64);
    assert_int_equal(n, 20);
    if (starts[n - 1] - starts[0] > 3000000)
        fail_msg("20 requests took %lld us: the cap was not scaled", starts[n - 1] - starts[0]);
    assert_spaced(starts, n, 5000, "requests");
    cxl_cleanup(&p);
}

/* SIM-06: on a scaled:60 clock the 121st injection of a mock minute is answered 429, and the
 * Retry-After it is told is waited as a wall second, whether the mock tells it in wall seconds
 * (the default) or in its own (clientTime "mock", which cxload reads in those units): every
 * injection is created, none sent inside its Retry-After. Read in the wrong units the wait would
 * be a sixtieth of that (a retry storm) or sixty times it. */
static void test_told_durations_in_either_units(void **state)
{
    static const char *const fixtures[] = {"client/tests/fixtures/told-wall.json",
                                           "client/tests/fixtures/told-mock.json"};
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        char sc[512];
        cxl_path_of(sc, sizeof sc, fixtures[i]);
        struct proc p;
        assert_int_equal(
            cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", "--quiet", NULL}, 60), 0);
        json_t *s = cxl_summary(&p);
        assert_int_equal((int)cxl_num(s, "requests", "ok"), 125);
        assert_int_equal((int)cxl_violations(s, "RETRY_STORM"), 0);
        json_decref(s);
        char *h = cxl_slurp(&p, "out/history.jsonl");
        assert_non_null(h);
        int told = 0;
        for (const char *at = strstr(h, "\"retryAfterUs\":"); at;
             at = strstr(at + 1, "\"retryAfterUs\":")) {
            long long us = atoll(at + 15);
            if (us < 900000 || us > 1000000)
                fail_msg("%s: a Retry-After read as %lld us", fixtures[i], us);
            told++;
        }
        assert_true(told >= 1);
        free(h);
        cxl_cleanup(&p);
    }
}

/* At the end of an open load, retries already scheduled go on within the drain time: every
 * arrival of a 0.5 s schedule meets a 1.5 s routing outage, and all five contacts are created
 * after it, none reported LOST_CONTACT (before, the retries were cut off at 0.5 s). */
static void test_retries_go_on_after_the_schedule(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/retry-past-end.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", "--quiet", NULL}, 60),
                     0);
    json_t *s = cxl_summary(&p);
    assert_int_equal((int)cxl_num(s, "requests", "ok"), 5);
    assert_true(cxl_num(s, "requests", "retries") >= 5);
    assert_int_equal((int)cxl_violations(s, "LOST_CONTACT"), 0);
    json_decref(s);
    cxl_cleanup(&p);
}

/* Arrivals of an open load go to its free users in turn: with 4 users and 20 arrivals that
 * each find every user free, every user (and so every entry of `users`: a client id in a
 * capacity plan) takes 5, not the first user all 20. */
static void test_arrivals_round_robin_over_users(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/round-robin.json");
    struct proc p;
    assert_int_equal(
        cxl_run(&p, (const char *[]){"run", sc, "--threads", "1", "--out", "@OUT", "--quiet", NULL},
                60),
        0);
    char *h = cxl_slurp(&p, "out/history.jsonl");
    assert_non_null(h);
    int per[4] = {0};
    for (const char *at = h; (at = strstr(at, "\"vu\":")); at += 5) {
        int vu = atoi(at + 5);
        assert_true(vu >= 0 && vu < 4);
        per[vu]++;
    }
    free(h);
    for (int i = 0; i < 4; i++)
        if (per[i] != 5)
            fail_msg("user %d took %d of 20 arrivals (want 5 each)", i, per[i]);
    cxl_cleanup(&p);
}

/* Judging fails closed: with --ledger-check a run whose mock does not give its verdict (here
 * its admin API wants a token cxload does not have) is not judged. It exits 1, says why, and
 * still writes its results: summary.json with notJudged and passed false, a JUnit failure. */
static void test_no_mock_verdict_is_not_a_pass(void **state)
{
    char url[64], sc[512];
    struct cxm *mock = cxl_mock(0, "admin-only", url, sizeof url);
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/api-only.json");
    struct proc p;
    const char *args[] = {"run", sc, "--target", url, "--ledger-check", "--out", "@OUT", NULL};
    assert_int_equal(cxl_run(&p, args, 60), 1);
    json_t *s = cxl_summary(&p);
    assert_non_null(strstr(json_string_value(json_object_get(s, "notJudged")), "not judged"));
    assert_true(json_is_false(json_object_get(s, "passed")));
    assert_int_equal(cxl_num(s, "exitCode", NULL), 1);
    json_decref(s);
    char *out = cxl_slurp(&p, "stdout"), *junit = cxl_slurp(&p, "out/junit.xml");
    assert_non_null(strstr(out, "result: NOT JUDGED (exit 1)"));
    assert_non_null(strstr(junit, ".verdict\" name=\"judged\"><failure"));
    free(out);
    free(junit);
    cxl_cleanup(&p);
    /* without --ledger-check nothing was asked of the mock: judged by the driver alone */
    const char *plain[] = {"run", sc, "--target", url, "--out", "@OUT", "--quiet", NULL};
    assert_int_equal(cxl_run(&p, plain, 60), 0);
    cxl_cleanup(&p);
    cxm_destroy(mock);
}

/* SIM-05: a race that never happened is never a pass. A barrier only one of its two users
 * reaches fails the run with BARRIER_TIMEOUT (exit 99) although its one threshold holds: on the
 * manual clock as soon as the other user leaves (the turns know no one is left to fill it), on
 * a scaled clock at its deadline. A barrier a shard's users cannot fill is refused before
 * anything is sent, by validate and by run (exit 1). */
static void test_barrier_that_never_fills_fails(void **state)
{
    static const char *const fixtures[] = {"client/tests/fixtures/barrier-never-fills-manual.json",
                                           "client/tests/fixtures/barrier-never-fills-scaled.json"};
    for (int i = 0; i < 2; i++) {
        char sc[512];
        cxl_path_of(sc, sizeof sc, fixtures[i]);
        struct proc p;
        const char *args[] = {"run", sc, "--out", "@OUT", "--quiet", NULL};
        assert_int_equal(cxl_run(&p, args, 120), 99);
        json_t *s = cxl_summary(&p);
        assert_int_equal(cxl_violations(s, "BARRIER_TIMEOUT"), 1);
        assert_true(json_is_false(json_object_get(s, "passed")));
        assert_true(json_is_true(
            json_object_get(json_array_get(json_object_get(s, "thresholds"), 0), "ok")));
        json_decref(s);
        char *h = cxl_slurp(&p, "out/history.jsonl");
        assert_non_null(strstr(h, "\"op\":\"barrier\",\"outcome\":\"fail\""));
        free(h);
        cxl_cleanup(&p);
    }
    char sc[512];
    cxl_path_of(sc, sizeof sc, "scenarios/accept-race/correct.json");
    for (int k = 0; k < 2; k++)
        cxl_run_says(
            (const char *[]){k ? "run" : "validate", sc, "--shard", "0/2", "--out", "@OUT", NULL},
            1, "stderr",
            "barrier \"ring\" waits for 2 virtual users, but shard 0/2 runs 1 of the "
            "load's 2");
}

/* A failed expectation keeps what the answer said: its status, content type and body in
 * history.jsonl, in summary.json's example and in the text report. */
static void test_failed_expectation_keeps_the_answer(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/failed-answer.json");
    struct proc p;
    const char *args[] = {"run", sc, "--out", "@OUT", NULL};
    assert_int_equal(cxl_run(&p, args, 60), 0);
    json_t *s = cxl_summary(&p);
    const json_t *ans = json_object_get(cxl_example(s, "EXPECT_FAILED"), "answer");
    assert_int_equal(cxl_num(ans, "status", NULL), 404);
    assert_string_equal(json_string_value(json_object_get(ans, "contentType")), "application/json");
    assert_non_null(strstr(json_string_value(json_object_get(ans, "body")), "no route for GET"));
    json_decref(s);
    char *h = cxl_slurp(&p, "out/history.jsonl"), *out = cxl_slurp(&p, "stdout");
    assert_non_null(strstr(h, "\"answerBody\":{\"contentType\":\"application/json\",\"body\":"));
    assert_non_null(strstr(out, "answered 404 application/json: {\"error\":\"not_found\""));
    free(h);
    free(out);
    cxl_cleanup(&p);
}

/* The path each (vu, iter) sent in P's history, into PATHS[vu * 2 + iter] (4 users, 2
 * iterations); the users present are those of its shard. */
static void paths_by_user(const struct proc *p, char *paths[8])
{
    char *h = cxl_slurp(p, "out/history.jsonl");
    assert_non_null(h);
    for (char *line = strtok(h, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *r = json_loads(line, 0, NULL);
        assert_non_null(r);
        int vu = (int)json_integer_value(json_object_get(r, "vu"));
        int iter = (int)json_integer_value(json_object_get(r, "iter"));
        const char *path = json_string_value(json_object_get(r, "request"));
        assert_true(vu >= 0 && vu < 4 && iter >= 0 && iter < 2 && path);
        assert_null(paths[vu * 2 + iter]);
        paths[vu * 2 + iter] = strdup(path);
        json_decref(r);
    }
    free(h);
}

/* Per-user random streams (SIM-05): a user's ${uuid} values (drawn from the same kind of
 * stream as its think times and jitter) are the same with 1, 2 and 4 threads and in a shard,
 * and no two users draw alike, so shards sharing a seed never back off in lockstep. */
static void test_random_streams_per_user(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/vu-streams.json");
    static const char *const how[][4] = {
        {"--threads", "1", NULL}, {"--threads", "2", NULL}, {"--threads", "4", NULL},
        {"--shard", "0/2", NULL}, {"--shard", "1/2", NULL},
    };
    char *paths[5][8] = {{0}};
    for (int k = 0; k < 5; k++) {
        struct proc p;
        const char *args[] = {"run", sc,      how[k][0], how[k][1], "--seed",
                              "5",   "--out", "@OUT",    "--quiet", NULL};
        assert_int_equal(cxl_run(&p, args, 60), 0);
        paths_by_user(&p, paths[k]);
        cxl_cleanup(&p);
    }
    for (int i = 0; i < 8; i++) {
        assert_non_null(paths[0][i]);
        assert_string_equal(paths[0][i], paths[1][i]);
        assert_string_equal(paths[0][i], paths[2][i]);
        /* users 0 and 1 are shard 0's, 2 and 3 shard 1's */
        const char *sharded = i < 4 ? paths[3][i] : paths[4][i];
        assert_non_null(sharded);
        assert_string_equal(paths[0][i], sharded);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(paths[0][i], paths[0][j]);
    }
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < 8; i++)
            free(paths[k][i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_error_runs_nothing),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_unreachable_and_rate_cap),
        cmocka_unit_test(test_co_correction_against_a_stall),
        cmocka_unit_test(test_failed_threshold_exits_99),
        cmocka_unit_test(test_interrupt_writes_results),
        cmocka_unit_test(test_interrupt_keeps_every_line),
        cmocka_unit_test(test_secrets_never_written),
        cmocka_unit_test(test_ids_unique_per_run_against_a_target),
        cmocka_unit_test(test_rate_cap_holds_for_token_fetches),
        cmocka_unit_test(test_rate_cap_on_a_scaled_clock),
        cmocka_unit_test(test_retries_go_on_after_the_schedule),
        cmocka_unit_test(test_told_durations_in_either_units),
        cmocka_unit_test(test_arrivals_round_robin_over_users),
        cmocka_unit_test(test_random_streams_per_user),
        cmocka_unit_test(test_no_mock_verdict_is_not_a_pass),
        cmocka_unit_test(test_barrier_that_never_fills_fails),
        cmocka_unit_test(test_failed_expectation_keeps_the_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
