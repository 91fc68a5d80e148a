/* run.c - one `cxload run` from scenario to exit code (see run.h). */
#include "run.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "cxmock.h"
#include "hlog.h"
#include "loop.h"
#include "report.h"
#include "scenario.h"
#include "thresholds.h"
#include "worker.h"

extern char **environ;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* ---- set-up ------------------------------------------------------------------------------ */

/* The environment, then KEY=VALUE lines of FILE (# comments) over it. NULL with a message. */
static json_t *load_env(const char *file, char *err, size_t errsz)
{
    json_t *env = json_object();
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        char name[256];
        size_t n = (size_t)(eq - *e);
        if (n >= sizeof name)
            continue;
        memcpy(name, *e, n);
        name[n] = '\0';
        json_object_set_new(env, name, json_string(eq + 1));
    }
    if (!file)
        return env;
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(err, errsz, "%s: %s", file, strerror(errno));
        json_decref(env);
        return NULL;
    }
    char line[8192];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        if (strncmp(p, "export ", 7) == 0)
            p += 7;
        char *eq = strchr(p, '=');
        if (!eq || eq == p) {
            /* never echo the line: it may hold a secret */
            snprintf(err, errsz, "%s:%d:1: expected NAME=VALUE", file, lineno);
            fclose(f);
            json_decref(env);
            return NULL;
        }
        *eq = '\0';
        char *val = eq + 1;
        size_t vl = strlen(val);
        if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
            val[vl - 1] = '\0';
            val++;
        }
        json_object_set_new(env, p, json_string(val));
        memset(line, 0, sizeof line);
    }
    fclose(f);
    return env;
}

/* Whether URL's host is this machine: localhost, the IPv6 loopback (or an IPv4-mapped
 * 127.x), or an IPv4 address in 127.0.0.0/8 (the whole host, not a prefix: "127.example.com"
 * and "localhost.example.com" are not). */
static int is_loopback_url(const char *url)
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
static int reachable(const char *target, char *err, size_t errsz)
{
    CURL *e = curl_easy_init();
    if (!e)
        return snprintf(err, errsz, "cannot start libcurl"), -1;
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
    snprintf(err, errsz, "%s: %s", target, curl_easy_strerror(cc));
    return -1;
}

/* GET TARGET/__admin/violations, or NULL. */
static json_t *fetch_ledger(const char *target)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    char *data = NULL, url[2048];
    size_t len = 0;
    snprintf(url, sizeof url, "%s/__admin/violations", target);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, (curl_write_callback)NULL);
    FILE *mem = open_memstream(&data, &len);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, mem);
    CURLcode cc = curl_easy_perform(e);
    long code = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(e);
    fclose(mem);
    json_t *j = cc == CURLE_OK && code == 200 && data ? json_loadb(data, len, 0, NULL) : NULL;
    free(data);
    return j;
}

/* ---- summary ----------------------------------------------------------------------------- */

static json_t *hist_stats(const struct cx_hist *lat, const struct cx_hist *raw, int64_t requests,
                          int64_t failed)
{
    json_t *o = json_pack(
        "{sI sI sf sf sf sf sf sf sf}", "count", (json_int_t)requests, "failed", (json_int_t)failed,
        "min", cx_hist_min(lat) / 1000.0, "p50", cx_hist_percentile(lat, 50) / 1000.0, "p90",
        cx_hist_percentile(lat, 90) / 1000.0, "p99", cx_hist_percentile(lat, 99) / 1000.0, "p99.9",
        cx_hist_percentile(lat, 99.9) / 1000.0, "max", cx_hist_max(lat) / 1000.0, "mean",
        cx_hist_mean(lat) / 1000.0);
    json_object_set_new(o, "uncorrected",
                        json_pack("{sf sf sf}", "p50", cx_hist_percentile(raw, 50) / 1000.0, "p99",
                                  cx_hist_percentile(raw, 99) / 1000.0, "max",
                                  cx_hist_max(raw) / 1000.0));
    return o;
}

