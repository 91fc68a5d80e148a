/* rejudge.c - see rejudge.h */
#include "rejudge.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "judge.h"
#include "reconcile.h"
#include "report.h"
#include "thresholds.h"

int rejudge_origins(struct rundir *const *runs, size_t n, int64_t *shift, int64_t *t0,
                    struct cx_error *err)
{
    *t0 = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const json_t *s = runs[i]->summary;
        json_int_t format = json_integer_value(json_object_get(s, "historyFormat"));
        if (format < REJUDGE_HISTORY_FORMAT) {
            cx_error_set(err,
                         "%s/summary.json: historyFormat: %lld, and judging again needs %d: its "
                         "history.jsonl was written by an older cxload and lacks what the checks "
                         "read; run it again",
                         runs[i]->dir, (long long)format, REJUDGE_HISTORY_FORMAT);
            return -1;
        }
        const json_t *at = json_object_get(s, "startedAtUs");
        if (!json_is_integer(at)) {
            cx_error_set(err, "%s/summary.json: startedAtUs: missing (expected an integer)",
                         runs[i]->dir);
            return -1;
        }
        shift[i] = json_integer_value(at);
        if (shift[i] < *t0)
            *t0 = shift[i];
    }
    for (size_t i = 0; i < n; i++)
        shift[i] -= *t0;
    return 0;
}

/* Did every run go to one outside target (one mock, whose later verdicts hold the earlier)?
 * The embedded mock and a gate's are each run's own. */
static int one_outside_mock(struct rundir *const *runs, size_t n)
{
    const char *first = json_string_value(json_object_get(runs[0]->summary, "target"));
    if (!first || strcmp(first, "embedded cxmock") == 0 || strcmp(first, "cxmock gate") == 0)
        return 0;
    for (size_t i = 1; i < n; i++) {
        const char *t = json_string_value(json_object_get(runs[i]->summary, "target"));
        if (!t || strcmp(t, first) != 0)
            return 0;
    }
    return 1;
}

int rejudge_runs(struct rundir *const *runs, size_t n, json_t *summary, struct cx_error *err)
{
    int64_t shift[n ? n : 1], t0;
    if (rejudge_origins(runs, n, shift, &t0, err) < 0)
        return -1;
    struct judge_records rs = {0};
    json_t *mock = NULL, *rec = NULL;
    int same = one_outside_mock(runs, n), rc = -1;
    char path[4096];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/history.jsonl", runs[i]->dir);
        if (judge_read_history(&rs, path, shift[i], err) < 0)
            goto done;
        const json_t *answer = json_object_get(runs[i]->summary, "mockViolations");
        if (answer)
            judge_add_mock(&mock, answer, same);
    }
    json_t *steps = json_object_get(runs[0]->summary, "steps");
    json_t *v = judge_verdict(rs.v, rs.n, steps, mock, &rec);
    if (!v) {
        cx_error_set(err, "out of memory judging %zu records", rs.n);
        goto done;
    }
    if (mock && json_object_get(runs[0]->summary, "command")) /* gates: the mock's own count */
        checks_judge_as_platform(v, mock);
    json_object_set_new(summary, "violations", v);
    json_object_del(summary, "reconciliation");
    json_object_del(summary, "mockViolations");
    if (mock) {
        json_object_set_new(summary, "reconciliation", rec);
        json_object_set(summary, "mockViolations", mock);
        rec = NULL;
    }
    if (steps)
        json_object_set(summary, "steps", steps);
    json_object_set_new(summary, "startedAtUs", json_integer(t0));
    json_object_set_new(summary, "historyFormat", json_integer(REJUDGE_HISTORY_FORMAT));
    rc = 0;
done:
    json_decref(mock);
    json_decref(rec);
    judge_records_free(&rs);
    return rc;
}

/* What differs between the recorded violation counts A and the re-judged B: a new array of
 * lines. */
static json_t *compare(const json_t *a, const json_t *b)
{
    json_t *lines = json_array();
    char line[512];
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)b, name, v)
    {
        json_int_t was = json_integer_value(json_object_get(json_object_get(a, name), "count"));
        json_int_t now = json_integer_value(json_object_get(v, "count"));
        if (was != now) {
            snprintf(line, sizeof line, "%s (%s): recorded %lld, now %lld", name,
                     json_string_value(json_object_get(v, "rule")), (long long)was, (long long)now);
            json_array_append_new(lines, json_string(line));
        }
    }
    json_object_foreach((json_t *)a, name, v)
    {
        if (!json_object_get(b, name) && json_integer_value(json_object_get(v, "count"))) {
            snprintf(line, sizeof line, "%s: recorded %lld, not a violation this build reports",
                     name, (long long)json_integer_value(json_object_get(v, "count")));
            json_array_append_new(lines, json_string(line));
        }
    }
    return lines;
}

static int write_out(const char *out_dir, const json_t *s, struct cx_error *err)
{
    char path[4096];
    if (mkdir(out_dir, 0755) < 0 && errno != EEXIST) {
        cx_error_set(err, "%s: %s", out_dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/summary.json", out_dir);
    FILE *f = fopen(path, "w");
    int bad =
        !f ||
        json_dumpf(s, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) < 0 ||
        fputc('\n', f) == EOF;
    bad |= f && fclose(f) != 0;
    if (!bad) {
        snprintf(path, sizeof path, "%s/junit.xml", out_dir);
        f = fopen(path, "w");
        bad = !f || report_junit(f, s) < 0;
        bad |= f && fclose(f) != 0;
    }
    if (bad)
        cx_error_set(err, "%s: write failed: %s", path, strerror(errno));
    return bad ? -1 : 0;
}

int rejudge_dir(const char *dir, const char *out_dir, FILE *report, json_t **summary,
                struct cx_error *err)
{
    struct rundir *r = NULL;
    if (rundir_load(dir, RUNDIR_HLOG, &r, err) < 0)
        return -1;
    json_t *s = json_deep_copy(r->summary);
    int rc = -1;
    if (!s) {
        cx_error_set(err, "out of memory");
        goto done;
    }
    if (rejudge_runs(&r, 1, s, err) < 0)
        goto done;
    json_t *diffs =
        compare(json_object_get(r->summary, "violations"), json_object_get(s, "violations"));
    size_t differ = json_array_size(diffs), i;
    json_t *line;
    if (!differ)
        fprintf(report, "%s: judged again from history.jsonl: the violation counts recorded\n",
                dir);
    else
        fprintf(report,
                "%s: judged again from history.jsonl: %zu count%s differ%s from "
                "summary.json:\n",
                dir, differ, differ == 1 ? "" : "s", differ == 1 ? "s" : "");
    json_array_foreach(diffs, i, line) fprintf(report, "  %s\n", json_string_value(line));
    json_decref(diffs);
    int failed = thresholds_eval(s, rundir_hist_for, r);
    rc = failed ? 99 : 0;
    json_object_set_new(s, "exitCode", json_integer(rc));
    if (out_dir && write_out(out_dir, s, err) < 0)
        rc = -1;
    if (rc >= 0 && summary) {
        *summary = s;
        s = NULL;
    }
done:
    json_decref(s);
    rundir_free(r);
    return rc;
}
