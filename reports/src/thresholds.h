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

#include "cxerr.h"
#include "hist.h"

/* ---- the threshold language, shared by cxload's scenarios and cxmock gate's --thresholds ----
 *   KEY: latency, latency{TAG}, violations, violations{NAME or RULE-ID}, errors, offered,
 *        requests
 *   CONDITION: STAT OP NUMBER, e.g. "p(99)<300", "count==0", "rate<0.01", "achieved>=0.99" */
enum th_metric { TH_LATENCY, TH_VIOLATIONS, TH_ERRORS, TH_OFFERED, TH_REQUESTS };
enum th_cmp { TH_LT, TH_LE, TH_GT, TH_GE, TH_EQ, TH_NE };

/* By enum value, NULL-terminated. */
extern const char *const thresholds_metric_names[];
extern const char *const thresholds_cmp_names[];

struct th_cond {
    char stat[16]; /* "p", "avg", "max", "min", "count", "rate", "achieved" */
    double pct;    /* for "p" */
    enum th_cmp cmp;
    double value; /* latency in ms */
};

/* 1 if S is a decimal number D+ or D+.D+ (no sign, no exponent), stored in *out; else 0. */
int thresholds_decimal(const char *s, double *out);

/* 1 if S looks like a rule ID (ACC-03). */
int thresholds_is_rule_id(const char *s);

/* KEY as METRIC or METRIC{SELECTOR}: 0 with the metric and the selector (malloc'd, "" for
 * none), or -1 with why in WHY. A violation's selector must name one or be a rule ID; a latency
 * tag is the caller's to check. */
int thresholds_key(const char *key, enum th_metric *m, char **selector, char *why, size_t size);

/* Condition TEXT of a threshold on metric M into *t: 0, or -1 with why in WHY. */
int thresholds_cond(enum th_metric m, const char *text, struct th_cond *t, char *why, size_t size);

/* One threshold as a summary carries it (below), TEXT as written ("KEY: CONDITION"). */
json_t *thresholds_entry(const char *text, enum th_metric m, const char *selector,
                         const struct th_cond *t);

/* The summary's array of thresholds from file PATH, {"thresholds": {KEY: [CONDITION, ...]}}:
 * a new array, or NULL with the file, line and column (a syntax error) or the key in err. */
json_t *thresholds_load(const char *path, struct cx_error *err);

/* Return the corrected-latency histogram of TAG ("" = every request), or NULL if none. */
typedef const struct cx_hist *(*thresholds_hist_fn)(void *ctx, const char *tag);

/* Evaluate every threshold of SUMMARY in place. Returns the number that failed (0 = all held);
 * a threshold whose figure is missing (an unknown tag) fails with "actual": null. */
int thresholds_eval(json_t *summary, thresholds_hist_fn hist_for, void *ctx);

#endif
