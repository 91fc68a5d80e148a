/* test_accept.c - agent accept on the manual clock, no sockets: ACC-01 ... ACC-07. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simtest.h"

static int setup(void **state)
{
    *state = st_new(NULL, 7);
    return 0;
}

static int teardown(void **state)
{
    st_free(*state);
    return 0;
}

static struct st_res *accept_as(struct cxm_api *m, const char *auth, const char *id,
                                const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", id);
    return st_call(m, "POST", path, auth, body);
}

static const char *cc(struct cxm_api *m)
{
    return st_client(m, 0, "cx-integration", "cx-integration-secret");
}

/* ACC-01: agent context from an agent-bound token or agentId; neither: 400. */
static void test_ACC_01_agent_context(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    struct st_res *r = accept_as(m, cc(m), id, "{}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "error"), "missing_agent_context");
    assert_int_equal(st_ledger_count(m, "ACCEPT", id, NULL), 0);

    const char *bob = st_agent(m, 1, "bob%40example.test", "bob-pass");
    r = accept_as(m, bob, id, "{\"agentId\":\"agent-voice-1\"}");
    assert_int_equal(r->status, 403);
    assert_string_equal(ST_STR(r->body, "error"), "agent_mismatch");

    r = accept_as(m, bob, id, NULL); /* no body: the token names the agent */
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "agentId"), "agent-voice-2");

    r = accept_as(m, cc(m), id, "{\"agentId\":\"agent-nobody\"}");
    assert_int_equal(r->status, 404);
    assert_string_equal(ST_STR(r->body, "error"), "agent_not_found");
}

/* ACC-02: an agent not available gets 403 before any routing work (nothing in the ledger). */
static void test_ACC_02_agent_unavailable(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    const char *token = cc(m);
    int before = (int)m->sim.ledger.n;
    struct st_res *r = accept_as(m, token, id, "{\"agentId\":\"agent-away\"}");
    assert_int_equal(r->status, 403);
    assert_string_equal(ST_STR(r->body, "error"), "agent_unavailable");
    r = accept_as(m, token, "no-such-interaction", "{\"agentId\":\"agent-offline\"}");
    assert_int_equal(r->status, 403); /* checked before the interaction is even looked up */
    assert_int_equal((int)m->sim.ledger.n, before);
}

