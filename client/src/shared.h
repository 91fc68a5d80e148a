/* shared.h - what the run's main thread and its worker threads share: the run's settings (read
 * only while they run), its barriers and run-wide tokens (atomics), and each worker's handle
 * (its statistics buffers, swapped through atomics; its history and results, read after the
 * join). Nothing here is touched on the request path but through an atomic.
 */
#ifndef SHARED_H
#define SHARED_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "barrier.h"
#include "cxerr.h"
#include "history.h"
#include "redact.h"
#include "scenario.h"
#include "stats.h"
#include "turns.h"

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

/* What every worker reads and nothing writes while they run (except the atomics). */
struct run_shared {
    const struct scenario *scn;
    const char *target; /* base URL, no trailing slash */
    int loopback;       /* the target is on this machine: never use a proxy */
    json_t *env;        /* object: ${env.NAME} */
    json_t *setup;      /* object: ${setup.NAME} (values extracted by the setup steps) */
    /* the values of env that no record may show (redact.h) */
    const struct redact *redact;
    int nthreads;
    int connections;    /* to the target at most, all threads: each has its share (pool.h) */
    int64_t t0_us;      /* the run's start, monotonic µs: the origin of every record's times */
    int64_t load_t0_us; /* the load's start (after the setup steps): its schedule's origin */
    double tscale;      /* scaled clock: scenario times run this many times faster */
    double told_scale;  /* what the mock's told durations (Retry-After, expires_in) are divided
                         * by for wall time: tscale when the scenario's clientTime is "mock",
                         * else 1 (SIM-06) */
    uint64_t seed;
    uint64_t id_nonce; /* mixed into ${uuid} and idempotency keys: 0 against the embedded mock
                        * (a fresh tenant: the same ids every run), random against an outside
                        * target, where a key of an earlier run would replay its answer */
    int shard, nshards;
    int64_t drain_us; /* after a stop, how long in-flight requests may finish */
    struct barrier *barriers;
    struct turns *turns;         /* manual clock, closed load: the users take turns (turns.h); NULL
                                  * otherwise */
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

#endif
