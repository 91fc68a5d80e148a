/* test_merge.c - `cxreport merge` (merge.h) on the fixture shards tests/data/shard-0 and
 * shard-1 (see tests/data/README.md): counts add to the hand-computed totals, each tag's merged
 * histogram equals the histogram of every value of both shards recorded once (the oracle),
 * intervals are aligned by index although the shards started 3 s apart, thresholds are judged
 * again on the merge (one holds on each shard and fails on the merge, one the other way round),
 * the violations are judged again over both histories on one timeline (a business key created
 * by both shards is a DUPLICATE_CONTACT neither shard saw, INJ-05; the mocks' SILENT_DROP counts
 * add, REJ-03), and bad input is refused with the file named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cxrtest.h"
#include "hlog.h"
#include "merge.h"
#include "rundir.h"

/* The values in the fixtures' logs (tests/data/README.md): shard, tag, interval index, and
 * N values BASE + STEP * k (us), k = 0 .. N-1. As cxload does, the shards log "setup step" as
 * "setup_step" and "an inbound call arrives" not at all (HdrHistogram tags hold no space), but
 * every value in the untagged lines. */
static const struct {
    int shard;
    const char *tag;
    int interval;
    long base, step;
    int n;
} values[] = {
    {0, "accept", 0, 1000, 37, 40},
    {0, "accept", 1, 1500, 53, 30},
    {0, "read", 0, 200, 5, 10},
    {0, "read", 2, 300, 3, 3},
    {1, "accept", 0, 1100, 41, 35},
    {1, "accept", 2, 2000, 97, 20},
    {1, "accept", 3, 9000, 1, 2},
    {1, "read", 1, 250, 9, 15},
    {0, "setup step", 0, 5000, 1, 1},
    {1, "setup step", 0, 6000, 1, 1},
    {0, "an inbound call arrives", 0, 700, 1, 1},
    {1, "an inbound call arrives", 0, 800, 1, 1},
};

/* The oracle: every value of TAG (its name or the name it is logged as; "" = all tags) in
 * INTERVAL (-1 = all), recorded once. */
static struct cx_hist *oracle(const char *tag, int interval)
{
    struct cx_hist *h = NULL;
    assert_int_equal(cx_hist_new(&h), 0);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char logged[64];
        cx_hlog_tag(values[i].tag, logged, sizeof logged);
        if ((!tag[0] || strcmp(values[i].tag, tag) == 0 || strcmp(logged, tag) == 0) &&
            (interval < 0 || values[i].interval == interval))
            for (int k = 0; k < values[i].n; k++)
                cx_hist_record(h, values[i].base + values[i].step * k);
    }
    return h;
}

struct merged {
    char *dir;
    json_t *summary; /* as merge_runs returned it */
    int rc;
};

static struct merged merge_fixtures(void)
{
    struct merged m = {cxr_tmpdir(), NULL, 0};
    char shard0[1024], shard1[1024], out[600];
    snprintf(shard0, sizeof shard0, "%s", cxr_data("shard-0"));
    snprintf(shard1, sizeof shard1, "%s", cxr_data("shard-1"));
    snprintf(out, sizeof out, "%s/merged", m.dir);
    const char *dirs[] = {shard0, shard1};
    m.rc = merge_runs(dirs, 2, out, &m.summary, NULL, &cxr_e);
    if (m.rc < 0)
        fail_msg("merge: %s", cxr_err());
    return m;
}

static void merged_free(struct merged *m)
{
    json_decref(m->summary);
    cxr_rmrf(m->dir);
    free(m->dir);
}

static json_int_t ival(const json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *v = o;
    for (char *k = strtok(buf, "."); k; k = strtok(NULL, "."))
        v = json_object_get(v, k);
    if (!json_is_integer(v))
        fail_msg("%s: not an integer", path);
    return json_integer_value(v);
}

static double rval(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (!json_is_number(v))
        fail_msg("%s: not a number", k);
    return json_number_value(v);
}

