/* test_determinism.c - SIM-02 over HTTP: same fixture + same seed + same request order on the
 * manual clock gives a byte-identical ledger, whatever the number of worker threads.
 *
 * One request sequence (tokens incl. a revoke-previous rotation, interactions on four queues,
 * a dual accept, rejects incl. returnToQueue and a drop into overflow, clock advances past
 * ring timeouts, a phantom accept, an unknown disposition, a routing-API contact with silent
 * attribute effects and an idempotent retry, a priority change, an agent-state write and
 * /me/interactions operations) runs against `cxmock --clock manual
 * --seed 42 --ledger FILE` with --threads 1, again with --threads 1, and with --threads 16
 * (requests spread round-robin over 4 keep-alive connections, so several workers serve them,
 * still one at a time). The three ledger files must be byte-identical. A different seed must
 * give a different ledger (other interaction ids). */
#include "harness.h"

#define NCONNS 4

struct run {
    struct cxh mock;
    struct cxh_http conns[NCONNS]; /* used when nconns > 1 (mock.http otherwise) */
    int nconns;
    unsigned next;
};

static struct run *g_run; /* the run in progress, stopped by the teardown if a test fails */
static char g_dir[256];   /* temp dir of the ledger files */

/* The connection for the next request: round-robin over the run's connections. */
static struct cxh_http *conn(struct run *r)
{
    if (r->nconns <= 1)
        return &r->mock.http;
    return &r->conns[r->next++ % (unsigned)r->nconns];
}

static const struct cxh_resp *ix_call(struct run *r, const char *id, const char *suffix,
                                      const char *bearer, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v2/interactions/%s%s", id, suffix);
    return cxh_call(conn(r), body ? "POST" : "GET", path, bearer, body);
}

static void create(struct run *r, const char *channel, const char *queue, const char *ext, char *id,
                   size_t size)
{
    assert_int_equal(cxh_create(conn(r), channel, queue, ext, id, size), 201);
}

static void advance(struct run *r, long long ms)
{
    assert_int_equal(cxh_advance(conn(r), ms), 200);
}

/* The fixed request sequence. Statuses are asserted so that a run that goes another way is
 * reported at the request, not only as a ledger difference. */
