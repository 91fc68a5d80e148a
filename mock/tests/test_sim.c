/* test_sim.c - time, randomness, ground truth and consistency on the manual clock, no
 * sockets: SIM-01 ... SIM-04, CONS-01 ... CONS-03. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "invariants.h"
#include "simtest.h"

static const char *cc(struct cxm_api *m)
{
    return st_client(m, 0, "cx-integration", "cx-integration-secret");
}

static struct st_res *post_on(struct cxm_api *m, const char *id, const char *verb, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/%s", id, verb);
    return st_call(m, "POST", path, cc(m), body);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int status_of(struct cxm_api *m, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s", id);
    return st_call(m, "GET", path, st_bearer(m), NULL)->status;
}

static void end_now(struct cxm_api *m, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/__admin/interactions/%s/end", id);
    assert_int_equal(st_call(m, "POST", path, NULL, NULL)->status, 200);
}

static long metric(struct cxm_api *m, const char *name)
{
    struct cxm_resp rs;
    struct cxm_req rq = {.method = "GET", .path = "/metrics", .loopback = true};
    cxm_api_dispatch(m, &rq, &rs);
    const char *at = rs.raw ? strstr(rs.raw, name) : NULL;
    long v = -1;
    while (at && (at == rs.raw || at[-1] != '\n'))
        at = strstr(at + 1, name);
    if (at)
        v = strtol(at + strlen(name) + 1, NULL, 10);
    cxm_resp_free(&rs);
    return v;
}

/* SIM-07: memory stays bounded: past endedRetention ended interactions the oldest are
 * forgotten (404, counted in /metrics) while the ledger and its checks keep all of them, and
 * one an acknowledged accept still has to reach is kept until it has (PHANTOM_ACCEPT). */
static void test_SIM_07_ended_interactions_forgotten_past_retention(void **state)
{
    (void)state;
    char *fixture = st_default_with("endedRetention", 2);
    struct cxm_api *m = st_new(fixture, 1);
    free(fixture);
    char ids[6][40];
    for (int i = 0; i < 4; i++) {
        snprintf(ids[i], sizeof ids[i], "%s", st_create(m, 0, "voice", "q-fifo", NULL));
        end_now(m, ids[i]);
    }
    assert_int_equal(status_of(m, ids[0]), 404); /* forgotten at this request's start */
    assert_int_equal(status_of(m, ids[1]), 404);
    assert_int_equal(status_of(m, ids[2]), 200);
    assert_int_equal(status_of(m, ids[3]), 200);
    assert_int_equal(metric(m, "cxmock_interactions_forgotten_total"), 2);
    assert_int_equal(metric(m, "cxmock_interactions"), 2);
    assert_int_equal(st_ledger_count(m, "CREATED", ids[0], NULL), 1); /* the ledger keeps all */
    assert_int_equal(st_ledger_count(m, "STATE", NULL, NULL) >= 4, 1);

    /* An accept acknowledged after the end applies later: the contact is kept until it has. */
    snprintf(ids[4], sizeof ids[4], "%s", st_create(m, 0, "voice", "q-fifo", NULL));
    end_now(m, ids[4]);
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", ids[4]);
    assert_int_equal(
        st_call(m, "POST", path, st_bearer(m), "{\"agentId\":\"agent-voice-1\"}")->status, 200);
    for (int i = 0; i < 3; i++) /* three more end: ids[4] is past the retention */
        end_now(m, st_create(m, 0, "voice", "q-fifo", NULL));
    assert_int_equal(status_of(m, ids[4]), 200); /* its accept is still on the way */
    st_advance(m, 10000);                        /* the accept applies: a phantom */
    assert_int_equal(st_violations(m, "PHANTOM_ACCEPT"), 1);
    assert_int_equal(status_of(m, ids[4]), 404); /* and now it is forgotten */
    st_free(m);
}

/* SIM-07, issue 15 (the soak): a page of the index of interactions whose slots were all handed
 * out and forgotten goes back to the kernel, so forgotten contacts cost it nothing, even with
 * the very first contact still waiting in its queue (the soak's queue keeps its oldest 1 000:
 * a release of the index's forgotten prefix only never happened there). The slots read as NULL
 * afterwards, and the mock goes on creating, finding and forgetting. */
static void test_SIM_07_forgotten_index_pages_given_back(void **state)
{
    (void)state;
    char *fixture = st_default_with("endedRetention", 10);
    struct cxm_api *m = st_new(fixture, 1);
    free(fixture);
    struct cxm_model *md = &m->sim.model;
    char first[40], last[40] = "";
    snprintf(first, sizeof first, "%s", st_create(m, 0, "voice", "q-fifo", NULL)); /* stays */
    enum { N = 40000 };
    for (int i = 0; i < N; i++) {
        snprintf(last, sizeof last, "%s", st_create(m, 0, "chat", "q-fifo", NULL));
        end_now(m, last);
    }
    assert_true(md->pages_released >= N / md->per_page - 2);
    size_t null_pages = 0;
    for (size_t p = 0; p < md->nix / md->per_page; p++) { /* the pages handed out whole */
        bool all_null = true;
        for (size_t i = p * md->per_page; i < (p + 1) * md->per_page; i++)
            all_null &= md->ix[i] == NULL;
        null_pages += all_null;
        if (md->live[p] == 0 && !all_null)
            fail_msg("page %zu counts no live slot but holds one", p);
    }
    assert_true(null_pages >= md->pages_released);
    assert_int_equal(status_of(m, first), 200); /* the first page keeps it */
    assert_int_equal(status_of(m, last), 200);  /* the last ten are kept */
    const char *fresh = st_create(m, 0, "chat", "q-fifo", NULL);
    assert_int_equal(status_of(m, fresh), 200);
    assert_int_equal(metric(m, "cxmock_interactions"), 12);
    st_free(m);
}

