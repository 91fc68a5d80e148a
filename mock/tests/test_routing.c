/* test_routing.c - routing injection and in-flight priority on the manual clock, no sockets:
 * INJ-01 ... INJ-07, PRI-01 ... PRI-06, the RATE-01 routing trap, and what routing leaves
 * behind after any sequence of events (ACC-04, Q-01). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simtest.h"

static int setup(void **state)
{
    *state = st_new(NULL, 21);
    return 0;
}

static int teardown(void **state)
{
    st_free(*state);
    return 0;
}

static const char *cc(struct cxm_api *m)
{
    return st_bearer(m);
}

/* POST /api/v2/routing/contacts with an optional idempotency key (the last result). */
static struct st_res *inject(struct cxm_api *m, const char *key, const char *body)
{
    struct cxm_req rq = {.method = "POST",
                         .path = "/api/v2/routing/contacts",
                         .authorization = cc(m),
                         .content_type = "application/json",
                         .x_idempotency_key = key,
                         .body = body,
                         .body_len = strlen(body),
                         .loopback = true};
    return st_request(m, &rq);
}

static struct st_res *patch(struct cxm_api *m, const char *id, const char *key, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", id);
    struct cxm_req rq = {.method = "PATCH",
                         .path = path,
                         .authorization = cc(m),
                         .content_type = "application/json",
                         .idempotency_key = key,
                         .body = body,
                         .body_len = strlen(body),
                         .loopback = true};
    return st_request(m, &rq);
}

/* A request with both idempotency headers' values given separately (NULL: none). */
static struct st_res *keyed(struct cxm_api *m, const char *method, const char *path,
                            const char *idem, const char *x_idem, const char *body)
{
    struct cxm_req rq = {.method = method,
                         .path = path,
                         .authorization = cc(m),
                         .content_type = "application/json",
                         .idempotency_key = idem,
                         .x_idempotency_key = x_idem,
                         .body = body,
                         .body_len = strlen(body),
                         .loopback = true};
    return st_request(m, &rq);
}

static json_t *contact(struct cxm_api *m, const char *id)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s?expand=queuePosition", id);
    struct st_res *r = st_call(m, "GET", path, cc(m), NULL);
    return r->status == 200 ? r->body : NULL;
}

static long position(struct cxm_api *m, const char *id)
{
    json_t *c = contact(m, id);
    return c ? (long)json_integer_value(
                   json_object_get(json_object_get(c, "queuePosition"), "position"))
             : -1;
}

static void keep_id(struct st_res *r, char out[40])
{
    assert_int_equal(r->status, 201);
    snprintf(out, 40, "%s", ST_STR(r->body, "id"));
}

/* Make every agent unavailable so injected contacts wait in their queues. */
static void nobody_ready(struct cxm_api *m)
{
    const char *agents[] = {"agent-voice-1", "agent-voice-2", "agent-digital-1", "agent-digital-2"};
    for (int i = 0; i < 4; i++) {
        char path[96];
        snprintf(path, sizeof path, "/__admin/agents/%s", agents[i]);
        assert_int_equal(st_call(m, "PUT", path, NULL, "{\"state\":\"NOT_READY\"}")->status, 200);
    }
}

/* INJ-01, SIM-03: the CREATED line, written member by member on the hot path, is the text
 * jansson writes for its fields (so no ledger changes with the writer, SIM-02): keys a JSON
 * string must escape, a tab (which the fast writer declines: jansson writes that line), UTF-8,
 * no key at all; and each 201 is the contact as queued. */
static void test_INJ_01_created_line_as_jansson_writes_it(void **state)
{
    (void)state;
    char path[] = "/tmp/cxm-created-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct cxm_api *m = st_open(NULL, 1, path);
    nobody_ready(m);
    const char *const keys[] = {"plain-1",   "quo\"te",     "back\\slash",
                                "tab\there", "caf\xc3\xa9", NULL};
    for (int i = 0; i < 6; i++) {
        char body[96];
        snprintf(body, sizeof body,
                 "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":%d}", i);
        struct st_res *r = inject(m, keys[i], body);
        assert_int_equal(r->status, 201);
        assert_string_equal(ST_STR(r->body, "status"), "queued");
        assert_string_equal(ST_STR(r->body, "queueId"), "q-fifo");
        assert_int_equal(json_integer_value(json_object_get(r->body, "priority")), i);
        assert_string_equal(ST_STR(r->body, "createdTime"), "2026-01-01T00:00:00.000Z");
        assert_int_equal(json_object_size(r->body), 5);
    }
    st_free(m); /* the file holds every line */
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[2048];
    int created = 0;
    while (fgets(line, sizeof line, in)) {
        if (!strstr(line, "\"type\":\"CREATED\""))
            continue;
        line[strcspn(line, "\n")] = '\0';
        json_t *v = json_loads(line, 0, NULL);
        assert_non_null(v);
        char *again = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        assert_string_equal(line, again); /* byte for byte, in jansson's order and escapes */
        const char *key = json_string_value(json_object_get(v, "idempotencyKey"));
        if (keys[created])
            assert_string_equal(key, keys[created]);
        else
            assert_true(json_is_null(json_object_get(v, "idempotencyKey")));
        assert_string_equal(ST_STR(v, "source"), "routing_api");
        assert_int_equal(json_integer_value(json_object_get(v, "priority")), created);
        free(again);
        json_decref(v);
        created++;
    }
    fclose(in);
    unlink(path);
    assert_int_equal(created, 6);
}

/* INJ-01: 201 {id, status, queueId, priority, createdTime}; the contact is an interaction that
 * rings agents and can be accepted through the agent API. */
static void test_INJ_01_inject_creates_an_interaction(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r =
        inject(m, NULL,
               "{\"type\":\"contact\",\"channel\":\"voice\",\"queueId\":\"q-fifo\","
               "\"priority\":750,\"from\":\"+15550109876\",\"to\":\"+15550201234\"}");
    assert_int_equal(r->status, 201);
    assert_string_equal(ST_STR(r->body, "status"), "queued");
    assert_string_equal(ST_STR(r->body, "queueId"), "q-fifo");
    assert_int_equal(json_integer_value(json_object_get(r->body, "priority")), 750);
    assert_string_equal(ST_STR(r->body, "createdTime"), "2026-01-01T00:00:00.000Z");
    char id[40];
    keep_id(r, id);
    json_t *v = st_get(m, id);
    assert_string_equal(ST_STR(v, "state"), "Ringing");
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", id);
    assert_int_equal(st_call(m, "POST", path, cc(m), "{\"agentId\":\"agent-voice-1\"}")->status,
                     200);
    st_advance(m, 500);
    assert_string_equal(ST_STR(contact(m, id), "routingStatus"), "connected");
    json_t *e;
    assert_int_equal(st_ledger_count(m, "CREATED", id, &e), 1);
    assert_string_equal(ST_STR(e, "source"), "routing_api");
}