static const char *const metric_names[] = {"latency", "violations", "errors", "offered",
                                           "requests"};
static const char *const cmp_names[] = {"<", "<=", ">", ">=", "==", "!="};

struct totals {
    const struct scenario *scn;
    struct stats *all;
    struct cx_hist *lat_all, *raw_all;
};

static const struct cx_hist *hist_for(void *ctx, const char *tag)
{
    struct totals *t = ctx;
    if (!tag[0])
        return t->lat_all;
    int i = scn_tag_index(t->scn, tag);
    return i < 0 ? NULL : t->all->tags[i].lat;
}

static json_t *build_summary(const struct run_opts *o, const struct scenario *scn,
                             const struct run_shared *rs, struct totals *t, double wall_s,
                             time_t started)
{
    const struct stats *s = t->all;
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&started));
    json_t *sum =
        json_pack("{ss ss ss sI si ss ss sf sf}", "scenario", scn->name, "file", scn->path,
                  "target", o->target ? o->target : "embedded cxmock", "seed", (json_int_t)rs->seed,
                  "threads", rs->nthreads, "clock", scn->clock ? scn->clock : "real", "startedAt",
                  when, "wallSeconds", wall_s, "simSeconds", wall_s * rs->tscale);
    if (scn->description)
        json_object_set_new(sum, "description", json_string(scn->description));
    if (rs->nshards > 1) {
        char sh[32];
        snprintf(sh, sizeof sh, "%d/%d", rs->shard, rs->nshards);
        json_object_set_new(sum, "shard", json_string(sh));
    }
    int64_t ok = s->requests - s->failed - s->indeterminate;
    json_object_set_new(
        sum, "requests",
        json_pack("{sI sI sI sI sI sI sI sf sf sI sI sI}", "count", (json_int_t)s->requests, "ok",
                  (json_int_t)ok, "failed", (json_int_t)s->failed, "indeterminate",
                  (json_int_t)s->indeterminate, "timeouts", (json_int_t)s->timeouts,
                  "transportErrors", (json_int_t)s->transport_errors, "retries",
                  (json_int_t)s->retries, "ratePerS", wall_s > 0 ? s->requests / wall_s : 0.0,
                  "ratePerSimS", wall_s > 0 ? s->requests / (wall_s * rs->tscale) : 0.0,
                  "throttled", (json_int_t)s->throttled, "tokenFetches",
                  (json_int_t)s->token_fetches, "reauth401", (json_int_t)s->reauth_401));
    json_t *st = json_object();
    for (int i = 0; i < STATS_MAX_STATUS; i++)
        if (s->status[i]) {
            char k[8];
            snprintf(k, sizeof k, "%d", i);
            json_object_set_new(st, k, json_integer(s->status[i]));
        }
    json_object_set_new(sum, "status", st);
    json_object_set_new(sum, "iterations",
                        json_pack("{sI sI sI sI sI}", "offered", (json_int_t)s->offered, "started",
                                  (json_int_t)s->started, "dropped", (json_int_t)s->dropped, "late",
                                  (json_int_t)s->late, "completed", (json_int_t)s->iterations));
    json_t *tags = json_object();
    for (size_t i = 0; i < scn->ntags; i++)
        if (s->tags[i].requests)
            json_object_set_new(
                tags, scn->tags[i],
                hist_stats(s->tags[i].lat, s->tags[i].raw, s->tags[i].requests, s->tags[i].failed));
    json_object_set_new(sum, "latency",
                        json_pack("{so so}", "all",
                                  hist_stats(t->lat_all, t->raw_all, s->requests, s->failed),
                                  "tags", tags));
    json_t *th = json_array();
    for (size_t i = 0; i < scn->nthresholds; i++) {
        const struct scn_threshold *x = &scn->thresholds[i];
        json_array_append_new(th, json_pack("{ss ss ss ss sf ss sf}", "text", x->text, "metric",
                                            metric_names[x->metric], "selector",
                                            x->selector ? x->selector : "", "stat", x->stat, "pct",
                                            x->pct, "cmp", cmp_names[x->cmp], "value", x->value));
    }
    json_object_set_new(sum, "thresholds", th);
    return sum;
}

