/* report.c - text and JUnit renderings of a summary (see report.h). */
#include "report.h"
#include "escape.h"
#include "violations.h"

#include <math.h>
#include <string.h>

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static const char *str(const json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

static void latency_row(FILE *f, const char *name, const json_t *s)
{
    const json_t *u = json_object_get(s, "uncorrected");
    fprintf(f, "  %-28s %8.0f %9.2f %9.2f %9.2f %9.2f %9.2f   %9.2f %9.2f\n", name, num(s, "count"),
            num(s, "p50"), num(s, "p90"), num(s, "p99"), num(s, "p99.9"), num(s, "max"),
            num(u, "p50"), num(u, "p99"));
}

/* How many bytes of S, at most MAX, end on a UTF-8 character boundary. */
static int utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return (int)max;
}

/* The manual clock's releases: who went in which order, and the --order that replays it. */
static void races_text(FILE *f, const json_t *races)
{
    if (!json_array_size(races))
        return;
    fprintf(f, "\nraces (manual clock: the users took turns in these release orders):\n");
    size_t i, j;
    const json_t *r, *x;
    json_array_foreach(races, i, r)
    {
        fprintf(f, "  %s#%.0f: users", str(r, "barrier", "?"), num(r, "generation"));
        json_array_foreach(json_object_get(r, "users"), j, x)
            fprintf(f, "%s %lld", j ? "," : "", (long long)json_integer_value(x));
        fprintf(f, "  (--order %s#%.0f=", str(r, "barrier", "?"), num(r, "generation"));
        json_array_foreach(json_object_get(r, "order"), j, x)
            fprintf(f, "%s%lld", j ? "," : "", (long long)json_integer_value(x));
        fputs(")\n", f);
    }
}

json_t *report_latency_stats(const struct cx_hist *lat, const struct cx_hist *raw, int64_t requests,
                             int64_t failed)
{
    json_t *o = json_pack(
        "{sI sI sf sf sf sf sf sf sf}", "count", (json_int_t)requests, "failed", (json_int_t)failed,
        "min", cx_hist_min(lat) / 1000.0, "p50", cx_hist_percentile(lat, 50) / 1000.0, "p90",
        cx_hist_percentile(lat, 90) / 1000.0, "p99", cx_hist_percentile(lat, 99) / 1000.0, "p99.9",
        cx_hist_percentile(lat, 99.9) / 1000.0, "max", cx_hist_max(lat) / 1000.0, "mean",
        cx_hist_mean(lat) / 1000.0);
    json_object_set_new(o, "uncorrected",
                        json_pack("{sf sf sf}", "p50", cx_hist_percentile(raw, 50) / 1000.0, "p99",
                                  cx_hist_percentile(raw, 99) / 1000.0, "max",
                                  cx_hist_max(raw) / 1000.0));
    return o;
}

/* cxload's connections to the target (summary.json's "connections"), if it has them. */
static void connections_text(FILE *f, const json_t *c)
{
    if (!c)
        return;
    const json_t *w = json_object_get(c, "waitMs");
    fprintf(f, "connections: %.0f at most; %.0f transfers waited for a free one", num(c, "limit"),
            num(c, "waits"));
    if (num(c, "waits") > 0)
        fprintf(f, " (p50 %.2f ms, p99 %.2f ms, max %.2f ms: inside their latency)", num(w, "p50"),
                num(w, "p99"), num(w, "max"));
    fputc('\n', f);
}

/* What says the figures are not the target API's alone (summary.json's "warnings"). */
static void warnings_text(FILE *f, const json_t *warnings)
{
    size_t i;
    const json_t *w;
    if (!json_array_size(warnings))
        return;
    fprintf(f, "\nwarnings:\n");
    json_array_foreach(warnings, i, w) fprintf(f, "  %s\n", json_string_value(w));
}

