/* actions.c - see actions.h */
#include "actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routing.h"

void cxm_pending_free(struct cxm_pending *p)
{
    if (!p)
        return;
    free(p->reason);
    free(p->text);
    json_decref(p->metadata);
    json_decref(p->data);
    free(p);
}

void cxm_pending_free_data(void *p)
{
    cxm_pending_free(p);
}

static void apply_accept(struct cxm_sim *s, const struct cxm_event *ev);
static void apply_reject(struct cxm_sim *s, const struct cxm_event *ev);

static const struct cxm_event_type apply_accept_event = {"apply accept", apply_accept,
                                                         cxm_pending_free_data};
static const struct cxm_event_type apply_reject_event = {"apply reject", apply_reject,
                                                         cxm_pending_free_data};

static const char *agent_id(const struct cxm_sim *s, int a)
{
    return s->model.agents[a].def->id;
}

/* Optional member of type `type` (JSON_STRING, JSON_OBJECT, ...): 0 if absent or of that type
 * (*v set, NULL if absent or null), -1 with *out = a field error otherwise. */
static int opt_member(json_t *body, const char *key, json_type type, json_t **v, json_t **out)
{
    static const char *const names[] = {"an object", "an array",  "a string",  "an integer",
                                        "a number",  "a boolean", "a boolean", "null"};
    *v = json_object_get(body, key);
    if (!*v || json_is_null(*v)) {
        *v = NULL;
        return 0;
    }
    int ok = json_typeof(*v) == type || (type == JSON_TRUE && json_is_boolean(*v));
    if (ok)
        return 0;
    *out = cxm_field_err(key, "%s must be %s", key, names[type]);
    return -1;
}

/* The agent a write acts for (ACC-01): the token's bound agent, or agentId from the body.
 * Returns the index, or -1 with the status in *status and the body in *out. */
static int resolve_agent(struct cxm_sim *s, const struct cxm_token *tok, json_t *agent_v,
                         int *status, json_t **out)
{
    const char *named = agent_v ? json_string_value(agent_v) : NULL;
    if (tok->agent >= 0) {
        if (named && strcmp(named, agent_id(s, tok->agent)) != 0) {
            *status = 403;
            *out = cxm_err("agent_mismatch", "the token is bound to agent %s",
                           agent_id(s, tok->agent));
            return -1;
        }
        return tok->agent;
    }
    if (!named) {
        *status = 400;
        *out = cxm_err("missing_agent_context",
                       "a client-credentials token needs agentId in the body or the X-Agent-Id "
                       "header");
        return -1;
    }
    int a = cxm_model_agent(&s->model, named);
    if (a < 0) {
        *status = 404;
        *out = cxm_err("agent_not_found", "no agent '%s'", named);
    }
    return a;
}

static long find_live(struct cxm_sim *s, const char *id, json_t **out)
{
    long ix = cxm_model_interaction(&s->model, id);
    if (ix < 0 || s->model.ix[ix]->dropped) {
        *out = cxm_err("not_found", "no interaction '%s'", id);
        return -1;
    }
    return ix;
}

void cxm_schedule_apply(struct cxm_sim *s, const struct cxm_event_type *type, struct cxm_pending *p)
{
    int64_t due = s->now + cxm_sim_consistency_delay(s);
    if (p->ix >= 0) {
        struct cxm_interaction *x = s->model.ix[p->ix];
        if (due < x->apply_after)
            due = x->apply_after; /* never overtake an earlier write to the same interaction */
        x->apply_after = due;
    }
    snprintf(p->req, sizeof p->req, "%s", s->req);
    if (!cxm_sched_add(&s->sched, due, type, p->ix, p))
        cxm_pending_free(p);
}

static json_t *accept_body(const struct cxm_sim *s, const struct cxm_interaction *x, int owner)
{
    return json_pack("{ss ss sb}", "interactionId", x->id, "agentId", agent_id(s, owner),
                     "accepted", 1);
}