/* SIM-07, INJ-05: a key outlives its forgotten contact: the replay is still the first 201. */
static void test_SIM_07_replay_of_a_forgotten_contact(void **state)
{
    (void)state;
    char *fixture = st_default_with("endedRetention", 1);
    struct cxm_api *m = st_new(fixture, 1);
    free(fixture);
    const char *body = "{\"channel\":\"chat\",\"queueId\":\"q-priority\",\"priority\":4}";
    const char *auth = st_client(m, 0, "cx-integration", "cx-integration-secret");
    struct cxm_req rq = {.method = "POST",
                         .path = "/api/v2/routing/contacts",
                         .authorization = auth,
                         .content_type = "application/json",
                         .x_idempotency_key = "k-forgotten",
                         .body = body,
                         .body_len = strlen(body),
                         .loopback = true};
    struct st_res *r = st_request(m, &rq);
    assert_int_equal(r->status, 201);
    char *first = json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char id[40];
    snprintf(id, sizeof id, "%s", ST_STR(r->body, "id"));
    end_now(m, id);
    end_now(m, st_create(m, 1, "voice", "q-fifo", NULL));
    assert_int_equal(status_of(m, id), 404);
    r = st_request(m, &rq);
    assert_int_equal(r->status, 201);
    char *again = json_dumps(r->body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(again, first);
    assert_int_equal(st_ledger_count(m, "CREATED", NULL, NULL), 2); /* no second contact */
    free(first);
    free(again);
    st_free(m);
}

/* SIM-01: the mock clock's ISO-8601 text is gmtime's, whether its second was formatted just
 * before (the per-thread cache) or not: across second, day and year boundaries, back in time,
 * and before 1970. */
static void test_SIM_01_iso_time_text(void **state)
{
    (void)state;
    static const int64_t ms[] = {1767225599998LL,
                                 1767225599999LL,
                                 1767225600000LL,
                                 1767225600001LL,
                                 1767225600999LL,
                                 1767225601000LL,
                                 1767225600500LL,
                                 0,
                                 999,
                                 1000,
                                 1767225600001LL,
                                 253402300799999LL,
                                 -1000};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++) {
        char got[32], want[32];
        cxm_time_iso(ms[i], got);
        time_t s = (time_t)(ms[i] / 1000);
        struct tm tm;
        gmtime_r(&s, &tm);
        size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(want + n, sizeof want - n, ".%03dZ", (int)(ms[i] % 1000));
        assert_string_equal(got, want);
    }
}

/* The field a 400 names, "" when absent. */
static const char *field_of(const struct st_res *r)
{
    const char *f = ST_STR(r->body, "field");
    return f ? f : "";
}

/* SIM-01, issue 15: the clock is bounded and its arithmetic saturates. A manual clock told to
 * advance past CXM_CLOCK_MAX_MS stops there (it used to overflow: UBSan aborted the mock); a
 * scaled clock at the largest scale stops there too, never showing a negative time; wall waits
 * and told durations at the smallest scale do not overflow; --clock refuses a scale out of
 * range, and so does the admin API, with a 400 naming the field. */
