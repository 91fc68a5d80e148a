/* test_limits.c - rate limits and faults on the manual clock, no sockets: RATE-01, AUTH-06,
 * FLT-01. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "simtest.h"

static const char *fixture =
    "{\"limits\":{\"tenantPerMin\":8},"
    " \"clients\":[{\"clientId\":\"a\",\"clientSecret\":\"sa\",\"scopes\":[\"interaction:read\","
    "\"interaction:write\",\"agent:control\"],\"limits\":{\"interactions\":3}},"
    "  {\"clientId\":\"b\",\"clientSecret\":\"sb\",\"scopes\":[\"interaction:read\"],"
    "\"limits\":{\"interactions\":3}}],"
    " \"agents\":[{\"id\":\"ag\",\"channels\":[\"voice\"]}],"
    " \"queues\":[{\"id\":\"q\"}]}";

static struct st_res *get_queue(struct cxm_api *m, const char *bearer)
{
    return st_call(m, "GET", "/api/v2/queues/q", bearer, NULL);
}

/* RATE-01: a sliding window per client id and endpoint group; over it 429 with Retry-After and
 * a JSON body; the limited request changes nothing; the window slides on the mock clock. */
static void test_RATE_01_sliding_window(void **state)
{
    struct cxm_api *m = st_new(fixture, 1);
    const char *a = st_client(m, 0, "a", "sa");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(get_queue(m, a)->status, 200);
        st_advance(m, 10000); /* admitted at 0 s, 10 s, 20 s */
    }
    const char *id = st_create(m, 0, "voice", "q", NULL);
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", id);
    struct st_res *r = st_call(m, "POST", path, a, "{\"agentId\":\"ag\"}");
    assert_int_equal(r->status, 429);
    assert_string_equal(r->retry_after, "30"); /* the 0 s request leaves the window at 60 s */
    assert_string_equal(ST_STR(r->body, "error"), "rate_limited");
    assert_string_equal(ST_STR(r->body, "limit"), "client");
    assert_int_equal(json_integer_value(json_object_get(r->body, "retryAfterMs")), 30000);
    assert_int_equal(st_ledger_count(m, "ACCEPT", id, NULL), 0); /* nothing processed */
    st_advance(m, 29999);
    assert_int_equal(st_call(m, "POST", path, a, "{\"agentId\":\"ag\"}")->status, 429);
    st_advance(m, 1);
    r = st_call(m, "POST", path, a, "{\"agentId\":\"ag\"}");
    assert_int_equal(r->status, 200);
    assert_int_equal(st_ledger_count(m, "ACCEPT", id, NULL), 1);
    /* The token endpoint and the admin API are outside the client's interactions window. */
    st_client(m, 1, "a", "sa");
    assert_int_equal(st_call(m, "GET", "/__admin/health", NULL, NULL)->status, 200);
    st_free(m);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SIM-06: on a scaled clock (scaled:60: the 60 s window is one wall second) a 429's
 * Retry-After and retryAfterMs, a token's expires_in and a long poll's timeout are the
 * client's wall time by default, so a client that honours them waits as against the platform;
 * "clientTime": "mock" tells mock time instead. */
