/* suite.c - a conformance suite judged as one (see suite.h). */
#include "suite.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "html.h"
#include "report.h"
#include "rundir.h"

#define EXIT_FAILED 99

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static const char *str(const json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

/* "NAME (RULE) COUNT, ..." of the violations found; "none" when there are none. */
static void found(FILE *f, const json_t *s, int html)
{
    const char *name;
    const json_t *v;
    int any = 0;
    json_object_foreach(json_object_get(s, "violations"), name, v)
    {
        if (num(v, "count") <= 0)
            continue;
        /* a failed expectation names the rule its step stands for, when the step gave one */
        const json_t *ex = json_array_get(json_object_get(v, "examples"), 0);
        const char *rule = str(ex, "rule", str(v, "rule", "?"));
        if (html) {
            fputs("<div>", f);
            esc_html(f, name);
            fputs(" (", f);
            esc_html(f, rule);
            fprintf(f, ") %.0f", num(v, "count"));
        } else {
            fprintf(f, "%s%s (%s) %.0f", any ? ", " : "", name, rule, num(v, "count"));
        }
        if (html && ex) {
            fputs("<br><span class=\"note\">", f);
            esc_html(f, str(ex, "what", ""));
            fputs("</span>", f);
        }
        if (html)
            fputs("</div>", f);
        any = 1;
    }
    if (!any)
        fputs("none", f);
}

/* The thresholds, "; "-separated: what the scenario expects. */
static void expects(FILE *f, const json_t *s, int html)
{
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(s, "thresholds"), i, t)
    {
        fputs(i ? "; " : "", f);
        if (html)
            esc_html(f, str(t, "text", "?"));
        else
            fputs(str(t, "text", "?"), f);
    }
}

static void text_table(FILE *f, struct rundir **runs, int n, int failed)
{
    int w = 8;
    for (int i = 0; i < n; i++) {
        int l = (int)strlen(str(runs[i]->summary, "scenario", "?"));
        w = l > w ? l : w;
    }
    fprintf(f, "%-6s %-*s %9s %8s  %s\n", "result", w, "scenario", "requests", "wall s",
            "violations found (rule) count");
    for (int i = 0; i < n; i++) {
        const json_t *s = runs[i]->summary;
        fprintf(f, "%-6s %-*s %9.0f %8.2f  ",
                json_is_true(json_object_get(s, "passed")) ? "PASS" : "FAIL", w,
                str(s, "scenario", "?"), num(json_object_get(s, "requests"), "count"),
                num(s, "wallSeconds"));
        found(f, s, 0);
        fputc('\n', f);
        if (!json_is_true(json_object_get(s, "passed"))) {
            fprintf(f, "       %-*s expected: ", w, "");
            expects(f, s, 0);
            fprintf(f, "\n       %-*s results:  %s\n", w, "", runs[i]->dir);
        }
    }
    fprintf(f, "\n%d scenario%s: %d passed, %d failed\n", n, n == 1 ? "" : "s", n - failed, failed);
}

/* A scenario not run, "NAME" or "NAME: why", as a testsuite of one skipped test. */
static void junit_skipped(FILE *f, const char *entry)
{
    const char *colon = strstr(entry, ": ");
    size_t len = colon ? (size_t)(colon - entry) : strlen(entry);
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), entry);
    fputs("  <testsuite name=\"", f);
    esc_html(f, name);
    fputs("\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\">\n"
          "    <testcase classname=\"",
          f);
    esc_html(f, name);
    fputs(".verdict\" name=\"not run\"><skipped message=\"", f);
    esc_html(f, colon ? colon + 2 : "not run");
    fputs("\"/></testcase>\n  </testsuite>\n", f);
}

static int junit(const char *path, struct rundir **runs, int n, const struct suite_opts *o,
                 const char *title)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
    esc_html(f, title);
    fprintf(f, "\">\n");
    for (int i = 0; i < n; i++)
        report_junit_suite(f, runs[i]->summary);
    for (int i = 0; i < o->nskipped; i++)
        junit_skipped(f, o->skipped[i]);
    fprintf(f, "</testsuites>\n");
    int bad = ferror(f);
    return fclose(f) == 0 && !bad ? 0 : -1;
}

/* The path of TO relative to the directory of FROM, when both are relative or both absolute
 * and FROM's directory is a prefix of TO; else TO itself. */
static void relative(char *out, size_t size, const char *from, const char *to)
{
    char *copy = strdup(from);
    const char *dir = copy ? dirname(copy) : ".";
    size_t l = strlen(dir);
    if (strcmp(dir, ".") != 0 && strncmp(to, dir, l) == 0 && to[l] == '/') {
        to += l;
        while (*to == '/') /* "out//runs/x": dirname() dropped the doubled slash */
            to++;
    }
    snprintf(out, size, "%s", to);
    free(copy);
}

