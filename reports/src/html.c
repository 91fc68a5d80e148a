/* html.c - the HTML report (see html.h). */
#include "html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "escape.h"
#include "hist.h"
#include "sequence.h"
#include "violations.h"

#define CURVE_POINTS 161  /* samples of a percentile curve between p50 and p99.99 */
#define TAIL_S       0.25 /* a closing interval shorter than this is charted with the one before */

const char html_css[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f4f5f7;color:#1d2330;"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "main{max-width:1180px;margin:0 auto;padding:20px 24px 40px}\n"
    "h1{font-size:24px;margin:0 0 2px;display:flex;align-items:center;gap:12px;"
    "flex-wrap:wrap}\n"
    "h2{font-size:17px;margin:30px 0 10px;padding-bottom:4px;border-bottom:1px solid #d5d9e0}\n"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}\n"
    ".sub{color:#5b6475;margin:0 0 14px}\n"
    ".badge{display:inline-block;padding:3px 12px;border-radius:4px;font-size:14px;"
    "font-weight:700;letter-spacing:.04em;color:#fff}\n"
    ".pass{background:#1d7f45}.fail{background:#c0262d}\n"
    ".pill{display:inline-block;min-width:42px;text-align:center;padding:1px 8px;"
    "border-radius:10px;font-size:12px;font-weight:700;color:#fff}\n"
    ".warn{background:#fff4d6;border:1px solid #e7c766;border-radius:6px;padding:8px 12px;"
    "margin:10px 0}\n"
    "table{border-collapse:collapse;background:#fff;border:1px solid #dde1e7;width:100%}\n"
    "th,td{padding:5px 10px;border-bottom:1px solid #e8ebef;text-align:left;vertical-align:top}\n"
    "th{background:#f8f9fb;font-weight:600;font-size:13px;color:#3d4556}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tr.zero td{color:#9aa2b1}\n"
    "td.rule{white-space:nowrap}\n"
    "table.violations td:last-child{width:55%}\n"
    "table.kv{width:auto;min-width:520px}\n"
    "table.kv th{width:120px;background:#f8f9fb}\n"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}\n"
    ".tile{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px 12px}\n"
    ".tile b{display:block;font-size:20px;font-variant-numeric:tabular-nums}\n"
    ".tile span{color:#5b6475;font-size:12.5px}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:12px}\n"
    ".card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px}\n"
    ".card p{margin:2px 8px 6px;color:#5b6475;font-size:12.5px}\n"
    "svg.chart{display:block;width:100%;height:auto}\n"
    "svg .title{font-size:14px;font-weight:600;fill:#1d2330}\n"
    "svg .legend{font-size:12px;fill:#3d4556}\n"
    "svg .tick{font-size:11px;fill:#5b6475}\n"
    "svg .label{font-size:12px;fill:#5b6475}\n"
    "svg .empty{font-size:13px;fill:#9aa2b1}\n"
    "svg .grid{stroke:#e6e9ee;stroke-width:1}\n"
    "svg .axis{stroke:#8a93a3;stroke-width:1}\n"
    "ul.ex{margin:0;padding-left:18px}\n"
    "ul.ex li{margin:1px 0}\n"
    "code.body{white-space:pre-wrap;word-break:break-all}\n"
    ".bar{display:inline-block;height:10px;background:#2f6fde;border-radius:2px;"
    "vertical-align:middle}\n"
    ".note{color:#5b6475;font-size:12.5px}\n"
    "footer{margin-top:30px;color:#8a93a3;font-size:12px}\n";

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Milliseconds with about three significant digits. */
static void ms(FILE *f, double v)
{
    fprintf(f, v < 1 ? "%.3f" : v < 100 ? "%.2f" : "%.1f", v);
}

static void text_or(FILE *f, const char *s, const char *dflt)
{
    esc_html(f, s ? s : dflt);
}

/* ---- header and totals ------------------------------------------------------------------- */