/* INJ-02: queueId and skillIds together 400, neither 400, unknown queue 404; skillIds pick the
 * queue whose skills hold them all. */
static void test_INJ_02_queue_targeting(void **state)
{
    struct cxm_api *m =
        st_new("{\"clients\":[{\"clientId\":\"cx-integration\",\"clientSecret\":"
               "\"cx-integration-secret\",\"scopes\":[\"routing:"
               "contacts:write\",\"routing:contact:read\"]}],\"agents\":[{\"id\":\"a\"}],"
               "\"queues\":[{\"id\":\"q1\",\"skills\":[\"billing\"]},"
               "{\"id\":\"q2\",\"skills\":[\"billing\",\"spanish\"]}]}",
               1);
    struct st_res *r =
        inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q1\",\"skillIds\":[\"billing\"]}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "skillIds");
    assert_int_equal(inject(m, NULL, "{\"channel\":\"voice\"}")->status, 400);
    r = inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q9\"}");
    assert_int_equal(r->status, 404);
    r = inject(m, NULL, "{\"channel\":\"voice\",\"skillIds\":[\"spanish\",\"billing\"]}");
    assert_int_equal(r->status, 201);
    assert_string_equal(ST_STR(r->body, "queueId"), "q2");
    assert_int_equal(inject(m, NULL, "{\"channel\":\"voice\",\"skillIds\":[\"french\"]}")->status,
                     404);
    st_free(m);
}

/* INJ-03: priority an integer 0..999, default 0; anything else 400. */
static void test_INJ_03_priority_range(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = inject(m, NULL, "{\"channel\":\"chat\",\"queueId\":\"q-priority\"}");
    assert_int_equal(json_integer_value(json_object_get(r->body, "priority")), 0);
    const char *bad[] = {"-1", "1000", "5.5", "\"7\"", "true"};
    for (int i = 0; i < 5; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"channel\":\"chat\",\"queueId\":\"q-fifo\",\"priority\":%s}",
                 bad[i]);
        r = inject(m, NULL, body);
        assert_int_equal(r->status, 400);
        assert_string_equal(ST_STR(r->body, "field"), "priority");
    }
    assert_int_equal(
        inject(m, NULL, "{\"channel\":\"chat\",\"queueId\":\"q-fifo\",\"priority\":999}")->status,
        201);
}

/* INJ-04: unprefixed keys 400; long strings truncated silently; unregistered keys ignored;
 * type mismatches accepted and flagged; each silent effect in the ledger. */
static void test_INJ_04_attribute_schema(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = inject(m, NULL,
                              "{\"channel\":\"chat\",\"queueId\":\"q-fifo\","
                              "\"attributes\":{\"customerTier\":\"gold\"}}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "attributes.customerTier");
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 0); /* nothing created */

    char tier[64];
    memset(tier, 'x', 40);
    tier[40] = '\0'; /* customerTier's maxLength is 32 */
    char body[512];
    snprintf(body, sizeof body,
             "{\"channel\":\"chat\",\"queueId\":\"q-fifo\",\"attributes\":{"
             "\"string:customerTier\":\"%s\",\"string:unregistered\":\"a\","
             "\"number:orderValue\":\"1250.00\",\"boolean:vip\":true,"
             "\"date:callbackAfter\":\"2026-02-01T10:00:00Z\"}}",
             tier);
    char id[40];
    keep_id(inject(m, NULL, body), id);
    json_t *e;
    assert_int_equal(st_ledger_count(m, "TRUNCATED_ATTRIBUTE", id, &e), 1);
    assert_string_equal(ST_STR(e, "key"), "string:customerTier");
    assert_int_equal(json_integer_value(json_object_get(e, "length")), 40);
    assert_int_equal(st_ledger_count(m, "IGNORED_ATTRIBUTE", id, &e), 1);
    assert_string_equal(ST_STR(e, "key"), "string:unregistered");
    assert_int_equal(st_ledger_count(m, "TYPE_MISMATCH", id, &e), 1);
    assert_string_equal(ST_STR(e, "key"), "number:orderValue");
    json_t *attrs = json_object_get(contact(m, id), "attributes");
    assert_int_equal(strlen(ST_STR(attrs, "string:customerTier")), 32);
    assert_null(json_object_get(attrs, "string:unregistered"));
    assert_string_equal(ST_STR(attrs, "number:orderValue"), "1250.00");
    assert_true(json_is_true(json_object_get(attrs, "boolean:vip")));
}

/* INJ-05: a repeated key returns the original 201 byte for byte and creates nothing; no key and
 * a retry creates two, which the invariant check reports; keys expire on the mock clock and
 * the store is bounded. */
/* INJ-05, PRI-05 (seeds 001 §3, 002 §3): each endpoint reads its seed's header:
 * X-Idempotency-Key on the injection, Idempotency-Key on the PATCH. The other one is ignored,
 * as the platform ignores it (the ledger says IDEMPOTENCY_KEY_IGNORED): a retried injection
 * under Idempotency-Key creates a second contact, a repeated PATCH under X-Idempotency-Key
 * re-evaluates again. With "idempotencyHeaders": "either" both count on both. */
