/* report.h - render a run's summary (summary.json) as text and as JUnit XML.
 *
 * The summary is the one document every output is made from: cxload writes it at the end of a
 * run, cxreport reads it back (and rebuilds it when merging shards). Its shape:
 *   {"scenario", "file", "target", "seed", "threads", "shard", "clock", "startedAt",
 *    "wallSeconds", "simSeconds",
 *    "requests": {"count", "ok", "failed", "indeterminate", "timeouts", "transportErrors",
 *                 "retries", "ratePerS", "ratePerSimS", "throttled", "tokenFetches", "reauth401"},
 *    "status": {"200": N, "0": N (no answer), ...},
 *    "iterations": {"offered", "started", "dropped", "late", "completed"},
 *    "latency": {"all": STATS, "tags": {"TAG": STATS}} where STATS = {"count", "failed",
 *                "min", "p50", "p90", "p99", "p99.9", "max", "mean" (ms, corrected),
 *                "uncorrected": {"p50", "p99", "max"}},
 *    "violations": {"NAME": {"rule", "count", "ledger"?, "examples": [...]}},
 *    "reconciliation": ["..."], "thresholds": [...], "passed": bool, "exitCode": N,
 *    "series": [{"startS", "lengthS", "requests", "failed", "throttled429", "offered", "started",
 *                "dropped", "late", "2xx", "5xx", "status": {"200": N, ...}}, ...] (one per
 *                reporting interval, about a second)}
 */
#ifndef REPORT_H
#define REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"

/* A latency STATS object of the summary (above) from the corrected histogram LAT and the
 * uncorrected RAW (the same one where there is no correction), with COUNT requests and FAILED
 * failures. */
json_t *report_latency_stats(const struct cx_hist *lat, const struct cx_hist *raw, int64_t count,
                             int64_t failed);

/* The plain-text summary: run line, rates, latency per tag, statuses, violations with their
 * first example, thresholds. Returns 0, or -1 if writing failed. */
int report_text(FILE *f, const json_t *summary);

/* JUnit XML: one test case per threshold and one per violation type (report_junit_suite).
 * Returns 0, or -1 if writing failed. */
int report_junit(FILE *f, const json_t *summary);

/* The <testsuite> element of report_junit alone, for a document of many runs. Test cases are
 * classed SCENARIO.verdict, SCENARIO.thresholds and SCENARIO.violations; a violation fails
 * exactly when it fails the run (a failed threshold counts it, or it is fatal). */
int report_junit_suite(FILE *f, const json_t *summary);

#endif
