/* test_ledger_truth.c - the ledger cannot lie (SIM-03, issue 15), over HTTP against a real
 * `cxmock --port 0` process: a request whose bytes no ledger entry could hold is refused before
 * anything happens; a full disk turns answers into 503s and the health check red instead of
 * 2xx over a ledger with holes; a mock killed under load leaves every acknowledged request's
 * line, whole; each run in a file starts with its START line. */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>

#include "harness.h"

/* The bench tenant: no rate limits, so the loads below meet no 429. */
static const char *bench_tenant(char *buf, size_t size)
{
    const char *src = getenv("CXM_SOURCE_DIR");
    if (!src)
        fail_msg("CXM_SOURCE_DIR is not set (run under ctest)");
    snprintf(buf, size, "%s/mock/tenants/bench.json", src);
    return buf;
}

struct fx {
    struct cxh mock;
    char dir[256];
    char ledger[300];
    char tok[128];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || cxt_tmpdir(f->dir, sizeof f->dir, "cxmock-truth") < 0)
        return -1;
    f->mock.proc.pid = -1;
    f->mock.proc.out_fd = f->mock.proc.err_fd = -1;
    snprintf(f->ledger, sizeof f->ledger, "%s/ledger.jsonl", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->mock.proc.pid > 0)
        cxh_stop(&f->mock);
    cxt_rmrf(f->dir);
    free(f);
    return 0;
}

/* Start the mock on the bench tenant with its ledger in f->ledger, the args after, and fetch a
 * token. */
static void start(struct fx *f, const char *const *more)
{
    char tenant[512];
    const char *args[16] = {"--tenant", bench_tenant(tenant, sizeof tenant), "--ledger", f->ledger};
    int n = 4;
    for (; more && *more && n < 15; more++)
        args[n++] = *more;
    args[n] = NULL;
    if (cxh_start(&f->mock, args) < 0)
        fail_msg("cannot start cxmock");
    assert_int_equal(cxh_token(&f->mock.http, "bench", "bench-secret", f->tok, sizeof f->tok), 200);
}

#define CONTACT "{\"channel\":\"chat\",\"queueId\":\"q-fifo\",\"from\":\"+15550100\"}"

/* POST /api/v2/routing/contacts with X-Idempotency-Key: key (raw bytes). */
static const struct cxh_resp *inject(struct cxh_http *h, const char *tok, const char *key)
{
    char header[300];
    snprintf(header, sizeof header, "X-Idempotency-Key: %s", key);
    const char *const headers[] = {header, NULL};
    struct cxh_req rq = {.method = "POST",
                         .path = "/api/v2/routing/contacts",
                         .bearer = tok,
                         .body = CONTACT,
                         .headers = headers};
    return cxh_request(h, &rq);
}

/* The ledger file's lines: every one whole (newline-terminated) and JSON, the first a START
 * line; a torn last line (no newline: a killed write) is allowed only when torn_ok. Returns the
 * lines parsed (new reference) and sets *starts to how many START lines there are. */
static json_t *file_lines(const char *path, bool torn_ok, int *starts)
{
    size_t len;
    char *text = cxt_read_file(path, &len);
    if (!text)
        fail_msg("cannot read %s", path);
    json_t *all = json_array();
    *starts = 0;
    int lineno = 0;
    for (char *line = text, *nl; *line; line = nl + 1) {
        lineno++;
        if (!(nl = strchr(line, '\n'))) {
            if (!torn_ok)
                fail_msg("%s:%d: a torn last line: %s", path, lineno, line);
            break;
        }
        *nl = '\0';
        json_error_t e;
        json_t *v = json_loads(line, 0, &e);
        if (!v)
            fail_msg("%s:%d: not JSON (%s): %s", path, lineno, e.text, line);
        const char *type = cxh_str(v, "type");
        if (lineno == 1 && (!type || strcmp(type, "START") != 0))
            fail_msg("%s:1: not a START line: %s", path, line);
        *starts += type && strcmp(type, "START") == 0;
        json_array_append_new(all, v);
    }
    free(text);
    return all;
}

/* Fail unless the lines hold a CREATED entry for every interaction id in acked. */
static void assert_all_created(json_t *lines, json_t *acked)
{
    size_t i;
    json_t *id;
    json_array_foreach(acked, i, id)
    {
        if (!cxh_ledger_find(lines, "CREATED", json_string_value(id)))
            fail_msg("acknowledged %s (of %zu) has no CREATED line in the file",
                     json_string_value(id), json_array_size(acked));
    }
}