static void sequence(struct run *r)
{
    char cc[128], ada[128], rot1[128], rot2[128];
    char a[64], b[64], c[64], d[64], e[64];
    const struct cxh_resp *x;

    assert_int_equal(cxh_token(conn(r), "cx-integration", "cx-integration-secret", cc, sizeof cc),
                     200);
    assert_int_equal(cxh_agent_token(conn(r), "ada@example.test", "ada-pass", ada, sizeof ada),
                     200);
    assert_int_equal(cxh_token(conn(r), "cx-rotating", "cx-rotating-secret", rot1, sizeof rot1),
                     200);
    assert_int_equal(cxh_token(conn(r), "cx-rotating", "cx-rotating-secret", rot2, sizeof rot2),
                     200);

    create(r, "voice", "q-fifo", "biz-1", a, sizeof a);     /* rings voice-1, voice-2 */
    create(r, "chat", "q-priority", "biz-2", b, sizeof b);  /* rings digital-1, digital-2 */
    create(r, "voice", "q-overflow", NULL, c, sizeof c);    /* queued */
    create(r, "voice", "q-overflow", NULL, d, sizeof d);    /* queued: q-overflow at depth 2 */
    create(r, "voice", "q-overflow", "biz-1", e, sizeof e); /* a duplicate business key */

    /* ACC-05: dual accept */
    x = ix_call(r, a, "/accept", cc, "{\"agentId\":\"agent-voice-1\"}");
    CXH_ASSERT_STATUS(x, 200);
    x = ix_call(r, a, "/accept", cc, "{\"agentId\":\"agent-voice-2\"}");
    CXH_ASSERT_STATUS(x, 200);
    CXH_ASSERT_STR(x->json, "agentId", "agent-voice-1");
    /* REJ-01/02: requeue with a known reason */
    x = ix_call(r, b, "/reject", cc,
                "{\"agentId\":\"agent-digital-1\",\"returnToQueue\":true,"
                "\"rejectReason\":\"skill_mismatch\"}");
    CXH_ASSERT_STATUS(x, 200);
    CXH_ASSERT_STATUS(ix_call(r, a, "", rot1, NULL), 401); /* AUTH-05: revoked */
    CXH_ASSERT_STATUS(ix_call(r, a, "", rot2, NULL), 200);
    advance(r, 600); /* A Active; B rings digital-2; C rings voice-2 */

    /* REJ-03: C back into the overflowing q-overflow: dropped */
    x = ix_call(r, c, "/reject", cc, "{\"agentId\":\"agent-voice-2\",\"returnToQueue\":true}");
    CXH_ASSERT_STATUS(x, 200);
    advance(r, 600);
    CXH_ASSERT_STATUS(ix_call(r, c, "", cc, NULL), 404);

    /* ACC-06: past the ring timeouts; then a phantom accept */
    advance(r, 25000);
    x = ix_call(r, d, "/accept", cc, "{\"agentId\":\"agent-voice-2\"}");
    CXH_ASSERT_STATUS(x, 200);
    /* the owner ends A with an unknown disposition (REJ-02) through its bound token */
    x = ix_call(r, a, "/reject", ada, "{\"rejectReason\":\"nope\"}");
    CXH_ASSERT_STATUS(x, 200);
    x = ix_call(r, e, "/accept", cc, "{\"agentId\":\"agent-voice-1\",\"metadata\":{\"k\":1}}");
    CXH_ASSERT_STATUS(x, 200);
    advance(r, 60000);

    /* INJ-01/04/05: a routing-API contact with a truncated and an ignored attribute, sent twice
     * with one X-Idempotency-Key; PRI-02/04: a priority change applied by the next cycle. */
    static const char contact[] =
        "{\"channel\":\"chat\",\"queueId\":\"q-fifo\",\"priority\":2,"
        "\"attributes\":{\"string:customerTier\":\"platinum-plus-plus-plus-plus-plus-plus\","
        "\"string:unknownKey\":\"x\",\"number:orderValue\":\"12\"}}";
    const char *const idem[] = {"X-Idempotency-Key: det-1", NULL};
    struct cxh_req inj = {.method = "POST",
                          .path = "/api/v2/routing/contacts",
                          .bearer = cc,
                          .body = contact,
                          .headers = idem};
    x = cxh_request(conn(r), &inj);
    CXH_ASSERT_STATUS(x, 201);
    char f[64], path[128];
    snprintf(f, sizeof f, "%s", cxh_str(x->json, "id"));
    CXH_ASSERT_STATUS(cxh_request(conn(r), &inj), 201);
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", f);
    CXH_ASSERT_STATUS(cxh_call(conn(r), "PATCH", path, cc, "{\"priority\":9}"), 200);
    /* AGT-01: an agent-state write, applied after the delay */
    CXH_ASSERT_STATUS(cxh_call(conn(r), "POST", "/api/v2/users/agent-digital-2/state", cc,
                               "{\"state\":\"NOT_READY\",\"reasonCode\":\"BREAK\"}"),
                      200);
    advance(r, 1500);
    /* GWS-02: ada takes a new call through /me/interactions and completes it */
    char g[64];
    create(r, "voice", "q-fifo", NULL, g, sizeof g);
    snprintf(path, sizeof path, "/api/v2/me/interactions/%s", g);
    x = cxh_call(conn(r), "POST", path, ada, "{\"operationName\":\"Accept\"}");
    CXH_ASSERT_STATUS(x, 200);
    advance(r, 600);
    x = cxh_call(conn(r), "POST", path, ada, "{\"operationName\":\"Complete\"}");
    CXH_ASSERT_STATUS(x, 200);
    advance(r, 600);
    snprintf(path, sizeof path, "/__admin/interactions/%s/end", b);
    CXH_ASSERT_STATUS(cxh_call(conn(r), "POST", path, NULL, NULL), 200);
    CXH_ASSERT_STATUS(
        cxh_call(conn(r), "PUT", "/__admin/agents/agent-away", NULL, "{\"state\":\"READY\"}"), 200);
    advance(r, 1000);
}

/* Run the sequence on a fresh mock with these threads and seed; the ledger goes to path. With
 * RESET_TO, the sequence runs first, then POST /__admin/reset {"seed":RESET_TO}, then again. */
static void run_sequence(const char *threads, const char *seed, const char *path,
                         const char *reset_to)
{
    struct run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->mock.proc.pid = -1;
    g_run = r;
    const char *const args[] = {"--clock", "manual",    "--seed", seed, "--ledger",
                                path,      "--threads", threads,  NULL};
    if (cxh_start(&r->mock, args) < 0)
        fail_msg("cannot start cxmock --threads %s --seed %s", threads, seed);
    r->nconns = atoi(threads) > 1 ? NCONNS : 1;
    for (int i = 0; r->nconns > 1 && i < r->nconns; i++)
        assert_int_equal(cxh_http_open(&r->conns[i], r->mock.port), 0);
    sequence(r);
    if (reset_to) {
        char body[64];
        snprintf(body, sizeof body, "{\"seed\":%s}", reset_to);
        CXH_ASSERT_STATUS(cxh_call(conn(r), "POST", "/__admin/reset", NULL, body), 200);
        sequence(r);
    }
    for (int i = 0; r->nconns > 1 && i < r->nconns; i++)
        cxh_http_close(&r->conns[i]);
    assert_int_equal(cxh_stop(&r->mock), 0);
    g_run = NULL;
    free(r);
}

