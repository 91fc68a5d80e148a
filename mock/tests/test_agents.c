/* test_agents.c - agent state and /me/interactions operations on the manual clock, no sockets:
 * AGT-01 ... AGT-04, GWS-01 ... GWS-04. */
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
    *state = st_new(NULL, 31);
    return 0;
}

static int teardown(void **state)
{
    st_free(*state);
    return 0;
}

static struct st_res *set_state(struct cxm_api *m, const char *user, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/users/%s/state", user);
    return st_call(m, "POST", path, st_bearer(m), body);
}

static const char *agent_state(struct cxm_api *m, const char *user)
{
    int a = cxm_model_agent(&m->sim.model, user);
    return cxm_agent_state_name(m->sim.model.agents[a].state);
}

/* AGT-01: 200 with the new state at once; applied after the consistency delay, with an
 * AGENT_STATE_CHANGED event. */
static void test_AGT_01_state_write(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r =
        set_state(m, "agent-away", "{\"state\":\"READY\",\"reasonCode\":\"WORKING\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "state"), "READY");
    assert_string_equal(ST_STR(r->body, "reasonCode"), "WORKING");
    assert_string_equal(agent_state(m, "agent-away"), "NOT_READY");
    st_advance(m, 500);
    assert_string_equal(agent_state(m, "agent-away"), "READY");
    json_t *e;
    assert_int_equal(st_ledger_count(m, "AGENT_STATE", NULL, &e), 1);
    assert_string_equal(ST_STR(e, "cause"), "api");
    assert_string_equal(ST_STR(e, "req"), ST_STR(e, "req")); /* caused by the request */
    assert_false(json_is_null(json_object_get(e, "req")));
    assert_int_equal(set_state(m, "agent-away", "{\"state\":\"BUSY\"}")->status, 400);
    assert_int_equal(set_state(m, "agent-away", "{}")->status, 400);
    assert_int_equal(set_state(m, "nobody", "{\"state\":\"READY\"}")->status, 404);
    /* A client without users:state:write gets 403 (AUTH-04, AUTH-07). */
    const char *ro = st_client(m, 1, "cx-readonly", "cx-readonly-secret");
    assert_int_equal(
        st_call(m, "POST", "/api/v2/users/agent-away/state", ro, "{\"state\":\"IDLE\"}")->status,
        403);
}

/* AGT-02: schedules and break status. */
static void test_AGT_02_schedule_and_break(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r =
        st_call(m, "GET", "/api/v2/schedules/users/agent-unscheduled", st_bearer(m), NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "status"), "INACTIVE");
    r = st_call(m, "GET", "/api/v2/schedules/users/agent-voice-1", st_bearer(m), NULL);
    assert_string_equal(ST_STR(r->body, "status"), "ACTIVE");
    r = st_call(m, "GET", "/api/v2/breaks/users/agent-on-break/status", st_bearer(m), NULL);
    assert_true(json_is_true(json_object_get(r->body, "mandatoryBreakRequired")));
    r = st_call(m, "GET", "/api/v2/breaks/users/agent-voice-1/status", st_bearer(m), NULL);
    assert_true(json_is_false(json_object_get(r->body, "mandatoryBreakRequired")));
    assert_int_equal(st_call(m, "GET", "/api/v2/breaks/users/x/status", st_bearer(m), NULL)->status,
                     404);
}

/* AGT-03: not scheduled 409 AGENT_NOT_SCHEDULED; READY during a mandatory break 409
 * MANDATORY_BREAK_VIOLATION; nothing changes. */