/* The value of a /metrics sample named exactly name (labels included), or -1. */
static double metric(struct fx *f, const char *name)
{
    const struct cxh_resp *r = cxh_call(&f->mock.http, "GET", "/metrics", NULL, NULL);
    CXH_ASSERT_STATUS(r, 200);
    size_t n = strlen(name);
    for (const char *p = r->body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            return atof(p + n + 1);
    return -1;
}

/* The number of entries at /__admin/ledger. */
static size_t entries(struct fx *f)
{
    json_t *l = cxh_ledger(&f->mock.http);
    assert_non_null(l);
    size_t n = json_array_size(l);
    json_decref(l);
    return n;
}

/* Issue 15: a value the mock would record that is not UTF-8 (a header, a path id, a query
 * value, a form field) is a 400 with a JSON body naming it, and nothing is recorded. Before,
 * X-Idempotency-Key: \xff1 was a 201 whose CREATED line had lost every field, and a GWS id
 * %FF%FE a 404 with an empty body. */
static void test_SIM_03_not_utf8_is_400_and_not_recorded(void **state)
{
    struct fx *f = *state;
    start(f, (const char *const[]){"--clock", "manual", NULL});
    struct cxh_http *h = &f->mock.http;
    size_t before = entries(f);

    const struct cxh_resp *r = inject(h, f->tok,
                                      "\xff"
                                      "1");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "bad_request");
    CXH_ASSERT_STR(r->json, "field", "X-Idempotency-Key");
    r = inject(h, f->tok, "ok-\xed\xa0\x80"); /* a surrogate */
    CXH_ASSERT_STATUS(r, 400);

    static const char *const paths[] = {
        "/api/v2/interactions/%FF%FE",     /* GWS 002 */
        "/api/v2/me/interactions/%FF%FE",  /* GWS 001, an agent's route */
        "/api/v2/routing/contacts/%C3%28", /* a bad continuation byte */
        "/api/v2/routing/contacts/abc?expand=%FF",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        r = cxh_call(h, i == 1 ? "POST" : "GET", paths[i], f->tok,
                     i == 1 ? "{\"operationName\":\"AttachUserData\",\"userData\":{}}" : NULL);
        if (r->status != 400 || !r->json || !cxh_str(r->json, "error"))
            fail_msg("%s: %ld with body '%s', expected 400 with a JSON error", paths[i], r->status,
                     r->body);
    }
    r = cxh_form(h, "/api/v2/oauth/token", NULL,
                 "grant_type=client_credentials&client_id=%FFbench&client_secret=bench-secret");
    CXH_ASSERT_STATUS(r, 400);
    CXH_ASSERT_STR(r->json, "error", "invalid_request");

    assert_int_equal(entries(f), before);   /* none of them reached the ledger */
    r = inject(h, f->tok, "caf\xc3\xa9-1"); /* UTF-8 beyond ASCII is a key like any other */
    CXH_ASSERT_STATUS(r, 201);
    json_t *l = cxh_ledger(h);
    json_t *e = cxh_ledger_find(l, "CREATED", cxh_str(r->json, "id"));
    assert_non_null(e);
    CXH_ASSERT_STR(e, "queueId", "q-fifo");
    json_decref(l);
}

/* --ledger on a device that takes nothing: the mock does not start (exit 1, saying why),
 * rather than answer 2xx over a ledger it cannot write. --ledger-fsync takes three words. */
static void test_SIM_03_ledger_that_cannot_be_written_does_not_start(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    const char *const full[] = {"--port", "0", "--ledger", "/dev/full", NULL};
    assert_int_equal(cxh_run(full, 30000, &out, &err), 1);
    assert_non_null(strstr(err, "/dev/full"));
    assert_non_null(strstr(err, "No space left on device"));
    free(out);
    free(err);
    const char *const bad[] = {"--port", "0", "--ledger-fsync", "sometimes", NULL};
    assert_int_equal(cxh_run(bad, 30000, &out, &err), 1);
    assert_non_null(strstr(err, "--ledger-fsync: expected always, interval or never"));
    free(out);
    free(err);
}

/* The disk fills mid-run (a file size limit on the mock: writes past it fail with EFBIG): the
 * request whose line could not be written is a 503, not a 201; every request after it is a 503
 * before anything is applied; /__admin/health is 503 with the reason; /metrics counts it; the
 * file holds whole lines only, one for every acknowledged request. Before, every injection was
 * a 201 over a file with holes and the health check said ok. */