static void test_INJ_05_PRI_05_each_endpoint_its_header(void **state)
{
    struct cxm_api *m = *state;
    const char *body = "{\"channel\":\"voice\",\"queueId\":\"q-priority\"}";
    const char *inj = "/api/v2/routing/contacts";
    assert_int_equal(keyed(m, "POST", inj, "wrong-1", NULL, body)->status, 201);
    assert_int_equal(keyed(m, "POST", inj, "wrong-1", NULL, body)->status, 201);
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 2);
    json_t *e;
    assert_int_equal(st_ledger_count(m, "IDEMPOTENCY_KEY_IGNORED", NULL, &e), 2);
    assert_string_equal(ST_STR(e, "header"), "Idempotency-Key");
    assert_int_equal(keyed(m, "POST", inj, NULL, "right-1", body)->status, 201);
    struct st_res *r = keyed(m, "POST", inj, NULL, "right-1", body);
    assert_int_equal(r->status, 201);
    char id[40], path[128];
    snprintf(id, sizeof id, "%s", ST_STR(r->body, "id"));
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 3);
    nobody_ready(m);
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", id);
    assert_int_equal(keyed(m, "PATCH", path, NULL, "p-1", "{\"priority\":7}")->status, 200);
    assert_int_equal(keyed(m, "PATCH", path, NULL, "p-1", "{\"priority\":7}")->status, 200);
    assert_int_equal(st_ledger_count(m, "PRIORITY_REQUESTED", id, NULL), 2); /* not deduped */
    assert_int_equal(keyed(m, "PATCH", path, "p-2", NULL, "{\"priority\":8}")->status, 200);
    assert_int_equal(keyed(m, "PATCH", path, "p-2", NULL, "{\"priority\":8}")->status, 200);
    assert_int_equal(st_ledger_count(m, "PRIORITY_REQUESTED", id, NULL), 3); /* deduped */

    struct cxm_api *either = st_new(
        "{\"idempotencyHeaders\":\"either\",\"clients\":[{\"clientId\":\"cx-integration\","
        "\"clientSecret\":\"cx-integration-secret\",\"scopes\":[\"routing:contacts:write\"]}],"
        "\"agents\":[{\"id\":\"a\"}],\"queues\":[{\"id\":\"q\"}]}",
        1);
    const char *qbody = "{\"channel\":\"voice\",\"queueId\":\"q\"}";
    assert_int_equal(keyed(either, "POST", inj, "k", NULL, qbody)->status, 201);
    assert_int_equal(keyed(either, "POST", inj, "k", NULL, qbody)->status, 201);
    assert_int_equal(st_ledger_count(either, "CREATED", NULL, NULL), 1);
    assert_int_equal(st_ledger_count(either, "IDEMPOTENCY_KEY_IGNORED", NULL, NULL), 0);
    st_free(either);
}

static void test_INJ_05_idempotency_keys(void **state)
{
    struct cxm_api *m = *state;
    const char *body = "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":3}";
    struct st_res *r = inject(m, "order-8842", body);
    char first[512];
    char *text = json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    snprintf(first, sizeof first, "%s", text);
    free(text);
    st_advance(m, 3600 * 1000);
    r = inject(m, "order-8842", body);
    assert_int_equal(r->status, 201);
    text = json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(text, first);
    free(text);
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 1);
    assert_int_equal(st_ledger_count(m, "IDEMPOTENT_REPLAY", NULL, NULL), 1);
    assert_int_equal(st_violations(m, "DUPLICATE_CONTACT"), 0);

    /* Without a key the retry is a second contact. */
    const char *retried = "{\"channel\":\"sms\",\"queueId\":\"q-fifo\",\"from\":\"+1555\"}";
    assert_int_equal(inject(m, NULL, retried)->status, 201);
    assert_int_equal(inject(m, NULL, retried)->status, 201);
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 3);
    assert_int_equal(st_violations(m, "DUPLICATE_CONTACT"), 1);

    /* The key lives idempotencyTtlSeconds (86400 s) from when it was stored. */
    st_advance(m, (86400 - 3600) * 1000 - 1);
    assert_int_equal(inject(m, "order-8842", body)->status, 201);
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 3);
    st_advance(m, 1);
    assert_int_equal(inject(m, "order-8842", body)->status, 201);
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 4);
}

/* INJ-05: the replay is the first answer byte for byte even after the contact changed: the
 * store keeps no text for an injection's 201 and rebuilds it from the contact as it was queued
 * (its priority then, not the one a PATCH gave it since). */
static void test_INJ_05_replay_is_the_first_answer_after_a_patch(void **state)
{
    struct cxm_api *m = *state;
    const char *body = "{\"channel\":\"chat\",\"queueId\":\"q-priority\",\"priority\":3}";
    struct st_res *r = inject(m, "order-17", body);
    assert_int_equal(r->status, 201);
    char *first = json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char id[40];
    snprintf(id, sizeof id, "%s", ST_STR(r->body, "id"));
    assert_int_equal(patch(m, id, NULL, "{\"priority\":9}")->status, 200);
    st_advance(m, 60 * 1000); /* the evaluation cycle applies it */
    char path[128];
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", id);
    r = st_call(m, "GET", path, cc(m), NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->body, "priority")), 9);
    r = inject(m, "order-17", body);
    assert_int_equal(r->status, 201);
    char *again = json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(again, first);
    assert_int_equal(json_integer_value(json_object_get(r->body, "priority")), 3);
    free(first);
    free(again);
}

static void test_INJ_05_bounded_store(void **state)
{
    struct cxm_api *m = st_new(
        "{\"idempotencyMaxKeys\":3,\"clients\":[{\"clientId\":\"cx-"
        "integration\",\"clientSecret\":\"cx-integration-secret\",\"scopes\":"
        "[\"routing:contacts:write\",\"routing:contact:read\"]}],\"agents\":[{\"id\":\"a\"}],"
        "\"queues\":[{\"id\":\"q\"}]}",
        1);
    const char *body = "{\"channel\":\"voice\",\"queueId\":\"q\"}";
    const char *keys[] = {"k1", "k2", "k3", "k4"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(inject(m, keys[i], body)->status, 201);
    assert_int_equal(m->sim.idem.n, 3);
    assert_int_equal(m->sim.idem.evicted, 1);
    inject(m, "k4", body); /* still held: replayed */
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 4);
    inject(m, "k1", body); /* the oldest was forgotten: a new contact */
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 5);
    st_free(m);
}

/* INJ-06: a queue at maxCapacity answers 409; breached thresholds answer 201 and the contact
 * goes straight to abandoned. */
static void test_INJ_06_capacity_and_thresholds(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    for (int i = 0; i < 20; i++) /* q-overflow: maxCapacity 20 */
        assert_int_equal(
            inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-overflow\"}")->status, 201);
    struct st_res *r = inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-overflow\"}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "error"), "queue_at_capacity");

    /* q-priority: abandonRate limit 0.5. Force the current rate above it. */
    assert_int_equal(
        st_call(m, "PUT", "/__admin/queues/q-priority", NULL, "{\"abandonRate\":0.6}")->status,
        200);
    char id[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\"}"), id);
    assert_string_equal(ST_STR(contact(m, id), "routingStatus"), "abandoned");
    assert_int_equal(st_ledger_count(m, "ABANDONED_ON_INGEST", id, NULL), 1);
    json_t *q = NULL;
    struct st_res *qr = st_call(m, "GET", "/api/v2/routing/queues/q-priority", cc(m), NULL);
    q = qr->body;
    assert_true(json_is_true(json_object_get(q, "thresholdsBreached")));
}