static void test_AGT_03_policy(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = set_state(m, "agent-unscheduled", "{\"state\":\"READY\"}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "error"), "AGENT_NOT_SCHEDULED");
    r = set_state(m, "agent-on-break", "{\"state\":\"READY\"}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "error"), "MANDATORY_BREAK_VIOLATION");
    assert_int_equal(set_state(m, "agent-on-break", "{\"state\":\"PAUSED\"}")->status, 200);
    assert_int_equal(set_state(m, "agent-unscheduled", "{\"state\":\"LOGGED_OUT\"}")->status, 200);
    st_advance(m, 500);
    assert_string_equal(agent_state(m, "agent-on-break"), "PAUSED");
    assert_int_equal(st_ledger_count(m, "STATE_CHANGE_REFUSED", NULL, NULL), 2);
}

/* AGT-04: only READY agents ring; an agent leaving READY while ringing hands the ring on. */
static void test_AGT_04_routing_rings_ready_agents(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    json_t *group = json_object_get(st_get(m, id), "ringingAgents");
    assert_int_equal(json_array_size(group), 2); /* agent-away (NOT_READY) is not rung */
    assert_int_equal(set_state(m, "agent-voice-1", "{\"state\":\"NOT_READY\"}")->status, 200);
    st_advance(m, 500);
    group = json_object_get(st_get(m, id), "ringingAgents");
    assert_int_equal(json_array_size(group), 1);
    assert_string_equal(json_string_value(json_array_get(group, 0)), "agent-voice-2");
    assert_int_equal(set_state(m, "agent-voice-2", "{\"state\":\"IDLE\"}")->status, 200);
    st_advance(m, 500);
    assert_string_equal(st_state(m, id), "Queued"); /* nobody left: waits */
    assert_int_equal(set_state(m, "agent-away", "{\"state\":\"READY\"}")->status, 200);
    st_advance(m, 500);
    group = json_object_get(st_get(m, id), "ringingAgents");
    assert_string_equal(json_string_value(json_array_get(group, 0)), "agent-away");
}

static char agent_bearer[80];

static const char *as_agent(struct cxm_api *m, const char *email, const char *password)
{
    snprintf(agent_bearer, sizeof agent_bearer, "%s", st_agent(m, 2, email, password));
    return agent_bearer;
}

static struct st_res *op(struct cxm_api *m, const char *bearer, const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/me/interactions/%s", id);
    return st_call(m, "POST", path, bearer, body);
}

/* GWS-01: every active interaction; the agent's own as URIs or full objects; PUT. */
static void test_GWS_01_listing(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "chat", "q-fifo", NULL);
    st_create(m, 1, "voice", "q-fifo", NULL);
    struct st_res *r = st_call(m, "GET", "/api/v2/interactions", st_bearer(m), NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->body, "statusCode")), 0);
    assert_int_equal(json_array_size(json_object_get(r->body, "interactions")), 2);

    const char *cyd = as_agent(m, "cyd%40example.test", "cyd-pass");
    assert_int_equal(op(m, cyd, a, "{\"operationName\":\"Accept\"}")->status, 200);
    st_advance(m, 500);
    r = st_call(m, "GET", "/api/v2/me/interactions", cyd, NULL);
    assert_int_equal(r->status, 200);
    json_t *uris = json_object_get(r->body, "uris");
    assert_int_equal(json_array_size(uris), 1);
    char want[96];
    snprintf(want, sizeof want, "/api/v2/interactions/%s", a);
    assert_string_equal(json_string_value(json_array_get(uris, 0)), want);
    r = st_call(m, "GET", "/api/v2/me/interactions?fields=*", cyd, NULL);
    assert_string_equal(ST_STR(json_array_get(json_object_get(r->body, "interactions"), 0), "id"),
                        a);
    r = st_call(m, "GET", "/api/v2/me/interactions", st_bearer(m), NULL);
    assert_int_equal(r->status, 403); /* not an agent's token */

    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s", a);
    r = st_call(m, "PUT", path, cyd, "{\"userData\":{\"crm\":\"case-7\"}}");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->body, "statusCode")), 0);
    st_advance(m, 500);
    assert_string_equal(ST_STR(json_object_get(st_get(m, a), "userData"), "crm"), "case-7");
}

/* GWS-02, GWS-03: every operation answers in its seed's shape and is applied after the delay;
 * the outcome arrives as an event. */
