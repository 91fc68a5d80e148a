/* api.c - see api.h */
#include "api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "handlers.h"
#include "pipeline.h"
#include "router.h"

/* Long polls wait on events_cond: wake them when the simulation appends events. */
static void wake_long_polls(void *ctx)
{
    struct cxm_api *a = ctx;
    pthread_cond_broadcast(&a->events_cond);
}

static const struct cxm_sim_observer long_polls = {wake_long_polls, NULL};

int cxm_api_init(struct cxm_api *a, const struct cxm_api_options *o, const struct cxm_tenant *t,
                 uint64_t seed, const char *clock, const struct cxm_ledger_options *ledger,
                 struct cx_error *err)
{
    enum cxm_clock_mode mode;
    double scale;
    memset(a, 0, sizeof *a);
    a->opts = *o;
    if (cxm_clock_parse(clock ? clock : "real", &mode, &scale) < 0) {
        return cx_error_set(err,
                            "--clock: expected real, scaled:X (X a decimal from %g to %.0f) or "
                            "manual, not '%s'",
                            CXM_CLOCK_MIN_SCALE, CXM_CLOCK_MAX_SCALE, clock);
    }
    if (cxm_sim_init(&a->sim, t, seed, mode, scale, ledger, err) < 0)
        return -1;
    cxm_sim_observe(&a->sim, &long_polls, a);
    /* One lock guards the simulation and its critical sections are short: spin briefly before
     * sleeping, so that worker threads contending for it do not pay a futex sleep each. */
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&a->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&a->timer_cond, &ca);
    pthread_cond_init(&a->delay_cond, &ca);
    pthread_cond_init(&a->drain_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&a->events_cond, NULL);
    return 0;
}

void cxm_api_free(struct cxm_api *a)
{
    cxm_sim_free(&a->sim);
    pthread_cond_destroy(&a->timer_cond);
    pthread_cond_destroy(&a->delay_cond);
    pthread_cond_destroy(&a->events_cond);
    pthread_cond_destroy(&a->drain_cond);
    pthread_mutex_destroy(&a->lock);
}

void cxm_api_set_base_url(struct cxm_api *a, const char *bind, int port)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (!bind)
        bind = "127.0.0.1";
    int is4 = inet_pton(AF_INET, bind, &v4) == 1, is6 = !is4 && inet_pton(AF_INET6, bind, &v6) == 1;
    pthread_mutex_lock(&a->lock);
    if ((is4 && v4.s_addr == htonl(INADDR_ANY)) || (is6 && IN6_IS_ADDR_UNSPECIFIED(&v6)))
        a->base_url[0] = '\0';
    else
        snprintf(a->base_url, sizeof a->base_url, is6 ? "http://[%s]:%d" : "http://%s:%d", bind,
                 port);
    pthread_mutex_unlock(&a->lock);
}

