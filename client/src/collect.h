/* collect.h - a run's statistics as they come in: every second the main thread swaps each
 * worker's buffers (worker_flip) and adds the retired ones into the interval, which goes into
 * the run's totals, the HdrHistogram interval log (latency.hlog, one tag per step plus the
 * untagged sum) and the time series the reports chart. Nothing here runs on a request path.
 */
#ifndef COLLECT_H
#define COLLECT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "cxerr.h"

#include "hist.h"
#include "hlog.h"
#include "scenario.h"
#include "stats.h"
#include "worker.h"

/* Everything the run counted. */
struct totals {
    const struct scenario *scn;
    struct stats all;
    struct cx_hist *lat_all, *raw_all; /* every tag's corrected and uncorrected latency */
};

struct collector {
    struct totals t;
    struct stats interval;
    FILE *hlogf;
    struct cx_hlog_writer *hlog;
    const struct scenario *scn;
    int64_t t0, last; /* monotonic µs: the load's start, the current interval's */
    json_t *series;   /* one object per interval */
};

/* Ready to collect scn's statistics from T0 into the interval log HLOG_PATH. Returns 0, or -1
 * with why in err (collect_free is safe either way). */
int collect_init(struct collector *c, const struct scenario *scn, const char *hlog_path, int64_t t0,
                 struct cx_error *err);

/* The interval ends at NOW: swap the N workers' buffers, add what they recorded. */
void collect_interval(struct collector *c, struct worker *workers, int n, int64_t now);

/* Add S (a finished worker's buffer) to the interval being collected. */
void collect_add(struct collector *c, const struct stats *s);

/* The last interval ends at NOW. */
void collect_close(struct collector *c, int64_t now);

/* One progress line on stderr (a terminal), overwritten each time. */
void collect_progress(const struct collector *c, int64_t now);

/* The histogram of latency tag TAG ("" : all), for thresholds_eval (ctx: the totals). */
const struct cx_hist *collect_hist(void *ctx, const char *tag);

void collect_free(struct collector *c);

#endif