static void test_counts(void **state)
{
    struct merged m = merge_fixtures();
    const json_t *s = m.summary;
    assert_int_equal(m.rc, 99);
    assert_string_equal(json_string_value(json_object_get(s, "scenario")), "fixture-shards");
    assert_string_equal(json_string_value(json_object_get(s, "shard")), "0/2+1/2");
    assert_int_equal(ival(s, "threads"), 2);
    assert_float_equal(rval(s, "wallSeconds"), 3.030, 1e-9); /* the longer shard */
    assert_string_equal(json_string_value(json_object_get(s, "startedAt")), "2026-11-22T08:00:00Z");
    /* requests: 85 + 74 */
    assert_int_equal(ival(s, "requests.count"), 159);
    assert_int_equal(ival(s, "requests.ok"), 143);
    assert_int_equal(ival(s, "requests.failed"), 15);
    assert_int_equal(ival(s, "requests.indeterminate"), 1);
    assert_int_equal(ival(s, "requests.transportErrors"), 1);
    assert_int_equal(ival(s, "requests.retries"), 5);
    assert_int_equal(ival(s, "requests.tokenFetches"), 2);
    assert_float_equal(rval(json_object_get(s, "requests"), "ratePerS"), 159 / 3.030, 1e-6);
    /* statuses, in code order */
    char *status = json_dumps(json_object_get(s, "status"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(status, "{\"0\":1,\"200\":139,\"201\":5,\"409\":5,\"429\":9}");
    free(status);
    assert_int_equal(ival(s, "iterations.offered"), 127);
    assert_int_equal(ival(s, "iterations.started"), 126);
    assert_int_equal(ival(s, "iterations.dropped"), 1);
    assert_int_equal(ival(s, "iterations.late"), 1);
    assert_int_equal(ival(s, "iterations.completed"), 126);
    /* latency counts add; failed too */
    assert_int_equal(ival(s, "latency.all.count"), 159);
    assert_int_equal(ival(s, "latency.tags.accept.count"), 127);
    assert_int_equal(ival(s, "latency.tags.accept.failed"), 11);
    assert_int_equal(ival(s, "latency.tags.read.count"), 28);
    /* violations: judged again over both histories, on one timeline; the mocks' verdicts add
     * (each shard had its own embedded mock) */
    const json_t *v = json_object_get(s, "violations");
    assert_int_equal(ival(v, "DUPLICATE_ACCEPT.count"), 2);
    assert_int_equal(ival(v, "EXPECT_FAILED.count"), 6);
    assert_int_equal(ival(v, "SILENT_DROP.count"), 3);
    assert_int_equal(ival(v, "SILENT_DROP.ledger"), 3);
    const json_t *ex = json_object_get(json_object_get(v, "EXPECT_FAILED"), "examples");
    assert_int_equal(json_array_size(ex), 5);
    /* in completion order on the shared timeline: shard 0's three, then shard 1's (3 s later) */
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(ex, i), "vu")),
                         i < 3 ? 0 : 2);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(v, "DUPLICATE_ACCEPT"), "examples"), 1),
            "request")),
        "POST /api/v2/me/interactions/s1-i1");
    /* what the client saw against the mocks' ledgers: drops it did not notice, and a duplicate
     * no single mock could see (each created one contact for the key) */
    const json_t *rec = json_object_get(s, "reconciliation");
    assert_int_equal(json_array_size(rec), 2);
    assert_non_null(strstr(json_string_value(json_array_get(rec, 0)),
                           "SILENT_DROP: the client saw 0, the mock's ledger (SILENT_DROP) records "
                           "3"));
    assert_non_null(strstr(json_string_value(json_array_get(rec, 1)),
                           "DUPLICATE_CONTACT: the client saw 1, the mock's ledger "
                           "(DUPLICATE_CONTACT) records 0"));
    /* the shards, and what could not be merged, are said */
    const json_t *merged = json_object_get(s, "merged");
    assert_int_equal(json_array_size(json_object_get(merged, "shards")), 2);
    assert_non_null(
        strstr(json_string_value(json_object_get(merged, "uncorrected")), "upper bound"));
    merged_free(&m);
}