static void run_once(const char *threads, const char *seed, const char *path)
{
    run_sequence(threads, seed, path, NULL);
}

/* The START line of a ledger file (its first) and where the entries after it begin. */
static char *after_start(char *text, json_t **start)
{
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    *start = json_loadb(text, (size_t)(nl - text), 0, NULL);
    assert_non_null(*start);
    assert_string_equal(cxh_str(*start, "type"), "START");
    return nl + 1;
}

/* Fail unless the files are byte-identical after their START lines (which differ in the run id
 * and the wall-clock start, and agree in the seed and the fixture); print the first differing
 * line otherwise. */
static void assert_same_file(const char *pa, const char *pb)
{
    char *a = cxt_read_file(pa, NULL), *b = cxt_read_file(pb, NULL);
    assert_non_null(a);
    assert_non_null(b);
    json_t *sa, *sb;
    const char *ea = after_start(a, &sa), *eb = after_start(b, &sb);
    assert_string_not_equal(cxh_str(sa, "run"), cxh_str(sb, "run"));
    assert_true(json_equal(json_object_get(sa, "seed"), json_object_get(sb, "seed")));
    assert_string_equal(cxh_str(sa, "fixture"), cxh_str(sb, "fixture"));
    json_decref(sa);
    json_decref(sb);
    size_t la = strlen(ea), lb = strlen(eb);
    if (la == lb && memcmp(ea, eb, la) == 0) {
        free(a);
        free(b);
        return;
    }
    int line = 2;
    const char *x = ea, *y = eb;
    while (*x && *y) {
        size_t nx = strcspn(x, "\n"), ny = strcspn(y, "\n");
        if (nx != ny || memcmp(x, y, nx) != 0)
            break;
        x += nx + (x[nx] ? 1 : 0);
        y += ny + (y[ny] ? 1 : 0);
        line++;
    }
    print_error("%s and %s differ (%zu and %zu bytes); first difference at line %d:\n"
                "  %.*s\n  %.*s\n",
                pa, pb, la, lb, line, (int)strcspn(x, "\n"), x, (int)strcspn(y, "\n"), y);
    free(a);
    free(b);
    fail();
}

/* The ledger of a file as an array of entries. */
static json_t *entries_of(const char *path)
{
    char *text = cxt_read_file(path, NULL);
    assert_non_null(text);
    json_t *all = json_array();
    for (char *line = text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        json_t *v = json_loads(line, 0, NULL);
        if (!v)
            fail_msg("%s: not JSON: %s", path, line);
        if (line == text) { /* the START line: not an entry */
            assert_string_equal(cxh_str(v, "type"), "START");
            json_decref(v);
            continue;
        }
        json_array_append_new(all, v);
    }
    free(text);
    return all;
}

static int setup(void **state)
{
    g_dir[0] = '\0';
    return cxt_tmpdir(g_dir, sizeof g_dir, "cxmock-it");
}

static int teardown(void **state)
{
    if (g_run) { /* a failed test left its mock running */
        for (int i = 0; g_run->nconns > 1 && i < g_run->nconns; i++)
            cxh_http_close(&g_run->conns[i]);
        cxh_stop(&g_run->mock);
        free(g_run);
        g_run = NULL;
    }
    if (g_dir[0])
        cxt_rmrf(g_dir);
    return 0;
}

/* SIM-02: --threads 1 twice and --threads 16 give byte-identical ledgers; the sequence really
 * exercised the traps (dual accept, silent drop, phantom, unknown disposition, revocation). */
