/* simtest.h - unit tests of the simulation with no sockets: a mock built by cxm_create (no
 * threads, no server) on the manual clock, driven through cxm_dispatch exactly as the HTTP
 * layer drives it. Include after cmocka.h. */
#ifndef SIMTEST_H
#define SIMTEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "mock.h"
#include "router.h"

struct st_res {
    int status;
    json_t *body; /* parsed response body, or NULL */
    char retry_after[24], allow[64], www_authenticate[64], request_id[24];
    int64_t delay_ms; /* fault latency the HTTP layer would add */
    bool reset;       /* the HTTP layer would reset the connection */
};

/* A manual-clock mock of the default tenant (fixture NULL) or of fixture text. Fails the test
 * on error. */
struct cxm *st_new(const char *fixture, uint64_t seed);
void st_free(struct cxm *m);

/* One request; body may be NULL. auth is a full Authorization header value or NULL. The
 * previous result's body is released by the next call on the same struct. */
struct st_res *st_call(struct cxm *m, const char *method, const char *path, const char *auth,
                       const char *body);
/* Dispatch a request built by the caller (headers such as Idempotency-Key). */
struct st_res *st_request(struct cxm *m, const struct cxm_req *rq);

/* As st_call with a form body (token endpoint). */
struct st_res *st_form(struct cxm *m, const char *path, const char *auth, const char *form);

/* "Bearer <token>" for a client-credentials token (static buffer per slot 0..7). */
const char *st_client(struct cxm *m, int slot, const char *client, const char *secret);
/* "Bearer <token>" for an agent's password-grant token via cx-integration. */
const char *st_agent(struct cxm *m, int slot, const char *email, const char *password);

/* Create an interaction (POST /__admin/interactions) and return its id (static per slot). */
const char *st_create(struct cxm *m, int slot, const char *channel, const char *queue,
                      const char *external_id);

/* Advance the manual clock (runs due events). */
void st_advance(struct cxm *m, int64_t ms);

/* "Bearer <token>" of client cx-integration, fetched once per mock and again when it stops
 * being valid (slot 7). */
const char *st_bearer(struct cxm *m);

/* GET /api/v2/interactions/{id} with st_bearer; the body, or NULL if not 200. */
json_t *st_get(struct cxm *m, const char *id);
/* Its state string ("" if not 200). */
const char *st_state(struct cxm *m, const char *id);

/* Number of ledger entries of type (and interactionId, if not NULL); *last gets the last one
 * found (borrowed until the next st_ledger_* call) if last is not NULL. */
int st_ledger_count(struct cxm *m, const char *type, const char *interaction, json_t **last);

/* Count of a SIM-04 check at /__admin/violations. */
long st_violations(struct cxm *m, const char *check);

#define ST_STR(obj, key) json_string_value(json_object_get((obj), (key)))

#endif
