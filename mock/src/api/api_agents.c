/* api_agents.c - agent state, schedules and breaks: AGT-01 ... AGT-04. */
#include "agentstate.h"
#include "handlers.h"

void cxm_api_agent_state(struct cxm_api *api, struct cxm_call *c)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    json_t *out = NULL;
    int status = cxm_agent_state_write(&api->sim, c->params[0], body, &out);
    json_decref(body);
    cxm_respond(c->rs, status, out);
}

void cxm_api_get_agent_state(struct cxm_api *api, struct cxm_call *c)
{
    json_t *out = NULL;
    int status = cxm_agent_state_read(&api->sim, c->params[0], &out);
    cxm_respond(c->rs, status, out);
}

void cxm_api_schedule(struct cxm_api *api, struct cxm_call *c)
{
    json_t *out = NULL;
    int status = cxm_agent_schedule(&api->sim, c->params[0], &out);
    cxm_respond(c->rs, status, out);
}

void cxm_api_break(struct cxm_api *api, struct cxm_call *c)
{
    json_t *out = NULL;
    int status = cxm_agent_break(&api->sim, c->params[0], &out);
    cxm_respond(c->rs, status, out);
}
