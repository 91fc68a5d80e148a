/* pipeline.h - what stands between a request and its handler.
 *
 * Admin routes: loopback only, or the admin bearer token when the mock has one. Public routes,
 * in order: the fault plan (FLT-01: a delay, a reset, an error instead of the answer or after
 * the work), the bearer token and its scope (AUTH-04), every rate-limit window that applies
 * (RATE-01, AUTH-06: the client id's for the route's group, the tenant's, the agent-state
 * writes'), then the handler. Both run with the lock held and the request started.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include "api.h"
#include "router.h"

/* 1 if the admin API may answer rq; else 0 with a 403 (not loopback) or 401 (no or wrong
 * admin token) set in rs. */
int cxm_pipeline_admin(const struct cxm_api *api, const struct cxm_req *rq, struct cxm_resp *rs);

/* Run public route r for call c through the faults, the bearer check and the rate limits, and
 * its handler if they let it through; c->rs holds the answer (or says to reset or delay). */
void cxm_pipeline_public(struct cxm_api *api, const struct cxm_route *r, struct cxm_call *c);

#endif
