/* test_http_flow.c - cxmock over HTTP, against real processes (harness.h).
 *
 * Each test starts its own `cxmock --port 0` (default tenant, --clock manual unless it says
 * otherwise) and stops it with SIGTERM in the teardown, which fails the test unless the process
 * exits 0 (so a crash, a sanitizer report in the mock or a hang at shutdown is a failure).
 * Test names cite the rule IDs of docs/rules.md they cover. Waits are conditions with
 * deadlines; mock time moves only through POST /__admin/clock. */
#include "harness.h"
#include "router.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#define CC_INTEGRATION "cx-integration:cx-integration-secret"
#define MANUAL_EPOCH   1767225600000LL /* the manual clock's start: 2026-01-01T00:00:00Z */

/* Per-test state: the mock, a client-credentials token of cx-integration, a temp dir, and a
 * webhook receiver; the teardown releases whatever was set up. */
struct receiver;
struct fx {
    struct cxh mock;
    char tok[128];
    char dir[256];
    struct receiver *rcv;
};

static void receiver_stop(struct receiver *r);

/* Start the mock with args (NULL-terminated) and fetch f->tok. Fails the test on error. */
static void fx_start(struct fx *f, const char *const *args)
{
    if (cxh_start(&f->mock, args) < 0)
        fail_msg("cannot start cxmock");
    assert_int_equal(
        cxh_token(&f->mock.http, "cx-integration", "cx-integration-secret", f->tok, sizeof f->tok),
        200);
}

static int setup_none(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->mock.proc.pid = -1;
    f->mock.proc.out_fd = f->mock.proc.err_fd = -1;
    *state = f;
    return 0;
}

static int setup_manual(void **state)
{
    if (setup_none(state) < 0)
        return -1;
    struct fx *f = *state;
    static const char *const args[] = {"--clock", "manual", NULL};
    if (cxh_start(&f->mock, args) == 0 &&
        cxh_token(&f->mock.http, "cx-integration", "cx-integration-secret", f->tok,
                  sizeof f->tok) == 200)
        return 0;
    cxh_stop(&f->mock); /* cmocka runs no teardown after a failed setup */
    free(f);
    return -1;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    int rc = 0;
    if (f->mock.proc.pid > 0) {
        int st = cxh_stop(&f->mock);
        if (st != 0) {
            print_error("cxmock exited with status %d after SIGTERM (expected 0)\n", st);
            rc = -1;
        }
    }
    if (f->rcv)
        receiver_stop(f->rcv);
    if (f->dir[0])
        cxt_rmrf(f->dir);
    free(f);
    return rc;
}

/* --- small request helpers --- */

static const struct cxh_resp *ix_call(struct fx *f, const char *method, const char *id,
                                      const char *suffix, const char *bearer, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v2/interactions/%s%s", id, suffix);
    return cxh_call(&f->mock.http, method, path, bearer, body);
}

/* POST .../accept with the cx-integration token and {"agentId": agent}. */
static const struct cxh_resp *accept_as(struct fx *f, const char *id, const char *agent)
{
    char body[128];
    snprintf(body, sizeof body, "{\"agentId\":\"%s\"}", agent);
    return ix_call(f, "POST", id, "/accept", f->tok, body);
}

/* GET the interaction with the cx-integration token; the parsed body (borrowed until the next
 * request) after asserting 200. */