int report_text(FILE *f, const json_t *s)
{
    const json_t *req = json_object_get(s, "requests"), *it = json_object_get(s, "iterations");
    const json_t *gate = json_object_get(s, "command"); /* a cxmock gate run */
    if (gate)
        fprintf(f, "%s, judged by cxmock gate (seed %.0f): the program %s\n",
                str(s, "scenario", "?"), num(s, "seed"), str(gate, "text", "?"));
    else
        fprintf(f, "scenario %s (%s) against %s, seed %.0f, %.0f threads%s%s\n",
                str(s, "scenario", "?"), str(s, "file", "?"), str(s, "target", "?"), num(s, "seed"),
                num(s, "threads"), json_object_get(s, "shard") ? ", shard " : "",
                str(s, "shard", ""));
    fprintf(f, "ran %.2f s wall", num(s, "wallSeconds"));
    if (num(s, "simSeconds") > 0 && fabs(num(s, "simSeconds") - num(s, "wallSeconds")) > 1e-3)
        fprintf(f, " (%.1f s on the mock's %s clock)", num(s, "simSeconds"), str(s, "clock", "?"));
    fprintf(f,
            "\nrequests %.0f: %.0f ok, %.0f failed, %.0f indeterminate (%.0f timeouts, %.0f "
            "transport errors), %.0f retries; %.1f/s",
            num(req, "count"), num(req, "ok"), num(req, "failed"), num(req, "indeterminate"),
            num(req, "timeouts"), num(req, "transportErrors"), num(req, "retries"),
            num(req, "ratePerS"));
    if (num(req, "ratePerSimS") > 0 && fabs(num(req, "ratePerSimS") - num(req, "ratePerS")) > 1e-6)
        fprintf(f, " (%.3f per simulated s)", num(req, "ratePerSimS"));
    if (gate)
        fputs("\n", f);
    else
        fprintf(f,
                "\niterations: %.0f offered, %.0f started, %.0f dropped (no virtual user free), "
                "%.0f started late (>1 ms), %.0f completed\n",
                num(it, "offered"), num(it, "started"), num(it, "dropped"), num(it, "late"),
                num(it, "completed"));
    if (num(req, "throttled") > 0)
        fprintf(f, "client rate cap held back %.0f requests\n", num(req, "throttled"));
    connections_text(f, json_object_get(s, "connections"));

    fprintf(f,
            "\nlatency (ms, %s)     p50       p90       p99     p99.9  "
            "     max   uncorrected p50/p99\n",
            gate ? "the mock's handling" : "from the intended start");
    const json_t *lat = json_object_get(s, "latency");
    const char *tag;
    const json_t *ts;
    json_object_foreach((json_t *)json_object_get(lat, "tags"), tag, ts) latency_row(f, tag, ts);
    if (json_object_get(lat, "all"))
        latency_row(f, "(all)", json_object_get(lat, "all"));

    fprintf(f, "\nstatus:");
    const char *code;
    const json_t *n;
    json_object_foreach((json_t *)json_object_get(s, "status"), code, n)
        fprintf(f, " %s=%.0f", strcmp(code, "0") == 0 ? "no-answer" : code, json_number_value(n));
    fprintf(f, "\n\nviolations:");
    int any = 0;
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(s, "violations"), name, v)
    {
        if (num(v, "count") <= 0)
            continue;
        any = 1;
        fprintf(f, "\n  %s (%s): %.0f", name, str(v, "rule", "?"), num(v, "count"));
        if (json_object_get(v, "ledger"))
            fprintf(f, " [mock ledger: %.0f]", num(v, "ledger"));
        int known = violation_find(name);
        if (known >= 0)
            fprintf(f, "\n      %s", violation_table[known].meaning);
        const json_t *ex = json_array_get(json_object_get(v, "examples"), 0);
        if (ex)
            fprintf(f, "\n      e.g. %s%s%s", str(ex, "what", ""),
                    json_object_get(ex, "request") ? " -- " : "", str(ex, "request", ""));
        const json_t *ans = json_object_get(ex, "answer");
        if (ans) { /* the body as the history kept it (redacted, at most 4 KiB): 300 here */
            const char *body = str(ans, "body", "(no body)");
            int keep = utf8_prefix(body, 300);
            fprintf(f, "\n      answered %.0f %s: %.*s%s", num(ans, "status"),
                    str(ans, "contentType", "(no content type)"), keep, body,
                    body[keep] ? "..." : "");
        }
    }
    fprintf(f, "%s\n", any ? "\n  (the rules: docs/rules.md)" : " none");
    size_t i;
    json_array_foreach(json_object_get(s, "reconciliation"), i, v)
        fprintf(f, "  ledger check: %s\n", json_string_value(v));

    races_text(f, json_object_get(s, "races"));
    for (int k = 0; k < V_COUNT; k++) /* found at all, they fail the run */
        if ((violation_table[k].seen_by & VS_FATAL) &&
            num(json_object_get(json_object_get(s, "violations"), violation_table[k].name),
                "count") > 0)
            fprintf(f, "\n%s fails the run whatever the thresholds: it did not test what it says\n",
                    violation_table[k].name);
    const json_t *th = json_object_get(s, "thresholds");
    if (json_array_size(th)) {
        fprintf(f, "\nthresholds:\n");
        json_array_foreach(th, i, v)
        {
            const json_t *a = json_object_get(v, "actual");
            fprintf(f, "  %s  %s", json_is_true(json_object_get(v, "ok")) ? "ok  " : "FAIL",
                    str(v, "text", "?"));
            if (json_is_number(a))
                fprintf(f, "  (actual %g)", json_number_value(a));
            else
                fprintf(f, "  (no such figure)");
            fputc('\n', f);
        }
    }
    warnings_text(f, json_object_get(s, "warnings"));
    if (json_object_get(s, "notJudged"))
        fprintf(f, "\nresult: NOT JUDGED (exit %.0f): %s\n", num(s, "exitCode"),
                str(s, "notJudged", "?"));
    else
        fprintf(f, "\nresult: %s (exit %.0f)\n",
                json_is_true(json_object_get(s, "passed")) ? "PASSED" : "FAILED",
                num(s, "exitCode"));
    return ferror(f) ? -1 : 0;
}