/* ACC-03: digital channels need channelType equal to the channel; voice needs a voice seat. */
static void test_ACC_03_channel_checks(void **state)
{
    struct cxm_api *m = *state;
    const char *chat = st_create(m, 0, "chat", "q-fifo", NULL);
    struct st_res *r = accept_as(m, cc(m), chat, "{\"agentId\":\"agent-digital-1\"}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "error"), "validation_error");
    assert_string_equal(ST_STR(r->body, "detail"), "channel_type_mismatch");
    r = accept_as(m, cc(m), chat, "{\"agentId\":\"agent-digital-1\",\"channelType\":\"voice\"}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "detail"), "channel_type_mismatch");
    r = accept_as(m, cc(m), chat, "{\"agentId\":\"agent-digital-1\",\"channelType\":\"chat\"}");
    assert_int_equal(r->status, 200);

    const char *voice = st_create(m, 1, "voice", "q-fifo", NULL);
    r = accept_as(m, cc(m), voice, "{\"agentId\":\"agent-digital-2\",\"channelType\":\"x\"}");
    assert_int_equal(r->status, 403); /* voice ignores channelType, needs the seat */
    assert_string_equal(ST_STR(r->body, "error"), "agent_not_licensed");
    r = accept_as(m, cc(m), voice, "{\"agentId\":\"agent-voice-1\",\"channelType\":\"x\"}");
    assert_int_equal(r->status, 200);

    /* seed 000 edge case 2: a digital accept names its channel by channelType, sessionId or
     * conversationId; a wrong channelType is a mismatch whatever else is given */
    const char *sms = st_create(m, 2, "sms", "q-fifo", NULL);
    r = accept_as(m, cc(m), sms, "{\"agentId\":\"agent-digital-2\",\"sessionId\":\"\"}");
    assert_int_equal(r->status, 400);
    r = accept_as(m, cc(m), sms,
                  "{\"agentId\":\"agent-digital-2\",\"sessionId\":\"s-1\",\"channelType\":"
                  "\"chat\"}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "detail"), "channel_type_mismatch");
    r = accept_as(m, cc(m), sms, "{\"agentId\":\"agent-digital-2\",\"sessionId\":\"s-1\"}");
    assert_int_equal(r->status, 200);
    const char *mail = st_create(m, 3, "email", "q-fifo", NULL);
    r = accept_as(m, cc(m), mail, "{\"agentId\":\"agent-digital-1\",\"conversationId\":\"c-9\"}");
    assert_int_equal(r->status, 200);
}

/* ACC-04: a ring group of every eligible agent; accept makes it Active, stops the others. */
static void test_ACC_04_ring_group_and_accept(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    json_t *v = st_get(m, id);
    assert_string_equal(ST_STR(v, "state"), "Ringing");
    json_t *group = json_object_get(v, "ringingAgents");
    assert_int_equal(json_array_size(group), 2); /* READY with voice: voice-1 and voice-2 */
    assert_string_equal(json_string_value(json_array_get(group, 0)), "agent-voice-1");
    assert_string_equal(json_string_value(json_array_get(group, 1)), "agent-voice-2");
    const char *next = st_create(m, 1, "voice", "q-fifo", NULL);
    assert_string_equal(st_state(m, next), "Queued"); /* both agents are ringing */

    assert_int_equal(accept_as(m, cc(m), id, "{\"agentId\":\"agent-voice-2\"}")->status, 200);
    st_advance(m, 500);
    v = st_get(m, id);
    assert_string_equal(ST_STR(v, "state"), "Active");
    assert_string_equal(ST_STR(v, "agentId"), "agent-voice-2");
    assert_int_equal(json_array_size(json_object_get(v, "ringingAgents")), 0);
    assert_int_equal(st_ledger_count(m, "ATTACH", id, NULL), 1);
    /* agent-voice-1 is free again: the next interaction rings it alone. */
    v = st_get(m, next);
    assert_string_equal(ST_STR(v, "state"), "Ringing");
    assert_int_equal(json_array_size(json_object_get(v, "ringingAgents")), 1);
}

/* ACC-05: first wins; a second accept answers 200 naming the owner and changes nothing. */
static void test_ACC_05_first_wins(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    struct st_res *r = accept_as(m, cc(m), id, "{\"agentId\":\"agent-voice-1\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "agentId"), "agent-voice-1");
    r = accept_as(m, cc(m), id, "{\"agentId\":\"agent-voice-2\"}");
    assert_int_equal(r->status, 200); /* the trap: a success status for the loser */
    assert_string_equal(ST_STR(r->body, "agentId"), "agent-voice-1");
    json_t *e;
    assert_int_equal(st_ledger_count(m, "ACCEPT", id, &e), 2);
    assert_string_equal(ST_STR(e, "outcome"), "already_owned");
    assert_string_equal(ST_STR(e, "agentId"), "agent-voice-2");
    st_advance(m, 500);
    r = accept_as(m, cc(m), id, "{\"agentId\":\"agent-voice-2\"}"); /* after the apply too */
    assert_string_equal(ST_STR(r->body, "agentId"), "agent-voice-1");
    json_t *v = st_get(m, id);
    assert_string_equal(ST_STR(v, "agentId"), "agent-voice-1");
    assert_int_equal(st_ledger_count(m, "ATTACH", id, NULL), 1);
    assert_int_equal(st_violations(m, "DUAL_ATTACH"), 0);
}

/* ACC-06: after maxRings unanswered rings: Timeout, then Ended; an accept then is 200 and
 * the state goes straight to Ended (PHANTOM_ATTACH). */
static void test_ACC_06_ring_timeout_and_phantom_accept(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-overflow", NULL); /* maxRings 2, 10 s */
    json_t *v = st_get(m, id);
    assert_int_equal(json_integer_value(json_object_get(v, "ringCount")), 1);
    st_advance(m, 10000);
    v = st_get(m, id);
    assert_string_equal(ST_STR(v, "state"), "Ringing");
    assert_int_equal(json_integer_value(json_object_get(v, "ringCount")), 2);
    st_advance(m, 10000);
    assert_string_equal(st_state(m, id), "Timeout");
    struct st_res *r = accept_as(m, cc(m), id, "{\"agentId\":\"agent-voice-1\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "agentId"), "agent-voice-1");
    json_t *e;
    st_ledger_count(m, "ACCEPT", id, &e);
    assert_string_equal(ST_STR(e, "outcome"), "phantom");
    st_advance(m, 500);
    v = st_get(m, id);
    assert_string_equal(ST_STR(v, "state"), "Ended");
    assert_string_equal(ST_STR(v, "agentId"), "agent-voice-1");
    assert_int_equal(st_ledger_count(m, "PHANTOM_ATTACH", id, NULL), 1);
    assert_int_equal(st_violations(m, "PHANTOM_ACCEPT"), 1);
    assert_int_equal(m->sim.model.agents[0].active, 0); /* no media: the agent is not busy */
}

/* ACC-06: without an accept, Timeout is torn down to Ended after teardownMs. */
static void test_ACC_06_teardown(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-overflow", NULL);
    st_advance(m, 20000);
    assert_string_equal(st_state(m, id), "Timeout");
    st_advance(m, 999);
    assert_string_equal(st_state(m, id), "Timeout");
    st_advance(m, 1);
    assert_string_equal(st_state(m, id), "Ended");
    assert_int_equal(st_violations(m, "LOST_CONTACT"), 1);
}

/* ACC-07: GET returns every documented field as of the last applied change. */
static void test_ACC_07_get_interaction(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "chat", "q-priority", "crm-42");
    json_t *v = st_get(m, id);
    const char *keys[] = {"id",       "state",        "channelType",   "externalId",
                          "queueId",  "agentId",      "ringingAgents", "ringCount",
                          "maxRings", "rejectReason", "metadata"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(v, keys[i]));
    assert_string_equal(ST_STR(v, "id"), id);
    assert_string_equal(ST_STR(v, "channelType"), "chat");
    assert_string_equal(ST_STR(v, "externalId"), "crm-42");
    assert_string_equal(ST_STR(v, "queueId"), "q-priority");
    assert_int_equal(json_integer_value(json_object_get(v, "maxRings")), 3);
    assert_null(st_get(m, "00000000-0000-4000-8000-000000000000"));
    assert_int_equal(st_call(m, "GET", "/api/v2/interactions/nope",
                             st_client(m, 1, "cx-integration", "cx-integration-secret"), NULL)
                         ->status,
                     404);
}

/* ACC-07: the hot-path renderer gives the same bytes as the JSON view (the oracle), escapes
 * included, in every state. */
static void test_ACC_07_render_matches_view(void **state)
{
    struct cxm_api *m = *state;
    const char *ids[3];
    ids[0] = st_create(m, 0, "voice", "q-fifo", "quote\\\"slash\\\\ nl\\n tab\\t \\u00e9 \\u0001");
    ids[1] = st_create(m, 1, "chat", "q-priority", NULL);
    ids[2] = st_create(m, 2, "email", "q-overflow", "plain");
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", ids[0]);
    st_call(m, "POST", path, cc(m),
            "{\"agentId\":\"agent-voice-1\",\"metadata\":{\"k\":[1,\"x\"]}}");
    snprintf(path, sizeof path, "/api/v2/interactions/%s/reject", ids[1]);
    st_call(m, "POST", path, cc(m),
            "{\"agentId\":\"agent-digital-1\",\"rejectReason\":\"x\\\"y\"}");
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3; i++) {
            const struct cxm_interaction *x =
                m->sim.model.ix[cxm_model_interaction(&m->sim.model, ids[i])];
            json_t *view = cxm_view_interaction(&m->sim.model, x);
            char *want = json_dumps(view, JSON_COMPACT | JSON_PRESERVE_ORDER);
            char *got = cxm_render_interaction(&m->sim.model, x);
            assert_string_equal(got, want);
            free(want);
            free(got);
            json_decref(view);
        }
        st_advance(m, 500); /* and again once the writes are applied */
    }
}

/* Bad input on accept: malformed JSON, wrong types, unknown fields: 400 naming the problem. */
static void test_ACC_01_bad_bodies(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    struct st_res *r = accept_as(m, cc(m), id, "{\"agentId\":");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "error"), "invalid_json");
    assert_int_equal(json_integer_value(json_object_get(r->body, "line")), 1);
    r = accept_as(m, cc(m), id, "{\"agentId\":5}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "agentId");
    r = accept_as(m, cc(m), id, "{\"agentId\":\"agent-voice-1\",\"metadata\":[]}");
    assert_string_equal(ST_STR(r->body, "field"), "metadata");
    r = accept_as(m, cc(m), id, "{\"agentID\":\"agent-voice-1\"}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "agentID");
    r = accept_as(m, cc(m), id, "[1,2]");
    assert_int_equal(r->status, 400);
    assert_int_equal(st_ledger_count(m, "ACCEPT", id, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ACC_01_agent_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_01_bad_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_02_agent_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_03_channel_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_04_ring_group_and_accept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_05_first_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_06_ring_timeout_and_phantom_accept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ACC_06_teardown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_07_get_interaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ACC_07_render_matches_view, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
