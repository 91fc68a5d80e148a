/* rundir.h - a run directory read back: summary.json parsed and checked, latency.hlog added up.
 *
 * cxload writes a run directory (summary.json, junit.xml, latency.hlog, history.jsonl; the
 * summary's shape is in report.h) and every cxreport command starts from one. The summary's
 * shape is checked before anything renders it, so a malformed file is reported as
 *     DIR/summary.json:LINE:COLUMN: KEY: what was expected
 * instead of printing zeros; the interval log, when it is needed, is read whole and its
 * intervals added up per tag (errors as "DIR/latency.hlog:LINE: reason", from cx_hlog_read).
 */
#ifndef RUNDIR_H
#define RUNDIR_H

#include <jansson.h>
#include <stddef.h>

#include "cxerr.h"
#include "hist.h"

struct rundir_tag {
    char *name;
    struct cx_hist *h; /* every interval of this tag, added up */
};

struct rundir {
    char *dir;       /* as given */
    json_t *summary; /* the parsed summary.json (owned) */
    /* Filled by RUNDIR_HLOG only: */
    struct rundir_tag *tags; /* in order of first appearance in the log */
    size_t ntags;
    struct cx_hist *all; /* every request: the untagged intervals added up (cxload's untagged
                          * line holds every request of its interval), or the tagged ones when
                          * the log has no untagged line */
};

#define RUNDIR_HLOG 1 /* also read latency.hlog */

/* Read DIR/summary.json (and with RUNDIR_HLOG, DIR/latency.hlog) into a new rundir in *out.
 * Returns 0, or -1 with *out untouched and a one-line message naming the file in err: DIR is
 * missing or not a directory, a file is missing or unreadable, the summary is not JSON or not
 * of the expected shape (FILE:LINE:COLUMN: KEY: what was expected), a log line is not an
 * interval (FILE:LINE: reason), or memory ran out. */
int rundir_load(const char *dir, int flags, struct rundir **out, struct cx_error *err);

/* Free r and everything it owns; NULL is a no-op. */
void rundir_free(struct rundir *r);

/* The histogram of TAG ("" = every request): the log's tag TAG, else the one TAG is logged
 * under (cx_hlog_tag: "an inbound call arrives" as "an_inbound_call_arrives"); NULL if the log
 * has neither (or was not read). */
const struct cx_hist *rundir_hist(const struct rundir *r, const char *tag);

/* rundir_hist for thresholds_eval and report_html (thresholds_hist_fn; ctx is the rundir). */
const struct cx_hist *rundir_hist_for(void *ctx, const char *tag);

/* Check that SUMMARY (parsed from TEXT, LEN bytes, read from PATH) has the shape report.h
 * documents, as far as cxreport reads it. Returns 0, or -1 with "PATH:LINE:COLUMN: KEY: what
 * was expected" in err (LINE:COLUMN omitted when the key cannot be located in TEXT). */
int rundir_check_summary(const json_t *summary, const char *text, size_t len, const char *path,
                         struct cx_error *err);

#endif
