/* priority.h - in-flight priority (PRI-01 ... PRI-06).
 *
 * A PATCH is checked at once (an integer 1-10, a contact still queued or waiting, otherwise 409
 * or, with patchAssigned "ignore", 200 and PRIORITY_IGNORED) and applied at the next routing
 * evaluation cycle: cycles fall on multiples of evaluationIntervalMs from the mock's origin,
 * and one is scheduled only while changes wait. At the cycle each waiting PATCH re-evaluates
 * the contact once (ledger REEVALUATION): its priority is set and it is re-inserted in its
 * queue behind the contacts of equal priority, so duplicate PATCHes reorder the queue again
 * (PRI-05). FIFO and LIFO queues keep the value but ignore it for order (PRI-04). With an
 * Idempotency-Key the first response is replayed and nothing is re-evaluated.
 */
#ifndef PRIORITY_H
#define PRIORITY_H

#include <jansson.h>

#include "auth.h"
#include "sim.h"

/* GET /api/v2/routing/contacts/{id}[?expand=queuePosition] (PRI-01). Returns the status. */
int cxm_routing_contact(struct cxm_sim *s, const char *id, int with_position, json_t **out);

/* PATCH /api/v2/routing/contacts/{id}. Returns the status; *raw gets the body text (NULL for
 * 204). */
int cxm_patch_priority(struct cxm_sim *s, const struct cxm_token *tok, const char *id,
                       const char *idempotency_key, json_t *body, char **raw);

/* POST /api/v2/routing/contacts/{id}/routeToQueue {"queueId"} (PRI-07, 002 edge case 1): a
 * contact still queued or waiting moves to another queue at once, its priority kept (ledger
 * ROUTED_TO_QUEUE); otherwise 409. Returns the status. */
int cxm_route_to_queue(struct cxm_sim *s, const char *id, json_t *body, json_t **out);

#endif
