/* api_interactions.c - interactions and queues: ACC-01 ... ACC-07, REJ-01 ... REJ-04, Q-01, Q-02.
 * The router has checked the bearer token and its scope (c->tok). */
#include <string.h>

#include "actions.h"
#include "handlers.h"
#include "routing.h"

void cxm_api_get_interaction(struct cxm_api *api, struct cxm_call *c)
{
    long ix = cxm_model_interaction(&api->sim.model, c->params[0]);
    if (ix < 0 || api->sim.model.ix[ix]->dropped) { /* a dropped interaction is gone (REJ-03) */
        cxm_respond(c->rs, 404, cxm_err("not_found", "no interaction '%s'", c->params[0]));
        return;
    }
    c->rs->raw = cxm_render_interaction(&api->sim.model, api->sim.model.ix[ix]);
    c->rs->status = c->rs->raw ? 200 : 500;
}

/* An accept or reject: the agent context of a client-credentials call comes in the body
 * (agentId) or in the X-Agent-Id header (000 §1: "in the request header or payload"); both
 * naming different agents is 400. */
static void agent_call(struct cxm_api *api, struct cxm_call *c, cxm_body_op *op)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    const char *header = c->rq->agent_id;
    const char *named = json_string_value(json_object_get(body, "agentId"));
    json_t *out = NULL;
    int status;
    if (header && named && strcmp(header, named) != 0) {
        out =
            cxm_err("agent_mismatch", "X-Agent-Id names %s, the body's agentId %s", header, named);
        status = 400;
    } else {
        if (header && !named && json_is_object(body))
            json_object_set_new(body, "agentId", json_string(header));
        status = op(&api->sim, c->tok, c->params[0], body, &out);
    }
    json_decref(body);
    cxm_respond(c->rs, status, out);
}

void cxm_api_accept(struct cxm_api *api, struct cxm_call *c)
{
    agent_call(api, c, cxm_accept);
}

void cxm_api_reject(struct cxm_api *api, struct cxm_call *c)
{
    agent_call(api, c, cxm_reject);
}

static int queue_or_404(struct cxm_api *api, struct cxm_call *c)
{
    int q = cxm_model_queue(&api->sim.model, c->params[0]);
    if (q < 0)
        cxm_respond(c->rs, 404, cxm_err("not_found", "no queue '%s'", c->params[0]));
    return q;
}

void cxm_api_get_queue(struct cxm_api *api, struct cxm_call *c)
{
    int q = queue_or_404(api, c);
    if (q >= 0)
        cxm_respond(c->rs, 200, cxm_view_queue(&api->sim, q));
}

void cxm_api_get_queue_stats(struct cxm_api *api, struct cxm_call *c)
{
    int q = queue_or_404(api, c);
    if (q >= 0)
        cxm_respond(c->rs, 200, cxm_view_queue_stats(&api->sim, q));
}