/* ---- collection -------------------------------------------------------------------------- */

struct collector {
    struct worker *workers;
    int n;
    struct stats interval;
    struct totals *t;
    struct cx_hlog_writer *hlog;
    const struct scenario *scn;
    int64_t t0, last;
    json_t *series; /* one object per interval: what the reports chart over time */
};

/* The interval S (from START to END µs after the run's start) as a point of the time series. */
static json_t *series_point(const struct stats *s, int64_t start, int64_t end)
{
    json_int_t by_class[6] = {0};
    for (int code = 0; code < STATS_MAX_STATUS; code++)
        by_class[code / 100] += s->status[code];
    json_t *status = json_object();
    for (int code = 0; code < STATS_MAX_STATUS; code++)
        if (s->status[code]) {
            char k[8];
            snprintf(k, sizeof k, "%d", code);
            json_object_set_new(status, k, json_integer(s->status[code]));
        }
    return json_pack("{sf sf sI sI sI sI sI sI sI sI sI so}", "startS", (double)start / 1e6,
                     "lengthS", (double)(end - start) / 1e6, "requests", (json_int_t)s->requests,
                     "failed", (json_int_t)s->failed, "throttled429", (json_int_t)s->status[429],
                     "offered", (json_int_t)s->offered, "started", (json_int_t)s->started,
                     "dropped", (json_int_t)s->dropped, "late", (json_int_t)s->late, "2xx",
                     by_class[2], "5xx", by_class[5], "status", status);
}

/* Add INTERVAL into the totals and the interval log, then clear it. */
static void close_interval(struct collector *c, int64_t now)
{
    struct cx_hist *all = NULL;
    char tagbuf[256];
    cx_hist_new(&all);
    for (size_t i = 0; i < c->scn->ntags; i++) {
        struct tag_stats *ts = &c->interval.tags[i];
        if (all)
            cx_hist_add(all, ts->lat);
        cx_hist_add(c->t->lat_all, ts->lat);
        cx_hist_add(c->t->raw_all, ts->raw);
        if (c->hlog && cx_hist_count(ts->lat) > 0) {
            cx_hlog_tag(c->scn->tags[i], tagbuf, sizeof tagbuf); /* no spaces or commas */
            cx_hlog_write(c->hlog, tagbuf, (double)(c->last - c->t0) / 1e6,
                          (double)(now - c->last) / 1e6, ts->lat);
        }
    }
    if (c->hlog && all && cx_hist_count(all) > 0)
        cx_hlog_write(c->hlog, NULL, (double)(c->last - c->t0) / 1e6, (double)(now - c->last) / 1e6,
                      all);
    cx_hist_free(all);
    if (c->series)
        json_array_append_new(c->series, series_point(&c->interval, c->last - c->t0, now - c->t0));
    stats_add(c->t->all, &c->interval);
    stats_clear(&c->interval);
    c->last = now;
}

static void collect(struct collector *c, int64_t now)
{
    for (int i = 0; i < c->n; i++) {
        struct stats *s = worker_flip(&c->workers[i], 200);
        if (s) {
            stats_add(&c->interval, s);
            stats_clear(s);
        }
    }
    close_interval(c, now);
}

static void progress(const struct collector *c, int64_t now)
{
    const struct stats *s = c->t->all;
    double el = (double)(now - c->t0) / 1e6;
    fprintf(stderr, "\r[%6.1fs] %lld requests, %.0f/s, p99 %.2f ms, %lld failed, %lld dropped  ",
            el, (long long)s->requests, el > 0 ? s->requests / el : 0.0,
            cx_hist_percentile(c->t->lat_all, 99) / 1000.0, (long long)s->failed,
            (long long)s->dropped);
}

/* ---- history ----------------------------------------------------------------------------- */

static int append_file(FILE *to, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, to);
    fclose(f);
    unlink(path);
    return 0;
}

struct names {
    const char **v;
    size_t n;
};