int cxm_accept(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
               json_t **out)
{
    static const char *const allowed[] = {"agentId",   "channelType",    "metadata",
                                          "sessionId", "conversationId", NULL};
    json_t *agent_v, *channel_v, *meta_v, *session_v, *conv_v;
    int status = 400;
    if (cxm_check_fields(body, allowed, out) < 0 ||
        opt_member(body, "agentId", JSON_STRING, &agent_v, out) < 0 ||
        opt_member(body, "channelType", JSON_STRING, &channel_v, out) < 0 ||
        opt_member(body, "metadata", JSON_OBJECT, &meta_v, out) < 0 ||
        opt_member(body, "sessionId", JSON_STRING, &session_v, out) < 0 ||
        opt_member(body, "conversationId", JSON_STRING, &conv_v, out) < 0)
        return 400;
    int a = resolve_agent(s, tok, agent_v, &status, out);
    if (a < 0)
        return status;
    struct cxm_agent *agent = &s->model.agents[a];
    if (agent->state != CXM_AGENT_READY) { /* ACC-02: before any routing work */
        *out = cxm_err("agent_unavailable", "agent %s is %s", agent->def->id,
                       cxm_agent_state_name(agent->state));
        return 403;
    }
    long ix = find_live(s, id, out);
    if (ix < 0)
        return 404;
    struct cxm_interaction *x = s->model.ix[ix];
    if (x->channel & CXM_CH_DIGITAL) { /* ACC-03: channelType, or the session's own ids */
        const char *ct = channel_v ? json_string_value(channel_v) : NULL;
        int session =
            (session_v && *json_string_value(session_v)) || (conv_v && *json_string_value(conv_v));
        if (ct ? cxm_channel_parse(ct) != (int)x->channel : !session) {
            *out = json_pack("{ss ss ss ss}", "error", "validation_error", "detail",
                             "channel_type_mismatch", "field", "channelType", "expected",
                             cxm_channel_name(x->channel));
            return 400;
        }
    }
    if (!cxm_agent_has_channel(agent, x->channel)) {
        *out = cxm_err("agent_not_licensed", "agent %s holds no %s seat", agent->def->id,
                       cxm_channel_name(x->channel));
        return 403;
    }

    int owner = x->pending_owner >= 0 ? x->pending_owner : x->agent;
    if (owner >= 0) { /* ACC-05: first wins, the answer names the owner */
        cxm_sim_record(s, "ACCEPT",
                       json_pack("{ss ss ss ss}", "interactionId", x->id, "agentId", agent->def->id,
                                 "outcome", "already_owned", "ownerId", agent_id(s, owner)));
        *out = accept_body(s, x, owner);
        return 200;
    }
    int phantom = x->state == CXM_IS_TIMEOUT || x->state == CXM_IS_ENDED;
    cxm_sim_record(s, "ACCEPT",
                   json_pack("{ss ss ss ss}", "interactionId", x->id, "agentId", agent->def->id,
                             "outcome", phantom ? "phantom" : "won", "stateAtAccept",
                             cxm_istate_name(x->state)));
    x->pending_owner = a;
    x->ring_timer = 0; /* the engine has the accept: this ring no longer times out */
    struct cxm_pending *p = calloc(1, sizeof *p);
    if (p) {
        p->ix = ix;
        p->agent = a;
        p->metadata = meta_v ? json_deep_copy(meta_v) : NULL;
        cxm_schedule_apply(s, &apply_accept_event, p);
    }
    *out = accept_body(s, x, a);
    return 200;
}

