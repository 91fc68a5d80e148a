/* worker.c - one driver thread (see worker.h): its state, its users' arrivals, its loop.
 *
 * The loop (loop.h) waits on curl's sockets, the timerfd armed for the earliest of curl's
 * timeout, the next user timer, the next arrival and the end of the load, and the eventfd the
 * main thread and the other workers poke. Users never block (steps.c): a step completes at
 * once or leaves the user waiting for a timer, a transfer, a token or a barrier.
 */
#include "worker.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "prng.h"
#include "saturation.h"
#include "steps.h"
#include "tokens.h"
#include "wstate.h"

/* ---- arrivals ----------------------------------------------------------------------------- */

/* Start an iteration intended at INTENDED on v, counting it late if it is (more than 1 ms). */
static void start_arrival(struct wstate *ws, struct vu *v, int64_t intended, int64_t now)
{
    if (now - intended > 1000)
        ws_stats(ws)->late++;
    steps_start_iteration(v, intended);
}

/* v is free: it takes the oldest arrival that waits for a user, or joins the idle ring. */
static void user_free(struct wstate *ws, struct vu *v)
{
    if (ws->nbacklog && !ws_stopping(ws)) {
        int64_t intended = ws->backlog[ws->backlog_head];
        ws->backlog_head = (ws->backlog_head + 1) % BACKLOG;
        ws->nbacklog--;
        start_arrival(ws, v, intended, mono_us());
        return;
    }
    ws->idle[(ws->idle_head + ws->nidle++) % ws->idle_cap] = v;
}

/* The loop starts something that was due at DUE (a timer, an arrival): how late it is. */
static void note_lag(struct wstate *ws, int64_t due, int64_t now)
{
    struct stats *s = ws_stats(ws);
    cx_hist_record(s->lag, now - due);
    s->lag_over += now - due > SAT_LAG_BOUND_US;
}

static void do_arrivals(struct wstate *ws, int64_t now)
{
    while (ws->next_arrival >= 0 && ws->next_arrival <= now && ws->phase == WS_LOAD) {
        ws_stats(ws)->offered++;
        note_lag(ws, ws->next_arrival, now);
        if (ws->nidle) {
            struct vu *v = ws->idle[ws->idle_head];
            ws->idle_head = (ws->idle_head + 1) % ws->idle_cap;
            ws->nidle--;
            start_arrival(ws, v, ws->next_arrival, now);
        } else if (ws->nbacklog < BACKLOG) {
            /* Every virtual user is busy (the server is slow): the arrival waits for one and
             * keeps its intended time, so the wait shows in its latency (wrk2's correction). */
            ws->backlog[(ws->backlog_head + ws->nbacklog++) % BACKLOG] = ws->next_arrival;
        } else {
            ws_stats(ws)->dropped++; /* the backlog is full too: this start cannot be made */
        }
        int64_t t = pacer_next(&ws->pacer);
        ws->next_arrival = t < 0 ? -1 : ws->rs->load_t0_us + t;
    }
}

/* ---- the loop ----------------------------------------------------------------------------- */

static void transfer_done(void *ctx, CURL *easy, CURLcode cc)
{
    struct vu *v = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&v);
    if (v)
        steps_transfer_done(v, cc);
}

static void fire_timers(struct wstate *ws, int64_t now)
{
    struct loop_timer *t;
    while ((t = loop_timer_due(&ws->loop, now))) {
        note_lag(ws, t->at, mono_us());
        steps_timer((struct vu *)((char *)t - offsetof(struct vu, timer)));
    }
}

/* Answer the main thread's request to swap statistics buffers (worker_flip). */
static void check_flip(struct worker *w)
{
    long long req = atomic_load(&w->flip_request);
    if (req != atomic_load(&w->flip_done)) {
        atomic_store(&w->active, !atomic_load(&w->active));
        atomic_store(&w->flip_done, req);
        history_flush(&w->hist); /* an interval's lines reach the file as its figures do */
    }
}

/* The earliest of the next arrival, user timer, end of the load and end of the drain. */
static int64_t next_deadline(const struct wstate *ws)
{
    int64_t at = ws->next_arrival, t = loop_timer_next(&ws->loop);
    if (t >= 0 && (at < 0 || t < at))
        at = t;
    if (ws->load_end >= 0 && ws->phase == WS_LOAD && (at < 0 || ws->load_end < at))
        at = ws->load_end;
    if (ws->phase == WS_DRAINING && (at < 0 || ws->stop_at + ws->rs->drain_us < at))
        at = ws->stop_at + ws->rs->drain_us;
    return at;
}

