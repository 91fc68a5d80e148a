/* test_html.c - the HTML report (html.h): well-formed (a small checker of its own: balanced
 * tags, quoted attributes, valid entities, no raw '<' or '>' in text), self-contained (no
 * script, nothing fetched), exactly one latency chart per tag plus the two time charts, every
 * string from the summary escaped, the same bytes for the same input; and `cxreport html`
 * writing RUN_DIR/report.html or --out and printing the path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxrtest.h"
#include "html.h"
#include "rundir.h"

/* ---- a small HTML checker ---------------------------------------------------------------- */

#define MAX_DEPTH 64
#define MAX_SVGS  32

struct svg_tag {
    char cls[128], tag[256]; /* class and data-tag attributes (as written, escaped) */
    int has_tag;
};

struct page {
    struct svg_tag svgs[MAX_SVGS];
    int nsvgs;
    int elements;
    char error[512];
};

static int is_void(const char *name)
{
    static const char *const v[] = {"area",  "base", "br",   "col",    "embed", "hr", "img",
                                    "input", "link", "meta", "source", "track", "wbr"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (strcmp(v[i], name) == 0)
            return 1;
    return 0;
}

static int line_of(const char *start, const char *p)
{
    int line = 1;
    for (; start < p; start++)
        line += *start == '\n';
    return line;
}

#define BAD(...)                                                                                   \
    do {                                                                                           \
        int n_ = snprintf(pg->error, sizeof pg->error, "line %d: ", line_of(html, p));             \
        snprintf(pg->error + n_, sizeof pg->error - (size_t)n_, __VA_ARGS__);                      \
        return -1;                                                                                 \
    } while (0)

/* An entity at P ("&name;" or "&#123;"): its length, or 0 if it is not one. */
static size_t entity(const char *p)
{
    size_t i = 1;
    if (p[i] == '#') {
        i++;
        while (isdigit((unsigned char)p[i]))
            i++;
        return i > 2 && p[i] == ';' ? i + 1 : 0;
    }
    while (isalpha((unsigned char)p[i]))
        i++;
    return i > 1 && p[i] == ';' ? i + 1 : 0;
}

/* Check HTML; fill PG. Returns 0, or -1 with pg->error. */
static int check_html(const char *html, struct page *pg)
{
    char stack[MAX_DEPTH][32];
    int depth = 0;
    const char *p = html;
    memset(pg, 0, sizeof *pg);
    if (strncmp(p, "<!DOCTYPE html>", 15) != 0)
        BAD("no <!DOCTYPE html> first");
    p += 15;
    while (*p) {
        if (*p == '&') {
            size_t n = entity(p);
            if (!n)
                BAD("'&' that starts no entity: %.20s", p);
            p += n;
            continue;
        }
        if (*p == '>')
            BAD("raw '>' in text: %.30s", p);
        if (*p != '<') {
            p++;
            continue;
        }
        if (strncmp(p, "<!--", 4) == 0) {
            const char *e = strstr(p, "-->");
            if (!e)
                BAD("unterminated comment");
            p = e + 3;
            continue;
        }
        int closing = p[1] == '/';
        const char *q = p + 1 + closing;
        char name[32];
        size_t nl = 0;
        while (isalnum((unsigned char)*q) || *q == '-') {
            if (nl + 1 >= sizeof name)
                BAD("tag name too long");
            name[nl++] = (char)tolower((unsigned char)*q++);
        }
        name[nl] = '\0';
        if (!nl)
            BAD("raw '<' in text: %.30s", p);
        if (closing) {
            if (*q != '>')
                BAD("malformed end tag </%s", name);
            if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
                BAD("</%s> closes <%s>", name, depth ? stack[depth - 1] : "(nothing)");
            depth--;
            p = q + 1;
            continue;
        }
        /* attributes */
        struct svg_tag st;
        memset(&st, 0, sizeof st);
        int self_closed = 0;
        for (;;) {
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '>') {
                q++;
                break;
            }
            if (q[0] == '/' && q[1] == '>') {
                self_closed = 1;
                q += 2;
                break;
            }
            char an[64];
            size_t al = 0;
            while (isalnum((unsigned char)*q) || *q == '-' || *q == ':') {
                if (al + 1 >= sizeof an)
                    BAD("attribute name too long");
                an[al++] = *q++;
            }
            an[al] = '\0';
            if (!al)
                BAD("malformed attribute in <%s>: %.20s", name, q);
            if (*q != '=')
                continue; /* a boolean attribute */
            if (q[1] != '"')
                BAD("attribute %s of <%s> not double-quoted", an, name);
            const char *v = q + 2, *e = strchr(v, '"');
            if (!e)
                BAD("unterminated attribute %s", an);
            for (const char *c = v; c < e; c++) {
                if (*c == '<' || *c == '>')
                    BAD("raw '%c' in attribute %s", *c, an);
                if (*c == '&' && !entity(c))
                    BAD("'&' that starts no entity in attribute %s", an);
            }
            if (strcmp(name, "svg") == 0 && strcmp(an, "class") == 0)
                snprintf(st.cls, sizeof st.cls, "%.*s", (int)(e - v), v);
            if (strcmp(name, "svg") == 0 && strcmp(an, "data-tag") == 0) {
                snprintf(st.tag, sizeof st.tag, "%.*s", (int)(e - v), v);
                st.has_tag = 1;
            }
            q = e + 1;
        }
        pg->elements++;
        if (strcmp(name, "svg") == 0) {
            if (pg->nsvgs == MAX_SVGS)
                BAD("too many <svg>");
            pg->svgs[pg->nsvgs++] = st;
        }
        p = q;
        if (self_closed || is_void(name))
            continue;
        if (depth == MAX_DEPTH)
            BAD("nested too deep");
        snprintf(stack[depth++], sizeof stack[0], "%s", name);
        if (strcmp(name, "style") == 0 || strcmp(name, "script") == 0) { /* raw text */
            char end[48];
            snprintf(end, sizeof end, "</%s>", name);
            const char *e = strstr(p, end);
            if (!e)
                BAD("<%s> not closed", name);
            p = e;
        }
    }
    if (depth)
        BAD("<%s> not closed at the end", stack[depth - 1]);
    return 0;
}