static void apply_accept(struct cxm_sim *s, const struct cxm_event *ev)
{
    const struct cxm_pending *p = ev->data;
    struct cxm_interaction *x = s->model.ix[p->ix];
    snprintf(s->req, sizeof s->req, "%s", p->req);
    if (x->pending_owner == p->agent)
        x->pending_owner = -1;
    if (p->metadata) {
        json_decref(x->metadata);
        x->metadata = json_incref(p->metadata);
    }
    const char *who = agent_id(s, p->agent);
    if (x->dropped || x->state == CXM_IS_TIMEOUT || x->state == CXM_IS_ENDED) {
        /* ACC-06: attached for audit, no media; the state goes straight to Ended. */
        x->agent = p->agent;
        cxm_sim_record(s, "PHANTOM_ATTACH",
                       json_pack("{ss ss ss}", "interactionId", x->id, "agentId", who,
                                 "stateAtApply",
                                 x->dropped ? "Dropped" : cxm_istate_name(x->state)));
        if (!x->dropped)
            cxm_set_state(s, p->ix, CXM_IS_ENDED, "phantom_accept");
        return;
    }
    if (x->state == CXM_IS_ACTIVE) { /* cannot happen while accepts are first-wins */
        cxm_sim_record(s, "DUAL_ATTACH",
                       json_pack("{ss ss ss}", "interactionId", x->id, "agentId", who, "ownerId",
                                 agent_id(s, x->agent)));
        return;
    }
    cxm_stop_ringing(s, p->ix);
    cxm_queue_leave(&s->model, x->queue, p->ix);
    x->agent = p->agent;
    s->model.agents[p->agent].active++;
    cxm_note_answered(s, p->ix);
    cxm_agent_stop_ringing(s, p->agent);
    cxm_sim_record(s, "ATTACH", json_pack("{ss ss}", "interactionId", x->id, "agentId", who));
    cxm_set_state(s, p->ix, CXM_IS_ACTIVE, "accept");
    cxm_route(s);
}

static int reject_as(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
                     enum cxm_reject_mode mode, json_t **out);

int cxm_reject(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
               json_t **out)
{
    static const char *const allowed[] = {"agentId", "returnToQueue", "rejectReason", "metadata",
                                          NULL};
    json_t *rtq_v;
    if (cxm_check_fields(body, allowed, out) < 0 ||
        opt_member(body, "returnToQueue", JSON_TRUE, &rtq_v, out) < 0)
        return 400;
    return reject_as(s, tok, id, body,
                     rtq_v && json_is_true(rtq_v) ? CXM_REJECT_REQUEUE : CXM_REJECT_END, out);
}

int cxm_reject_present(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t **out)
{
    json_t *none = json_object();
    int status = reject_as(s, tok, id, none, CXM_REJECT_PRESENT, out);
    json_decref(none);
    return status;
}

static int reject_as(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
                     enum cxm_reject_mode mode, json_t **out)
{
    json_t *agent_v, *reason_v, *meta_v;
    int status = 400;
    if (opt_member(body, "agentId", JSON_STRING, &agent_v, out) < 0 ||
        opt_member(body, "rejectReason", JSON_STRING, &reason_v, out) < 0 ||
        opt_member(body, "metadata", JSON_OBJECT, &meta_v, out) < 0)
        return 400;
    int a = resolve_agent(s, tok, agent_v, &status, out);
    if (a < 0)
        return status;
    const struct cxm_agent *agent = &s->model.agents[a];
    if (agent->state != CXM_AGENT_READY) { /* ACC-02: before any routing work, as an accept */
        *out = cxm_err("agent_unavailable", "agent %s is %s", agent->def->id,
                       cxm_agent_state_name(agent->state));
        return 403;
    }
    long ix = find_live(s, id, out);
    if (ix < 0)
        return 404;
    struct cxm_interaction *x = s->model.ix[ix];
    if (x->state == CXM_IS_ENDED || x->state == CXM_IS_TIMEOUT) {
        *out = cxm_err("invalid_state", "interaction %s is %s", x->id, cxm_istate_name(x->state));
        return 409;
    }
    int owner = x->pending_owner >= 0 ? x->pending_owner : x->agent;
    if (owner >= 0 && owner != a) {
        *out =
            cxm_err("not_owner", "interaction %s belongs to agent %s", x->id, agent_id(s, owner));
        return 409;
    }
    const char *given = reason_v ? json_string_value(reason_v) : NULL;
    const char *stored = given;
    if (given) { /* REJ-02: an unknown disposition is stored as Unknown */
        int known = 0;
        for (size_t i = 0; i < s->tenant->ndispositions; i++)
            known |= strcmp(s->tenant->dispositions[i], given) == 0;
        if (!known) {
            stored = "Unknown";
            cxm_sim_record(
                s, "UNKNOWN_DISPOSITION",
                json_pack("{ss ss ss}", "interactionId", x->id, "given", given, "stored", stored));
        }
    }
    cxm_sim_record(s, "REJECT",
                   json_pack("{ss ss sb so ss}", "interactionId", x->id, "agentId", agent_id(s, a),
                             "returnToQueue", mode != CXM_REJECT_END, "rejectReason",
                             stored ? json_string(stored) : json_null(), "then",
                             mode == CXM_REJECT_END       ? "end"
                             : mode == CXM_REJECT_REQUEUE ? "requeue"
                                                          : "present_to_another"));
    struct cxm_pending *p = calloc(1, sizeof *p);
    if (p) {
        p->ix = ix;
        p->agent = a;
        p->reject = mode;
        p->reason = stored ? strdup(stored) : NULL;
        p->metadata = meta_v ? json_deep_copy(meta_v) : NULL;
        cxm_schedule_apply(s, &apply_reject_event, p);
    }
    *out =
        json_pack("{ss ss sb}", "interactionId", x->id, "agentId", agent_id(s, a), "rejected", 1);
    return 200;
}