static void test_tag_not_in_log(void **state)
{
    /* "an inbound call arrives" is in the summaries but not in the logs: what can be exact is,
     * the percentiles are the highest shard's, and both the summary and a warning say so */
    char *dir = cxr_tmpdir(), out[600], *warned = NULL;
    size_t wlen = 0;
    FILE *warn = open_memstream(&warned, &wlen);
    snprintf(out, sizeof out, "%s/merged", dir);
    char s0[1024], s1[1024];
    snprintf(s0, sizeof s0, "%s", cxr_data("shard-0"));
    snprintf(s1, sizeof s1, "%s", cxr_data("shard-1"));
    const char *dirs[] = {s0, s1};
    json_t *s = NULL;
    assert_int_equal(merge_runs(dirs, 2, out, &s, warn, &cxr_e), 99);
    fclose(warn);
    const json_t *st = json_object_get(json_object_get(json_object_get(s, "latency"), "tags"),
                                       "an inbound call arrives");
    assert_int_equal(ival(st, "count"), 2);
    assert_float_equal(rval(st, "min"), 0.7, 1e-9);
    assert_float_equal(rval(st, "max"), 0.8, 1e-9);
    assert_float_equal(rval(st, "mean"), 0.75, 1e-9);
    assert_float_equal(rval(st, "p50"), 0.8, 1e-9); /* the higher shard's */
    const json_t *inexact = json_object_get(json_object_get(s, "merged"), "inexact");
    assert_int_equal(json_array_size(inexact), 1);
    assert_non_null(
        strstr(json_string_value(json_array_get(inexact, 0)),
               "latency.tags.an inbound call arrives: not in the shards' latency.hlog"));
    assert_non_null(strstr(warned, "warning: latency.tags.an inbound call arrives: not in"));
    /* "setup step", logged as setup_step, merges exactly */
    struct cx_hist *want = oracle("setup step", -1);
    const json_t *ss =
        json_object_get(json_object_get(json_object_get(s, "latency"), "tags"), "setup step");
    assert_float_equal(rval(ss, "p50"), cx_hist_percentile(want, 50) / 1000.0, 1e-9);
    assert_float_equal(rval(ss, "max"), cx_hist_max(want) / 1000.0, 1e-9);
    cx_hist_free(want);
    /* the tag order is the summaries' */
    const char *first = NULL;
    json_t *v;
    json_object_foreach(json_object_get(json_object_get(s, "latency"), "tags"), first, v) break;
    assert_string_equal(first, "setup step");
    free(warned);
    json_decref(s);
    cxr_rmrf(dir);
    free(dir);
}

static void test_series_pointwise(void **state)
{
    struct merged m = merge_fixtures();
    const json_t *series = json_object_get(m.summary, "series");
    assert_int_equal(json_array_size(series), 4); /* shard 1 has one interval more */
    const json_t *p0 = json_array_get(series, 0), *p1 = json_array_get(series, 1);
    const json_t *p3 = json_array_get(series, 3);
    assert_int_equal(ival(p0, "requests"), 89); /* 52 + 37 */
    assert_int_equal(ival(p0, "throttled429"), 6);
    assert_int_equal(ival(p0, "2xx"), 79);
    assert_int_equal(ival(p0, "offered"), 60);
    assert_int_equal(ival(p0, "status.0"), 1);
    assert_int_equal(ival(p0, "status.409"), 3);
    assert_float_equal(rval(p0, "startS"), 0, 1e-9);
    assert_float_equal(rval(p0, "lengthS"), 1.004, 1e-9);
    assert_float_equal(rval(p1, "startS"), 1.0, 1e-9);    /* the earlier start */
    assert_float_equal(rval(p1, "lengthS"), 1.008, 1e-9); /* to the later end, 2.008 */
    assert_int_equal(ival(p1, "requests"), 45);
    assert_int_equal(ival(p3, "requests"), 2); /* shard 1 only */
    assert_float_equal(rval(p3, "startS"), 3.010, 1e-9);
    json_int_t total = 0;
    for (size_t i = 0; i < 4; i++)
        total += ival(json_array_get(series, i), "requests");
    assert_int_equal(total, 159);
    merged_free(&m);
}

static void test_histograms_equal_oracle(void **state)
{
    struct merged m = merge_fixtures();
    char out[600];
    snprintf(out, sizeof out, "%s/merged", m.dir);
    struct rundir *r = NULL;
    if (rundir_load(out, RUNDIR_HLOG, &r, &cxr_e) < 0)
        fail_msg("%s", cxr_err());
    static const char *const tags[] = {"accept", "read", "setup step", ""};
    for (size_t i = 0; i < 4; i++) {
        struct cx_hist *want = oracle(tags[i], -1);
        const struct cx_hist *got = rundir_hist(r, tags[i]);
        assert_non_null(got);
        if (!cx_hist_equal(got, want))
            fail_msg("tag \"%s\": merged histogram (count %lld) differs from the oracle (%lld)",
                     tags[i], (long long)cx_hist_count(got), (long long)cx_hist_count(want));
        /* and the summary's figures are the merged histogram's */
        const json_t *st =
            tags[i][0]
                ? json_object_get(json_object_get(json_object_get(m.summary, "latency"), "tags"),
                                  tags[i])
                : json_object_get(json_object_get(m.summary, "latency"), "all");
        assert_float_equal(rval(st, "p50"), cx_hist_percentile(want, 50) / 1000.0, 1e-9);
        assert_float_equal(rval(st, "p99"), cx_hist_percentile(want, 99) / 1000.0, 1e-9);
        assert_float_equal(rval(st, "max"), cx_hist_max(want) / 1000.0, 1e-9);
        assert_float_equal(rval(st, "mean"), cx_hist_mean(want) / 1000.0, 1e-9);
        cx_hist_free(want);
    }
    /* the merged figure is neither shard's: accept p50 moves */
    rundir_free(r);
    merged_free(&m);
}

