/* test_http_routing.c - issue 3's endpoints and traps over HTTP against a real `cxmock --port 0
 * --clock manual` process: routing injection (INJ), priority (PRI), agent state (AGT),
 * /me/interactions (GWS), rate limits (RATE-01), faults (FLT-01) and /metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct fx {
    struct cxh mock;
    char token[128];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    static const char *const args[] = {"--clock", "manual", "--seed", "3", NULL};
    assert_int_equal(cxh_start(&f->mock, args), 0);
    assert_int_equal(cxh_token(&f->mock.http, "cx-integration", "cx-integration-secret", f->token,
                               sizeof f->token),
                     200);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    assert_int_equal(cxh_stop(&f->mock), 0); /* a clean exit: no sanitizer report */
    free(f);
    return 0;
}

static const struct cxh_resp *inject(struct fx *f, const char *key, const char *body)
{
    char header[300];
    snprintf(header, sizeof header, "X-Idempotency-Key: %s", key ? key : "");
    const char *const headers[] = {header, NULL};
    struct cxh_req rq = {.method = "POST",
                         .path = "/api/v2/routing/contacts",
                         .bearer = f->token,
                         .body = body,
                         .headers = key ? headers : NULL};
    return cxh_request(&f->mock.http, &rq);
}

static void no_agents(struct fx *f)
{
    const char *agents[] = {"agent-voice-1", "agent-voice-2", "agent-digital-1", "agent-digital-2"};
    for (int i = 0; i < 4; i++) {
        char path[96];
        snprintf(path, sizeof path, "/__admin/agents/%s", agents[i]);
        CXH_ASSERT_STATUS(cxh_call(&f->mock.http, "PUT", path, NULL, "{\"state\":\"NOT_READY\"}"),
                          200);
    }
}

static size_t ledger_count(struct fx *f, const char *type, const char *ix)
{
    json_t *l = cxh_ledger(&f->mock.http);
    assert_non_null(l);
    size_t n = cxh_ledger_count(l, type, ix);
    json_decref(l);
    return n;
}

static long long violations(struct fx *f, const char *check)
{
    const struct cxh_resp *r = cxh_call(&f->mock.http, "GET", "/__admin/violations", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    char path[96];
    snprintf(path, sizeof path, "checks.%s.count", check);
    return cxh_int(r->json, path, -1);
}

/* INJ-05 over HTTP: a repeated key returns the same id and creates one contact; no key plus a
 * retry creates two, and the ledger's invariant check reports the duplicate. */
static void test_INJ_05_keys_and_retries(void **state)
{
    struct fx *f = *state;
    const char *body = "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":5}";
    const struct cxh_resp *r = inject(f, "crm-order-1", body);
    CXH_ASSERT_STATUS(r, 201);
    char first[4096];
    snprintf(first, sizeof first, "%s", r->body);
    r = inject(f, "crm-order-1", body);
    CXH_ASSERT_STATUS(r, 201);
    assert_string_equal(r->body, first); /* byte for byte */
    assert_int_equal(ledger_count(f, "CREATED", NULL), 1);
    assert_int_equal(violations(f, "DUPLICATE_CONTACT"), 0);

    const char *retry = "{\"channel\":\"chat\",\"queueId\":\"q-fifo\",\"from\":\"+15550100\"}";
    CXH_ASSERT_STATUS(inject(f, NULL, retry), 201);
    CXH_ASSERT_STATUS(inject(f, NULL, retry), 201);
    assert_int_equal(ledger_count(f, "CREATED", NULL), 3);
    assert_int_equal(violations(f, "DUPLICATE_CONTACT"), 1);

    /* Distinct keys are distinct contacts, whatever their bodies: a client that sends two
     * identical chats, each with its own key, did nothing wrong. */
    const char *twin = "{\"channel\":\"chat\",\"queueId\":\"q-fifo\",\"from\":\"+15550199\"}";
    CXH_ASSERT_STATUS(inject(f, "chat-a", twin), 201);
    CXH_ASSERT_STATUS(inject(f, "chat-b", twin), 201);
    assert_int_equal(ledger_count(f, "CREATED", NULL), 5);
    assert_int_equal(violations(f, "DUPLICATE_CONTACT"), 1);
}

/* ACC-01 (seed 000 §1): a client-credentials call names its agent "in the request header or
 * payload": X-Agent-Id alone binds the accept to that agent; header and body naming two
 * agents is 400; neither is 400 missing_agent_context. */