static void flat_names(struct names *nm, const struct scn_step *st, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        nm->v[nm->n++] = st[i].name;
        if (st[i].kind == SCN_IF) {
            flat_names(nm, st[i].then_steps, st[i].nthen);
            flat_names(nm, st[i].else_steps, st[i].nelse);
        }
    }
}

static const char *step_name(void *ctx, int i)
{
    struct names *nm = ctx;
    return i >= 0 && (size_t)i < nm->n && nm->v[i] ? nm->v[i] : "?";
}

static size_t count_all(const struct scn_step *st, size_t n)
{
    size_t c = n;
    for (size_t i = 0; i < n; i++)
        if (st[i].kind == SCN_IF)
            c +=
                count_all(st[i].then_steps, st[i].nthen) + count_all(st[i].else_steps, st[i].nelse);
    return c;
}

static void barrier_counts(struct barrier *b, const struct scn_step *st, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (st[i].kind == SCN_BARRIER)
            b[st[i].barrier_index].count = st[i].barrier_count;
        if (st[i].kind == SCN_IF) {
            barrier_counts(b, st[i].then_steps, st[i].nthen);
            barrier_counts(b, st[i].else_steps, st[i].nelse);
        }
    }
}

static int mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "cxload: %s: %s\n", path, strerror(errno));
    return f;
}

/* ---- the run ----------------------------------------------------------------------------- */

