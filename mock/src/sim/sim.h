/* sim.h - the simulated tenant: everything the mock knows, with no sockets and no threads.
 *
 * One struct holds the clock (SIM-01), the PRNG (SIM-02), the scheduler, the ledger (SIM-03),
 * the event stream, the tokens and the model. Nothing here knows sockets, threads or locks: the
 * API layer (mock/src/api) calls every function with its lock held, tests call them from one
 * thread. Request handlers call the operations in actions.h, inject.h, priority.h, agentstate.h
 * and gws.h; delayed effects run through cxm_sim_run_due, each by its own event type
 * (scheduler.h).
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

/* Who hears of what the simulation does outside a request's answer: the long poll and the
 * webhooks (layers above it), told through callbacks so that the simulation knows neither. */
struct cxm_sim_observer {
    void (*events_added)(void *ctx); /* events were appended (cxm_sim_emit); may be NULL */
    void (*reset)(void *ctx);        /* the simulation restarted (cxm_sim_reset); may be NULL */
};

#define CXM_SIM_OBSERVERS 4

struct cxm_sim {
    const struct cxm_tenant *tenant; /* not owned */
    uint64_t seed;
    struct cxm_clock clock;
    int64_t now;
    struct cx_prng prng;
    struct cxm_sched sched;
    struct cxm_ledger ledger;
    struct cxm_events events;
    struct cxm_auth auth;
    struct cxm_model model;
    uint64_t next_request;
    uint64_t next_token_serial;
    char req[24]; /* id of the request being handled ("r12"), "" while timers run */
    struct {
        const struct cxm_sim_observer *o;
        void *ctx;
    } observers[CXM_SIM_OBSERVERS];
    size_t nobservers;
    int64_t origin;                    /* mock time of the start or last reset (fault windows) */
    int64_t evaluation_due;            /* the pending evaluation cycle's time (PRI-04), 0 if none */
    struct cxm_faults faults;          /* the fault plan in force (FLT-01) */
    struct cxm_idem idem;              /* idempotency keys (INJ-05, PRI-05) */
    struct cxm_window *client_windows; /* [client * CXM_GROUPS + group] (RATE-01, AUTH-06) */
    struct cxm_window tenant_window;   /* tenantPerMin over every public API call */
    struct cxm_window state_window;    /* agentStatePerMin over agent-state writes */
};

/* Tell o's callbacks (with ctx) what the simulation does; o must outlive the simulation.
 * Returns 0, or -1 when CXM_SIM_OBSERVERS are registered already. */
int cxm_sim_observe(struct cxm_sim *s, const struct cxm_sim_observer *o, void *ctx);

/* Create the simulation of tenant t (borrowed; must outlive it); its ledger's file as lo says
 * (NULL: none), started with a START line. Returns 0, or -1 with why in err. */
int cxm_sim_init(struct cxm_sim *s, const struct cxm_tenant *t, uint64_t seed,
                 enum cxm_clock_mode mode, double scale, const struct cxm_ledger_options *lo,
                 struct cx_error *err);
void cxm_sim_free(struct cxm_sim *s);

/* Back to the fixture (POST /__admin/reset): model, tokens, events, scheduler and ledger
 * restart; the PRNG is reseeded with seed. A manual clock goes back to its start, so the same
 * requests after a reset give a fresh mock's ledger; a real or scaled clock keeps running. */
int cxm_sim_reset(struct cxm_sim *s, uint64_t seed);

/* Forget the ended interactions past the fixture's endedRetention (model.h); at the start of
 * each request and after the timers ran, where no interaction pointer is held. */
void cxm_sim_compact(struct cxm_sim *s);

/* Start handling a request: run every event due by the clock, set now, and take the next
 * request id into s->req. */
void cxm_sim_begin_request(struct cxm_sim *s);

/* Run events due by the clock's reading; returns how many ran. */
int cxm_sim_run_due(struct cxm_sim *s);

/* Replace the fault plan with `plan` (validated). Returns 0, or -1 with the bad value's path as
 * err's key and what was expected (cxm_faults_parse). */
int cxm_sim_set_faults(struct cxm_sim *s, json_t *plan, struct cx_error *err);

/* Record in the ledger at `now`, caused by the current request (fields stolen). fields NULL is
 * an entry that could not be built (a json_pack that failed): the ledger records a LEDGER_ERROR
 * in its place and breaks (ledger.h), so the request is answered 503 and not acknowledged. */
void cxm_sim_record(struct cxm_sim *s, const char *type, json_t *fields);
/* The same with the fields written as text: an object's members without braces, none of them
 * a fixed key (cxm_ledger_add_members). */
void cxm_sim_record_members(struct cxm_sim *s, const char *type, const char *members, size_t len);

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
