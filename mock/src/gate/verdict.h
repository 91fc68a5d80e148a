/* verdict.h - what cxmock gate writes: the same files a cxload run writes, so cxreport renders,
 * merges and re-judges a gate like any run (summary.json, junit.xml, history.jsonl,
 * ledger.jsonl, latency.hlog, report.html).
 */
#ifndef GATE_VERDICT_H
#define GATE_VERDICT_H

#include <jansson.h>
#include <stdint.h>

#include "child.h"
#include "cxerr.h"
#include "requests.h"

/* Exit codes (cxmock gate --help). */
#define GATE_EXIT_HELD    0  /* every threshold held (default: no violation) */
#define GATE_EXIT_USAGE   1  /* a usage or set-up error: nothing judged */
#define GATE_EXIT_COMMAND 3  /* COMMAND failed (status, signal, timeout, interrupt): judged too */
#define GATE_EXIT_FAILED  99 /* a threshold failed */

/* The history line format (docs/history.md), as cxload writes it. */
#define GATE_HISTORY_FORMAT 3

struct gate_run {
    const char *name;  /* "gate: COMMAND ARGS" */
    const char *file;  /* the program: COMMAND */
    const char *clock; /* as given */
    uint64_t seed;
    double wall_s, scale; /* the run's wall seconds; the clock's scale (1: real) */
    int64_t started_us;   /* epoch µs */
    json_t *thresholds;   /* the summary's array (borrowed) */
    json_t *mock;         /* the mock's verdict on its ledger (borrowed) */
    struct gate_child child;
};

/* Judge G's records with the mock's verdict, build the summary (with "passed" and "exitCode",
 * a GATE_EXIT_*) and write every file into OUT. Returns it (a new reference), or NULL with err. */
json_t *gate_verdict(struct gate_requests *g, const struct gate_run *run, const char *out,
                     struct cx_error *err);

/* The corrected-latency histogram of a route name ("" for all), for thresholds_eval. */
const struct cx_hist *gate_hist_for(void *ctx, const char *tag);

#endif
