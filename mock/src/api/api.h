/* api.h - the request-handling layer: the simulation behind one lock, requests in, responses
 * out, with no sockets.
 *
 * The HTTP layer (mock/src/http) turns each civetweb request into a struct cxm_req and calls
 * cxm_api_dispatch from its worker thread; tests build cxm_reqs by hand. Dispatch finds the
 * route (router.c), takes the lock, starts the request in the simulation and runs the public
 * pipeline (pipeline.c: faults, bearer, rate limits) and the route's handler (api_*.c).
 *
 * One lock guards the simulation: every handler runs with it held; the life cycle's timer
 * thread takes it to run due events, the webhook thread to read events. Handlers never sleep;
 * a long poll waits on events_cond, which releases the lock.
 */
#ifndef API_H
#define API_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "request.h"
#include "seen.h"
#include "sim.h"

/* What the layer needs to know of the mock's options. */
struct cxm_api_options {
    const char *admin_token; /* NULL: the admin API answers loopback only */
    int threads;             /* HTTP worker threads, shown in /metrics */
};

/* The HTTP layer's worker accounting, shown by /metrics (atomics: written without the lock). */
struct cxm_workers {
    int busy;                /* connections held by workers now */
    unsigned long saturated; /* connections opened while every worker was busy */
    int warned;              /* the saturation warning was printed */
    unsigned long evicted;   /* idle connections closed for connections waiting (http.h) */
};

/* Long polls that wait, bounded so they cannot hold every worker (api_events.c); guarded by
 * lock. */
struct cxm_long_polls {
    int waiting;           /* waiting now */
    unsigned long refused; /* answered 503 because `waiting` was at the budget */
};

struct cxm_api {
    struct cxm_api_options opts;
    struct cxm_sim sim;
    pthread_mutex_t lock;
    pthread_cond_t events_cond; /* broadcast when events are appended (long polls) */
    pthread_cond_t timer_cond;  /* signalled when the next due time may have moved */
    pthread_cond_t delay_cond;  /* fault delays wait here (monotonic); broadcast at stop */
    pthread_cond_t drain_cond;  /* broadcast when in_flight drops to 0 while stopping */
    bool stopping;              /* atomic: no more waiting; long polls answer now */
    int in_flight;              /* atomic: requests not yet answered */
    struct cxm_metrics metrics; /* GET /metrics; guarded by lock */
    struct cxm_workers workers;
    struct cxm_long_polls long_polls;
    /* More of GET /__admin/state, from a layer above (the webhooks); may be NULL. */
    json_t *(*state_extra)(void *ctx);
    void *state_extra_ctx;
    /* Told of every public request, with the lock held (seen.h); may be NULL. */
    cxm_seen_fn *seen;
    void *seen_ctx;
    /* The base of the URIs answers carry (cxm_api_set_base_url); guarded by lock. */
    char base_url[320];
};

/* Build the simulation of tenant t (borrowed; must outlive the layer) and the lock around it.
 * Returns 0, or -1 with why in err. */
int cxm_api_init(struct cxm_api *a, const struct cxm_api_options *o, const struct cxm_tenant *t,
                 uint64_t seed, const char *clock, const struct cxm_ledger_options *ledger,
                 struct cx_error *err);
void cxm_api_free(struct cxm_api *a);

/* Handle one request; fills rs (free with cxm_resp_free). Never fails: errors are responses.
 * Takes the lock; call without it. */
void cxm_api_dispatch(struct cxm_api *a, const struct cxm_req *rq, struct cxm_resp *rs);

/* The HTTP layer's part, from worker threads without the lock: a request arrived (+1) or was
 * answered (-1); wait out a fault's delay of ms wall-clock milliseconds, or less if stopping. */
void cxm_api_in_flight(struct cxm_api *a, int delta);
void cxm_api_fault_delay(struct cxm_api *a, int64_t ms);

/* Stop waiting: long polls and fault delays answer now; then wait (at most 5 s) until every
 * request in flight has been answered. Call without the lock, before the HTTP layer stops. */
void cxm_api_stop(struct cxm_api *a);

/* Set the base of the URIs the mock writes into answers (GWS-01's /me/interactions) from the
 * address BIND (NULL: 127.0.0.1) and PORT it listens on: "http://ADDR:PORT", or
 * "http://[ADDR]:PORT" for IPv6; never from a request's Host header, which the client controls.
 * For a wildcard address (0.0.0.0, ::) the mock cannot tell which of its addresses a client
 * reached: the base stays "", so URIs are path-only references a client resolves against the
 * URL it called. "" too until this is called (in-process tests). Takes the lock. */
void cxm_api_set_base_url(struct cxm_api *a, const char *bind, int port);

/* With the lock held: wake the timer thread (something was scheduled). */
void cxm_api_kick_timer(struct cxm_api *a);

#endif