static void kv_text(FILE *f, const char *name, const char *value)
{
    if (!value)
        return;
    fprintf(f, "<tr><th>%s</th><td>", name);
    esc_html(f, value);
    fputs("</td></tr>\n", f);
}

static void header(FILE *f, const json_t *s)
{
    int passed = json_is_true(json_object_get(s, "passed"));
    fputs("<header>\n<h1>", f);
    text_or(f, str(s, "scenario"), "?");
    fprintf(f, " <span class=\"badge %s\">%s</span></h1>\n", passed ? "pass" : "fail",
            passed ? "PASSED" : "FAILED");
    fputs("<p class=\"sub\">cxload run report", f);
    if (str(s, "startedAt")) {
        fputs(", started ", f);
        esc_html(f, str(s, "startedAt"));
    }
    fputs("</p>\n", f);
    if (json_is_true(json_object_get(s, "interrupted")))
        fputs("<div class=\"warn\">The run was interrupted (Ctrl-C): the figures cover it up to "
              "then.</div>\n",
              f);
    fputs("<table class=\"kv\">\n", f);
    kv_text(f, "scenario", str(s, "scenario"));
    kv_text(f, "file", str(s, "file"));
    kv_text(f, "target", str(s, "target"));
    if (json_object_get(s, "seed"))
        fprintf(f, "<tr><th>seed</th><td>%.0f</td></tr>\n", num(s, "seed"));
    if (json_object_get(s, "threads"))
        fprintf(f, "<tr><th>threads</th><td>%.0f</td></tr>\n", num(s, "threads"));
    kv_text(f, "shard", str(s, "shard"));
    const json_t *shards = json_object_get(json_object_get(s, "merged"), "shards");
    if (json_array_size(shards)) {
        fputs("<tr><th>merged from</th><td>", f);
        size_t i;
        const json_t *sh;
        json_array_foreach(shards, i, sh)
        {
            fputs(i ? ", " : "", f);
            fputs("<code>", f);
            text_or(f, str(sh, "dir"), "?");
            fputs("</code>", f);
        }
        fputs("</td></tr>\n", f);
    }
    kv_text(f, "clock", str(s, "clock"));
    kv_text(f, "started", str(s, "startedAt"));
    fprintf(f, "<tr><th>duration</th><td>%.2f s wall", num(s, "wallSeconds"));
    if (num(s, "simSeconds") > 0 && fabs(num(s, "simSeconds") - num(s, "wallSeconds")) > 1e-3) {
        fprintf(f, " (%.1f s on the mock's ", num(s, "simSeconds"));
        text_or(f, str(s, "clock"), "?");
        fputs(" clock)", f);
    }
    fputs("</td></tr>\n", f);
    fprintf(f,
            "<tr><th>result</th><td><span class=\"pill %s\">%s</span> exit %.0f</td></tr>\n"
            "</table>\n</header>\n",
            passed ? "pass" : "fail", passed ? "PASSED" : "FAILED", num(s, "exitCode"));
}

/* A figure with DECIMALS decimals above its LABEL (HTML). */
/* What says the figures are not the target API's alone (summary.json's warnings), each in a
 * warning box, and how many transfers waited for a connection. */
static void warnings(FILE *f, const json_t *s)
{
    size_t i;
    const json_t *w;
    json_array_foreach(json_object_get(s, "warnings"), i, w)
    {
        fputs("<div class=\"warn\"><strong>Warning:</strong> ", f);
        text_or(f, json_string_value(w), "?");
        fputs("</div>\n", f);
    }
    const json_t *c = json_object_get(s, "connections");
    if (json_is_object(c) && json_integer_value(json_object_get(c, "waits")) > 0)
        fprintf(f,
                "<p>%lld transfers waited for one of the run's %lld connections (p99 %.3f ms, max "
                "%.3f ms): the waits are inside the latencies from the intended start.</p>\n",
                (long long)json_integer_value(json_object_get(c, "waits")),
                (long long)json_integer_value(json_object_get(c, "limit")),
                num(json_object_get(c, "waitMs"), "p99"), num(json_object_get(c, "waitMs"), "max"));
}