static void test_SIM_01_clock_bounded_and_saturating(void **state)
{
    (void)state;
    enum cxm_clock_mode mode;
    double scale;
    assert_int_equal(cxm_clock_parse("scaled:1e300", &mode, &scale), -1);
    assert_int_equal(cxm_clock_parse("scaled:1000001", &mode, &scale), -1);
    assert_int_equal(cxm_clock_parse("scaled:0.0009", &mode, &scale), -1);
    assert_int_equal(cxm_clock_parse("scaled: 60", &mode, &scale), -1);
    assert_int_equal(cxm_clock_parse("scaled:+60", &mode, &scale), -1);
    assert_int_equal(cxm_clock_parse("scaled:0x3c", &mode, &scale), -1);
    assert_int_equal(cxm_clock_parse("scaled:1e6", &mode, &scale), 0);
    assert_int_equal(cxm_clock_parse("scaled:0.001", &mode, &scale), 0);
    assert_int_equal(cxm_clock_parse("scaled:.5", &mode, &scale), 0);

    struct cxm_clock c;
    cxm_clock_init(&c, CXM_CLOCK_MANUAL, 0);
    assert_int_equal(cxm_clock_advance(&c, INT64_MAX), 0);
    assert_int_equal(cxm_clock_now(&c), CXM_CLOCK_MAX_MS);
    assert_int_equal(cxm_clock_advance(&c, 1), 0);
    assert_int_equal(cxm_clock_now(&c), CXM_CLOCK_MAX_MS);

    cxm_clock_init(&c, CXM_CLOCK_SCALED, CXM_CLOCK_MAX_SCALE);
    c.base_ms = CXM_CLOCK_MAX_MS - 10; /* 10 mock ms before the end: 10 wall ns */
    int64_t w0 = mono_ms();
    while (mono_ms() - w0 < 2)
        ;
    assert_int_equal(cxm_clock_now(&c), CXM_CLOCK_MAX_MS);
    cxm_clock_init(&c, CXM_CLOCK_SCALED, CXM_CLOCK_MIN_SCALE);
    assert_true(cxm_clock_wall_ns_until(&c, CXM_CLOCK_MAX_MS) > 0);
    c.told = CXM_TOLD_WALL;
    assert_true(cxm_clock_told_wait_ms(&c, INT64_MAX / 2) > 0);

    struct cxm_api *m = st_new(NULL, 1);
    struct st_res *r =
        st_call(m, "POST", "/__admin/clock", NULL, "{\"advanceMs\":9223372036854775807}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "error"), "validation_error");
    assert_string_equal(field_of(r), "advanceMs");
    r = st_call(m, "POST", "/__admin/clock", NULL, "{\"advanceMs\":0}");
    assert_int_equal(r->status, 200);
    json_int_t now = json_integer_value(json_object_get(r->body, "now"));
    assert_int_equal(now, CXM_MANUAL_EPOCH_MS); /* the refused advance moved nothing */
    char body[64];
    snprintf(body, sizeof body, "{\"advanceMs\":%lld}", (long long)(CXM_CLOCK_MAX_MS - now));
    r = st_call(m, "POST", "/__admin/clock", NULL, body);
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "nowIso"), "9999-12-31T23:59:59.999Z");
    r = st_call(m, "POST", "/__admin/clock", NULL, "{\"advanceMs\":1}");
    assert_int_equal(r->status, 400);
    assert_string_equal(field_of(r), "advanceMs");
    st_free(m);

    m = st_open_clock(NULL, 1, NULL, "scaled:60");
    for (int i = 0; i < 2; i++) { /* twice: the second used to abort in cxm_clock_now */
        r = st_call(m, "POST", "/__admin/clock", NULL, "{\"scale\":1e15}");
        assert_int_equal(r->status, 400);
        assert_string_equal(ST_STR(r->body, "error"), "validation_error");
        assert_string_equal(field_of(r), "scale");
    }
    r = st_call(m, "POST", "/__admin/clock", NULL, "{\"scale\":0.0001}");
    assert_int_equal(r->status, 400);
    assert_string_equal(field_of(r), "scale");
    r = st_call(m, "POST", "/__admin/clock", NULL, "{\"scale\":1000000}");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "mode"), "scaled:1e+06");
    r = st_call(m, "GET", "/__admin/state", NULL, NULL);
    assert_true(json_integer_value(json_object_get(json_object_get(r->body, "clock"), "now")) >=
                CXM_MANUAL_EPOCH_MS);
    st_free(m);
}

/* SIM-01: one clock, three modes. Manual moves only when told; scaled runs X times faster;
 * the admin API refuses what a mode cannot do. */
static void test_SIM_01_clock_modes(void **state)
{
    enum cxm_clock_mode mode;
    double scale;
    assert_int_equal(cxm_clock_parse("scaled:60", &mode, &scale), 0);
    assert_int_equal(mode, CXM_CLOCK_SCALED);
    assert_true(scale == 60.0);
    assert_int_equal(cxm_clock_parse("scaled:0", &mode, &scale), -1);
    assert_int_equal(cxm_clock_parse("scaled:", &mode, &scale), -1);
    assert_int_equal(cxm_clock_parse("fast", &mode, &scale), -1);

    struct cxm_clock c;
    cxm_clock_init(&c, CXM_CLOCK_MANUAL, 0);
    assert_int_equal(cxm_clock_now(&c), CXM_MANUAL_EPOCH_MS);
    assert_int_equal(cxm_clock_advance(&c, 1500), 0);
    assert_int_equal(cxm_clock_now(&c), CXM_MANUAL_EPOCH_MS + 1500);
    assert_int_equal(cxm_clock_advance(&c, -1), -1);
    assert_int_equal(cxm_clock_wall_ns_until(&c, CXM_MANUAL_EPOCH_MS + 9999), -1);
    assert_int_equal(cxm_clock_set_scale(&c, 2), -1);

    /* scaled:1000: wait (with a deadline) until 20 wall ms have passed; mock time moved
     * about 1000 times as far. */
    cxm_clock_init(&c, CXM_CLOCK_SCALED, 1000);
    int64_t m0 = cxm_clock_now(&c), w0 = mono_ms(), deadline = w0 + 5000;
    while (mono_ms() - w0 < 20 && mono_ms() < deadline)
        ;
    int64_t wall = mono_ms() - w0, mock = cxm_clock_now(&c) - m0;
    assert_true(mock >= (wall - 1) * 1000 && mock <= (wall + 2) * 1000);
    assert_int_equal(cxm_clock_advance(&c, 10), -1);
    int64_t ns = cxm_clock_wall_ns_until(&c, cxm_clock_now(&c) + 1000);
    assert_true(ns > 0 && ns <= 1000000); /* 1 s of mock time is 1 ms of wall time */

    struct cxm_api *m = st_new(NULL, 1);
    struct st_res *r = st_call(m, "POST", "/__admin/clock", NULL, "{\"scale\":2}");
    assert_int_equal(r->status, 409);
    r = st_call(m, "POST", "/__admin/clock", NULL, "{\"advanceMs\":-5}");
    assert_int_equal(r->status, 400);
    r = st_call(m, "POST", "/__admin/clock", NULL, "{\"advanceMs\":250}");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "nowIso"), "2026-01-01T00:00:00.250Z");
    assert_string_equal(ST_STR(r->body, "mode"), "manual");
    st_free(m);
}

