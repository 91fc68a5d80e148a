/* inject.h - routing injection (INJ-01 ... INJ-07): external contacts into routing queues.
 *
 * POST /api/v2/routing/contacts creates an interaction like any other: it waits in its queue
 * (ordered by priority on Priority/Custom queues), rings READY agents, and can be accepted or
 * rejected through the agent API. Attributes pass the tenant's schema: unprefixed keys are a
 * 400; strings over maxLength are truncated silently, unregistered keys accepted and ignored,
 * type mismatches accepted and flagged, each with its ledger entry. With X-Idempotency-Key the
 * first 201 is kept for idempotencyTtlSeconds and replayed byte for byte, creating nothing;
 * keys are scoped to the client id. Without a key every POST creates a contact, and the
 * ledger's DUPLICATE_CONTACT check sees the same business key (the request body) twice.
 */
#ifndef INJECT_H
#define INJECT_H

#include <jansson.h>

#include "auth.h"
#include "sim.h"

/* INJ-01 ... INJ-06. business_key: the body's (cxm_business_key), or NULL to work it out.
 * Returns the status; *raw gets the body text (malloc'd). */
int cxm_inject(struct cxm_sim *s, const struct cxm_token *tok, const char *idempotency_key,
               json_t *body, const char *business_key, char **raw);

/* INJ-07 views (new references). */
/* The digest of a contact's request body with sorted keys ("bk-" and 16 hex digits): two POSTs
 * of the same contact have the same one; the ledger's CREATED names it (INJ-05). */
void cxm_business_key(json_t *body, char out[24]);

json_t *cxm_view_routing_queue(const struct cxm_sim *s, int q);
json_t *cxm_view_attribute_schema(const struct cxm_sim *s);

/* The queue's outcome rates now (INJ-06): computed from answered/abandoned, unless forced. */
void cxm_queue_rates(const struct cxm_sim *s, int q, double *abandon_rate, double *service_level);

#endif
