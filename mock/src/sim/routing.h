/* routing.h - the routing engine: ring groups, ring timers, queue status (ACC-04, ACC-06,
 * REJ-03).
 *
 * Routing offers each waiting interaction, in queue order, to every eligible agent at once:
 * READY, holding its channel, serving its queue, not ringing for another interaction, not busy
 * on an Active one, and not among the agents who rejected it. A ring lasts the queue's
 * ringSeconds; when it expires unanswered the interaction rings again (a fresh group) until
 * maxRings rings have gone by, then it goes Timeout and, teardownMs later, Ended. An
 * interaction with no eligible agent waits Queued with its ring count kept.
 */
#ifndef ROUTING_H
#define ROUTING_H

#include <jansson.h>

#include "sim.h"

/* Offer every waiting interaction of every queue to its eligible agents. */
void cxm_route(struct cxm_sim *s);

/* Put an interaction (back) into queue q as Queued: joins the queue, ring count 0. */
void cxm_enqueue(struct cxm_sim *s, long ix, int q, const char *cause);

/* Release its ring group and cancel its ring timer. */
void cxm_stop_ringing(struct cxm_sim *s, long ix);

/* Take an agent out of the ring group it is in, if any (AGT-04); the interaction rings on
 * with the others, or goes back to Queued when none are left. */
void cxm_agent_stop_ringing(struct cxm_sim *s, int agent);

/* Change an interaction's state: ledger STATE and event interaction.state.changed
 * (CONS-02). No-op if unchanged. */
void cxm_set_state(struct cxm_sim *s, long ix, enum cxm_istate to, const char *cause);

/* Outcomes that feed the queue's thresholds (INJ-06): an interaction of queue q was answered
 * (within serviceLevelSeconds of its creation, or not) or abandoned. */
void cxm_note_answered(struct cxm_sim *s, long ix);
void cxm_note_abandoned(struct cxm_sim *s, long ix);

/* is queue q in Overflow now (forced, depth >= overflowDepth or oldest wait >=
 * maxWaitSeconds)? */
int cxm_queue_overflowing(const struct cxm_sim *s, int q);

/* Views: Q-01 and Q-02 (new references). */
json_t *cxm_view_queue(const struct cxm_sim *s, int q);
json_t *cxm_view_queue_stats(const struct cxm_sim *s, int q);

#endif