static void apply_reject(struct cxm_sim *s, const struct cxm_event *ev)
{
    const struct cxm_pending *p = ev->data;
    struct cxm_interaction *x = s->model.ix[p->ix];
    snprintf(s->req, sizeof s->req, "%s", p->req);
    const char *who = agent_id(s, p->agent);
    if (x->dropped || x->state == CXM_IS_ENDED || x->state == CXM_IS_TIMEOUT ||
        (x->state == CXM_IS_ACTIVE && x->agent != p->agent)) {
        cxm_sim_record(s, "REJECT_NOOP",
                       json_pack("{ss ss ss}", "interactionId", x->id, "agentId", who,
                                 "stateAtApply",
                                 x->dropped ? "Dropped" : cxm_istate_name(x->state)));
        return;
    }
    if (cxm_rejected_by(x, p->agent)) /* REJ-04: a retry applied again */
        cxm_sim_record(s, "DUPLICATE_REJECT",
                       json_pack("{ss ss ss}", "interactionId", x->id, "agentId", who,
                                 "stateAtApply", cxm_istate_name(x->state)));
    cxm_set_rejected_by(x, p->agent);
    free(x->reject_reason);
    x->reject_reason = p->reason ? strdup(p->reason) : NULL;
    if (p->metadata) {
        json_decref(x->metadata);
        x->metadata = json_incref(p->metadata);
    }
    if (x->state == CXM_IS_ACTIVE) { /* the owner gives it back */
        s->model.agents[x->agent].active--;
        x->agent = -1;
    }
    cxm_stop_ringing(s, p->ix);
    int q = x->queue;
    if (p->reject == CXM_REJECT_END) {
        cxm_queue_leave(&s->model, q, p->ix);
        cxm_set_state(s, p->ix, CXM_IS_ENDED, "reject");
    } else if (p->reject == CXM_REJECT_PRESENT) { /* GWS-04: to another agent, overflow or not */
        cxm_enqueue(s, p->ix, q, "reject_present");
    } else if (!cxm_queue_overflowing(s, q)) {
        cxm_enqueue(s, p->ix, q, "reject_requeue");
    } else if (s->model.queues[q].def->overflow_action == CXM_OVERFLOW_DROP) {
        /* REJ-03: 200 was given; the interaction vanishes without an error or an event. */
        cxm_queue_leave(&s->model, q, p->ix);
        x->dropped = true;
        cxm_note_abandoned(s, p->ix);
        cxm_sim_record(s, "SILENT_DROP",
                       json_pack("{ss ss ss sI ss}", "interactionId", x->id, "queueId",
                                 s->model.queues[q].def->id, "agentId", who, "depth",
                                 (json_int_t)s->model.queues[q].nmembers, "cause",
                                 "reject_into_overflow"));
    } else {
        int fb = cxm_model_queue(&s->model, s->model.queues[q].def->fallback_queue_id);
        cxm_sim_record(s, "FALLBACK",
                       json_pack("{ss ss ss}", "interactionId", x->id, "fromQueueId",
                                 s->model.queues[q].def->id, "toQueueId",
                                 s->model.queues[fb].def->id));
        cxm_enqueue(s, p->ix, fb, "reject_fallback");
    }
    cxm_route(s);
}

