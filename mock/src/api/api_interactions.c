/* api_interactions.c - interactions and queues: ACC-01 ... ACC-07, REJ-01 ... REJ-04, Q-01, Q-02.
 * The router has checked the bearer token and its scope (c->tok). */
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

void cxm_api_accept(struct cxm_api *api, struct cxm_call *c)
{
    cxm_call_body(api, c, cxm_accept);
}

void cxm_api_reject(struct cxm_api *api, struct cxm_call *c)
{
    cxm_call_body(api, c, cxm_reject);
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
