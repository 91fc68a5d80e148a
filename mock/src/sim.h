/* sim.h - the simulated tenant: everything the mock knows, with no sockets and no threads.
 *
 * One struct holds the clock (SIM-01), the PRNG (SIM-02), the scheduler, the ledger (SIM-03),
 * the event stream, the tokens and the model. Every function here is called with the mock's
 * lock held (mock.c) or from a single-threaded test. Request handlers (api_*.c) call the
 * operations in actions.h and auth.h; timers run through cxm_sim_run_due.
 *
 * `now` is the simulation's current time: the clock's reading while a request is handled, and
 * the event's due time while a scheduled event runs, so every effect is stamped with the exact
 * mock time it belongs to whatever thread ran it and however late.
 */
#ifndef SIM_H
#define SIM_H

#include <stdint.h>

#include "auth.h"
#include "clock.h"
#include "events.h"
#include "faults.h"
#include "idem.h"
#include "ledger.h"
#include "model.h"
#include "prng.h"
#include "ratelimit.h"
#include "scheduler.h"
#include "tenant.h"

/* Kinds of scheduled events. */
enum cxm_ev_kind {
    CXM_EV_APPLY_ACCEPT = 1, /* data: struct cxm_pending */
    CXM_EV_APPLY_REJECT,     /* data: struct cxm_pending */
    CXM_EV_RING_EXPIRED,     /* arg: interaction index; stale unless id == its ring_timer */
    CXM_EV_TEARDOWN,         /* arg: interaction index: Timeout -> Ended (ACC-06) */
    CXM_EV_WEBHOOK_RETRY,    /* arg: webhook index */
    CXM_EV_EVALUATE,         /* the routing evaluation cycle (PRI-04) */
    CXM_EV_APPLY_OP,         /* data: struct cxm_pending: a /me/interactions operation */
    CXM_EV_APPLY_STATE,      /* data: struct cxm_pending: an agent-state write (AGT-01) */
};

struct cxm_webhooks; /* webhooks.h */

struct cxm_sim {
    const struct cxm_tenant *tenant; /* not owned */
    uint64_t seed;
    struct cxm_clock clock;
    int64_t now;
    struct cxm_prng prng;
    struct cxm_sched sched;
    struct cxm_ledger ledger;
    struct cxm_events events;
    struct cxm_auth auth;
    struct cxm_model model;
    uint64_t next_request;
    uint64_t next_token_serial;
    char req[24]; /* id of the request being handled ("r12"), "" while timers run */
    /* Called after events are appended (to wake long polls and webhooks); may be NULL. */
    void (*on_events)(void *ctx);
    void *on_events_ctx;
    struct cxm_webhooks *webhooks;     /* may be NULL */
    int64_t origin;                    /* mock time of the start or last reset (fault windows) */
    int64_t evaluation_due;            /* the pending evaluation cycle's time (PRI-04), 0 if none */
    struct cxm_faults faults;          /* the fault plan in force (FLT-01) */
    struct cxm_idem idem;              /* idempotency keys (INJ-05, PRI-05) */
    struct cxm_window *client_windows; /* [client * CXM_GROUPS + group] (RATE-01, AUTH-06) */
    struct cxm_window tenant_window;   /* tenantPerMin over every public API call */
    struct cxm_window state_window;    /* agentStatePerMin over agent-state writes */
};

/* Create the simulation of tenant t (borrowed; must outlive it). ledger_path may be NULL.
 * Returns 0, or -1 with a message in err. */
int cxm_sim_init(struct cxm_sim *s, const struct cxm_tenant *t, uint64_t seed,
                 enum cxm_clock_mode mode, double scale, const char *ledger_path, char *err,
                 size_t errsz);
void cxm_sim_free(struct cxm_sim *s);

/* Back to the fixture (POST /__admin/reset): model, tokens, events, scheduler and ledger
 * restart; the PRNG is reseeded with seed; the clock keeps running (manual: keeps its time). */
int cxm_sim_reset(struct cxm_sim *s, uint64_t seed);

/* Start handling a request: run every event due by the clock, set now, and take the next
 * request id into s->req. */
void cxm_sim_begin_request(struct cxm_sim *s);

/* Run events due by the clock's reading; returns how many ran. */
int cxm_sim_run_due(struct cxm_sim *s);

/* Replace the fault plan with `plan` (validated). Returns 0, or -1 with path and msg. */
int cxm_sim_set_faults(struct cxm_sim *s, json_t *plan, char *path, size_t pathsz, char *msg,
                       size_t msgsz);

/* Record in the ledger at `now`, caused by the current request (fields stolen, may be NULL). */
void cxm_sim_record(struct cxm_sim *s, const char *type, json_t *fields);

/* Emit an event to long polls and webhooks (payload stolen). */
void cxm_sim_emit(struct cxm_sim *s, const char *type, json_t *payload);

/* A delay drawn from the tenant's consistency window (CONS-01), in ms. */
int64_t cxm_sim_consistency_delay(struct cxm_sim *s);

/* An API error body: {"error": error, "detail": printf(fmt, ...)} (detail omitted if fmt is
 * NULL). A new reference. */
json_t *cxm_err(const char *error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Check that body is a JSON object holding only the allowed keys (a NULL-terminated list).
 * Returns 0, or -1 with a 400 body in *out naming the first unknown field. */
int cxm_check_fields(json_t *body, const char *const *allowed, json_t **out);

/* A validation error naming the field: {"error":"validation_error","field":f,"detail":...}. */
json_t *cxm_field_err(const char *field, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