int cxm_admin_create_interaction(struct cxm_sim *s, json_t *body, json_t **out)
{
    static const char *const allowed[] = {"channel", "queueId", "externalId", NULL};
    json_t *ch_v, *q_v, *ext_v;
    if (cxm_check_fields(body, allowed, out) < 0 ||
        opt_member(body, "channel", JSON_STRING, &ch_v, out) < 0 ||
        opt_member(body, "queueId", JSON_STRING, &q_v, out) < 0 ||
        opt_member(body, "externalId", JSON_STRING, &ext_v, out) < 0)
        return 400;
    if (!ch_v || !q_v) {
        const char *missing = !ch_v ? "channel" : "queueId";
        *out = cxm_field_err(missing, "%s is required", missing);
        return 400;
    }
    int channel = cxm_channel_parse(json_string_value(ch_v));
    if (channel < 0) {
        *out = cxm_field_err("channel", "channel must be one of voice, chat, sms, email");
        return 400;
    }
    int q = cxm_model_queue(&s->model, json_string_value(q_v));
    if (q < 0) {
        *out = cxm_err("not_found", "no queue '%s'", json_string_value(q_v));
        return 404;
    }
    char id[37];
    cx_prng_uuid(&s->prng, id);
    long ix = cxm_model_add_interaction(&s->model, id, (unsigned)channel,
                                        ext_v ? json_string_value(ext_v) : NULL, q, s->now);
    if (ix < 0) {
        *out = cxm_err("internal_error", "out of memory");
        return 500;
    }
    cxm_queue_join(&s->model, q, ix);
    cxm_sim_record(s, "CREATED",
                   json_pack("{ss ss ss so}", "interactionId", id, "channel",
                             cxm_channel_name((unsigned)channel), "queueId",
                             s->model.queues[q].def->id, "externalId",
                             ext_v ? json_incref(ext_v) : json_null()));
    cxm_route(s);
    *out = cxm_view_interaction(&s->model, s->model.ix[ix]);
    return 201;
}

int cxm_admin_end_interaction(struct cxm_sim *s, const char *id, json_t **out)
{
    long ix = find_live(s, id, out);
    if (ix < 0)
        return 404;
    struct cxm_interaction *x = s->model.ix[ix];
    if (x->state == CXM_IS_ACTIVE) {
        s->model.agents[x->agent].active--;
    } else if (x->state == CXM_IS_QUEUED || x->state == CXM_IS_RINGING) {
        cxm_note_abandoned(s, ix); /* the customer hung up while waiting */
        cxm_stop_ringing(s, ix);
        cxm_queue_leave(&s->model, x->queue, ix);
    }
    cxm_set_state(s, ix, CXM_IS_ENDED, "admin_end");
    cxm_route(s);
    *out = cxm_view_interaction(&s->model, x);
    return 200;
}

void cxm_agent_change_state(struct cxm_sim *s, int a, enum cxm_agent_state to, const char *cause)
{
    struct cxm_agent *agent = &s->model.agents[a];
    if (agent->state == to)
        return;
    enum cxm_agent_state from = agent->state;
    agent->state = to;
    json_t *reason = agent->reason[0] ? json_string(agent->reason) : json_null();
    cxm_sim_record(s, "AGENT_STATE",
                   json_pack("{ss ss ss ss sO}", "agentId", agent->def->id, "from",
                             cxm_agent_state_name(from), "to", cxm_agent_state_name(to), "cause",
                             cause, "reasonCode", reason));
    char at[32];
    cxm_time_iso(s->now, at);
    cxm_sim_emit(s, "AGENT_STATE_CHANGED",
                 json_pack("{ss sO ss ss ss}", "agentId", agent->def->id, "reasonCode", reason,
                           "previousState", cxm_agent_state_name(from), "currentState",
                           cxm_agent_state_name(to), "at", at));
    json_decref(reason);
    if (to != CXM_AGENT_READY)
        cxm_agent_stop_ringing(s, a); /* AGT-04: routing rings the next one */
    cxm_route(s);
}