static void test_GWS_02_GWS_03_operations(void **state)
{
    struct cxm_api *m = *state;
    const char *bob = as_agent(m, "bob%40example.test", "bob-pass");
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    struct st_res *r = op(m, bob, id, "{\"operationName\":\"Accept\"}");
    assert_string_equal(ST_STR(r->body, "status"), "ok");
    st_advance(m, 500);
    assert_string_equal(ST_STR(st_get(m, id), "agentId"), "agent-voice-2");

    r = op(m, bob, id, "{\"operationName\":\"UpdateUserData\",\"userData\":{\"a\":1,\"b\":2}}");
    assert_string_equal(ST_STR(r->body, "status"), "ok");
    r = op(m, bob, id, "{\"operationName\":\"AttachUserData\",\"userData\":{\"a\":9,\"c\":3}}");
    assert_string_equal(ST_STR(r->body, "status"), "ok");
    r = op(m, bob, id, "{\"operationName\":\"DeleteUserData\",\"userData\":{\"b\":null}}");
    assert_string_equal(ST_STR(r->body, "status"), "ok");
    st_advance(m, 500);
    json_t *ud = json_object_get(st_get(m, id), "userData");
    assert_int_equal(json_integer_value(json_object_get(ud, "a")), 1); /* Attach adds only */
    assert_null(json_object_get(ud, "b"));
    assert_int_equal(json_integer_value(json_object_get(ud, "c")), 3);

    r = op(m, bob, id, "{\"operationName\":\"Transfer\",\"userId\":\"agent-voice-1\"}");
    assert_int_equal(json_integer_value(json_object_get(r->body, "statusCode")), 0);
    st_advance(m, 500);
    assert_string_equal(ST_STR(st_get(m, id), "agentId"), "agent-voice-1");
    json_t *e;
    assert_int_equal(st_ledger_count(m, "DETACH", id, &e), 1);

    const char *ada = as_agent(m, "ada%40example.test", "ada-pass");
    r = op(m, ada, id, "{\"operationName\":\"PlaceInWorkbin\",\"workbin\":\"follow-up\"}");
    assert_string_equal(ST_STR(r->body, "status"), "ok");
    st_advance(m, 500);
    assert_string_equal(ST_STR(st_get(m, id), "workbin"), "follow-up");
    r = op(m, ada, id, "{\"operationName\":\"GetWorkbinContent\",\"workbin\":\"follow-up\"}");
    assert_string_equal(ST_STR(r->body, "status"), "ok");
    st_advance(m, 500);
    r = st_call(m, "GET", "/api/v2/events?after=0", st_bearer(m), NULL);
    json_t *events = json_object_get(r->body, "events"), *last = NULL;
    size_t i;
    json_t *ev;
    int userdata = 0, owner = 0;
    json_array_foreach(events, i, ev)
    {
        userdata += strcmp(ST_STR(ev, "type"), "interaction.userdata.changed") == 0;
        owner += strcmp(ST_STR(ev, "type"), "interaction.owner.changed") == 0;
        last = ev;
    }
    assert_int_equal(userdata, 3);
    assert_int_equal(owner, 1);
    assert_string_equal(ST_STR(last, "type"), "workbin.content");
    assert_string_equal(json_string_value(json_array_get(json_object_get(last, "interactions"), 0)),
                        id);

    /* Complete and Cancel end it; PlaceInQueue puts it back to ring others. */
    const char *id2 = st_create(m, 1, "voice", "q-fifo", NULL);
    assert_string_equal(ST_STR(op(m, ada, id2, "{\"operationName\":\"Accept\"}")->body, "status"),
                        "ok");
    st_advance(m, 500);
    r = op(m, ada, id2, "{\"operationName\":\"PlaceInQueue\",\"queueName\":\"Priority support\"}");
    assert_string_equal(ST_STR(r->body, "status"), "ok");
    st_advance(m, 500);
    json_t *v = st_get(m, id2);
    assert_string_equal(ST_STR(v, "queueId"), "q-priority");
    assert_string_equal(ST_STR(v, "state"), "Ringing");
    const char *id3 = st_create(m, 2, "chat", "q-fifo", NULL);
    const char *cyd = as_agent(m, "cyd%40example.test", "cyd-pass");
    op(m, cyd, id3, "{\"operationName\":\"Accept\"}");
    st_advance(m, 500);
    r = op(m, cyd, id3, "{\"operationName\":\"Complete\"}");
    assert_int_equal(json_integer_value(json_object_get(r->body, "statusCode")), 0);
    st_advance(m, 500);
    assert_string_equal(st_state(m, id3), "Ended");
    char path[128];
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", id3);
    assert_string_equal(ST_STR(st_call(m, "GET", path, st_bearer(m), NULL)->body, "routingStatus"),
                        "wrapped");
    r = op(m, cyd, id3, "{\"operationName\":\"Cancel\"}");
    assert_int_equal(r->status, 409);
    assert_int_equal(json_integer_value(json_object_get(r->body, "statusCode")), 3);
    assert_non_null(ST_STR(r->body, "statusMessage"));

    r = op(m, cyd, id3, "{\"operationName\":\"Dance\"}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "status"), "error");
    assert_non_null(ST_STR(r->body, "errorDescription"));
    r = op(m, st_bearer(m), id3, "{\"operationName\":\"Complete\"}");
    assert_int_equal(r->status, 403);
}

/* GWS-04: ownership: operations on another agent's interaction fail with the error body; a
 * second Accept names the owner, as does a Reject of it; Reject presents it to another agent. */
static void test_GWS_04_ownership(void **state)
{
    struct cxm_api *m = *state;
    char ada[80], bob[80];
    snprintf(ada, sizeof ada, "%s", as_agent(m, "ada%40example.test", "ada-pass"));
    snprintf(bob, sizeof bob, "%s", as_agent(m, "bob%40example.test", "bob-pass"));
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    assert_string_equal(ST_STR(op(m, ada, id, "{\"operationName\":\"Accept\"}")->body, "status"),
                        "ok");
    struct st_res *r = op(m, bob, id, "{\"operationName\":\"Accept\"}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "status"), "error");
    assert_non_null(strstr(ST_STR(r->body, "errorDescription"), "agent-voice-1"));
    st_advance(m, 500);
    r = op(m, bob, id, "{\"operationName\":\"Complete\"}");
    assert_int_equal(r->status, 409);
    assert_int_equal(json_integer_value(json_object_get(r->body, "statusCode")), 3);
    r = op(m, bob, id, "{\"operationName\":\"UpdateUserData\",\"userData\":{}}");
    assert_string_equal(ST_STR(r->body, "status"), "error");
    r = op(m, bob, id, "{\"operationName\":\"Reject\"}"); /* the reason is relayed */
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "status"), "error");
    assert_non_null(strstr(ST_STR(r->body, "errorDescription"), "belongs to agent agent-voice-1"));

    const char *id2 = st_create(m, 1, "chat", "q-fifo", NULL); /* rings cyd and dee */
    const char *cyd = as_agent(m, "cyd%40example.test", "cyd-pass");
    assert_string_equal(ST_STR(op(m, cyd, id2, "{\"operationName\":\"Reject\"}")->body, "status"),
                        "ok");
    st_advance(m, 500);
    json_t *group = json_object_get(st_get(m, id2), "ringingAgents");
    assert_int_equal(json_array_size(group), 2); /* bob and dee; not cyd, who rejected it */
    assert_string_equal(json_string_value(json_array_get(group, 0)), "agent-voice-2");
    assert_string_equal(json_string_value(json_array_get(group, 1)), "agent-digital-2");
}

