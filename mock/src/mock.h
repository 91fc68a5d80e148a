/* mock.h - the mock's insides shared by mock.c, router.c and the api_*.c handlers.
 *
 * One lock guards the simulation: every handler runs with it held (router.c), the timer
 * thread runs due events with it held, the webhook thread takes it to read events. Handlers
 * never sleep; a long poll waits on events_cond, which releases the lock.
 */
#ifndef MOCK_H
#define MOCK_H

#include <pthread.h>
#include <stdbool.h>

#include "cxmock.h"
#include "metrics.h"
#include "sim.h"
#include "tenant.h"

struct mg_context;
struct cxm_webhooks;

struct cxm {
    struct cxm_options opts; /* strings borrowed from the caller */
    struct cxm_tenant *tenant;
    struct cxm_sim sim;
    pthread_mutex_t lock;
    pthread_cond_t events_cond; /* broadcast when events are appended (long polls) */
    pthread_cond_t timer_cond;  /* signalled when the next due time may have moved */
    pthread_cond_t delay_cond;  /* fault delays wait here (monotonic); broadcast at stop */
    pthread_t timer;
    bool timer_started;
    bool stopping;
    struct cxm_webhooks *webhooks;
    struct mg_context *http;
    int port;
    struct cxm_metrics metrics;      /* GET /metrics; guarded by lock */
    int in_flight;                   /* requests not yet answered (guarded by lock) */
    pthread_cond_t drain_cond;       /* broadcast when in_flight drops to 0 */
    int workers_busy;                /* connections held by civetweb workers (atomic) */
    unsigned long workers_saturated; /* times every worker was busy (atomic) */
    int saturation_warned;           /* atomic */
};

/* Wake the timer thread (call with the lock held after scheduling something). */
void cxm_kick_timer(struct cxm *m);

#endif