/* Run a fixed request sequence and return the ledger as one string (free it). */
static char *scripted_ledger(uint64_t seed)
{
    struct cxm_api *m = st_new(NULL, seed);
    const char *a = st_create(m, 0, "voice", "q-fifo", "k1");
    const char *b = st_create(m, 1, "chat", "q-overflow", "k2");
    st_create(m, 2, "chat", "q-overflow", "k3");
    post_on(m, a, "accept", "{\"agentId\":\"agent-voice-1\"}");
    post_on(m, a, "accept", "{\"agentId\":\"agent-voice-2\"}");
    post_on(m, b, "reject", "{\"agentId\":\"agent-digital-1\",\"returnToQueue\":true}");
    st_advance(m, 30000);
    st_create(m, 3, "voice", "q-overflow", "k4");
    st_advance(m, 40000);
    size_t total = 1;
    for (uint64_t s = 1; s <= m->sim.ledger.n; s++)
        total += strlen(cxm_ledger_get(&m->sim.ledger, s)) + 1;
    char *out = calloc(1, total);
    for (uint64_t s = 1; s <= m->sim.ledger.n; s++) {
        strcat(out, cxm_ledger_get(&m->sim.ledger, s));
        strcat(out, "\n");
    }
    st_free(m);
    return out;
}

/* SIM-02: same fixture + seed + request order = byte-identical ledger; another seed differs. */
static void test_SIM_02_same_seed_same_ledger(void **state)
{
    char *one = scripted_ledger(42), *two = scripted_ledger(42), *other = scripted_ledger(43);
    assert_true(strlen(one) > 1000);
    assert_string_equal(one, two);
    assert_string_not_equal(one, other);
    free(one);
    free(two);
    free(other);

    struct cx_prng p, q;
    cx_prng_seed(&p, 9);
    cx_prng_seed(&q, 9);
    for (int i = 0; i < 1000; i++) {
        int64_t v = cx_prng_range(&p, 200, 500);
        assert_true(v >= 200 && v <= 500);
        assert_int_equal(v, cx_prng_range(&q, 200, 500));
    }
    char uuid[37];
    cx_prng_uuid(&p, uuid);
    assert_int_equal(strlen(uuid), 36);
    assert_int_equal(uuid[14], '4');
    for (int i = 0; i < 2000; i++) { /* written by hand as printf would (ids in ledgers, SIM-02) */
        uint64_t a = cx_prng_next(&p) >> (i % 64), b = cx_prng_next(&p) >> (i % 61);
        uint64_t va = (a & ~0xf000ULL) | 0x4000ULL;
        uint64_t vb = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
        char want[64];
        snprintf(want, sizeof want, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(va >> 32),
                 (unsigned)((va >> 16) & 0xffff), (unsigned)(va & 0xffff), (unsigned)(vb >> 48),
                 (unsigned long long)(vb & 0xffffffffffffULL));
        cx_uuid4_format(uuid, a, b);
        assert_string_equal(uuid, want);
    }
}

/* SIM-03: every change is in the ledger with time, type, cause and the causing request (the
 * X-Request-Id); timer effects carry req null; the public API never shows it; the file copy
 * equals the memory copy line for line. */
static void test_SIM_03_ledger(void **state)
{
    char path[] = "/tmp/cxm-ledger-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct cxm_api *m = st_open(NULL, 1, path);

    struct st_res *r = st_call(m, "POST", "/__admin/interactions", NULL,
                               "{\"channel\":\"voice\",\"queueId\":\"q-overflow\"}");
    char id[40], req[24];
    snprintf(id, sizeof id, "%s", ST_STR(r->body, "id"));
    snprintf(req, sizeof req, "%s", r->request_id);
    json_t *e;
    assert_int_equal(st_ledger_count(m, "CREATED", id, &e), 1);
    assert_string_equal(ST_STR(e, "req"), req);
    assert_int_equal(json_integer_value(json_object_get(e, "t")), CXM_MANUAL_EPOCH_MS);
    st_advance(m, 10000); /* the ring expires: a timer, not a request */
    assert_int_equal(st_ledger_count(m, "RING_EXPIRED", id, &e), 1);
    assert_true(json_is_null(json_object_get(e, "req")));
    assert_int_equal(json_integer_value(json_object_get(e, "t")), CXM_MANUAL_EPOCH_MS + 10000);
    st_ledger_count(m, "STATE", id, &e);
    assert_string_equal(ST_STR(e, "cause"), "route");

    assert_int_equal(st_call(m, "GET", "/api/v2/ledger", cc(m), NULL)->status, 404);
    r = st_call(m, "GET", "/__admin/ledger?after=1&limit=2", NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->body, "entries")), 2);
    assert_int_equal(json_integer_value(json_object_get(r->body, "next")), 3);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(r->body, "entries"), 0), "seq")),
                     2);
    assert_int_equal(st_call(m, "GET", "/__admin/ledger?limit=0", NULL, NULL)->status, 400);

    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    uint64_t seq = 0;
    /* The file starts with the run's START line (seq 0, not in the store): the run id, seed,
     * fixture digest and wall-clock start (issue 15). */
    assert_non_null(fgets(line, sizeof line, f));
    json_t *start = json_loads(line, 0, NULL);
    assert_non_null(start);
    assert_string_equal(ST_STR(start, "type"), "START");
    assert_int_equal(json_integer_value(json_object_get(start, "seq")), 0);
    assert_int_equal(strlen(ST_STR(start, "run")), 32);
    assert_int_equal(strncmp(ST_STR(start, "fixture"), "fnv1a64:", 8), 0);
    assert_non_null(ST_STR(start, "started"));
    json_decref(start);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        assert_string_equal(line, cxm_ledger_get(&m->sim.ledger, ++seq));
    }
    fclose(f);
    assert_int_equal(seq, m->sim.ledger.n);
    assert_int_equal(st_call(m, "POST", "/__admin/reset", NULL, "{\"seed\":5}")->status, 200);
    assert_int_equal(m->sim.ledger.n, 0);
    st_free(m);
    unlink(path);
}

