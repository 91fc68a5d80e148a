/* agentstate.h - agent state through the API (AGT-01 ... AGT-04).
 *
 * POST /api/v2/users/{userId}/state {state, reasonCode} checks the policy at once (not
 * scheduled: 409 AGENT_NOT_SCHEDULED, except to go LOGGED_OUT; READY while a mandatory break is
 * due: 409 MANDATORY_BREAK_VIOLATION; a refusal is in the ledger as STATE_CHANGE_REFUSED),
 * answers 200 with the new state, and applies it after the consistency delay (CONS-01). Only
 * READY agents are rung; an agent leaving READY while ringing hands the ring to the others
 * (AGT-04). Shifts and break windows of the fixture ("shift", "breaks": mock seconds from the
 * start) make both policies change over time (003). GET /api/v2/users/{userId}/state reads the
 * applied state and its reason code (WORKING, BREAK, ADHOC, SYSTEM_IDLE, GENERAL; one by
 * default for each state). Schedules and breaks are
 * read at GET /api/v2/schedules/users/{id} and
 * /api/v2/breaks/users/{id}/status, and set through PUT /__admin/agents/{id}.
 */
#ifndef AGENTSTATE_H
#define AGENTSTATE_H

#include <jansson.h>

#include "sim.h"

/* Each returns the status and stores the body in *out. */
int cxm_agent_state_write(struct cxm_sim *s, const char *user, json_t *body, json_t **out);
int cxm_agent_state_read(struct cxm_sim *s, const char *user, json_t **out);
int cxm_agent_schedule(struct cxm_sim *s, const char *user, json_t **out);
int cxm_agent_break(struct cxm_sim *s, const char *user, json_t **out);

/* Whether agent A is scheduled now (its flag, and inside its shift if it has one); whether a
 * mandatory break is due (its flag, or a break window now: *ends_ms its end, else -1). */
int cxm_agent_scheduled_now(const struct cxm_sim *s, int a);
int cxm_agent_break_due(const struct cxm_sim *s, int a, int64_t *ends_ms);

/* The scheduled apply (CXM_EV_APPLY_STATE). */
struct cxm_pending;

#endif
