/* dispatch.c - the mock's request path with no sockets, for profiling and for ci/bench-mock's
 * "work under the lock" line: N unique-key injections into q-fifo of a tenant fixture, each
 * through cxm_api_dispatch exactly as the HTTP layer calls it, on one thread: N without a key,
 * then N with a unique X-Idempotency-Key each. Prints the microseconds per request spent
 * holding the mock's lock (the part no number of worker threads can overlap), the longest
 * single request (a stall there, a rehash say, holds every other request up), the mock's
 * bytes per contact and, from the difference, per stored key.
 *
 *     cxmock-dispatch TENANT.json [N] [LEDGER.jsonl]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "api.h"
#include "bigalloc.h"

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static int call(struct cxm_api *a, struct cxm_req *rq, char **token)
{
    struct cxm_resp rs;
    cxm_api_dispatch(a, rq, &rs);
    if (token) {
        json_t *o = rs.raw ? json_loads(rs.raw, 0, NULL) : json_incref(rs.json);
        const char *t = json_string_value(json_object_get(o, "access_token"));
        if (t && (*token = malloc(strlen(t) + 8)))
            sprintf(*token, "Bearer %s", t);
        json_decref(o);
    }
    int status = rs.status;
    cxm_resp_free(&rs);
    return status;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The longest request yet, and how many contacts the mock held when it came. */
static double longest_s;
static long longest_at;

/* n injections into q-fifo, each with a unique X-Idempotency-Key (prefix key) or none. */
static long inject_n(struct cxm_api *a, const char *bearer, long n, const char *key, long before)
{
    const char *body = "{\"channel\":\"voice\",\"queueId\":\"q-fifo\","
                       "\"attributes\":{\"string:externalSource\":\"bench\"}}";
    long created = 0;
    for (long i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "%s-%ld", key ? key : "", i);
        struct cxm_req rq = {.method = "POST",
                             .path = "/api/v2/routing/contacts",
                             .authorization = bearer,
                             .content_type = "application/json",
                             .x_idempotency_key = key ? k : NULL,
                             .body = body,
                             .body_len = strlen(body),
                             .loopback = true};
        double t0 = now();
        created += call(a, &rq, NULL) == 201;
        double took = now() - t0;
        if (took > longest_s) {
            longest_s = took;
            longest_at = before + i;
        }
    }
    return created;
}

int main(int argc, char **argv)
{
    if (!getenv("CX_DEFAULT_MALLOC"))
        cx_bigalloc_setup(); /* as cxmock does; CX_DEFAULT_MALLOC=1 to compare */
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: cxmock-dispatch TENANT.json [N] [LEDGER.jsonl]\n");
        return argc < 2;
    }
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 200000;
    struct cx_error err = {0};
    struct cxm_tenant *t;
    struct cxm_api a;
    struct cxm_api_options o = {NULL, 1};
    struct cxm_ledger_options lo = {argc > 3 ? argv[3] : NULL, CXM_LEDGER_FSYNC_INTERVAL};
    if (cxm_tenant_load_file(argv[1], &t, &err) < 0 ||
        cxm_api_init(&a, &o, t, 1, "real", &lo, &err) < 0) {
        fprintf(stderr, "cxmock-dispatch: %s\n", err.text);
        return 1;
    }
    const char *form = "grant_type=client_credentials&client_id=bench&client_secret=bench-secret";
    struct cxm_req tr = {.method = "POST",
                         .path = "/oauth/token",
                         .body = form,
                         .body_len = strlen(form),
                         .loopback = true,
                         .content_type = "application/x-www-form-urlencoded"};
    char *bearer = NULL;
    if (call(&a, &tr, &bearer) != 200 || !bearer) {
        fprintf(stderr, "cxmock-dispatch: no token (the fixture needs client bench)\n");
        return 1;
    }
    long rss0 = rss_kb();
    double held0 = a.metrics.lock_held_s;
    long bare = inject_n(&a, bearer, n, NULL, 0);
    long rss1 = rss_kb();
    double held1 = a.metrics.lock_held_s;
    long keyed = inject_n(&a, bearer, n, "k", n);
    long rss2 = rss_kb();
    printf("%ld injections without a key: %.2f us held per request, %ld bytes per contact\n", n,
           (held1 - held0) / (double)n * 1e6, bare ? (rss1 - rss0) * 1024 / bare : 0);
    printf("%ld injections with a unique key: %.2f us held per request, %ld bytes per contact, "
           "%ld of them the key's\n",
           n, (a.metrics.lock_held_s - held1) / (double)n * 1e6,
           keyed ? (rss2 - rss1) * 1024 / keyed : 0,
           keyed && bare ? (rss2 - rss1) * 1024 / keyed - (rss1 - rss0) * 1024 / bare : 0);
    printf("longest request: %.2f ms, with %ld contacts in the mock\n", longest_s * 1e3,
           longest_at);
    free(bearer);
    cxm_api_free(&a);
    cxm_tenant_free(t);
    return bare == n && keyed == n ? 0 : 1;
}
