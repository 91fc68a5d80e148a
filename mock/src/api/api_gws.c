/* api_gws.c - /interactions and /me/interactions operations: GWS-01 ... GWS-04. */
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "gws.h"

void cxm_api_list_interactions(struct cxm_api *api, struct cxm_call *c)
{
    json_t *out = NULL;
    int status = cxm_gws_list_all(&api->sim, &out);
    cxm_respond(c->rs, status, out);
}

void cxm_api_my_interactions(struct cxm_api *api, struct cxm_call *c)
{
    char fields[256] = "";
    int rc = cxm_query_param(c->rq, "fields", fields, sizeof fields);
    if (rc < 0) { /* GWS-03: the listing's own error shape, naming the parameter */
        cxm_respond(c->rs, 400,
                    json_pack("{si ss ss}", "statusCode", 1, "statusMessage",
                              "query parameter 'fields' must be at most 255 characters, "
                              "percent-encoded correctly, with no NUL byte",
                              "field", "fields"));
        return;
    }
    int full = rc > 0 && strcmp(fields, "*") == 0;
    json_t *out = NULL; /* URIs on the address the mock listens on, never the Host header */
    int status = cxm_gws_list_mine(&api->sim, c->tok, full, api->base_url, &out);
    cxm_respond(c->rs, status, out);
}

void cxm_api_put_interaction(struct cxm_api *api, struct cxm_call *c)
{
    cxm_call_body(api, c, cxm_gws_put);
}

void cxm_api_me_operation(struct cxm_api *api, struct cxm_call *c)
{
    cxm_call_body(api, c, cxm_gws_operation);
}