/* Does threshold T count violation NAME (V)? The all-violations one, or one naming it or its
 * rule. */
static int covers(const json_t *t, const char *name, const json_t *v)
{
    const char *m = json_string_value(json_object_get(t, "metric"));
    const char *sel = json_string_value(json_object_get(t, "selector"));
    return m && strcmp(m, "violations") == 0 && sel &&
           (!sel[0] || strcmp(sel, name) == 0 || strcmp(sel, str(v, "rule", "")) == 0 ||
            json_object_get(json_object_get(v, "rules"), sel));
}

/* How violation NAME (V) stands with the thresholds TH: it fails the run (a failed threshold
 * counts it, or it is fatal), a threshold that held counts it, or none names it. */
enum standing { FAILS_RUN, WITHIN_THRESHOLDS, UNJUDGED };

static enum standing standing_of(const json_t *th, const char *name, const json_t *v)
{
    int which = violation_find(name);
    if (which >= 0 && (violation_table[which].seen_by & VS_FATAL))
        return FAILS_RUN;
    enum standing st = UNJUDGED;
    size_t i;
    const json_t *t;
    json_array_foreach(th, i, t)
    {
        if (!covers(t, name, v))
            continue;
        if (!json_is_true(json_object_get(t, "ok")))
            return FAILS_RUN;
        st = WITHIN_THRESHOLDS;
    }
    return st;
}

int report_junit(FILE *f, const json_t *s)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    report_junit_suite(f, s);
    fprintf(f, "</testsuites>\n");
    return ferror(f) ? -1 : 0;
}