/* Every line of the merged log: interval index by start, tag, histogram. */
struct log_check {
    const json_t *series;
    int lines, failures;
    char why[512];
};

static int check_line(void *ctx, const char *tag, double start_s, double length_s,
                      struct cx_hist *h)
{
    struct log_check *c = ctx;
    int interval = -1;
    for (size_t i = 0; i < json_array_size(c->series); i++)
        if (fabs(rval(json_array_get(c->series, i), "startS") - start_s) < 0.0006)
            interval = (int)i;
    c->lines++;
    if (interval < 0) {
        snprintf(c->why, sizeof c->why, "a line at %.3f s matches no interval", start_s);
        c->failures++;
        return 0;
    }
    struct cx_hist *want = oracle(tag ? tag : "", interval);
    if (!cx_hist_equal(h, want)) {
        snprintf(c->why, sizeof c->why, "interval %d, tag %s: %lld values, want %lld", interval,
                 tag ? tag : "(none)", (long long)cx_hist_count(h), (long long)cx_hist_count(want));
        c->failures++;
    }
    if (fabs(length_s - rval(json_array_get(c->series, (size_t)interval), "lengthS")) > 0.0006) {
        snprintf(c->why, sizeof c->why, "interval %d: length %.3f", interval, length_s);
        c->failures++;
    }
    cx_hist_free(want);
    return 0;
}

static void test_intervals_aligned(void **state)
{
    struct merged m = merge_fixtures();
    char path[700];
    snprintf(path, sizeof path, "%s/merged/latency.hlog", m.dir);
    struct log_check c = {json_object_get(m.summary, "series"), 0, 0, ""};
    assert_int_equal(cx_hlog_read(path, check_line, &c, &cxr_e), 0);
    if (c.failures)
        fail_msg("%d bad lines, e.g. %s", c.failures, c.why);
    /* accept in 0, 1, 2, 3; read in 0, 1, 2; setup_step in 0; untagged in all four */
    assert_int_equal(c.lines, 4 + 3 + 1 + 4);
    double start = 0;
    assert_int_equal(cx_hlog_start_time(path, &start, &cxr_e), 0);
    assert_float_equal(start, 1795000000.0, 1e-6); /* the earlier shard's */
    merged_free(&m);
}