static void test_SIM_02_same_seed_same_ledger_any_threads(void **state)
{
    char p1[512], p2[512], p16[512];
    snprintf(p1, sizeof p1, "%s/t1a.jsonl", g_dir);
    snprintf(p2, sizeof p2, "%s/t1b.jsonl", g_dir);
    snprintf(p16, sizeof p16, "%s/t16.jsonl", g_dir);
    run_once("1", "42", p1);
    run_once("1", "42", p2);
    run_once("16", "42", p16);

    json_t *l = entries_of(p1);
    assert_true(json_array_size(l) > 40);
    static const char *const must[] = {"TOKEN_REVOKED",  "ACCEPT",
                                       "ATTACH",         "REJECT",
                                       "SILENT_DROP",    "RING_EXPIRED",
                                       "PHANTOM_ATTACH", "UNKNOWN_DISPOSITION",
                                       "FALLBACK",       NULL};
    for (const char *const *t = must; *t; t++) {
        if (strcmp(*t, "FALLBACK") == 0)
            continue; /* not part of this sequence */
        if (!cxh_ledger_find(l, *t, NULL))
            fail_msg("the sequence produced no %s entry", *t);
    }
    int already_owned = 0;
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e)
    {
        const char *o = cxh_str(e, "outcome");
        already_owned += o && strcmp(o, "already_owned") == 0;
    }
    assert_int_equal(already_owned, 1);
    json_decref(l);

    assert_same_file(p1, p2);
    assert_same_file(p1, p16);
}

/* SIM-02: another seed gives another ledger: the ids (and delays) drawn from the PRNG
 * differ. */
static void test_SIM_02_other_seed_other_ledger(void **state)
{
    char p42[512], p43[512];
    snprintf(p42, sizeof p42, "%s/s42.jsonl", g_dir);
    snprintf(p43, sizeof p43, "%s/s43.jsonl", g_dir);
    run_once("1", "42", p42);
    run_once("1", "43", p43);
    size_t la, lb;
    char *a = cxt_read_file(p42, &la), *b = cxt_read_file(p43, &lb);
    assert_non_null(a);
    assert_non_null(b);
    assert_false(la == lb && memcmp(a, b, la) == 0);
    free(a);
    free(b);
    json_t *x = entries_of(p42), *y = entries_of(p43);
    const char *ix = cxh_str(cxh_ledger_find(x, "CREATED", NULL), "interactionId");
    const char *iy = cxh_str(cxh_ledger_find(y, "CREATED", NULL), "interactionId");
    assert_non_null(ix);
    assert_non_null(iy);
    assert_string_not_equal(ix, iy);
    json_decref(x);
    json_decref(y);
}

/* SIM-01, SIM-02: a reset on the manual clock rewinds the clock to its start, so the sequence
 * replayed after POST /__admin/reset {"seed":42} writes the lines a fresh mock with seed 42
 * writes, times included (the mock ran with seed 7 and its clock had moved on before). */
static void test_SIM_02_reset_then_replay_is_a_fresh_mock(void **state)
{
    char fresh[512], reset[512];
    snprintf(fresh, sizeof fresh, "%s/fresh.jsonl", g_dir);
    snprintf(reset, sizeof reset, "%s/reset.jsonl", g_dir);
    run_once("1", "42", fresh);
    run_sequence("1", "7", reset, "42");
    json_t *a = entries_of(fresh), *b = entries_of(reset);
    size_t at = 0; /* the RESET line in b: what follows it is the replay */
    const char *type;
    while (at < json_array_size(b) &&
           (!(type = cxh_str(json_array_get(b, at), "type")) || strcmp(type, "RESET") != 0))
        at++;
    assert_true(at < json_array_size(b));
    json_t *r = json_array_get(b, at);
    assert_int_equal(json_integer_value(json_object_get(r, "seed")), 42);
    assert_int_equal(json_integer_value(json_object_get(r, "t")),
                     json_integer_value(json_object_get(json_array_get(a, 0), "t")));
    assert_int_equal(json_array_size(b) - at - 1, json_array_size(a));
    for (size_t i = 0; i < json_array_size(a); i++) {
        char *x = json_dumps(json_array_get(a, i), JSON_COMPACT | JSON_SORT_KEYS);
        char *y = json_dumps(json_array_get(b, at + 1 + i), JSON_COMPACT | JSON_SORT_KEYS);
        if (strcmp(x, y) != 0)
            fail_msg("line %zu after the reset differs from the fresh mock's:\n  %s\n  %s", i + 1,
                     y, x);
        free(x);
        free(y);
    }
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    cxh_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_SIM_02_same_seed_same_ledger_any_threads, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_SIM_02_other_seed_other_ledger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_SIM_02_reset_then_replay_is_a_fresh_mock, setup,
                                        teardown),
    };
    if (getenv("CXH_TEST_FILTER")) /* run only matching tests: CXH_TEST_FILTER='*webhook*' */
        cmocka_set_test_filter(getenv("CXH_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
