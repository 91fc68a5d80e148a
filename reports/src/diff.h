/* diff.h - `cxreport diff`: a run against a baseline, as a regression gate.
 *
 * Compared, from the two summaries: each tag's (and every request's) corrected p50, p90, p99
 * and max, the overall request rate, the error rate (failed / requests) and each violation's
 * count. A regression is
 * - a p50, p90 or p99 up by more than the tolerance (relative: 10 % means run > 1.1 x base);
 *   max is shown, not judged: it is one sample;
 * - the error rate up by more than the tolerance (relative; from a baseline of 0, any error);
 * - the request rate down by more than the tolerance;
 * - any violation count up (no tolerance: a new violation is a new bug);
 * - a tag of the baseline that the run does not have (its step no longer ran).
 */
#ifndef DIFF_H
#define DIFF_H

#include <jansson.h>
#include <stdio.h>

/* Parse a tolerance: "10%", "10" (both 10 %) or "2.5%"; *out gets the fraction (0.1). Returns
 * 0, or -1 if S is not a number >= 0 and below 10000, with an optional '%'. */
int diff_parse_tolerance(const char *s, double *out);

/* Print the comparison of RUN against BASE (summaries, report.h; BASE_NAME and RUN_NAME name
 * them in the heading) to F as a table, marking each regression, then a verdict line. Returns
 * the number of regressions (0: none), or -1 if writing to F failed. */
int diff_summaries(FILE *f, const json_t *base, const json_t *run, const char *base_name,
                   const char *run_name, double tolerance);

#endif
