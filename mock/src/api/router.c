/* router.c - see router.h */
#include "router.h"

#include <stdio.h>
#include <string.h>

#include "metrics.h"

/* The scopes routes need (AUTH-04, AUTH-07), as the seeds name them: a space between needs
 * (all), '|' between alternatives (one of them). The README's and docs/rules.md's table. */
#define IREAD   "interaction:read"                                /* 000 */
#define CONTROL "interaction:write agent:control"                 /* 000: accept, reject */
#define IWRITE  "interaction:write"                               /* 000, 004 */
#define INJECT  "routing:contacts:write"                          /* 001 */
#define QREAD   "routing:queues:read|routing:queue:read"          /* 001, 002 */
#define SCHEMA  "contacts:attributes:read|routing:contacts:write" /* 001 */
#define CREAD   "routing:contact:read"                            /* 002 */
#define CWRITE  "routing:contact:write"                           /* 002 */
#define SVIEW   "users:state:view"                                /* 003 */
#define SWRITE  "users:state:write"                               /* 003 */
#define SCHED   "schedules:view"                                  /* 003 */
#define BREAKS  "breaks:view"                                     /* 003 */

static const struct cxm_route routes[] = {
    /* AUTH-01: three aliases of one handler */
    {"POST", "/api/v2/oauth/token", cxm_api_token, CXM_PUBLIC, NULL, CXM_GROUP_AUTH, 0},
    {"POST", "/oauth/token", cxm_api_token, CXM_PUBLIC, NULL, CXM_GROUP_AUTH, 0},
    {"POST", "/oauth2/token", cxm_api_token, CXM_PUBLIC, NULL, CXM_GROUP_AUTH, 0},
    {"GET", "/api/v2/interactions/{}", cxm_api_get_interaction, CXM_PUBLIC, IREAD,
     CXM_GROUP_INTERACTIONS, 0},
    {"POST", "/api/v2/interactions/{}/accept", cxm_api_accept, CXM_PUBLIC, CONTROL,
     CXM_GROUP_INTERACTIONS, 0},
    {"POST", "/api/v2/interactions/{}/reject", cxm_api_reject, CXM_PUBLIC, CONTROL,
     CXM_GROUP_INTERACTIONS, 0},
    {"GET", "/api/v2/queues/{}", cxm_api_get_queue, CXM_PUBLIC, IREAD, CXM_GROUP_INTERACTIONS, 0},
    {"GET", "/api/v2/queues/{}/stats", cxm_api_get_queue_stats, CXM_PUBLIC, IREAD,
     CXM_GROUP_INTERACTIONS, 0},
    {"GET", "/api/v2/events", cxm_api_events, CXM_PUBLIC, IREAD, CXM_GROUP_INTERACTIONS, 0},
    {"POST", "/api/v2/routing/contacts", cxm_api_inject, CXM_PUBLIC, INJECT, CXM_GROUP_ROUTING,
     CXM_ROUTE_BUSINESS_KEY},
    {"GET", "/api/v2/routing/contacts/{}", cxm_api_get_contact, CXM_PUBLIC, CREAD,
     CXM_GROUP_ROUTING, 0},
    {"PATCH", "/api/v2/routing/contacts/{}", cxm_api_patch_contact, CXM_PUBLIC, CWRITE,
     CXM_GROUP_ROUTING, 0},
    {"POST", "/api/v2/routing/contacts/{}/routeToQueue", cxm_api_route_to_queue, CXM_PUBLIC, CWRITE,
     CXM_GROUP_ROUTING, 0},
    {"GET", "/api/v2/routing/queues/{}", cxm_api_routing_queue, CXM_PUBLIC, QREAD,
     CXM_GROUP_ROUTING, 0},
    {"GET", "/api/v2/contacts/attributes", cxm_api_attributes, CXM_PUBLIC, SCHEMA,
     CXM_GROUP_ROUTING, 0},
    {"POST", "/api/v2/users/{}/state", cxm_api_agent_state, CXM_PUBLIC, SWRITE, CXM_GROUP_STATE,
     CXM_ROUTE_STATE_WRITE},
    {"GET", "/api/v2/users/{}/state", cxm_api_get_agent_state, CXM_PUBLIC, SVIEW, CXM_GROUP_STATE,
     0},
    {"GET", "/api/v2/schedules/users/{}", cxm_api_schedule, CXM_PUBLIC, SCHED, CXM_GROUP_STATE, 0},
    {"GET", "/api/v2/breaks/users/{}/status", cxm_api_break, CXM_PUBLIC, BREAKS, CXM_GROUP_STATE,
     0},
    {"GET", "/api/v2/interactions", cxm_api_list_interactions, CXM_PUBLIC, IREAD, CXM_GROUP_GWS, 0},
    {"GET", "/api/v2/me/interactions", cxm_api_my_interactions, CXM_PUBLIC, IREAD, CXM_GROUP_GWS,
     0},
    {"PUT", "/api/v2/interactions/{}", cxm_api_put_interaction, CXM_PUBLIC, IWRITE, CXM_GROUP_GWS,
     0},
    {"POST", "/api/v2/me/interactions/{}", cxm_api_me_operation, CXM_PUBLIC, IWRITE, CXM_GROUP_GWS,
     0},
    {"GET", "/__admin/health", cxm_admin_health, CXM_ADMIN, NULL, 0, 0},
    {"POST", "/__admin/reset", cxm_admin_reset, CXM_ADMIN, NULL, 0, 0},
    {"GET", "/__admin/state", cxm_admin_state, CXM_ADMIN, NULL, 0, 0},
    {"POST", "/__admin/interactions", cxm_admin_create, CXM_ADMIN, NULL, 0, 0},
    {"POST", "/__admin/interactions/{}/end", cxm_admin_end, CXM_ADMIN, NULL, 0, 0},
    {"PUT", "/__admin/queues/{}", cxm_admin_queue, CXM_ADMIN, NULL, 0, 0},
    {"PUT", "/__admin/agents/{}", cxm_admin_agent, CXM_ADMIN, NULL, 0, 0},
    {"PUT", "/__admin/faults", cxm_admin_faults, CXM_ADMIN, NULL, 0, 0},
    {"POST", "/__admin/clock", cxm_admin_clock, CXM_ADMIN, NULL, 0, 0},
    {"GET", "/__admin/ledger", cxm_admin_ledger, CXM_ADMIN, NULL, 0, 0},
    {"GET", "/__admin/violations", cxm_admin_violations, CXM_ADMIN, NULL, 0, 0},
    {"GET", "/metrics", cxm_admin_metrics, CXM_ADMIN, NULL, 0, 0},
};