int run_scenario(const struct run_opts *o)
{
    struct scenario *scn = NULL;
    struct cx_error e;
    if (scn_load(o->scenario, &scn, &e) < 0) {
        char msg[1024];
        cx_error_format(&e, msg, sizeof msg);
        fprintf(stderr, "cxload: %s\n", msg);
        return EXIT_USAGE;
    }
    if (o->validate_only) {
        size_t nsteps = count_all(scn->setup, scn->nsetup) + count_all(scn->steps, scn->nsteps);
        printf("%s: ok: scenario \"%s\", %zu steps, %zu tags, %zu thresholds\n", o->scenario,
               scn->name, nsteps, scn->ntags, scn->nthresholds);
        scn_free(scn);
        return EXIT_HELD;
    }
    /* Command-line overrides of the load. A ramping load's stages set its rates and its length,
     * and a closed load has no arrival rate: an override that would not apply is refused, not
     * ignored. */
    const char *unfit = o->rate > 0 && scn->load.model == SCN_CLOSED
                            ? "--rate: the scenario's load is closed (virtual users loop, with no "
                              "arrival rate); --rate applies to an open load"
                        : o->rate > 0 && scn->load.model == SCN_RAMPING
                            ? "--rate: the scenario's load is ramping (its stages set the rate); "
                              "--rate applies to an open load"
                        : o->duration_us > 0 && scn->load.model == SCN_RAMPING
                            ? "--duration: the scenario's load is ramping (its stages set the "
                              "duration); --duration applies to closed and open loads"
                            : NULL;
    if (unfit) {
        fprintf(stderr, "cxload: %s: %s\n", o->scenario, unfit);
        scn_free(scn);
        return EXIT_USAGE;
    }
    if (o->vus > 0)
        scn->load.vus = o->vus;
    if (o->duration_us > 0) {
        scn->load.duration_us = o->duration_us;
        if (scn->load.model == SCN_CLOSED)
            scn->load.iterations = 0;
    }
    if (o->rate > 0)
        scn->load.rate = o->rate;
    if (o->rate_cap > 0)
        scn->policy.rate_cap = o->rate_cap;

    int rc = EXIT_USAGE;
    char err[4608] = "";
    struct cxm *mock = NULL;
    json_t *env = NULL, *summary = NULL, *violations = NULL, *ledger = NULL;
    struct worker *workers = NULL, setupw;
    int nworkers = 0, setup_inited = 0;
    struct run_shared rs;
    memset(&rs, 0, sizeof rs);
    struct stats all;
    memset(&all, 0, sizeof all);
    struct collector col;
    memset(&col, 0, sizeof col);
    struct totals tot = {scn, &all, NULL, NULL};
    FILE *hlogf = NULL;
    int tty = 0;
    char target[1024];
    char path[4096];

    if (!(env = load_env(o->env_file, err, sizeof err)))
        goto done;
    const char *ref;
    const json_t *yes;
    json_object_foreach(scn->env_refs, ref, yes)
    {
        if (!json_object_get(env, ref)) {
            snprintf(err, sizeof err,
                     "%s uses ${env.%s}, which is not set: export it or give it in --env FILE",
                     scn->path, ref);
            goto done;
        }
    }
    uint64_t seed = o->seed >= 0 ? (uint64_t)o->seed : scn->seed >= 0 ? (uint64_t)scn->seed : 1;
    if (o->target) {
        snprintf(target, sizeof target, "%s", o->target);
        size_t tl = strlen(target);
        while (tl > 0 && target[tl - 1] == '/')
            target[--tl] = '\0';
        if (!is_loopback_url(target) && !(scn->policy.rate_cap > 0)) {
            snprintf(err, sizeof err,
                     "%s is not a loopback address: give a client-side rate cap (policy.rateCap "
                     "in the scenario or --rate-cap) so a real tenant is never hammered",
                     target);
            goto done;
        }
        if (!is_loopback_url(target) && scn->clock && strcmp(scn->clock, "real") != 0) {
            snprintf(err, sizeof err,
                     "%s: the scenario's clock \"%s\" is a mock's (a tenant's clock is real: "
                     "its think times, rates and deadlines would run on the wrong time); run it "
                     "against the embedded mock, or make it \"real\"",
                     target, scn->clock);
            goto done;
        }
    } else {
        struct cxm_options mo;
        cxm_options_default(&mo);
        mo.port = 0;
        mo.seed = seed;
        mo.tenant_path = scn->tenant;
        mo.clock = scn->clock ? scn->clock : "real";
        mo.threads = 64 + scn->load.vus; /* one civetweb worker per open connection */
        if (cxm_create(&mo, &mock, err, sizeof err) < 0 || cxm_start(mock, err, sizeof err) < 0)
            goto done;
        snprintf(target, sizeof target, "http://127.0.0.1:%d", cxm_port(mock));
    }
    if (reachable(target, err, sizeof err) < 0) {
        rc = EXIT_UNREACHABLE;
        goto done;
    }
    if (mkdirs(o->out) < 0) {
        snprintf(err, sizeof err, "%s: %s", o->out, strerror(errno));
        goto done;
    }

    rs.scn = scn;
    rs.target = target;
    rs.loopback = is_loopback_url(target);
    rs.env = env;
    rs.nthreads = o->threads > 0 ? o->threads : 2;
    rs.tscale = 1;
    if (scn->clock && strncmp(scn->clock, "scaled:", 7) == 0)
        rs.tscale = atof(scn->clock + 7);
    rs.seed = seed;
    if (o->target && getrandom(&rs.id_nonce, sizeof rs.id_nonce, 0) != sizeof rs.id_nonce)
        rs.id_nonce = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
    rs.shard = o->nshards > 1 ? o->shard : 0;
    rs.nshards = o->nshards > 1 ? o->nshards : 1;
    rs.drain_us = o->drain_us > 0 ? o->drain_us : 5000000;
    {
        int vus = scn->load.vus / rs.nshards + (rs.shard < scn->load.vus % rs.nshards);
        if (vus < rs.nthreads) /* a thread with no virtual user could start nothing */
            rs.nthreads = vus > 0 ? vus : 1;
    }
    rs.barriers = calloc(scn->nbarriers + 1, sizeof *rs.barriers);
    rs.tokens = calloc(scn->nauths + 1, sizeof *rs.tokens);
    rs.wake_fds = calloc((size_t)rs.nthreads, sizeof *rs.wake_fds);
    if (!rs.barriers || !rs.tokens || !rs.wake_fds)
        goto done;
    for (int i = 0; i < rs.nthreads; i++)
        atomic_init(&rs.wake_fds[i], -1);
    /* Each barrier's count, from its steps (the parser checked that they agree). */
    barrier_counts(rs.barriers, scn->setup, scn->nsetup);
    barrier_counts(rs.barriers, scn->steps, scn->nsteps);
    if (stats_init(&all, scn->ntags) < 0 || stats_init(&col.interval, scn->ntags) < 0 ||
        cx_hist_new(&tot.lat_all) < 0 || cx_hist_new(&tot.raw_all) < 0)
        goto done;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    time_t started = time(NULL);
    rs.t0_us = mono_us();

    /* The setup steps, once, before the load. */
    if (scn->nsetup) {
        snprintf(path, sizeof path, "%s/history.setup.jsonl", o->out);
        if (worker_init(&setupw, 0, &rs, path) < 0) {
            snprintf(err, sizeof err, "%s", setupw.error);
            goto done;
        }
        setup_inited = 1;
        worker_run(&setupw, 1);
        if (setupw.error[0]) {
            snprintf(err, sizeof err, "setup: %s", setupw.error);
            goto done;
        }
        rs.setup = setupw.extracted ? json_incref(setupw.extracted) : json_object();
    } else {
        rs.setup = json_object();
    }

    snprintf(path, sizeof path, "%s/latency.hlog", o->out);
    if (!(hlogf = fopen(path, "w")) || cx_hlog_open(hlogf, (double)time(NULL), &col.hlog) < 0) {
        snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
        goto done;
    }
    workers = calloc((size_t)rs.nthreads, sizeof *workers);
    if (!workers)
        goto done;
    rs.t0_us = mono_us();
    for (int i = 0; i < rs.nthreads; i++) {
        snprintf(path, sizeof path, "%s/history.%d.jsonl", o->out, i);
        if (worker_init(&workers[i], i, &rs, path) < 0) {
            snprintf(err, sizeof err, "worker %d: %s", i, workers[i].error);
            worker_free(&workers[i]);
            goto stop;
        }
        if (worker_start(&workers[i]) < 0) {
            snprintf(err, sizeof err, "cannot start worker thread %d", i);
            worker_free(&workers[i]);
            goto stop;
        }
        nworkers++;
    }
    col.workers = workers;
    col.n = nworkers;
    col.t = &tot;
    col.scn = scn;
    col.t0 = col.last = rs.t0_us;
    col.series = json_array();
    tty = isatty(2) && !o->quiet;
    for (;;) {
        int alive = 0;
        for (int i = 0; i < nworkers; i++)
            alive += !atomic_load(&workers[i].finished);
        if (!alive)
            break;
        if (interrupted && !atomic_load(&rs.stop)) {
            atomic_store(&rs.stop, 1);
            for (int i = 0; i < nworkers; i++)
                worker_poke(&workers[i]);
            fprintf(stderr,
                    "\ncxload: interrupted: no new iterations; draining in-flight "
                    "requests (at most %.1f s)\n",
                    (double)rs.drain_us / 1e6);
        }
        int64_t now = mono_us();
        if (now - col.last >= 1000000) {
            collect(&col, now);
            if (tty)
                progress(&col, now);
        }
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
stop:
    atomic_store(&rs.stop, 1);
    for (int i = 0; i < nworkers; i++) {
        worker_poke(&workers[i]);
        worker_join(&workers[i]);
    }
    if (setup_inited) { /* the setup's requests count like any other */
        stats_add(&col.interval, &setupw.buf[0]);
        stats_add(&col.interval, &setupw.buf[1]);
    }
    for (int i = 0; i < nworkers; i++) {
        stats_add(&col.interval, &workers[i].buf[0]);
        stats_add(&col.interval, &workers[i].buf[1]);
    }
    double wall_s = (double)(mono_us() - rs.t0_us) / 1e6;
    if (col.hlog) {
        close_interval(&col, mono_us());
        if (tty)
            progress(&col, mono_us());
    }
    if (tty)
        fputc('\n', stderr);
    if (err[0] && nworkers < rs.nthreads)
        goto done;

    /* History: one file, and every record for the checks. */
    snprintf(path, sizeof path, "%s/history.jsonl", o->out);
    FILE *hf = fopen(path, "w");
    size_t nrec = setup_inited ? setupw.hist.n : 0;
    for (int i = 0; i < nworkers; i++)
        nrec += workers[i].hist.n;
    struct hrec *recs = calloc(nrec + 1, sizeof *recs);
    size_t k = 0;
    if (setup_inited) {
        if (hf)
            append_file(hf, setupw.history_path);
        if (recs && setupw.hist.n)
            memcpy(recs + k, setupw.hist.recs, setupw.hist.n * sizeof *recs);
        k += setupw.hist.n;
    }
    for (int i = 0; i < nworkers; i++) {
        if (hf)
            append_file(hf, workers[i].history_path);
        if (recs && workers[i].hist.n)
            memcpy(recs + k, workers[i].hist.recs, workers[i].hist.n * sizeof *recs);
        k += workers[i].hist.n;
    }
    if (hf)
        fclose(hf);
    struct names nm = {
        calloc(count_all(scn->setup, scn->nsetup) + count_all(scn->steps, scn->nsteps) + 1,
               sizeof(char *)),
        0};
    if (nm.v) {
        flat_names(&nm, scn->setup, scn->nsetup);
        flat_names(&nm, scn->steps, scn->nsteps);
    }
    violations = recs ? checks_run(recs, nrec, step_name, &nm) : NULL;
    free(nm.v);
    free(recs); /* the records' strings stay owned by the workers' histories */

    summary = build_summary(o, scn, &rs, &tot, wall_s, started);
    if (col.series)
        json_object_set_new(summary, "series", json_incref(col.series));
    if (violations)
        json_object_set_new(summary, "violations", json_incref(violations));
    int want_ledger = o->ledger_check < 0 ? !o->target : o->ledger_check;
    if (want_ledger) {
        ledger = fetch_ledger(target);
        if (ledger)
            json_object_set_new(summary, "reconciliation",
                                checks_reconcile(json_object_get(summary, "violations"), ledger));
        else
            fprintf(stderr, "cxload: --ledger-check: %s/__admin/violations did not answer\n",
                    target);
    }
    int failed = thresholds_eval(summary, hist_for, &tot);
    rc = failed ? EXIT_FAILED : EXIT_HELD;
    if (interrupted)
        json_object_set_new(summary, "interrupted", json_true());
    json_object_set_new(summary, "exitCode", json_integer(rc));

    FILE *f;
    if ((f = open_out(o->out, "summary.json", path, sizeof path))) {
        json_dumpf(summary, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        fputc('\n', f);
        fclose(f);
    }
    if ((f = open_out(o->out, "junit.xml", path, sizeof path))) {
        report_junit(f, summary);
        fclose(f);
    }
    if (!o->quiet || rc != EXIT_HELD)
        report_text(stdout, summary);
    printf("results in %s/ (summary.json, junit.xml, latency.hlog, history.jsonl)\n", o->out);
    err[0] = '\0';

done:
    if (err[0])
        fprintf(stderr, "cxload: %s\n", err);
    if (col.hlog)
        cx_hlog_close(col.hlog);
    if (hlogf)
        fclose(hlogf);
    for (int i = 0; i < nworkers; i++)
        worker_free(&workers[i]);
    free(workers);
    if (setup_inited)
        worker_free(&setupw);
    stats_free(&all);
    stats_free(&col.interval);
    cx_hist_free(tot.lat_all);
    cx_hist_free(tot.raw_all);
    free(rs.barriers);
    free(rs.wake_fds);
    for (size_t i = 0; rs.tokens && i < scn->nauths; i++)
        shared_token_free(&rs.tokens[i]);
    free(rs.tokens);
    json_decref(rs.setup);
    json_decref(env);
    json_decref(summary);
    json_decref(col.series);
    json_decref(violations);
    json_decref(ledger);
    cxm_destroy(mock);
    scn_free(scn);
    return rc;
}
