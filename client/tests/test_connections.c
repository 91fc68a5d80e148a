/* test_connections.c - virtual users are not connections: integration tests of cxload's
 * connection pool against real processes on loopback.
 *
 * The target is a cxmock started in this process on a port the kernel picks (or cxload's
 * embedded one), with as many worker threads as each test needs: civetweb serves each
 * kept-alive connection on one worker, so a mock with W workers tells, in its /metrics, whether
 * more than W connections were ever open at once. Nothing here times performance: the
 * assertions are counts, bounds and what the run says. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cxlmock.h"
#include "cxltest.h"
#include "cxmock.h"
#include "cxtest.h"

struct text {
    char text[8192];
    size_t len;
};

static size_t keep(char *p, size_t size, size_t n, void *ud)
{
    struct text *b = ud;
    size_t k = size * n;
    if (b->len + k >= sizeof b->text)
        k = sizeof b->text - 1 - b->len;
    memcpy(b->text + b->len, p, k);
    b->len += k;
    b->text[b->len] = '\0';
    return size * n;
}

/* Sample NAME of URL's /metrics, or -1. */
static long metric(const char *url, const char *name)
{
    struct text b = {.len = 0};
    char u[256];
    snprintf(u, sizeof u, "%s/metrics", url);
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, u);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
    CURLcode cc = curl_easy_perform(e);
    curl_easy_cleanup(e);
    char want[128];
    snprintf(want, sizeof want, "\n%s ", name);
    const char *at = cc == CURLE_OK ? strstr(b.text, want) : NULL;
    return at ? atol(at + strlen(want)) : -1;
}

static const json_t *get2(const json_t *o, const char *a, const char *b)
{
    return json_object_get(json_object_get(o, a), b);
}

/* While a run goes: the most workers the mock saw busy at once, until its summary exists. */
struct watch {
    const char *url;
    char summary[400];
    long most_busy;
};

static int watch_busy(void *arg)
{
    struct watch *w = arg;
    long busy = metric(w->url, "cxmock_workers_busy");
    if (busy > w->most_busy)
        w->most_busy = busy;
    struct stat st;
    return stat(w->summary, &st) == 0;
}

/* (a) 40 users, 4 connections (2 per thread), no think time: the run makes its requests, users
 * wait in line and the waits are counted; the mock (8 workers) never saw more than the pool
 * open at once (plus the one this test reads /metrics on, and one closing), and no connection
 * of the run found every worker busy. */
static void test_more_users_than_connections(void **state)
{
    char url[64], sc[512];
    struct cxm *mock = cxl_mock(8, NULL, url, sizeof url);
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/pool.json");
    struct proc p;
    cxl_start(&p, (const char *[]){"run", sc, "--target", url, "--threads", "2", "--connections",
                                   "4", "--out", "@OUT", "--quiet", NULL});
    struct watch w = {.url = url, .most_busy = 0};
    snprintf(w.summary, sizeof w.summary, "%s/out/summary.json", p.dir);
    assert_true(cxt_wait_for(watch_busy, &w, 60000));
    assert_int_equal(cxl_finish(&p, 60), 0);
    json_t *s = cxl_summary(&p);
    assert_true(cxl_num(s, "requests", "count") >= 40); /* every user at least once */
    assert_int_equal(cxl_num(s, "requests", "failed"), 0);
    assert_int_equal(cxl_num(s, "connections", "limit"), 4);
    assert_true(cxl_num(s, "connections", "waits") >= 36); /* the first 36 users, at least */
    assert_true(cxl_num(get2(s, "connections", "waitMs"), "max", NULL) > 0);
    const json_t *target = get2(s, "saturation", "target");
    assert_int_equal(cxl_num(target, "workers", NULL), 8);
    assert_int_equal(cxl_num(target, "saturatedConnections", NULL), 0);
    assert_true(w.most_busy <= 4 + 2);
    const json_t *driver = get2(s, "saturation", "driver");
    assert_true(cxl_num(driver, "starts", NULL) > 0); /* a user's turn at a connection, say */
    assert_true(json_is_boolean(json_object_get(driver, "fellBehind")));
    /* the wait is inside the corrected latency: from the intended start, not the send */
    const json_t *h = json_object_get(get2(s, "latency", "tags"), "health");
    assert_true(cxl_num(h, "max", NULL) >= cxl_num(h, "uncorrected", "max"));
    json_decref(s);
    cxl_cleanup(&p);
    /* the same run with a connection per user: the mock's 8 workers are all taken */
    cxl_start(&p, (const char *[]){"run", sc, "--target", url, "--vus", "12", "--connections", "12",
                                   "--duration", "300ms", "--out", "@OUT", "--quiet", NULL});
    cxl_finish(&p, 60);
    s = cxl_summary(&p);
    assert_true(cxl_num(get2(s, "saturation", "target"), "saturatedConnections", NULL) >= 1);
    json_decref(s);
    cxl_cleanup(&p);
    cxm_destroy(mock);
}

