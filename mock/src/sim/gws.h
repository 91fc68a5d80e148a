/* gws.h - Genesys-style agent operations on /me/interactions (GWS-01 ... GWS-04).
 *
 * POST /api/v2/me/interactions/{id} {"operationName": ...} with an agent-bound token. Accept and
 * Reject go through the same accept/reject as the agent API (first wins, ring groups); the
 * others need the caller to own the interaction (GWS-04). Each answers at once with its seed's
 * shape - {"status":"ok"} or {"status":"error","errorDescription":...}, and for Cancel,
 * Complete and Transfer {"statusCode":0} or {"statusCode":n,"statusMessage":...} - and is
 * applied after the consistency delay; the true outcome arrives as an event (CONS-02).
 * Error codes: 1 bad request, 2 not found, 3 not the owner, 4 invalid state.
 */
#ifndef GWS_H
#define GWS_H

#include <jansson.h>

#include "auth.h"
#include "sim.h"

struct cxm_pending;

/* POST /api/v2/me/interactions/{id}. Returns the status; *out the body. */
int cxm_gws_operation(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
                      json_t **out);
/* PUT /api/v2/interactions/{id} {"userData": {...}}: as UpdateUserData. */
int cxm_gws_put(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
                json_t **out);
/* GET /api/v2/interactions (every active interaction) and GET /api/v2/me/interactions (the
 * token's agent's: URIs, or with full the objects). base prefixes URIs (may be ""). */
int cxm_gws_list_all(struct cxm_sim *s, json_t **out);
int cxm_gws_list_mine(struct cxm_sim *s, const struct cxm_token *tok, int full, const char *base,
                      json_t **out);

/* The scheduled apply (CXM_EV_APPLY_OP). */

#endif