/* ---- rendering --------------------------------------------------------------------------- */

static char *render_dir(const json_t *summary, thresholds_hist_fn hist_for, void *ctx,
                        const char *dir)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(report_html(m, summary, hist_for, ctx, dir), 0);
    fclose(m);
    return buf;
}

static char *render(const json_t *summary, thresholds_hist_fn hist_for, void *ctx)
{
    return render_dir(summary, hist_for, ctx, NULL);
}

static struct rundir *run_a(void)
{
    struct rundir *r = NULL;
    if (rundir_load(cxr_data("run-a"), RUNDIR_HLOG, &r, &cxr_e) < 0)
        fail_msg("%s", cxr_err());
    return r;
}

static void assert_well_formed(const char *html, struct page *pg)
{
    if (check_html(html, pg) < 0)
        fail_msg("not well-formed: %s", pg->error);
}

/* The page holds exactly one latency chart per tag of TAGS (escaped), and the two others. */
static void assert_charts(const struct page *pg, const char *const *tags, int ntags)
{
    int latency = 0, throughput = 0, offered = 0;
    for (int i = 0; i < pg->nsvgs; i++) {
        const struct svg_tag *s = &pg->svgs[i];
        if (strcmp(s->cls, "chart latency") == 0) {
            assert_true(s->has_tag);
            latency++;
            int found = 0;
            for (int t = 0; t < ntags; t++)
                found += strcmp(s->tag, tags[t]) == 0;
            if (found != 1)
                fail_msg("latency chart for unexpected tag \"%s\"", s->tag);
            for (int k = 0; k < i; k++)
                if (strcmp(pg->svgs[k].cls, "chart latency") == 0 &&
                    strcmp(pg->svgs[k].tag, s->tag) == 0)
                    fail_msg("two latency charts for tag \"%s\"", s->tag);
        } else if (strcmp(s->cls, "chart throughput") == 0) {
            throughput++;
        } else if (strcmp(s->cls, "chart offered") == 0) {
            offered++;
        } else if (strcmp(s->cls, "chart sequence") == 0) {
            continue; /* the race's picture: test_sequence_view */
        } else {
            fail_msg("an <svg> of unknown class \"%s\"", s->cls);
        }
    }
    assert_int_equal(latency, ntags);
    assert_int_equal(throughput, 1);
    assert_int_equal(offered, 1);
    assert_int_equal(pg->nsvgs, ntags + 2);
}

