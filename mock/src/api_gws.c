/* api_gws.c - /interactions and /me/interactions operations: GWS-01 ... GWS-04. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "gws.h"

void cxm_api_list_interactions(struct cxm *m, struct cxm_call *c)
{
    json_t *out = NULL;
    int status = cxm_gws_list_all(&m->sim, &out);
    cxm_respond(c->rs, status, out);
}

void cxm_api_my_interactions(struct cxm *m, struct cxm_call *c)
{
    char fields[16] = "", base[300] = "";
    int full = cxm_query_param(c->rq, "fields", fields, sizeof fields) && strcmp(fields, "*") == 0;
    if (c->rq->host)
        snprintf(base, sizeof base, "http://%s", c->rq->host);
    json_t *out = NULL;
    int status = cxm_gws_list_mine(&m->sim, c->tok, full, base, &out);
    cxm_respond(c->rs, status, out);
}

typedef int op_fn(struct cxm_sim *, const struct cxm_token *, const char *, json_t *, json_t **);

static void operation(struct cxm *m, struct cxm_call *c, op_fn *fn)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    json_t *out = NULL;
    int status = fn(&m->sim, c->tok, c->params[0], body, &out);
    json_decref(body);
    cxm_respond(c->rs, status, out);
}

void cxm_api_put_interaction(struct cxm *m, struct cxm_call *c)
{
    operation(m, c, cxm_gws_put);
}

void cxm_api_me_operation(struct cxm *m, struct cxm_call *c)
{
    operation(m, c, cxm_gws_operation);
}