void cxm_api_kick_timer(struct cxm_api *a)
{
    pthread_cond_signal(&a->timer_cond);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* 404 for a path no route knows, 405 with Allow for a known path with another method. */
static void unrouted(struct cxm_api *a, const struct cxm_req *rq, const char *allow,
                     struct cxm_resp *rs)
{
    if (allow[0]) {
        snprintf(rs->allow, sizeof rs->allow, "%s", allow);
        cxm_respond(
            rs, 405,
            cxm_err("method_not_allowed", "%s %s: allowed: %s", rq->method, rq->path, allow));
    } else {
        cxm_respond(rs, 404, cxm_err("not_found", "no route for %s %s", rq->method, rq->path));
    }
    pthread_mutex_lock(&a->lock);
    a->metrics.unrouted[allow[0] ? 1 : 0]++;
    pthread_mutex_unlock(&a->lock);
}

static void dispatch(struct cxm_api *a, const struct cxm_route *route, struct cxm_params *pp,
                     const struct cxm_req *rq, struct cxm_resp *rs);
static bool ledger_refuses(struct cxm_ledger *l, const struct cxm_route *route,
                           struct cxm_resp *rs);
static void unacknowledged(struct cxm_api *a, const struct cxm_route *route, struct cxm_resp *rs);

void cxm_api_dispatch(struct cxm_api *a, const struct cxm_req *rq, struct cxm_resp *rs)
{
    memset(rs, 0, sizeof *rs);
    struct cxm_params pp = {0};
    char allow[64];
    const struct cxm_route *route = cxm_route_find(rq, &pp, allow, sizeof allow);
    if (!route) {
        unrouted(a, rq, allow, rs);
        return;
    }
    if (route->access == CXM_ADMIN && !cxm_pipeline_admin(a, rq, rs))
        return;
    /* What needs no state (the body parsed, its digest) is worked out before the lock. */
    struct cxm_req prepared = *rq;
    cxm_req_prepare(&prepared, route->flags & CXM_ROUTE_BUSINESS_KEY);
    dispatch(a, route, &pp, &prepared, rs);
    cxm_req_release(&prepared);
}

static void dispatch(struct cxm_api *a, const struct cxm_route *route, struct cxm_params *pp,
                     const struct cxm_req *rq, struct cxm_resp *rs)
{
    int64_t t0 = mono_ns();
    pthread_mutex_lock(&a->lock);
    int64_t t_locked = mono_ns();
    int64_t due_before = cxm_sched_next_due(&a->sim.sched);
    cxm_sim_begin_request(&a->sim);
    uint64_t entries_before = a->sim.ledger.added;
    snprintf(rs->request_id, sizeof rs->request_id, "%s", a->sim.req);
    struct cxm_call call = {rq, pp->v, NULL, rs};
    if (pp->bad) /* a path segment with a bad '%' or a %00: no id holds either */
        cxm_respond(rs, 400,
                    cxm_err("bad_request",
                            "path parameter %d of %s is not valid percent-encoding of UTF-8 "
                            "text: a '%%' must be followed by two hex digits, %%00 is refused, "
                            "and the bytes must be UTF-8",
                            pp->bad, route->pattern));
    else if (!cxm_req_headers_are_text(rq, rs))
        ; /* 400 set: a recorded header that is not UTF-8 */
    else if (ledger_refuses(&a->sim.ledger, route, rs))
        ; /* 503 set: nothing is applied once the ledger has lost an entry */
    else if (route->access == CXM_PUBLIC)
        cxm_pipeline_public(a, route, &call);
    else
        route->handler(a, &call);
    if (!rs->status && !rs->reset)
        cxm_respond(rs, 500, cxm_err("internal_error", "handler gave no response"));
    if (a->seen && route->access == CXM_PUBLIC) {
        struct cxm_seen seen = {a, rq, rs, route, pp->v, pp->n, call.tok, t0, mono_ns()};
        a->seen(a->seen_ctx, &seen);
    }
    if (cxm_sched_next_due(&a->sim.sched) != due_before)
        cxm_api_kick_timer(a);
    a->sim.req[0] = '\0';
    cxm_metrics_count(&a->metrics, (int)cxm_route_index(route), rs->reset ? 0 : rs->status);
    int64_t t_done = mono_ns();
    cxm_metrics_latency(&a->metrics, (double)(t_done - t0) / 1e9);
    a->metrics.lock_wait_s += (double)(t_locked - t0) / 1e9;
    a->metrics.lock_held_s += (double)(t_done - t_locked) / 1e9;
    uint64_t entries = a->sim.ledger.added;
    pthread_mutex_unlock(&a->lock);
    /* Written before answered (SIM-03), outside the lock: concurrent requests share a write. */
    cxm_ledger_sync(&a->sim.ledger, entries);
    if (cxm_ledger_lost(&a->sim.ledger, entries_before, entries))
        unacknowledged(a, route, rs);
}

/* 503 once the ledger is broken (ledger.h), before anything is applied, for every route but
 * the admin API's reads (health, state, ledger, violations, metrics: how the operator learns
 * what happened). */
static bool ledger_refuses(struct cxm_ledger *l, const struct cxm_route *route, struct cxm_resp *rs)
{
    char why[200];
    if ((route->access == CXM_ADMIN && strcmp(route->method, "GET") == 0) ||
        !cxm_ledger_broken(l, why, sizeof why))
        return false;
    cxm_respond(rs, 503,
                cxm_err("ledger_unavailable",
                        "%s: the mock can no longer record what it does, so it does nothing; "
                        "restart it",
                        why));
    return true;
}

/* A request some of whose ledger entries were not recorded is not acknowledged: its answer
 * becomes a 503 (its effects happened in memory; the ledger says LEDGER_ERROR, or the file
 * lacks the lines, and the mock refuses everything after it). */
static void unacknowledged(struct cxm_api *a, const struct cxm_route *route, struct cxm_resp *rs)
{
    int was = rs->reset ? 0 : rs->status;
    char request_id[sizeof rs->request_id];
    memcpy(request_id, rs->request_id, sizeof request_id);
    cxm_resp_free(rs); /* nothing of the answer it would have had */
    memset(rs, 0, sizeof *rs);
    memcpy(rs->request_id, request_id, sizeof request_id);
    char why[200] = "";
    cxm_ledger_broken(&a->sim.ledger, why, sizeof why);
    cxm_respond(rs, 503,
                cxm_err("ledger_unavailable",
                        "%s: this request's ledger entries were not recorded, so it is not "
                        "acknowledged (it would have been %d); restart the mock",
                        why, was));
    pthread_mutex_lock(&a->lock);
    cxm_metrics_recount(&a->metrics, (int)cxm_route_index(route), was, 503);
    pthread_mutex_unlock(&a->lock);
}

void cxm_call_body(struct cxm_api *a, struct cxm_call *c, cxm_body_op *op)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    json_t *out = NULL;
    int status = op(&a->sim, c->tok, c->params[0], body, &out);
    json_decref(body);
    cxm_respond(c->rs, status, out);
}