/* (b) A mock of 2 workers and a run of 6 connections: the target held connections waiting for a
 * worker, and the run says so on stderr, in the text report and in summary.json. */
static void test_saturated_target_warns(void **state)
{
    char url[64], sc[512];
    struct cxm *mock = cxl_mock(2, NULL, url, sizeof url);
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/pool.json");
    struct proc p;
    cxl_start(&p, (const char *[]){"run", sc, "--target", url, "--vus", "12", "--connections", "6",
                                   "--threads", "1", "--drain", "2s", "--out", "@OUT", NULL});
    cxl_finish(&p, 60);
    json_t *s = cxl_summary(&p);
    const json_t *target = get2(s, "saturation", "target");
    assert_int_equal(cxl_num(target, "workers", NULL), 2);
    assert_true(cxl_num(target, "saturatedConnections", NULL) >= 1);
    const char *w = json_string_value(json_array_get(json_object_get(s, "warnings"), 0));
    assert_non_null(w);
    assert_non_null(strstr(w, "the target held connections waiting for a worker"));
    assert_non_null(strstr(w, "cxmock --threads, at least 7"));
    json_decref(s);
    char *err = cxl_slurp(&p, "stderr"), *out = cxl_slurp(&p, "stdout");
    assert_non_null(strstr(err, "cxload: warning: the target held connections waiting"));
    assert_non_null(strstr(out, "warnings:\n  the target held connections waiting"));
    free(err);
    free(out);
    cxl_cleanup(&p);
    cxm_destroy(mock);
}

/* The embedded mock's workers of a run of VUS users and CONNS (NULL: the default) connections. */
static void embedded_run(const char *vus, const char *conns, json_t **summary)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/pool.json");
    const char *args[16] = {"run",   sc,      "--vus", vus,      "--duration",
                            "200ms", "--out", "@OUT",  "--quiet"};
    int n = 9;
    if (conns) {
        args[n++] = "--connections";
        args[n++] = conns;
    }
    args[n] = NULL;
    struct proc p;
    assert_int_equal(cxl_run(&p, args, 60), 0);
    *summary = cxl_summary(&p);
    char *err = cxl_slurp(&p, "stderr");
    assert_null(strstr(err, "the target held connections")); /* it has a worker for each */
    free(err);
    cxl_cleanup(&p);
}

/* (c) The embedded mock gets a worker per connection of the run (and 8 more), not one per
 * virtual user: 300 users on 2 threads make 128 connections by default. */
static void test_embedded_mock_sized_to_the_pool(void **state)
{
    static const struct {
        const char *vus, *conns;
        int limit;
    } cases[] = {
        {"300", NULL, 128}, /* 64 per worker thread */
        {"300", "10", 10},  /* as asked */
        {"5", NULL, 5},     /* no more than the users */
        {"5", "50", 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *s;
        embedded_run(cases[i].vus, cases[i].conns, &s);
        assert_int_equal(cxl_num(s, "connections", "limit"), cases[i].limit);
        const json_t *target = get2(s, "saturation", "target");
        assert_int_equal(cxl_num(target, "workers", NULL), cases[i].limit + 8);
        assert_int_equal(cxl_num(target, "saturatedConnections", NULL), 0);
        json_decref(s);
    }
}

/* What a run of scenario REL with extra arguments EXTRA decided, as text: its exit code and the
 * violations it found (those counted at all: how many times a naive client's 401s cascade
 * depends on how its users' requests interleave, on any clock but the manual one). */
static char *verdict(const char *rel, const char *const *extra, double *waits)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, rel);
    const char *args[24] = {"run", sc, "--out", "@OUT", "--quiet"};
    int n = 5;
    for (int i = 0; extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    struct proc p;
    int rc = cxl_run(&p, args, 120);
    json_t *s = cxl_summary(&p);
    char found[1024] = "";
    const char *name;
    json_t *x;
    json_object_foreach(json_object_get(s, "violations"), name, x)
    {
        if (cxl_num(x, "count", NULL) > 0 && strlen(found) + strlen(name) + 2 < sizeof found)
            strcat(strcat(found, " "), name);
    }
    char *out = NULL;
    assert_true(asprintf(&out, "exit %d, found:%s", rc, found) > 0);
    *waits = cxl_num(s, "connections", "waits");
    json_decref(s);
    cxl_cleanup(&p);
    return out;
}

/* One connection for every user gives the same verdicts: requests and token fetches (per
 * worker and per user) wait in line for it and go on; on the manual clock the users take turns
 * and never wait. */
