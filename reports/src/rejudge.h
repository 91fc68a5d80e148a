/* rejudge.h - runs judged again from what they recorded (judge/): `cxreport judge` for one run,
 * `cxreport merge` for the shards of one.
 *
 * Each run directory's history.jsonl is read back (its records on one timeline: every shard's
 * times shifted by the gap between its start and the earliest, summary "startedAtUs") and the
 * mock's verdicts saved beside it (summary "mockViolations") are combined: added when each run
 * had its own mock (the embedded one), the larger kept when all ran against one target. The
 * checks then run over all of it at once, so a violation that spans shards is found.
 */
#ifndef REJUDGE_H
#define REJUDGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rundir.h"

/* The history line format this build reads (cxload's HISTORY_FORMAT). */
#define REJUDGE_HISTORY_FORMAT 3

/* Each run's shift onto the shared timeline into SHIFT[i] (µs), the earliest start into *T0.
 * Returns 0, or -1 with why in err: a run whose history does not carry what the checks read
 * (written by an older cxload), or without its start. */
int rejudge_origins(struct rundir *const *runs, size_t n, int64_t *shift, int64_t *t0,
                    struct cx_error *err);

/* Judge RUNS[0..N) again into SUMMARY: its "violations", "reconciliation" (when a mock's
 * verdict was saved), "mockViolations", "steps", "startedAtUs" and "historyFormat" are
 * replaced. Returns 0, or -1 with "FILE:LINE:COLUMN: what" or why in err. */
int rejudge_runs(struct rundir *const *runs, size_t n, json_t *summary, struct cx_error *err);

/* `cxreport judge DIR`: DIR's summary judged again and its thresholds evaluated again; what
 * differs from the recorded violation counts is said on REPORT, one line each. With OUT_DIR,
 * the re-judged summary.json and junit.xml are written there. *SUMMARY (if not NULL) gets the
 * re-judged summary. Returns 0 (every threshold held) or 99 (one failed), or -1 with err. */
int rejudge_dir(const char *dir, const char *out_dir, FILE *report, json_t **summary,
                struct cx_error *err);

#endif
