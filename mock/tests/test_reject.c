/* test_reject.c - reject and queues on the manual clock, no sockets: REJ-01 ... REJ-04, Q-01,
 * */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "simtest.h"

static int setup(void **state)
{
    *state = st_new(NULL, 11);
    return 0;
}

static int teardown(void **state)
{
    st_free(*state);
    return 0;
}

static const char *cc(struct cxm_api *m)
{
    return st_client(m, 0, "cx-integration", "cx-integration-secret");
}

static struct st_res *reject(struct cxm_api *m, const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/reject", id);
    return st_call(m, "POST", path, cc(m), body);
}

static json_t *queue(struct cxm_api *m, const char *id, const char *suffix)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/queues/%s%s", id, suffix);
    struct st_res *r = st_call(m, "GET", path, cc(m), NULL);
    return r->status == 200 ? r->body : NULL;
}

/* REJ-01: returnToQueue true re-queues and rings the next eligible agent (not the rejecter);
 * false or absent ends it. Both are applied after the consistency delay. */
static void test_REJ_01_return_to_queue_or_end(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "voice", "q-fifo", NULL);
    struct st_res *r =
        reject(m, a,
               "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true,\"rejectReason\":"
               "\"skill_mismatch\"}");
    assert_int_equal(r->status, 200);
    assert_true(json_is_true(json_object_get(r->body, "rejected")));
    assert_int_equal(json_array_size(json_object_get(st_get(m, a), "ringingAgents")), 2);
    st_advance(m, 500);
    json_t *v = st_get(m, a);
    assert_string_equal(ST_STR(v, "state"), "Ringing");
    json_t *group = json_object_get(v, "ringingAgents");
    assert_int_equal(json_array_size(group), 1);
    assert_string_equal(json_string_value(json_array_get(group, 0)), "agent-voice-2");
    assert_string_equal(ST_STR(v, "rejectReason"), "skill_mismatch");
    assert_int_equal(st_ledger_count(m, "REJECT", a, NULL), 1);

    const char *b = st_create(m, 1, "chat", "q-fifo", NULL);
    assert_int_equal(reject(m, b, "{\"agentId\":\"agent-digital-1\"}")->status, 200);
    assert_string_equal(st_state(m, b), "Ringing");
    st_advance(m, 500);
    assert_string_equal(st_state(m, b), "Ended");

    r = reject(m, b, "{\"agentId\":\"agent-digital-1\"}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "error"), "invalid_state");
    r = reject(m, a, "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":\"yes\"}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "returnToQueue");
}

/* REJ-02: a reason outside the tenant's dispositions is stored as Unknown. */
static void test_REJ_02_unknown_disposition(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "voice", "q-fifo", NULL);
    assert_int_equal(
        reject(m, a, "{\"agentId\":\"agent-voice-1\",\"rejectReason\":\"too_busy_lol\"}")->status,
        200);
    json_t *e;
    assert_int_equal(st_ledger_count(m, "UNKNOWN_DISPOSITION", a, &e), 1);
    assert_string_equal(ST_STR(e, "given"), "too_busy_lol");
    assert_string_equal(ST_STR(e, "stored"), "Unknown");
    st_advance(m, 500);
    assert_string_equal(ST_STR(st_get(m, a), "rejectReason"), "Unknown");
}

/* REJ-03: returnToQueue into an Overflow queue with drop: 200, then the interaction is gone
 * (404) with a SILENT_DROP in the ledger and no event; with fallback it moves queue. */
static void test_REJ_03_silent_drop_and_fallback(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "voice", "q-overflow", NULL); /* overflowDepth 2 */
    assert_string_equal(ST_STR(queue(m, "q-overflow", ""), "status"), "Normal");
    st_create(m, 1, "voice", "q-overflow", NULL);
    assert_string_equal(ST_STR(queue(m, "q-overflow", ""), "status"), "Overflow");
    uint64_t events_before = cxm_events_last(&m->sim.events);
    struct st_res *r = reject(m, a, "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}");
    assert_int_equal(r->status, 200);
    st_advance(m, 500);
    assert_null(st_get(m, a));
    json_t *e;
    assert_int_equal(st_ledger_count(m, "SILENT_DROP", a, &e), 1);
    assert_string_equal(ST_STR(e, "queueId"), "q-overflow");
    assert_string_equal(ST_STR(e, "agentId"), "agent-voice-1");
    assert_int_equal(st_violations(m, "SILENT_DROP"), 1);
    /* No event says it went: the freed agents ring the other interaction, nothing else. */
    for (uint64_t c = events_before + 1; c <= cxm_events_last(&m->sim.events); c++)
        assert_null(strstr(cxm_events_get(&m->sim.events, c, NULL), a));

    const char *f = st_create(m, 2, "chat", "q-fallback", NULL);
    st_create(m, 3, "chat", "q-fallback", NULL);
    assert_int_equal(
        reject(m, f, "{\"agentId\":\"agent-digital-1\",\"returnToQueue\":true}")->status, 200);
    st_advance(m, 500);
    json_t *v = st_get(m, f);
    assert_non_null(v);
    assert_string_equal(ST_STR(v, "queueId"), "q-fifo");
    assert_int_equal(st_ledger_count(m, "FALLBACK", f, NULL), 1);
}

