/* thresholds.c - threshold evaluation on a summary (see thresholds.h). */
#include "thresholds.h"

#include <math.h>
#include <string.h>

#include "violations.h"

static int compare(double actual, const char *cmp, double want)
{
    if (strcmp(cmp, "<") == 0)
        return actual < want;
    if (strcmp(cmp, "<=") == 0)
        return actual <= want;
    if (strcmp(cmp, ">") == 0)
        return actual > want;
    if (strcmp(cmp, ">=") == 0)
        return actual >= want;
    if (strcmp(cmp, "==") == 0)
        return fabs(actual - want) < 1e-9;
    if (strcmp(cmp, "!=") == 0)
        return fabs(actual - want) >= 1e-9;
    return 0;
}

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* The figure threshold T is about; 0 with *ok = 0 when it is missing. */
static double actual(const json_t *summary, const json_t *t, thresholds_hist_fn hist_for, void *ctx,
                     int *ok)
{
    const char *metric = json_string_value(json_object_get(t, "metric"));
    const char *sel = json_string_value(json_object_get(t, "selector"));
    const char *stat = json_string_value(json_object_get(t, "stat"));
    *ok = 1;
    if (!metric || !stat)
        return *ok = 0, 0;
    sel = sel ? sel : "";
    const json_t *req = json_object_get(summary, "requests");
    if (strcmp(metric, "latency") == 0) {
        const struct cx_hist *h = hist_for ? hist_for(ctx, sel) : NULL;
        if (!h || cx_hist_count(h) == 0)
            return *ok = 0, 0;
        if (strcmp(stat, "p") == 0)
            return (double)cx_hist_percentile(h, num(t, "pct")) / 1000.0;
        if (strcmp(stat, "avg") == 0)
            return cx_hist_mean(h) / 1000.0;
        if (strcmp(stat, "max") == 0)
            return (double)cx_hist_max(h) / 1000.0;
        if (strcmp(stat, "min") == 0)
            return (double)cx_hist_min(h) / 1000.0;
        return *ok = 0, 0;
    }
    if (strcmp(metric, "violations") == 0) {
        const json_t *v = json_object_get(summary, "violations");
        if (!json_is_object(v)) /* not judged: no count can hold (fails closed) */
            return *ok = 0, 0;
        if (sel[0] && json_object_get(v, sel))
            return num(json_object_get(v, sel), "count");
        if (sel[0] && strchr(sel, '-')) { /* a rule ID: what is attributed to it */
            double total = 0;
            const char *k;
            const json_t *x;
            json_object_foreach((json_t *)v, k, x)
            {
                const char *rule = json_string_value(json_object_get(x, "rule"));
                if (rule && strcmp(rule, sel) == 0)
                    total += num(x, "count");
                total += num(json_object_get(x, "rules"), sel); /* failed expectations */
            }
            return total;
        }
        if (sel[0])
            return *ok = 0, 0;
        double total = 0;
        const char *k;
        const json_t *x;
        json_object_foreach((json_t *)v, k, x) total += num(x, "count");
        return total;
    }
    if (strcmp(metric, "errors") == 0) {
        double failed = num(req, "failed"), count = num(req, "count");
        if (strcmp(stat, "count") == 0)
            return failed;
        return count > 0 ? failed / count : 0;
    }
    if (strcmp(metric, "requests") == 0)
        return strcmp(stat, "count") == 0 ? num(req, "count") : num(req, "ratePerS");
    if (strcmp(metric, "offered") == 0) {
        const json_t *it = json_object_get(summary, "iterations");
        double offered = num(it, "offered");
        return offered > 0 ? num(it, "started") / offered : 1;
    }
    return *ok = 0, 0;
}

/* The fatal violations found (VS_FATAL: the run did not test what it says), which fail it
 * whatever its thresholds say. */
static int fatal_found(const json_t *summary)
{
    int n = 0;
    for (int i = 0; i < V_COUNT; i++)
        if (violation_table[i].seen_by & VS_FATAL)
            n += num(json_object_get(json_object_get(summary, "violations"),
                                     violation_table[i].name),
                     "count") > 0;
    return n;
}

int thresholds_eval(json_t *summary, thresholds_hist_fn hist_for, void *ctx)
{
    int failed = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(summary, "thresholds"), i, t)
    {
        int have;
        double a = actual(summary, t, hist_for, ctx, &have);
        const char *cmp = json_string_value(json_object_get(t, "cmp"));
        int ok = have && cmp && compare(a, cmp, num(t, "value"));
        json_object_set_new(t, "actual", have ? json_real(a) : json_null());
        json_object_set_new(t, "ok", json_boolean(ok));
        failed += !ok;
    }
    failed += fatal_found(summary);
    json_object_set_new(summary, "passed", json_boolean(failed == 0));
    return failed;
}