int cxm_admin_update_agent(struct cxm_sim *s, const char *id, json_t *body, json_t **out)
{
    static const char *const allowed[] = {"state", "scheduled", "mandatoryBreak", NULL};
    json_t *state_v, *sched_v, *break_v;
    if (cxm_check_fields(body, allowed, out) < 0 ||
        opt_member(body, "state", JSON_STRING, &state_v, out) < 0 ||
        opt_member(body, "scheduled", JSON_TRUE, &sched_v, out) < 0 ||
        opt_member(body, "mandatoryBreak", JSON_TRUE, &break_v, out) < 0)
        return 400;
    int a = cxm_model_agent(&s->model, id);
    if (a < 0) {
        *out = cxm_err("not_found", "no agent '%s'", id);
        return 404;
    }
    int state = -1;
    if (state_v && (state = cxm_agent_state_parse(json_string_value(state_v))) < 0) {
        *out = cxm_field_err("state", "state must be one of READY, NOT_READY, PAUSED, IDLE, "
                                      "LOGGED_OUT");
        return 400;
    }
    struct cxm_agent *agent = &s->model.agents[a];
    if (sched_v)
        agent->scheduled = json_is_true(sched_v);
    if (break_v)
        agent->mandatory_break = json_is_true(break_v);
    cxm_sim_record(s, "AGENT_UPDATED", json_pack("{ss sO}", "agentId", id, "changes", body));
    if (state >= 0) {
        agent->reason[0] = '\0'; /* the admin sets no reason code */
        cxm_agent_change_state(s, a, (enum cxm_agent_state)state, "admin");
    }
    cxm_route(s);
    *out = cxm_view_agent(&s->model, agent);
    return 200;
}

/* An optional rate in [0, 1] or null (computed again): 0, or -1 with *out. */
static int forced_rate(json_t *body, const char *key, double *rate, json_t **out)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *rate = -1;
        return 0;
    }
    if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1) {
        *out = cxm_field_err(key, "%s must be a number from 0 to 1, or null", key);
        return -1;
    }
    *rate = json_number_value(v);
    return 0;
}

int cxm_admin_update_queue(struct cxm_sim *s, const char *id, json_t *body, json_t **out)
{
    static const char *const allowed[] = {"status", "abandonRate", "serviceLevel", NULL};
    json_t *status_v;
    if (cxm_check_fields(body, allowed, out) < 0 ||
        opt_member(body, "status", JSON_STRING, &status_v, out) < 0)
        return 400;
    int q = cxm_model_queue(&s->model, id);
    if (q < 0) {
        *out = cxm_err("not_found", "no queue '%s'", id);
        return 404;
    }
    struct cxm_queue *queue = &s->model.queues[q];
    int forced = queue->forced;
    double ar = queue->forced_abandon_rate, sl = queue->forced_service_level;
    if (status_v) {
        const char *st = json_string_value(status_v);
        forced = strcmp(st, "Overflow") == 0 ? 1
                 : strcmp(st, "Normal") == 0 ? 0
                 : strcmp(st, "auto") == 0   ? -1
                                             : -2;
        if (forced == -2) {
            *out = cxm_field_err("status", "status must be Overflow, Normal or auto");
            return 400;
        }
    }
    if (forced_rate(body, "abandonRate", &ar, out) < 0 ||
        forced_rate(body, "serviceLevel", &sl, out) < 0)
        return 400;
    queue->forced = forced;
    queue->forced_abandon_rate = ar;
    queue->forced_service_level = sl;
    cxm_sim_record(s, "QUEUE_UPDATED", json_pack("{ss sO}", "queueId", id, "changes", body));
    *out = cxm_view_queue(s, q);
    return 200;
}
