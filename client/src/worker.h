/* worker.h - one driver thread: its event loop (loop.h) running many virtual users as state
 * machines (vu.h, steps.c), with their arrivals.
 *
 * Nothing on the request path is shared between workers: each has its own curl handles, timers,
 * token caches, statistics and history. What they share is read-only (the scenario, the run's
 * settings) or touched through atomics off the request path (barriers, run-wide tokens, the
 * stop flag, the statistics flip), and a worker waiting for another's barrier or token is woken
 * through its eventfd (run_wake_all).
 */
#ifndef WORKER_H
#define WORKER_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "barrier.h"
#include "cxerr.h"
#include "history.h"
#include "scenario.h"
#include "stats.h"

/* A token shared by every worker (auth cache "shared"): published by pointer, never changed
 * after; a replaced one is retired (kept until the run ends, as a reader may still hold it). */
struct stoken {
    char *value;
    int64_t refresh_us; /* monotonic µs: fetch a new one after this (90 % of the TTL) */
    uint64_t serial;
    struct stoken *next_retired;
};

struct shared_token {
    _Atomic(struct stoken *) cur;
    atomic_int fetching; /* 1 while one virtual user fetches for everyone */
    atomic_long fetches; /* fetches ended (got one or not): waiters look again when it moves */
    _Atomic(struct stoken *) retired;
};

/* Free every token of ST (after the workers are joined). */
void shared_token_free(struct shared_token *st);

/* What every worker reads and nothing writes while they run (except the atomics). */
struct run_shared {
    const struct scenario *scn;
    const char *target; /* base URL, no trailing slash */
    int loopback;       /* the target is on this machine: never use a proxy */
    json_t *env;        /* object: ${env.NAME} */
    json_t *setup;      /* object: ${setup.NAME} (values extracted by the setup steps) */
    int nthreads;
    int64_t t0_us;      /* the run's start, monotonic µs: the origin of every record's times */
    int64_t load_t0_us; /* the load's start (after the setup steps): its schedule's origin */
    double tscale;      /* scaled clock: scenario times run this many times faster */
    uint64_t seed;
    uint64_t id_nonce; /* mixed into ${uuid} and idempotency keys: 0 against the embedded mock
                        * (a fresh tenant: the same ids every run), random against an outside
                        * target, where a key of an earlier run would replay its answer */
    int shard, nshards;
    int64_t drain_us; /* after a stop, how long in-flight requests may finish */
    struct barrier *barriers;
    struct shared_token *tokens; /* one per auth source of the scenario */
    atomic_int *wake_fds;        /* [nthreads]: each running load worker's eventfd, else -1 */
    atomic_int stop;             /* 1: no new iterations (interrupt or the end of the load) */
    atomic_int verbose;
};

/* Wake every running worker (a barrier filled, a run-wide token fetch ended). */
void run_wake_all(struct run_shared *rs);

struct worker {
    int index;
    struct run_shared *rs;
    pthread_t thread;
    struct stats buf[2];
    atomic_int active;         /* which buf the worker records into */
    atomic_llong flip_request; /* the main thread asks: swap */
    atomic_llong flip_done;    /* the worker answers: swapped */
    int wake_fd;               /* eventfd: the main thread pokes the loop */
    struct history hist;
    char history_path[4096];
    atomic_int finished;
    struct cx_error error; /* a setup failure inside the thread; its text "" if none */
    struct wstate *st;     /* the loop's private state */
    json_t *extracted;     /* setup run: the variables its virtual user extracted */
};

/* Prepare worker INDEX (no thread yet). 0, or -1 with w->error. */
int worker_init(struct worker *w, int index, struct run_shared *rs, const char *history_path);

/* Run the worker's loop on this thread until its load is done and drained. SETUP = run the
 * scenario's setup steps once with one virtual user instead of the load. */
void worker_run(struct worker *w, int setup);

int worker_start(struct worker *w); /* a thread running worker_run(w, 0); 0 or -1 */
void worker_join(struct worker *w);

/* Off the request path, from the main thread: swap the worker's buffers and return the retired
 * one (the caller reads and clears it), waiting at most timeout_ms for the worker to answer.
 * NULL if it did not (the caller tries again later). */
struct stats *worker_flip(struct worker *w, int timeout_ms);

void worker_poke(struct worker *w);
void worker_free(struct worker *w);

#endif
