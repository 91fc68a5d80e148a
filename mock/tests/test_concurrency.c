/* test_concurrency.c - the mock under real concurrency, in process (cxm_start), for TSan.
 *
 * ACC-05 under a true race: for each of ROUNDS interactions two threads, released together
 * by a barrier, accept it as two different agents over HTTP; both must get 200 naming the same
 * owner, and the applied state must be that owner. Meanwhile a third thread long-polls the
 * event stream (CONS-03) and must see cursors strictly increasing with no gap, every event
 * once (it drains the stream after the last round). Runs on a
 * scaled clock (scaled:20) so consistency delays and timers fire on the timer thread. Waits are
 * on conditions with deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cxmock.h"
#include "cxtest.h"

#define ROUNDS 40

struct http {
    CURL *curl;
    char base[64];
    char body[65536];
    size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    struct http *h = ud;
    size_t k = size * n;
    if (h->len + k >= sizeof h->body)
        k = sizeof h->body - h->len - 1;
    memcpy(h->body + h->len, p, k);
    h->len += k;
    h->body[h->len] = '\0';
    return size * n;
}

/* One request; returns the status and leaves the body parsed in *out (may be NULL). */
static long request(struct http *h, const char *method, const char *path, const char *bearer,
                    const char *body, json_t **out)
{
    char url[512], auth[128];
    snprintf(url, sizeof url, "%s%s", h->base, path);
    struct curl_slist *hd = curl_slist_append(
        NULL, strstr(path, "/oauth/") ? "Content-Type: application/x-www-form-urlencoded"
                                      : "Content-Type: application/json");
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        hd = curl_slist_append(hd, auth);
    }
    h->len = 0;
    h->body[0] = '\0';
    curl_easy_setopt(h->curl, CURLOPT_URL, url);
    curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
    if (!body)
        curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, 30L);
    long status = 0;
    if (curl_easy_perform(h->curl) == CURLE_OK)
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    if (out)
        *out = json_loads(h->body, 0, NULL);
    return status;
}

static void http_init(struct http *h, int port)
{
    memset(h, 0, sizeof *h);
    h->curl = curl_easy_init();
    snprintf(h->base, sizeof h->base, "http://127.0.0.1:%d", port);
}

/* A client-credentials token of cx-integration into out. */
static void fetch_token(struct http *h, char *out, size_t size)
{
    json_t *v = NULL;
    assert_int_equal(request(h, "POST", "/oauth/token", NULL,
                             "grant_type=client_credentials&client_id=cx-integration&client_"
                             "secret=cx-integration-secret",
                             &v),
                     200);
    snprintf(out, size, "%s", json_string_value(json_object_get(v, "access_token")));
    json_decref(v);
}

struct shared {
    int port;
    char token[64];
    pthread_barrier_t start, done;
    char id[ROUNDS][40];
    char owner_seen[2][ROUNDS][32];
    long status_seen[2][ROUNDS];
    int stop_polling;
    pthread_mutex_t stop_lock;
    uint64_t polled_events, poll_gaps;
};

struct racer {
    struct shared *sh;
    int who; /* 0: agent-voice-1, 1: agent-voice-2 */
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct http h;
    http_init(&h, r->sh->port);
    char path[128], body[64];
    snprintf(body, sizeof body, "{\"agentId\":\"agent-voice-%d\"}", r->who + 1);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_barrier_wait(&r->sh->start); /* the main thread created id[i] */
        snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", r->sh->id[i]);
        json_t *v = NULL;
        r->sh->status_seen[r->who][i] = request(&h, "POST", path, r->sh->token, body, &v);
        const char *owner = json_string_value(json_object_get(v, "agentId"));
        snprintf(r->sh->owner_seen[r->who][i], 32, "%s", owner ? owner : "");
        json_decref(v);
        pthread_barrier_wait(&r->sh->done);
    }
    curl_easy_cleanup(h.curl);
    return NULL;
}