/* INJ-06 (001 edge case 1, and §3's 409): with "atCapacity": "abandon" a queue at its
 * maxCapacity answers 201 and the contact is abandoned at once (ledger ABANDONED_ON_INGEST,
 * cause capacity); the default answers 409. */
static void test_INJ_06_at_capacity_abandon(void **state)
{
    (void)state;
    struct cxm_api *m =
        st_new("{\"clients\":[{\"clientId\":\"cx-integration\",\"clientSecret\":\"cx-integration-"
               "secret\",\"scopes\":[\"routing:contacts:write\",\"routing:contact:read\"]}],"
               "\"agents\":[{\"id\":\"a\",\"state\":\"NOT_READY\"}],"
               "\"queues\":[{\"id\":\"q\",\"maxCapacity\":1,\"atCapacity\":\"abandon\"}]}",
               1);
    const char *body = "{\"channel\":\"voice\",\"queueId\":\"q\"}";
    assert_int_equal(inject(m, NULL, body)->status, 201);
    char id[40];
    keep_id(inject(m, NULL, body), id);
    assert_string_equal(ST_STR(contact(m, id), "routingStatus"), "abandoned");
    json_t *e;
    assert_int_equal(st_ledger_count(m, "ABANDONED_ON_INGEST", id, &e), 1);
    assert_string_equal(ST_STR(e, "cause"), "capacity");
    st_free(m);
}

/* INJ-01, INJ-04 (001 §2, §4): the injected fields come back (the routing contact has from, to,
 * callbackNumber, wrapUpCode; the interaction view holds them under "contact" with the
 * attributes); an unregistered attribute is accepted and kept, but apart: in
 * ignoredAttributes, never among the attributes routing and the agent's session see. */
static void test_INJ_04_fields_shown_unregistered_kept_apart(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char id[40], path[160];
    keep_id(inject(m, NULL,
                   "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"from\":\"+15550109876\","
                   "\"to\":\"+15550201234\",\"callbackNumber\":\"+15550109876\",\"wrapUpCode\":"
                   "\"INJECTED_CONTACT\",\"attributes\":{\"string:customerTier\":\"gold\","
                   "\"string:unregistered\":\"x\"}}"),
            id);
    json_t *c = contact(m, id);
    assert_string_equal(ST_STR(c, "callbackNumber"), "+15550109876");
    assert_string_equal(ST_STR(c, "wrapUpCode"), "INJECTED_CONTACT");
    assert_string_equal(ST_STR(c, "to"), "+15550201234");
    assert_string_equal(ST_STR(json_object_get(c, "attributes"), "string:customerTier"), "gold");
    assert_null(json_object_get(json_object_get(c, "attributes"), "string:unregistered"));
    assert_string_equal(ST_STR(json_object_get(c, "ignoredAttributes"), "string:unregistered"),
                        "x");
    snprintf(path, sizeof path, "/api/v2/interactions/%s", id);
    struct st_res *r = st_call(m, "GET", path, st_bearer(m), NULL);
    assert_string_equal(ST_STR(json_object_get(r->body, "contact"), "wrapUpCode"),
                        "INJECTED_CONTACT");
    assert_string_equal(ST_STR(json_object_get(r->body, "attributes"), "string:customerTier"),
                        "gold");
    assert_null(json_object_get(json_object_get(r->body, "attributes"), "string:unregistered"));
}

/* INJ-07: the routing queue view and the attribute schema. */
static void test_INJ_07_queue_and_schema(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = st_call(m, "GET", "/api/v2/routing/queues/q-priority", cc(m), NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->body, "capacity")), 500);
    assert_int_equal(json_integer_value(json_object_get(r->body, "depth")), 0);
    assert_int_equal(json_integer_value(json_object_get(r->body, "activeAgents")), 4);
    assert_string_equal(ST_STR(r->body, "status"), "Normal");
    assert_true(json_real_value(
                    json_object_get(json_object_get(r->body, "thresholds"), "abandonRate")) == 0.5);
    assert_int_equal(st_call(m, "GET", "/api/v2/routing/queues/nope", cc(m), NULL)->status, 404);
    r = st_call(m, "GET", "/api/v2/contacts/attributes", cc(m), NULL);
    assert_int_equal(r->status, 200);
    json_t *a = json_object_get(r->body, "attributes");
    assert_int_equal(json_array_size(a), 5);
    assert_string_equal(ST_STR(json_array_get(a, 1), "key"), "string:customerTier");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 1), "maxLength")), 32);
    assert_string_equal(ST_STR(json_array_get(a, 2), "type"), "number");
}

/* PRI-01: routingStatus and queuePosition (1 = next). */
static void test_PRI_01_contact_view(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char a[40], b[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":1}"),
            a);
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":9}"),
            b);
    json_t *c = contact(m, a);
    assert_string_equal(ST_STR(c, "routingStatus"), "queued");
    assert_int_equal(json_integer_value(json_object_get(c, "priority")), 1);
    assert_int_equal(position(m, b), 1); /* higher priority goes first */
    assert_int_equal(position(m, a), 2);
    char path[128];
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", a);
    struct st_res *r = st_call(m, "GET", path, cc(m), NULL);
    assert_null(json_object_get(r->body, "queuePosition"));
    assert_int_equal(st_call(m, "GET", "/api/v2/routing/contacts/nope", cc(m), NULL)->status, 404);
}

/* PRI-02: a JSON integer 1..10; 8.5, "8", 0 and 11 are 400 naming priority; read-only 400. */
static void test_PRI_02_patch_validation(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char a[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\"}"), a);
    const char *bad[] = {"8.5", "\"8\"", "0", "11", "null"};
    for (int i = 0; i < 5; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"priority\":%s}", bad[i]);
        struct st_res *r = patch(m, a, NULL, body);
        assert_int_equal(r->status, 400);
        assert_string_equal(ST_STR(r->body, "field"), "priority");
    }
    struct st_res *r = patch(m, a, NULL, "{\"priority\":5,\"routingHistory\":[]}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "routingHistory");
    assert_int_equal(patch(m, a, NULL, "{\"id\":\"x\"}")->status, 400);
    assert_int_equal(patch(m, a, NULL, "{\"priority\":10}")->status, 200);
    assert_int_equal(st_ledger_count(m, "PRIORITY_REQUESTED", a, NULL), 1);
}