static void assert_self_contained(const char *html)
{
    static const char *const banned[] = {
        "<script", "<link", "<img", "<iframe", " src=", " href=", "url(", "@import", "javascript:"};
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++)
        if (strstr(html, banned[i]))
            fail_msg("the page holds \"%s\": not self-contained", banned[i]);
    /* the SVG namespace is the only URL, and it is not fetched */
    assert_int_equal(cxr_count(html, "http"),
                     cxr_count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_run_a(void **state)
{
    struct rundir *r = run_a();
    char *html = render(r->summary, rundir_hist_for, r);
    struct page pg;
    assert_well_formed(html, &pg);
    const char *tags[] = {"accept", "read"};
    assert_charts(&pg, tags, 2);
    assert_self_contained(html);
    /* header, thresholds (2 ok, 1 FAIL), violations with rule and count, statuses */
    assert_non_null(strstr(html, "<title>cxload report: fixture-a (FAILED)</title>"));
    assert_non_null(strstr(html, "<span class=\"badge fail\">FAILED</span>"));
    assert_non_null(strstr(html, "<tr><th>target</th><td>embedded cxmock</td></tr>"));
    assert_non_null(strstr(html, "<tr><th>seed</th><td>7</td></tr>"));
    assert_non_null(strstr(html, "<tr><th>threads</th><td>2</td></tr>"));
    assert_non_null(strstr(html, "<tr><th>duration</th><td>2.50 s wall</td></tr>"));
    assert_int_equal(cxr_count(html, "<span class=\"pill pass\">ok</span>"), 2);
    assert_int_equal(cxr_count(html, "<span class=\"pill fail\">FAIL</span>"), 1);
    assert_non_null(strstr(html, "<code>errors: rate&lt;0.1</code></td><td class=\"n\">0.161905"));
    /* each violation with its meaning from the one table (violations.def) and its rule */
    assert_non_null(strstr(html, "<code>DUPLICATE_ACCEPT</code><br><small>an agent acted as the "
                                 "owner after its accept&#39;s answer named another agent (first "
                                 "wins)</small></td><td class=\"rule\">ACC-05</td>"
                                 "<td class=\"n\">1</td>"));
    assert_non_null(strstr(html, "docs/rules.md"));
    assert_non_null(strstr(html, "<tr class=\"zero\"><td><code>SILENT_DROP</code><br><small>a "
                                 "reject returned the interaction to an overflowing queue, which "
                                 "dropped it with a 200</small></td><td "
                                 "class=\"rule\">REJ-03</td><td class=\"n\">0</td><td "
                                 "class=\"n\">0</td>"));
    assert_non_null(strstr(html, "<td class=\"n\">88</td><td class=\"n\">83.8 %</td>"));
    /* the percentile dots come from each tag's histogram: accept's p99 is 9.007 ms */
    assert_non_null(strstr(html, "<title>p99 = 9.007 ms</title>"));
    assert_non_null(strstr(html, "<title>p99 = 0.509 ms</title>"));
    /* the series: 105 requests, 7 of them 429 */
    assert_non_null(strstr(html, "105 requests in the series: 88 2xx, 7 429, 4 5xx."));
    free(html);
    rundir_free(r);
}

static void test_escaping(void **state)
{
    struct rundir *r = run_a();
    char *html = render(r->summary, rundir_hist_for, r);
    /* the example holds <b>, quotes, & and a <script> in its request path */
    assert_non_null(strstr(html, "acted on &lt;b&gt;i-1&lt;/b&gt; as its owner"));
    assert_non_null(strstr(html, "agent-voice-1 &amp; &quot;first wins&quot;"));
    assert_non_null(
        strstr(html, "i-1?x=&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;y=1</code>"));
    assert_null(strstr(html, "<b>i-1"));
    free(html);

    /* hostile names everywhere: scenario, tag (also in data-tag), violation, status */
    json_t *s = json_deep_copy(r->summary);
    const char *evil = "<svg onload=\"alert(1)\">&'x'";
    json_object_set_new(s, "scenario", json_string(evil));
    json_object_set_new(s, "target", json_string("http://<evil>/\"x\""));
    json_t *tags = json_object_get(json_object_get(s, "latency"), "tags");
    json_object_set(tags, evil, json_object_get(tags, "read"));
    json_object_del(tags, "read");
    json_t *vs = json_object_get(s, "violations");
    json_object_set(vs, evil, json_object_get(vs, "DUPLICATE_ACCEPT"));
    json_object_set_new(json_object_get(s, "status"), "<9>", json_integer(1));
    json_array_append_new(json_object_get(s, "reconciliation"), json_string("</ul><script>"));
    html = render(s, rundir_hist_for, r);
    struct page pg;
    assert_well_formed(html, &pg);
    const char *want[] = {"accept", "&lt;svg onload=&quot;alert(1)&quot;&gt;&amp;&#39;x&#39;"};
    assert_charts(&pg, want, 2);
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "onload=\""));
    assert_non_null(strstr(html, "&lt;/ul&gt;&lt;script&gt;"));
    free(html);
    json_decref(s);
    rundir_free(r);
}