static int html(const char *path, struct rundir **runs, int n, int failed, const char *title)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    esc_html(f, title);
    fprintf(f, " - %s</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>",
            failed ? "FAILED" : "PASSED", html_css);
    esc_html(f, title);
    fprintf(f, " <span class=\"badge %s\">%s</span></h1>\n", failed ? "fail" : "pass",
            failed ? "FAILED" : "PASSED");
    fprintf(f,
            "<p class=\"sub\">%d scenarios: %d passed, %d failed. A naive variant passes when the "
            "harness reports the violation it was written to show; a correct variant when it "
            "reports none.</p>\n",
            n, n - failed, failed);
    fprintf(f, "<table>\n<tr><th>result</th><th>scenario</th><th>expects</th>"
               "<th>violations found (rule) count</th><th class=\"n\">requests</th>"
               "<th class=\"n\">wall s</th></tr>\n");
    for (int i = 0; i < n; i++) {
        const json_t *s = runs[i]->summary;
        int ok = json_is_true(json_object_get(s, "passed"));
        char page[4096], link[4096];
        snprintf(page, sizeof page, "%s/report.html", runs[i]->dir);
        relative(link, sizeof link, path, page);
        fprintf(f, "<tr><td><span class=\"pill %s\">%s</span></td><td><a href=\"",
                ok ? "pass" : "fail", ok ? "PASS" : "FAIL");
        esc_html(f, link);
        fputs("\"><code>", f);
        esc_html(f, str(s, "scenario", "?"));
        fputs("</code></a>", f);
        if (json_object_get(s, "description")) {
            fputs("<br><span class=\"note\">", f);
            esc_html(f, str(s, "description", ""));
            fputs("</span>", f);
        }
        fputs("</td><td>", f);
        expects(f, s, 1);
        fputs("</td><td>", f);
        found(f, s, 1);
        fprintf(f, "</td><td class=\"n\">%.0f</td><td class=\"n\">%.2f</td></tr>\n",
                num(json_object_get(s, "requests"), "count"), num(s, "wallSeconds"));
    }
    fprintf(f, "</table>\n<footer>cxreport suite: each scenario's own report (latency, "
               "throughput, statuses, violations with examples) is linked from its name.</footer>\n"
               "</main>\n</body>\n</html>\n");
    int bad = ferror(f);
    return fclose(f) == 0 && !bad ? 0 : -1;
}

/* Each run's own report.html, beside its summary. */
static int run_pages(struct rundir **runs, int n, struct cx_error *err)
{
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/report.html", runs[i]->dir);
        FILE *f = fopen(path, "w");
        int rc = f ? report_html(f, runs[i]->summary, rundir_hist_for, runs[i], runs[i]->dir) : -1;
        int saved = errno;
        if (f && fclose(f) != 0 && rc == 0) {
            saved = errno;
            rc = -1;
        }
        if (rc != 0) {
            cx_error_set(err, "%s: %s", path, strerror(saved));
            return -1;
        }
    }
    return 0;
}

int suite_report(FILE *out, char *const *dirs, int n, const struct suite_opts *o,
                 struct cx_error *err)
{
    struct rundir **runs = calloc((size_t)n + 1, sizeof *runs);
    if (!runs) {
        cx_error_set(err, "out of memory");
        return -1;
    }
    int rc = 0, failed = 0;
    cx_error_set(err, "%s", "");
    for (int i = 0; i < n && rc == 0; i++)
        if (rundir_load(dirs[i], o->html ? RUNDIR_HLOG : 0, &runs[i], err) < 0)
            rc = -1;
        else
            failed += !json_is_true(json_object_get(runs[i]->summary, "passed"));
    const char *title = o->title ? o->title : "conformance suite";
    if (rc == 0) {
        text_table(out, runs, n, failed);
        if (o->junit && junit(o->junit, runs, n, o, title) != 0) {
            cx_error_set(err, "%s: %s", o->junit, strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0 && o->html &&
        (run_pages(runs, n, err) != 0 || html(o->html, runs, n, failed, title) != 0)) {
        if (!err->text[0])
            cx_error_set(err, "%s: %s", o->html, strerror(errno));
        rc = -1;
    }
    for (int i = 0; i < n; i++)
        rundir_free(runs[i]);
    free(runs);
    return rc < 0 ? -1 : failed ? EXIT_FAILED : 0;
}