/* PRI-03: assigned contacts get 409 (or 200 and PRIORITY_IGNORED with patchAssigned ignore);
 * the same value as now is 204. */
static void test_PRI_03_state_rules(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char a[40];
    /* "same value" on one scale: PATCH 4 ranks (4 - 1) * 111 = 333 (PRI-04's mapping) */
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":333}"),
            a);
    struct st_res *r = patch(m, a, NULL, "{\"priority\":4}");
    assert_int_equal(r->status, 204);
    assert_null(r->body);
    st_call(m, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"READY\"}");
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", a);
    assert_int_equal(st_call(m, "POST", path, cc(m), "{\"agentId\":\"agent-voice-1\"}")->status,
                     200);
    r = patch(m, a, NULL, "{\"priority\":9}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "error"), "conflict");

    struct cxm_api *ig =
        st_new("{\"patchAssigned\":\"ignore\",\"clients\":[{\"clientId\":\"cx-"
               "integration\",\"clientSecret\":\"cx-integration-secret\",\"scopes\":"
               "[\"routing:contacts:write\",\"routing:contact:read\",\"routing:contact:write\","
               "\"interaction:write\",\"agent:control\"]}],"
               "\"agents\":[{\"id\":\"a\"}],\"queues\":[{\"id\":\"q\","
               "\"sortingStrategy\":\"Priority\"}]}",
               1);
    char b[40];
    keep_id(inject(ig, NULL, "{\"channel\":\"voice\",\"queueId\":\"q\"}"), b);
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", b);
    assert_int_equal(st_call(ig, "POST", path, cc(ig), "{\"agentId\":\"a\"}")->status, 200);
    r = patch(ig, b, NULL, "{\"priority\":9}");
    assert_int_equal(r->status, 200);
    assert_int_equal(st_ledger_count(ig, "PRIORITY_IGNORED", b, NULL), 1);
    st_advance(ig, 2000);
    assert_int_equal(json_integer_value(json_object_get(contact(ig, b), "priority")), 0);
    st_free(ig);
}

/* PRI-04: applied at the next evaluation cycle, not at once; FIFO ignores priority. */
static void test_PRI_04_evaluation_cycle_and_fifo(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char a[40], b[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}"),
            a);
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}"),
            b);
    assert_int_equal(position(m, b), 2);
    st_advance(m, 400);
    assert_int_equal(patch(m, b, NULL, "{\"priority\":8}")->status, 200);
    assert_int_equal(position(m, b), 2); /* not yet: the cycle is at 1000 ms */
    assert_int_equal(json_integer_value(json_object_get(contact(m, b), "priority")), 5);
    st_advance(m, 599);
    assert_int_equal(position(m, b), 2);
    st_advance(m, 1);
    assert_int_equal(position(m, b), 1);
    assert_int_equal(json_integer_value(json_object_get(contact(m, b), "priority")), 8);
    json_t *e;
    assert_int_equal(st_ledger_count(m, "REEVALUATION", b, &e), 1);
    assert_int_equal(json_integer_value(json_object_get(e, "t")), CXM_MANUAL_EPOCH_MS + 1000);

    char f1[40], f2[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":1}"), f1);
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":1}"), f2);
    assert_int_equal(patch(m, f2, NULL, "{\"priority\":10}")->status, 200);
    st_advance(m, 1000);
    assert_int_equal(json_integer_value(json_object_get(contact(m, f2), "priority")), 10);
    assert_int_equal(position(m, f2), 2); /* FIFO: still behind */
    st_ledger_count(m, "REEVALUATION", f2, &e);
    assert_true(json_is_true(json_object_get(e, "sortingIgnoresPriority")));
}

/* A tenant with one queue "q" sorted by SORTING and no agent ready: contacts wait. */
static struct cxm_api *one_queue(const char *sorting)
{
    char fixture[1024];
    snprintf(fixture, sizeof fixture,
             "{\"clients\":[{\"clientId\":\"cx-integration\",\"clientSecret\":"
             "\"cx-integration-secret\",\"scopes\":[\"routing:contacts:write\","
             "\"routing:contact:read\",\"routing:contact:write\"]}],\"agents\":[{\"id\":\"a\","
             "\"state\":\"NOT_READY\"}],"
             "\"queues\":[{\"id\":\"q\",\"sortingStrategy\":\"%s\"}]}",
             sorting);
    struct cxm_api *m = st_new(fixture, 1);
    assert_non_null(m);
    return m;
}

/* PRI-04: FIFO and LIFO ignore priority entirely. Three contacts wait; a raise of the first
 * and a cut of the last are stored (the contact view shows them) but move nobody, cycle after
 * cycle. The same PATCHes in a Priority queue do move them (the control). */
static void test_PRI_04_fifo_lifo_positions_never_move(void **state)
{
    (void)state;
    static const char *const sortings[] = {"FIFO", "LIFO", "Priority"};
    for (int k = 0; k < 3; k++) {
        struct cxm_api *m = one_queue(sortings[k]);
        char c[3][40];
        for (int i = 0; i < 3; i++)
            keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q\",\"priority\":5}"),
                    c[i]);
        long before[3];
        for (int i = 0; i < 3; i++)
            before[i] = position(m, c[i]);
        int lifo = strcmp(sortings[k], "LIFO") == 0;
        assert_int_equal(before[0], lifo ? 3 : 1);
        assert_int_equal(before[2], lifo ? 1 : 3);
        /* the one at the back is raised, the one at the front is cut */
        const char *back = lifo ? c[0] : c[2], *front = lifo ? c[2] : c[0];
        assert_int_equal(patch(m, back, NULL, "{\"priority\":10}")->status, 200);
        assert_int_equal(patch(m, front, NULL, "{\"priority\":1}")->status, 200);
        st_advance(m, 1000);
        assert_int_equal(json_integer_value(json_object_get(contact(m, back), "priority")), 10);
        assert_int_equal(json_integer_value(json_object_get(contact(m, front), "priority")), 1);
        st_advance(m, 3000);
        if (strcmp(sortings[k], "Priority") == 0) {
            assert_int_equal(position(m, back), 1);
            assert_int_equal(position(m, front), 3);
        } else {
            for (int i = 0; i < 3; i++)
                if (position(m, c[i]) != before[i])
                    fail_msg("%s: contact %d moved from %ld to %ld after a PATCH", sortings[k],
                             i + 1, before[i], position(m, c[i]));
        }
        st_free(m);
    }
}

