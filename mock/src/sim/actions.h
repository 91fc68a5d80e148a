/* actions.h - client writes on interactions and the admin's direct changes.
 *
 * Accept (ACC-01 ... ACC-06) and reject (REJ-01 ... REJ-04) are acknowledged at once and applied
 * after the consistency delay (CONS-01): the acknowledgement checks the request against the
 * current state, records it in the ledger, and schedules the apply. Writes to one interaction
 * apply in the order they were acknowledged. Accepts are first-wins: the first acknowledged
 * accept reserves the interaction (pending_owner) and every later accept is answered with that
 * owner (ACC-05).
 *
 * Each function returns an HTTP status and stores the response body (a new reference) in *out.
 */
#ifndef ACTIONS_H
#define ACTIONS_H

#include <stdbool.h>
#include <jansson.h>

#include "auth.h"
#include "sim.h"

/* An acknowledged write waiting for its apply. */
/* What a reject does with the interaction when it is applied. */
enum cxm_reject_mode {
    CXM_REJECT_END,     /* returnToQueue false or absent: the interaction ends (REJ-01) */
    CXM_REJECT_REQUEUE, /* returnToQueue true: back to its queue, subject to its overflow
                         * (REJ-01, REJ-03) */
    CXM_REJECT_PRESENT, /* the agent API's Reject: presented to another agent, never dropped
                         * (GWS-04) */
};

struct cxm_pending {
    long ix; /* interaction, or -1 */
    int agent;
    enum cxm_reject_mode reject;
    char *reason;     /* stored reject reason or reason code, or NULL */
    json_t *metadata; /* or NULL */
    char req[24];     /* the request that made it */
    int op;           /* gws.h operation or agent state */
    int target;       /* Transfer: the new agent; PlaceInQueue: the queue */
    char *text;       /* PlaceInWorkbin, GetWorkbinContent: the workbin */
    json_t *data;     /* userData */
};

/* Schedule p's apply, an event of `type` whose data is p, after the consistency delay, in order
 * behind earlier writes to the same interaction (CONS-01); p is taken. type->free_data must be
 * cxm_pending_free_data. */
void cxm_schedule_apply(struct cxm_sim *s, const struct cxm_event_type *type,
                        struct cxm_pending *p);

void cxm_pending_free(struct cxm_pending *p);
void cxm_pending_free_data(void *p); /* the free_data of every apply's event type */

/* POST /api/v2/interactions/{id}/accept and /reject; tok is the caller's valid token. */
int cxm_accept(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
               json_t **out);
int cxm_reject(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
               json_t **out);
/* The agent API's Reject (GWS-04): as cxm_reject, the interaction presented to another agent. */
int cxm_reject_present(struct cxm_sim *s, const struct cxm_token *tok, const char *id,
                       json_t **out);

/* Admin: an inbound contact arrives {channel, queueId, externalId} -> 201 {id, ...}. */
int cxm_admin_create_interaction(struct cxm_sim *s, json_t *body, json_t **out);
/* Admin: the customer hangs up: the interaction ends wherever it is. */
int cxm_admin_end_interaction(struct cxm_sim *s, const char *id, json_t **out);
/* An agent's state changes now: event AGENT_STATE_CHANGED, ledger AGENT_STATE, AGT-04. */
void cxm_agent_change_state(struct cxm_sim *s, int a, enum cxm_agent_state to, const char *cause);

/* Admin: change an agent {state, channels, scheduled, mandatoryBreak}, applied at once. */
int cxm_admin_update_agent(struct cxm_sim *s, const char *id, json_t *body, json_t **out);
/* Admin: change a queue {status: "Overflow"|"Normal"|"auto", abandonRate, serviceLevel}
 * (rates in [0, 1] force the current values INJ-06 judges; null computes them again). */
int cxm_admin_update_queue(struct cxm_sim *s, const char *id, json_t *body, json_t **out);

#endif