/* ACC-02 for rejects (seed 000 §1: "If the agent is marked unavailable or logged out in the
 * platform, the API call fails with a 403 Forbidden before the routing engine processes the
 * request"): a reject by an agent who is not READY is 403 agent_unavailable and changes
 * nothing; READY again, the same reject is taken. */
static void test_ACC_02_reject_by_an_unavailable_agent(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "voice", "q-fifo", NULL);
    assert_int_equal(
        st_call(m, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"NOT_READY\"}")
            ->status,
        200);
    struct st_res *r = reject(m, a, "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}");
    assert_int_equal(r->status, 403);
    assert_string_equal(ST_STR(r->body, "error"), "agent_unavailable");
    st_advance(m, 500);
    assert_int_equal(st_ledger_count(m, "REJECT", a, NULL), 0);
    assert_int_equal(
        st_call(m, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"LOGGED_OUT\"}")
            ->status,
        200);
    assert_int_equal(reject(m, a, "{\"agentId\":\"agent-voice-1\"}")->status, 403);
    assert_int_equal(
        st_call(m, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"READY\"}")->status,
        200);
    assert_int_equal(reject(m, a, "{\"agentId\":\"agent-voice-1\"}")->status, 200);
}

/* Q-01, REJ-03 (000 §3: "When a queue exceeds its maxWait or maxRings threshold, CXone marks
 * the queue as Overflow"): a queue whose member rings its last ring is Overflow, and a reject
 * back into it then drops the interaction silently. With "overflowOnLastRing": false, only
 * depth and wait count. */
static void test_Q_01_overflow_on_the_last_ring(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "voice", "q-fifo", NULL); /* 3 rings of 20 s */
    assert_string_equal(ST_STR(queue(m, "q-fifo", ""), "status"), "Normal");
    st_advance(m, 40000); /* two rings expired: the third and last rings now */
    assert_int_equal(json_integer_value(json_object_get(st_get(m, a), "ringCount")), 3);
    assert_string_equal(ST_STR(queue(m, "q-fifo", ""), "status"), "Overflow");
    assert_int_equal(reject(m, a, "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}")->status,
                     200);
    st_advance(m, 500);
    assert_int_equal(st_ledger_count(m, "SILENT_DROP", a, NULL), 1);

    struct cxm_api *off =
        st_new("{\"overflowOnLastRing\":false,\"clients\":[{\"clientId\":\"cx-integration\","
               "\"clientSecret\":\"cx-integration-secret\",\"scopes\":[\"interaction:read\"]}],"
               "\"agents\":[{\"id\":\"a\"}],\"queues\":[{\"id\":\"q\",\"maxRings\":2}]}",
               1);
    st_create(off, 0, "voice", "q", NULL);
    st_advance(off, 20000);
    assert_string_equal(ST_STR(queue(off, "q", ""), "status"), "Normal");
    st_free(off);
}

/* REJ-04: a retried reject is applied again: the interaction, re-queued and ringing another
 * agent, is re-queued again (DUPLICATE_REJECT); a retried end-reject ends it. */