/* PRI-05: with an Idempotency-Key a repeat replays the first response and re-evaluates
 * nothing; without, each duplicate re-evaluates once and can reorder the queue again. */
static void test_PRI_05_duplicate_patches(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char a[40], b[40], c[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}"),
            a);
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}"),
            b);
    assert_int_equal(patch(m, a, "esc-1", "{\"priority\":7}")->status, 200);
    assert_int_equal(patch(m, a, "esc-1", "{\"priority\":7}")->status, 200);
    st_advance(m, 1000);
    assert_int_equal(st_ledger_count(m, "REEVALUATION", a, NULL), 1);
    assert_int_equal(st_ledger_count(m, "IDEMPOTENT_REPLAY", NULL, NULL), 1);

    /* b is raised to 7 too: now behind a among the 7s. A duplicate raise of a (no key) moves a
     * behind b: the queue reorders again. */
    patch(m, b, NULL, "{\"priority\":7}");
    st_advance(m, 1000);
    assert_int_equal(position(m, a), 1);
    assert_int_equal(position(m, b), 2);
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}"),
            c);
    assert_int_equal(patch(m, a, NULL, "{\"priority\":6}")->status, 200);
    assert_int_equal(patch(m, a, NULL, "{\"priority\":7}")->status, 200);
    st_advance(m, 1000);
    assert_int_equal(st_ledger_count(m, "REEVALUATION", a, NULL), 3);
    assert_int_equal(position(m, b), 1);
    assert_int_equal(position(m, a), 2);
}

/* PRI-05 (002 §3): a keyless duplicate PATCH within one evaluation window makes the position
 * oscillate: the first re-evaluation moves the contact forward, the duplicate's conflicting
 * snapshot moves it back; the raise is not applied. Three in a row end applied. */
static void test_PRI_05_duplicates_oscillate(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char a[40], b[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}"),
            a);
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}"),
            b);
    assert_int_equal(position(m, b), 2);
    assert_int_equal(patch(m, b, NULL, "{\"priority\":9}")->status, 200);
    assert_int_equal(patch(m, b, NULL, "{\"priority\":9}")->status, 200); /* the retry */
    st_advance(m, 1000);
    assert_int_equal(position(m, b), 2);
    assert_int_equal(json_integer_value(json_object_get(contact(m, b), "priority")), 5);
    json_t *e;
    assert_int_equal(st_ledger_count(m, "REEVALUATION", b, &e), 2);
    assert_true(json_is_true(json_object_get(e, "reconciled")));
    assert_int_equal(json_integer_value(json_object_get(e, "positionBefore")), 1); /* forward, */
    assert_int_equal(json_integer_value(json_object_get(e, "positionAfter")), 2);  /* and back */
    for (int i = 0; i < 3; i++)
        assert_int_equal(patch(m, b, NULL, "{\"priority\":9}")->status, 200);
    st_advance(m, 1000);
    assert_int_equal(position(m, b), 1);
    assert_int_equal(json_integer_value(json_object_get(contact(m, b), "priority")), 9);
}

/* 002 §2: a PATCH may carry routingStatus to confirm the state it was decided on: the same as
 * now goes on, another is 409 (the contact moved on), a non-string 400. The routing queue
 * view gives sortingStrategy, where 002's remedy reads it (PRI-04). */
static void test_PRI_03_routing_status_confirmed(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char a[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\"}"), a);
    assert_string_equal(ST_STR(contact(m, a), "routingStatus"), "queued");
    struct st_res *r = patch(m, a, NULL, "{\"priority\":4,\"routingStatus\":\"waiting\"}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "error"), "conflict");
    assert_int_equal(patch(m, a, NULL, "{\"priority\":4,\"routingStatus\":7}")->status, 400);
    assert_int_equal(patch(m, a, NULL, "{\"priority\":4,\"routingStatus\":\"queued\"}")->status,
                     200);
    r = st_call(m, "GET", "/api/v2/routing/queues/q-fifo", cc(m), NULL);
    assert_string_equal(ST_STR(r->body, "sortingStrategy"), "FIFO");
    r = st_call(m, "GET", "/api/v2/routing/queues/q-priority", cc(m), NULL);
    assert_string_equal(ST_STR(r->body, "sortingStrategy"), "Priority");
}

/* PRI-04: one ordering for the two scales. A PATCH's level 1-10 ranks (level - 1) * 111 on the
 * injection's 0-999: 10 outranks an injected 900, 9 (888) does not. With "priorityMapping":
 * "raw" the level is compared as the number it is, and 10 stays behind an injected 50. */
static void test_PRI_04_scales_meet(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char hi[40], lo[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":900}"),
            hi);
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":50}"),
            lo);
    assert_int_equal(patch(m, lo, "k9", "{\"priority\":9}")->status, 200);
    st_advance(m, 1000);
    assert_int_equal(position(m, lo), 2);
    assert_int_equal(patch(m, lo, "k10", "{\"priority\":10}")->status, 200);
    st_advance(m, 1000);
    assert_int_equal(position(m, lo), 1);
    assert_int_equal(json_integer_value(json_object_get(contact(m, lo), "priority")), 10);
    json_t *e;
    st_ledger_count(m, "REEVALUATION", lo, &e);
    assert_int_equal(json_integer_value(json_object_get(e, "rank")), 999);

    struct cxm_api *raw = st_new(
        "{\"priorityMapping\":\"raw\",\"clients\":[{\"clientId\":\"cx-integration\","
        "\"clientSecret\":\"cx-integration-secret\",\"scopes\":[\"routing:contacts:write\","
        "\"routing:contact:read\",\"routing:contact:write\"]}],\"agents\":[{\"id\":\"a\","
        "\"state\":\"NOT_READY\"}],\"queues\":[{\"id\":\"q\",\"sortingStrategy\":\"Priority\"}]}",
        1);
    keep_id(inject(raw, NULL, "{\"channel\":\"voice\",\"queueId\":\"q\",\"priority\":50}"), hi);
    keep_id(inject(raw, NULL, "{\"channel\":\"voice\",\"queueId\":\"q\",\"priority\":0}"), lo);
    assert_int_equal(patch(raw, lo, NULL, "{\"priority\":10}")->status, 200);
    st_advance(raw, 1000);
    assert_int_equal(position(raw, lo), 2);
    st_free(raw);
}

