/* simtest.h - unit tests of the simulation with no sockets: the API layer over a simulation of
 * a tenant (no threads, no server) on the manual clock, driven through cxm_api_dispatch exactly
 * as the HTTP layer drives it. Include after cmocka.h. */
#ifndef SIMTEST_H
#define SIMTEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api.h"

struct st_res {
    int status;
    json_t *body; /* parsed response body, or NULL */
    char retry_after[24], allow[64], www_authenticate[320], request_id[24];
    int64_t delay_ms; /* fault latency the HTTP layer would add */
    bool reset;       /* the HTTP layer would reset the connection */
};

/* A manual-clock mock of the default tenant (fixture NULL) or of fixture text. Fails the test
 * on error. */
struct cxm_api *st_new(const char *fixture, uint64_t seed);
/* The default tenant (mock/tenants/default.json) with KEY set to the integer VALUE, as fixture
 * text for st_new (free it). */
char *st_default_with(const char *key, long long value);
/* As st_new, with the ledger also appended to ledger_path (NULL: memory only). */
struct cxm_api *st_open(const char *fixture, uint64_t seed, const char *ledger_path);
/* As st_open, on CLOCK ("real", "scaled:X" or "manual"). */
struct cxm_api *st_open_clock(const char *fixture, uint64_t seed, const char *ledger_path,
                              const char *clock);
void st_free(struct cxm_api *m);

/* One request; body may be NULL. auth is a full Authorization header value or NULL. The
 * previous result's body is released by the next call on the same struct. */
struct st_res *st_call(struct cxm_api *m, const char *method, const char *path, const char *auth,
                       const char *body);
/* Dispatch a request built by the caller (headers such as Idempotency-Key). */
struct st_res *st_request(struct cxm_api *m, const struct cxm_req *rq);

/* As st_call with a form body (token endpoint). */
struct st_res *st_form(struct cxm_api *m, const char *path, const char *auth, const char *form);

/* "Bearer <token>" for a client-credentials token (static buffer per slot 0..7). */
const char *st_client(struct cxm_api *m, int slot, const char *client, const char *secret);
/* "Bearer <token>" for an agent's password-grant token via cx-integration. */
const char *st_agent(struct cxm_api *m, int slot, const char *email, const char *password);

/* Create an interaction (POST /__admin/interactions) and return its id (static per slot). */
const char *st_create(struct cxm_api *m, int slot, const char *channel, const char *queue,
                      const char *external_id);

/* Advance the manual clock (runs due events). */
void st_advance(struct cxm_api *m, int64_t ms);

/* "Bearer <token>" of client cx-integration, fetched once per mock and again when it stops
 * being valid (slot 7). */
const char *st_bearer(struct cxm_api *m);

/* GET /api/v2/interactions/{id} with st_bearer; the body, or NULL if not 200. */
json_t *st_get(struct cxm_api *m, const char *id);
/* Its state string ("" if not 200). */
const char *st_state(struct cxm_api *m, const char *id);

/* Number of ledger entries of type (and interactionId, if not NULL); *last gets the last one
 * found (borrowed until the next st_ledger_* call) if last is not NULL. */
int st_ledger_count(struct cxm_api *m, const char *type, const char *interaction, json_t **last);

/* Count of a SIM-04 check at /__admin/violations. */
long st_violations(struct cxm_api *m, const char *check);

#define ST_STR(obj, key) json_string_value(json_object_get((obj), (key)))

#endif