static void test_ACC_01_agent_context_in_a_header(void **state)
{
    struct fx *f = *state;
    char id[40], path[160];
    assert_int_equal(cxh_create(&f->mock.http, "voice", "q-fifo", NULL, id, sizeof id), 201);
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", id);
    const char *const ada[] = {"X-Agent-Id: agent-voice-1", NULL};
    struct cxh_req rq = {.method = "POST", .path = path, .bearer = f->token, .body = "{}"};
    const struct cxh_resp *r = cxh_request(&f->mock.http, &rq);
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "missing_agent_context");
    rq.headers = ada;
    rq.body = "{\"agentId\":\"agent-voice-2\"}";
    r = cxh_request(&f->mock.http, &rq);
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "agent_mismatch");
    rq.body = "{}";
    r = cxh_request(&f->mock.http, &rq);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
}

/* REJ-04 over HTTP: the platform ignores an idempotency key on a reject, so a keyed reject
 * sent twice is applied twice, and /__admin/violations counts the DUPLICATE_REJECT. */
static void test_REJ_04_keyed_reject_retried(void **state)
{
    struct fx *f = *state;
    const struct cxh_resp *r = cxh_call(&f->mock.http, "POST", "/__admin/interactions", NULL,
                                        "{\"channel\":\"voice\",\"queueId\":\"q-fifo\"}");
    CXH_ASSERT_STATUS(r, 201);
    char path[160];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/reject", cxh_str(r->json, "id"));
    const char *const headers[] = {"X-Idempotency-Key: reject-once", NULL};
    struct cxh_req rq = {.method = "POST",
                         .path = path,
                         .bearer = f->token,
                         .body = "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}",
                         .headers = headers};
    assert_int_equal(violations(f, "DUPLICATE_REJECT"), 0);
    CXH_ASSERT_STATUS(cxh_request(&f->mock.http, &rq), 200);
    CXH_ASSERT_STATUS(
        cxh_call(&f->mock.http, "POST", "/__admin/clock", NULL, "{\"advanceMs\":500}"), 200);
    CXH_ASSERT_STATUS(cxh_request(&f->mock.http, &rq), 200); /* the retry, same key */
    CXH_ASSERT_STATUS(
        cxh_call(&f->mock.http, "POST", "/__admin/clock", NULL, "{\"advanceMs\":500}"), 200);
    assert_int_equal(ledger_count(f, "DUPLICATE_REJECT", NULL), 1);
    assert_int_equal(violations(f, "DUPLICATE_REJECT"), 1);
}

/* INJ-01..04, INJ-07 over HTTP: bad payloads, the queue view and the schema. */
static void test_INJ_01_INJ_07_endpoints(void **state)
{
    struct fx *f = *state;
    CXH_ASSERT_STATUS(inject(f, NULL,
                             "{\"channel\":\"voice\",\"queueId\":\"q-fifo\","
                             "\"skillIds\":[\"billing\"]}"),
                      400);
    CXH_ASSERT_STATUS(inject(f, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-nope\"}"), 404);
    const struct cxh_resp *r = inject(f, NULL, "{\"channel\":\"voice\",\"skillIds\":[\"vip\"]}");
    CXH_ASSERT_STATUS(r, 201);
    CXH_ASSERT_STR(r->json, "queueId", "q-priority");
    r = inject(f, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"attributes\":{\"x\":1}}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "attributes.x");
    r = inject(f, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":1000}");
    CXH_ASSERT_STATUS(r, 400);
    r = cxh_call(&f->mock.http, "GET", "/api/v2/routing/queues/q-priority", f->token, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "capacity", 500);
    CXH_ASSERT_INT(r->json, "depth", 1);
    r = cxh_call(&f->mock.http, "GET", "/api/v2/contacts/attributes", f->token, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "attributes[0].key", "string:externalSource");
}

static const struct cxh_resp *patch(struct fx *f, const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", id);
    return cxh_call(&f->mock.http, "PATCH", path, f->token, body);
}

static long long position(struct fx *f, const char *id)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s?expand=queuePosition", id);
    const struct cxh_resp *r = cxh_call(&f->mock.http, "GET", path, f->token, NULL);
    CXH_ASSERT_STATUS(r, 200);
    return cxh_int(r->json, "queuePosition.position", -1);
}