/* PRI-07 (002 edge case 1): routeToQueue moves a contact to a Priority queue, where a PATCH
 * then moves it; a bad body is 400, an unknown queue 404, an assigned contact 409. */
static void test_PRI_07_route_to_queue(void **state)
{
    struct cxm_api *m = *state;
    nobody_ready(m);
    char a[40], b[40], path[160];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\",\"priority\":5}"),
            a);
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-fifo\",\"priority\":5}"), b);
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s/routeToQueue", b);
    assert_int_equal(st_call(m, "POST", path, cc(m), "{}")->status, 400);
    assert_int_equal(st_call(m, "POST", path, cc(m), "{\"queueId\":\"q-none\"}")->status, 404);
    struct st_res *r = st_call(m, "POST", path, cc(m), "{\"queueId\":\"q-priority\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "queueId"), "q-priority");
    assert_int_equal(st_ledger_count(m, "ROUTED_TO_QUEUE", b, NULL), 1);
    assert_int_equal(position(m, b), 2);
    assert_int_equal(patch(m, b, NULL, "{\"priority\":9}")->status, 200);
    st_advance(m, 1000);
    assert_int_equal(position(m, b), 1); /* the Priority queue honours it */
    st_call(m, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"READY\"}");
    char accept[160];
    snprintf(accept, sizeof accept, "/api/v2/interactions/%s/accept", b);
    assert_int_equal(st_call(m, "POST", accept, cc(m), "{\"agentId\":\"agent-voice-1\"}")->status,
                     200);
    st_advance(m, 500);
    r = st_call(m, "POST", path, cc(m), "{\"queueId\":\"q-fifo\"}");
    assert_int_equal(r->status, 409);
}

/* PRI-06: an agent assigned between the client's GET and its PATCH: 409. */
static void test_PRI_06_assigned_between_get_and_patch(void **state)
{
    struct cxm_api *m = *state;
    char a[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\"}"), a);
    assert_string_equal(ST_STR(contact(m, a), "routingStatus"), "waiting"); /* ringing */
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", a);
    st_call(m, "POST", path, cc(m), "{\"agentId\":\"agent-voice-2\"}");
    assert_int_equal(patch(m, a, NULL, "{\"priority\":9}")->status, 409);
    /* A PATCH accepted before the assignment is dropped at the cycle. */
    char b[40];
    keep_id(inject(m, NULL, "{\"channel\":\"voice\",\"queueId\":\"q-priority\"}"), b);
    assert_int_equal(patch(m, b, NULL, "{\"priority\":9}")->status, 200);
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", b);
    st_call(m, "POST", path, cc(m), "{\"agentId\":\"agent-voice-1\"}");
    st_advance(m, 1000);
    assert_int_equal(st_ledger_count(m, "PRIORITY_NOT_APPLIED", b, NULL), 1);
}

/* RATE-01: the 121st routing call in a minute is 429 with Retry-After; after that wait the
 * call succeeds (manual clock). */
static void test_RATE_01_121st_routing_call(void **state)
{
    struct cxm_api *m = *state;
    for (int i = 0; i < 120; i++) {
        struct st_res *r = inject(m, NULL, "{\"channel\":\"email\",\"queueId\":\"q-fifo\"}");
        if (r->status != 201)
            fail_msg("call %d: %d", i + 1, r->status);
        st_advance(m, 100);
    }
    struct st_res *r = inject(m, NULL, "{\"channel\":\"email\",\"queueId\":\"q-fifo\"}");
    assert_int_equal(r->status, 429);
    long wait = strtol(r->retry_after, NULL, 10);
    assert_int_equal(wait, 48); /* the first call, at 0 s, leaves the window at 60 s; now 12 s */
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 120);
    st_advance(m, wait * 1000);
    assert_int_equal(inject(m, NULL, "{\"channel\":\"email\",\"queueId\":\"q-fifo\"}")->status,
                     201);
}

/* What a full routing pass guarantees, checked against the model after each event: no waiting
 * member (Queued, no accept pending) has a free agent that could ring for it; every queue's
 * members are in its order, each marked a member once; the count of members on their last
 * ring is right. */
static void assert_routed(const struct cxm_api *m)
{
    const struct cxm_model *md = &m->sim.model;
    size_t members = 0;
    for (size_t q = 0; q < md->nqueues; q++) {
        const struct cxm_queue *queue = &md->queues[q];
        size_t last = 0;
        for (size_t i = 0; i < queue->nmembers; i++) {
            long ix = queue->members[i];
            const struct cxm_interaction *x = md->ix[ix];
            assert_true(x->in_queue);
            assert_int_equal(x->queue, (int)q);
            assert_int_equal(cxm_queue_position(md, (int)q, ix), i + 1);
            last += x->ring_count >= queue->def->max_rings;
            if (x->state != CXM_IS_QUEUED || x->pending_owner >= 0)
                continue;
            for (size_t a = 0; a < md->nagents; a++) {
                const struct cxm_agent *ag = &md->agents[a];
                if (ag->state == CXM_AGENT_READY && ag->ringing < 0 && ag->active == 0 &&
                    cxm_agent_has_channel(ag, x->channel) && cxm_agent_serves(ag, queue) &&
                    !cxm_rejected_by(x, (int)a))
                    fail_msg("%s waits in %s while %s is free to ring for it", x->id,
                             queue->def->id, ag->def->id);
            }
        }
        assert_int_equal(queue->at_last_ring, last);
        members += queue->nmembers;
    }
    size_t flagged = 0;
    for (size_t i = 0; i < md->nix; i++)
        flagged += md->ix[i] && md->ix[i]->in_queue; /* NULL: forgotten (SIM-07) */
    assert_int_equal(flagged, members);
}

/* ACC-04, Q-01: 3000 random events (contacts in every queue and channel, accepts, rejects back
 * or away, agents going READY and NOT_READY, hang-ups, time passing) leave routing as a full
 * pass would after each one, whichever members it looked at. */
