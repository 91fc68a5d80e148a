/* api_routing.c - routing injection and in-flight priority: INJ-01 ... INJ-07, PRI-01 ... PRI-06.
 * The router has checked the bearer token and its scope (c->tok). */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "inject.h"
#include "priority.h"

static void respond_raw(struct cxm_call *c, int status, char *raw)
{
    c->rs->status = status;
    c->rs->raw = raw;
    if (!raw && status != 204)
        cxm_respond(c->rs, 500, cxm_err("internal_error", "out of memory"));
}

void cxm_api_inject(struct cxm_api *api, struct cxm_call *c)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    char *raw = NULL;
    int status = cxm_inject(&api->sim, c->tok, c->rq->idempotency_key, body, &raw);
    json_decref(body);
    respond_raw(c, status, raw);
}

void cxm_api_get_contact(struct cxm_api *api, struct cxm_call *c)
{
    char expand[64] = "";
    cxm_query_param(c->rq, "expand", expand, sizeof expand);
    json_t *out = NULL;
    int status =
        cxm_routing_contact(&api->sim, c->params[0], strstr(expand, "queuePosition") != NULL, &out);
    cxm_respond(c->rs, status, out);
}

void cxm_api_patch_contact(struct cxm_api *api, struct cxm_call *c)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    char *raw = NULL;
    int status =
        cxm_patch_priority(&api->sim, c->tok, c->params[0], c->rq->idempotency_key, body, &raw);
    json_decref(body);
    respond_raw(c, status, raw);
}

void cxm_api_routing_queue(struct cxm_api *api, struct cxm_call *c)
{
    int q = cxm_model_queue(&api->sim.model, c->params[0]);
    if (q < 0)
        cxm_respond(c->rs, 404, cxm_err("not_found", "no queue '%s'", c->params[0]));
    else
        cxm_respond(c->rs, 200, cxm_view_routing_queue(&api->sim, q));
}

void cxm_api_attributes(struct cxm_api *api, struct cxm_call *c)
{
    cxm_respond(c->rs, 200, cxm_view_attribute_schema(&api->sim));
}