#define NROUTES (sizeof routes / sizeof routes[0])
_Static_assert(NROUTES <= CXM_METRIC_ROUTES, "raise CXM_METRIC_ROUTES");

/* Match path against pattern, filling params. Returns 1 on a match. */
static int match(const char *pattern, const char *path, struct cxm_params *pp)
{
    pp->n = 0;
    pp->bad = 0;
    size_t used = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (p[0] == '{' && p[1] == '}') {
            const char *end = strchr(s, '/');
            size_t n = end ? (size_t)(end - s) : strlen(s);
            if (n == 0 || pp->n == CXM_MAX_PARAMS || used + n + 1 > sizeof pp->buf)
                return 0;
            pp->v[pp->n++] = pp->buf + used;
            /* The one percent-decoding of the path: the HTTP layer hands it over raw. */
            if (cxm_url_decode(pp->buf + used, s, n, 0) < 0 && !pp->bad)
                pp->bad = pp->n;
            used += n + 1;
            p += 2;
            s += n;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return 0;
        }
    }
    return *p == '\0' && *s == '\0';
}

/* Add METHOD to the comma-separated list in allow (size bytes) unless it is there. */
static void allow_add(char *allow, size_t size, const char *method)
{
    size_t len = strlen(allow), mlen = strlen(method);
    for (const char *p = allow; (p = strstr(p, method)); p += mlen)
        if ((p == allow || p[-1] == ' ') && (p[mlen] == ',' || p[mlen] == '\0'))
            return;
    snprintf(allow + len, size - len, "%s%s", len ? ", " : "", method);
}

const struct cxm_route *cxm_route_find(const struct cxm_req *rq, struct cxm_params *pp, char *allow,
                                       size_t size)
{
    /* HEAD is answered as GET is, wherever GET is (RFC 9110 9.3.2): the same status and
     * headers; the HTTP layer leaves the body out. */
    int head = strcmp(rq->method, "HEAD") == 0;
    allow[0] = '\0';
    for (size_t i = 0; i < NROUTES; i++) {
        if (!match(routes[i].pattern, rq->path, pp))
            continue;
        int get = strcmp(routes[i].method, "GET") == 0;
        if (strcmp(routes[i].method, rq->method) == 0 || (head && get))
            return &routes[i];
        allow_add(allow, size, routes[i].method);
        if (get)
            allow_add(allow, size, "HEAD");
    }
    return NULL;
}

size_t cxm_route_index(const struct cxm_route *r)
{
    return (size_t)(r - routes);
}

const char *cxm_route_name(size_t i, char *buf, size_t size)
{
    if (i >= NROUTES)
        return NULL;
    snprintf(buf, size, "%s %s", routes[i].method, routes[i].pattern);
    return buf;
}
