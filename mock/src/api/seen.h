/* seen.h - what the mock saw of each public request, for an observer above the layer.
 *
 * `cxmock gate` judges an outside program from the mock's side: it needs every public request
 * with its answer, who sent it and which token it carried. The layer calls the observer (if
 * any) once per public request, after the handler and with the lock held, so everything here
 * is borrowed for the call only and the simulation may be read but not changed. Admin requests
 * and unrouted ones are not public: the observer does not see them.
 */
#ifndef SEEN_H
#define SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "request.h"

struct cxm_api;
struct cxm_route;
struct cxm_token;

struct cxm_seen {
    const struct cxm_api *api;
    const struct cxm_req *rq;
    const struct cxm_resp *rs;
    const struct cxm_route *route;
    char *const *params;         /* the route's path parameters, percent-decoded */
    int nparams;                 /* how many it has */
    const struct cxm_token *tok; /* the bearer it carried, when valid; else NULL */
    int64_t start_ns, end_ns;    /* CLOCK_MONOTONIC: handling began, the answer was ready */
};

typedef void cxm_seen_fn(void *ctx, const struct cxm_seen *s);

/* The route's pattern ("POST /api/v2/interactions/{}/accept") and index. */
const char *cxm_seen_route(const struct cxm_seen *s, char *buf, size_t size);
size_t cxm_seen_route_index(const struct cxm_seen *s);

/* The route's first path parameter (the interaction, contact or user it is about), or NULL. */
const char *cxm_seen_subject(const struct cxm_seen *s);

/* The client id the request speaks for: its bearer's client, or on the token endpoint the
 * client it named (HTTP Basic or client_id, whether or not it authenticated) into BUF; NULL if
 * none. */
const char *cxm_seen_client(const struct cxm_seen *s, char *buf, size_t size);

/* On the token endpoint, the username of a password grant into BUF, or NULL. */
const char *cxm_seen_username(const struct cxm_seen *s, char *buf, size_t size);

/* The agent its valid bearer is bound to (a password grant), or NULL. */
const char *cxm_seen_token_agent(const struct cxm_seen *s);

/* The serial of the bearer it presented, valid or not (0: none, or not one the mock issued);
 * whether that token was revoked (AUTH-05); on the token endpoint, the serial of the token it
 * was given (0: none). */
uint64_t cxm_seen_bearer_serial(const struct cxm_seen *s);
int cxm_seen_bearer_revoked(const struct cxm_seen *s);
uint64_t cxm_seen_issued_serial(const struct cxm_seen *s);

/* The agent that owns interaction ID now (attached or accepted), or NULL. */
const char *cxm_seen_owner(const struct cxm_seen *s, const char *id);

/* The state interaction ID is in now (the mock's ground truth: "Timeout" for an accept that
 * came too late), or NULL. */
const char *cxm_seen_state(const struct cxm_seen *s, const char *id);

/* The wait a 429 or 503 told, in wall microseconds (SIM-06): its exact retryAfterMs when the
 * body has one, else the Retry-After header (whole seconds, rounded up); -1 if none. */
int64_t cxm_seen_retry_after_us(const struct cxm_seen *s);

/* The idempotency key an injection is known by: X-Idempotency-Key, or Idempotency-Key when
 * the tenant takes either (INJ-05); NULL if none. */
const char *cxm_seen_inject_key(const struct cxm_seen *s);

/* The business key of an injection body: the digest the ledger's CREATED names (INJ-05). */
void cxm_seen_business_key(json_t *body, char out[24]);

#endif