/* <testcase classname="SCENARIO.KIND" name="NAME">: KIND is verdict, thresholds or violations,
 * so one suite's tests do not merge with another's in a CI's test view. */
static void testcase_open(FILE *f, const json_t *s, const char *kind, const char *name)
{
    fputs("  <testcase classname=\"", f);
    esc_html(f, str(s, "scenario", "cxload"));
    fprintf(f, ".%s\" name=\"", kind);
    esc_html(f, name);
    fputs("\">", f);
}

static void junit_threshold(FILE *f, const json_t *s, const json_t *t)
{
    testcase_open(f, s, "thresholds", str(t, "text", "?"));
    if (!json_is_true(json_object_get(t, "ok"))) {
        const json_t *a = json_object_get(t, "actual");
        fprintf(f, "<failure message=\"");
        esc_html(f, str(t, "text", "?"));
        if (json_is_number(a))
            fprintf(f, " (actual %g)", json_number_value(a));
        else
            fprintf(f, " (no such figure)");
        fprintf(f, "\"/>");
    }
    fprintf(f, "</testcase>\n");
}

/* A violation fails exactly when it fails the run: a failed threshold counts it, or it is
 * fatal. Found but allowed, or named by no threshold, it is told in system-out. */
static void junit_violation(FILE *f, const json_t *s, const char *name, const json_t *v)
{
    char title[160];
    snprintf(title, sizeof title, "%s (%s)", name, str(v, "rule", "?"));
    testcase_open(f, s, "violations", title);
    const json_t *ex = json_array_get(json_object_get(v, "examples"), 0);
    enum standing st = standing_of(json_object_get(s, "thresholds"), name, v);
    if (num(v, "count") > 0 && st == FAILS_RUN) {
        fprintf(f, "<failure message=\"%.0f found\">", num(v, "count"));
        esc_html(f, str(ex, "what", ""));
        fprintf(f, "</failure>");
    } else if (num(v, "count") > 0) {
        fprintf(f, "<system-out>%.0f found (%s): ", num(v, "count"),
                st == WITHIN_THRESHOLDS ? "within the thresholds"
                                        : "no threshold names it: the run does not fail on it");
        esc_html(f, str(ex, "what", ""));
        fprintf(f, "</system-out>");
    }
    fprintf(f, "</testcase>\n");
}

int report_junit_suite(FILE *f, const json_t *s)
{
    const json_t *th = json_object_get(s, "thresholds"), *vs = json_object_get(s, "violations");
    int tests = 0, failures = 0;
    size_t i;
    const json_t *t;
    json_array_foreach(th, i, t)
    {
        tests++;
        failures += !json_is_true(json_object_get(t, "ok"));
    }
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)vs, name, v)
    {
        tests++;
        failures += num(v, "count") > 0 && standing_of(th, name, v) == FAILS_RUN;
    }
    const char *unjudged = str(s, "notJudged", NULL);
    const char *command = str(s, "commandFailed", NULL); /* a cxmock gate's program */
    tests += (unjudged != NULL) + (command != NULL);
    failures += (unjudged != NULL) + (command != NULL);
    fprintf(f, "<testsuite name=\"");
    esc_html(f, str(s, "scenario", "cxload"));
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" time=\"%.3f\">\n", tests, failures,
            num(s, "wallSeconds"));
    if (unjudged || command) {
        testcase_open(f, s, "verdict", unjudged ? "judged" : "the program ran");
        fputs("<failure message=\"", f);
        esc_html(f, unjudged ? unjudged : command);
        fputs("\"/></testcase>\n", f);
    }
    json_array_foreach(th, i, t) junit_threshold(f, s, t);
    json_object_foreach((json_t *)vs, name, v) junit_violation(f, s, name, v);
    fprintf(f, "</testsuite>\n");
    return ferror(f) ? -1 : 0;
}
