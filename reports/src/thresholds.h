/* thresholds.h - evaluate a run's thresholds on its summary, k6-style.
 *
 * A summary (summary.json, report.h) carries its thresholds as parsed objects:
 *   {"text": "latency{accept}: p(99)<300", "metric": "latency", "selector": "accept",
 *    "stat": "p", "pct": 99, "cmp": "<", "value": 300}
 * thresholds_eval() fills each one's "actual" and "ok" and the summary's "passed", from the
 * summary's own figures. Percentiles come from the histograms through HIST_FOR, so the same code
 * judges one run and a merge of shards (cxreport merge) exactly.
 */
#ifndef THRESHOLDS_H
#define THRESHOLDS_H

#include <jansson.h>

#include "hist.h"

/* Return the corrected-latency histogram of TAG ("" = every request), or NULL if none. */
typedef const struct cx_hist *(*thresholds_hist_fn)(void *ctx, const char *tag);

/* Evaluate every threshold of SUMMARY in place. Returns the number that failed (0 = all held);
 * a threshold whose figure is missing (an unknown tag) fails with "actual": null. */
int thresholds_eval(json_t *summary, thresholds_hist_fn hist_for, void *ctx);

#endif
