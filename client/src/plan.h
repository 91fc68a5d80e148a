/* plan.h - what a run will do, settled before anything is sent: the scenario, loaded and
 * checked, with the command line's overrides of its load; the environment its ${env.*}
 * references read; the seed. A plan that cannot run says why and nothing is sent.
 */
#ifndef PLAN_H
#define PLAN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cxerr.h"

#include "redact.h"
#include "run.h"
#include "scenario.h"

struct plan {
    struct scenario *scn;
    json_t *env;            /* ${env.NAME}: the environment, then --env FILE over it */
    json_t *env_file_names; /* the names --env FILE gives (values true) */
    struct redact redact;   /* the secret values: --env FILE's, the scenario's ${env.NAME}s */
    uint64_t seed;
};

/* Load o->scenario into p->scn. Returns 0, or -1 with FILE:LINE:COLUMN: KEY: TEXT in err. */
int plan_load(const struct run_opts *o, struct plan *p, struct cx_error *err);

/* The steps of scn, setup included, counting an if's branches. */
size_t plan_count_steps(const struct scenario *scn);

/* Apply the command line's overrides to the load, refusing those the load cannot take and a
 * barrier that could never fill (more users than this shard runs at once). 0, or -1 with why. */
int plan_shape(const struct run_opts *o, struct plan *p, struct cx_error *err);

/* plan_shape, then read the environment and check that every ${env.NAME} the scenario uses is
 * set, gather the values no output may show (p->redact), and pick the seed. Returns 0, or -1
 * with why in err. */
int plan_settle(const struct run_opts *o, struct plan *p, struct cx_error *err);

/* Connections per worker thread when neither --connections nor the scenario says. */
#define PLAN_CONNECTIONS_PER_THREAD 64

/* The worker threads this process runs: --threads (default 2), but no more than its shard's
 * virtual users or its connections (a thread with neither could send nothing). After
 * plan_shape. */
int plan_threads(const struct run_opts *o, const struct plan *p);

/* The connections this process may hold open to the target, all its threads together: its
 * shard's share of --connections or the scenario's "connections", else
 * PLAN_CONNECTIONS_PER_THREAD per thread; at least 1, at most one per virtual user (a user
 * holds one only while its request is on the wire). After plan_shape. */
int plan_connections(const struct run_opts *o, const struct plan *p);

void plan_free(struct plan *p);

#endif