/* GWS-04 (seed 004, Reject): the agent API's Reject "compels the System to present the
 * interaction to another agent": in a queue in Overflow it rings the next agent, where the
 * agent-control reject with returnToQueue drops it silently (REJ-03, seed 000). */
static void test_GWS_04_reject_presents_to_another_agent(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "voice", "q-overflow", NULL); /* overflowDepth 2 */
    st_create(m, 1, "voice", "q-overflow", NULL);
    struct st_res *q = st_call(m, "GET", "/api/v2/queues/q-overflow", st_bearer(m), NULL);
    assert_string_equal(ST_STR(q->body, "status"), "Overflow");
    const char *ada = as_agent(m, "ada@example.test", "ada-pass");
    struct st_res *r = op(m, ada, a, "{\"operationName\":\"Reject\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "status"), "ok");
    st_advance(m, 500);
    json_t *v = st_get(m, a);
    assert_non_null(v); /* not dropped */
    assert_string_equal(ST_STR(v, "state"), "Ringing");
    assert_string_equal(json_string_value(json_array_get(json_object_get(v, "ringingAgents"), 0)),
                        "agent-voice-2");
    assert_int_equal(st_ledger_count(m, "SILENT_DROP", a, NULL), 0);
    json_t *e;
    assert_int_equal(st_ledger_count(m, "REJECT", a, &e), 1);
    assert_string_equal(ST_STR(e, "then"), "present_to_another");
}