static void test_thresholds_judged_again(void **state)
{
    /* on each shard: DUPLICATE_ACCEPT count<=1 held (1 each), requests count>=100 failed (85,
     * 74); on the merge: 2 fails, 159 holds; latency{accept} p(99) from the merged histogram */
    for (int sh = 0; sh < 2; sh++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/shard-%d/summary.json", CXR_TEST_DATA, sh);
        json_t *s = json_load_file(path, 0, NULL);
        assert_non_null(s);
        const json_t *th = json_object_get(s, "thresholds");
        assert_true(json_is_true(json_object_get(json_array_get(th, 0), "ok")));
        assert_false(json_is_true(json_object_get(json_array_get(th, 1), "ok")));
        json_decref(s);
    }
    struct merged m = merge_fixtures();
    const json_t *th = json_object_get(m.summary, "thresholds");
    assert_false(json_is_true(json_object_get(json_array_get(th, 0), "ok")));
    assert_float_equal(rval(json_array_get(th, 0), "actual"), 2, 1e-9);
    assert_true(json_is_true(json_object_get(json_array_get(th, 1), "ok")));
    assert_float_equal(rval(json_array_get(th, 1), "actual"), 159, 1e-9);
    struct cx_hist *acc = oracle("accept", -1);
    assert_float_equal(rval(json_array_get(th, 2), "actual"), cx_hist_percentile(acc, 99) / 1000.0,
                       1e-9);
    cx_hist_free(acc);
    assert_false(json_is_true(json_object_get(m.summary, "passed")));
    assert_int_equal(ival(m.summary, "exitCode"), 99);
    /* and the files say the same */
    char path[700];
    snprintf(path, sizeof path, "%s/merged/summary.json", m.dir);
    char *onfile = cxr_slurp(path);
    char *dumped =
        json_dumps(m.summary, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    assert_non_null(onfile);
    assert_non_null(dumped);
    assert_int_equal(strlen(onfile), strlen(dumped) + 1);
    assert_memory_equal(onfile, dumped, strlen(dumped));
    free(onfile);
    free(dumped);
    snprintf(path, sizeof path, "%s/merged/junit.xml", m.dir);
    char *junit = cxr_slurp(path);
    assert_non_null(junit);
    assert_non_null(strstr(junit, ".thresholds\" name=\"violations{DUPLICATE_"
                                  "ACCEPT}: count&lt;=1\"><failure message=\"violations{DUPLICATE_"
                                  "ACCEPT}: count&lt;=1 (actual 2)\"/></testcase>"));
    assert_non_null(strstr(junit, "name=\"requests: count&gt;=100\"></testcase>"));
    free(junit);
    merged_free(&m);
}

/* A business key created once by each shard: neither saw a duplicate, the merge does
 * (INJ-05), naming both contacts. */
static void test_rejudged_across_shards(void **state)
{
    for (int sh = 0; sh < 2; sh++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/shard-%d/summary.json", CXR_TEST_DATA, sh);
        json_t *s = json_load_file(path, 0, NULL);
        assert_non_null(s);
        assert_int_equal(ival(json_object_get(s, "violations"), "DUPLICATE_CONTACT.count"), 0);
        json_decref(s);
    }
    struct merged m = merge_fixtures();
    const json_t *dc =
        json_object_get(json_object_get(m.summary, "violations"), "DUPLICATE_CONTACT");
    assert_int_equal(ival(dc, "count"), 1);
    assert_string_equal(json_string_value(json_object_get(dc, "rule")), "INJ-05");
    const char *what = json_string_value(
        json_object_get(json_array_get(json_object_get(dc, "examples"), 0), "what"));
    assert_non_null(what);
    assert_non_null(strstr(what, "business key order-7 created two contacts: c-100 and c-200"));
    /* the merged run carries what judging it again needs */
    assert_int_equal(ival(m.summary, "historyFormat"), 3);
    assert_int_equal(ival(m.summary, "startedAtUs"), 1795000000000000LL);
    assert_int_equal(json_array_size(json_object_get(m.summary, "steps")), 4);
    merged_free(&m);
}

/* The merged history: shard 0's lines as they were, shard 1's moved 3 s later onto the shared
 * timeline (its start is 3 s after shard 0's), everything else unchanged. */
static void test_history_concatenated(void **state)
{
    struct merged m = merge_fixtures();
    char path[700];
    snprintf(path, sizeof path, "%s/merged/history.jsonl", m.dir);
    char *h = cxr_slurp(path);
    assert_non_null(h);
    char *a = cxr_slurp(cxr_data("shard-0/history.jsonl"));
    char *b = cxr_slurp(cxr_data("shard-1/history.jsonl"));
    size_t la = strlen(a);
    assert_memory_equal(h, a, la);
    /* shard 1's last line has no newline: the merge ends it */
    assert_int_equal(cxr_count(h, "\n"), cxr_count(a, "\n") + cxr_count(b, "\n") + 1);
    char *mine = h + la, *theirs = b;
    for (int line = 0; *mine; line++) {
        char *me = strchr(mine, '\n'), *te = strchr(theirs, '\n');
        assert_non_null(me);
        json_t *x = json_loadb(mine, (size_t)(me - mine), 0, NULL);
        json_t *y = json_loadb(theirs, te ? (size_t)(te - theirs) : strlen(theirs), 0, NULL);
        assert_non_null(x);
        assert_non_null(y);
        static const char *const times[] = {"intendedUs", "startUs", "endUs"};
        for (int k = 0; k < 3; k++) {
            json_int_t tx = json_integer_value(json_object_get(x, times[k]));
            json_int_t ty = json_integer_value(json_object_get(y, times[k]));
            if (tx != ty + 3000000)
                fail_msg("line %d: %s %lld, expected %lld + 3 s", line, times[k], (long long)tx,
                         (long long)ty);
            json_object_del(x, times[k]);
            json_object_del(y, times[k]);
        }
        assert_true(json_equal(x, y));
        json_decref(x);
        json_decref(y);
        mine = me + 1;
        theirs = te ? te + 1 : theirs + strlen(theirs);
    }
    free(a);
    free(b);
    free(h);
    merged_free(&m);
}

static void test_merge_of_a_merge(void **state)
{
    /* a merged run read back and "merged" alone gives the same histograms and counts */
    struct merged m = merge_fixtures();
    char in[600], out[600];
    snprintf(in, sizeof in, "%s/merged", m.dir);
    snprintf(out, sizeof out, "%s/again", m.dir);
    const char *dirs[] = {in};
    json_t *s = NULL;
    assert_int_equal(merge_runs(dirs, 1, out, &s, NULL, &cxr_e), 99);
    assert_true(json_equal(json_object_get(s, "series"), json_object_get(m.summary, "series")));
    assert_true(json_equal(json_object_get(s, "latency"), json_object_get(m.summary, "latency")));
    assert_true(json_equal(json_object_get(s, "status"), json_object_get(m.summary, "status")));
    assert_true(
        json_equal(json_object_get(s, "violations"), json_object_get(m.summary, "violations")));
    struct rundir *a = NULL, *b = NULL;
    assert_int_equal(rundir_load(in, RUNDIR_HLOG, &a, &cxr_e), 0);
    assert_int_equal(rundir_load(out, RUNDIR_HLOG, &b, &cxr_e), 0);
    assert_true(cx_hist_equal(rundir_hist(a, "accept"), rundir_hist(b, "accept")));
    assert_true(cx_hist_equal(rundir_hist(a, "read"), rundir_hist(b, "read")));
    rundir_free(a);
    rundir_free(b);
    json_decref(s);
    /* the merge names shards 0/2+1/2: merged again with shard 0, that shard would count twice */
    char s0[1024];
    snprintf(s0, sizeof s0, "%s", cxr_data("shard-0"));
    const char *again[] = {in, s0};
    s = NULL;
    assert_int_equal(merge_runs(again, 2, out, &s, NULL, &cxr_e), -1);
    assert_non_null(strstr(cxr_err(), "shard-0/summary.json: shard 0/2 again (also in "));
    merged_free(&m);
}

/* Copy the fixture shard NAME into DIR, its summary changed by EDIT (with CTX). */
static void copy_shard(const char *name, const char *dir, void (*edit)(json_t *, const void *),
                       const void *ctx)
{
    char src[1024], dst[1024];
    assert_int_equal(mkdir(dir, 0755), 0);
    static const char *const files[] = {"history.jsonl", "latency.hlog"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(src, sizeof src, "%s/%s", cxr_data(name), files[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, files[i]);
        char *text = cxr_slurp(src);
        assert_non_null(text);
        cxr_write(dst, text);
        free(text);
    }
    snprintf(src, sizeof src, "%s/summary.json", cxr_data(name));
    json_t *summary = json_load_file(src, 0, NULL);
    assert_non_null(summary);
    edit(summary, ctx);
    snprintf(dst, sizeof dst, "%s/summary.json", dir);
    assert_int_equal(json_dump_file(summary, dst, JSON_INDENT(2)), 0);
    json_decref(summary);
}

static void drop_thresholds(json_t *summary, const void *ctx)
{
    (void)ctx;
    assert_int_equal(json_object_del(summary, "thresholds"), 0);
}

/* Copy the fixture shard NAME into DIR with "thresholds" taken out of its summary. */
static void shard_without_thresholds(const char *name, const char *dir)
{
    copy_shard(name, dir, drop_thresholds, NULL);
}

/* Set the members of CTX (a JSON object text) on the summary. */
static void set_members(json_t *summary, const void *ctx)
{
    json_t *extra = json_loads(ctx, 0, NULL);
    assert_non_null(extra);
    assert_int_equal(json_object_update(summary, extra), 0);
    json_decref(extra);
}

/* A shard whose driver fell behind, and one whose target held connections waiting: the merge
 * keeps both warnings, each naming its shard, adds the connections and the saturation, and
 * says which figures are upper bounds (they had been dropped: a merged report said nothing). */
static void test_saturation_and_warnings_merged(void **state)
{
    (void)state;
    char *dir = cxr_tmpdir();
    char a[700], b[700], out[700];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(out, sizeof out, "%s/merged", dir);
    copy_shard("shard-0", a, set_members,
               "{\"connections\":{\"limit\":64,\"waits\":10,\"waitMs\":{\"p50\":1,\"p99\":4,"
               "\"max\":9}},\"saturation\":{\"target\":null,\"driver\":{\"lagMs\":{\"p50\":0."
               "5,\"p99\":30,\"max\":80},\"starts\":1000,\"lateStarts\":50,\"boundMs\":10,"
               "\"fellBehind\":true}},\"warnings\":[\"the driver fell behind\"]}");
    copy_shard("shard-1", b, set_members,
               "{\"connections\":{\"limit\":64,\"waits\":5,\"waitMs\":{\"p50\":2,\"p99\":3,"
               "\"max\":12}},\"saturation\":{\"target\":{\"workers\":72,"
               "\"saturatedConnections\":3},\"driver\":{\"lagMs\":{\"p50\":0.2,\"p99\":2,"
               "\"max\":5},\"starts\":3000,\"lateStarts\":0,\"boundMs\":10,\"fellBehind\":"
               "false}},\"warnings\":[\"the target held connections waiting\"]}");
    const char *dirs[] = {a, b};
    json_t *s = NULL;
    if (merge_runs(dirs, 2, out, &s, NULL, &cxr_e) < 0)
        fail_msg("merge: %s", cxr_err());
    const json_t *c = json_object_get(s, "connections");
    assert_int_equal(ival(c, "limit"), 128);
    assert_int_equal(ival(c, "waits"), 15);
    assert_true(rval(json_object_get(c, "waitMs"), "p50") == 2);
    assert_true(rval(json_object_get(c, "waitMs"), "p99") == 4);
    assert_true(rval(json_object_get(c, "waitMs"), "max") == 12);
    const json_t *sat = json_object_get(s, "saturation");
    assert_int_equal(ival(json_object_get(sat, "target"), "workers"), 72);
    assert_int_equal(ival(json_object_get(sat, "target"), "saturatedConnections"), 3);
    const json_t *drv = json_object_get(sat, "driver");
    assert_int_equal(ival(drv, "starts"), 4000);
    assert_int_equal(ival(drv, "lateStarts"), 50);
    assert_true(json_is_true(json_object_get(drv, "fellBehind")));
    assert_true(rval(json_object_get(drv, "lagMs"), "max") == 80);
    const json_t *w = json_object_get(s, "warnings");
    assert_int_equal(json_array_size(w), 2);
    assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "the driver fell behind"));
    assert_non_null(strstr(json_string_value(json_array_get(w, 1)), "held connections waiting"));
    assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "shard 0/2"));
    const json_t *inexact = json_object_get(json_object_get(s, "merged"), "inexact");
    int said = 0;
    for (size_t i = 0; i < json_array_size(inexact); i++)
        said |= strstr(json_string_value(json_array_get(inexact, i)), "connections.waitMs") != NULL;
    assert_true(said);
    json_decref(s);
    cxr_rmrf(dir);
    free(dir);
}