/* PRI-02, PRI-03, PRI-04, PRI-06 over HTTP: 8.5, "8", 0 and 11 are 400; the change lands at
 * the evaluation cycle; a FIFO queue ignores it; a PATCH after assignment is 409. */
static void test_PRI_02_PRI_04_PRI_06_traps(void **state)
{
    struct fx *f = *state;
    no_agents(f);
    char a[40], b[40], c[40], d[40];
    const struct cxh_resp *r;
    r = inject(f, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}");
    snprintf(a, sizeof a, "%s", cxh_str(r->json, "id"));
    r = inject(f, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}");
    snprintf(b, sizeof b, "%s", cxh_str(r->json, "id"));
    const char *bad[] = {"8.5", "\"8\"", "0", "11"};
    for (int i = 0; i < 4; i++) {
        char body[48];
        snprintf(body, sizeof body, "{\"priority\":%s}", bad[i]);
        r = patch(f, b, body);
        CXH_ASSERT_STATUS(r, 400);
        CXH_ASSERT_STR(r->json, "field", "priority");
    }
    CXH_ASSERT_STATUS(patch(f, b, "{\"priority\":9}"), 200);
    assert_int_equal(position(f, b), 2);
    assert_int_equal(cxh_advance(&f->mock.http, 1000), 200);
    assert_int_equal(position(f, b), 1);

    r = inject(f, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":1}");
    snprintf(c, sizeof c, "%s", cxh_str(r->json, "id"));
    r = inject(f, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":1}");
    snprintf(d, sizeof d, "%s", cxh_str(r->json, "id"));
    CXH_ASSERT_STATUS(patch(f, d, "{\"priority\":10}"), 200);
    assert_int_equal(cxh_advance(&f->mock.http, 1000), 200);
    assert_int_equal(position(f, d), 2); /* FIFO ignores priority (PRI-04) */

    /* PRI-06: assigned between the GET and the PATCH. */
    CXH_ASSERT_STATUS(cxh_call(&f->mock.http, "PUT", "/__admin/agents/agent-voice-1", NULL,
                               "{\"state\":\"READY\"}"),
                      200);
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", a);
    assert_int_equal(position(f, a), 2);
    CXH_ASSERT_STATUS(
        cxh_call(&f->mock.http, "POST", path, f->token, "{\"agentId\":\"agent-voice-1\"}"), 200);
    CXH_ASSERT_STATUS(patch(f, a, "{\"priority\":10}"), 409);
}

