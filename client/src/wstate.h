/* wstate.h - what one worker thread's loop owns (types and small helpers; worker.c builds it
 * and drives it, steps.c runs its users).
 */
#ifndef WSTATE_H
#define WSTATE_H

#include <stdatomic.h>
#include <stdint.h>

#include "loop.h"
#include "pacing.h"
#include "pool.h"
#include "ratecap.h"
#include "urlcache.h"
#include "vu.h"
#include "shared.h"

#define BACKLOG 65536 /* arrivals that may wait for a free virtual user, per worker */

enum ws_phase {
    WS_LOAD,     /* arrivals and iterations go on */
    WS_DRAINING, /* the load ended or was interrupted: what is in flight finishes (--drain) */
};

struct wstate {
    struct worker *w;
    struct run_shared *rs;
    const struct scenario *scn;
    struct loop loop;
    struct pool pool; /* its connections to the target: its share of the run's (pool.h) */
    struct vu *vus;
    int nvus;
    int setup; /* this worker runs the setup steps once, with one user */
    enum ws_phase phase;
    int64_t load_end; /* monotonic µs, -1 none */
    int64_t stop_at;  /* when draining began, -1 */
    int active;       /* users not idle */
    /* arrivals (open and ramping loads) */
    struct pacer pacer;
    int64_t next_arrival; /* monotonic µs, -1 none */
    struct vu **idle;     /* users free for the next arrival, a ring taken in order (round-robin:
                           * arrivals spread over the users, and so over `users`) */
    int idle_head, nidle, idle_cap;
    int64_t *backlog; /* intended times of arrivals waiting for a free user */
    size_t backlog_head, nbacklog;
    /* what the users share on this thread */
    struct token_slot *tokens;  /* auth cache "worker": one per auth source */
    struct vu **shared_waiters; /* per auth source: users waiting for the run-wide token */
    long *shared_seen;          /* per auth source: its `fetches` when they began to wait */
    struct vu *barrier_waiters; /* users at a barrier, chained by next_waiter */
    struct ratecap cap;
    uint64_t lane; /* shard * 4096 + thread + 1, 0 for the setup: operation ids and token
                    * serials are (lane + 1) << 40 | a sequence, unique across a sharded run */
    uint64_t opseq, tokseq;
    const struct scn_step **flat; /* every step, for history's step index */
    size_t nflat;
    struct urlcache urls; /* the URLs of steps with a constant path, parsed once, by step index */
    /* A user's iterations are over and it is free for the next arrival (open loads). */
    void (*user_free)(struct wstate *ws, struct vu *v);
};

/* The statistics buffer the worker records into now. */
static inline struct stats *ws_stats(struct wstate *ws)
{
    return &ws->w->buf[atomic_load_explicit(&ws->w->active, memory_order_relaxed)];
}

/* S's index among ws->flat (history's step index), or -1. */
static inline int ws_step_index(const struct wstate *ws, const struct scn_step *s)
{
    for (size_t i = 0; i < ws->nflat; i++)
        if (ws->flat[i] == s)
            return (int)i;
    return -1;
}

/* A monotonic time as µs from the run's start. */
static inline int64_t ws_rel(const struct wstate *ws, int64_t mono)
{
    return mono - ws->rs->t0_us;
}

/* A scenario duration as wall µs: a scaled clock runs it tscale times fast. */
static inline int64_t ws_scaled(const struct wstate *ws, int64_t us)
{
    return ws->rs->tscale > 0 ? (int64_t)((double)us / ws->rs->tscale) : us;
}

/* A duration the target told (Retry-After, expires_in) as wall µs (SIM-06). */
static inline int64_t ws_told(const struct wstate *ws, int64_t us)
{
    return ws->rs->told_scale > 0 ? (int64_t)((double)us / ws->rs->told_scale) : us;
}

/* Is the run winding down: interrupted, or this worker's load is over? */
static inline int ws_stopping(const struct wstate *ws)
{
    return ws->phase == WS_DRAINING || atomic_load(&ws->rs->stop);
}

#endif