/* Issue 15: shards whose summaries have no thresholds merge into a run with none ([]), and
 * nothing leaks (the empty list made for the missing thresholds was copied and never freed:
 * LeakSanitizer, in the ASan build). */
static void test_no_thresholds(void **state)
{
    char *dir = cxr_tmpdir();
    char a[700], b[700], out[700];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(out, sizeof out, "%s/merged", dir);
    shard_without_thresholds("shard-0", a);
    shard_without_thresholds("shard-1", b);
    const char *dirs[] = {a, b};
    json_t *s = NULL;
    int rc = merge_runs(dirs, 2, out, &s, NULL, &cxr_e);
    if (rc < 0)
        fail_msg("merge: %s", cxr_err());
    assert_int_equal(rc, 0); /* no threshold to fail */
    assert_true(json_is_array(json_object_get(s, "thresholds")));
    assert_int_equal(json_array_size(json_object_get(s, "thresholds")), 0);
    json_decref(s);
    cxr_rmrf(dir);
    free(dir);
}

/* merge_runs on DIRS must fail saying WANT (a substring). */
static void refused(const char *const *dirs, size_t n, const char *out, const char *want)
{
    json_t *s = NULL;
    int rc = merge_runs(dirs, n, out, &s, NULL, &cxr_e);
    if (rc != -1 || !strstr(cxr_err(), want))
        fail_msg("merge: rc %d, error \"%s\", want \"%s\"", rc, cxr_err(), want);
    assert_null(s);
}

