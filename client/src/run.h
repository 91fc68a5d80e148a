/* run.h - one `cxload run`: scenario in, result files and an exit code out.
 *
 * run_scenario() loads the scenario, starts the embedded mock when there is no target, runs the
 * setup steps and then the load on N worker threads, collects their statistics every second
 * (the interval log) and at the end, runs the violation checks and the ledger check, evaluates
 * the thresholds, writes every result file and prints the text summary.
 */
#ifndef RUN_H
#define RUN_H

#include <stddef.h>
#include <stdint.h>

#include "turns.h"

#define RUN_MAX_ORDERS 64

enum {
    EXIT_HELD = 0,        /* every threshold held */
    EXIT_USAGE = 1,       /* bad command line, bad scenario, set-up failure */
    EXIT_UNREACHABLE = 2, /* the target did not answer */
    EXIT_FAILED = 99,     /* a threshold failed */
};

struct run_opts {
    const char *scenario;
    const char *target; /* NULL: the embedded mock */
    const char *out;    /* result directory */
    const char *env_file;
    int threads;
    int connections; /* --connections: the run's pool, 0 = the scenario's or the default */
    int64_t seed;    /* -1: the scenario's, else 1 */
    int shard, nshards;
    int64_t duration_us; /* overrides, 0 = the scenario's */
    double rate;
    int vus;
    double rate_cap;
    int quiet;
    int silent;       /* nothing on stdout (explore prints its own table) */
    int ledger_check; /* -1: on for the embedded mock only */
    int64_t drain_us;
    int validate_only;
    struct turn_order orders[RUN_MAX_ORDERS]; /* --order: release orders on the manual clock */
    size_t norders;
};

/* Run (or with validate_only, load and check) the scenario. Returns an exit code above. */
int run_scenario(const struct run_opts *o);

/* Whether a run was interrupted (SIGINT or SIGTERM) since the process started. */
int run_interrupted(void);

#endif
