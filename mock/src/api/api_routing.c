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

/* The idempotency key of a call: its endpoint's header (SEED: X-Idempotency-Key for 001's
 * injection, Idempotency-Key for 002's PATCH); the other header counts only with the fixture's
 * "idempotencyHeaders": "either", and is otherwise ignored, as the platform ignores it, with a
 * ledger line saying so (the trap of a client that sends the wrong one). */
static const char *idempotency_key(struct cxm_api *api, const char *route, const char *seed,
                                   const char *other, const char *other_name)
{
    if (seed)
        return seed;
    if (other && api->sim.tenant->idempotency_either)
        return other;
    if (other)
        cxm_sim_record(&api->sim, "IDEMPOTENCY_KEY_IGNORED",
                       json_pack("{ss ss}", "header", other_name, "route", route));
    return NULL;
}

void cxm_api_inject(struct cxm_api *api, struct cxm_call *c)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    char *raw = NULL;
    const char *key =
        idempotency_key(api, "POST /api/v2/routing/contacts", c->rq->x_idempotency_key,
                        c->rq->idempotency_key, "Idempotency-Key");
    int status = cxm_inject(&api->sim, c->tok, key, body, &raw);
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
    const char *key =
        idempotency_key(api, "PATCH /api/v2/routing/contacts/{id}", c->rq->idempotency_key,
                        c->rq->x_idempotency_key, "X-Idempotency-Key");
    int status = cxm_patch_priority(&api->sim, c->tok, c->params[0], key, body, &raw);
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
