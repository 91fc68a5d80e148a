/* html.h - a run's summary as one self-contained HTML page.
 *
 * No script, font, style sheet or image is fetched: the CSS is inline and the charts are inline
 * SVG (chart.h). The page holds the run header (scenario, target, seed, threads, duration,
 * PASSED/FAILED), the totals, the thresholds, the violations with rule IDs and examples, the
 * sequence view of a race (sequence.h), the
 * latency table and one percentile chart per tag (from the tag's histogram: p50 .. p99.99 on
 * HdrHistogram's log scale), requests and status classes per second over the run, offered
 * against started against throttled (429) arrivals per second, and the statuses. Every string
 * taken from the summary is escaped (it holds request paths and server messages).
 *
 * Each latency chart is an <svg class="chart latency" data-tag="TAG">; the two time charts are
 * <svg class="chart throughput"> and <svg class="chart offered">. The page carries no date or
 * path of its own, so the same summary and histograms give the same bytes.
 */
#ifndef HTML_H
#define HTML_H

#include <jansson.h>
#include <stdio.h>

#include "thresholds.h"

/* Write the page for SUMMARY (report.h) to F; HIST_FOR(CTX, TAG) gives each tag's corrected
 * latency histogram (NULL: none; its chart then says so). DIR, the run directory (or NULL),
 * adds the sequence view of its history and ledger (sequence.h). Returns 0, or -1 if writing
 * failed. */
int report_html(FILE *f, const json_t *summary, thresholds_hist_fn hist_for, void *ctx,
                const char *dir);

/* The page's style sheet, shared by the suite index (suite.h). */
extern const char html_css[];

#endif
