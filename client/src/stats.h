/* stats.h - what one worker thread counts in one reporting interval.
 *
 * Each worker owns two of these and records into the active one with no locks and no atomics.
 * At each interval the main thread asks for a flip (worker.h): the worker swaps buffers between
 * two requests, the main thread adds the retired buffer into the run's totals and its interval
 * log, and clears it. Nothing is ever read while its worker writes it.
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

#define STATS_MAX_STATUS 600 /* status 0 = no HTTP answer (timeout, reset, refused) */

struct tag_stats {
    struct cx_hist *lat; /* from the intended start: coordinated-omission corrected */
    struct cx_hist *raw; /* from the actual send: what a naive tool would report */
    int64_t requests, failed, indeterminate;
};

struct stats {
    size_t ntags;
    struct tag_stats *tags;
    struct cx_hist *conn_wait; /* each wait for a free connection that ended with one (pool.h) */
    struct cx_hist *lag;       /* the loop's lateness starting what was due: timers, arrivals */
    int64_t status[STATS_MAX_STATUS];
    int64_t requests, failed, indeterminate, timeouts, transport_errors, retries;
    int64_t token_fetches, reauth_401, throttled; /* throttled: waits for the client rate cap */
    int64_t offered, started, dropped, late;      /* iteration starts */
    int64_t iterations, expect_failed;
    int64_t conn_waits; /* transfers (requests, token fetches, advances) that waited in line */
    int64_t lag_over;   /* starts the loop made more than SAT_LAG_BOUND_US late (saturation.h) */
};

/* Allocate the per-tag histograms. 0, or -1 on ENOMEM (then stats_free is still safe). */
int stats_init(struct stats *s, size_t ntags);
void stats_free(struct stats *s);
void stats_clear(struct stats *s);

/* dst += src: histograms add losslessly, counters add. 0, or -1 if the tag counts differ. */
int stats_add(struct stats *dst, const struct stats *src);

#endif
