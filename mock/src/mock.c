/* mock.c - the mock's life cycle: load, start threads and server, stop (cxmock.h). */
#include "mock.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "webhooks.h"

void cxm_options_default(struct cxm_options *o)
{
    memset(o, 0, sizeof *o);
    o->bind = "127.0.0.1";
    o->port = 8080;
    o->seed = 1;
    o->clock = "real";
    o->threads = 64;
    o->max_body = 1 << 20;
    o->request_timeout_ms = 60000;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread of ours uses libcurl */
}

static void on_events(void *ctx)
{
    struct cxm *m = ctx;
    pthread_cond_broadcast(&m->events_cond);
    if (m->webhooks)
        cxm_webhooks_notify(m->webhooks);
}

void cxm_kick_timer(struct cxm *m)
{
    pthread_cond_signal(&m->timer_cond);
}

static void kick_timer(void *ctx)
{
    cxm_kick_timer(ctx);
}

int cxm_create(const struct cxm_options *o, struct cxm **out, char *err, size_t errsz)
{
    enum cxm_clock_mode mode;
    double scale;
    if (cxm_clock_parse(o->clock ? o->clock : "real", &mode, &scale) < 0) {
        snprintf(err, errsz, "--clock: expected real, scaled:X (X > 0) or manual, not '%s'",
                 o->clock);
        return -1;
    }
    pthread_once(&curl_once, curl_init);
    struct cxm *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    m->opts = *o;
    m->port = -1;
    struct cx_error e;
    int rc = o->tenant_path ? cxm_tenant_load_file(o->tenant_path, &m->tenant, &e)
                            : cxm_tenant_load_default(&m->tenant, &e);
    if (rc < 0) {
        cx_error_format(&e, err, errsz);
        free(m);
        return -1;
    }
    if (cxm_sim_init(&m->sim, m->tenant, o->seed, mode, scale, o->ledger_path, err, errsz) < 0) {
        cxm_tenant_free(m->tenant);
        free(m);
        return -1;
    }
    /* One lock guards the simulation and its critical sections are short: spin briefly before
     * sleeping, so that worker threads contending for it do not pay a futex sleep each. */
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&m->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->timer_cond, &ca);
    pthread_cond_init(&m->delay_cond, &ca);
    pthread_cond_init(&m->drain_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&m->events_cond, NULL);
    m->sim.on_events = on_events;
    m->sim.on_events_ctx = m;
    m->webhooks = cxm_webhooks_new(&m->sim, &m->lock, kick_timer, m);
    m->sim.webhooks = m->webhooks;
    *out = m;
    return 0;
}

/* Runs scheduled events when they fall due on a real or scaled clock. On a manual clock it only
 * waits: time moves through POST /__admin/clock, which runs the events itself. */
static void *timer_main(void *arg)
{
    struct cxm *m = arg;
    pthread_mutex_lock(&m->lock);
    while (!m->stopping) {
        cxm_sim_run_due(&m->sim);
        int64_t next = cxm_sched_next_due(&m->sim.sched);
        int64_t wait_ns = next == INT64_MAX ? -1 : cxm_clock_wall_ns_until(&m->sim.clock, next);
        if (wait_ns < 0) {
            pthread_cond_wait(&m->timer_cond, &m->lock);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        wait_ns += 200000; /* land just after the due time, not just before */
        ts.tv_sec += (time_t)(wait_ns / 1000000000);
        ts.tv_nsec += (long)(wait_ns % 1000000000);
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&m->timer_cond, &m->lock, &ts);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int cxm_start(struct cxm *m, char *err, size_t errsz)
{
    if (!m->webhooks) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    if (pthread_create(&m->timer, NULL, timer_main, m) != 0) {
        snprintf(err, errsz, "cannot start the timer thread");
        return -1;
    }
    m->timer_started = true;
    if (cxm_webhooks_start(m->webhooks) < 0) {
        snprintf(err, errsz, "cannot start the webhook thread");
        return -1;
    }
    return cxm_http_start(m, err, errsz);
}

int cxm_port(const struct cxm *m)
{
    return m->port;
}

void cxm_destroy(struct cxm *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    __atomic_store_n(&m->stopping, true, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&m->events_cond); /* long polls answer now */
    pthread_cond_signal(&m->timer_cond);
    pthread_cond_broadcast(&m->delay_cond); /* fault delays end now */
    /* Let the woken requests write their answers (at most 5 s) before civetweb stops: once it
     * stops, nothing more is sent. */
    for (int waited_ms = 0;
         __atomic_load_n(&m->in_flight, __ATOMIC_SEQ_CST) > 0 && waited_ms < 5000;
         waited_ms += 50) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 50000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&m->drain_cond, &m->lock, &until);
    }
    pthread_mutex_unlock(&m->lock);
    cxm_http_stop(m);
    if (m->timer_started)
        pthread_join(m->timer, NULL);
    cxm_webhooks_free(m->webhooks);
    cxm_sim_free(&m->sim);
    cxm_tenant_free(m->tenant);
    pthread_cond_destroy(&m->timer_cond);
    pthread_cond_destroy(&m->delay_cond);
    pthread_cond_destroy(&m->events_cond);
    pthread_cond_destroy(&m->drain_cond);
    pthread_mutex_destroy(&m->lock);
    free(m);
}
