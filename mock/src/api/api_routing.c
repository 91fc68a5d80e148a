/* api_routing.c - routing injection and in-flight priority: INJ-01 ... INJ-07, PRI-01 ... PRI-06.
 * The router has checked the bearer token and its scope (c->tok). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
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
    int status = cxm_inject(&api->sim, c->tok, key, body,
                            c->rq->business_key[0] ? c->rq->business_key : NULL, &raw);
    json_decref(body);
    respond_raw(c, status, raw);
}

/* The entity tag of a body: its FNV-1a digest, quoted. */
static void etag_of(const char *text, char out[24])
{
    snprintf(out, 24, "\"%016llx\"", (unsigned long long)cx_fnv1a64(text, strlen(text)));
}

/* GET a routing contact, with an ETag; If-None-Match with that tag (or "*") is 304 and no
 * body (PRI-08: 002's conditional GET, to see whether the contact moved since the last read). */
void cxm_api_get_contact(struct cxm_api *api, struct cxm_call *c)
{
    char expand[256] = "";
    if (cxm_query_str(c->rq, c->rs, "expand", expand, sizeof expand) < 0)
        return;
    json_t *out = NULL;
    int status =
        cxm_routing_contact(&api->sim, c->params[0], strstr(expand, "queuePosition") != NULL, &out);
    if (status != 200) {
        cxm_respond(c->rs, status, out);
        return;
    }
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(out);
    if (!text) {
        cxm_respond(c->rs, 500, cxm_err("internal_error", "out of memory"));
        return;
    }
    etag_of(text, c->rs->etag);
    const char *inm = c->rq->if_none_match;
    if (inm && (strcmp(inm, "*") == 0 || strstr(inm, c->rs->etag))) {
        free(text);
        c->rs->status = 304;
        return;
    }
    respond_raw(c, 200, text);
}

static int route_to_queue(struct cxm_sim *s, const struct cxm_token *tok, const char *id,
                          json_t *body, json_t **out)
{
    (void)tok;
    return cxm_route_to_queue(s, id, body, out);
}

void cxm_api_route_to_queue(struct cxm_api *api, struct cxm_call *c)
{
    cxm_call_body(api, c, route_to_queue);
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