static void begin_drain(struct wstate *ws, int64_t now)
{
    ws->phase = WS_DRAINING;
    ws->stop_at = now;
    ws->next_arrival = -1;
    steps_drain_begins(ws);
}

static void loop(struct wstate *ws)
{
    for (;;) {
        int64_t now = mono_us();
        check_flip(ws->w);
        if (ws->phase == WS_LOAD &&
            (atomic_load(&ws->rs->stop) || (ws->load_end >= 0 && now >= ws->load_end)))
            begin_drain(ws, now);
        do_arrivals(ws, now);
        fire_timers(ws, now);
        if (ws->phase == WS_DRAINING && now - ws->stop_at > ws->rs->drain_us)
            break; /* the drain time is over: what is still in flight is abandoned */
        if (ws->active == 0 && ws->next_arrival < 0 &&
            (ws->phase == WS_DRAINING || ws->setup || ws->scn->load.model == SCN_CLOSED))
            break;
        loop_wait(&ws->loop, next_deadline(ws));
        steps_wake(ws); /* cheap when no user waits for a barrier or a run-wide token */
    }
    ws_stats(ws)->dropped += (int64_t)ws->nbacklog; /* offered, never started */
    ws->nbacklog = 0;
    for (int i = 0; i < ws->nvus; i++)
        steps_abandon(&ws->vus[i]);
}

/* ---- set-up and teardown ---------------------------------------------------------------- */

static void flatten(struct wstate *ws, const struct scn_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ws->flat[ws->nflat++] = &steps[i];
        if (steps[i].kind == SCN_IF) {
            flatten(ws, steps[i].then_steps, steps[i].nthen);
            flatten(ws, steps[i].else_steps, steps[i].nelse);
        }
    }
}

static size_t count_steps(const struct scn_step *steps, size_t n)
{
    size_t c = n;
    for (size_t i = 0; i < n; i++)
        if (steps[i].kind == SCN_IF)
            c += count_steps(steps[i].then_steps, steps[i].nthen) +
                 count_steps(steps[i].else_steps, steps[i].nelse);
    return c;
}

/* This worker's share of N things among the run's threads and shards. */
static int share(int n, int index, int of)
{
    return n / of + (index < n % of);
}

static void vu_free(struct vu *v, size_t nauths)
{
    exchange_free(&v->x);
    json_decref(v->vars);
    json_decref(v->op.json);
    cx_buf_free(&v->op.body);
    for (size_t j = 0; v->tokens && j < nauths; j++)
        token_slot_free(&v->tokens[j]);
    free(v->tokens);
}

static void wstate_free(struct wstate *ws)
{
    if (!ws)
        return;
    for (int i = 0; ws->vus && i < ws->nvus; i++)
        vu_free(&ws->vus[i], ws->scn->nauths);
    pool_free(&ws->pool);     /* every easy handle: the users' transfers are out of the multi */
    loop_free(&ws->loop);     /* closes the cached connections: on_close reads reg */
    urlcache_free(&ws->urls); /* no handle refers to them any more */
    for (size_t j = 0; ws->tokens && j < ws->scn->nauths; j++)
        token_slot_free(&ws->tokens[j]);
    free(ws->tokens);
    free(ws->shared_waiters);
    free(ws->shared_seen);
    free(ws->idle);
    free(ws->backlog);
    free(ws->flat);
    free(ws->vus);
    free(ws);
}

/* v's own random streams (think times and jitter; ${uuid} and idempotency keys), from the seed
 * and its global index (the setup's user has its own): a user draws the same whatever the
 * thread count or the machine's load, and no two users, nor two shards sharing a seed, draw
 * alike. Against an outside target the ids also mix in the run's nonce (shared.h). */
static void vu_streams(struct vu *v, const struct run_shared *rs, int setup)
{
    uint64_t s = rs->seed ^ (setup ? 0 : ((uint64_t)v->index + 1) * 0x9e3779b97f4a7c15ULL);
    v->rng = cx_splitmix64(&s);
    v->ids = cx_splitmix64(&s) ^ rs->id_nonce;
}

