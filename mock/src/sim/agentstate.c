/* agentstate.c - see agentstate.h */
#include "agentstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"

static void apply_state(struct cxm_sim *s, const struct cxm_event *ev);

static const struct cxm_event_type apply_state_event = {"apply agent state", apply_state,
                                                        cxm_pending_free_data};

/* Mock seconds since the mock's start (its origin; a reset starts again). */
static int64_t since_start_s(const struct cxm_sim *s)
{
    return (s->now - s->origin) / 1000;
}

static int in_window(const struct cxm_span *w, int64_t t)
{
    return t >= w->start_s && t < w->end_s;
}

int cxm_agent_scheduled_now(const struct cxm_sim *s, int a)
{
    const struct cxm_agent *agent = &s->model.agents[a];
    return agent->scheduled &&
           (!agent->def->has_shift || in_window(&agent->def->shift, since_start_s(s)));
}

int cxm_agent_break_due(const struct cxm_sim *s, int a, int64_t *ends_ms)
{
    const struct cxm_agent *agent = &s->model.agents[a];
    int64_t t = since_start_s(s);
    *ends_ms = -1;
    for (size_t i = 0; i < agent->def->nbreaks; i++)
        if (in_window(&agent->def->breaks[i], t)) {
            *ends_ms = s->origin + agent->def->breaks[i].end_s * 1000;
            return 1;
        }
    return agent->mandatory_break;
}

static int find_agent(struct cxm_sim *s, const char *user, json_t **out)
{
    int a = cxm_model_agent(&s->model, user);
    if (a < 0)
        *out = cxm_err("not_found", "no user '%s'", user);
    return a;
}

/* The reason codes the seed names (003 Step 1), and the one each state takes by default. */
static const char *const reason_codes[] = {"WORKING",     "BREAK",   "ADHOC",
                                           "SYSTEM_IDLE", "GENERAL", NULL};

static const char *default_reason(enum cxm_agent_state state)
{
    switch (state) {
    case CXM_AGENT_READY:
        return "WORKING";
    case CXM_AGENT_NOT_READY:
        return "BREAK";
    case CXM_AGENT_PAUSED:
        return "ADHOC";
    case CXM_AGENT_IDLE:
        return "SYSTEM_IDLE";
    default:
        return "GENERAL";
    }
}

static int known_reason(const char *reason)
{
    for (const char *const *r = reason_codes; *r; r++)
        if (strcmp(*r, reason) == 0)
            return 1;
    return 0;
}

int cxm_agent_state_write(struct cxm_sim *s, const char *user, json_t *body, json_t **out)
{
    static const char *const allowed[] = {"state", "reasonCode", NULL};
    if (cxm_check_fields(body, allowed, out) < 0)
        return 400;
    json_t *state_v = json_object_get(body, "state"),
           *reason_v = json_object_get(body, "reasonCode");
    int state = json_is_string(state_v) ? cxm_agent_state_parse(json_string_value(state_v)) : -1;
    if (state < 0) {
        *out = cxm_field_err("state",
                             "state must be one of READY, NOT_READY, PAUSED, IDLE, LOGGED_OUT");
        return 400;
    }
    if (reason_v && (!json_is_string(reason_v) || !known_reason(json_string_value(reason_v)))) {
        *out = cxm_field_err("reasonCode",
                             "reasonCode must be one of WORKING, BREAK, ADHOC, SYSTEM_IDLE, "
                             "GENERAL");
        return 400;
    }
    int a = find_agent(s, user, out);
    if (a < 0)
        return 404;
    const char *refusal = NULL;
    int64_t break_ends;
    if (!cxm_agent_scheduled_now(s, a) && state != CXM_AGENT_LOGGED_OUT)
        refusal = "AGENT_NOT_SCHEDULED";
    else if (state == CXM_AGENT_READY && cxm_agent_break_due(s, a, &break_ends))
        refusal = "MANDATORY_BREAK_VIOLATION";
    if (refusal) { /* AGT-03 */
        cxm_sim_record(s, "STATE_CHANGE_REFUSED",
                       json_pack("{ss ss ss}", "agentId", user, "requested",
                                 cxm_agent_state_name((enum cxm_agent_state)state), "reason",
                                 refusal));
        *out = cxm_err(refusal, "%s",
                       strcmp(refusal, "AGENT_NOT_SCHEDULED") == 0
                           ? "the agent has no active schedule"
                           : "a mandatory break is due: READY is not allowed");
        return 409;
    }
    const char *reason =
        reason_v ? json_string_value(reason_v) : default_reason((enum cxm_agent_state)state);
    cxm_sim_record(s, "STATE_REQUESTED",
                   json_pack("{ss ss ss}", "agentId", user, "state",
                             cxm_agent_state_name((enum cxm_agent_state)state), "reasonCode",
                             reason));
    struct cxm_pending *p = calloc(1, sizeof *p);
    if (p) {
        p->ix = -1;
        p->agent = a;
        p->op = state;
        p->reason = reason ? strdup(reason) : NULL;
        cxm_schedule_apply(s, &apply_state_event, p);
    }
    *out = json_pack("{ss ss ss}", "userId", user, "state",
                     cxm_agent_state_name((enum cxm_agent_state)state), "reasonCode", reason);
    return 200;
}

static void apply_state(struct cxm_sim *s, const struct cxm_event *ev)
{
    const struct cxm_pending *p = ev->data;
    snprintf(s->req, sizeof s->req, "%s", p->req);
    struct cxm_agent *agent = &s->model.agents[p->agent];
    snprintf(agent->reason, sizeof agent->reason, "%s", p->reason ? p->reason : "GENERAL");
    cxm_agent_change_state(s, p->agent, (enum cxm_agent_state)p->op, "api");
}

int cxm_agent_state_read(struct cxm_sim *s, const char *user, json_t **out)
{
    int a = find_agent(s, user, out);
    if (a < 0)
        return 404;
    const struct cxm_agent *agent = &s->model.agents[a];
    *out = json_pack("{ss ss ss}", "userId", user, "state", cxm_agent_state_name(agent->state),
                     "reasonCode", agent->reason[0] ? agent->reason : default_reason(agent->state));
    return 200;
}

int cxm_agent_schedule(struct cxm_sim *s, const char *user, json_t **out)
{
    int a = find_agent(s, user, out);
    if (a < 0)
        return 404;
    const struct cxm_agent_def *def = s->model.agents[a].def;
    *out = json_pack("{ss ss}", "userId", user, "status",
                     cxm_agent_scheduled_now(s, a) ? "ACTIVE" : "INACTIVE");
    if (def->has_shift) {
        char start[32], end[32];
        cxm_time_iso(s->origin + def->shift.start_s * 1000, start);
        cxm_time_iso(s->origin + def->shift.end_s * 1000, end);
        json_object_set_new(*out, "shift", json_pack("{ss ss}", "start", start, "end", end));
    }
    return 200;
}

int cxm_agent_break(struct cxm_sim *s, const char *user, json_t **out)
{
    int a = find_agent(s, user, out);
    if (a < 0)
        return 404;
    int64_t ends;
    int due = cxm_agent_break_due(s, a, &ends);
    *out = json_pack("{ss sb}", "userId", user, "mandatoryBreakRequired", due);
    if (ends >= 0) { /* a break window: when READY is allowed again */
        char at[32];
        cxm_time_iso(ends, at);
        json_object_set_new(*out, "breakEndsAt", json_string(at));
    }
    return 200;
}