static json_t *get_ix(struct fx *f, const char *id)
{
    const struct cxh_resp *r = ix_call(f, "GET", id, "", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    return r->json;
}

/* wait_for condition: GET shows the interaction Active. */
struct active_wait {
    struct fx *f;
    const char *id;
};

static int is_active(void *arg)
{
    struct active_wait *w = arg;
    char st[32];
    return cxh_state(&w->f->mock.http, w->f->tok, w->id, st, sizeof st) == 200 &&
           strcmp(st, "Active") == 0;
}

static void create(struct fx *f, const char *channel, const char *queue, char *id, size_t size)
{
    assert_int_equal(cxh_create(&f->mock.http, channel, queue, NULL, id, size), 201);
}

static void advance(struct fx *f, long long ms)
{
    assert_int_equal(cxh_advance(&f->mock.http, ms), 200);
}

static void assert_health(struct fx *f)
{
    const struct cxh_resp *r = cxh_call(&f->mock.http, "GET", "/__admin/health", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "status", "ok");
}

/* Count of a SIM-04 check at /__admin/violations. */
static long long violations(struct fx *f, const char *check)
{
    const struct cxh_resp *r = cxh_call(&f->mock.http, "GET", "/__admin/violations", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    char path[96];
    snprintf(path, sizeof path, "checks.%s.count", check);
    long long n = cxh_int(r->json, path, -1);
    if (n < 0)
        fail_msg("no %s in %s", path, r->body);
    return n;
}

/* The numeric part of an X-Request-Id "rN", or -1. */
static long long rid(const char *request_id)
{
    return request_id[0] == 'r' ? strtoll(request_id + 1, NULL, 10) : -1;
}

/* =====================================================================================
 * Every route of router.c, each with its success status and key body fields, then a check
 * that /metrics counted a 2xx for every (method, pattern) of the route table in router.c.
 * ===================================================================================== */

/* Parse router.c's route table into "METHOD PATTERN" strings. */
/* The route table's names ("GET /api/v2/interactions/{}"), from the library itself. */
static size_t route_table(char names[][300], size_t max)
{
    size_t n = 0;
    while (n < max && cxm_route_name(n, names[n], sizeof names[n]))
        n++;
    return n;
}

/* Proves: every route answers its success status with its documented fields (AUTH-01/02,
 * ACC-01/07, REJ-01, Q-01/02, CONS-03, the admin API, SIM-01/03/04, FLT-01), and
 * that the test really reached every route of the table (cross-checked against /metrics). */
static void test_ROUTES_AUTH_01_ACC_07_Q_01_Q_02_every_route_succeeds(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r;

    /* AUTH-01/02: the three token paths, Basic and form-field credentials. */
    r = cxh_form(h, "/api/v2/oauth/token", CC_INTEGRATION, "grant_type=client_credentials");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "token_type", "Bearer");
    CXH_ASSERT_INT(r->json, "expires_in", 3600);
    assert_non_null(cxh_str(r->json, "access_token"));
    assert_non_null(cxh_str(r->json, "refresh_token"));
    assert_non_null(strstr(cxh_str(r->json, "scope"), "interaction:write"));
    assert_non_null(strstr(r->content_type, "application/json"));
    r = cxh_form(h, "/oauth/token", NULL,
                 "grant_type=client_credentials&client_id=cx-integration&client_secret=cx-"
                 "integration-secret");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "token_type", "Bearer");
    r = cxh_form(h, "/oauth2/token", CC_INTEGRATION, "grant_type=client_credentials");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "token_type", "Bearer");

    /* Admin: an inbound contact. */
    r = cxh_call(h, "POST", "/__admin/interactions", NULL,
                 "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"externalId\":\"ext-1\"}");
    CXH_ASSERT_STATUS(r, 201);
    char id[64], id2[64];
    snprintf(id, sizeof id, "%s", cxh_str(r->json, "id"));
    CXH_ASSERT_STR(r->json, "state", "Ringing");
    CXH_ASSERT_STR(r->json, "externalId", "ext-1");
    assert_true(r->request_id[0] == 'r');

    /* ACC-07: the interaction view. */
    json_t *v = get_ix(f, id);
    CXH_ASSERT_STR(v, "id", id);
    CXH_ASSERT_STR(v, "state", "Ringing");
    CXH_ASSERT_STR(v, "channelType", "voice");
    CXH_ASSERT_STR(v, "externalId", "ext-1");
    CXH_ASSERT_STR(v, "queueId", "q-fifo");
    CXH_ASSERT_NULL(v, "agentId");
    CXH_ASSERT_STR(v, "ringingAgents[0]", "agent-voice-1");
    CXH_ASSERT_STR(v, "ringingAgents[1]", "agent-voice-2");
    assert_int_equal(json_array_size(cxh_get(v, "ringingAgents")), 2);
    CXH_ASSERT_INT(v, "ringCount", 1);
    CXH_ASSERT_INT(v, "maxRings", 3);
    CXH_ASSERT_NULL(v, "rejectReason");
    CXH_ASSERT_NULL(v, "metadata");

    /* Q-01 and Q-02. */
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "id", "q-fifo");
    CXH_ASSERT_STR(r->json, "name", "General");
    CXH_ASSERT_STR(r->json, "status", "Normal");
    CXH_ASSERT_INT(r->json, "depth", 1);
    CXH_ASSERT_INT(r->json, "oldestWaitSeconds", 0);
    CXH_ASSERT_STR(r->json, "sortingStrategy", "FIFO");
    CXH_ASSERT_INT(r->json, "maxRings", 3);
    CXH_ASSERT_STR(r->json, "overflowAction", "drop");
    CXH_ASSERT_NULL(r->json, "fallbackQueueId");
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo/stats", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "currentRings", 1);
    CXH_ASSERT_INT(r->json, "maxRings", 3);
    CXH_ASSERT_INT(r->json, "ringing", 1);
    CXH_ASSERT_INT(r->json, "waiting", 0);
    CXH_ASSERT_INT(r->json, "activeAgents", 4);

    /* ACC-01 accept, SIM-01 clock, REJ-01 reject (the owner gives it up: Ended). */
    r = ix_call(f, "POST", id, "/accept", f->tok,
                "{\"agentId\":\"agent-voice-1\",\"metadata\":{\"crm\":\"42\"}}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "interactionId", id);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
    assert_true(json_is_true(cxh_get(r->json, "accepted")));
    r = cxh_call(h, "POST", "/__admin/clock", NULL, "{\"advanceMs\":500}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "mode", "manual");
    CXH_ASSERT_INT(r->json, "now", MANUAL_EPOCH + 500);
    CXH_ASSERT_STR(r->json, "nowIso", "2026-01-01T00:00:00.500Z");
    v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Active");
    CXH_ASSERT_STR(v, "metadata.crm", "42");

    /* GWS-01..03 with ada's (agent-voice-1's) bound token: her interactions as URIs (on the
     * address the mock listens on) and as objects, all active interactions, user data by PUT and by
     * an operation. */
    char ada[128], path[256], uri[256];
    assert_int_equal(cxh_agent_token(h, "ada@example.test", "ada-pass", ada, sizeof ada), 200);
    r = cxh_call(h, "GET", "/api/v2/me/interactions", ada, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "statusCode", 0);
    snprintf(uri, sizeof uri, "%s/api/v2/interactions/%s", h->base, id);
    CXH_ASSERT_STR(r->json, "uris[0]", uri);
    r = cxh_call(h, "GET", "/api/v2/me/interactions?fields=*", ada, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "interactions[0].id", id);
    CXH_ASSERT_STR(r->json, "interactions[0].agentId", "agent-voice-1");
    r = cxh_call(h, "GET", "/api/v2/interactions", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "statusCode", 0);
    CXH_ASSERT_STR(r->json, "interactions[0].id", id);
    r = ix_call(f, "PUT", id, "", ada, "{\"userData\":{\"case\":\"c-1\"}}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "statusCode", 0);
    snprintf(path, sizeof path, "/api/v2/me/interactions/%s", id);
    r = cxh_call(h, "POST", path, ada,
                 "{\"operationName\":\"AttachUserData\",\"userData\":{\"tier\":\"gold\"}}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "status", "ok");
    advance(f, 500);

    /* INJ-01, INJ-07, PRI-01, PRI-02: a contact through the routing API. */
    r = cxh_call(h, "POST", "/api/v2/routing/contacts", f->tok,
                 "{\"type\":\"inbound\",\"channel\":\"email\",\"queueId\":\"q-priority\","
                 "\"priority\":5,\"from\":\"c@example.test\","
                 "\"attributes\":{\"string:customerTier\":\"gold\"}}");
    CXH_ASSERT_STATUS(r, 201);
    char cid[64];
    snprintf(cid, sizeof cid, "%s", cxh_str(r->json, "id"));
    CXH_ASSERT_STR(r->json, "status", "queued");
    CXH_ASSERT_STR(r->json, "queueId", "q-priority");
    CXH_ASSERT_INT(r->json, "priority", 5);
    CXH_ASSERT_STR(r->json, "createdTime", "2026-01-01T00:00:01.000Z");
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s?expand=queuePosition", cid);
    r = cxh_call(h, "GET", path, f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "id", cid);
    CXH_ASSERT_STR(r->json, "routingStatus", "waiting"); /* ringing the digital agents */
    CXH_ASSERT_STR(r->json, "queueId", "q-priority");
    CXH_ASSERT_INT(r->json, "priority", 5);
    CXH_ASSERT_INT(r->json, "queuePosition.position", 1);
    CXH_ASSERT_STR(r->json, "attributes.string:customerTier", "gold");
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", cid);
    /* PRI-08: the conditional GET: the same ETag again is 304 with no body */
    r = cxh_call(h, "GET", path, f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    char etag[64], inm[96];
    snprintf(etag, sizeof etag, "%s", r->etag);
    assert_true(etag[0] == '"');
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *const cond[] = {inm, NULL};
    struct cxh_req crq = {.method = "GET", .path = path, .bearer = f->tok, .headers = cond};
    r = cxh_request(h, &crq);
    CXH_ASSERT_STATUS(r, 304);
    assert_int_equal(r->len, 0);
    r = cxh_call(h, "PATCH", path, f->tok, "{\"priority\":3}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "id", cid);
    CXH_ASSERT_INT(r->json, "priority", 3);
    /* PRI-07: routeToQueue moves a queued contact to another queue */
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s/routeToQueue", cid);
    r = cxh_call(h, "POST", path, f->tok, "{\"queueId\":\"q-fifo\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "queueId", "q-fifo");
    r = cxh_call(h, "POST", path, f->tok, "{\"queueId\":\"q-priority\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "queueId", "q-priority");
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", cid);
    r = cxh_request(h, &crq); /* back where it was, its PATCH pending: the same view */
    CXH_ASSERT_STATUS(r, 304);
    r = cxh_call(h, "GET", "/api/v2/routing/queues/q-priority", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "id", "q-priority");
    CXH_ASSERT_INT(r->json, "capacity", 500);
    CXH_ASSERT_INT(r->json, "depth", 1);
    CXH_ASSERT_STR(r->json, "status", "Normal");
    assert_true(json_real_value(cxh_get(r->json, "thresholds.abandonRate")) == 0.5);
    assert_true(json_real_value(cxh_get(r->json, "thresholds.serviceLevel")) == 0.2);
    assert_true(json_is_integer(cxh_get(r->json, "activeAgents")));
    r = cxh_call(h, "GET", "/api/v2/contacts/attributes", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "attributes[0].key", "string:externalSource");
    CXH_ASSERT_STR(r->json, "attributes[0].type", "string");
    CXH_ASSERT_INT(r->json, "attributes[0].maxLength", 255);
    assert_int_equal(json_array_size(cxh_get(r->json, "attributes")), 5);

    /* AGT-01, AGT-02: an agent-state write, a schedule, a break status. */
    r = cxh_call(h, "POST", "/api/v2/users/agent-away/state", f->tok,
                 "{\"state\":\"READY\",\"reasonCode\":\"WORKING\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "userId", "agent-away");
    CXH_ASSERT_STR(r->json, "state", "READY");
    CXH_ASSERT_STR(r->json, "reasonCode", "WORKING");
    r = cxh_call(h, "GET", "/api/v2/users/agent-voice-1/state", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "state", "READY");
    r = cxh_call(h, "GET", "/api/v2/schedules/users/agent-unscheduled", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "status", "INACTIVE");
    r = cxh_call(h, "GET", "/api/v2/schedules/users/agent-voice-1", f->tok, NULL);
    CXH_ASSERT_STR(r->json, "status", "ACTIVE");
    r = cxh_call(h, "GET", "/api/v2/breaks/users/agent-on-break/status", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_true(json_is_true(cxh_get(r->json, "mandatoryBreakRequired")));

    r = ix_call(f, "POST", id, "/reject", f->tok,
                "{\"agentId\":\"agent-voice-1\",\"rejectReason\":\"agent_busy\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "interactionId", id);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
    assert_true(json_is_true(cxh_get(r->json, "rejected")));
    advance(f, 500);
    v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Ended");
    CXH_ASSERT_STR(v, "rejectReason", "agent_busy");

    /* CONS-03: the event stream. */
    r = cxh_call(h, "GET", "/api/v2/events?after=0", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_true(json_array_size(cxh_get(r->json, "events")) >= 3);
    CXH_ASSERT_INT(r->json, "cursor",
                   (long long)json_array_size(cxh_get(r->json, "events"))); /* from 1, no gap */

    /* Admin: end, queue, agent, faults, ledger, violations, state, health. */
    create(f, "chat", "q-priority", id2, sizeof id2);
    snprintf(path, sizeof path, "/__admin/interactions/%s/end", id2);
    r = cxh_call(h, "POST", path, NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "id", id2);
    CXH_ASSERT_STR(r->json, "state", "Ended");
    r = cxh_call(h, "PUT", "/__admin/queues/q-fifo", NULL, "{\"status\":\"Overflow\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "id", "q-fifo");
    CXH_ASSERT_STR(r->json, "status", "Overflow");
    r = cxh_call(h, "PUT", "/__admin/agents/agent-offline", NULL, "{\"state\":\"READY\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "id", "agent-offline");
    CXH_ASSERT_STR(r->json, "state", "READY");
    r = cxh_call(h, "PUT", "/__admin/faults", NULL, "[]");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "faults", 0);
    r = cxh_call(h, "GET", "/__admin/ledger", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_true(json_array_size(cxh_get(r->json, "entries")) > 5);
    CXH_ASSERT_INT(r->json, "next", (long long)json_array_size(cxh_get(r->json, "entries")));
    CXH_ASSERT_INT(r->json, "total", (long long)json_array_size(cxh_get(r->json, "entries")));
    CXH_ASSERT_INT(r->json, "entries[0].seq", 1);
    r = cxh_call(h, "GET", "/__admin/violations", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_true(cxh_int(r->json, "entries", 0) > 5);
    CXH_ASSERT_INT(r->json, "checks.DUAL_ATTACH.count", 0);
    CXH_ASSERT_INT(r->json, "checks.SILENT_DROP.count", 0);
    assert_non_null(cxh_get(r->json, "checks.PHANTOM_ACCEPT"));
    assert_non_null(cxh_get(r->json, "checks.DUPLICATE_CONTACT"));
    assert_non_null(cxh_get(r->json, "checks.LOST_CONTACT"));
    r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "tenant", "default");
    CXH_ASSERT_INT(r->json, "seed", 1);
    CXH_ASSERT_STR(r->json, "clock.mode", "manual");
    assert_int_equal(json_array_size(cxh_get(r->json, "agents")), 9);
    assert_int_equal(json_array_size(cxh_get(r->json, "queues")), 5);
    assert_int_equal(json_array_size(cxh_get(r->json, "interactions")), 3);
    assert_health(f);

    /* Admin reset: back to the fixture with a new seed; tokens are gone. */
    r = cxh_call(h, "POST", "/__admin/reset", NULL, "{\"seed\":7}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "status", "reset");
    CXH_ASSERT_INT(r->json, "seed", 7);
    r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    CXH_ASSERT_INT(r->json, "seed", 7);
    assert_int_equal(json_array_size(cxh_get(r->json, "interactions")), 0);
    CXH_ASSERT_STR(r->json, "queues[1].status", "Normal");
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 401);

    /* /metrics, twice so that the first call is counted too. */
    r = cxh_call(h, "GET", "/metrics", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    r = cxh_call(h, "GET", "/metrics", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_non_null(strstr(r->content_type, "text/plain"));
    assert_non_null(strstr(r->body, "# TYPE cxmock_requests_total counter"));

    /* Every route of the table has a 2xx count. */
    static char names[64][300];
    size_t n = route_table(names, 64);
    assert_true(n >= 20); /* the parse found the table */
    for (size_t i = 0; i < n; i++) {
        int hit = 0;
        for (int st = 200; st < 300 && !hit; st++) {
            char line[400];
            snprintf(line, sizeof line, "cxmock_requests_total{route=\"%.300s\",status=\"%d\"} ",
                     names[i], st);
            hit = strstr(r->body, line) != NULL;
        }
        if (!hit)
            fail_msg("route %s of router.c was never answered with a 2xx here: give it a call "
                     "in this test\n%s",
                     names[i], r->body);
    }
}

/* =====================================================================================
 * AUTH
 * ===================================================================================== */

/* AUTH-02: a refresh token gives a new working token once; a second use is invalid_grant. */
static void test_AUTH_02_refresh_token_grant(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r =
        cxh_form(h, "/oauth/token", CC_INTEGRATION, "grant_type=client_credentials");
    CXH_ASSERT_STATUS(r, 200);
    char refresh[128], form[256], tok[128];
    snprintf(refresh, sizeof refresh, "%s", cxh_str(r->json, "refresh_token"));
    snprintf(form, sizeof form, "grant_type=refresh_token&refresh_token=%s", refresh);
    r = cxh_form(h, "/oauth/token", CC_INTEGRATION, form);
    CXH_ASSERT_STATUS(r, 200);
    snprintf(tok, sizeof tok, "%s", cxh_str(r->json, "access_token"));
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    r = cxh_form(h, "/oauth/token", CC_INTEGRATION, form);
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "invalid_grant");
}

/* AUTH-03: a bad secret (Basic or form) is 401 invalid_client with a Basic challenge; so is an
 * unknown client. */
static void test_AUTH_03_bad_secret_invalid_client(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r =
        cxh_form(h, "/api/v2/oauth/token", "cx-integration:wrong", "grant_type=client_credentials");
    CXH_ASSERT_STATUS(r, 401);
    CXH_ASSERT_STR(r->json, "error", "invalid_client");
    assert_non_null(strstr(r->www_authenticate, "Basic"));
    r = cxh_form(h, "/oauth2/token", NULL,
                 "grant_type=client_credentials&client_id=cx-integration&client_secret=nope");
    CXH_ASSERT_STATUS(r, 401);
    CXH_ASSERT_STR(r->json, "error", "invalid_client");
    r = cxh_form(h, "/oauth/token", "nobody:secret", "grant_type=client_credentials");
    CXH_ASSERT_STATUS(r, 401);
    CXH_ASSERT_STR(r->json, "error", "invalid_client");
}

/* AUTH-03: an unknown grant type is 400 unsupported_grant_type. */
static void test_AUTH_03_unknown_grant_unsupported_grant_type(void **state)
{
    struct fx *f = *state;
    const struct cxh_resp *r =
        cxh_form(&f->mock.http, "/api/v2/oauth/token", CC_INTEGRATION, "grant_type=magic_beans");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "unsupported_grant_type");
}

/* AUTH-03: a scope the client does not hold is 400 invalid_scope; a granted subset is issued
 * with exactly that scope. */
static void test_AUTH_03_scope_not_granted_invalid_scope(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r =
        cxh_form(h, "/api/v2/oauth/token", "cx-readonly:cx-readonly-secret",
                 "grant_type=client_credentials&scope=interaction%3Aread+interaction%3Awrite");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "invalid_scope");
    r = cxh_form(h, "/api/v2/oauth/token", CC_INTEGRATION,
                 "grant_type=client_credentials&scope=interaction%3Aread");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "scope", "interaction:read");
    char tok[128], id[64];
    snprintf(tok, sizeof tok, "%s", cxh_str(r->json, "access_token"));
    create(f, "voice", "q-fifo", id, sizeof id);
    r = ix_call(f, "POST", id, "/accept", tok, "{\"agentId\":\"agent-voice-1\"}");
    CXH_ASSERT_STATUS(r, 403);
    CXH_ASSERT_STR(r->json, "error", "insufficient_scope");
}

/* AUTH-04: no token, a malformed header and an unknown token are 401 invalid_token with a
 * Bearer challenge. */
static void test_AUTH_04_no_token_401(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = ix_call(f, "GET", id, "", NULL, NULL);
    CXH_ASSERT_STATUS(r, 401);
    CXH_ASSERT_STR(r->json, "error", "invalid_token");
    assert_non_null(strstr(r->www_authenticate, "Bearer"));
    r = ix_call(f, "POST", id, "/accept", NULL, "{\"agentId\":\"agent-voice-1\"}");
    CXH_ASSERT_STATUS(r, 401);
    r = ix_call(f, "GET", id, "", "cxm_not_a_token", NULL);
    CXH_ASSERT_STATUS(r, 401);
    CXH_ASSERT_STR(r->json, "error", "invalid_token");
    struct cxh_req rq = {.method = "GET", .path = "/api/v2/events", .basic = CC_INTEGRATION};
    r = cxh_request(h, &rq);
    CXH_ASSERT_STATUS(r, 401);
    /* nothing was accepted */
    CXH_ASSERT_STR(get_ix(f, id), "state", "Ringing");
}

/* AUTH-04: a read-only token (cx-readonly) may read but not accept: 403 insufficient_scope,
 * and the interaction is untouched. */
static void test_AUTH_04_readonly_accept_insufficient_scope(void **state)
{
    struct fx *f = *state;
    char ro[128], id[64];
    assert_int_equal(cxh_token(&f->mock.http, "cx-readonly", "cx-readonly-secret", ro, sizeof ro),
                     200);
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = ix_call(f, "GET", id, "", ro, NULL);
    CXH_ASSERT_STATUS(r, 200);
    r = ix_call(f, "POST", id, "/accept", ro, "{\"agentId\":\"agent-voice-1\"}");
    CXH_ASSERT_STATUS(r, 403);
    CXH_ASSERT_STR(r->json, "error", "insufficient_scope");
    r = ix_call(f, "POST", id, "/reject", ro, "{\"agentId\":\"agent-voice-1\"}");
    CXH_ASSERT_STATUS(r, 403);
    advance(f, 600);
    CXH_ASSERT_STR(get_ix(f, id), "state", "Ringing");
}

/* AUTH-02, AUTH-04: cx-short-lived tokens live 60 s of mock time: 200 at +59 s, 401
 * invalid_token at +61 s. */
static void test_AUTH_04_expired_token_401(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r =
        cxh_form(h, "/api/v2/oauth/token", "cx-short-lived:cx-short-lived-secret",
                 "grant_type=client_credentials");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "expires_in", 60);
    char tok[128];
    snprintf(tok, sizeof tok, "%s", cxh_str(r->json, "access_token"));
    advance(f, 59000);
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    advance(f, 2000);
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", tok, NULL);
    CXH_ASSERT_STATUS(r, 401);
    CXH_ASSERT_STR(r->json, "error", "invalid_token");
    /* the long-lived client's token, issued at the start, still works */
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
}

/* AUTH-05: cx-rotating revokes a client's earlier tokens when it issues a new one: token A is
 * 401 invalid_token, token B works, and the ledger says TOKEN_REVOKED. cx-integration keeps
 * both of its tokens. */
static void test_AUTH_05_revoke_previous_rotation(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    char a[128], b[128], keep2[128];
    assert_int_equal(cxh_token(h, "cx-rotating", "cx-rotating-secret", a, sizeof a), 200);
    const struct cxh_resp *r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", a, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_int_equal(cxh_token(h, "cx-rotating", "cx-rotating-secret", b, sizeof b), 200);
    assert_string_not_equal(a, b);
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", a, NULL);
    CXH_ASSERT_STATUS(r, 401);
    CXH_ASSERT_STR(r->json, "error", "invalid_token");
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", b, NULL);
    CXH_ASSERT_STATUS(r, 200);
    json_t *ledger = cxh_ledger(h);
    assert_non_null(ledger);
    assert_int_equal(cxh_ledger_count(ledger, "TOKEN_REVOKED", NULL), 1);
    json_decref(ledger);
    assert_int_equal(cxh_token(h, "cx-integration", "cx-integration-secret", keep2, sizeof keep2),
                     200);
    CXH_ASSERT_STATUS(cxh_call(h, "GET", "/api/v2/queues/q-fifo", f->tok, NULL), 200);
    CXH_ASSERT_STATUS(cxh_call(h, "GET", "/api/v2/queues/q-fifo", keep2, NULL), 200);
}

/* =====================================================================================
 * Accept (ACC-*)
 * ===================================================================================== */

/* ACC-01, AUTH-02: a password-grant token is bound to its agent: accept without agentId acts
 * for that agent; naming another agent is refused (403 agent_mismatch). */
static void test_ACC_01_password_grant_accepts_without_agentId(void **state)
{
    struct fx *f = *state;
    char ada[128], id[64];
    assert_int_equal(
        cxh_agent_token(&f->mock.http, "ada@example.test", "ada-pass", ada, sizeof ada), 200);
    const struct cxh_resp *r = cxh_form(&f->mock.http, "/oauth/token", CC_INTEGRATION,
                                        "grant_type=password&username=ada%40example.test"
                                        "&password=wrong");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "invalid_grant");
    create(f, "voice", "q-fifo", id, sizeof id);
    r = ix_call(f, "POST", id, "/accept", ada, "{\"agentId\":\"agent-voice-2\"}");
    CXH_ASSERT_STATUS(r, 403);
    CXH_ASSERT_STR(r->json, "error", "agent_mismatch");
    r = ix_call(f, "POST", id, "/accept", ada, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
    advance(f, 500);
    json_t *v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Active");
    CXH_ASSERT_STR(v, "agentId", "agent-voice-1");
}

/* ACC-01: a client-credentials token with no agentId is 400 missing_agent_context; an unknown
 * agentId is 404. */
static void test_ACC_01_client_token_without_agentId_missing_agent_context(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = ix_call(f, "POST", id, "/accept", f->tok, "{}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "missing_agent_context");
    r = ix_call(f, "POST", id, "/accept", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "missing_agent_context");
    r = accept_as(f, id, "agent-nobody");
    CXH_ASSERT_STATUS(r, 404);
}

/* ACC-02: an agent that is not READY (NOT_READY agent-away, LOGGED_OUT agent-offline) gets 403
 * before any routing work: even for an interaction that does not exist. */
static void test_ACC_02_agent_not_ready_403(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = accept_as(f, id, "agent-away");
    CXH_ASSERT_STATUS(r, 403);
    CXH_ASSERT_STR(r->json, "error", "agent_unavailable");
    r = accept_as(f, id, "agent-offline");
    CXH_ASSERT_STATUS(r, 403);
    r = accept_as(f, "00000000-0000-4000-8000-000000000000", "agent-away");
    CXH_ASSERT_STATUS(r, 403);
    advance(f, 600);
    json_t *v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Ringing");
    CXH_ASSERT_NULL(v, "agentId");
}

/* ACC-03: a chat interaction accepted with channelType "voice" (or none) is 400
 * validation_error, detail channel_type_mismatch; with "chat" it is accepted. */
static void test_ACC_03_chat_with_voice_channel_type_mismatch(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "chat", "q-priority", id, sizeof id);
    const struct cxh_resp *r =
        ix_call(f, "POST", id, "/accept", f->tok,
                "{\"agentId\":\"agent-digital-1\",\"channelType\":\"voice\"}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "validation_error");
    CXH_ASSERT_STR(r->json, "detail", "channel_type_mismatch");
    r = ix_call(f, "POST", id, "/accept", f->tok, "{\"agentId\":\"agent-digital-1\"}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "detail", "channel_type_mismatch");
    r = ix_call(f, "POST", id, "/accept", f->tok,
                "{\"agentId\":\"agent-digital-1\",\"channelType\":\"chat\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "agentId", "agent-digital-1");
}

/* ACC-03: voice ignores channelType but needs a voice seat: agent-digital-1 gets 403
 * agent_not_licensed and the interaction keeps ringing. */
static void test_ACC_03_voice_by_digital_agent_not_licensed(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r =
        ix_call(f, "POST", id, "/accept", f->tok,
                "{\"agentId\":\"agent-digital-1\",\"channelType\":\"voice\"}");
    CXH_ASSERT_STATUS(r, 403);
    CXH_ASSERT_STR(r->json, "error", "agent_not_licensed");
    advance(f, 600);
    json_t *v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Ringing");
    CXH_ASSERT_NULL(v, "agentId");
}

/* ACC-04, CONS-01: the 200 comes at once but the state changes only after the consistency
 * delay (200..500 ms): Ringing right after the accept and at +199 ms, Active at +500 ms, the
 * ring group is cleared. */
static void test_ACC_04_CONS_01_state_visible_after_delay(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    CXH_ASSERT_STATUS(accept_as(f, id, "agent-voice-2"), 200);
    json_t *v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Ringing");
    CXH_ASSERT_NULL(v, "agentId");
    advance(f, 199);
    CXH_ASSERT_STR(get_ix(f, id), "state", "Ringing");
    advance(f, 301);
    v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Active");
    CXH_ASSERT_STR(v, "agentId", "agent-voice-2");
    assert_int_equal(json_array_size(cxh_get(v, "ringingAgents")), 0);
}

/* ACC-05: two agents accept the same ringing interaction: both 200, both bodies name the first
 * agent; after consistency.maxMs the owner is the first; the ledger says already_owned and the
 * server sees no dual attach. */
static void test_ACC_05_dual_accept_first_wins(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = accept_as(f, id, "agent-voice-1");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
    r = accept_as(f, id, "agent-voice-2");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
    advance(f, 500);
    json_t *v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Active");
    CXH_ASSERT_STR(v, "agentId", "agent-voice-1");
    /* a third accept, after the apply, still names the owner */
    r = accept_as(f, id, "agent-voice-2");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
    advance(f, 500);
    CXH_ASSERT_STR(get_ix(f, id), "agentId", "agent-voice-1");
    json_t *ledger = cxh_ledger(&f->mock.http);
    assert_non_null(ledger);
    assert_int_equal(cxh_ledger_count(ledger, "ATTACH", id), 1);
    assert_int_equal(cxh_ledger_count(ledger, "ACCEPT", id), 3);
    json_t *e = cxh_ledger_find(ledger, "ACCEPT", id);
    CXH_ASSERT_STR(e, "outcome", "won");
    json_decref(ledger);
    assert_int_equal(violations(f, "DUAL_ATTACH"), 0);
}

/* ACC-06: q-overflow rings 2 x 10 s; at +20 s the interaction is Timeout. An accept then is
 * 200 and the apply sends it straight to Ended: ledger PHANTOM_ATTACH, violation
 * PHANTOM_ACCEPT. */
static void test_ACC_06_accept_after_ring_timeout_phantom(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-overflow", id, sizeof id);
    advance(f, 10000);
    json_t *v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Ringing");
    CXH_ASSERT_INT(v, "ringCount", 2);
    CXH_ASSERT_INT(v, "maxRings", 2);
    advance(f, 10000);
    v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Timeout");
    assert_int_equal(json_array_size(cxh_get(v, "ringingAgents")), 0);
    const struct cxh_resp *r = accept_as(f, id, "agent-voice-1");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
    advance(f, 600);
    v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Ended");
    json_t *ledger = cxh_ledger(&f->mock.http);
    assert_non_null(ledger);
    json_t *e = cxh_ledger_find(ledger, "PHANTOM_ATTACH", id);
    if (!e)
        fail_msg("no PHANTOM_ATTACH for %s", id);
    CXH_ASSERT_STR(e, "agentId", "agent-voice-1");
    CXH_ASSERT_STR(e, "stateAtApply", "Timeout");
    assert_int_equal(cxh_ledger_count(ledger, "RING_EXPIRED", id), 2);
    json_decref(ledger);
    assert_int_equal(violations(f, "PHANTOM_ACCEPT"), 1);
}

/* =====================================================================================
 * Reject (REJ-*)
 * ===================================================================================== */

/* REJ-01: returnToQueue true rings the next eligible agent (not the rejecting one); false
 * ends the interaction. A reject by a non-owner of an owned interaction is 409. */
static void test_REJ_01_reject_requeues_or_ends(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = ix_call(f, "POST", id, "/reject", f->tok,
                                       "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}");
    CXH_ASSERT_STATUS(r, 200);
    advance(f, 500);
    json_t *v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Ringing");
    assert_int_equal(json_array_size(cxh_get(v, "ringingAgents")), 1);
    CXH_ASSERT_STR(v, "ringingAgents[0]", "agent-voice-2");
    CXH_ASSERT_STATUS(accept_as(f, id, "agent-voice-2"), 200);
    r = ix_call(f, "POST", id, "/reject", f->tok, "{\"agentId\":\"agent-voice-1\"}");
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_STR(r->json, "error", "not_owner");
    advance(f, 500);
    r = ix_call(f, "POST", id, "/reject", f->tok,
                "{\"agentId\":\"agent-voice-2\",\"returnToQueue\":false}");
    CXH_ASSERT_STATUS(r, 200);
    advance(f, 500);
    CXH_ASSERT_STR(get_ix(f, id), "state", "Ended");
    r = ix_call(f, "POST", id, "/reject", f->tok, "{\"agentId\":\"agent-voice-2\"}");
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_STR(r->json, "error", "invalid_state");
}

/* REJ-02: a rejectReason outside the dispositions is stored as "Unknown" (GET and the ledger,
 * after the delay); a known one is kept as given. */
static void test_REJ_02_unknown_reason_stored_Unknown(void **state)
{
    struct fx *f = *state;
    char a[64], b[64];
    create(f, "voice", "q-fifo", a, sizeof a);
    create(f, "chat", "q-priority", b, sizeof b);
    const struct cxh_resp *r =
        ix_call(f, "POST", a, "/reject", f->tok,
                "{\"agentId\":\"agent-voice-1\",\"rejectReason\":\"went_to_lunch\"}");
    CXH_ASSERT_STATUS(r, 200);
    r = ix_call(f, "POST", b, "/reject", f->tok,
                "{\"agentId\":\"agent-digital-1\",\"rejectReason\":\"wrong_language\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_NULL(get_ix(f, a), "rejectReason");
    advance(f, 500);
    CXH_ASSERT_STR(get_ix(f, a), "rejectReason", "Unknown");
    CXH_ASSERT_STR(get_ix(f, b), "rejectReason", "wrong_language");
    json_t *ledger = cxh_ledger(&f->mock.http);
    json_t *e = cxh_ledger_find(ledger, "UNKNOWN_DISPOSITION", a);
    if (!e)
        fail_msg("no UNKNOWN_DISPOSITION for %s", a);
    CXH_ASSERT_STR(e, "given", "went_to_lunch");
    CXH_ASSERT_STR(e, "stored", "Unknown");
    CXH_ASSERT_STR(cxh_ledger_find(ledger, "REJECT", a), "rejectReason", "Unknown");
    assert_null(cxh_ledger_find(ledger, "UNKNOWN_DISPOSITION", b));
    json_decref(ledger);
}

/* REJ-03, Q-01, SIM-04: q-overflow (overflowDepth 2, drop) holds 2 interactions, so it is
 * Overflow; rejecting the ringing one with returnToQueue true is 200, and after the delay it
 * is gone (404) with a SILENT_DROP in the ledger and in /__admin/violations. */
static void test_REJ_03_reject_into_overflow_silent_drop(void **state)
{
    struct fx *f = *state;
    char a[64], b[64];
    create(f, "voice", "q-overflow", a, sizeof a);
    create(f, "voice", "q-overflow", b, sizeof b);
    CXH_ASSERT_STR(get_ix(f, a), "state", "Ringing");
    CXH_ASSERT_STR(get_ix(f, b), "state", "Queued");
    const struct cxh_resp *r =
        cxh_call(&f->mock.http, "GET", "/api/v2/queues/q-overflow", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "status", "Overflow");
    CXH_ASSERT_INT(r->json, "depth", 2);
    r = ix_call(f, "POST", a, "/reject", f->tok,
                "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "interactionId", a);
    advance(f, 600);
    r = ix_call(f, "GET", a, "", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 404);
    CXH_ASSERT_STR(r->json, "error", "not_found");
    r = accept_as(f, a, "agent-voice-2");
    CXH_ASSERT_STATUS(r, 404);
    json_t *ledger = cxh_ledger(&f->mock.http);
    json_t *e = cxh_ledger_find(ledger, "SILENT_DROP", a);
    if (!e)
        fail_msg("no SILENT_DROP for %s", a);
    CXH_ASSERT_STR(e, "queueId", "q-overflow");
    CXH_ASSERT_STR(e, "cause", "reject_into_overflow");
    json_decref(ledger);
    assert_int_equal(violations(f, "SILENT_DROP"), 1);
    /* the other one is still there and now rings */
    CXH_ASSERT_STR(get_ix(f, b), "state", "Ringing");
}

/* REJ-03: with overflowAction "fallback" the interaction moves to fallbackQueueId instead. */
static void test_REJ_03_reject_into_overflow_fallback(void **state)
{
    struct fx *f = *state;
    char a[64], b[64];
    create(f, "voice", "q-fallback", a, sizeof a);
    create(f, "voice", "q-fallback", b, sizeof b);
    const struct cxh_resp *r = ix_call(f, "POST", a, "/reject", f->tok,
                                       "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}");
    CXH_ASSERT_STATUS(r, 200);
    advance(f, 600);
    json_t *v = get_ix(f, a);
    CXH_ASSERT_STR(v, "queueId", "q-fifo");
    json_t *ledger = cxh_ledger(&f->mock.http);
    json_t *e = cxh_ledger_find(ledger, "FALLBACK", a);
    if (!e)
        fail_msg("no FALLBACK for %s", a);
    CXH_ASSERT_STR(e, "toQueueId", "q-fifo");
    assert_null(cxh_ledger_find(ledger, "SILENT_DROP", a));
    json_decref(ledger);
}

/* =====================================================================================
 * Priority and agent state over HTTP: the Idempotency-Key header, 204 with no body, the
 * consistency delay of state writes. (test_http_routing.c covers issue 3's traps; the route
 * walk above covers every endpoint.)
 * ===================================================================================== */

#define CONTACT_BODY                                                                               \
    "{\"channel\":\"chat\",\"queueId\":\"q-priority\",\"from\":\"+15550100\","                     \
    "\"attributes\":{\"string:externalSource\":\"it\"}}"

/* POST /api/v2/routing/contacts (no idempotency key). */
static const struct cxh_resp *inject(struct fx *f, const char *body)
{
    return cxh_call(&f->mock.http, "POST", "/api/v2/routing/contacts", f->tok, body);
}

/* PATCH /api/v2/routing/contacts/{id} with an optional Idempotency-Key header. */
static const struct cxh_resp *patch(struct fx *f, const char *id, const char *key, const char *body)
{
    char path[128], header[300];
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", id);
    snprintf(header, sizeof header, "Idempotency-Key: %s", key ? key : "");
    const char *const headers[] = {header, NULL};
    struct cxh_req rq = {.method = "PATCH",
                         .path = path,
                         .bearer = f->tok,
                         .body = body,
                         .headers = key ? headers : NULL};
    return cxh_request(&f->mock.http, &rq);
}

/* PRI-02, PRI-04, PRI-05: priority must be a JSON integer 1..10 (8.5 and "8" are 400 naming
 * priority); a repeated Idempotency-Key replays the first answer and asks for no second
 * re-evaluation; without a key each duplicate is re-evaluated, and a duplicate's conflicting
 * snapshot puts the priority back (002 §3: the position oscillates; two leave it unapplied);
 * the change applies at the next evaluation cycle; the same value again is 204. */
static void test_PRI_02_PRI_05_patch_priority_idempotency_key(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    char busy[64];
    create(f, "chat", "q-fifo", busy, sizeof busy); /* the digital agents ring for this one */
    const struct cxh_resp *r = inject(f, CONTACT_BODY);
    CXH_ASSERT_STATUS(r, 201);
    char id[64], first[512], path[128];
    snprintf(id, sizeof id, "%s", cxh_str(r->json, "id"));
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", id);
    r = patch(f, id, NULL, "{\"priority\":8.5}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "priority");
    r = patch(f, id, NULL, "{\"priority\":\"8\"}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "priority");
    r = patch(f, id, NULL, "{\"priority\":4,\"id\":\"x\"}");
    CXH_ASSERT_STATUS(r, 400);
    r = patch(f, id, "p-1", "{\"priority\":7}");
    CXH_ASSERT_STATUS(r, 200);
    snprintf(first, sizeof first, "%s", r->body);
    r = patch(f, id, "p-1", "{\"priority\":7}");
    CXH_ASSERT_STATUS(r, 200);
    assert_string_equal(r->body, first);
    CXH_ASSERT_INT(cxh_call(h, "GET", path, f->tok, NULL)->json, "priority", 0);
    advance(f, 1000); /* evaluationIntervalMs */
    CXH_ASSERT_INT(cxh_call(h, "GET", path, f->tok, NULL)->json, "priority", 7);
    json_t *ledger = cxh_ledger(h);
    assert_int_equal(cxh_ledger_count(ledger, "PRIORITY_REQUESTED", id), 1);
    assert_int_equal(cxh_ledger_count(ledger, "REEVALUATION", id), 1);
    json_decref(ledger);
    /* a keyless retry in the same window: two re-evaluations, the second a conflicting
     * snapshot that puts the priority back (the position oscillates): 9 is not applied */
    CXH_ASSERT_STATUS(patch(f, id, NULL, "{\"priority\":9}"), 200);
    CXH_ASSERT_STATUS(patch(f, id, NULL, "{\"priority\":9}"), 200);
    advance(f, 1000);
    ledger = cxh_ledger(h);
    assert_int_equal(cxh_ledger_count(ledger, "REEVALUATION", id), 3);
    json_t *last = NULL;
    for (size_t i = 0; i < json_array_size(ledger); i++) {
        json_t *e = json_array_get(ledger, i);
        if (strcmp(cxh_str(e, "type"), "REEVALUATION") == 0)
            last = e;
    }
    assert_true(json_is_true(json_object_get(last, "reconciled")));
    CXH_ASSERT_INT(last, "priority", 7);
    json_decref(ledger);
    CXH_ASSERT_INT(cxh_call(h, "GET", path, f->tok, NULL)->json, "priority", 7);
    CXH_ASSERT_STATUS(patch(f, id, "p-2", "{\"priority\":9}"), 200); /* once, with a key */
    advance(f, 1000);
    CXH_ASSERT_INT(cxh_call(h, "GET", path, f->tok, NULL)->json, "priority", 9);
    r = patch(f, id, NULL, "{\"priority\":9}");
    CXH_ASSERT_STATUS(r, 204);
    assert_int_equal(r->len, 0);
}

/* AGT-01, AGT-03: an agent-state write is 200 at once and applied after the delay; an
 * unscheduled agent gets 409 AGENT_NOT_SCHEDULED, READY with a mandatory break due 409
 * MANDATORY_BREAK_VIOLATION; a token without users:state:write gets 403. */
static void test_AGT_01_AGT_03_agent_state_over_http(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r =
        cxh_call(h, "POST", "/api/v2/users/agent-away/state", f->tok, "{\"state\":\"READY\"}");
    CXH_ASSERT_STATUS(r, 200);
    r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    CXH_ASSERT_STR(r->json, "agents[4].id", "agent-away");
    CXH_ASSERT_STR(r->json, "agents[4].state", "NOT_READY");
    advance(f, 500);
    r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    CXH_ASSERT_STR(r->json, "agents[4].state", "READY");
    r = cxh_call(h, "POST", "/api/v2/users/agent-unscheduled/state", f->tok,
                 "{\"state\":\"READY\"}");
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_STR(r->json, "error", "AGENT_NOT_SCHEDULED");
    r = cxh_call(h, "POST", "/api/v2/users/agent-on-break/state", f->tok, "{\"state\":\"READY\"}");
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_STR(r->json, "error", "MANDATORY_BREAK_VIOLATION");
    char ro[128];
    assert_int_equal(cxh_token(h, "cx-readonly", "cx-readonly-secret", ro, sizeof ro), 200);
    r = cxh_call(h, "POST", "/api/v2/users/agent-away/state", ro, "{\"state\":\"IDLE\"}");
    CXH_ASSERT_STATUS(r, 403);
    r = cxh_call(h, "POST", "/api/v2/users/agent-away/state", f->tok, "{\"state\":\"ASLEEP\"}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "state");
}

/* =====================================================================================
 * Events (CONS-02, CONS-03)
 * ===================================================================================== */

/* CONS-02, CONS-03: the long poll returns the state changes in order, cursors 1..N with no
 * gap, each with previousState/currentState/agentId/at; after=last returns nothing and the
 * same cursor; a bad cursor is 400. Agent state changes are events too. */
static void test_CONS_02_CONS_03_long_poll_in_order(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    CXH_ASSERT_STATUS(accept_as(f, id, "agent-voice-1"), 200);
    advance(f, 500);
    CXH_ASSERT_STATUS(
        cxh_call(h, "PUT", "/__admin/agents/agent-away", NULL, "{\"state\":\"READY\"}"), 200);
    const struct cxh_resp *r = cxh_call(h, "GET", "/api/v2/events?after=0", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    json_t *ev = cxh_get(r->json, "events");
    assert_int_equal(json_array_size(ev), 3);
    for (size_t i = 0; i < 3; i++)
        CXH_ASSERT_INT(json_array_get(ev, i), "cursor", (long long)i + 1);
    CXH_ASSERT_INT(r->json, "cursor", 3);
    json_t *e0 = json_array_get(ev, 0), *e1 = json_array_get(ev, 1), *e2 = json_array_get(ev, 2);
    CXH_ASSERT_STR(e0, "type", "interaction.state.changed");
    CXH_ASSERT_STR(e0, "interactionId", id);
    CXH_ASSERT_STR(e0, "previousState", "Queued");
    CXH_ASSERT_STR(e0, "currentState", "Ringing");
    CXH_ASSERT_NULL(e0, "agentId");
    CXH_ASSERT_STR(e0, "at", "2026-01-01T00:00:00.000Z");
    CXH_ASSERT_STR(e1, "previousState", "Ringing");
    CXH_ASSERT_STR(e1, "currentState", "Active");
    CXH_ASSERT_STR(e1, "agentId", "agent-voice-1");
    assert_non_null(cxh_str(e1, "at"));
    CXH_ASSERT_STR(e2, "type", "AGENT_STATE_CHANGED");
    CXH_ASSERT_STR(e2, "agentId", "agent-away");
    CXH_ASSERT_STR(e2, "previousState", "NOT_READY");
    CXH_ASSERT_STR(e2, "currentState", "READY");

    r = cxh_call(h, "GET", "/api/v2/events?after=1", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "events[0].cursor", 2);
    r = cxh_call(h, "GET", "/api/v2/events?after=3&timeout=0", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(cxh_get(r->json, "events")), 0);
    CXH_ASSERT_INT(r->json, "cursor", 3);
    r = cxh_call(h, "GET", "/api/v2/events?after=-1", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "after");
    r = cxh_call(h, "GET", "/api/v2/events?after=0&timeout=61", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "timeout");
}

struct poll_job {
    int port;
    const char *tok;
    long long after;
    int timeout_s; /* 0: 5 */
    long status;
    char body[8192];
    char request_id[48];
    char error[CURL_ERROR_SIZE];
    int64_t elapsed_ms;
};

/* One long poll on its own connection, timed. */
static void *poll_main(void *arg)
{
    struct poll_job *j = arg;
    struct cxh_http c;
    if (cxh_http_open(&c, j->port) < 0)
        return NULL;
    char path[128];
    snprintf(path, sizeof path, "/api/v2/events?after=%lld&timeout=%d", j->after,
             j->timeout_s ? j->timeout_s : 5);
    struct cxh_req rq = {.method = "GET", .path = path, .bearer = j->tok, .timeout_ms = 60000};
    int64_t t0 = cxt_now_ms();
    const struct cxh_resp *r = cxh_request(&c, &rq);
    j->elapsed_ms = cxt_now_ms() - t0;
    j->status = r->status;
    snprintf(j->body, sizeof j->body, "%s", r->body);
    snprintf(j->request_id, sizeof j->request_id, "%s", r->request_id);
    snprintf(j->error, sizeof j->error, "%s", r->error);
    cxh_http_close(&c);
    return NULL;
}

/* Waits until a request id is skipped between two health probes: another connection's request
 * (the long poll, the only other client) was dispatched in between. */
struct gap_probe {
    struct cxh_http *h;
    long long prev;
};

static int request_id_skipped(void *arg)
{
    struct gap_probe *g = arg;
    const struct cxh_resp *r = cxh_call(g->h, "GET", "/__admin/health", NULL, NULL);
    long long now = rid(r->request_id);
    int skipped = g->prev > 0 && now > g->prev + 1;
    g->prev = now;
    return skipped;
}

/* CONS-03: a long poll (timeout=5) that is waiting on one connection returns as soon as
 * another connection's request produces an event, with that event. The poll's request id is
 * lower than the producer's, so it was dispatched (and waiting) before the event existed. */
static void test_CONS_03_long_poll_wakes_on_event(void **state)
{
    struct fx *f = *state;
    struct poll_job job = {.port = f->mock.port, .tok = f->tok, .after = 0};
    /* the last request id before the poll: the setup's token request on this connection */
    struct gap_probe g = {&f->mock.http, rid(f->mock.http.last.request_id)};
    assert_true(g.prev > 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, poll_main, &job), 0);
    int dispatched = cxt_wait_for(request_id_skipped, &g, 10000);
    char id[64];
    long created = cxh_create(&f->mock.http, "voice", "q-fifo", NULL, id, sizeof id);
    long long producer = rid(f->mock.http.last.request_id);
    pthread_join(t, NULL);
    assert_true(dispatched);
    assert_int_equal(created, 201);
    if (job.status != 200)
        fail_msg("long poll: status %ld, body %s", job.status, job.body);
    json_t *v = json_loads(job.body, 0, NULL);
    assert_non_null(v);
    CXH_ASSERT_INT(v, "events[0].cursor", 1);
    CXH_ASSERT_STR(v, "events[0].interactionId", id);
    CXH_ASSERT_STR(v, "events[0].currentState", "Ringing");
    json_decref(v);
    print_message("long poll %s returned after %lld ms (producer r%lld)\n", job.request_id,
                  (long long)job.elapsed_ms, producer);
    assert_true(rid(job.request_id) > 0 && rid(job.request_id) < producer);
    assert_true(job.elapsed_ms < 4500); /* woken, not timed out */
}

/* --- webhook receiver: civetweb on 127.0.0.1:0 --- */

struct receiver {
    struct mg_context *ctx;
    int port;
    pthread_mutex_t mu;
    int fail_first; /* answer 500 to this many deliveries, then 200 */
    int attempts;
    json_t *attempt_cursors; /* cursor of each delivery attempt */
    json_t *bodies;          /* accepted bodies, in arrival order */
};

static int hook_handler(struct mg_connection *conn, void *cbdata)
{
    struct receiver *rcv = cbdata;
    size_t cap = 65536, len = 0; /* on the heap: civetweb's worker stacks are small */
    char *buf = malloc(cap);
    if (!buf)
        return 500; /* (no cmocka assertion outside the test's thread) */
    int n;
    while (len < cap - 1 && (n = mg_read(conn, buf + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    json_t *body = json_loads(buf, 0, NULL);
    free(buf);
    pthread_mutex_lock(&rcv->mu);
    int status = ++rcv->attempts <= rcv->fail_first ? 500 : 200;
    json_array_append_new(rcv->attempt_cursors,
                          json_integer(json_integer_value(json_object_get(body, "cursor"))));
    if (status == 200)
        json_array_append(rcv->bodies, body ? body : json_null());
    pthread_mutex_unlock(&rcv->mu);
    json_decref(body);
    mg_printf(conn, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status,
              status == 200 ? "OK" : "Internal Server Error");
    return status;
}

static struct receiver *receiver_start(int fail_first)
{
    struct receiver *r = calloc(1, sizeof *r);
    assert_non_null(r);
    pthread_mutex_init(&r->mu, NULL);
    r->fail_first = fail_first;
    r->attempt_cursors = json_array();
    r->bodies = json_array();
    const char *options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "4", NULL};
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    r->ctx = mg_start(&cb, r, options);
    assert_non_null(r->ctx);
    mg_set_request_handler(r->ctx, "/hook", hook_handler, r);
    struct mg_server_port sp[2];
    assert_true(mg_get_server_ports(r->ctx, 2, sp) > 0);
    r->port = sp[0].port;
    return r;
}

static void receiver_stop(struct receiver *r)
{
    mg_stop(r->ctx);
    json_decref(r->attempt_cursors);
    json_decref(r->bodies);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* Write the default tenant (mock/tenants/default.json) with the members of `changes` set over
 * it (stolen) into f->dir/tenant.json; its path into path. */
static void write_tenant(struct fx *f, json_t *changes, char *path, size_t size)
{
    const char *src = getenv("CXM_SOURCE_DIR");
    assert_non_null(src);
    char def[1024];
    snprintf(def, sizeof def, "%s/mock/tenants/default.json", src);
    json_error_t e;
    json_t *t = json_load_file(def, 0, &e);
    if (!t)
        fail_msg("%s:%d: %s", def, e.line, e.text);
    json_object_update(t, changes);
    json_decref(changes);
    if (!f->dir[0])
        assert_int_equal(cxt_tmpdir(f->dir, sizeof f->dir, "cxmock-it"), 0);
    snprintf(path, size, "%s/tenant.json", f->dir);
    assert_int_equal(json_dump_file(t, path, JSON_INDENT(2)), 0);
    json_decref(t);
}

/* The default tenant plus "webhooks": [{"url": url}]. */
static void write_webhook_tenant(struct fx *f, const char *url, char *path, size_t size)
{
    write_tenant(f, json_pack("{s[{ss}]}", "webhooks", "url", url), path, size);
}

/* The mock's view of webhook 0: {url, cursor, delivered, failed, lost, waiting}. */
struct hook_wait {
    struct cxh_http *h;
    long long failed; /* wait for failed >= this ... */
    int waiting;      /* ... and waiting == this (-1: either) */
};

static int hook_state_is(void *arg)
{
    struct hook_wait *w = arg;
    const struct cxh_resp *r = cxh_call(w->h, "GET", "/__admin/state", NULL, NULL);
    json_t *hook = cxh_get(r->json, "webhooks[0]");
    return hook && cxh_int(hook, "failed", -1) >= w->failed &&
           (w->waiting < 0 || json_is_true(json_object_get(hook, "waiting")) == w->waiting);
}

/* The mock counts a delivery when the receiver's answer is back, a moment after the receiver
 * has the body: wait for the count. */
static int hook_delivered_4(void *arg)
{
    const struct cxh_resp *r = cxh_call(arg, "GET", "/__admin/state", NULL, NULL);
    return cxh_int(cxh_get(r->json, "webhooks[0]"), "delivered", -1) == 4;
}

static json_t *hook_state(struct cxh_http *h)
{
    const struct cxh_resp *r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    return json_incref(cxh_get(r->json, "webhooks[0]"));
}

static int receiver_attempts(struct receiver *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->attempts;
    pthread_mutex_unlock(&r->mu);
    return n;
}

struct body_wait {
    struct receiver *rcv;
    size_t want;
};

static int bodies_at_least(void *arg)
{
    struct body_wait *w = arg;
    pthread_mutex_lock(&w->rcv->mu);
    size_t n = json_array_size(w->rcv->bodies);
    pthread_mutex_unlock(&w->rcv->mu);
    return n >= w->want;
}

/* CONS-03: webhook deliveries are retried with backoff on the mock clock (500 ms, then
 * 1000 ms), in order: the receiver fails the first 2 deliveries; no retry before its due time;
 * then every event arrives exactly once, in cursor order, with no gap, equal to the long
 * poll's. */
static void test_CONS_03_webhooks_retried_in_order(void **state)
{
    struct fx *f = *state;
    f->rcv = receiver_start(2);
    char url[128], tenant[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", f->rcv->port);
    write_webhook_tenant(f, url, tenant, sizeof tenant);
    const char *const args[] = {"--clock", "manual", "--tenant", tenant, NULL};
    fx_start(f, args);
    struct cxh_http *h = &f->mock.http;

    char a[64], b[64];
    create(f, "voice", "q-fifo", a, sizeof a); /* event 1 */
    struct hook_wait w = {h, 1, 1};
    assert_true(cxt_wait_for(hook_state_is, &w, 10000));
    assert_int_equal(receiver_attempts(f->rcv), 1);
    create(f, "chat", "q-priority", b, sizeof b); /* event 2, held behind event 1 */

    advance(f, 499); /* first backoff: 500 ms */
    json_t *hs = hook_state(h);
    assert_true(json_is_true(json_object_get(hs, "waiting")));
    json_decref(hs);
    assert_int_equal(receiver_attempts(f->rcv), 1);
    advance(f, 1);
    w.failed = 2;
    assert_true(cxt_wait_for(hook_state_is, &w, 10000));
    assert_int_equal(receiver_attempts(f->rcv), 2);

    advance(f, 999); /* second backoff: 1000 ms */
    hs = hook_state(h);
    assert_true(json_is_true(json_object_get(hs, "waiting")));
    json_decref(hs);
    assert_int_equal(receiver_attempts(f->rcv), 2);
    advance(f, 1);
    struct body_wait bw = {f->rcv, 2};
    assert_true(cxt_wait_for(bodies_at_least, &bw, 10000));

    /* more events once the receiver is healthy */
    CXH_ASSERT_STATUS(accept_as(f, a, "agent-voice-1"), 200);
    advance(f, 500);
    char path[256];
    snprintf(path, sizeof path, "/__admin/interactions/%s/end", b);
    CXH_ASSERT_STATUS(cxh_call(h, "POST", path, NULL, NULL), 200);

    const struct cxh_resp *r = cxh_call(h, "GET", "/api/v2/events?after=0", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    json_t *events = json_incref(cxh_get(r->json, "events"));
    size_t n = json_array_size(events);
    assert_int_equal(n, 4);
    bw.want = n;
    int all = cxt_wait_for(bodies_at_least, &bw, 10000);
    pthread_mutex_lock(&f->rcv->mu);
    json_t *bodies = json_incref(f->rcv->bodies);
    json_t *tries = json_incref(f->rcv->attempt_cursors);
    pthread_mutex_unlock(&f->rcv->mu);
    char *got = json_dumps(bodies, JSON_COMPACT), *want = json_dumps(events, JSON_COMPACT);
    if (!all || !json_equal(bodies, events))
        fail_msg("webhook bodies differ from the long poll's events:\n got: %s\nwant: %s", got,
                 want);
    free(got);
    free(want);
    /* attempts: cursor 1 three times (2 failures), then 2, 3, 4 once each */
    char *t = json_dumps(tries, JSON_COMPACT);
    assert_string_equal(t, "[1,1,1,2,3,4]");
    free(t);
    json_decref(bodies);
    json_decref(tries);
    json_decref(events);
    assert_true(cxt_wait_for(hook_delivered_4, h, 10000));
    hs = hook_state(h);
    CXH_ASSERT_INT(hs, "delivered", 4);
    CXH_ASSERT_INT(hs, "failed", 2);
    CXH_ASSERT_INT(hs, "lost", 0);
    CXH_ASSERT_INT(hs, "cursor", 4);
    json_decref(hs);
}

/* A loopback port nobody listens on (bound, then closed). */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* CONS-03: a webhook whose receiver is down holds up nothing else: deliveries fail and back
 * off, and the long poll still returns every event, in order, with no gap. */
static void test_CONS_03_webhook_down_long_poll_complete(void **state)
{
    struct fx *f = *state;
    char url[128], tenant[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", closed_port());
    write_webhook_tenant(f, url, tenant, sizeof tenant);
    const char *const args[] = {"--clock", "manual", "--tenant", tenant, NULL};
    fx_start(f, args);
    struct cxh_http *h = &f->mock.http;
    char ids[4][64];
    for (int i = 0; i < 4; i++)
        create(f, i % 2 ? "chat" : "voice", i % 2 ? "q-priority" : "q-fifo", ids[i], sizeof ids[i]);
    struct hook_wait w = {h, 1, -1};
    assert_true(cxt_wait_for(hook_state_is, &w, 10000));
    CXH_ASSERT_STATUS(accept_as(f, ids[0], "agent-voice-1"), 200);
    for (int i = 0; i < 4; i++)
        advance(f, 1000); /* retries fall due and fail again */
    w.failed = 2;
    assert_true(cxt_wait_for(hook_state_is, &w, 10000));
    CXH_ASSERT_STATUS(accept_as(f, ids[2], "agent-voice-2"), 200);
    advance(f, 500);

    const struct cxh_resp *r = cxh_call(h, "GET", "/api/v2/events?after=0", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    json_t *ev = json_incref(cxh_get(r->json, "events"));
    long long cursor = cxh_int(r->json, "cursor", -1);
    json_t *ledger = cxh_ledger(h); /* (a new request: r is gone) */
    size_t states = cxh_ledger_count(ledger, "STATE", NULL);
    json_decref(ledger);
    assert_int_equal(json_array_size(ev), states);
    assert_true(states >= 5);
    for (size_t i = 0; i < json_array_size(ev); i++)
        CXH_ASSERT_INT(json_array_get(ev, i), "cursor", (long long)i + 1);
    json_decref(ev);
    assert_int_equal(cursor, (long long)states);
    json_t *hs = hook_state(h);
    CXH_ASSERT_INT(hs, "delivered", 0);
    CXH_ASSERT_INT(hs, "cursor", 0);
    json_decref(hs);
}

/* CONS-03: a cursor older than the retained events (eventRetention 3) is 410 cursor_expired
 * with the oldest cursor still held; from there on the events are complete. */
static void test_CONS_03_cursor_expired_410(void **state)
{
    struct fx *f = *state;
    char tenant[512];
    write_tenant(f, json_pack("{si}", "eventRetention", 3), tenant, sizeof tenant);
    const char *const args[] = {"--clock", "manual", "--tenant", tenant, NULL};
    fx_start(f, args);
    struct cxh_http *h = &f->mock.http;
    char a[64], b[64];
    create(f, "voice", "q-fifo", a, sizeof a);    /* 1: Ringing */
    create(f, "chat", "q-priority", b, sizeof b); /* 2: Ringing */
    CXH_ASSERT_STATUS(accept_as(f, a, "agent-voice-1"), 200);
    advance(f, 500); /* 3: Active */
    char path[128];
    snprintf(path, sizeof path, "/__admin/interactions/%s/end", b);
    CXH_ASSERT_STATUS(cxh_call(h, "POST", path, NULL, NULL), 200); /* 4: Ended */
    const struct cxh_resp *r = cxh_call(h, "GET", "/api/v2/events?after=0", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 410);
    CXH_ASSERT_STR(r->json, "error", "cursor_expired");
    CXH_ASSERT_INT(r->json, "oldest", 2);
    r = cxh_call(h, "GET", "/api/v2/events?after=1", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(cxh_get(r->json, "events")), 3);
    CXH_ASSERT_INT(r->json, "events[0].cursor", 2);
    CXH_ASSERT_INT(r->json, "cursor", 4);
}

/* CONS-03: a long poll in flight does not hold up shutdown: SIGTERM ends it at once with an
 * answer (mock.c: "long polls answer now") and the process exits 0. */
static void test_CONS_03_long_poll_during_shutdown(void **state)
{
    struct fx *f = *state;
    struct poll_job job = {.port = f->mock.port, .tok = f->tok, .after = 0, .timeout_s = 30};
    struct gap_probe g = {&f->mock.http, rid(f->mock.http.last.request_id)};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, poll_main, &job), 0);
    int dispatched = cxt_wait_for(request_id_skipped, &g, 10000); /* the poll is waiting */
    int64_t t0 = cxt_now_ms();
    int st = cxh_stop(&f->mock);
    int64_t stop_ms = cxt_now_ms() - t0;
    pthread_join(t, NULL);
    assert_true(dispatched);
    print_message("stop took %lld ms; the poll ended after %lld ms: status %ld %s%s\n",
                  (long long)stop_ms, (long long)job.elapsed_ms, job.status, job.body, job.error);
    assert_int_equal(st, 0);
    assert_true(job.elapsed_ms < 15000); /* not the 30 s timeout */
    /* mock.c's cxm_destroy: "long polls answer now": an answer, not a dropped connection */
    if (job.status != 200)
        fail_msg("the long poll in flight at SIGTERM got no answer (%s)", job.error);
    json_t *v = json_loads(job.body, 0, NULL);
    CXH_ASSERT_INT(v, "cursor", 0);
    json_decref(v);
}

/* SIM-03: every ledger entry names the request that caused it: the accept's X-Request-Id is on
 * its ACCEPT entry and on the ATTACH and STATE entries its delayed apply wrote; entries of
 * timers (a ring expiry) name none. */
static void test_SIM_03_ledger_names_the_causing_request(void **state)
{
    struct fx *f = *state;
    char a[64], b[64], req[48];
    create(f, "voice", "q-fifo", a, sizeof a);
    create(f, "chat", "q-priority", b, sizeof b);
    const struct cxh_resp *r = accept_as(f, a, "agent-voice-2");
    CXH_ASSERT_STATUS(r, 200);
    snprintf(req, sizeof req, "%s", r->request_id);
    assert_true(rid(req) > 0);
    advance(f, 20000); /* the accept applies; b's first ring expires */
    json_t *ledger = cxh_ledger(&f->mock.http);
    CXH_ASSERT_STR(cxh_ledger_find(ledger, "ACCEPT", a), "req", req);
    CXH_ASSERT_STR(cxh_ledger_find(ledger, "ATTACH", a), "req", req);
    size_t i;
    json_t *e;
    int states = 0;
    json_array_foreach(ledger, i, e)
    {
        const char *type = cxh_str(e, "type"), *ix = cxh_str(e, "interactionId");
        const char *to = cxh_str(e, "to");
        if (type && !strcmp(type, "STATE") && ix && !strcmp(ix, a) && to && !strcmp(to, "Active")) {
            CXH_ASSERT_STR(e, "req", req);
            states++;
        }
    }
    assert_int_equal(states, 1);
    json_t *exp = cxh_ledger_find(ledger, "RING_EXPIRED", b);
    if (!exp)
        fail_msg("no RING_EXPIRED for %s", b);
    CXH_ASSERT_NULL(exp, "req");
    json_decref(ledger);
}

/* CONS-01, SIM-01 on the real clock (the default): with no admin call the timer thread applies
 * the accept after the consistency delay: never before 200 ms, within a few seconds. */
static void test_CONS_01_real_clock_applies_on_its_own(void **state)
{
    struct fx *f = *state;
    fx_start(f, NULL);
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    int64_t t0 = cxt_now_ms();
    CXH_ASSERT_STATUS(accept_as(f, id, "agent-voice-1"), 200);
    struct active_wait w = {f, id};
    int became = cxt_wait_for(is_active, &w, 10000);
    int64_t elapsed = cxt_now_ms() - t0;
    print_message("Active after %lld ms of wall time\n", (long long)elapsed);
    assert_true(became);
    assert_true(elapsed >= 195); /* consistency.minMs = 200 (ms rounding aside) */
}

/* =====================================================================================
 * Bad input: every error is a JSON body, and the server keeps answering.
 * ===================================================================================== */

/* Malformed JSON is 400 invalid_json with jansson's line and column. */
static void test_BAD_INPUT_malformed_json_invalid_json(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = ix_call(f, "POST", id, "/accept", f->tok,
                                       "{\"agentId\": \"agent-voice-1\",\n  \"channelType\": }");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "invalid_json");
    CXH_ASSERT_INT(r->json, "line", 2);
    assert_true(cxh_int(r->json, "column", 0) >= 1);
    assert_non_null(cxh_str(r->json, "detail"));
    r = cxh_call(&f->mock.http, "POST", "/__admin/interactions", NULL, "{\"channel\":");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "invalid_json");
    assert_health(f);
    CXH_ASSERT_STR(get_ix(f, id), "state", "Ringing");
}

/* Deeply nested JSON (2000 levels of '[', 4 KB, far under the body cap and within jansson's
 * own depth limit of 2048) is refused with a 400 like any other bad body, and the server keeps
 * answering. */
static void test_BAD_INPUT_deeply_nested_json_400(void **state)
{
    struct fx *f = *state;
    enum { DEPTH = 2000 };
    static char body[2 * DEPTH + 1];
    memset(body, '[', DEPTH);
    memset(body + DEPTH, ']', DEPTH);
    body[2 * DEPTH] = '\0';
    const struct cxh_resp *r = cxh_call(&f->mock.http, "POST", "/__admin/interactions", NULL, body);
    if (r->status != 400)
        fail_msg("%d-deep JSON: expected 400, got %ld (%s)", DEPTH, r->status, r->error);
    const char *error = cxh_str(r->json, "error"); /* too deep, or not an object */
    if (!error || (strcmp(error, "invalid_json") != 0 && strcmp(error, "validation_error") != 0))
        fail_msg("%d-deep JSON: expected invalid_json or validation_error: %s", DEPTH, r->body);
    assert_health(f);
}

/* A member of the wrong type is 400 validation_error naming the field; so is an unknown
 * field. */
static void test_BAD_INPUT_wrong_type_validation_error(void **state)
{
    struct fx *f = *state;
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = ix_call(f, "POST", id, "/accept", f->tok, "{\"agentId\":5}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "validation_error");
    CXH_ASSERT_STR(r->json, "field", "agentId");
    r = ix_call(f, "POST", id, "/reject", f->tok,
                "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":\"yes\"}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "returnToQueue");
    r = ix_call(f, "POST", id, "/accept", f->tok, "{\"agentId\":\"agent-voice-1\",\"x\":1}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "x");
    r = ix_call(f, "POST", id, "/accept", f->tok, "[\"agent-voice-1\"]");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "validation_error");
    assert_health(f);
}

/* An unknown route is 404 with a JSON body. */
static void test_BAD_INPUT_unknown_route_404(void **state)
{
    struct fx *f = *state;
    const struct cxh_resp *r = cxh_call(&f->mock.http, "GET", "/api/v2/nope", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 404);
    CXH_ASSERT_STR(r->json, "error", "not_found");
    assert_non_null(strstr(r->content_type, "application/json"));
    r = cxh_call(&f->mock.http, "POST", "/no/such/route", NULL, "{}");
    CXH_ASSERT_STATUS(r, 404);
    CXH_ASSERT_STR(r->json, "error", "not_found");
    r = cxh_call(&f->mock.http, "GET", "/api/v2/queues/q-nope", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 404);
    CXH_ASSERT_STR(r->json, "error", "not_found");
    assert_health(f);
}

/* A known path with the wrong method is 405 with Allow and a JSON body. */
static void test_BAD_INPUT_wrong_method_405_allow(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r = cxh_call(h, "DELETE", "/api/v2/interactions/abc", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 405);
    if (!strstr(r->allow, "GET") || strstr(r->allow, "DELETE"))
        fail_msg("Allow: expected GET (and no DELETE), got \"%s\"", r->allow);
    CXH_ASSERT_STR(r->json, "error", "method_not_allowed");
    r = cxh_call(h, "GET", "/oauth/token", NULL, NULL);
    CXH_ASSERT_STATUS(r, 405);
    assert_string_equal(r->allow, "POST");
    r = cxh_call(h, "GET", "/api/v2/interactions/abc/accept", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 405);
    assert_string_equal(r->allow, "POST");
    r = cxh_call(h, "POST", "/__admin/health", NULL, "{}");
    CXH_ASSERT_STATUS(r, 405);
    assert_string_equal(r->allow, "GET, HEAD");
    assert_health(f);
}

/* Write REQ (raw HTTP, the last request with Connection: close) to the mock on a fresh
 * loopback socket and read everything it answers until it closes, at most 10 s, into buf (size
 * bytes, NUL-terminated). libcurl would hide what this shows: it drops a connection with excess
 * data. */
static void raw_exchange(struct fx *f, const char *req, char *buf, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)f->mock.port);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    size_t len = 0;
    struct pollfd p = {fd, POLLIN, 0};
    int64_t until = cxt_now_ms() + 10000;
    while (len < size - 1 && cxt_now_ms() < until && poll(&p, 1, 1000) >= 0) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n <= 0)
            break; /* the server closes after the last request (Connection: close) */
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
}

/* HTTP (RFC 9110 9.3.2): a response to HEAD carries no content, whatever its status, or the
 * keep-alive connection falls out of step: HEAD and GET pipelined on one connection must read
 * back as exactly two responses, the second starting right after the first's headers. */
static void test_BAD_INPUT_head_response_has_no_body(void **state)
{
    struct fx *f = *state;
    char buf[4096];
    raw_exchange(f,
                 "HEAD /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                 buf, sizeof buf);
    char *end_of_head = strstr(buf, "\r\n\r\n");
    if (!end_of_head)
        fail_msg("no response to HEAD: %s", buf);
    if (strncmp(end_of_head + 4, "HTTP/1.1 200", 12) != 0)
        fail_msg("the HEAD response is followed by content, not by the GET's response:\n%s", buf);
    assert_non_null(strstr(end_of_head + 4, "{\"status\":\"ok\"}"));
}

/* The status line and Content-Length of the response at *at (raw HTTP), its body's length
 * (what follows the headers up to the next "HTTP/1.1 " or the end); *at moves past it. */
struct raw_resp {
    int status;
    long content_length; /* -1 if absent */
    size_t body;
};

static struct raw_resp raw_next(char **at)
{
    struct raw_resp r = {0, -1, 0};
    char *p = *at, *head_end = strstr(p, "\r\n\r\n");
    if (strncmp(p, "HTTP/1.1 ", 9) != 0 || !head_end)
        fail_msg("not a response: %.300s", p);
    r.status = atoi(p + 9);
    char *cl = strstr(p, "Content-Length: ");
    if (cl && cl < head_end)
        r.content_length = atol(cl + 16);
    char *body = head_end + 4, *next = strstr(body, "HTTP/1.1 ");
    r.body = next ? (size_t)(next - body) : strlen(body);
    *at = body + r.body;
    return r;
}

/* HEAD answers as GET does wherever GET exists (RFC 9110 9.3.2; issue 15: it was 405
 * everywhere): the GET's status and Content-Length, no body; a public route's HEAD needs the
 * bearer as its GET does; a path with no GET is 405 with Allow, and Allow names HEAD beside
 * every GET. */
static void test_BAD_INPUT_head_answers_as_get(void **state)
{
    struct fx *f = *state;
    char req[2048], buf[16384];
    snprintf(
        req, sizeof req,
        "HEAD /__admin/health HTTP/1.1\r\nHost: h\r\n\r\n"
        "GET /__admin/health HTTP/1.1\r\nHost: h\r\n\r\n"
        "HEAD /api/v2/queues/q-fifo HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer %s\r\n\r\n"
        "GET /api/v2/queues/q-fifo HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer %s\r\n\r\n"
        "HEAD /api/v2/queues/q-fifo HTTP/1.1\r\nHost: h\r\n\r\n"
        "HEAD /api/v2/interactions/nope HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer %s\r\n\r\n"
        "HEAD /oauth/token HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        f->tok, f->tok, f->tok);
    raw_exchange(f, req, buf, sizeof buf);
    char *at = buf;
    struct raw_resp head = raw_next(&at), get = raw_next(&at);
    assert_int_equal(head.status, 200);
    assert_int_equal(head.body, 0);
    assert_int_equal(head.content_length, get.content_length);
    assert_int_equal(get.body, (size_t)get.content_length);
    head = raw_next(&at);
    get = raw_next(&at);
    assert_int_equal(head.status, 200);
    assert_int_equal(head.body, 0);
    assert_true(get.content_length > 0);
    assert_int_equal(head.content_length, get.content_length);
    head = raw_next(&at);
    assert_int_equal(head.status, 401); /* no bearer, as a GET without one */
    assert_int_equal(head.body, 0);
    head = raw_next(&at);
    assert_int_equal(head.status, 404);
    assert_int_equal(head.body, 0);
    char *allow = strstr(at, "Allow: ");
    head = raw_next(&at);
    assert_int_equal(head.status, 405);
    assert_int_equal(head.body, 0);
    assert_non_null(allow);
    assert_int_equal(strncmp(allow, "Allow: POST\r\n", 13), 0);
    assert_int_equal(*at, '\0');

    const struct cxh_resp *r = cxh_call(&f->mock.http, "HEAD", "/__admin/health", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_int_equal(r->len, 0);
    r = cxh_call(&f->mock.http, "PATCH", "/api/v2/interactions/abc", f->tok, "{}");
    CXH_ASSERT_STATUS(r, 405);
    assert_string_equal(r->allow, "GET, HEAD, PUT");
    assert_health(f);
}

/* Issue 15: a path's ids are percent-decoded exactly once. %2541 is the id "%41", not "A"
 * (civetweb decoded the path and the router again); %2F stays inside its segment, an id "a/b"
 * and not two segments; an id with an escaped letter is still found; an id with %00 or a bad
 * '%' is a 400. */
static void test_BAD_INPUT_ids_percent_decoded_once(void **state)
{
    struct fx *f = *state;
    char id[64], path[160];
    create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = ix_call(f, "GET", "%2541", "", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 404);
    CXH_ASSERT_STR(r->json, "detail", "no interaction '%41'");
    r = ix_call(f, "GET", "a%2Fb", "", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 404);
    CXH_ASSERT_STR(r->json, "detail", "no interaction 'a/b'");
    snprintf(path, sizeof path, "%%%02X%s", (unsigned char)id[0], id + 1);
    r = ix_call(f, "GET", path, "", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "id", id);
    /* an id with %00 (a C string would end there: the id before it answered) or a '%' without
     * two hex digits is no id: 400 */
    static const char *const bad[] = {"%00junk", "%zz", "%4", "%"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s%s", id, bad[i]);
        r = ix_call(f, "GET", path, "", f->tok, NULL);
        CXH_ASSERT_STATUS(r, 400);
        CXH_ASSERT_STR(r->json, "error", "bad_request");
    }
    assert_health(f);
}

/* CONS-03, issue 15: over HTTP too a query value reaches the mock raw and is decoded once:
 * timeout=1%00 and timeout=%201 are 400 naming timeout (they were read as 1), and the largest
 * cursor is an unknown one, not an expired one. */
static void test_CONS_03_query_values_strict_over_http(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {"/api/v2/events?timeout=1%00", "/api/v2/events?timeout=%201",
                                      "/api/v2/events?timeout=1%3B"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const struct cxh_resp *r = cxh_call(&f->mock.http, "GET", bad[i], f->tok, NULL);
        CXH_ASSERT_STATUS(r, 400);
        CXH_ASSERT_STR(r->json, "field", "timeout");
    }
    const struct cxh_resp *r =
        cxh_call(&f->mock.http, "GET", "/api/v2/events?after=18446744073709551615", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 410);
    CXH_ASSERT_STR(r->json, "error", "cursor_unknown");
    assert_health(f);
}

/* GWS-01, issue 15: the URIs of /me/interactions point at the address and port the mock
 * listens on, whatever Host header the request carries (it was copied in unchecked). */
static void test_GWS_01_uris_ignore_the_host_header(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    char id[64], ada[128], want[256];
    create(f, "voice", "q-fifo", id, sizeof id);
    CXH_ASSERT_STATUS(accept_as(f, id, "agent-voice-1"), 200);
    advance(f, 500);
    assert_int_equal(cxh_agent_token(h, "ada@example.test", "ada-pass", ada, sizeof ada), 200);
    static const char *const hosts[] = {"Host: attacker.example", "Host: 127.0.0.1:1",
                                        "Host: a/b?c#"};
    snprintf(want, sizeof want, "%s/api/v2/interactions/%s", h->base, id);
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        const char *const headers[] = {hosts[i], NULL};
        struct cxh_req rq = {
            .method = "GET", .path = "/api/v2/me/interactions", .bearer = ada, .headers = headers};
        const struct cxh_resp *r = cxh_request(h, &rq);
        CXH_ASSERT_STATUS(r, 200);
        CXH_ASSERT_STR(r->json, "uris[0]", want);
    }
}

/* --max-body 1024: a 4096-byte body is 413 with a JSON body; a body of exactly 1024 bytes is
 * processed; the server keeps answering. */
static void test_BAD_INPUT_body_over_cap_413(void **state)
{
    struct fx *f = *state;
    const char *const args[] = {"--clock", "manual", "--max-body", "1024", NULL};
    fx_start(f, args);
    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    char big[4097];
    memset(big, ' ', 4096);
    big[0] = '{';
    big[4095] = '}';
    big[4096] = '\0';
    const struct cxh_resp *r = ix_call(f, "POST", id, "/accept", f->tok, big);
    CXH_ASSERT_STATUS(r, 413);
    CXH_ASSERT_STR(r->json, "error", "payload_too_large");
    assert_health(f);
    /* exactly at the cap: {"agentId":"agent-voice-1","metadata":{"pad":"xxx..."}} */
    const char *head = "{\"agentId\":\"agent-voice-1\",\"metadata\":{\"pad\":\"";
    char exact[1025];
    size_t hl = strlen(head);
    memcpy(exact, head, hl);
    memset(exact + hl, 'x', 1024 - hl - 3);
    memcpy(exact + 1024 - 3, "\"}}", 4); /* 3 bytes and the NUL */
    assert_int_equal(strlen(exact), 1024);
    r = ix_call(f, "POST", id, "/accept", f->tok, exact);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "agentId", "agent-voice-1");
    assert_health(f);
}

/* =====================================================================================
 * Ledger file, admin token, command line
 * ===================================================================================== */

/* Every line of a ledger file parses, the first is its START line (issue 15: a run id of 32
 * hex digits, the seed, the fixture's digest, the wall-clock start); returns the entries after it
 * as an array (new reference). */
static json_t *ledger_file_entries(const char *path)
{
    size_t len;
    char *text = cxt_read_file(path, &len);
    if (!text)
        fail_msg("cannot read %s", path);
    if (len && text[len - 1] != '\n')
        fail_msg("%s does not end with a newline: a partial line", path);
    json_t *all = json_array();
    int lineno = 0;
    for (char *line = text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        *nl = '\0';
        lineno++;
        json_error_t e;
        json_t *v = json_loads(line, 0, &e);
        if (!v)
            fail_msg("%s:%d: not JSON (%s): %s", path, lineno, e.text, line);
        const char *type = cxh_str(v, "type");
        if (lineno == 1 && (!type || strcmp(type, "START") != 0 || !cxh_str(v, "run") ||
                            strlen(cxh_str(v, "run")) != 32 || !cxh_str(v, "fixture") ||
                            !cxh_str(v, "started") || !json_object_get(v, "seed")))
            fail_msg("%s:1: not a START line: %s", path, line);
        if (lineno > 1)
            json_array_append(all, v);
        json_decref(v);
    }
    free(text);
    return all;
}

/* Fail unless file's first entries equal acked, entry by entry. */
static void assert_prefix(json_t *file, json_t *acked)
{
    if (json_array_size(file) < json_array_size(acked))
        fail_msg("the file holds %zu entries, %zu were acknowledged", json_array_size(file),
                 json_array_size(acked));
    for (size_t i = 0; i < json_array_size(acked); i++) {
        if (!json_equal(json_array_get(file, i), json_array_get(acked, i))) {
            char *a = json_dumps(json_array_get(file, i), JSON_COMPACT);
            char *b = json_dumps(json_array_get(acked, i), JSON_COMPACT);
            fail_msg("entry %zu differs:\nfile:  %s\nadmin: %s", i + 1, a, b);
        }
    }
}

/* A little traffic: tokens, interactions, accepts, a reject, clock moves. */
static void some_traffic(struct fx *f, int round)
{
    char a[64], b[64], tok[128];
    assert_int_equal(cxh_token(&f->mock.http, "cx-rotating", "cx-rotating-secret", tok, sizeof tok),
                     200);
    create(f, "voice", "q-fifo", a, sizeof a);
    create(f, "chat", "q-priority", b, sizeof b);
    CXH_ASSERT_STATUS(accept_as(f, a, round % 2 ? "agent-voice-2" : "agent-voice-1"), 200);
    CXH_ASSERT_STATUS(ix_call(f, "POST", b, "/reject", f->tok,
                              "{\"agentId\":\"agent-digital-1\",\"rejectReason\":\"nope\","
                              "\"returnToQueue\":true}"),
                      200);
    advance(f, 500);
}

/* SIM-03: with --ledger FILE every entry is written as one JSON line equal to the entry at
 * /__admin/ledger; after SIGKILL every entry acknowledged before the kill is in the file and
 * every line parses. */
static void test_SIM_03_ledger_file_matches_and_survives_sigkill(void **state)
{
    struct fx *f = *state;
    assert_int_equal(cxt_tmpdir(f->dir, sizeof f->dir, "cxmock-it"), 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ledger.jsonl", f->dir);
    const char *const args[] = {"--clock", "manual", "--ledger", path, NULL};
    fx_start(f, args);
    some_traffic(f, 0);
    json_t *acked = cxh_ledger(&f->mock.http);
    assert_non_null(acked);
    assert_true(json_array_size(acked) >= 10);
    json_t *file = ledger_file_entries(path);
    assert_int_equal(json_array_size(file), json_array_size(acked));
    assert_prefix(file, acked);
    json_decref(file);
    json_decref(acked);

    for (int i = 1; i < 4; i++)
        some_traffic(f, i);
    acked = cxh_ledger(&f->mock.http);
    assert_non_null(acked);
    assert_int_equal(cxh_kill(&f->mock), 128 + 9);
    file = ledger_file_entries(path);
    assert_prefix(file, acked);
    json_decref(file);
    json_decref(acked);
}

/* DESIGN (admin API): with --admin-token the admin API needs that bearer: none or a wrong one
 * is 401; the right one is 200. The public API is unaffected. */
static void test_ADMIN_token_required(void **state)
{
    struct fx *f = *state;
    const char *const args[] = {"--clock", "manual", "--admin-token", "s3cret-admin", NULL};
    fx_start(f, args);
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r = cxh_call(h, "GET", "/__admin/health", NULL, NULL);
    CXH_ASSERT_STATUS(r, 401);
    CXH_ASSERT_STR(r->json, "error", "unauthorized");
    r = cxh_call(h, "GET", "/__admin/health", "s3cret-admiN", NULL);
    CXH_ASSERT_STATUS(r, 401);
    r = cxh_call(h, "GET", "/__admin/health", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 401);
    r = cxh_call(h, "GET", "/metrics", NULL, NULL);
    CXH_ASSERT_STATUS(r, 401);
    r = cxh_call(h, "POST", "/__admin/clock", NULL, "{\"advanceMs\":1000}");
    CXH_ASSERT_STATUS(r, 401);
    r = cxh_call(h, "GET", "/__admin/health", "s3cret-admin", NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "status", "ok");
    h->admin_token = "s3cret-admin";
    char id[64];
    assert_int_equal(cxh_create(h, "voice", "q-fifo", NULL, id, sizeof id), 201);
    r = cxh_call(h, "GET", "/__admin/state", "s3cret-admin", NULL);
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "clock.now", MANUAL_EPOCH); /* the unauthorized advance did nothing */
    CXH_ASSERT_STATUS(ix_call(f, "GET", id, "", f->tok, NULL), 200);
}

/* DESIGN (running as a CI service): --port-file holds the port once the mock listens;
 * /__admin/violations?fail=1 answers 200 while no check has a count and 409 with the same
 * report once one has (a SILENT_DROP, REJ-03); fail=0 is 200; another value is 400. */
static void test_ADMIN_port_file_and_violations_fail(void **state)
{
    struct fx *f = *state;
    assert_int_equal(cxt_tmpdir(f->dir, sizeof f->dir, "cxmock-it"), 0);
    char pf[512];
    snprintf(pf, sizeof pf, "%s/port", f->dir);
    const char *const args[] = {"--clock", "manual", "--port-file", pf, NULL};
    fx_start(f, args);
    char *text = cxt_read_file(pf, NULL);
    assert_non_null(text);
    char want[16];
    snprintf(want, sizeof want, "%d\n", f->mock.port);
    assert_string_equal(text, want);
    free(text);
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r = cxh_call(h, "GET", "/__admin/violations?fail=1", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    char a[64], b[64];
    create(f, "voice", "q-overflow", a, sizeof a);
    create(f, "voice", "q-overflow", b, sizeof b);
    CXH_ASSERT_STATUS(ix_call(f, "POST", a, "/reject", f->tok,
                              "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}"),
                      200);
    advance(f, 600);
    r = cxh_call(h, "GET", "/__admin/violations?fail=1", NULL, NULL);
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_INT(r->json, "checks.SILENT_DROP.count", 1);
    CXH_ASSERT_STATUS(cxh_call(h, "GET", "/__admin/violations?fail=0", NULL, NULL), 200);
    r = cxh_call(h, "GET", "/__admin/violations?fail=yes", NULL, NULL);
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "validation_error");
}

/* A bad --tenant file: exit 1 with FILE:LINE:COLUMN: and the key; a syntax error too; a
 * missing file exits 1. Nothing listens. */
static void test_CLI_bad_tenant_exits_1_with_location(void **state)
{
    struct fx *f = *state;
    assert_int_equal(cxt_tmpdir(f->dir, sizeof f->dir, "cxmock-it"), 0);
    char bad[512], syntax[512], missing[512], want[600];
    snprintf(bad, sizeof bad, "%s/bad.json", f->dir);
    snprintf(syntax, sizeof syntax, "%s/syntax.json", f->dir);
    snprintf(missing, sizeof missing, "%s/missing.json", f->dir);
    assert_int_equal(
        cxt_write_file(bad, "{\n  \"tenant\": \"x\",\n  \"tokenTtlSeconds\": \"soon\"\n}\n"), 0);
    assert_int_equal(cxt_write_file(syntax, "{\n  \"tenant\": \n}\n"), 0);

    char *out = NULL, *err = NULL;
    const char *const a1[] = {"--port", "0", "--tenant", bad, NULL};
    assert_int_equal(cxh_run(a1, 10000, &out, &err), 1);
    snprintf(want, sizeof want, "%s:3:", bad);
    if (!strstr(err, want) || !strstr(err, "tokenTtlSeconds"))
        fail_msg("expected '%s...tokenTtlSeconds' on stderr, got: %s", want, err);
    int line = 0, col = 0;
    const char *at = strstr(err, want);
    assert_int_equal(sscanf(at + strlen(bad), ":%d:%d:", &line, &col), 2);
    assert_int_equal(line, 3);
    assert_true(col >= 1);
    assert_null(strstr(out, "listening"));
    free(out);
    free(err);

    const char *const a2[] = {"--port", "0", "--tenant", syntax, NULL};
    assert_int_equal(cxh_run(a2, 10000, &out, &err), 1);
    at = strstr(err, syntax);
    if (!at || sscanf(at + strlen(syntax), ":%d:%d:", &line, &col) != 2)
        fail_msg("expected '%s:LINE:COLUMN:' on stderr, got: %s", syntax, err);
    assert_int_equal(line, 3);
    free(out);
    free(err);

    const char *const a3[] = {"--port", "0", "--tenant", missing, NULL};
    assert_int_equal(cxh_run(a3, 10000, &out, &err), 1);
    assert_non_null(strstr(err, missing));
    free(out);
    free(err);
}

/* --help and --version exit 0 (usage on stdout); an unknown option, a bad value, a bad clock
 * and a port already in use exit 1 with a message. */
static void test_CLI_help_exits_0(void **state)
{
    struct fx *f = *state;
    char *out = NULL, *err = NULL;
    const char *const help[] = {"--help", NULL};
    assert_int_equal(cxh_run(help, 10000, &out, &err), 0);
    if (!strstr(out, "usage: cxmock") || !strstr(out, "--clock"))
        fail_msg("no usage on stdout: %s", out);
    free(out);
    free(err);
    const char *const version[] = {"--version", NULL};
    assert_int_equal(cxh_run(version, 10000, &out, &err), 0);
    assert_non_null(strstr(out, "cxmock "));
    free(out);
    free(err);
    static const char *const bad[][5] = {
        {"--no-such-option", NULL},
        {"--port", "0", "--threads", "0", NULL},
        {"--port", "0", "--clock", "sideways", NULL},
        {"--port", "0", "--seed", "-1", NULL},
        {"--port", "0", "stray-argument", NULL},
        {"--port", "0", "--client-time", "lunar", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int st = cxh_run(bad[i], 10000, &out, &err);
        if (st != 1 || !strstr(err, "cxmock"))
            fail_msg("%s %s: exit %d, stderr: %s", bad[i][0], bad[i][1] ? bad[i][1] : "", st, err);
        free(out);
        free(err);
    }
    /* a port that is taken */
    fx_start(f, NULL);
    char port[16];
    snprintf(port, sizeof port, "%d", f->mock.port);
    const char *const taken[] = {"--port", port, NULL};
    int st = cxh_run(taken, 10000, &out, &err);
    if (st != 1 || !strstr(err, "cannot listen"))
        fail_msg("--port %s (taken): exit %d, stderr: %s", port, st, err);
    free(out);
    free(err);
}

/* =====================================================================================
 * Admin controls: clock, faults, queue and agent changes.
 * ===================================================================================== */

/* DESIGN (admin API): /__admin/state is paged: ?limit=N interactions from ?after=K in creation
 * order, "next" the following page's cursor (null at the end), "interactionsTotal" all of
 * them; each queue lists its first N members while "depth" counts every one; a bad page is
 * 400. */
static void test_ADMIN_state_is_paged(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    char id[64];
    for (int i = 0; i < 5; i++)
        create(f, "voice", "q-fifo", id, sizeof id);
    const struct cxh_resp *r = cxh_call(h, "GET", "/__admin/state?limit=2", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "interactions")), 2);
    CXH_ASSERT_INT(r->json, "next", 2);
    CXH_ASSERT_INT(r->json, "interactionsTotal", 5);
    const json_t *queues = json_object_get(r->json, "queues");
    for (size_t q = 0; q < json_array_size(queues); q++) {
        const json_t *v = json_array_get(queues, q);
        if (strcmp(json_string_value(json_object_get(v, "id")), "q-fifo") == 0) {
            assert_int_equal(json_integer_value(json_object_get(v, "depth")), 5);
            assert_int_equal(json_array_size(json_object_get(v, "members")), 2);
        }
    }
    r = cxh_call(h, "GET", "/__admin/state?after=4&limit=2", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "interactions")), 1);
    assert_true(json_is_null(json_object_get(r->json, "next")));
    CXH_ASSERT_STR(json_array_get(json_object_get(r->json, "interactions"), 0), "id", id);
    r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(r->json, "interactions")), 5);
    static const char *const bad[] = {"?limit=0", "?limit=100001", "?after=-1", "?after=x"};
    for (size_t i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof path, "/__admin/state%s", bad[i]);
        r = cxh_call(h, "GET", path, NULL, NULL);
        CXH_ASSERT_STATUS(r, 400);
        CXH_ASSERT_STR(r->json, "error", "validation_error");
    }
}

/* SIM-01: the manual clock moves only by advanceMs; scale is refused on it; bad bodies are
 * 400. */
static void test_SIM_01_manual_clock(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r = cxh_call(h, "POST", "/__admin/clock", NULL, "{\"advanceMs\":0}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "now", MANUAL_EPOCH);
    r = cxh_call(h, "POST", "/__admin/clock", NULL, "{\"advanceMs\":86400000}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "nowIso", "2026-01-02T00:00:00.000Z");
    r = cxh_call(h, "POST", "/__admin/clock", NULL, "{\"scale\":2}");
    CXH_ASSERT_STATUS(r, 409);
    CXH_ASSERT_STR(r->json, "error", "clock_manual");
    r = cxh_call(h, "POST", "/__admin/clock", NULL, "{\"advanceMs\":-5}");
    CXH_ASSERT_STATUS(r, 400);
    r = cxh_call(h, "POST", "/__admin/clock", NULL, "{\"advanceMs\":1.5}");
    CXH_ASSERT_STATUS(r, 400);
    r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    CXH_ASSERT_INT(r->json, "clock.now", MANUAL_EPOCH + 86400000LL);
}

/* SIM-01, issue 15: the clock is bounded. --clock scaled:1e300 (it started and showed a
 * negative time) and scaled:0.0001 are refused at start with a message giving the range; on a
 * manual clock {"advanceMs": INT64_MAX} (it aborted the mock: signed overflow) is a 400 naming
 * the field and moves nothing; on a scaled one {"scale": 1e15} twice (it aborted the second
 * time) is a 400 each time; the mock keeps answering and exits cleanly. */
static void test_SIM_01_clock_bounded_over_http(void **state)
{
    struct fx *f = *state;
    static const char *const specs[] = {"scaled:1e300", "scaled:0.0001", "scaled:1e15"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        char *out = NULL, *err = NULL;
        const char *const args[] = {"--port", "0", "--clock", specs[i], NULL};
        int st = cxh_run(args, 10000, &out, &err);
        if (st != 1 || !strstr(err, "--clock") || !strstr(err, specs[i]) ||
            !strstr(err, "0.001 to 1000000") || strstr(out, "listening"))
            fail_msg("--clock %s: exit %d, stdout: %s, stderr: %s", specs[i], st, out, err);
        free(out);
        free(err);
    }

    static const char *const manual[] = {"--clock", "manual", NULL};
    fx_start(f, manual);
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r =
        cxh_call(h, "POST", "/__admin/clock", NULL, "{\"advanceMs\":9223372036854775807}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "validation_error");
    CXH_ASSERT_STR(r->json, "field", "advanceMs");
    assert_health(f);
    r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    CXH_ASSERT_INT(r->json, "clock.now", MANUAL_EPOCH);
    assert_int_equal(cxh_stop(&f->mock), 0);

    static const char *const scaled[] = {"--clock", "scaled:60", NULL};
    fx_start(f, scaled);
    for (int i = 0; i < 2; i++) {
        r = cxh_call(h, "POST", "/__admin/clock", NULL, "{\"scale\":1e15}");
        CXH_ASSERT_STATUS(r, 400);
        CXH_ASSERT_STR(r->json, "field", "scale");
    }
    assert_health(f);
    r = cxh_call(h, "GET", "/__admin/state", NULL, NULL);
    CXH_ASSERT_STR(r->json, "clock.mode", "scaled:60");
    if (cxh_int(r->json, "clock.now", -1) <= 0)
        fail_msg("a scaled clock at %lld: %s", cxh_int(r->json, "clock.now", -1), r->body);
}

/* FLT-01: PUT /__admin/faults makes the interactions group answer 503 injected_fault; [] clears
 * it; a bad plan is 400 naming the field. */
static void test_FLT_01_admin_faults(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r = cxh_call(h, "PUT", "/__admin/faults", NULL,
                                        "[{\"group\":\"interactions\",\"status\":503,\"rate\":1}]");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_INT(r->json, "faults", 1);
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 503);
    CXH_ASSERT_STR(r->json, "error", "injected_fault");
    r = cxh_form(h, "/oauth/token", CC_INTEGRATION, "grant_type=client_credentials");
    CXH_ASSERT_STATUS(r, 200); /* auth group unaffected */
    r = cxh_call(h, "PUT", "/__admin/faults", NULL, "[{\"group\":\"interactions\",\"rate\":2}]");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "validation_error");
    r = cxh_call(h, "PUT", "/__admin/faults", NULL, "[]");
    CXH_ASSERT_STATUS(r, 200);
    r = cxh_call(h, "GET", "/api/v2/queues/q-fifo", f->tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
}

/* Q-01, AGT-04: a queue forced to Overflow reports it; an agent set NOT_READY while ringing
 * stops ringing (the interaction rings the rest of the group); unknown ids are 404. */
static void test_Q_01_AGT_04_admin_queue_and_agent(void **state)
{
    struct fx *f = *state;
    struct cxh_http *h = &f->mock.http;
    const struct cxh_resp *r =
        cxh_call(h, "PUT", "/__admin/queues/q-priority", NULL, "{\"status\":\"Overflow\"}");
    CXH_ASSERT_STATUS(r, 200);
    r = cxh_call(h, "GET", "/api/v2/queues/q-priority", f->tok, NULL);
    CXH_ASSERT_STR(r->json, "status", "Overflow");
    r = cxh_call(h, "PUT", "/__admin/queues/q-priority", NULL, "{\"status\":\"auto\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "status", "Normal");
    r = cxh_call(h, "PUT", "/__admin/queues/q-none", NULL, "{\"status\":\"auto\"}");
    CXH_ASSERT_STATUS(r, 404);

    char id[64];
    create(f, "voice", "q-fifo", id, sizeof id);
    r = cxh_call(h, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"NOT_READY\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(r->json, "state", "NOT_READY");
    json_t *v = get_ix(f, id);
    assert_int_equal(json_array_size(cxh_get(v, "ringingAgents")), 1);
    CXH_ASSERT_STR(v, "ringingAgents[0]", "agent-voice-2");
    r = cxh_call(h, "PUT", "/__admin/agents/agent-voice-2", NULL, "{\"state\":\"PAUSED\"}");
    CXH_ASSERT_STATUS(r, 200);
    CXH_ASSERT_STR(get_ix(f, id), "state", "Queued");
    r = cxh_call(h, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"READY\"}");
    CXH_ASSERT_STATUS(r, 200);
    v = get_ix(f, id);
    CXH_ASSERT_STR(v, "state", "Ringing");
    CXH_ASSERT_STR(v, "ringingAgents[0]", "agent-voice-1");
    r = cxh_call(h, "PUT", "/__admin/agents/agent-nobody", NULL, "{\"state\":\"READY\"}");
    CXH_ASSERT_STATUS(r, 404);
    r = cxh_call(h, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"SLEEPING\"}");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "field", "state");
}

int main(void)
{
    cxh_global_init();
    mg_init_library(0);
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_ROUTES_AUTH_01_ACC_07_Q_01_Q_02_every_route_succeeds, setup_manual),
        T(test_AUTH_02_refresh_token_grant, setup_manual),
        T(test_AUTH_03_bad_secret_invalid_client, setup_manual),
        T(test_AUTH_03_unknown_grant_unsupported_grant_type, setup_manual),
        T(test_AUTH_03_scope_not_granted_invalid_scope, setup_manual),
        T(test_AUTH_04_no_token_401, setup_manual),
        T(test_AUTH_04_readonly_accept_insufficient_scope, setup_manual),
        T(test_AUTH_04_expired_token_401, setup_manual),
        T(test_AUTH_05_revoke_previous_rotation, setup_manual),
        T(test_ACC_01_password_grant_accepts_without_agentId, setup_manual),
        T(test_ACC_01_client_token_without_agentId_missing_agent_context, setup_manual),
        T(test_ACC_02_agent_not_ready_403, setup_manual),
        T(test_ACC_03_chat_with_voice_channel_type_mismatch, setup_manual),
        T(test_ACC_03_voice_by_digital_agent_not_licensed, setup_manual),
        T(test_ACC_04_CONS_01_state_visible_after_delay, setup_manual),
        T(test_ACC_05_dual_accept_first_wins, setup_manual),
        T(test_ACC_06_accept_after_ring_timeout_phantom, setup_manual),
        T(test_REJ_01_reject_requeues_or_ends, setup_manual),
        T(test_REJ_02_unknown_reason_stored_Unknown, setup_manual),
        T(test_REJ_03_reject_into_overflow_silent_drop, setup_manual),
        T(test_REJ_03_reject_into_overflow_fallback, setup_manual),
        T(test_PRI_02_PRI_05_patch_priority_idempotency_key, setup_manual),
        T(test_AGT_01_AGT_03_agent_state_over_http, setup_manual),
        T(test_CONS_02_CONS_03_long_poll_in_order, setup_manual),
        T(test_CONS_03_long_poll_wakes_on_event, setup_manual),
        T(test_CONS_03_webhooks_retried_in_order, setup_none),
        T(test_CONS_03_webhook_down_long_poll_complete, setup_none),
        T(test_CONS_03_cursor_expired_410, setup_none),
        T(test_CONS_03_long_poll_during_shutdown, setup_manual),
        T(test_SIM_03_ledger_names_the_causing_request, setup_manual),
        T(test_CONS_01_real_clock_applies_on_its_own, setup_none),
        T(test_BAD_INPUT_malformed_json_invalid_json, setup_manual),
        T(test_BAD_INPUT_deeply_nested_json_400, setup_manual),
        T(test_BAD_INPUT_wrong_type_validation_error, setup_manual),
        T(test_BAD_INPUT_unknown_route_404, setup_manual),
        T(test_BAD_INPUT_wrong_method_405_allow, setup_manual),
        T(test_BAD_INPUT_head_response_has_no_body, setup_manual),
        T(test_BAD_INPUT_head_answers_as_get, setup_manual),
        T(test_BAD_INPUT_ids_percent_decoded_once, setup_manual),
        T(test_CONS_03_query_values_strict_over_http, setup_manual),
        T(test_GWS_01_uris_ignore_the_host_header, setup_manual),
        T(test_BAD_INPUT_body_over_cap_413, setup_none),
        T(test_SIM_03_ledger_file_matches_and_survives_sigkill, setup_none),
        T(test_ADMIN_token_required, setup_none),
        T(test_ADMIN_port_file_and_violations_fail, setup_none),
        T(test_CLI_bad_tenant_exits_1_with_location, setup_none),
        T(test_CLI_help_exits_0, setup_none),
        T(test_SIM_01_manual_clock, setup_manual),
        T(test_SIM_01_clock_bounded_over_http, setup_none),
        T(test_ADMIN_state_is_paged, setup_manual),
        T(test_FLT_01_admin_faults, setup_manual),
        T(test_Q_01_AGT_04_admin_queue_and_agent, setup_manual),
    };
#undef T
    if (getenv("CXH_TEST_FILTER")) /* run only matching tests: CXH_TEST_FILTER='*webhook*' */
        cmocka_set_test_filter(getenv("CXH_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