static void tile(FILE *f, double v, int decimals, const char *label)
{
    fprintf(f, "<div class=\"tile\"><b>%.*f</b><span>%s</span></div>\n", decimals, v, label);
}

static void totals(FILE *f, const json_t *s)
{
    const json_t *r = json_object_get(s, "requests"), *it = json_object_get(s, "iterations");
    fputs("<h2>Totals</h2>\n<div class=\"tiles\">\n", f);
    tile(f, num(r, "count"), 0, "requests");
    tile(f, num(r, "ratePerS"), 1, "requests per second");
    tile(f, num(r, "ok"), 0, "ok");
    tile(f, num(r, "failed"), 0, "failed");
    tile(f, num(r, "indeterminate"), 0, "indeterminate");
    tile(f, num(r, "retries"), 0, "retries");
    tile(f, num(r, "timeouts"), 0, "timeouts");
    tile(f, num(r, "transportErrors"), 0, "transport errors");
    tile(f, num(it, "offered"), 0, "iterations offered");
    tile(f, num(it, "started"), 0, "started");
    tile(f, num(it, "dropped"), 0, "dropped (no virtual user free)");
    tile(f, num(it, "late"), 0, "started late (&gt;1 ms)");
    tile(f, num(it, "completed"), 0, "completed");
    if (num(r, "throttled") > 0)
        tile(f, num(r, "throttled"), 0, "held back by the client rate cap");
    fputs("</div>\n", f);
}

/* ---- thresholds and violations ----------------------------------------------------------- */