static void add(struct cxm_ledger *l, const char *type, const char *fields)
{
    cxm_ledger_add(l, 0, type, "r1", json_loads(fields, 0, NULL));
}

static long count(json_t *v, const char *check)
{
    return (long)json_integer_value(
        json_object_get(json_object_get(json_object_get(v, "checks"), check), "count"));
}

/* SIM-03, issue 15: an entry whose fields could not be built (a json_pack that returned NULL)
 * is not recorded as an entry without its fields: a LEDGER_ERROR names its type, the ledger
 * breaks, /__admin/health turns 503 with the reason, /metrics counts it, and every public
 * request after is a 503 with nothing applied. Before, the entry went out as
 * {"seq":N,...,"type":"CREATED","req":"rN"} and the health check said ok. */
static void test_SIM_03_unbuilt_entry_breaks_the_ledger(void **state)
{
    (void)state;
    struct cxm_api *m = st_new(NULL, 1);
    const char *bearer = cc(m);
    size_t before = m->sim.ledger.n;
    cxm_sim_record(&m->sim, "CREATED", NULL);
    assert_int_equal(m->sim.ledger.n, before + 1);
    json_t *e = json_loads(cxm_ledger_get(&m->sim.ledger, before + 1), 0, NULL);
    assert_non_null(e);
    assert_string_equal(ST_STR(e, "type"), "LEDGER_ERROR");
    assert_string_equal(ST_STR(e, "failed"), "CREATED");
    json_decref(e);

    struct st_res *r = st_call(m, "GET", "/__admin/health", NULL, NULL);
    assert_int_equal(r->status, 503);
    assert_string_equal(ST_STR(r->body, "status"), "unhealthy");
    assert_non_null(strstr(ST_STR(r->body, "reason"), "CREATED"));
    size_t n = m->sim.ledger.n;
    r = st_call(m, "POST", "/__admin/interactions", NULL,
                "{\"channel\":\"voice\",\"queueId\":\"q-fifo\"}");
    assert_int_equal(r->status, 503); /* the admin API's writes too: only its reads answer */
    r = st_call(m, "POST", "/api/v2/routing/contacts", bearer,
                "{\"channel\":\"chat\",\"queueId\":\"q-fifo\",\"from\":\"+15550100\"}");
    assert_int_equal(r->status, 503);
    assert_string_equal(ST_STR(r->body, "error"), "ledger_unavailable");
    r = st_call(m, "GET", "/api/v2/queues/q-fifo", bearer, NULL);
    assert_int_equal(r->status, 503);
    assert_int_equal(m->sim.ledger.n, n); /* nothing was applied */
    assert_int_equal(st_call(m, "GET", "/__admin/ledger", NULL, NULL)->status, 200);
    struct cxm_req mq = {.method = "GET", .path = "/metrics", .loopback = true};
    struct cxm_resp rs;
    cxm_api_dispatch(m, &mq, &rs);
    assert_int_equal(rs.status, 200);
    assert_non_null(strstr(rs.raw, "cxmock_ledger_failures_total{kind=\"build\"} 1\n"));
    assert_non_null(strstr(rs.raw, "cxmock_ledger_broken 1\n"));
    cxm_resp_free(&rs);
    st_free(m);
}