static void test_SIM_03_disk_full_fails_requests_not_the_ledger(void **state)
{
    struct fx *f = *state;
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 48 * 1024;
    void (*old_xfsz)(int) = signal(SIGXFSZ, SIG_IGN); /* the mock inherits both */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char tenant[512];
    const char *const args[] = {"--tenant",
                                bench_tenant(tenant, sizeof tenant),
                                "--ledger",
                                f->ledger,
                                "--clock",
                                "manual",
                                "--ledger-fsync",
                                "always",
                                NULL};
    int started = cxh_start(&f->mock, args);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_xfsz);
    if (started < 0)
        fail_msg("cannot start cxmock");
    struct cxh_http *h = &f->mock.http;
    assert_int_equal(cxh_token(h, "bench", "bench-secret", f->tok, sizeof f->tok), 200);

    json_t *acked = json_array();
    const struct cxh_resp *r = NULL;
    for (int i = 0; i < 5000; i++) {
        char key[32];
        snprintf(key, sizeof key, "k-%d", i);
        r = inject(h, f->tok, key);
        if (r->status != 201)
            break;
        json_array_append_new(acked, json_string(cxh_str(r->json, "id")));
    }
    assert_true(json_array_size(acked) > 10);
    CXH_ASSERT_STATUS(r, 503); /* the one whose line hit the limit */
    CXH_ASSERT_STR(r->json, "error", "ledger_unavailable");
    r = inject(h, f->tok, "after-the-disk-filled");
    CXH_ASSERT_STATUS(r, 503);
    CXH_ASSERT_STR(r->json, "error", "ledger_unavailable");
    r = cxh_call(h, "GET", "/__admin/health", NULL, NULL);
    CXH_ASSERT_STATUS(r, 503);
    CXH_ASSERT_STR(r->json, "status", "unhealthy");
    assert_non_null(strstr(cxh_str(r->json, "reason"), "ledger write failed"));
    assert_true(metric(f, "cxmock_ledger_failures_total{kind=\"write\"}") >= 1);
    assert_true(metric(f, "cxmock_ledger_broken") == 1);
    assert_true(metric(f, "cxmock_requests_total{route=\"POST /api/v2/routing/contacts\","
                          "status=\"503\"}") >= 2);

    int starts;
    json_t *lines = file_lines(f->ledger, false, &starts);
    assert_int_equal(starts, 1);
    assert_all_created(lines, acked);
    json_decref(lines);
    json_decref(acked);
}

/* Load for the kill test: injections on a connection of its own, each acknowledged id kept. */
struct loader {
    int port;
    const char *tok;
    int n;
    pthread_mutex_t *lock;
    json_t *acked; /* under lock */
    int stop;      /* atomic */
};

static void *load(void *arg)
{
    struct loader *w = arg;
    struct cxh_http h;
    if (cxh_http_open(&h, w->port) < 0)
        return NULL;
    for (int i = 0; !__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE); i++) {
        char key[48];
        snprintf(key, sizeof key, "w%d-%d", w->n, i);
        const struct cxh_resp *r = inject(&h, w->tok, key);
        if (r->status == 0)
            break; /* the mock is gone */
        if (r->status == 201) {
            pthread_mutex_lock(w->lock);
            json_array_append_new(w->acked, json_string(cxh_str(r->json, "id")));
            pthread_mutex_unlock(w->lock);
        }
    }
    cxh_http_close(&h);
    return NULL;
}

struct acked_at_least {
    pthread_mutex_t *lock;
    json_t *acked;
    size_t n;
};

static int enough_acked(void *arg)
{
    struct acked_at_least *a = arg;
    pthread_mutex_lock(a->lock);
    int enough = json_array_size(a->acked) >= a->n;
    pthread_mutex_unlock(a->lock);
    return enough;
}

#define LOADERS 4

/* SIGKILL under load (4 connections injecting): every request acknowledged before the kill has
 * its CREATED line in the file, and every line but a torn last one (a write the kill cut, never
 * acknowledged) is whole JSON; a mock restarted on the file cuts the torn line off, so the file
 * is all whole lines with two START lines. */
static void test_SIM_03_sigkill_under_load_every_acknowledged_line(void **state)
{
    struct fx *f = *state;
    start(f, NULL);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    json_t *acked = json_array();
    struct loader w[LOADERS];
    pthread_t t[LOADERS];
    for (int i = 0; i < LOADERS; i++) {
        w[i] = (struct loader){f->mock.port, f->tok, i, &lock, acked, 0};
        assert_int_equal(pthread_create(&t[i], NULL, load, &w[i]), 0);
    }
    struct acked_at_least cond = {&lock, acked, 400};
    int enough = cxt_wait_for(enough_acked, &cond, 60000);
    assert_int_equal(cxh_kill(&f->mock), 128 + 9); /* under load: the loaders are mid-request */
    for (int i = 0; i < LOADERS; i++) {
        __atomic_store_n(&w[i].stop, 1, __ATOMIC_RELEASE);
        pthread_join(t[i], NULL);
    }
    assert_int_equal(enough, 1);
    int starts; /* every 201 a loader read was acknowledged: each must have its line */
    json_t *lines = file_lines(f->ledger, true, &starts);
    assert_int_equal(starts, 1);
    assert_all_created(lines, acked);
    json_decref(lines);

    start(f, NULL); /* the same file: a torn tail is cut off, a second START follows */
    assert_int_equal(cxh_stop(&f->mock), 0);
    lines = file_lines(f->ledger, false, &starts);
    assert_int_equal(starts, 2);
    assert_all_created(lines, acked);
    json_decref(lines);
    json_decref(acked);
}

int main(void)
{
    cxh_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_SIM_03_not_utf8_is_400_and_not_recorded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_SIM_03_ledger_that_cannot_be_written_does_not_start,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_SIM_03_disk_full_fails_requests_not_the_ledger, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_SIM_03_sigkill_under_load_every_acknowledged_line,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