/* AGT-01..03 over HTTP: READY during a mandatory break is 409; schedules and breaks. */
static void test_AGT_03_mandatory_break(void **state)
{
    struct fx *f = *state;
    const struct cxh_resp *r = cxh_call(&f->mock.http, "POST", "/api/v2/users/agent-on-break/state",
                                        f->token, "{\"state\":\"READY\"}");
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_STR(r->json, "error", "MANDATORY_BREAK_VIOLATION");
    r = cxh_call(&f->mock.http, "POST", "/api/v2/users/agent-unscheduled/state", f->token,
                 "{\"state\":\"READY\"}");
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_STR(r->json, "error", "AGENT_NOT_SCHEDULED");
    r = cxh_call(&f->mock.http, "POST", "/api/v2/users/agent-away/state", f->token,
                 "{\"state\":\"READY\",\"reasonCode\":\"WORKING\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "state", "READY");
    r = cxh_call(&f->mock.http, "GET", "/api/v2/schedules/users/agent-unscheduled", f->token, NULL);
    CXH_ASSERT_STR(r->json, "status", "INACTIVE");
    r = cxh_call(&f->mock.http, "GET", "/api/v2/breaks/users/agent-on-break/status", f->token,
                 NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_true(json_is_true(cxh_get(r->json, "mandatoryBreakRequired")));
}

/* RATE-01 over HTTP: the 121st routing call in a minute is 429 with Retry-After; after that
 * wait (manual clock) the call succeeds. */
static void test_RATE_01_121st_call(void **state)
{
    struct fx *f = *state;
    const struct cxh_resp *r;
    for (int i = 0; i < 120; i++) {
        r = cxh_call(&f->mock.http, "GET", "/api/v2/routing/queues/q-fifo", f->token, NULL);
        if (r->status != 200)
            fail_msg("call %d: %ld %s", i + 1, r->status, r->body);
    }
    r = cxh_call(&f->mock.http, "GET", "/api/v2/routing/queues/q-fifo", f->token, NULL);
    CXH_ASSERT_STATUS(r, 429);
    assert_string_equal(r->retry_after, "60");
    CXH_ASSERT_STR(r->json, "error", "rate_limited");
    long long wait_s = strtoll(r->retry_after, NULL, 10);
    assert_int_equal(cxh_advance(&f->mock.http, wait_s * 1000), 200);
    CXH_ASSERT_STATUS(
        cxh_call(&f->mock.http, "GET", "/api/v2/routing/queues/q-fifo", f->token, NULL), 200);
}

static const struct cxh_resp *op(struct fx *f, const char *bearer, const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/me/interactions/%s", id);
    return cxh_call(&f->mock.http, "POST", path, bearer, body);
}

/* GWS-01..04 over HTTP: each operation answers in its seed's shape. */
static void test_GWS_02_GWS_03_shapes(void **state)
{
    struct fx *f = *state;
    char ada[128], bob[128], id[40];
    assert_int_equal(
        cxh_agent_token(&f->mock.http, "ada@example.test", "ada-pass", ada, sizeof ada), 200);
    assert_int_equal(
        cxh_agent_token(&f->mock.http, "bob@example.test", "bob-pass", bob, sizeof bob), 200);
    assert_int_equal(cxh_create(&f->mock.http, "voice", "q-fifo", NULL, id, sizeof id), 201);
    const struct cxh_resp *r = op(f, ada, id, "{\"operationName\":\"Accept\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "status", "ok");
    r = op(f, bob, id, "{\"operationName\":\"Accept\"}"); /* GWS-04: owned by ada */
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_STR(r->json, "status", "error");
    assert_non_null(cxh_str(r->json, "errorDescription"));
    assert_int_equal(cxh_advance(&f->mock.http, 500), 200);
    static const char *const ok_ops[] = {
        "{\"operationName\":\"UpdateUserData\",\"userData\":{\"a\":1}}",
        "{\"operationName\":\"AttachUserData\",\"userData\":{\"b\":2}}",
        "{\"operationName\":\"DeleteUserData\",\"userData\":{\"a\":null}}",
        "{\"operationName\":\"GetWorkbinContent\",\"workbin\":\"later\"}"};
    for (int i = 0; i < 4; i++) {
        r = op(f, ada, id, ok_ops[i]);
        CXH_ASSERT_STATUS(r, 200);
        CXH_ASSERT_STR(r->json, "status", "ok");
    }
    r = op(f, ada, id, "{\"operationName\":\"Transfer\",\"userId\":\"agent-voice-2\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "statusCode", 0);
    assert_int_equal(cxh_advance(&f->mock.http, 500), 200);
    r = op(f, ada, id, "{\"operationName\":\"Complete\"}"); /* not ada's any more */
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_INT(r->json, "statusCode", 3);
    assert_non_null(cxh_str(r->json, "statusMessage"));
    r = op(f, bob, id, "{\"operationName\":\"PlaceInWorkbin\",\"workbin\":\"later\"}");
    CXH_ASSERT_STR(r->json, "status", "ok");
    char id2[40];
    assert_int_equal(cxh_create(&f->mock.http, "voice", "q-fifo", NULL, id2, sizeof id2), 201);
    CXH_ASSERT_STR(op(f, ada, id2, "{\"operationName\":\"Accept\"}")->json, "status", "ok");
    assert_int_equal(cxh_advance(&f->mock.http, 500), 200);
    r = op(f, ada, id2, "{\"operationName\":\"PlaceInQueue\",\"queueName\":\"General\"}");
    CXH_ASSERT_STR(r->json, "status", "ok");
    assert_int_equal(cxh_advance(&f->mock.http, 500), 200);
    CXH_ASSERT_STR(op(f, ada, id2, "{\"operationName\":\"Accept\"}")->json, "status", "ok");
    assert_int_equal(cxh_advance(&f->mock.http, 500), 200);
    r = op(f, ada, id2, "{\"operationName\":\"Cancel\"}");
    CXH_ASSERT_INT(r->json, "status", 0); /* the reference's Cancel success: {"status":0} */
    assert_null(cxh_get(r->json, "statusCode"));
    char id3[40];
    assert_int_equal(cxh_create(&f->mock.http, "voice", "q-fifo", NULL, id3, sizeof id3), 201);
    CXH_ASSERT_STR(op(f, ada, id3, "{\"operationName\":\"Reject\"}")->json, "status", "ok");
    assert_int_equal(cxh_advance(&f->mock.http, 500), 200);
    CXH_ASSERT_STR(op(f, bob, id3, "{\"operationName\":\"Accept\"}")->json, "status", "ok");
    assert_int_equal(cxh_advance(&f->mock.http, 500), 200);
    r = op(f, bob, id3, "{\"operationName\":\"Complete\"}");
    CXH_ASSERT_INT(r->json, "statusCode", 0);
    r = op(f, bob, id3, "{\"operationName\":\"Teleport\"}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "status", "error");

    r = cxh_call(&f->mock.http, "GET", "/api/v2/me/interactions?fields=*", bob, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "statusCode", 0);
    r = cxh_call(&f->mock.http, "GET", "/api/v2/interactions", f->token, NULL);
    CXH_ASSERT_STATUS(r, 200);
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s", id2);
    r = cxh_call(&f->mock.http, "PUT", path, ada, "{\"userData\":{\"x\":1}}");
    CXH_ASSERT_STATUS(r, 409); /* cancelled: not ada's */
}

/* FLT-01 over HTTP: a status, a fixed latency (the answer really comes later), a reset (no
 * answer at all), and /metrics counting them. */
static void test_FLT_01_faults_over_http(void **state)
{
    struct fx *f = *state;
    struct cxh_http *c = &f->mock.http;
    CXH_ASSERT_STATUS(
        cxh_call(c, "PUT", "/__admin/faults", NULL, "[{\"group\":\"routing\",\"status\":503}]"),
        200);
    CXH_ASSERT_STATUS(cxh_call(c, "GET", "/api/v2/routing/queues/q-fifo", f->token, NULL), 503);
    CXH_ASSERT_STATUS(cxh_call(c, "GET", "/api/v2/queues/q-fifo", f->token, NULL), 200);
    CXH_ASSERT_STATUS(cxh_call(c, "PUT", "/__admin/faults", NULL,
                               "[{\"group\":\"interactions\",\"latencyMs\":{\"fixed\":300}}]"),
                      200);
    const struct cxh_resp *r = cxh_call(c, "GET", "/api/v2/queues/q-fifo", f->token, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_true(r->seconds >= 0.29);
    CXH_ASSERT_STATUS(
        cxh_call(c, "PUT", "/__admin/faults", NULL, "[{\"group\":\"interactions\",\"reset\":1}]"),
        200);
    r = cxh_call(c, "GET", "/api/v2/queues/q-fifo", f->token, NULL);
    assert_int_equal(r->status, 0); /* no answer */
    CXH_ASSERT_STATUS(cxh_call(c, "PUT", "/__admin/faults", NULL, "[]"), 200);
    CXH_ASSERT_STATUS(cxh_call(c, "GET", "/api/v2/queues/q-fifo", f->token, NULL), 200);
    r = cxh_call(c, "GET", "/metrics", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_non_null(strstr(r->content_type, "text/plain"));
    /* 503 and latency once each; the reset at least once (libcurl sends a request again, once,
     * when a reused connection dies without an answer - a thing cxload must know). */
    const char *line = strstr(r->body, "\ncxmock_faults_injected_total ");
    assert_non_null(line);
    long long injected = strtoll(line + strlen("\ncxmock_faults_injected_total "), NULL, 10);
    assert_in_range(injected, 3, 4);
    assert_non_null(strstr(r->body, "route=\"GET /api/v2/queues/{}\",status=\"0\""));
    assert_non_null(
        strstr(r->body,
               "cxmock_requests_total{route=\"GET /api/v2/routing/queues/{}\",status=\"503\"} 1"));
    assert_non_null(strstr(r->body, "cxmock_handler_seconds_count"));
}

int main(void)
{
    cxh_global_init();
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_INJ_05_keys_and_retries),
        T(test_REJ_04_keyed_reject_retried),
        T(test_INJ_01_INJ_07_endpoints),
        T(test_PRI_02_PRI_04_PRI_06_traps),
        T(test_AGT_03_mandatory_break),
        T(test_RATE_01_121st_call),
        T(test_GWS_02_GWS_03_shapes),
        T(test_FLT_01_faults_over_http),
        T(test_ACC_01_agent_context_in_a_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