static void test_bad_input(void **state)
{
    char *tmp = cxr_tmpdir(), out[600], s0[1024], s1[1024], a[1024];
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(s0, sizeof s0, "%s", cxr_data("shard-0"));
    snprintf(s1, sizeof s1, "%s", cxr_data("shard-1"));
    snprintf(a, sizeof a, "%s", cxr_data("run-a"));

    const char *twice[] = {s0, s1, s0};
    refused(twice, 3, out, "given twice");
    const char *other[] = {s0, a};
    refused(other, 2, out, "run-a/summary.json: scenario \"fixture-a\", but");
    const char *missing[] = {s0, "/nonexistent/shard"};
    refused(missing, 2, out, "/nonexistent/shard: No such file or directory");
    const char *into_input[] = {s0, s1};
    refused(into_input, 2, s1, "--out is one of the shards");

    /* a shard whose log is corrupt at line 6: named with its line */
    char bad[700], path[800];
    snprintf(bad, sizeof bad, "%s/bad", tmp);
    json_t *sum = json_load_file(cxr_data("shard-1/summary.json"), 0, NULL);
    cxr_write_run(bad, sum);
    json_decref(sum);
    snprintf(path, sizeof path, "%s/history.jsonl", bad);
    cxr_write(path, "");
    char *log = cxr_slurp(cxr_data("shard-1/latency.hlog"));
    char *l6 = log;
    for (int i = 0; i < 5; i++)
        l6 = strchr(l6, '\n') + 1;
    strcpy(l6, "Tag=accept,0.000,1.004,0.5,HISTFAAAAC$$$\n");
    snprintf(path, sizeof path, "%s/latency.hlog", bad);
    cxr_write(path, log);
    free(log);
    const char *corrupt[] = {s0, bad};
    snprintf(path, sizeof path, "%s/latency.hlog:6: ", bad);
    refused(corrupt, 2, out, path);

    /* the same shard twice under another name; a shard without its history */
    char dup[700];
    snprintf(dup, sizeof dup, "%s/dup", tmp);
    sum = json_load_file(cxr_data("shard-0/summary.json"), 0, NULL);
    cxr_write_run(dup, sum);
    json_decref(sum);
    const char *dups[] = {s0, dup};
    refused(dups, 2, out, "shard 0/2 again");
    json_object_set_new(sum = json_load_file(cxr_data("shard-0/summary.json"), 0, NULL), "shard",
                        json_string("1/3"));
    cxr_write_run(dup, sum);
    json_decref(sum);
    refused(dups, 2, out, "shard 1/3, but");
    json_object_set_new(sum = json_load_file(cxr_data("shard-1/summary.json"), 0, NULL), "shard",
                        json_string("1/2"));
    cxr_write_run(dup, sum);
    json_decref(sum);
    snprintf(path, sizeof path, "%s/history.jsonl: No such file or directory", dup);
    refused(dups, 2, out, path);
    /* a shard written by a cxload whose history lacks what the checks read */
    json_object_del(sum = json_load_file(cxr_data("shard-1/summary.json"), 0, NULL),
                    "historyFormat");
    cxr_write_run(dup, sum);
    json_decref(sum);
    log = cxr_slurp(cxr_data("shard-1/latency.hlog"));
    snprintf(path, sizeof path, "%s/latency.hlog", dup);
    cxr_write(path, log);
    free(log);
    snprintf(path, sizeof path, "%s/history.jsonl", dup);
    cxr_write(path, "");
    refused(dups, 2, out, "summary.json: historyFormat: 0, and judging again needs 3");
    /* a history line that is not a record: its file, line and column */
    json_object_set_new(sum = json_load_file(cxr_data("shard-1/summary.json"), 0, NULL), "shard",
                        json_string("1/2"));
    cxr_write_run(dup, sum);
    json_decref(sum);
    cxr_write(path, "{\"thread\":0}\n{oops\n");
    refused(dups, 2, out, "history.jsonl:1:1: vu: missing or not of its type");
    cxr_rmrf(tmp);
    free(tmp);
}

