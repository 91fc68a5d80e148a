/* summary.h - summary.json's figures of a finished run: what ran where, requests by outcome
 * and status, iterations, the connections and the waits for one, latency per tag (corrected,
 * and uncorrected beside it), the thresholds as written. The run adds the time series, the steps,
 * the violations and the verdict. */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <jansson.h>
#include <time.h>

#include "collect.h"
#include "run.h"
#include "shared.h"

/* A new summary object (NULL if out of memory). WALL_S: the load's length; STARTED: when the
 * run began. */
json_t *summary_build(const struct run_opts *o, const struct scenario *scn,
                      const struct run_shared *rs, const struct totals *t, double wall_s,
                      time_t started);

#endif