static void test_REJ_04_duplicate_reject(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "voice", "q-fifo", NULL);
    const char *body = "{\"agentId\":\"agent-voice-1\",\"returnToQueue\":true}";
    assert_int_equal(reject(m, a, body)->status, 200);
    st_advance(m, 500);
    json_t *v = st_get(m, a);
    assert_string_equal(json_string_value(json_array_get(json_object_get(v, "ringingAgents"), 0)),
                        "agent-voice-2");
    int rings = st_ledger_count(m, "RINGING", a, NULL);
    assert_int_equal(reject(m, a, body)->status, 200); /* the retry */
    st_advance(m, 500);
    assert_int_equal(st_ledger_count(m, "DUPLICATE_REJECT", a, NULL), 1);
    assert_int_equal(st_ledger_count(m, "RINGING", a, NULL), rings + 1); /* re-rung */
    json_t *e;
    st_ledger_count(m, "STATE", a, &e);
    assert_string_equal(ST_STR(e, "cause"), "route");

    assert_int_equal(reject(m, a, "{\"agentId\":\"agent-voice-1\"}")->status, 200);
    st_advance(m, 500);
    assert_int_equal(st_ledger_count(m, "DUPLICATE_REJECT", a, NULL), 2);
    assert_string_equal(st_state(m, a), "Ended");
}

/* queue view; Overflow by depth, by oldest wait, or forced by the admin. */
static void test_Q_01_queue_status(void **state)
{
    struct cxm_api *m = *state;
    json_t *q = queue(m, "q-fallback", "");
    assert_string_equal(ST_STR(q, "id"), "q-fallback");
    assert_string_equal(ST_STR(q, "status"), "Normal");
    assert_string_equal(ST_STR(q, "sortingStrategy"), "FIFO");
    assert_string_equal(ST_STR(q, "overflowAction"), "fallback");
    assert_string_equal(ST_STR(q, "fallbackQueueId"), "q-fifo");
    assert_int_equal(json_integer_value(json_object_get(q, "maxRings")), 2);
    assert_null(queue(m, "q-nope", ""));

    /* No voice agent ready: one waiting call, overflow once it waited maxWaitSeconds (60). */
    assert_int_equal(
        st_call(m, "PUT", "/__admin/agents/agent-voice-1", NULL, "{\"state\":\"NOT_READY\"}")
            ->status,
        200);
    assert_int_equal(
        st_call(m, "PUT", "/__admin/agents/agent-voice-2", NULL, "{\"state\":\"NOT_READY\"}")
            ->status,
        200);
    st_create(m, 0, "voice", "q-overflow", NULL);
    q = queue(m, "q-overflow", "");
    assert_int_equal(json_integer_value(json_object_get(q, "depth")), 1);
    assert_string_equal(ST_STR(q, "status"), "Normal");
    st_advance(m, 60000);
    q = queue(m, "q-overflow", "");
    assert_int_equal(json_integer_value(json_object_get(q, "oldestWaitSeconds")), 60);
    assert_string_equal(ST_STR(q, "status"), "Overflow");

    assert_int_equal(
        st_call(m, "PUT", "/__admin/queues/q-fifo", NULL, "{\"status\":\"Overflow\"}")->status,
        200);
    assert_string_equal(ST_STR(queue(m, "q-fifo", ""), "status"), "Overflow");
    st_call(m, "PUT", "/__admin/queues/q-fifo", NULL, "{\"status\":\"auto\"}");
    assert_string_equal(ST_STR(queue(m, "q-fifo", ""), "status"), "Normal");
    assert_int_equal(
        st_call(m, "PUT", "/__admin/queues/q-fifo", NULL, "{\"status\":\"Full\"}")->status, 400);
}

/* stats; currentRings is the ring count of the longest-ringing interaction. */
static void test_Q_02_queue_stats(void **state)
{
    struct cxm_api *m = *state;
    st_create(m, 0, "voice", "q-fifo", NULL); /* rings voice-1 and voice-2 */
    st_advance(m, 20000);                     /* second ring */
    st_create(m, 1, "voice", "q-fifo", NULL); /* waits: nobody free */
    json_t *s = queue(m, "q-fifo", "/stats");
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "currentRings")), 2);
    assert_int_equal(json_integer_value(json_object_get(s, "maxRings")), 3);
    assert_int_equal(json_integer_value(json_object_get(s, "ringing")), 1);
    assert_int_equal(json_integer_value(json_object_get(s, "waiting")), 1);
    assert_int_equal(json_integer_value(json_object_get(s, "activeAgents")), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_REJ_01_return_to_queue_or_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_REJ_02_unknown_disposition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_REJ_03_silent_drop_and_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_REJ_04_duplicate_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_Q_01_overflow_on_the_last_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_02_reject_by_an_unavailable_agent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_Q_01_queue_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_Q_02_queue_stats, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
