/* mock.c - the mock's life cycle (cxmock.h): load the tenant, build the API layer over the
 * simulation, start the timer thread, the webhook deliveries and the HTTP server; stop them in
 * reverse. */
#include "cxmock.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "invariants.h"
#include "http.h"
#include "tenant.h"
#include "webhooks.h"

struct cxm {
    struct cxm_options opts; /* strings borrowed from the caller */
    struct cxm_tenant *tenant;
    struct cxm_api api;
    struct cxm_webhooks *webhooks;
    struct cxm_http *http;
    pthread_t timer;
    bool timer_started;
};

void cxm_options_default(struct cxm_options *o)
{
    memset(o, 0, sizeof *o);
    o->bind = "127.0.0.1";
    o->port = 8080;
    o->seed = 1;
    o->clock = "real";
    o->threads = 64;
    o->max_body = 1 << 20;
    o->idle_timeout_ms = 5000;
    o->request_timeout_ms = 15000;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread of ours uses libcurl */
}

static void kick_timer(void *ctx)
{
    cxm_api_kick_timer(ctx);
}

static json_t *webhooks_state(void *ctx)
{
    return json_pack("{so}", "webhooks", cxm_webhooks_view(ctx));
}

int cxm_create(const struct cxm_options *o, struct cxm **out, struct cx_error *err)
{
    pthread_once(&curl_once, curl_init);
    struct cxm *m = calloc(1, sizeof *m);
    if (!m) {
        return cx_error_set(err, "out of memory");
    }
    m->opts = *o;
    int rc = o->tenant_path ? cxm_tenant_load_file(o->tenant_path, &m->tenant, err)
                            : cxm_tenant_load_default(&m->tenant, err);
    if (rc < 0) {
        free(m);
        return -1;
    }
    enum cxm_told told = m->tenant->client_time;
    if (o->client_time && cxm_told_parse(o->client_time, &told) < 0) {
        cxm_tenant_free(m->tenant);
        free(m);
        return cx_error_set(err, "--client-time: expected wall or mock, not '%s'", o->client_time);
    }
    struct cxm_api_options ao = {o->admin_token, o->threads};
    struct cxm_ledger_options lo = {o->ledger_path, CXM_LEDGER_FSYNC_INTERVAL};
    if (o->ledger_fsync && cxm_ledger_fsync_parse(o->ledger_fsync, &lo.fsync) < 0) {
        cxm_tenant_free(m->tenant);
        free(m);
        return cx_error_set(err, "--ledger-fsync: expected always, interval or never, not '%s'",
                            o->ledger_fsync);
    }
    if (cxm_api_init(&m->api, &ao, m->tenant, o->seed, o->clock, &lo, err) < 0) {
        cxm_tenant_free(m->tenant);
        free(m);
        return -1;
    }
    m->api.sim.clock.told = told;
    m->webhooks = cxm_webhooks_new(&m->api.sim, &m->api.lock, kick_timer, &m->api);
    if (!m->webhooks) {
        cxm_destroy(m);
        return cx_error_set(err, "out of memory");
    }
    m->api.state_extra = webhooks_state;
    m->api.state_extra_ctx = m->webhooks;
    m->api.seen = o->seen;
    m->api.seen_ctx = o->seen_ctx;
    *out = m;
    return 0;
}

/* ts = now on CLOCK_MONOTONIC + ns. */
static void deadline_after_ns(struct timespec *ts, int64_t ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ns / 1000000000);
    ts->tv_nsec += (long)(ns % 1000000000);
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

/* Runs scheduled events when they fall due on a real or scaled clock. On a manual clock it only
 * waits: time moves through POST /__admin/clock, which runs the events itself. */
static void *timer_main(void *arg)
{
    struct cxm_api *a = arg;
    pthread_mutex_lock(&a->lock);
    while (!a->stopping) {
        cxm_sim_run_due(&a->sim);
        cxm_sim_compact(&a->sim);
        cxm_ledger_sync(&a->sim.ledger, a->sim.ledger.added); /* what the timers did, written */
        int64_t next = cxm_sched_next_due(&a->sim.sched);
        int64_t wait_ns = next == INT64_MAX ? -1 : cxm_clock_wall_ns_until(&a->sim.clock, next);
        if (wait_ns < 0) {
            pthread_cond_wait(&a->timer_cond, &a->lock);
            continue;
        }
        struct timespec ts;
        deadline_after_ns(&ts, wait_ns + 200000); /* land just after the due time */
        pthread_cond_timedwait(&a->timer_cond, &a->lock, &ts);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

int cxm_start(struct cxm *m, struct cx_error *err)
{
    if (pthread_create(&m->timer, NULL, timer_main, &m->api) != 0) {
        return cx_error_set(err, "cannot start the timer thread");
    }
    m->timer_started = true;
    if (cxm_webhooks_start(m->webhooks) < 0) {
        return cx_error_set(err, "cannot start the webhook thread");
    }
    struct cxm_http_options ho = {m->opts.bind,
                                  m->opts.port,
                                  m->opts.threads,
                                  m->opts.max_body,
                                  m->opts.idle_timeout_ms,
                                  m->opts.request_timeout_ms};
    if (cxm_http_start(&m->api, &ho, &m->http, err) < 0)
        return -1;
    cxm_api_set_base_url(&m->api, m->opts.bind, cxm_http_port(m->http));
    return 0;
}

int cxm_port(const struct cxm *m)
{
    return cxm_http_port(m->http);
}

void cxm_destroy(struct cxm *m)
{
    if (!m)
        return;
    cxm_api_stop(&m->api);
    cxm_http_stop(m->http);
    if (m->timer_started)
        pthread_join(m->timer, NULL);
    cxm_webhooks_free(m->webhooks);
    cxm_api_free(&m->api);
    cxm_tenant_free(m->tenant);
    free(m);
}

void cxm_settle(struct cxm *m, int (*stop)(void))
{
    const struct cxm_tenant *t = m->tenant;
    int later =
        t->evaluation_interval_ms > t->teardown_ms ? t->evaluation_interval_ms : t->teardown_ms;
    pthread_mutex_lock(&m->api.lock);
    int64_t until = cxm_clock_now(&m->api.sim.clock) + t->consistency_max_ms + later + 100;
    for (;;) {
        int64_t ns = cxm_clock_wall_ns_until(&m->api.sim.clock, until);
        if (ns <= 0 || m->api.sim.clock.mode == CXM_CLOCK_MANUAL || (stop && stop()))
            break;
        struct timespec ts;
        deadline_after_ns(&ts, ns < 50000000 ? ns : 50000000);
        pthread_cond_timedwait(&m->api.delay_cond, &m->api.lock, &ts); /* the timer runs them */
    }
    pthread_mutex_unlock(&m->api.lock);
}

json_t *cxm_violations(struct cxm *m)
{
    pthread_mutex_lock(&m->api.lock);
    json_t *v = cxm_invariants(&m->api.sim.ledger);
    pthread_mutex_unlock(&m->api.lock);
    return v;
}

int cxm_default_client(const struct cxm *m, const char **id, const char **secret)
{
    if (!m->tenant->nclients)
        return -1;
    *id = m->tenant->clients[0].id;
    *secret = m->tenant->clients[0].secret;
    return 0;
}
