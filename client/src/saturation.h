/* saturation.h - whether a run's latencies are the target API's, or the queue of a target out
 * of workers, or the lateness of the driver itself; said in summary.json and, when it
 * happened, in a warning.
 *
 * The target: a cxmock serves each kept-alive connection on one worker thread, so once every
 * worker holds one, further connections wait in its accept queue, unseen by the driver but
 * inside its latencies. Its /metrics count the connections opened while every worker was busy;
 * read before and after the load (against the embedded mock, a loopback target, or any target
 * with --ledger-check), their difference is this run's.
 *
 * The driver: each worker's loop records how late it starts what was due - a timer (a think
 * time's end, a backoff, a poll's next try, a rate-cap slot, a barrier's release, a user's turn
 * at a connection) or an arrival - from when it was due to when the loop began it. The driver
 * fell behind when more than SAT_LAG_SHARE of those starts were more than SAT_LAG_BOUND_US
 * late: the latencies, timed from the intended start, then hold the driver's own delay too.
 */
#ifndef SATURATION_H
#define SATURATION_H

#include <jansson.h>
#include <stdio.h>

#include "shared.h"
#include "stats.h"
#include "target.h"

#define SAT_LAG_BOUND_US 10000 /* a start later than this is late */
#define SAT_LAG_SHARE    0.01  /* the driver fell behind when more than this share is late */

struct saturation {
    int probed; /* the target's workers were read before the load */
    struct target_workers before, after;
    int after_ok;
};

/* Before the load: read T's workers if PROBE (else, and if it is no cxmock, nothing is said of
 * the target). */
void saturation_before(struct saturation *s, const struct target *t, int probe);

/* After the load, the workers joined (their connections closed): read T's workers again. */
void saturation_after(struct saturation *s, const struct target *t);

/* Add summary.json's "saturation" (the target's workers, the driver's lateness) and its
 * "warnings" (one sentence each: the target held connections waiting for a worker; the
 * driver fell behind) to SUMMARY, from s and the run's totals ALL; RS: the run's connections. */
void saturation_summarize(json_t *summary, const struct saturation *s, const struct run_shared *rs,
                          const struct stats *all);

/* Each of the summary's warnings on F, as "cxload: warning: TEXT". */
void saturation_print_warnings(FILE *f, const json_t *summary);

#endif