/* SIM-04: the invariant checks find what they name in a hand-written ledger. */
static void test_SIM_04_invariants(void **state)
{
    struct cxm_ledger l;
    struct cx_error err;
    assert_int_equal(cxm_ledger_open(&l, NULL, &err), 0);
    add(&l, "CREATED", "{\"interactionId\":\"i1\",\"externalId\":\"order-1\"}");
    add(&l, "CREATED", "{\"interactionId\":\"i2\",\"externalId\":\"order-1\"}");
    add(&l, "CREATED", "{\"interactionId\":\"i3\",\"externalId\":null}");
    add(&l, "CREATED", "{\"interactionId\":\"i4\",\"externalId\":null}");
    add(&l, "ATTACH", "{\"interactionId\":\"i1\",\"agentId\":\"a\"}");
    add(&l, "ATTACH", "{\"interactionId\":\"i1\",\"agentId\":\"b\"}");
    add(&l, "STATE", "{\"interactionId\":\"i2\",\"to\":\"Ended\",\"cause\":\"teardown\"}");
    add(&l, "STATE", "{\"interactionId\":\"i3\",\"to\":\"Ended\",\"cause\":\"admin_end\"}");
    add(&l, "SILENT_DROP", "{\"interactionId\":\"i4\"}");
    add(&l, "PHANTOM_ATTACH", "{\"interactionId\":\"i2\",\"agentId\":\"a\"}");
    add(&l, "STATE", "{\"interactionId\":\"i1\",\"to\":\"Ended\",\"cause\":\"admin_end\"}");
    add(&l, "ATTACH", "{\"interactionId\":\"i1\",\"agentId\":\"c\"}"); /* after release: fine */
    /* INJ-05: routing-API contacts. Distinct idempotency keys are distinct contacts, whatever
     * their bodies; one key of one client twice is a duplicate; no key: the body's digest. */
    add(&l, "CREATED",
        "{\"interactionId\":\"r1\",\"clientId\":\"c\",\"businessKey\":\"bk-1\","
        "\"idempotencyKey\":\"k1\"}");
    add(&l, "CREATED",
        "{\"interactionId\":\"r2\",\"clientId\":\"c\",\"businessKey\":\"bk-1\","
        "\"idempotencyKey\":\"k2\"}");
    add(&l, "CREATED",
        "{\"interactionId\":\"r3\",\"clientId\":\"d\",\"businessKey\":\"bk-1\","
        "\"idempotencyKey\":\"k1\"}");
    add(&l, "CREATED",
        "{\"interactionId\":\"r4\",\"clientId\":\"c\",\"businessKey\":\"bk-9\","
        "\"idempotencyKey\":\"k1\"}");
    add(&l, "CREATED",
        "{\"interactionId\":\"r5\",\"clientId\":\"c\",\"businessKey\":\"bk-1\","
        "\"idempotencyKey\":null}");
    add(&l, "CREATED",
        "{\"interactionId\":\"r6\",\"clientId\":\"c\",\"businessKey\":\"bk-1\","
        "\"idempotencyKey\":null}");
    /* REJ-04: one agent's reject applied twice */
    add(&l, "DUPLICATE_REJECT", "{\"interactionId\":\"r1\",\"agentId\":\"a\"}");
    /* REJ-02: a reason stored as Unknown; INJ-04: r2 lost two attributes, r3 one: two contacts */
    add(&l, "UNKNOWN_DISPOSITION", "{\"interactionId\":\"r1\",\"given\":\"Nope\"}");
    add(&l, "IGNORED_ATTRIBUTE", "{\"interactionId\":\"r2\",\"key\":\"x\"}");
    add(&l, "TRUNCATED_ATTRIBUTE", "{\"interactionId\":\"r2\",\"key\":\"y\"}");
    add(&l, "TRUNCATED_ATTRIBUTE", "{\"interactionId\":\"r3\",\"key\":\"y\"}");
    json_t *v = cxm_invariants(&l);
    assert_int_equal(count(v, "UNKNOWN_DISPOSITION"), 1);
    assert_int_equal(count(v, "ATTRIBUTE_LOSS"), 2);
    assert_int_equal(count(v, "DUAL_ATTACH"), 1);
    assert_int_equal(count(v, "DUPLICATE_CONTACT"), 3); /* order-1, c's k1, bk-1 keyless */
    json_t *dups = json_object_get(
        json_object_get(json_object_get(v, "checks"), "DUPLICATE_CONTACT"), "examples");
    assert_string_equal(ST_STR(json_array_get(dups, 0), "interactionId"), "i2");
    assert_string_equal(ST_STR(json_array_get(dups, 1), "interactionId"), "r4");
    assert_string_equal(ST_STR(json_array_get(dups, 2), "interactionId"), "r6");
    assert_int_equal(count(v, "DUPLICATE_REJECT"), 1);
    assert_int_equal(count(v, "LOST_CONTACT"), 1);
    assert_int_equal(count(v, "SILENT_DROP"), 1);
    assert_int_equal(count(v, "PHANTOM_ACCEPT"), 1);
    json_t *ex = json_array_get(
        json_object_get(json_object_get(json_object_get(v, "checks"), "DUAL_ATTACH"), "examples"),
        0);
    assert_string_equal(ST_STR(ex, "agentId"), "b");
    assert_int_equal(json_integer_value(json_object_get(v, "entries")), 23);
    json_decref(v);
    cxm_ledger_close(&l);
}

/* CONS-01: acknowledged at once, applied after a delay in [minMs, maxMs]; reads before see
 * the old state; writes to one interaction apply in order. */
static void test_CONS_01_consistency_delay(void **state)
{
    struct cxm_api *m = st_new(NULL, 3);
    for (int i = 0; i < 20; i++) {
        char ext[16];
        snprintf(ext, sizeof ext, "c%d", i);
        const char *id = st_create(m, 0, "voice", "q-fifo", ext);
        assert_int_equal(post_on(m, id, "accept", "{\"agentId\":\"agent-voice-1\"}")->status, 200);
        st_advance(m, 199);
        assert_string_equal(st_state(m, id), "Ringing");
        int64_t t0 = m->sim.now;
        json_t *e;
        st_advance(m, 301);
        assert_string_equal(st_state(m, id), "Active");
        st_ledger_count(m, "ATTACH", id, &e);
        int64_t delay = json_integer_value(json_object_get(e, "t")) - (t0 - 199);
        assert_true(delay >= 200 && delay <= 500);
        char path[128];
        snprintf(path, sizeof path, "/__admin/interactions/%s/end", id);
        assert_int_equal(st_call(m, "POST", path, NULL, NULL)->status, 200);
    }
    st_free(m);
}