static void test_one_connection_same_verdicts(void **state)
{
    static const struct {
        const char *rel;
        int waits; /* with one connection, users wait for it */
    } cases[] = {
        {"scenarios/accept-race/naive.json", 0},
        {"scenarios/accept-race/correct.json", 0},
        {"scenarios/token-per-worker/naive.json", 1},
        {"scenarios/token-per-worker/correct.json", 1},
        {"scenarios/token-rotation/naive.json", 1},
        {"scenarios/token-rotation/correct.json", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double w_wide, w_one;
        char *wide = verdict(cases[i].rel, (const char *[]){"--threads", "1", NULL}, &w_wide);
        char *one = verdict(cases[i].rel,
                            (const char *[]){"--threads", "1", "--connections", "1", NULL}, &w_one);
        if (strcmp(wide, one) != 0)
            fail_msg("%s: a connection per user: %s; one connection: %s", cases[i].rel, wide, one);
        assert_int_equal(w_wide, 0); /* as many connections as users: nobody waits */
        assert_int_equal(w_one > 0, cases[i].waits);
        free(wide);
        free(one);
    }
}

/* Manual-clock advances wait in line too: an open load (no turns) whose arrivals each advance
 * the clock, then read, on one connection. Every iteration started advanced the clock, and
 * nothing failed. */
static void test_advances_wait_in_line(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/advance-open.json");
    struct proc p;
    assert_int_equal(cxl_run(&p,
                             (const char *[]){"run", sc, "--threads", "1", "--connections", "1",
                                              "--out", "@OUT", "--quiet", NULL},
                             60),
                     0);
    json_t *s = cxl_summary(&p);
    assert_true(cxl_num(s, "connections", "waits") > 0);
    assert_int_equal(cxl_num(s, "requests", "failed"), 0);
    char *h = cxl_slurp(&p, "out/history.jsonl");
    int advances = 0;
    for (char *at = h; (at = strstr(at, "\"op\":\"advance\",\"outcome\":\"ok\"")); at++)
        advances++;
    assert_int_equal(advances, cxl_num(s, "iterations", "started"));
    free(h);
    json_decref(s);
    cxl_cleanup(&p);
}

/* --connections takes 1..65536; anything else is refused before anything runs. */
static void test_connections_flag_checked(void **state)
{
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/pool.json");
    static const char *const bad[] = {"0", "-3", "12x", "65537"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cxl_run_says((const char *[]){"run", sc, "--connections", bad[i], NULL}, 1, "stderr",
                     "--connections: expected 1..65536");
    cxl_run_says((const char *[]){"--help", NULL}, 0, "stdout", "--connections N");
}

/* A barrier on the real clock releases its users at once only with a connection for each: with
 * fewer the run is refused before it starts, naming the barrier and what it needs (a race that
 * silently did not happen would pass). Enough connections: it runs. On the manual clock the
 * users take turns, and one connection is enough (test_one_connection_same_verdicts). */
static void test_barrier_needs_a_connection_per_user(void **state)
{
    (void)state;
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/barrier-real.json");
    cxl_run_says((const char *[]){"run", sc, "--threads", "1", "--connections", "2", NULL}, 1,
                 "stderr", "barrier \"together\" releases 3 virtual users at once");
    cxl_run_says((const char *[]){"run", sc, "--threads", "2", "--connections", "2", NULL}, 1,
                 "stderr", "give connections at least 4");
    cxl_run_says((const char *[]){"run", sc, "--threads", "1", "--connections", "3", NULL}, 0,
                 "stdout", "results in");
}

/* One easy handle carries every method in turn: a POST with a body, a HEAD, a DELETE and a GET
 * after each (the handle is set up again per request, not reset): each goes with its own method
 * and body and reads its own answer, so every expectation holds (a GET that went as a POST gets
 * 405; one that kept the HEAD's no-body reads no JSON). */
static void test_one_handle_every_method(void **state)
{
    (void)state;
    char sc[512];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/methods-one-handle.json");
    struct proc p;
    assert_int_equal(cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", "--quiet", NULL}, 60),
                     0);
    json_t *s = cxl_summary(&p);
    assert_int_equal((int)cxl_num(s, "requests", "count"), 36);
    assert_int_equal((int)cxl_num(s, "requests", "ok"), 36);
    assert_int_equal((int)cxl_violations(s, "EXPECT_FAILED"), 0);
    assert_int_equal((int)cxl_num(s, "connections", "limit"), 1);
    json_decref(s);
    char *h = cxl_slurp(&p, "out/history.jsonl");
    assert_non_null(h);
    int gets = 0;
    for (const char *at = h; (at = strstr(at, "\"request\":\"GET /__admin/health\",")); at++)
        gets++;
    assert_int_equal(gets, 18);
    free(h);
    cxl_cleanup(&p);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_more_users_than_connections),
        cmocka_unit_test(test_saturated_target_warns),
        cmocka_unit_test(test_embedded_mock_sized_to_the_pool),
        cmocka_unit_test(test_one_connection_same_verdicts),
        cmocka_unit_test(test_advances_wait_in_line),
        cmocka_unit_test(test_connections_flag_checked),
        cmocka_unit_test(test_barrier_needs_a_connection_per_user),
        cmocka_unit_test(test_one_handle_every_method),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
