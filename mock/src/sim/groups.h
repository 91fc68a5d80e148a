/* groups.h - the endpoint groups: what rate limits (RATE-01) and faults (FLT-01) are scoped by.
 *
 * Every public route belongs to one group (api/router.c); a client's per-group limits
 * (tenant.h) and a fault's "group" (faults.h) name them as in the fixture. */
#ifndef GROUPS_H
#define GROUPS_H

enum cxm_group {
    CXM_GROUP_AUTH,         /* token endpoints */
    CXM_GROUP_ROUTING,      /* /api/v2/routing/..., contact attributes */
    CXM_GROUP_INTERACTIONS, /* /api/v2/interactions..., queues, events */
    CXM_GROUP_STATE,        /* agent state, schedules, breaks */
    CXM_GROUP_GWS,          /* /api/v2/me/interactions... */
    CXM_GROUPS,
};

/* The fixture names, in enum order and NULL-terminated: "auth", "routing", "interactions",
 * "state", "gws". */
extern const char *const cxm_group_names[];

/* The name of g, or NULL if out of range. */
const char *cxm_group_name(enum cxm_group g);

/* The group named s, or -1 if none is. */
int cxm_group_parse(const char *s);

#endif