static void thresholds(FILE *f, const json_t *s)
{
    const json_t *th = json_object_get(s, "thresholds");
    fputs("<h2>Thresholds</h2>\n", f);
    if (!json_array_size(th)) {
        fputs("<p>The scenario sets no threshold.</p>\n", f);
        return;
    }
    fputs("<table class=\"thresholds\">\n<tr><th>result</th><th>threshold</th>"
          "<th class=\"n\">actual</th></tr>\n",
          f);
    size_t i;
    const json_t *t;
    json_array_foreach(th, i, t)
    {
        int ok = json_is_true(json_object_get(t, "ok"));
        fprintf(f, "<tr><td><span class=\"pill %s\">%s</span></td><td><code>", ok ? "pass" : "fail",
                ok ? "ok" : "FAIL");
        text_or(f, str(t, "text"), "?");
        fputs("</code></td><td class=\"n\">", f);
        const json_t *a = json_object_get(t, "actual");
        if (json_is_number(a))
            fprintf(f, "%g", json_number_value(a));
        else
            fputs("no such figure", f);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* A violation's examples: what happened, the request, its shard, and what a failed
 * expectation's answer said (status, content type, body as the history kept it). */
static void examples(FILE *f, const json_t *exs)
{
    if (!json_array_size(exs))
        return;
    fputs("<ul class=\"ex\">", f);
    size_t i;
    const json_t *ex;
    json_array_foreach(exs, i, ex)
    {
        fputs("<li>", f);
        text_or(f, str(ex, "what"), "");
        if (str(ex, "request")) {
            fputs(" &mdash; <code>", f);
            esc_html(f, str(ex, "request"));
            fputs("</code>", f);
        }
        if (str(ex, "shard")) {
            fputs(" (shard ", f);
            esc_html(f, str(ex, "shard"));
            fputs(")", f);
        }
        const json_t *ans = json_object_get(ex, "answer");
        if (ans) {
            fprintf(f, "<br><span class=\"note\">answered %.0f ", num(ans, "status"));
            text_or(f, str(ans, "contentType"), "(no content type)");
            fputs(":</span> <code class=\"body\">", f);
            text_or(f, str(ans, "body"), "(no body)");
            fputs("</code>", f);
        }
        fputs("</li>", f);
    }
    fputs("</ul>", f);
}

static void violations(FILE *f, const json_t *s)
{
    const json_t *vs = json_object_get(s, "violations");
    fputs("<h2>Violations</h2>\n<p>Each rule ID is in the harness's catalogue of rules, "
          "<code>docs/rules.md</code>.</p>\n",
          f);
    if (!json_object_size(vs)) {
        fputs("<p>No violation checks ran.</p>\n", f);
    } else {
        fputs("<table class=\"violations\">\n<tr><th>violation</th><th>rule</th>"
              "<th class=\"n\">count</th><th class=\"n\">mock ledger</th><th>examples</th></tr>\n",
              f);
        const char *name;
        const json_t *v;
        json_object_foreach((json_t *)vs, name, v)
        {
            double count = num(v, "count");
            fprintf(f, "<tr%s><td><code>", count > 0 ? "" : " class=\"zero\"");
            esc_html(f, name);
            fputs("</code>", f);
            int known = violation_find(name);
            if (known >= 0) {
                fputs("<br><small>", f);
                esc_html(f, violation_table[known].meaning);
                fputs("</small>", f);
            }
            fputs("</td><td class=\"rule\">", f);
            text_or(f, str(v, "rule"), "?");
            fprintf(f, "</td><td class=\"n\">%.0f</td><td class=\"n\">", count);
            if (json_object_get(v, "ledger"))
                fprintf(f, "%.0f", num(v, "ledger"));
            fputs("</td><td>", f);
            examples(f, json_object_get(v, "examples"));
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    const json_t *rec = json_object_get(s, "reconciliation");
    if (json_array_size(rec)) {
        fputs("<p>Ledger check (what the mock recorded against what the client saw):</p>\n"
              "<ul class=\"reconciliation\">\n",
              f);
        size_t i;
        const json_t *r;
        json_array_foreach(rec, i, r)
        {
            fputs("<li>", f);
            esc_html(f, json_string_value(r));
            fputs("</li>\n", f);
        }
        fputs("</ul>\n", f);
    }
}

/* ---- latency ----------------------------------------------------------------------------- */

static void latency_row(FILE *f, const char *name, const json_t *st, int all)
{
    const json_t *u = json_object_get(st, "uncorrected");
    fputs(all ? "<tr><td><i>" : "<tr><td><code>", f);
    esc_html(f, name);
    fprintf(f, "%s</td><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>",
            all ? "</i>" : "</code>", num(st, "count"), num(st, "failed"));
    static const char *const cols[] = {"min", "p50", "p90", "p99", "p99.9", "max", "mean"};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        fputs("<td class=\"n\">", f);
        ms(f, num(st, cols[i]));
        fputs("</td>", f);
    }
    fputs("<td class=\"n\">", f);
    ms(f, num(u, "p50"));
    fputs(" / ", f);
    ms(f, num(u, "p99"));
    fputs("</td></tr>\n", f);
}

/* One tag's percentile curve, x = log10(1 / (1 - p)): p50 at log10(2), p99.99 at 4. */
static void latency_chart(FILE *f, const char *tag, const struct cx_hist *h, double count)
{
    static const struct chart_tick ticks[] = {
        {0.30103, "50%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}};
    static const double marks[] = {50, 90, 99, 99.9, 99.99};
    static const char *const mark_names[] = {"p50", "p90", "p99", "p99.9", "p99.99"};
    double x[CURVE_POINTS], y[CURVE_POINTS], mx[5], my[5];
    char tipbuf[5][64];
    const char *tips[5];
    size_t n = 0;
    if (h && cx_hist_count(h) > 0) {
        for (; n < CURVE_POINTS; n++) {
            x[n] = ticks[0].at + (4 - ticks[0].at) * (double)n / (CURVE_POINTS - 1);
            double pct = 100.0 * (1 - pow(10, -x[n]));
            y[n] = (double)cx_hist_percentile(h, pct) / 1000.0;
        }
        for (size_t i = 0; i < 5; i++) {
            mx[i] = ticks[i].at;
            my[i] = (double)cx_hist_percentile(h, marks[i]) / 1000.0;
            snprintf(tipbuf[i], sizeof tipbuf[i], "%s = %.3f ms", mark_names[i], my[i]);
            tips[i] = tipbuf[i];
        }
    }
    struct chart_line lines[2] = {
        {"corrected latency (ms)", "#2f6fde", x, y, n, 0, 0, 0, NULL},
        {"p50, p90, p99, p99.9, p99.99", "#1d2330", mx, my, n ? 5 : 0, 0, 1, 1, tips},
    };
    char title[512], attrs[1024];
    snprintf(title, sizeof title, "latency of %s (%.0f requests)", tag, count);
    /* data-tag holds the tag escaped: build it through a memory stream */
    char *esc = NULL;
    size_t esclen = 0;
    FILE *m = open_memstream(&esc, &esclen);
    if (m) {
        esc_html(m, tag);
        fclose(m);
    }
    snprintf(attrs, sizeof attrs, "class=\"chart latency\" data-tag=\"%s\"", esc ? esc : "");
    free(esc);
    struct chart c = {attrs,
                      title,
                      "percentile (log scale of 1 / (1 - p))",
                      "ms",
                      ticks[0].at,
                      4,
                      ticks,
                      sizeof ticks / sizeof ticks[0],
                      "no latency recorded for this tag in latency.hlog"};
    fputs("<div class=\"card\">\n", f);
    chart_svg(f, &c, lines, 2);
    fputs("</div>\n", f);
}

static void latency(FILE *f, const json_t *s, thresholds_hist_fn hist_for, void *ctx)
{
    const json_t *lat = json_object_get(s, "latency"), *tags = json_object_get(lat, "tags");
    fputs("<h2>Latency</h2>\n<p>Milliseconds from each request's intended start (corrected for "
          "coordinated omission); the uncorrected figures are timed from the actual send.</p>\n",
          f);
    fputs("<table class=\"latency\">\n<tr><th>tag</th><th class=\"n\">requests</th>"
          "<th class=\"n\">failed</th><th class=\"n\">min</th><th class=\"n\">p50</th>"
          "<th class=\"n\">p90</th><th class=\"n\">p99</th><th class=\"n\">p99.9</th>"
          "<th class=\"n\">max</th><th class=\"n\">mean</th>"
          "<th class=\"n\">uncorrected p50 / p99</th></tr>\n",
          f);
    const char *tag;
    const json_t *st;
    json_object_foreach((json_t *)tags, tag, st) latency_row(f, tag, st, 0);
    if (json_object_get(lat, "all"))
        latency_row(f, "(all)", json_object_get(lat, "all"), 1);
    fputs("</table>\n", f);
    const char *merged = str(json_object_get(s, "merged"), "uncorrected");
    if (merged) {
        fputs("<p>", f);
        esc_html(f, merged);
        fputs("</p>\n", f);
    }
    fputs("<h2>Latency by percentile</h2>\n<div class=\"charts\">\n", f);
    json_object_foreach((json_t *)tags, tag, st)
        latency_chart(f, tag, hist_for ? hist_for(ctx, tag) : NULL, num(st, "count"));
    fputs("</div>\n", f);
}

/* ---- over time --------------------------------------------------------------------------- */

/* What the time charts count in each interval. */
enum { REQUESTS, C2XX, C429, C5XX, OFFERED, STARTED, NCOUNTS };
static const char *const count_keys[NCOUNTS] = {"requests", "2xx",     "throttled429",
                                                "5xx",      "offered", "started"};

struct interval {
    double start, len, v[NCOUNTS];
};

/* The series as intervals; a closing interval shorter than TAIL_S is added to the one before,
 * so a handful of requests in its few milliseconds does not show as a spike. *n = count. */
static struct interval *intervals(const json_t *s, size_t *n)
{
    const json_t *series = json_object_get(s, "series");
    *n = 0;
    struct interval *iv = calloc(json_array_size(series) + 1, sizeof *iv);
    if (!iv)
        return NULL;
    size_t i;
    const json_t *p;
    json_array_foreach(series, i, p)
    {
        struct interval x = {num(p, "startS"), num(p, "lengthS"), {0}};
        for (int k = 0; k < NCOUNTS; k++)
            x.v[k] = num(p, count_keys[k]);
        if (*n > 0 && x.len < TAIL_S && i + 1 == json_array_size(series)) {
            struct interval *l = &iv[*n - 1];
            l->len = x.start + x.len - l->start;
            for (int k = 0; k < NCOUNTS; k++)
                l->v[k] += x.v[k];
            continue;
        }
        iv[(*n)++] = x;
    }
    return iv;
}

/* Count K per second as a step line: two points per interval. */
static void steps(const struct interval *iv, size_t n, int k, double *x, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double rate = iv[i].len > 0 ? iv[i].v[k] / iv[i].len : 0;
        x[2 * i] = iv[i].start;
        x[2 * i + 1] = iv[i].start + iv[i].len;
        y[2 * i] = y[2 * i + 1] = rate;
    }
}

static void over_time(FILE *f, const json_t *s)
{
    size_t n = 0;
    struct interval *iv = intervals(s, &n);
    double *buf = calloc((NCOUNTS + 1) * 2 * (n + 1), sizeof *buf);
    if (!iv || !buf) {
        free(iv);
        free(buf);
        fputs("<p>out of memory drawing the time series</p>\n", f);
        return;
    }
    double *xs = buf, *ys[NCOUNTS], tot[NCOUNTS] = {0};
    for (int k = 0; k < NCOUNTS; k++) {
        ys[k] = buf + (size_t)(k + 1) * 2 * (n + 1);
        steps(iv, n, k, xs, ys[k]);
        for (size_t i = 0; i < n; i++)
            tot[k] += iv[i].v[k];
    }
    double end = n ? iv[n - 1].start + iv[n - 1].len : 1;
    const char *empty = json_object_get(s, "series")
                            ? "no interval in the series"
                            : "this summary has no \"series\" (written by an older cxload)";

    fputs("<h2>Over time</h2>\n<div class=\"charts\">\n<div class=\"card\">\n", f);
    struct chart_line thr[] = {
        {"requests/s", "#2f6fde", xs, ys[REQUESTS], 2 * n, 0, 0, 0, NULL},
        {"2xx/s", "#1d7f45", xs, ys[C2XX], 2 * n, 0, 0, 0, NULL},
        {"429/s", "#e08a00", xs, ys[C429], 2 * n, 0, 0, 0, NULL},
        {"5xx/s", "#c0262d", xs, ys[C5XX], 2 * n, 0, 0, 0, NULL},
    };
    struct chart c1 = {"class=\"chart throughput\"",
                       "throughput and status codes",
                       "seconds since the start of the run",
                       "per second",
                       0,
                       end,
                       NULL,
                       0,
                       empty};
    chart_svg(f, &c1, thr, 4);
    fprintf(f, "<p>%.0f requests in the series: %.0f 2xx, %.0f 429, %.0f 5xx.</p>\n</div>\n",
            tot[REQUESTS], tot[C2XX], tot[C429], tot[C5XX]);

    fputs("<div class=\"card\">\n", f);
    struct chart_line off[] = {
        {"offered/s", "#6b7280", xs, ys[OFFERED], 2 * n, 1, 0, 0, NULL},
        {"started (achieved)/s", "#2f6fde", xs, ys[STARTED], 2 * n, 0, 0, 0, NULL},
        {"throttled (429)/s", "#e08a00", xs, ys[C429], 2 * n, 0, 0, 0, NULL},
    };
    struct chart c2 = {"class=\"chart offered\"",
                       "offered vs achieved vs throttled",
                       "seconds since the start of the run",
                       "per second",
                       0,
                       end,
                       NULL,
                       0,
                       empty};
    chart_svg(f, &c2, off, 3);
    fprintf(f, "<p>%.0f iterations offered, %.0f started", tot[OFFERED], tot[STARTED]);
    if (tot[OFFERED] > 0)
        fprintf(f, " (%.1f %%)", 100.0 * tot[STARTED] / tot[OFFERED]);
    fprintf(f, "; %.0f request%s throttled by the target (429).</p>\n</div>\n</div>\n", tot[C429],
            tot[C429] == 1 ? "" : "s");
    if (n && json_array_size(json_object_get(s, "series")) > n)
        fprintf(f,
                "<p class=\"note\">The last interval (%.3f s, when the run closed) is drawn "
                "with the one "
                "before it.</p>\n",
                num(json_array_get(json_object_get(s, "series"),
                                   json_array_size(json_object_get(s, "series")) - 1),
                    "lengthS"));
    free(iv);
    free(buf);
}

/* ---- statuses ---------------------------------------------------------------------------- */

static const char *status_class(const char *code)
{
    switch (code[0]) {
    case '0':
        return "no answer (timeout, reset or transport error)";
    case '1':
        return "informational";
    case '2':
        return "success";
    case '3':
        return "redirect";
    case '4':
        return strcmp(code, "429") == 0 ? "too many requests (rate limited)" : "client error";
    case '5':
        return "server error";
    }
    return "";
}

static void statuses(FILE *f, const json_t *s)
{
    const json_t *st = json_object_get(s, "status");
    double total = 0;
    const char *code;
    const json_t *v;
    json_object_foreach((json_t *)st, code, v) total += json_number_value(v);
    fputs("<h2>Status codes</h2>\n", f);
    if (!json_object_size(st)) {
        fputs("<p>No request was answered.</p>\n", f);
        return;
    }
    fputs("<table class=\"status\">\n<tr><th>status</th><th>meaning</th><th class=\"n\">count"
          "</th><th class=\"n\">share</th><th></th></tr>\n",
          f);
    json_object_foreach((json_t *)st, code, v)
    {
        double c = json_number_value(v), share = total > 0 ? c / total : 0;
        fputs("<tr><td><code>", f);
        esc_html(f, strcmp(code, "0") == 0 ? "no answer" : code);
        fprintf(f,
                "</code></td><td>%s</td><td class=\"n\">%.0f</td><td class=\"n\">%.1f %%</td>"
                "<td><span class=\"bar\" style=\"width:%.0fpx\"></span></td></tr>\n",
                status_class(code), c, 100 * share, 2 + 240 * share);
    }
    fputs("</table>\n", f);
}

int report_html(FILE *f, const json_t *s, thresholds_hist_fn hist_for, void *ctx, const char *dir)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>cxload report: ",
          f);
    text_or(f, str(s, "scenario"), "?");
    fprintf(f, " (%s)</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n",
            json_is_true(json_object_get(s, "passed")) ? "PASSED" : "FAILED", html_css);
    header(f, s);
    warnings(f, s);
    totals(f, s);
    thresholds(f, s);
    violations(f, s);
    seq_html(f, dir, s);
    latency(f, s, hist_for, ctx);
    over_time(f, s);
    statuses(f, s);
    fputs("<footer>Made by cxreport from summary.json, latency.hlog, history.jsonl and "
          "ledger.jsonl. Latency charts: each "
          "tag's histogram of the whole run (HdrHistogram layout, 3 significant digits).</footer>\n"
          "</main>\n</body>\n</html>\n",
          f);
    return ferror(f) ? -1 : 0;
}