static void *poll_events(void *arg)
{
    struct shared *sh = arg;
    struct http h;
    http_init(&h, sh->port);
    uint64_t cursor = 0;
    for (;;) {
        pthread_mutex_lock(&sh->stop_lock);
        int stop = sh->stop_polling;
        pthread_mutex_unlock(&sh->stop_lock);
        char path[96];
        snprintf(path, sizeof path, "/api/v2/events?after=%llu&timeout=%d",
                 (unsigned long long)cursor, stop ? 0 : 1);
        json_t *v = NULL;
        size_t got = 0;
        if (request(&h, "GET", path, sh->token, NULL, &v) == 200) {
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(v, "events"), i, e)
            {
                uint64_t c = (uint64_t)json_integer_value(json_object_get(e, "cursor"));
                if (c != cursor + 1)
                    sh->poll_gaps++;
                cursor = c;
                sh->polled_events++;
                got++;
            }
        }
        json_decref(v);
        if (stop && got == 0) /* asked to stop, and drained to the end */
            break;
    }
    curl_easy_cleanup(h.curl);
    return NULL;
}

static void test_ACC_05_concurrent_dual_accept_first_wins(void **state)
{
    struct cxm_options o;
    cxm_options_default(&o);
    o.port = 0;
    o.clock = "scaled:20";
    o.threads = 16;
    struct cxm *m;
    struct cx_error err;
    assert_int_equal(cxm_create(&o, &m, &err), 0);
    assert_int_equal(cxm_start(m, &err), 0);

    struct shared sh;
    memset(&sh, 0, sizeof sh);
    sh.port = cxm_port(m);
    pthread_barrier_init(&sh.start, NULL, 3);
    pthread_barrier_init(&sh.done, NULL, 3);
    pthread_mutex_init(&sh.stop_lock, NULL);
    struct http h;
    http_init(&h, sh.port);
    json_t *v = NULL;
    fetch_token(&h, sh.token, sizeof sh.token);

    pthread_t racers[2], poller;
    struct racer rs[2] = {{&sh, 0}, {&sh, 1}};
    pthread_create(&poller, NULL, poll_events, &sh);
    for (int i = 0; i < 2; i++)
        pthread_create(&racers[i], NULL, race, &rs[i]);

    int wins[2] = {0, 0};
    for (int i = 0; i < ROUNDS; i++) {
        assert_int_equal(request(&h, "POST", "/__admin/interactions", NULL,
                                 "{\"channel\":\"voice\",\"queueId\":\"q-fifo\"}", &v),
                         201);
        snprintf(sh.id[i], sizeof sh.id[i], "%s", json_string_value(json_object_get(v, "id")));
        json_decref(v);
        pthread_barrier_wait(&sh.start);
        pthread_barrier_wait(&sh.done);
        assert_int_equal(sh.status_seen[0][i], 200);
        assert_int_equal(sh.status_seen[1][i], 200);
        assert_string_equal(sh.owner_seen[0][i], sh.owner_seen[1][i]); /* one owner for both */
        wins[strcmp(sh.owner_seen[0][i], "agent-voice-1") == 0 ? 0 : 1]++;

        /* Wait (deadline 10 s, scaled) until the accept is applied, then the customer hangs up. */
        char path[128];
        snprintf(path, sizeof path, "/api/v2/interactions/%s", sh.id[i]);
        int64_t deadline = cxt_now_ms() + cxt_scaled_ms(10000);
        const char *st = "";
        char owner[32] = "";
        while (cxt_now_ms() < deadline) {
            assert_int_equal(request(&h, "GET", path, sh.token, NULL, &v), 200);
            st = json_string_value(json_object_get(v, "state"));
            if (st && strcmp(st, "Active") == 0) {
                snprintf(owner, sizeof owner, "%s",
                         json_string_value(json_object_get(v, "agentId")));
                json_decref(v);
                break;
            }
            json_decref(v);
            struct timespec pause = {0, 2000000};
            nanosleep(&pause, NULL);
        }
        assert_string_equal(owner, sh.owner_seen[0][i]);
        snprintf(path, sizeof path, "/__admin/interactions/%s/end", sh.id[i]);
        assert_int_equal(request(&h, "POST", path, NULL, "{}", NULL), 200);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(racers[i], NULL);
    pthread_mutex_lock(&sh.stop_lock);
    sh.stop_polling = 1;
    pthread_mutex_unlock(&sh.stop_lock);
    pthread_join(poller, NULL);

    assert_int_equal(request(&h, "GET", "/__admin/violations", NULL, NULL, &v), 200);
    json_t *dual = json_object_get(json_object_get(v, "checks"), "DUAL_ATTACH");
    assert_int_equal(json_integer_value(json_object_get(dual, "count")), 0);
    json_decref(v);
    assert_int_equal(sh.poll_gaps, 0);
    assert_true(sh.polled_events >= 3 * ROUNDS); /* Ringing, Active, Ended per round */
    printf("# %d rounds: agent-voice-1 won %d, agent-voice-2 won %d; %llu events polled\n", ROUNDS,
           wins[0], wins[1], (unsigned long long)sh.polled_events);
    curl_easy_cleanup(h.curl);
    cxm_destroy(m);
    pthread_barrier_destroy(&sh.start);
    pthread_barrier_destroy(&sh.done);
}

/* SIM-03 with the group commit (ledger.h): WRITERS threads inject contacts at once; when an
 * injection's 201 arrives, its CREATED line is already in the --ledger file, whole, however
 * the concurrent requests shared their writes. At the end the file equals /__admin/ledger. */
#define WRITERS    4
#define INJECTIONS 20 /* 80 in all: under the default tenant's 120/min per client */

struct writer {
    int port;
    const char *token, *path;
    int missing, created;
};

static void *inject_and_check(void *arg)
{
    struct writer *w = arg;
    struct http h;
    http_init(&h, w->port);
    for (int i = 0; i < INJECTIONS; i++) {
        json_t *v = NULL;
        if (request(&h, "POST", "/api/v2/routing/contacts", w->token,
                    "{\"channel\":\"chat\",\"queueId\":\"q-priority\"}", &v) == 201) {
            w->created++;
            const char *needle = "\"type\":\"CREATED\",";
            char id[64];
            snprintf(id, sizeof id, "\"interactionId\":\"%s\"",
                     json_string_value(json_object_get(v, "id")));
            size_t len;
            char *text = cxt_read_file(w->path, &len);
            int found = 0;
            for (char *line = text, *nl; line && *line; line = nl + 1) {
                if (!(nl = strchr(line, '\n')))
                    break; /* a partial last line: not found */
                *nl = '\0';
                found |= strstr(line, needle) && strstr(line, id);
            }
            w->missing += !found;
            free(text);
        }
        json_decref(v);
    }
    curl_easy_cleanup(h.curl);
    return NULL;
}

static void test_SIM_03_group_commit_written_before_answered(void **state)
{
    (void)state;
    char dir[256], path[300];
    assert_int_equal(cxt_tmpdir(dir, sizeof dir, "cxmock-gc"), 0);
    snprintf(path, sizeof path, "%s/ledger.jsonl", dir);
    struct cxm_options o;
    cxm_options_default(&o);
    o.port = 0;
    o.threads = 16;
    o.ledger_path = path;
    struct cxm *m;
    struct cx_error err;
    assert_int_equal(cxm_create(&o, &m, &err), 0);
    assert_int_equal(cxm_start(m, &err), 0);
    struct http h;
    http_init(&h, cxm_port(m));
    json_t *v = NULL;
    char token[64];
    fetch_token(&h, token, sizeof token);
    pthread_t t[WRITERS];
    struct writer w[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){cxm_port(m), token, path, 0, 0};
        pthread_create(&t[i], NULL, inject_and_check, &w[i]);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].created, INJECTIONS);
        assert_int_equal(w[i].missing, 0);
    }
    assert_int_equal(request(&h, "GET", "/__admin/ledger?limit=100000", NULL, NULL, &v), 200);
    size_t len;
    char *text = cxt_read_file(path, &len);
    size_t lines = 0, i;
    json_t *e;
    char *line = text;
    assert_int_equal(strncmp(line, "{\"seq\":0,", 9), 0); /* the START line, then the entries */
    assert_non_null(strstr(line, "\"type\":\"START\""));
    line = strchr(line, '\n') + 1;
    json_array_foreach(json_object_get(v, "entries"), i, e)
    {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        json_t *f = json_loads(line, 0, NULL);
        assert_true(json_equal(f, e));
        json_decref(f);
        line = nl + 1;
        lines++;
    }
    assert_true(lines >= WRITERS * INJECTIONS);
    assert_string_equal(line, ""); /* nothing after the entries the admin API knows */
    free(text);
    json_decref(v);
    curl_easy_cleanup(h.curl);
    cxm_destroy(m);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ACC_05_concurrent_dual_accept_first_wins),
        cmocka_unit_test(test_SIM_03_group_commit_written_before_answered),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
