/* api_events.c - the long poll GET /api/v2/events?after=CURSOR&timeout=SECONDS (CONS-03).
 *
 * Answers at once with the events after the cursor, or, if there are none, waits up to
 * `timeout` seconds (0..60, default 0) for one: the client's wall-clock seconds, or mock ones
 * on a scaled clock that tells mock time (SIM-06). The wait releases the mock's lock.
 * A cursor older than the retained events answers 410 with the oldest cursor still held.
 *
 * A waiting long poll holds its HTTP worker (civetweb: one per connection), so at most
 * cxm_long_poll_budget of them wait at once; one more that would wait answers 503
 * `long_poll_capacity` with Retry-After: 1 (a wall second, in the units SIM-06 tells), so long
 * polls can never take every worker from other requests (issue 15). A poll with events to give,
 * or with timeout=0, answers at once and is not counted. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <time.h>

#include "handlers.h"

#define MAX_TIMEOUT_S 60
#define MAX_EVENTS    1000

int cxm_long_poll_budget(const struct cxm_api *api)
{
    int threads = api->opts.threads > 0 ? api->opts.threads : 64; /* http.c's default */
    return threads / 2 > 1 ? threads / 2 : 1;
}

/* 503: the budget of waiting long polls is spent. */
static void refuse(struct cxm_api *api, struct cxm_resp *rs, int budget)
{
    api->long_polls.refused++;
    const struct cxm_clock *clk = &api->sim.clock;
    double scale = clk->mode == CXM_CLOCK_MANUAL ? 1 : clk->scale;
    int64_t told = cxm_clock_told_wait_ms(clk, (int64_t)ceil(1000.0 * scale)); /* SIM-06 */
    int64_t secs = (told + 999) / 1000;
    snprintf(rs->retry_after, sizeof rs->retry_after, "%lld", (long long)secs);
    cxm_respond(rs, 503,
                json_pack("{ss ss si sI sI}", "error", "long_poll_capacity", "detail",
                          "as many long polls wait as the mock lets wait at once (half its "
                          "--threads): ask again after Retry-After, or start it with more",
                          "limit", budget, "retryAfterSeconds", (json_int_t)secs, "retryAfterMs",
                          (json_int_t)told));
}

void cxm_api_events(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_req *rq = c->rq;
    struct cxm_resp *rs = c->rs;
    unsigned long long after, timeout;
    if (cxm_query_uint(rq, rs, "after", 0, 0, UINT64_MAX, &after) < 0 ||
        cxm_query_uint(rq, rs, "timeout", 0, 0, MAX_TIMEOUT_S, &timeout) < 0)
        return;
    struct cxm_events *ev = &api->sim.events;
    if (after > cxm_events_last(ev)) { /* a cursor from before a reset, or made up */
        cxm_respond(rs, 410,
                    json_pack("{ss ss sI}", "error", "cursor_unknown", "detail",
                              "no event has this cursor yet: start again from 0", "latest",
                              (json_int_t)cxm_events_last(ev)));
        return;
    }
    if (cxm_events_expired(ev, after)) {
        cxm_respond(rs, 410,
                    json_pack("{ss ss sI}", "error", "cursor_expired", "detail",
                              "events after this cursor are no longer retained", "oldest",
                              (json_int_t)ev->first));
        return;
    }
    bool waits = cxm_events_last(ev) <= after && timeout > 0 && !api->stopping;
    if (waits) {
        int budget = cxm_long_poll_budget(api);
        if (api->long_polls.waiting >= budget) {
            refuse(api, rs, budget);
            return;
        }
        api->long_polls.waiting++;
    }
    struct timespec deadline; /* the client's seconds (SIM-06) */
    int64_t wait_ns = cxm_clock_asked_wait_ns(&api->sim.clock, (int64_t)timeout);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)(wait_ns / 1000000000);
    deadline.tv_nsec += (long)(wait_ns % 1000000000);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (cxm_events_last(ev) <= after && timeout > 0 && !api->stopping) {
        if (pthread_cond_timedwait(&api->events_cond, &api->lock, &deadline) == ETIMEDOUT)
            break;
        cxm_sim_run_due(&api->sim);
    }
    if (waits)
        api->long_polls.waiting--;
    struct cx_buf out;
    cx_buf_init(&out);
    uint64_t last;
    cx_buf_adds(&out, "{\"events\":[");
    cxm_events_collect(ev, after, MAX_EVENTS, &out, &last);
    cx_buf_addf(&out, "],\"cursor\":%llu}", (unsigned long long)last);
    rs->raw = cx_buf_take(&out);
    rs->status = rs->raw ? 200 : 500;
}
