/* thresholds.c - threshold evaluation on a summary (see thresholds.h). */
#include "thresholds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- the language ------------------------------------------------------------------------ */

const char *const thresholds_metric_names[] = {"latency", "violations", "errors",
                                               "offered", "requests",   NULL};
const char *const thresholds_cmp_names[] = {"<", "<=", ">", ">=", "==", "!=", NULL};

static const char *const latency_stats[] = {"p", "avg", "min", "max", NULL};
static const char *const count_stats[] = {"count", NULL};
static const char *const error_stats[] = {"rate", "count", NULL};
static const char *const offered_stats[] = {"achieved", NULL};
static const char *const request_stats[] = {"count", "rate", NULL};
static const char *const *const metric_stats[] = {latency_stats, count_stats, error_stats,
                                                  offered_stats, request_stats};
static const char *const metric_help[] = {
    "p(N), avg, min or max (milliseconds), e.g. \"p(99)<300\"",
    "count, e.g. \"count==0\"",
    "rate (failed/all) or count, e.g. \"rate<0.01\"",
    "achieved (achieved/offered starts), e.g. \"achieved>=0.99\"",
    "count or rate (per second), e.g. \"count>=100\"",
};

static int name_index(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

int thresholds_decimal(const char *s, double *out)
{
    const char *p = s;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        if (*++p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p || p - s > 30)
        return 0;
    *out = strtod(s, NULL);
    return 1;
}

int thresholds_is_rule_id(const char *s)
{
    size_t letters = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    return letters > 0 && s[letters] == '-' && strlen(s + letters + 1) >= 2 &&
           strspn(s + letters + 1, "0123456789") == strlen(s + letters + 1);
}

int thresholds_key(const char *key, enum th_metric *m, char **selector, char *why, size_t size)
{
    const char *brace = strchr(key, '{');
    size_t n = brace ? (size_t)(brace - key) : strlen(key), klen = strlen(key);
    char metric[16];
    int k;
    *selector = NULL;
    snprintf(metric, sizeof metric, "%.*s", (int)(n < 15 ? n : 15), key);
    if (n >= 15 || (k = name_index(thresholds_metric_names, metric)) < 0 ||
        (brace && (klen < n + 3 || key[klen - 1] != '}')) ||
        (brace && k != TH_LATENCY && k != TH_VIOLATIONS)) {
        snprintf(why, size,
                 "expected latency, latency{TAG}, violations, violations{NAME}, "
                 "errors, offered or requests");
        return -1;
    }
    *m = (enum th_metric)k;
    if (!(*selector = brace ? strndup(brace + 1, klen - n - 2) : strdup(""))) {
        snprintf(why, size, "out of memory");
        return -1;
    }
    if (*m == TH_VIOLATIONS && **selector && name_index(violation_driver_names, *selector) < 0 &&
        !thresholds_is_rule_id(*selector)) {
        size_t at = (size_t)snprintf(why, size, "expected a rule ID such as ACC-03 or one of: ");
        for (int i = 0; violation_driver_names[i] && at < size; i++)
            at += (size_t)snprintf(why + at, size - at, "%s%s", i ? ", " : "",
                                   violation_driver_names[i]);
        free(*selector);
        *selector = NULL;
        return -1;
    }
    return 0;
}

int thresholds_cond(enum th_metric m, const char *text, struct th_cond *t, char *why, size_t size)
{
    static const char *const cmps[] = {"<=", ">=", "==", "!=", "<", ">"};
    static const enum th_cmp cmp_of[] = {TH_LE, TH_GE, TH_EQ, TH_NE, TH_LT, TH_GT};
    const char *p = text, *word;
    char num[40];
    size_t n;
    int i;
    memset(t, 0, sizeof *t);
    while (*p == ' ')
        p++;
    for (word = p; *p >= 'a' && *p <= 'z'; p++)
        ;
    n = (size_t)(p - word);
    if (n == 0 || n >= sizeof t->stat)
        goto bad;
    memcpy(t->stat, word, n);
    t->stat[n] = '\0';
    if (name_index(metric_stats[m], t->stat) < 0)
        goto bad;
    if (strcmp(t->stat, "p") == 0) {
        const char *close = *p == '(' ? strchr(p, ')') : NULL;
        if (!close || (size_t)(close - p - 1) >= sizeof num)
            goto bad;
        snprintf(num, sizeof num, "%.*s", (int)(close - p - 1), p + 1);
        if (!thresholds_decimal(num, &t->pct) || !(t->pct > 0 && t->pct <= 100)) {
            snprintf(why, size, "expected a percentile p(N) with 0 < N <= 100");
            return -1;
        }
        p = close + 1;
    }
    while (*p == ' ')
        p++;
    for (i = 0; i < 6 && strncmp(p, cmps[i], strlen(cmps[i])) != 0; i++)
        ;
    if (i == 6)
        goto bad;
    t->cmp = cmp_of[i];
    for (p += strlen(cmps[i]); *p == ' '; p++)
        ;
    n = strcspn(p, " ");
    if (n == 0 || n >= sizeof num)
        goto bad;
    snprintf(num, sizeof num, "%.*s", (int)n, p);
    if (!thresholds_decimal(num, &t->value))
        goto bad;
    for (p += n; *p == ' '; p++)
        ;
    if (*p)
        goto bad;
    return 0;
bad:
    snprintf(why, size,
             "expected STAT OP NUMBER with STAT %s and OP one of < <= > >= == !=", metric_help[m]);
    return -1;
}

json_t *thresholds_entry(const char *text, enum th_metric m, const char *selector,
                         const struct th_cond *t)
{
    return json_pack("{ss ss ss ss sf ss sf}", "text", text, "metric", thresholds_metric_names[m],
                     "selector", selector ? selector : "", "stat", t->stat, "pct", t->pct, "cmp",
                     thresholds_cmp_names[t->cmp], "value", t->value);
}

/* KEY's conditions ARR appended to OUT: 0, or -1 with what is wrong in err. */
static int load_key(json_t *out, const char *path, const char *key, const json_t *arr,
                    struct cx_error *err)
{
    enum th_metric m;
    char *selector = NULL, why[1024], at[300];
    snprintf(at, sizeof at, "thresholds.%s", key);
    if (thresholds_key(key, &m, &selector, why, sizeof why) < 0)
        return cx_error_at(err, path, -1, -1, at, "%s", why);
    int rc = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        rc = cx_error_at(err, path, -1, -1, at,
                         "expected an array of conditions, e.g. [\"count==0\"]");
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        struct th_cond t;
        char text[600];
        if (rc < 0)
            break;
        if (!json_is_string(v) ||
            thresholds_cond(m, json_string_value(v), &t, why, sizeof why) < 0) {
            snprintf(at, sizeof at, "thresholds.%s[%zu]", key, i);
            rc = cx_error_at(err, path, -1, -1, at, "%s",
                             json_is_string(v) ? why : "expected a condition string");
            break;
        }
        snprintf(text, sizeof text, "%s: %s", key, json_string_value(v));
        json_array_append_new(out, thresholds_entry(text, m, selector, &t));
    }
    free(selector);
    return rc;
}

json_t *thresholds_load(const char *path, struct cx_error *err)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        cx_error_at(err, path, je.line, je.column, "", "%s", je.text);
        return NULL;
    }
    const json_t *th = json_object_get(doc, "thresholds");
    json_t *out = json_array();
    const char *key;
    json_t *arr;
    int rc = json_is_object(doc) && json_is_object(th) && json_object_size(doc) == 1
                 ? 0
                 : cx_error_at(err, path, -1, -1, "",
                               "expected {\"thresholds\": {KEY: [CONDITION, ...]}} and nothing "
                               "else, e.g. {\"thresholds\": {\"violations\": [\"count==0\"]}}");
    json_object_foreach((json_t *)th, key, arr)
    {
        if (rc < 0)
            break;
        rc = load_key(out, path, key, arr, err);
    }
    json_decref(doc);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}