/* The page says what the text report says when the figures are not the target's alone: each
 * warning (escaped) in a warning box, and the transfers that waited for a connection; a run
 * with none shows neither. */
static void test_warnings_and_connection_waits(void **state)
{
    struct rundir *r = run_a();
    char *html = render(r->summary, rundir_hist_for, r);
    assert_null(strstr(html, "<strong>Warning:</strong>"));
    assert_null(strstr(html, "transfers waited"));
    free(html);
    json_t *s = json_deep_copy(r->summary);
    json_object_set_new(s, "warnings",
                        json_pack("[ss]", "the driver fell behind <b>", "shard 1/2: the target"));
    json_object_set_new(s, "connections",
                        json_pack("{si si s{sf sf sf}}", "limit", 64, "waits", 12, "waitMs", "p50",
                                  0.5, "p99", 3.25, "max", 7.5));
    html = render(s, rundir_hist_for, r);
    struct page pg;
    assert_well_formed(html, &pg);
    assert_int_equal(cxr_count(html, "<strong>Warning:</strong>"), 2);
    assert_non_null(strstr(html, "the driver fell behind &lt;b&gt;"));
    assert_non_null(strstr(html, "12 transfers waited for one of the run's 64 connections"));
    free(html);
    json_decref(s);
    rundir_free(r);
}

static const struct cx_hist *no_hist(void *ctx, const char *tag)
{
    return NULL;
}

static void test_without_series_or_histograms(void **state)
{
    struct rundir *r = run_a();
    json_t *s = json_deep_copy(r->summary);
    json_object_del(s, "series");
    json_object_set_new(s, "passed", json_true());
    json_object_set_new(s, "exitCode", json_integer(0));
    char *html = render(s, no_hist, NULL);
    struct page pg;
    assert_well_formed(html, &pg);
    const char *tags[] = {"accept", "read"};
    assert_charts(&pg, tags, 2); /* still one chart per tag, saying why it is empty */
    assert_int_equal(cxr_count(html, "no latency recorded for this tag in latency.hlog"), 2);
    assert_int_equal(cxr_count(html, "this summary has no &quot;series&quot;"), 2);
    assert_non_null(strstr(html, "<span class=\"badge pass\">PASSED</span>"));
    assert_null(strstr(html, "<polyline"));
    free(html);
    json_decref(s);
    rundir_free(r);
}

static void test_deterministic_and_cli(void **state)
{
    struct rundir *r = run_a();
    char *a = render(r->summary, rundir_hist_for, r), *b = render(r->summary, rundir_hist_for, r);
    assert_string_equal(a, b);
    free(b);
    rundir_free(r);

    /* --out FILE: that file, its path printed */
    char *dir = cxr_tmpdir(), out[600];
    snprintf(out, sizeof out, "%s/page.html", dir);
    const char *args[] = {"html", cxr_data("run-a"), "--out", out, NULL};
    struct cxr_proc p;
    assert_int_equal(cxr_run(&p, args), 0);
    char line[700];
    snprintf(line, sizeof line, "%s\n", out);
    assert_string_equal(p.out, line);
    char *file = cxr_slurp(out);
    assert_non_null(file);
    assert_string_equal(file, a);
    free(file);
    cxr_proc_free(&p);

    /* default: RUN_DIR/report.html */
    char run[600], path[700], line2[720];
    snprintf(run, sizeof run, "%s/run", dir);
    json_t *s = json_load_file(cxr_data("run-a/summary.json"), 0, NULL);
    assert_non_null(s);
    cxr_write_run(run, s);
    json_decref(s);
    char *hlog = cxr_slurp(cxr_data("run-a/latency.hlog"));
    snprintf(path, sizeof path, "%s/latency.hlog", run);
    cxr_write(path, hlog);
    free(hlog);
    const char *args2[] = {"html", run, NULL};
    assert_int_equal(cxr_run(&p, args2), 0);
    snprintf(path, sizeof path, "%s/report.html", run);
    snprintf(line2, sizeof line2, "%s\n", path);
    assert_string_equal(p.out, line2);
    file = cxr_slurp(path);
    assert_non_null(file);
    struct page pg;
    assert_well_formed(file, &pg);
    free(file);
    cxr_proc_free(&p);

    free(a);
    cxr_rmrf(dir);
    free(dir);
}

/* SIM-05, ACC-05: the picture of a race. The accept race's run directory (its history and
 * the embedded mock's ledger) draws a lane for the setup, one per user and one for the mock's
 * ledger: the winner's ACCEPT and the loser's already_owned beside their accepts' answers,
 * the barrier's release order, the advances, and the act the DUPLICATE_ACCEPT names in red. */