/* User I of WS, global index INDEX. 0, or -1 out of memory. */
static int vu_init(struct wstate *ws, int i, int index)
{
    const struct scenario *scn = ws->scn;
    struct vu *v = &ws->vus[i];
    v->ws = ws;
    v->index = index;
    v->state = VU_IDLE;
    vu_streams(v, ws->rs, ws->setup);
    loop_timer_init(&v->timer);
    cx_buf_init(&v->op.body);
    v->vars = json_object();
    v->tokens = calloc(scn->nauths + 1, sizeof *v->tokens);
    if (scn->nusers)
        v->user = scn->users[(size_t)v->index % scn->nusers].vars;
    exchange_init(&v->x);
    if (!v->vars || !v->tokens)
        return -1;
    ws->idle[i] = v; /* the lowest index is taken first */
    return 0;
}

/* This worker's connections to the target: its share of the run's, no more than its MINE
 * users (each holds one at most), at least one (the setup's user: one). */
static int my_connections(const struct wstate *ws, int mine)
{
    int n = ws->setup ? 1 : share(ws->rs->connections, ws->w->index, ws->rs->nthreads);
    if (n > mine)
        n = mine;
    return n > 0 ? n : 1;
}

/* The users of this worker: its share of the run's, numbered shard, then thread, then
 * position (the setup: one). */
static int make_users(struct wstate *ws)
{
    struct run_shared *rs = ws->rs;
    const struct scn_load *l = &ws->scn->load;
    int setup = ws->setup, index = ws->w->index;
    int total = setup ? 1 : share(l->vus, rs->shard, rs->nshards);
    int mine = setup ? 1 : share(total, index, rs->nthreads);
    int base = 0;
    for (int s = 0; s < rs->shard && !setup; s++)
        base += share(l->vus, s, rs->nshards);
    for (int t = 0; t < index && !setup; t++)
        base += share(total, t, rs->nthreads);
    int conns = my_connections(ws, mine);
    ws->nvus = mine;
    ws->vus = calloc((size_t)(mine ? mine : 1), sizeof *ws->vus);
    ws->idle_cap = mine ? mine : 1;
    ws->idle = calloc((size_t)ws->idle_cap, sizeof *ws->idle);
    if (!ws->vus || !ws->idle || pool_init(&ws->pool, conns) < 0 ||
        loop_init(&ws->loop, ws->w->wake_fd, (size_t)ws->idle_cap, ws->pool.size, transfer_done,
                  ws) < 0)
        return -1;
    for (int i = 0; i < mine; i++)
        if (vu_init(ws, i, base + i) < 0)
            return -1;
    ws->nidle = mine;
    return 0;
}

static struct wstate *wstate_new(struct worker *w, int setup)
{
    struct run_shared *rs = w->rs;
    const struct scenario *scn = rs->scn;
    struct wstate *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->w = w;
    ws->rs = rs;
    ws->scn = scn;
    ws->loop.epfd = ws->loop.tfd = -1; /* nothing to close until loop_init */
    ws->setup = setup;
    ws->phase = WS_LOAD;
    ws->user_free = user_free;
    ws->next_arrival = ws->load_end = ws->stop_at = -1;
    ws->lane = (uint64_t)rs->shard * 4096 + (setup ? 0 : (uint64_t)w->index + 1);
    ws->flat =
        calloc(count_steps(scn->setup, scn->nsetup) + count_steps(scn->steps, scn->nsteps) + 1,
               sizeof *ws->flat);
    ws->tokens = calloc(scn->nauths + 1, sizeof *ws->tokens);
    ws->shared_waiters = calloc(scn->nauths + 1, sizeof *ws->shared_waiters);
    ws->shared_seen = calloc(scn->nauths + 1, sizeof *ws->shared_seen);
    ws->backlog = calloc(BACKLOG, sizeof *ws->backlog);
    if (!ws->flat || !ws->tokens || !ws->shared_waiters || !ws->shared_seen || !ws->backlog ||
        make_users(ws) < 0) {
        wstate_free(ws);
        return NULL;
    }
    flatten(ws, scn->setup, scn->nsetup);
    flatten(ws, scn->steps, scn->nsteps);
    if (urlcache_init(&ws->urls, ws->nflat) < 0) {
        wstate_free(ws);
        return NULL;
    }
    ratecap_init(&ws->cap, scn->policy.rate_cap, rs->nthreads * rs->nshards, rs->tscale);
    return ws;
}