/* CONS-02: applied changes emit interaction.state.changed and AGENT_STATE_CHANGED. */
static void test_CONS_02_events(void **state)
{
    struct cxm_api *m = st_new(NULL, 3);
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    post_on(m, id, "accept", "{\"agentId\":\"agent-voice-1\"}");
    st_advance(m, 500);
    st_call(m, "PUT", "/__admin/agents/agent-away", NULL, "{\"state\":\"READY\"}");
    struct st_res *r = st_call(m, "GET", "/api/v2/events?after=0", cc(m), NULL);
    assert_int_equal(r->status, 200);
    json_t *ev = json_object_get(r->body, "events");
    assert_int_equal(json_array_size(ev), 3);
    json_t *e1 = json_array_get(ev, 0), *e2 = json_array_get(ev, 1), *e3 = json_array_get(ev, 2);
    assert_string_equal(ST_STR(e1, "type"), "interaction.state.changed");
    assert_string_equal(ST_STR(e1, "previousState"), "Queued");
    assert_string_equal(ST_STR(e1, "currentState"), "Ringing");
    assert_string_equal(ST_STR(e2, "currentState"), "Active");
    assert_string_equal(ST_STR(e2, "agentId"), "agent-voice-1");
    assert_string_equal(ST_STR(e2, "interactionId"), id);
    assert_non_null(ST_STR(e2, "at"));
    assert_string_equal(ST_STR(e3, "type"), "AGENT_STATE_CHANGED");
    assert_string_equal(ST_STR(e3, "previousState"), "NOT_READY");
    assert_string_equal(ST_STR(e3, "currentState"), "READY");
    st_free(m);
}

/* GET PATH with the bearer TOK; fails unless the answer is STATUS and, when FIELD is not NULL,
 * names FIELD (the JSON error naming the parameter). */
static void query_says(struct cxm_api *m, const char *tok, const char *path, int status,
                       const char *field)
{
    struct st_res *r = st_call(m, "GET", path, tok, NULL);
    if (r->status != status || (field && strcmp(field_of(r), field) != 0)) {
        char *b = r->body ? json_dumps(r->body, JSON_COMPACT) : NULL;
        fail_msg("GET %s: expected %d naming '%s', got %d: %s", path, status, field ? field : "",
                 r->status, b ? b : "(no JSON)");
    }
}

/* CONS-03, issue 15: query values are taken exactly or refused, never bent. A value with white
 * space (%20, +), a %00, a bad '%', a sign or anything after the digits, one longer than the
 * mock reads (it was cut at 31 characters: forty zeros and a 1 read as 0) or past its range is
 * a 400 naming the parameter; after=18446744073709551615, the largest cursor, is an unknown
 * cursor (after + 1 wrapped to 0: cursor_expired). The same holds for the admin API's paging and
 * the strings expand, fields and fail. */
