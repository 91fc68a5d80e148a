/* target.c - see target.h */
#include "target.h"

#include <arpa/inet.h>
#include <errno.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cxmock.h"

/* Whether URL's host is this machine: localhost, the IPv6 loopback (or an IPv4-mapped
 * 127.x), or an IPv4 address in 127.0.0.0/8 (the whole host, not a prefix: "127.example.com"
 * and "localhost.example.com" are not). */
int target_is_loopback(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t end = strcspn(h, "/?#");
    const char *at = memchr(h, '@', end); /* user:password@host */
    if (at) {
        end -= (size_t)(at + 1 - h);
        h = at + 1;
    }
    char host[256];
    size_t len = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/?#");
    if (len > end || len >= sizeof host)
        return 0;
    memcpy(host, h, len);
    host[len] = '\0';
    if (len > 1 && host[len - 1] == '.') /* "localhost." is the same host */
        host[--len] = '\0';
    if (strcasecmp(host, "localhost") == 0)
        return 1;
    struct in6_addr a6;
    if (host[0] == '[' && host[len - 1] == ']') {
        host[len - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &a6) != 1)
            return 0;
        if (IN6_IS_ADDR_LOOPBACK(&a6))
            return 1;
        return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
    }
    struct in_addr a; /* inet_aton: also "127.1" */
    return inet_aton(host, &a) != 0 && (ntohl(a.s_addr) >> 24) == 127;
}

/* Does anything answer at TARGET? 0 yes (any HTTP status), -1 no, with curl's reason. */
static int reachable(const char *target, struct cx_error *err)
{
    CURL *e = curl_easy_init();
    if (!e)
        return cx_error_set(err, "cannot start libcurl");
    char url[2048];
    snprintf(url, sizeof url, "%s/", target);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(e);
    curl_easy_cleanup(e);
    if (cc == CURLE_OK)
        return 0;
    cx_error_set(err, "%s: %s", target, curl_easy_strerror(cc));
    return -1;
}

/* GET TARGET PATH: the body of a 200 (malloc'd, NUL-terminated, its length in *LEN), or NULL. */
static char *get_200(const struct target *t, const char *path, size_t *len)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    char *data = NULL, url[2048];
    snprintf(url, sizeof url, "%s%s", t->url, path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (t->loopback)
        curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, (curl_write_callback)NULL);
    FILE *mem = open_memstream(&data, len);
    if (!mem) {
        curl_easy_cleanup(e);
        return NULL;
    }
    curl_easy_setopt(e, CURLOPT_WRITEDATA, mem);
    CURLcode cc = curl_easy_perform(e);
    long code = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(e);
    fclose(mem);
    if (cc == CURLE_OK && code == 200 && data)
        return data;
    free(data);
    return NULL;
}

/* An outside target: loopback, or with a rate cap and a real clock. */
static int outside(struct target *t, const char *url, const struct scenario *scn,
                   struct cx_error *err)
{
    snprintf(t->url, sizeof t->url, "%s", url);
    size_t tl = strlen(t->url);
    while (tl > 0 && t->url[tl - 1] == '/')
        t->url[--tl] = '\0';
    if (!target_is_loopback(t->url) && !(scn->policy.rate_cap > 0)) {
        cx_error_set(err,
                     "%s is not a loopback address: give a client-side rate cap (policy.rateCap "
                     "in the scenario or --rate-cap) so a real tenant is never hammered",
                     t->url);
        return -1;
    }
    if (!target_is_loopback(t->url) && scn->clock && strcmp(scn->clock, "real") != 0) {
        cx_error_set(
            err,
            "%s: the scenario's clock \"%s\" is a mock's (a tenant's clock is real: its "
            "think times, rates and deadlines would run on the wrong time); run it against "
            "the embedded mock, or make it \"real\"",
            t->url, scn->clock);
        return -1;
    }
    return 0;
}

/* The embedded mock: the scenario's tenant and clock, the plan's seed, a free loopback port, a
 * worker thread for each connection the run may open and TARGET_SPARE_WORKERS more (civetweb
 * holds a worker per kept-alive connection); its ledger written to OUT/ledger.jsonl (a fresh
 * file: the run's own ground truth). */
static int embedded(struct target *t, const struct run_opts *o, const struct plan *p,
                    struct cx_error *err)
{
    const char *out = o->out;
    struct cxm_options mo;
    cxm_options_default(&mo);
    mo.port = 0;
    char ledger[4096];
    snprintf(ledger, sizeof ledger, "%s/ledger.jsonl", out);
    if (unlink(ledger) < 0 && errno != ENOENT)
        return cx_error_at(err, ledger, -1, -1, "", "%s", strerror(errno));
    mo.ledger_path = ledger;
    mo.seed = p->seed;
    mo.tenant_path = p->scn->tenant;
    mo.clock = p->scn->clock ? p->scn->clock : "real";
    mo.client_time = /* what this run's retries and token refreshes assume */
        p->scn->client_time == SCN_TIME_MOCK ? "mock" : "wall";
    mo.threads = plan_connections(o, p) + TARGET_SPARE_WORKERS;
    if (cxm_create(&mo, &t->mock, err) < 0 || cxm_start(t->mock, err) < 0)
        return -1;
    snprintf(t->url, sizeof t->url, "http://127.0.0.1:%d", cxm_port(t->mock));
    return 0;
}

int target_open(struct target *t, const struct run_opts *o, const struct plan *p,
                struct cx_error *err)
{
    memset(t, 0, sizeof *t);
    if (o->target ? outside(t, o->target, p->scn, err) < 0 : embedded(t, o, p, err) < 0)
        return EXIT_USAGE;
    t->loopback = target_is_loopback(t->url);
    if (reachable(t->url, err) < 0)
        return EXIT_UNREACHABLE;
    return EXIT_HELD;
}

json_t *target_mock_verdict(const struct target *t)
{
    size_t len = 0;
    char *data = get_200(t, "/__admin/violations", &len);
    json_t *j = data ? json_loadb(data, len, 0, NULL) : NULL;
    free(data);
    return j;
}

/* The value of the Prometheus sample NAME (no labels) in TEXT, into *out. 0, or -1 if absent. */
static int sample(const char *text, const char *name, long *out)
{
    size_t n = strlen(name);
    for (const char *p = text; p;) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            char *end;
            double v = strtod(p + n + 1, &end);
            if (end == p + n + 1)
                return -1;
            *out = (long)v;
            return 0;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

int target_mock_workers(const struct target *t, struct target_workers *w)
{
    size_t len = 0;
    char *text = get_200(t, "/metrics", &len);
    int rc = text && sample(text, "cxmock_workers", &w->workers) == 0 &&
                     sample(text, "cxmock_workers_saturated_total", &w->saturated) == 0
                 ? 0
                 : -1;
    free(text);
    return rc;
}

void target_close(struct target *t)
{
    cxm_destroy(t->mock);
    t->mock = NULL;
}