int worker_init(struct worker *w, int index, struct run_shared *rs, const char *history_path)
{
    memset(w, 0, sizeof *w);
    w->index = index;
    w->rs = rs;
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->wake_fd < 0 || stats_init(&w->buf[0], rs->scn->ntags) < 0 ||
        stats_init(&w->buf[1], rs->scn->ntags) < 0) {
        cx_error_set(&w->error, "out of memory or file descriptors");
        return -1;
    }
    if (history_path) {
        snprintf(w->history_path, sizeof w->history_path, "%s", history_path);
        if (history_open(&w->hist, history_path) < 0) {
            cx_error_at(&w->error, history_path, -1, -1, "", "%s", strerror(errno));
            return -1;
        }
    } else {
        history_open(&w->hist, NULL);
    }
    return 0;
}

/* Start the load of ws: a closed load's users all begin; an open or ramping load's arrivals
 * are scheduled (this worker's lane of them). */
static void start_load(struct wstate *ws, int64_t now)
{
    struct run_shared *rs = ws->rs;
    const struct scn_load *l = &rs->scn->load;
    if (l->model == SCN_CLOSED) {
        if (!l->iterations)
            ws->load_end = rs->load_t0_us + ws_scaled(ws, l->duration_us);
        for (int i = 0; i < ws->nvus && !atomic_load(&rs->stop); i++) {
            ws_stats(ws)->offered++;
            steps_start_iteration(&ws->vus[i], now);
        }
        return;
    }
    int lanes = rs->nthreads * rs->nshards, lane = rs->shard * rs->nthreads + ws->w->index;
    double k = rs->tscale > 0 ? rs->tscale : 1;
    if (l->model == SCN_OPEN) {
        pacer_init_constant(&ws->pacer, l->rate * k, ws_scaled(ws, l->duration_us),
                            l->spacing == SCN_POISSON, lane, lanes, rs->seed);
    } else {
        int64_t d[64];
        double r[64];
        int n = (int)(l->nstages < 64 ? l->nstages : 64);
        for (int i = 0; i < n; i++) {
            d[i] = ws_scaled(ws, l->stages[i].duration_us);
            r[i] = l->stages[i].rate * k;
        }
        pacer_init_ramping(&ws->pacer, l->start_rate * k, d, r, n, l->spacing == SCN_POISSON, lane,
                           lanes, rs->seed);
    }
    int64_t t = pacer_next(&ws->pacer);
    ws->next_arrival = t < 0 ? -1 : rs->load_t0_us + t;
    ws->load_end = rs->load_t0_us + ws->pacer.end_us;
}

void worker_run(struct worker *w, int setup)
{
    struct wstate *ws = wstate_new(w, setup);
    if (!ws) {
        cx_error_set(&w->error, "cannot set up the worker (out of memory?)");
        atomic_store(&w->finished, 1);
        return;
    }
    w->st = ws;
    int64_t now = mono_us();
    if (setup)
        steps_start_iteration(&ws->vus[0], now);
    else
        start_load(ws, now);
    loop(ws);
    check_flip(w);
    history_close(&w->hist);
    w->st = NULL;
    wstate_free(ws);
    atomic_store(&w->finished, 1);
}

static void *thread_main(void *arg)
{
    worker_run(arg, 0);
    return NULL;
}

int worker_start(struct worker *w)
{
    if (w->rs->wake_fds && w->index < w->rs->nthreads)
        atomic_store(&w->rs->wake_fds[w->index], w->wake_fd);
    return pthread_create(&w->thread, NULL, thread_main, w) == 0 ? 0 : -1;
}

void worker_join(struct worker *w)
{
    pthread_join(w->thread, NULL);
    if (w->rs->wake_fds && w->index < w->rs->nthreads)
        atomic_store(&w->rs->wake_fds[w->index], -1);
}

void worker_poke(struct worker *w)
{
    loop_poke(w->wake_fd);
}

struct stats *worker_flip(struct worker *w, int timeout_ms)
{
    if (atomic_load(&w->finished))
        return NULL;
    long long req = atomic_fetch_add(&w->flip_request, 1) + 1;
    worker_poke(w);
    for (int i = 0; i < timeout_ms * 10; i++) {
        if (atomic_load(&w->flip_done) >= req)
            return &w->buf[!atomic_load(&w->active)];
        if (atomic_load(&w->finished))
            return NULL;
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

void worker_free(struct worker *w)
{
    stats_free(&w->buf[0]);
    stats_free(&w->buf[1]);
    history_free(&w->hist);
    json_decref(w->extracted);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
}