static void test_SIM_06_durations_told_in_wall_time(void **state)
{
    (void)state;
    static const char *const told[] = {"", "\"clientTime\":\"mock\","};
    for (int mode = 0; mode < 2; mode++) {
        char fx[1024];
        snprintf(fx, sizeof fx, "{%s%s", told[mode], fixture + 1);
        struct cxm_api *m = st_open_clock(fx, 1, NULL, "scaled:60");
        struct st_res *r = st_form(m, "/oauth/token", NULL,
                                   "grant_type=client_credentials&client_id=a&client_secret=sa");
        assert_int_equal(r->status, 200);
        assert_int_equal(json_integer_value(json_object_get(r->body, "expires_in")),
                         mode ? 3600 : 60); /* the hour lasts a wall minute */
        char bearer[128];
        snprintf(bearer, sizeof bearer, "Bearer %s", ST_STR(r->body, "access_token"));
        for (int i = 0; i < 3; i++)
            assert_int_equal(get_queue(m, bearer)->status, 200);
        r = get_queue(m, bearer);
        assert_int_equal(r->status, 429);
        json_int_t ms = json_integer_value(json_object_get(r->body, "retryAfterMs"));
        if (mode) { /* mock time: most of the 60 s window */
            assert_true(ms > 30000 && ms <= 60000);
            assert_true(strcmp(r->retry_after, "60") == 0 || strcmp(r->retry_after, "59") == 0);
        } else { /* wall time: under a second, rounded up to whole seconds in the header */
            assert_true(ms > 0 && ms <= 1000);
            assert_string_equal(r->retry_after, "1");
        }
        /* A long poll with nothing to say waits the client's seconds: 1 s wall; in mock time
         * 30 s is half a wall second. (Client b: a's budget is spent.) */
        r = st_form(m, "/oauth/token", NULL,
                    "grant_type=client_credentials&client_id=b&client_secret=sb");
        snprintf(bearer, sizeof bearer, "Bearer %s", ST_STR(r->body, "access_token"));
        r = st_call(m, "GET", "/api/v2/events?after=0", bearer, NULL);
        assert_int_equal(r->status, 200);
        char poll[96];
        snprintf(poll, sizeof poll, "/api/v2/events?after=%lld&timeout=%d",
                 (long long)json_integer_value(json_object_get(r->body, "cursor")), mode ? 30 : 1);
        double t0 = mono_s();
        r = st_call(m, "GET", poll, bearer, NULL);
        assert_int_equal(r->status, 200);
        double waited = mono_s() - t0;
        assert_true(waited >= (mode ? 0.45 : 0.95));
        assert_true(waited < 20); /* a deadline, not a measurement */
        st_free(m);
    }
}

/* RATE-01: the tenant-wide window counts every client's calls. */
static void test_RATE_01_tenant_window(void **state)
{
    struct cxm_api *m = st_new(fixture, 1);
    const char *a = st_client(m, 0, "a", "sa");
    const char *b = st_client(m, 1, "b", "sb"); /* 2 token calls count for the tenant */
    for (int i = 0; i < 3; i++)
        assert_int_equal(get_queue(m, a)->status, 200);
    for (int i = 0; i < 3; i++)
        assert_int_equal(get_queue(m, b)->status, 200);
    st_advance(m, 1000);
    struct st_res *r = st_form(m, "/oauth/token", NULL,
                               "grant_type=client_credentials&client_id=b&client_secret=sb");
    assert_int_equal(r->status, 429);
    assert_string_equal(ST_STR(r->body, "limit"), "tenant");
    assert_string_equal(r->retry_after, "59");
    st_free(m);
}

/* AUTH-06: workers sharing one client id share its budget; another client id has its own. */
static void test_AUTH_06_limits_scoped_to_client_id(void **state)
{
    struct cxm_api *m = st_new(fixture, 1);
    char w1[80], w2[80];
    snprintf(w1, sizeof w1, "%s", st_client(m, 0, "a", "sa")); /* worker 1 */
    snprintf(w2, sizeof w2, "%s", st_client(m, 1, "a", "sa")); /* worker 2, same client id */
    const char *b = st_client(m, 2, "b", "sb");
    assert_int_equal(get_queue(m, w1)->status, 200);
    assert_int_equal(get_queue(m, w2)->status, 200);
    assert_int_equal(get_queue(m, w1)->status, 200);
    assert_int_equal(get_queue(m, w2)->status, 429); /* the fourth call of client a */
    assert_int_equal(get_queue(m, b)->status, 200);
    st_free(m);
}

static const char *cc(struct cxm_api *m)
{
    return st_client(m, 0, "cx-integration", "cx-integration-secret");
}

static void set_faults(struct cxm_api *m, const char *plan)
{
    struct st_res *r = st_call(m, "PUT", "/__admin/faults", NULL, plan);
    if (r->status != 200)
        fail_msg("PUT /__admin/faults %s: %d", plan, r->status);
}

/* FLT-01: an error status instead of an answer (nothing processed), or after processing
 * (applied); scoped by group; a window on the mock clock. */
static void test_FLT_01_error_status(void **state)
{
    struct cxm_api *m = st_new(NULL, 1);
    const char *tok = cc(m);
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", id);
    set_faults(m, "[{\"group\":\"interactions\",\"status\":503}]");
    struct st_res *r = st_call(m, "POST", path, tok, "{\"agentId\":\"agent-voice-1\"}");
    assert_int_equal(r->status, 503);
    assert_string_equal(ST_STR(r->body, "error"), "injected_fault");
    assert_int_equal(st_ledger_count(m, "ACCEPT", id, NULL), 0);
    assert_int_equal(cc(m) != NULL, 1); /* auth group unaffected */

    set_faults(m, "[{\"group\":\"*\",\"status\":504,\"applied\":true}]");
    assert_int_equal(st_call(m, "POST", path, tok, "{\"agentId\":\"agent-voice-1\"}")->status, 504);
    assert_int_equal(st_ledger_count(m, "ACCEPT", id, NULL), 1); /* done, answer lost */

    /* An outage window 10 s .. 20 s after the start. */
    set_faults(m,
               "[{\"group\":\"interactions\",\"status\":503,\"fromMs\":10000,\"untilMs\":20000}]");
    assert_int_equal(st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL)->status, 200);
    st_advance(m, 10000);
    assert_int_equal(st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL)->status, 503);
    st_advance(m, 10000);
    assert_int_equal(st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL)->status, 200);
    st_free(m);
}

