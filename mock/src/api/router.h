/* router.h - the route table: which handler answers a method and path, with which access,
 * scope (AUTH-04) and endpoint group (RATE-01, FLT-01).
 *
 * cxm_route_find matches a request's path against every route: 404 for an unknown path, 405
 * with Allow for a known path with the wrong method. The table's order is the order of
 * /metrics' request counters.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>

#include "handlers.h"

enum cxm_access { CXM_PUBLIC, CXM_ADMIN };
enum {
    CXM_ROUTE_STATE_WRITE = 1,  /* counts against the tenant's agent-state window */
    CXM_ROUTE_BUSINESS_KEY = 2, /* its body's business key is worked out before the lock */
};

struct cxm_route {
    const char *method;
    const char *pattern; /* segments; "{}" matches one segment */
    cxm_handler *handler;
    enum cxm_access access;
    const char *scope; /* bearer scope required (AUTH-04); NULL: none */
    int group;         /* enum cxm_group: rate limits and faults */
    int flags;
};

#define CXM_MAX_PARAMS 4

/* A path's {placeholders}, each percent-decoded once into one buffer. */
struct cxm_params {
    char *v[CXM_MAX_PARAMS];
    int n;
    int bad; /* 1 + the index of the first one that is not valid percent-encoding, or 0 */
    char buf[512];
};

/* The route for rq's method and path, with its parameters in *pp; NULL if none, with allow
 * (size bytes) holding the methods the path does answer ("" when the path is unknown). HEAD
 * finds the GET route of its path; Allow names HEAD wherever it names GET. A route is found
 * even when a parameter is not valid percent-encoding (pp->bad): the caller refuses it. */
const struct cxm_route *cxm_route_find(const struct cxm_req *rq, struct cxm_params *pp, char *allow,
                                       size_t size);

/* The index of r in the table (its /metrics counter). */
size_t cxm_route_index(const struct cxm_route *r);

/* Name of route i ("GET /api/v2/interactions/{}") into buf, or NULL past the last. */
const char *cxm_route_name(size_t i, char *buf, size_t size);

#endif