/* ts = now on CLOCK_MONOTONIC + ms. */
static void deadline_after(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

void cxm_api_fault_delay(struct cxm_api *a, int64_t ms)
{
    struct timespec until;
    deadline_after(&until, ms);
    pthread_mutex_lock(&a->lock);
    while (!a->stopping && pthread_cond_timedwait(&a->delay_cond, &a->lock, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&a->lock);
}

/* Requests between arrival and their answer written: cxm_api_stop waits for them to drain, so
 * a long poll or a delayed answer woken at shutdown still reaches its client. */
void cxm_api_in_flight(struct cxm_api *a, int delta)
{
    if (__atomic_add_fetch(&a->in_flight, delta, __ATOMIC_SEQ_CST) == 0 &&
        __atomic_load_n(&a->stopping, __ATOMIC_SEQ_CST)) {
        pthread_mutex_lock(&a->lock);
        pthread_cond_broadcast(&a->drain_cond);
        pthread_mutex_unlock(&a->lock);
    }
}

void cxm_api_stop(struct cxm_api *a)
{
    pthread_mutex_lock(&a->lock);
    __atomic_store_n(&a->stopping, true, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&a->events_cond); /* long polls answer now */
    pthread_cond_signal(&a->timer_cond);
    pthread_cond_broadcast(&a->delay_cond); /* fault delays end now */
    /* Let the woken requests write their answers (at most 5 s) before the HTTP layer stops:
     * once it stops, nothing more is sent. */
    for (int waited_ms = 0;
         __atomic_load_n(&a->in_flight, __ATOMIC_SEQ_CST) > 0 && waited_ms < 5000;
         waited_ms += 50) {
        struct timespec until;
        deadline_after(&until, 50);
        pthread_cond_timedwait(&a->drain_cond, &a->lock, &until);
    }
    pthread_mutex_unlock(&a->lock);
}