/* FLT-01: rates are seeded draws: about the rate, and the same seed gives the same pattern. */
static void test_FLT_01_seeded_rate(void **state)
{
    char pattern[2][401];
    for (int run = 0; run < 2; run++) {
        struct cxm_api *m = st_new(NULL, 99);
        const char *tok = cc(m);
        set_faults(m, "[{\"group\":\"interactions\",\"status\":500,\"rate\":0.25}]");
        int errors = 0;
        for (int i = 0; i < 400; i++) {
            int status = st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL)->status;
            pattern[run][i] = status == 500 ? 'x' : '.';
            errors += status == 500;
        }
        pattern[run][400] = '\0';
        assert_in_range(errors, 60, 140);
        st_free(m);
    }
    assert_string_equal(pattern[0], pattern[1]);
}

/* FLT-01: latency (fixed, uniform, log-normal), connection reset and hang are handed to the
 * HTTP layer; a bad plan is refused with the path of the bad value. */
static void test_FLT_01_latency_reset_hang(void **state)
{
    struct cxm_api *m = st_new(NULL, 5);
    const char *tok = cc(m);
    set_faults(m, "[{\"group\":\"interactions\",\"latencyMs\":{\"fixed\":250}}]");
    assert_int_equal(st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL)->delay_ms, 250);
    set_faults(m, "[{\"group\":\"interactions\",\"latencyMs\":{\"min\":10,\"max\":20}}]");
    for (int i = 0; i < 50; i++)
        assert_in_range(st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL)->delay_ms, 10, 20);
    set_faults(m, "[{\"group\":\"interactions\",\"latencyMs\":{\"median\":100,\"sigma\":0.5}}]");
    int below = 0;
    for (int i = 0; i < 200; i++)
        below += st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL)->delay_ms < 100;
    assert_in_range(below, 70, 130); /* the median splits them */
    set_faults(m, "[{\"group\":\"interactions\",\"reset\":1}]");
    struct st_res *r = st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL);
    assert_true(r->reset);
    set_faults(m, "[{\"group\":\"interactions\",\"hang\":true,\"hangMs\":5000}]");
    assert_int_equal(st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL)->delay_ms, 5000);

    r = st_call(m, "PUT", "/__admin/faults", NULL, "[{\"group\":\"routing\",\"rate\":2}]");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "[0].rate");
    r = st_call(m, "PUT", "/__admin/faults", NULL, "[{\"group\":\"routing\",\"status\":418}]");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "[0].status");
    r = st_call(m, "PUT", "/__admin/faults", NULL, "{}");
    assert_int_equal(r->status, 400);
    set_faults(m, "[]");
    r = st_call(m, "GET", "/api/v2/queues/q-fifo", tok, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->delay_ms, 0);
    st_free(m);
}

/* FLT-01: a bad fault in a fixture is a located load error. */
static void test_FLT_01_fixture_error_located(void **state)
{
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    const char *text = "{\"faults\": [\n  {\"group\": \"gws\", \"latencyMs\": {\"fixed\": -1}}]}";
    assert_int_equal(cxm_tenant_parse(text, strlen(text), "f.json", &t, &e), -1);
    assert_string_equal(e.key, "faults[0].latencyMs");
    assert_int_equal(e.line, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_RATE_01_sliding_window),
        cmocka_unit_test(test_RATE_01_tenant_window),
        cmocka_unit_test(test_SIM_06_durations_told_in_wall_time),
        cmocka_unit_test(test_AUTH_06_limits_scoped_to_client_id),
        cmocka_unit_test(test_FLT_01_error_status),
        cmocka_unit_test(test_FLT_01_seeded_rate),
        cmocka_unit_test(test_FLT_01_latency_reset_hang),
        cmocka_unit_test(test_FLT_01_fixture_error_located),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
