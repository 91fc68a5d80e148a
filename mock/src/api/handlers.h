/* handlers.h - the route handlers. Each runs with the lock held and the simulation's request
 * started (api.c); params are the path's {placeholders} in order. One file per area:
 * api_auth.c (OAuth), api_interactions.c (interactions and queues), api_events.c (long poll),
 * api_routing.c (injection, priority), api_agents.c (agent state), api_gws.c
 * (/me/interactions), api_admin.c (/__admin, /metrics). */
#ifndef HANDLERS_H
#define HANDLERS_H

#include "api.h"

/* One call: the request, its path parameters, the caller's token (routes with a scope), the
 * response to fill. */
struct cxm_call {
    const struct cxm_req *rq;
    char **params;
    const struct cxm_token *tok;
    struct cxm_resp *rs;
};

typedef void cxm_handler(struct cxm_api *api, struct cxm_call *c);

cxm_handler cxm_api_token;

cxm_handler cxm_api_get_interaction;
cxm_handler cxm_api_accept;
cxm_handler cxm_api_reject;
cxm_handler cxm_api_get_queue;
cxm_handler cxm_api_get_queue_stats;

cxm_handler cxm_api_events;
/* How many long polls may wait at once: half the HTTP workers, at least 1 (api_events.c). */
int cxm_long_poll_budget(const struct cxm_api *api);

cxm_handler cxm_api_inject;
cxm_handler cxm_api_get_contact;
cxm_handler cxm_api_patch_contact;
cxm_handler cxm_api_routing_queue;
cxm_handler cxm_api_attributes;

cxm_handler cxm_api_agent_state;
cxm_handler cxm_api_get_agent_state;
cxm_handler cxm_api_route_to_queue;
cxm_handler cxm_api_schedule;
cxm_handler cxm_api_break;

cxm_handler cxm_api_list_interactions;
cxm_handler cxm_api_my_interactions;
cxm_handler cxm_api_put_interaction;
cxm_handler cxm_api_me_operation;

cxm_handler cxm_admin_health;
cxm_handler cxm_admin_reset;
cxm_handler cxm_admin_state;
cxm_handler cxm_admin_create;
cxm_handler cxm_admin_end;
cxm_handler cxm_admin_queue;
cxm_handler cxm_admin_agent;
cxm_handler cxm_admin_faults;
cxm_handler cxm_admin_clock;
cxm_handler cxm_admin_ledger;
cxm_handler cxm_admin_violations;

cxm_handler cxm_admin_metrics;

/* An operation of the simulation on the path's first parameter with the caller's token and the
 * JSON body; returns the status and stores the body in *out. */
typedef int cxm_body_op(struct cxm_sim *s, const struct cxm_token *tok, const char *id,
                        json_t *body, json_t **out);

/* Parse the body (400 if malformed), run op, respond with what it gives. */
void cxm_call_body(struct cxm_api *api, struct cxm_call *c, cxm_body_op *op);

/* Check the bearer token for a call needing `scope`: returns the token, or NULL with a 401 or
 * 403 response set (AUTH-04). */
const struct cxm_token *cxm_require_token(struct cxm_api *api, const struct cxm_req *rq,
                                          const char *scope, struct cxm_resp *rs);

#endif