static void test_sequence_view(void **state)
{
    struct rundir *r = NULL;
    if (rundir_load(cxr_data("race"), RUNDIR_HLOG, &r, &cxr_e) < 0)
        fail_msg("%s", cxr_err());
    char *html = render_dir(r->summary, rundir_hist_for, r, r->dir);
    struct page pg;
    assert_well_formed(html, &pg);
    assert_self_contained(html);
    const char *svg = strstr(html, "class=\"chart sequence\"");
    assert_non_null(svg);
    static const char *const lanes[] = {">setup<", ">user 0<", ">user 1<", ">mock ledger<"};
    for (int i = 0; i < 4; i++)
        assert_non_null(strstr(svg, lanes[i]));
    assert_non_null(strstr(svg, ">ACCEPT won agent-voice-1<"));
    assert_non_null(strstr(svg, ">ACCEPT already_owned agent-voice-2<"));
    assert_non_null(strstr(svg, "released, went 1st"));
    assert_non_null(strstr(svg, "released, went 2nd"));
    assert_int_equal(cxr_count(svg, "+1000 ms: 200"), 2);
    /* the violations' examples show what the failed act was answered */
    assert_non_null(strstr(html, "answered 409 application/json:</span> <code class=\"body\">"
                                 "{&quot;statusCode&quot;:3,&quot;statusMessage&quot;:&quot;agent "
                                 "agent-voice-2 does not own interaction"));
    /* exactly one operation named: the loser's act, answered 409 */
    assert_int_equal(cxr_count(svg, "<g class=\"op failed named\">"), 1);
    const char *named = strstr(svg, "<g class=\"op failed named\">");
    assert_non_null(strstr(named, "→ 409"));
    /* every record a bar: 11 history lines */
    assert_int_equal(cxr_count(svg, "<g class=\"op "), 11);
    /* the same inputs, the same bytes */
    char *again = render_dir(r->summary, rundir_hist_for, r, r->dir);
    assert_string_equal(html, again);
    free(again);
    free(html);
    rundir_free(r);
}

/* A load test's history is no race: past SEQ_MAX_ATTEMPTS lines the page says so instead. */
static void test_sequence_view_only_for_races(void **state)
{
    char *dir = cxr_tmpdir(), path[4200];
    assert_non_null(dir);
    snprintf(path, sizeof path, "%s/history.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 3001; i++)
        fprintf(f,
                "{\"thread\":0,\"vu\":0,\"iter\":%d,\"step\":0,\"opid\":%d,\"attempt\":0,"
                "\"tag\":\"t\",\"outcome\":\"ok\",\"status\":200,\"request\":\"GET /\","
                "\"intendedUs\":%d,\"startUs\":%d,\"endUs\":%d}\n",
                i, i + 1, i * 10, i * 10, i * 10 + 5);
    fclose(f);
    struct rundir *r = run_a();
    char *html = render_dir(r->summary, rundir_hist_for, r, dir);
    assert_null(strstr(html, "chart sequence"));
    assert_non_null(strstr(html, "3001 history lines: the sequence view is drawn for runs of at "
                                 "most 3000"));
    free(html);
    rundir_free(r);
    cxr_rmrf(dir);
    free(dir);
}

static void test_checker_catches(void **state)
{
    /* the checker itself must fail on what it is there to catch */
    static const char *const bad[] = {
        "<!DOCTYPE html><html><body><p>x</body></html>",
        "<!DOCTYPE html><html><body>a < b</body></html>",
        "<!DOCTYPE html><html><body>a &amp b</body></html>",
        "<!DOCTYPE html><html><body><svg class=chart></svg></body></html>",
        "<!DOCTYPE html><html><body><div title=\"<x>\"></div></body></html>",
        "<!DOCTYPE html><html><body><svg></body></html>",
        "<html></html>",
    };
    struct page pg;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (check_html(bad[i], &pg) == 0)
            fail_msg("the checker accepted case %zu: %s", i, bad[i]);
    assert_int_equal(
        check_html("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>a>b{}"
                   "</style></head><body><svg class=\"chart latency\" data-tag=\"a&amp;b\">"
                   "<line x1=\"0\"/></svg></body></html>",
                   &pg),
        0);
    assert_int_equal(pg.nsvgs, 1);
    assert_string_equal(pg.svgs[0].tag, "a&amp;b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_view),
        cmocka_unit_test(test_sequence_view_only_for_races),
        cmocka_unit_test(test_checker_catches),
        cmocka_unit_test(test_run_a),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_warnings_and_connection_waits),
        cmocka_unit_test(test_without_series_or_histograms),
        cmocka_unit_test(test_deterministic_and_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
