/* test_shards.c - the README's "Past one machine": a scenario run whole and as 2 shards on this
 * machine (cxload --shard I/2, the embedded mock), the shards merged with `cxreport merge`: the
 * merge has the single run's counts (requests, statuses, iterations, per tag, violations), its
 * histograms hold every shard's values, and the threshold requests count>=40 that fails on each
 * shard (20 requests) holds on the merge. Needs CXLOAD_BIN and CXREPORT_BIN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxrtest.h"
#include "cxtest.h"
#include "rundir.h"

/* Run cxload ARGS, at most 60 s (scaled); its exit code. What it printed is shown when it
 * could not run or did not finish. */
static int cxload(const char *const *args)
{
    const char *bin = getenv("CXLOAD_BIN");
    assert_non_null(bin);
    const char *argv[32];
    int n = 0;
    argv[n++] = bin;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    int st = cxt_run(argv, 60000, &out, &err);
    if (st < 0)
        fail_msg("cxload did not run or finish within 60 s (scaled):\n%s%s", out ? out : "",
                 err ? err : "");
    free(out);
    free(err);
    return st;
}

static json_int_t ival(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(json_object_get(o, a), b);
    if (!json_is_integer(v))
        fail_msg("%s.%s: not an integer", a, b);
    return json_integer_value(v);
}

static void test_shards_merge_to_the_single_run(void **state)
{
    char *dir = cxr_tmpdir(), whole[600], s0[600], s1[600], merged[600];
    snprintf(whole, sizeof whole, "%s/whole", dir);
    snprintf(s0, sizeof s0, "%s/shard0", dir);
    snprintf(s1, sizeof s1, "%s/shard1", dir);
    snprintf(merged, sizeof merged, "%s/merged", dir);
    char scenario[1024];
    snprintf(scenario, sizeof scenario, "%s", cxr_data("scenarios/shardable.json"));

    const char *run_whole[] = {"run", scenario, "--out", whole, "--quiet", NULL};
    const char *run_s0[] = {"run", scenario, "--out", s0, "--quiet", "--shard", "0/2", NULL};
    const char *run_s1[] = {"run", scenario, "--out", s1, "--quiet", "--shard", "1/2", NULL};
    assert_int_equal(cxload(run_whole), 0);
    assert_int_equal(cxload(run_s0), 99); /* 20 requests: count>=40 fails */
    assert_int_equal(cxload(run_s1), 99);

    const char *args[] = {"merge", s0, s1, "--out", merged, "--quiet", NULL};
    struct cxr_proc p;
    if (cxr_run(&p, args) != 0)
        fail_msg("merge: exit %d, stderr %s", p.status, p.err);
    cxr_proc_free(&p);

    struct rundir *w = NULL, *m = NULL, *a = NULL, *b = NULL;
    if (rundir_load(whole, RUNDIR_HLOG, &w, &cxr_e) < 0 ||
        rundir_load(merged, RUNDIR_HLOG, &m, &cxr_e) < 0 ||
        rundir_load(s0, RUNDIR_HLOG, &a, &cxr_e) < 0 ||
        rundir_load(s1, RUNDIR_HLOG, &b, &cxr_e) < 0)
        fail_msg("%s", cxr_err());
    const json_t *ws = w->summary, *ms = m->summary;
    static const char *const req[] = {"count", "ok", "failed", "indeterminate", "retries"};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        assert_int_equal(ival(ms, "requests", req[i]), ival(ws, "requests", req[i]));
    assert_int_equal(ival(ms, "requests", "count"), 40);
    assert_true(json_equal(json_object_get(ms, "status"), json_object_get(ws, "status")));
    assert_true(json_equal(json_object_get(ms, "iterations"), json_object_get(ws, "iterations")));
    static const char *const tags[] = {"inject", "read"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *wt =
            json_object_get(json_object_get(json_object_get(ws, "latency"), "tags"), tags[i]);
        const json_t *mt =
            json_object_get(json_object_get(json_object_get(ms, "latency"), "tags"), tags[i]);
        assert_int_equal(json_integer_value(json_object_get(mt, "count")),
                         json_integer_value(json_object_get(wt, "count")));
        /* the merged histogram is the shards' added up, with the single run's count */
        struct cx_hist *sum = NULL;
        assert_int_equal(cx_hist_new(&sum), 0);
        cx_hist_add(sum, rundir_hist(a, tags[i]));
        cx_hist_add(sum, rundir_hist(b, tags[i]));
        assert_true(cx_hist_equal(rundir_hist(m, tags[i]), sum));
        assert_int_equal(cx_hist_count(rundir_hist(m, tags[i])),
                         cx_hist_count(rundir_hist(w, tags[i])));
        cx_hist_free(sum);
    }
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(ws, "violations"), name, v)
        assert_int_equal(ival(json_object_get(ms, "violations"), name, "count"),
                         json_integer_value(json_object_get(v, "count")));
    assert_true(json_is_true(json_object_get(ms, "passed")));
    assert_int_equal(json_integer_value(json_object_get(ms, "exitCode")), 0);

    char path[700];
    snprintf(path, sizeof path, "%s/history.jsonl", merged);
    char *hm = cxr_slurp(path);
    snprintf(path, sizeof path, "%s/history.jsonl", whole);
    char *hw = cxr_slurp(path);
    assert_non_null(hm);
    assert_non_null(hw);
    /* every attempt of both shards: the same requests as the single run's, and each shard's
     * own token fetches */
    assert_int_equal(cxr_count(hm, "\n") - ival(ms, "requests", "tokenFetches"),
                     cxr_count(hw, "\n") - ival(ws, "requests", "tokenFetches"));
    assert_int_equal(cxr_count(hm, "\"tag\":\"token\""), ival(ms, "requests", "tokenFetches"));
    free(hm);
    free(hw);
    rundir_free(w);
    rundir_free(m);
    rundir_free(a);
    rundir_free(b);
    cxr_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_merge_to_the_single_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