/* AGT-01 (003 Step 1): reason codes are the seed's (WORKING, BREAK, ADHOC, SYSTEM_IDLE,
 * GENERAL); another is 400 naming reasonCode; none takes the state's own (READY: WORKING,
 * NOT_READY: BREAK, PAUSED: ADHOC, IDLE: SYSTEM_IDLE); GET state, the ledger and the event
 * show the code applied. */
static void test_AGT_01_reason_codes(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = set_state(m, "agent-away", "{\"state\":\"READY\",\"reasonCode\":\"back\"}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "field"), "reasonCode");
    r = set_state(m, "agent-away", "{\"state\":\"PAUSED\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "reasonCode"), "ADHOC");
    st_advance(m, 500);
    r = st_call(m, "GET", "/api/v2/users/agent-away/state", st_bearer(m), NULL);
    assert_string_equal(ST_STR(r->body, "state"), "PAUSED");
    assert_string_equal(ST_STR(r->body, "reasonCode"), "ADHOC");
    assert_int_equal(
        set_state(m, "agent-away", "{\"state\":\"IDLE\",\"reasonCode\":\"GENERAL\"}")->status, 200);
    st_advance(m, 500);
    json_t *e;
    st_ledger_count(m, "AGENT_STATE", NULL, &e);
    assert_string_equal(ST_STR(e, "reasonCode"), "GENERAL");
    char *ev = strdup(cxm_events_get(&m->sim.events, cxm_events_last(&m->sim.events), NULL));
    assert_non_null(strstr(ev, "\"reasonCode\":\"GENERAL\""));
    free(ev);
}

/* AGT-02, AGT-03 (003): a shift and break windows on the mock clock. agent-shift works the
 * first hour with a mandatory break from 10 to 15 minutes: READY is allowed before it, refused
 * in it (MANDATORY_BREAK_VIOLATION; the break status says when it ends), allowed after it
 * closes, and once the shift is over every state but LOGGED_OUT is AGENT_NOT_SCHEDULED. */
static void test_AGT_03_shift_and_break_windows(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = st_call(m, "GET", "/api/v2/schedules/users/agent-shift", st_bearer(m), NULL);
    assert_string_equal(ST_STR(r->body, "status"), "ACTIVE");
    assert_string_equal(ST_STR(json_object_get(r->body, "shift"), "end"),
                        "2026-01-01T01:00:00.000Z");
    assert_int_equal(set_state(m, "agent-shift", "{\"state\":\"READY\"}")->status, 200);
    st_advance(m, 600000 - 1); /* the break window opens at 600 s */
    assert_int_equal(set_state(m, "agent-shift", "{\"state\":\"NOT_READY\"}")->status, 200);
    st_advance(m, 1);
    r = set_state(m, "agent-shift", "{\"state\":\"READY\"}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "error"), "MANDATORY_BREAK_VIOLATION");
    r = st_call(m, "GET", "/api/v2/breaks/users/agent-shift/status", st_bearer(m), NULL);
    assert_true(json_is_true(json_object_get(r->body, "mandatoryBreakRequired")));
    assert_string_equal(ST_STR(r->body, "breakEndsAt"), "2026-01-01T00:15:00.000Z");
    st_advance(m, 300000); /* 900 s: it closes */
    r = st_call(m, "GET", "/api/v2/breaks/users/agent-shift/status", st_bearer(m), NULL);
    assert_false(json_is_true(json_object_get(r->body, "mandatoryBreakRequired")));
    assert_null(json_object_get(r->body, "breakEndsAt"));
    assert_int_equal(set_state(m, "agent-shift", "{\"state\":\"READY\"}")->status, 200);
    st_advance(m, 2700000); /* 3600 s: the shift is over */
    r = set_state(m, "agent-shift", "{\"state\":\"NOT_READY\"}");
    assert_int_equal(r->status, 409);
    assert_string_equal(ST_STR(r->body, "error"), "AGENT_NOT_SCHEDULED");
    assert_int_equal(set_state(m, "agent-shift", "{\"state\":\"LOGGED_OUT\"}")->status, 200);
    r = st_call(m, "GET", "/api/v2/schedules/users/agent-shift", st_bearer(m), NULL);
    assert_string_equal(ST_STR(r->body, "status"), "INACTIVE");
}

/* INJ-02 (001 §2): skills. A queue whose agents lack its skill profile fails its contacts
 * (the default tenant's q-spanish: nobody speaks Spanish): 201, then failed. An agent rings
 * only for queues whose skills it holds; one whose fixture declares no skills holds any. */
static void test_INJ_02_skills(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = st_call(m, "POST", "/api/v2/routing/contacts", st_bearer(m),
                               "{\"channel\":\"voice\",\"queueId\":\"q-spanish\"}");
    assert_int_equal(r->status, 201);
    char id[40], path[160];
    snprintf(id, sizeof id, "%s", ST_STR(r->body, "id"));
    assert_int_equal(st_ledger_count(m, "FAILED_ON_INGEST", id, NULL), 1);
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", id);
    assert_string_equal(ST_STR(st_call(m, "GET", path, st_bearer(m), NULL)->body, "routingStatus"),
                        "failed");

    struct cxm_api *k =
        st_new("{\"clients\":[{\"clientId\":\"cx-integration\",\"clientSecret\":\"cx-integration-"
               "secret\",\"scopes\":[\"interaction:read\",\"routing:contacts:write\"]}],"
               "\"agents\":[{\"id\":\"fr\",\"skills\":[\"french\"]},{\"id\":\"any\"},"
               "{\"id\":\"none\",\"skills\":[]}],"
               "\"queues\":[{\"id\":\"q-fr\",\"skills\":[\"french\"]},{\"id\":\"q-de\","
               "\"skills\":[\"german\"]}]}",
               1);
    const char *a = st_create(k, 0, "voice", "q-fr", NULL);
    json_t *v = st_get(k, a);
    assert_int_equal(json_array_size(json_object_get(v, "ringingAgents")), 2); /* fr and any */
    /* q-de: only "any" may take it (fr lacks german, none has no skill), and it rings for a */
    const char *b = st_create(k, 1, "voice", "q-de", NULL);
    v = st_get(k, b);
    assert_string_equal(ST_STR(v, "state"), "Queued");
    st_free(k);
}

/* An interaction the agent of BEARER (EMAIL) accepts on CHANNEL: its id (static per slot). */
static const char *owned(struct cxm_api *m, int slot, const char *channel, const char *bearer)
{
    const char *id = st_create(m, slot, channel, "q-fifo", NULL);
    char body[64];
    snprintf(body, sizeof body, "{\"operationName\":\"Accept\"}");
    assert_int_equal(op(m, bearer, id, body)->status, 200);
    st_advance(m, 500);
    return id;
}

/* GWS-01 (004: PUT "updates a given interaction. The actual operation depends on the
 * interaction's channel"): a call takes userData only; a chat also a message to the customer
 * (its transcript, event interaction.message.added); an email also the subject and body of its
 * reply draft (event interaction.draft.changed). A field of another channel is 400. */
static void test_GWS_01_put_by_channel(void **state)
{
    struct cxm_api *m = *state;
    const char *ada = as_agent(m, "ada@example.test", "ada-pass");
    char path[160];
    const char *call = owned(m, 0, "voice", ada);
    snprintf(path, sizeof path, "/api/v2/interactions/%s", call);
    struct st_res *r = st_call(m, "PUT", path, ada, "{\"message\":\"hello\"}");
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(ST_STR(r->body, "statusMessage"), "message does not apply to a voice"));
    assert_int_equal(st_call(m, "PUT", path, ada, "{\"userData\":{\"crm\":\"c-1\"}}")->status, 200);
    st_advance(m, 500);
    assert_string_equal(ST_STR(json_object_get(st_get(m, call), "userData"), "crm"), "c-1");

    const char *cyd = as_agent(m, "cyd@example.test", "cyd-pass");
    const char *chat = owned(m, 1, "chat", cyd);
    snprintf(path, sizeof path, "/api/v2/interactions/%s", chat);
    assert_int_equal(st_call(m, "PUT", path, cyd, "{\"subject\":\"x\"}")->status, 400);
    assert_int_equal(st_call(m, "PUT", path, cyd, "{\"message\":\"How can I help?\"}")->status,
                     200);
    st_advance(m, 500);
    json_t *t = json_object_get(st_get(m, chat), "transcript");
    assert_int_equal(json_array_size(t), 1);
    assert_string_equal(ST_STR(json_array_get(t, 0), "text"), "How can I help?");
    assert_string_equal(ST_STR(json_array_get(t, 0), "from"), "agent-digital-1");

    const char *mail = owned(m, 2, "email", cyd);
    snprintf(path, sizeof path, "/api/v2/interactions/%s", mail);
    assert_int_equal(st_call(m, "PUT", path, cyd, "{\"message\":\"x\"}")->status, 400);
    assert_int_equal(
        st_call(m, "PUT", path, cyd, "{\"subject\":\"Re: order\",\"body\":\"Done.\"}")->status,
        200);
    st_advance(m, 500);
    json_t *d = json_object_get(st_get(m, mail), "draft");
    assert_string_equal(ST_STR(d, "subject"), "Re: order");
    assert_string_equal(ST_STR(d, "body"), "Done.");
    char *ev = strdup(cxm_events_get(&m->sim.events, cxm_events_last(&m->sim.events), NULL));
    assert_non_null(strstr(ev, "interaction.draft.changed"));
    free(ev);
}

/* GWS-01, issue 15: /me/interactions builds its URIs from the address the mock listens on,
 * never from the request's Host header (it copied the header in unchecked, so a client chose
 * where the answer pointed); on a wildcard address, where the mock cannot tell which of its
 * addresses a client reached, they are path-only references. */
static void test_GWS_01_uris_from_the_bound_address(void **state)
{
    struct cxm_api *m = *state;
    const char *a = st_create(m, 0, "chat", "q-fifo", NULL);
    const char *cyd = as_agent(m, "cyd%40example.test", "cyd-pass");
    assert_int_equal(op(m, cyd, a, "{\"operationName\":\"Accept\"}")->status, 200);
    st_advance(m, 500);
    static const struct {
        const char *bind, *base;
    } cases[] = {
        {"127.0.0.1", "http://127.0.0.1:8080"},
        {NULL, "http://127.0.0.1:8080"},
        {"::1", "http://[::1]:8080"},
        {"10.1.2.3", "http://10.1.2.3:8080"},
        {"0.0.0.0", ""},
        {"::", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cxm_api_set_base_url(m, cases[i].bind, 8080);
        struct cxm_req rq = {.method = "GET",
                             .path = "/api/v2/me/interactions",
                             .authorization = cyd,
                             .host = "attacker.example\"><script>",
                             .loopback = true};
        struct st_res *r = st_request(m, &rq);
        assert_int_equal(r->status, 200);
        char want[160];
        snprintf(want, sizeof want, "%s/api/v2/interactions/%s", cases[i].base, a);
        assert_string_equal(json_string_value(json_array_get(json_object_get(r->body, "uris"), 0)),
                            want);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_AGT_01_state_write),
        T(test_AGT_02_schedule_and_break),
        T(test_AGT_03_policy),
        T(test_AGT_04_routing_rings_ready_agents),
        T(test_GWS_01_listing),
        T(test_GWS_02_GWS_03_operations),
        T(test_GWS_04_ownership),
        T(test_GWS_04_reject_presents_to_another_agent),
        T(test_AGT_01_reason_codes),
        T(test_AGT_03_shift_and_break_windows),
        T(test_INJ_02_skills),
        T(test_GWS_01_put_by_channel),
        T(test_GWS_01_uris_from_the_bound_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