static void random_walk(struct cxm_api *m)
{
    static const char *const queues[] = {"q-fifo", "q-priority", "q-overflow", "q-spanish"};
    static const char *const channels[] = {"voice", "chat", "email", "sms"};
    static const char *const agents[] = {"agent-voice-1", "agent-voice-2", "agent-digital-1",
                                         "agent-digital-2", "agent-away"};
    static const char *const emails[] = {"ada@example.test", "bob@example.test", "cyd@example.test",
                                         "dee@example.test"};
    static const char *const passwords[] = {"ada-pass", "bob-pass", "cyd-pass", "dee-pass"};
    char ids[64][40];
    int nids = 0;
    unsigned seed = 7;
    for (int step = 0; step < 3000; step++) {
        int op = rand_r(&seed) % 10, who = rand_r(&seed) % 5;
        char path[160], body[200];
        const char *id = nids ? ids[rand_r(&seed) % nids] : NULL;
        const char *agent = agents[who];
        if (op <= 1 || !id) {
            const char *made =
                st_create(m, 0, channels[rand_r(&seed) % 4], queues[rand_r(&seed) % 4], NULL);
            if (made)
                snprintf(ids[nids < 64 ? nids++ : rand_r(&seed) % 64], sizeof ids[0], "%s", made);
        } else if (op <= 4) {
            const struct cxm_model *md = &m->sim.model;
            const char *channel = "voice";
            for (size_t k = 0, from = (size_t)rand_r(&seed); k < md->nix; k++) {
                const struct cxm_interaction *x = md->ix[(from + k) % md->nix];
                if (x && x->nringing > 0) { /* mostly one that rings, by an agent it rings */
                    id = x->id;
                    agent = md->agents[x->ringing[rand_r(&seed) % x->nringing]].def->id;
                    channel = cxm_channel_name(x->channel);
                    break;
                }
            }
            snprintf(path, sizeof path, "/api/v2/interactions/%s/%s", id,
                     op <= 3 ? "accept" : "reject");
            if (op <= 3)
                snprintf(body, sizeof body, "{\"agentId\":\"%s\",\"channelType\":\"%s\"}", agent,
                         channel);
            else
                snprintf(body, sizeof body, "{\"agentId\":\"%s\"%s}", agent,
                         rand_r(&seed) % 2 ? ",\"returnToQueue\":true" : "");
            st_call(m, "POST", path, cc(m), body);
        } else if (op == 5) {
            snprintf(path, sizeof path, "/api/v2/users/%s/state", agent);
            st_call(m, "POST", path, cc(m),
                    rand_r(&seed) % 3 ? "{\"state\":\"READY\"}" : "{\"state\":\"NOT_READY\"}");
        } else if (op == 6) {
            snprintf(path, sizeof path, "/__admin/interactions/%s/end", id);
            st_call(m, "POST", path, NULL, NULL);
        } else if (op == 7) { /* an owner completes what it handles */
            const struct cxm_model *md = &m->sim.model;
            for (size_t k = 0, from = (size_t)rand_r(&seed); k < md->nix; k++) {
                const struct cxm_interaction *x = md->ix[(from + k) % md->nix];
                if (x && x->state == CXM_IS_ACTIVE && x->agent >= 0 && x->agent < 4) {
                    snprintf(path, sizeof path, "/api/v2/me/interactions/%s", x->id);
                    st_call(m, "POST", path,
                            st_agent(m, 1 + x->agent, emails[x->agent], passwords[x->agent]),
                            "{\"operationName\":\"Complete\"}");
                    break;
                }
            }
        } else {
            st_advance(m, rand_r(&seed) % 5 ? rand_r(&seed) % 4000 : 25000); /* past rings */
        }
        assert_routed(m);
    }
    /* the events did what they stand for: rings, attaches, requeues, ring timeouts */
    int rings = st_ledger_count(m, "RINGING", NULL, NULL),
        attaches = st_ledger_count(m, "ATTACH", NULL, NULL),
        requeued = st_ledger_count(m, "REJECT", NULL, NULL),
        expired = st_ledger_count(m, "RING_EXPIRED", NULL, NULL);
    print_message("# %d rings, %d attaches, %d rejects, %d ring timeouts\n", rings, attaches,
                  requeued, expired);
    assert_true(rings > 300 && attaches > 100 && requeued > 50 && expired > 20);
}

static void test_ACC_04_no_member_left_routable(void **state)
{
    random_walk(*state);
}

/* SIM-07: the same walk on a tenant that keeps only 3 ended interactions: forgetting the rest
 * as they end, between any two events, leaves routing whole and every stale timer harmless. */
static void test_ACC_04_SIM_07_walk_forgetting_ended(void **state)
{
    (void)state;
    char *fixture = st_default_with("endedRetention", 3);
    struct cxm_api *m = st_new(fixture, 1);
    free(fixture);
    random_walk(m);
    assert_true(m->sim.model.forgotten > 50);
    st_free(m);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_INJ_01_inject_creates_an_interaction),
        cmocka_unit_test(test_INJ_01_created_line_as_jansson_writes_it),
        T(test_INJ_02_queue_targeting),
        T(test_INJ_03_priority_range),
        T(test_INJ_04_attribute_schema),
        T(test_INJ_05_idempotency_keys),
        T(test_INJ_05_replay_is_the_first_answer_after_a_patch),
        T(test_INJ_05_PRI_05_each_endpoint_its_header),
        T(test_INJ_05_bounded_store),
        T(test_INJ_06_capacity_and_thresholds),
        T(test_INJ_06_at_capacity_abandon),
        T(test_INJ_04_fields_shown_unregistered_kept_apart),
        T(test_INJ_07_queue_and_schema),
        T(test_PRI_01_contact_view),
        T(test_PRI_02_patch_validation),
        T(test_PRI_03_state_rules),
        T(test_PRI_04_evaluation_cycle_and_fifo),
        T(test_PRI_04_fifo_lifo_positions_never_move),
        T(test_PRI_05_duplicate_patches),
        T(test_PRI_05_duplicates_oscillate),
        T(test_PRI_03_routing_status_confirmed),
        T(test_PRI_07_route_to_queue),
        T(test_PRI_04_scales_meet),
        T(test_PRI_06_assigned_between_get_and_patch),
        T(test_RATE_01_121st_routing_call),
        T(test_ACC_04_no_member_left_routable),
        cmocka_unit_test(test_ACC_04_SIM_07_walk_forgetting_ended),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