static void test_cli(void **state)
{
    char *tmp = cxr_tmpdir(), out[600];
    snprintf(out, sizeof out, "%s/deep/er/merged", tmp); /* parents are made */
    char s0[1024], s1[1024];
    snprintf(s0, sizeof s0, "%s", cxr_data("shard-0"));
    snprintf(s1, sizeof s1, "%s", cxr_data("shard-1"));
    const char *args[] = {"merge", s0, s1, "--out", out, NULL};
    struct cxr_proc p;
    assert_int_equal(cxr_run(&p, args), 99); /* a threshold failed on the merge */
    assert_non_null(strstr(p.out, "FAIL  violations{DUPLICATE_ACCEPT}: count<=1  (actual 2)"));
    assert_non_null(strstr(p.out, "merged 2 runs into"));
    cxr_proc_free(&p);
    /* shard 1 alone: a warning that shard 0 is missing; its own verdict */
    const char *one[] = {"merge", s1, "--out", out, "--quiet", NULL};
    assert_int_equal(cxr_run(&p, one), 99);
    assert_non_null(strstr(p.err, "warning: shard 0/2 is not among the inputs"));
    cxr_proc_free(&p);
    const char *none[] = {"merge", "--out", out, NULL};
    assert_int_equal(cxr_run(&p, none), 1);
    cxr_proc_free(&p);
    const char *no_out[] = {"merge", s0, s1, NULL};
    assert_int_equal(cxr_run(&p, no_out), 1);
    assert_non_null(strstr(p.err, "--out DIR is required"));
    cxr_proc_free(&p);
    cxr_rmrf(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_series_pointwise),
        cmocka_unit_test(test_tag_not_in_log),
        cmocka_unit_test(test_histograms_equal_oracle),
        cmocka_unit_test(test_intervals_aligned),
        cmocka_unit_test(test_thresholds_judged_again),
        cmocka_unit_test(test_no_thresholds),
        cmocka_unit_test(test_saturation_and_warnings_merged),
        cmocka_unit_test(test_rejudged_across_shards),
        cmocka_unit_test(test_history_concatenated),
        cmocka_unit_test(test_merge_of_a_merge),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