static void test_CONS_03_strict_query_values(void **state)
{
    (void)state;
    struct cxm_api *m = st_new(NULL, 1);
    const char *tok = st_bearer(m);
    static const char *const bad_timeouts[] = {"%201", "1%00", "+1", "1+", "1x", "-1",
                                               "61",   "0x1",  "",   "%",  "%4", "1%zz"};
    char path[512];
    for (size_t i = 0; i < sizeof bad_timeouts / sizeof bad_timeouts[0]; i++) {
        snprintf(path, sizeof path, "/api/v2/events?timeout=%s", bad_timeouts[i]);
        query_says(m, tok, path, 400, "timeout");
    }
    query_says(m, tok, "/api/v2/events?timeout=%30", 200, NULL); /* "0", decoded once */
    query_says(m, tok, "/api/v2/events?after=0&timeout=0", 200, NULL);
    query_says(m, tok, "/api/v2/events?after=00000000000000000000000000000000000000001", 400,
               "after");
    query_says(m, tok, "/api/v2/events?after=18446744073709551616", 400, "after");
    struct st_res *r = st_call(m, "GET", "/api/v2/events?after=18446744073709551615", tok, NULL);
    assert_int_equal(r->status, 410);
    assert_string_equal(ST_STR(r->body, "error"), "cursor_unknown");

    query_says(m, NULL, "/__admin/state?limit=%2010", 400, "limit");
    query_says(m, NULL, "/__admin/state?limit=0", 400, "limit");
    query_says(m, NULL, "/__admin/state?after=1%00", 400, "after");
    query_says(m, NULL, "/__admin/state?after=18446744073709551615&limit=100000", 200, NULL);
    query_says(m, NULL, "/__admin/ledger?limit=1%00", 400, "limit");
    query_says(m, NULL, "/__admin/ledger?after=18446744073709551615", 200, NULL);
    query_says(m, NULL, "/__admin/violations?fail=1%00", 400, "fail");
    query_says(m, NULL, "/__admin/violations?fail=0", 200, NULL);

    char longv[300];
    memset(longv, 'q', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    snprintf(path, sizeof path, "/api/v2/routing/contacts/nope?expand=%s", longv);
    query_says(m, tok, path, 400, "expand");
    query_says(m, tok, "/api/v2/routing/contacts/nope?expand=queuePosition", 404, NULL);
    const char *ada = st_agent(m, 1, "ada%40example.test", "ada-pass");
    snprintf(path, sizeof path, "/api/v2/me/interactions?fields=%s", longv);
    query_says(m, ada, path, 400, "fields");
    query_says(m, ada, "/api/v2/me/interactions?fields=%2A", 200, NULL);
    st_free(m);
}

/* CONS-03: the long poll is ordered, resumes from a cursor, and says 410 once events after a
 * cursor fell out of the retention window. */
static void test_CONS_03_long_poll_cursor_and_retention(void **state)
{
    struct cxm_api *m = st_new("{\"eventRetention\":3,\"clients\":[{\"clientId\":\"c\","
                               "\"clientSecret\":\"s\",\"scopes\":[\"interaction:read\"]}],"
                               "\"agents\":[{\"id\":\"a1\",\"state\":\"NOT_READY\"}],"
                               "\"queues\":[{\"id\":\"q\"}]}",
                               1);
    const char *tok = st_client(m, 0, "c", "s");
    for (int i = 0; i < 2; i++)
        st_call(m, "PUT", "/__admin/agents/a1", NULL,
                i % 2 ? "{\"state\":\"NOT_READY\"}" : "{\"state\":\"READY\"}");
    struct st_res *r = st_call(m, "GET", "/api/v2/events?after=1", tok, NULL);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->body, "events")), 1);
    assert_int_equal(json_integer_value(json_object_get(r->body, "cursor")), 2);
    r = st_call(m, "GET", "/api/v2/events?after=2&timeout=0", tok, NULL);
    assert_int_equal(json_array_size(json_object_get(r->body, "events")), 0);
    assert_int_equal(json_integer_value(json_object_get(r->body, "cursor")), 2);
    for (int i = 0; i < 4; i++) /* events 3..6; retained: 4..6 */
        st_call(m, "PUT", "/__admin/agents/a1", NULL,
                i % 2 ? "{\"state\":\"NOT_READY\"}" : "{\"state\":\"READY\"}");
    r = st_call(m, "GET", "/api/v2/events?after=2", tok, NULL);
    assert_int_equal(r->status, 410);
    assert_int_equal(json_integer_value(json_object_get(r->body, "oldest")), 4);
    r = st_call(m, "GET", "/api/v2/events?after=3", tok, NULL);
    assert_int_equal(r->status, 200);
    json_t *ev = json_object_get(r->body, "events");
    assert_int_equal(json_array_size(ev), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, i), "cursor")),
                         4 + i);
    assert_int_equal(st_call(m, "GET", "/api/v2/events?timeout=61", tok, NULL)->status, 400);
    assert_int_equal(st_call(m, "GET", "/api/v2/events?after=-1", tok, NULL)->status, 400);
    assert_int_equal(st_call(m, "GET", "/api/v2/events", NULL, NULL)->status, 401);
    st_free(m);
}

/* The scheduler runs events in (due, scheduling order), whatever the insertion order. */
static void test_SIM_01_scheduler_order(void **state)
{
    static const struct cxm_event_type plain = {"test", NULL, NULL};
    struct cxm_sched s;
    cxm_sched_init(&s);
    int64_t dues[] = {50, 10, 30, 10, 50, 0, 30, 10};
    for (int i = 0; i < 8; i++)
        cxm_sched_add(&s, dues[i], &plain, i, NULL);
    struct cxm_event ev;
    int64_t expect[][2] = {{0, 5}, {10, 1}, {10, 3}, {10, 7}, {30, 2}, {30, 6}};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(cxm_sched_pop_due(&s, 30, &ev), 1);
        assert_int_equal(ev.due, expect[i][0]);
        assert_int_equal(ev.arg, expect[i][1]);
    }
    assert_int_equal(cxm_sched_pop_due(&s, 30, &ev), 0);
    assert_int_equal(cxm_sched_next_due(&s), 50);
    cxm_sched_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_SIM_01_clock_modes),
        cmocka_unit_test(test_SIM_01_clock_bounded_and_saturating),
        cmocka_unit_test(test_SIM_01_iso_time_text),
        cmocka_unit_test(test_SIM_07_ended_interactions_forgotten_past_retention),
        cmocka_unit_test(test_SIM_07_replay_of_a_forgotten_contact),
        cmocka_unit_test(test_SIM_07_forgotten_index_pages_given_back),
        cmocka_unit_test(test_SIM_01_scheduler_order),
        cmocka_unit_test(test_SIM_02_same_seed_same_ledger),
        cmocka_unit_test(test_SIM_03_ledger),
        cmocka_unit_test(test_SIM_03_unbuilt_entry_breaks_the_ledger),
        cmocka_unit_test(test_SIM_04_invariants),
        cmocka_unit_test(test_CONS_01_consistency_delay),
        cmocka_unit_test(test_CONS_02_events),
        cmocka_unit_test(test_CONS_03_long_poll_cursor_and_retention),
        cmocka_unit_test(test_CONS_03_strict_query_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
