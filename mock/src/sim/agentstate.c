/* agentstate.c - see agentstate.h */
#include "agentstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"

static void apply_state(struct cxm_sim *s, const struct cxm_event *ev);

static const struct cxm_event_type apply_state_event = {"apply agent state", apply_state,
                                                        cxm_pending_free_data};

static int find_agent(struct cxm_sim *s, const char *user, json_t **out)
{
    int a = cxm_model_agent(&s->model, user);
    if (a < 0)
        *out = cxm_err("not_found", "no user '%s'", user);
    return a;
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
    if (reason_v && !json_is_string(reason_v)) {
        *out = cxm_field_err("reasonCode", "reasonCode must be a string");
        return 400;
    }
    int a = find_agent(s, user, out);
    if (a < 0)
        return 404;
    const struct cxm_agent *agent = &s->model.agents[a];
    const char *refusal = NULL;
    if (!agent->scheduled && state != CXM_AGENT_LOGGED_OUT)
        refusal = "AGENT_NOT_SCHEDULED";
    else if (state == CXM_AGENT_READY && agent->mandatory_break)
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
    const char *reason = reason_v ? json_string_value(reason_v) : NULL;
    cxm_sim_record(s, "STATE_REQUESTED",
                   json_pack("{ss ss so}", "agentId", user, "state",
                             cxm_agent_state_name((enum cxm_agent_state)state), "reasonCode",
                             reason ? json_string(reason) : json_null()));
    struct cxm_pending *p = calloc(1, sizeof *p);
    if (p) {
        p->ix = -1;
        p->agent = a;
        p->op = state;
        p->reason = reason ? strdup(reason) : NULL;
        cxm_schedule_apply(s, &apply_state_event, p);
    }
    *out = json_pack("{ss ss so}", "userId", user, "state",
                     cxm_agent_state_name((enum cxm_agent_state)state), "reasonCode",
                     reason ? json_string(reason) : json_null());
    return 200;
}

static void apply_state(struct cxm_sim *s, const struct cxm_event *ev)
{
    const struct cxm_pending *p = ev->data;
    snprintf(s->req, sizeof s->req, "%s", p->req);
    cxm_agent_change_state(s, p->agent, (enum cxm_agent_state)p->op, "api");
}

int cxm_agent_state_read(struct cxm_sim *s, const char *user, json_t **out)
{
    int a = find_agent(s, user, out);
    if (a < 0)
        return 404;
    *out = json_pack("{ss ss}", "userId", user, "state",
                     cxm_agent_state_name(s->model.agents[a].state));
    return 200;
}

int cxm_agent_schedule(struct cxm_sim *s, const char *user, json_t **out)
{
    int a = find_agent(s, user, out);
    if (a < 0)
        return 404;
    *out = json_pack("{ss ss}", "userId", user, "status",
                     s->model.agents[a].scheduled ? "ACTIVE" : "INACTIVE");
    return 200;
}

int cxm_agent_break(struct cxm_sim *s, const char *user, json_t **out)
{
    int a = find_agent(s, user, out);
    if (a < 0)
        return 404;
    *out = json_pack("{ss sb}", "userId", user, "mandatoryBreakRequired",
                     s->model.agents[a].mandatory_break);
    return 200;
}
