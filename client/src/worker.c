/* worker.c - one driver thread: libcurl multi (socket API) on epoll, virtual users as state
 * machines (see worker.h).
 *
 * The loop waits on one epoll set holding curl's sockets, a timerfd armed for the earliest of
 * curl's timeout, the next virtual-user timer and the next arrival, and an eventfd the main
 * thread pokes. Virtual users never block: a step either completes at once (if, end) or leaves
 * the user waiting for a timer (think, backoff, poll interval, rate cap, barrier) or for curl.
 */
#include "worker.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "prng.h"
#include "extract.h"
#include "retryafter.h"
#include "template.h"

int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- virtual users ---------------------------------------------------------------------- */

enum vu_state {
    VU_IDLE,  /* open model: waiting for an arrival; closed: done */
    VU_READY, /* run steps now */
    VU_TIMER, /* waiting for wake_us, then `after` */
    VU_CURL,  /* a request in flight */
    VU_TOKEN, /* waiting for another user's token fetch */
};

enum vu_after { AFTER_STEP, AFTER_SEND, AFTER_BARRIER };

struct token_slot {
    char *value;
    int64_t refresh_us, expires_us; /* run-relative µs: refresh at 90 % of the TTL */
    uint64_t serial;
    int fetching;
    struct vu *waiters;
};

struct frame {
    const struct scn_step *steps;
    size_t n, i;
};

struct vu {
    struct wstate *ws;
    int index; /* global */
    int64_t iter, iters_done;
    enum vu_state state;
    enum vu_after after;
    int64_t wake_us; /* monotonic */
    size_t heap_pos; /* in the timer heap, or SIZE_MAX */
    struct vu *next_waiter;
    CURL *easy;
    struct curl_slist *headers;
    struct cx_buf req_body, resp_body, resp_headers;
    struct cx_buf op_body; /* the request body, expanded once per logical operation */
    json_t *op_json;       /* the same, parsed: what the checks read */
    int not_sent;          /* the attempt failed before it was sent (an unset variable) */
    char errbuf[CURL_ERROR_SIZE];
    json_t *vars; /* extracted this iteration */
    const json_t *user;
    struct frame stack[16];
    int depth;
    /* the current operation */
    const struct scn_step *step;
    uint64_t opid;
    int attempt, reauthed, fetching_token, control, cap_slot;
    char idem_key[40];
    int64_t op_start_us, intended_us, sent_us; /* monotonic */
    int64_t poll_interval_us;
    long barrier_gen;
    int last_status;
    json_t *last_json; /* parsed lazily */
    int last_json_done;
    uint64_t token_serial;
    struct token_slot *tokens; /* cache "vu" */
};

#define BACKLOG 65536 /* arrivals that may wait for a free virtual user, per worker */

struct wstate {
    struct worker *w;
    struct run_shared *rs;
    const struct scenario *scn;
    CURLM *multi;
    int epfd, tfd;
    int64_t curl_deadline; /* monotonic µs, -1 none */
    struct vu *vus;
    int nvus;
    struct vu **heap;
    size_t nheap;
    struct token_slot *tokens; /* cache "worker" */
    struct pacer pacer;
    int64_t next_arrival; /* monotonic µs, -1 none */
    int64_t load_end;     /* monotonic µs, -1 none */
    int64_t stop_at;      /* when stopping began, -1 */
    int stopping, setup;
    unsigned char *reg; /* per socket: what the epoll set holds (on_socket) */
    size_t nreg;
    int64_t armed_at; /* the timerfd's deadline, -1 none */
    int active;       /* users not idle */
    struct vu **idle; /* open models: users free for the next arrival, a ring taken in order
                       * (round-robin: arrivals spread over the users, and so over `users`) */
    int idle_head, nidle, idle_cap;
    int64_t *backlog; /* open models: intended times of arrivals waiting for a free user */
    size_t backlog_head, nbacklog;
    int64_t next_allowed; /* client rate cap */
    double cap_gap_us;
    uint64_t rng, opseq, tokseq;
    uint64_t ids; /* ${uuid} and idempotency keys: unique per thread, shard and (against an
                   * outside target) run */
    const struct scn_step **flat; /* every step, for history's step index */
    size_t nflat;
};

static struct stats *cur(struct wstate *ws)
{
    return &ws->w->buf[atomic_load_explicit(&ws->w->active, memory_order_relaxed)];
}

static int64_t rel(const struct wstate *ws, int64_t mono)
{
    return mono - ws->rs->t0_us;
}

static int64_t scaled(const struct wstate *ws, int64_t us)
{
    return ws->rs->tscale > 0 ? (int64_t)((double)us / ws->rs->tscale) : us;
}

/* ---- timer heap ------------------------------------------------------------------------- */

static void heap_swap(struct wstate *ws, size_t a, size_t b)
{
    struct vu *t = ws->heap[a];
    ws->heap[a] = ws->heap[b];
    ws->heap[b] = t;
    ws->heap[a]->heap_pos = a;
    ws->heap[b]->heap_pos = b;
}

static void heap_up(struct wstate *ws, size_t i)
{
    while (i > 0 && ws->heap[(i - 1) / 2]->wake_us > ws->heap[i]->wake_us) {
        heap_swap(ws, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(struct wstate *ws, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < ws->nheap && ws->heap[l]->wake_us < ws->heap[m]->wake_us)
            m = l;
        if (r < ws->nheap && ws->heap[r]->wake_us < ws->heap[m]->wake_us)
            m = r;
        if (m == i)
            return;
        heap_swap(ws, i, m);
        i = m;
    }
}

static void heap_remove(struct wstate *ws, struct vu *v)
{
    size_t i = v->heap_pos;
    if (i == SIZE_MAX)
        return;
    v->heap_pos = SIZE_MAX;
    if (i != --ws->nheap) {
        ws->heap[i] = ws->heap[ws->nheap];
        ws->heap[i]->heap_pos = i;
        heap_down(ws, i);
        heap_up(ws, i);
    }
}

/* Wake V at monotonic time AT, then do AFTER. */
static void sleep_until(struct vu *v, int64_t at, enum vu_after after)
{
    struct wstate *ws = v->ws;
    heap_remove(ws, v);
    v->state = VU_TIMER;
    v->after = after;
    v->wake_us = at;
    v->heap_pos = ws->nheap;
    ws->heap[ws->nheap++] = v;
    heap_up(ws, v->heap_pos);
}

static int on_close(void *clientp, curl_socket_t item);

/* ---- template lookup -------------------------------------------------------------------- */

static json_t *lookup(void *ctx, const char *name, size_t len)
{
    struct vu *v = ctx;
    char key[256];
    if (len >= sizeof key)
        return NULL;
    memcpy(key, name, len);
    key[len] = '\0';
    if (strcmp(key, "vu") == 0)
        return json_integer(v->index);
    if (strcmp(key, "iter") == 0)
        return json_integer(v->iter);
    if (strcmp(key, "uuid") == 0) {
        char u[37];
        tpl_uuid4(u, &v->ws->ids);
        return json_string(u);
    }
    if (strcmp(key, "shard") == 0)
        return json_integer(v->ws->rs->shard);
    const json_t *src = v->vars;
    const char *k = key;
    if (strncmp(key, "env.", 4) == 0)
        src = v->ws->rs->env, k = key + 4;
    else if (strncmp(key, "user.", 5) == 0)
        src = v->user, k = key + 5;
    else if (strncmp(key, "vars.", 5) == 0)
        src = v->ws->scn->vars, k = key + 5;
    else if (strncmp(key, "setup.", 6) == 0)
        src = v->ws->rs->setup, k = key + 6;
    json_t *val = src ? json_object_get(src, k) : NULL;
    if (!val)
        return NULL;
    /* The scenario's, the setup's and the environment's values are shared by every thread:
     * copy them rather than touch their reference counts (jansson's incref is not safe there). */
    return src == v->vars ? json_incref(val) : json_deep_copy(val);
}

/* Expand T into a malloc'd string; NULL (and a counted failure by the caller) if unset. */
static char *expand(struct vu *v, const struct tpl *t)
{
    if (!t)
        return NULL;
    struct cx_buf b;
    cx_buf_init(&b);
    char *missing = NULL;
    if (tpl_expand(t, lookup, v, &b, &missing) < 0) {
        free(missing);
        cx_buf_free(&b);
        return NULL;
    }
    return cx_buf_take(&b);
}

/* ---- responses -------------------------------------------------------------------------- */

static const char *resp_header(void *ctx, const char *name)
{
    /* Headers are kept as "Name: value\r\n" lines; answer from a static per-thread copy. */
    static __thread char value[1024];
    struct vu *v = ctx;
    size_t nlen = strlen(name);
    const char *p = v->resp_headers.data;
    while (p && *p) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *s = p + nlen + 1;
            while (*s == ' ' || *s == '\t')
                s++;
            size_t vl = (size_t)(p + len - s);
            if (vl >= sizeof value)
                vl = sizeof value - 1;
            memcpy(value, s, vl);
            value[vl] = '\0';
            return value;
        }
        p = eol ? eol + 2 : p + len;
    }
    return NULL;
}

static const json_t *body_json(struct vu *v)
{
    if (!v->last_json_done) {
        v->last_json_done = 1;
        if (v->resp_body.len)
            v->last_json = json_loadb(v->resp_body.data, v->resp_body.len, 0, NULL);
    }
    return v->last_json;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct vu *v = ud;
    if (v->resp_body.len + size * n > (64u << 20))
        return 0; /* a 64 MiB answer is not an API answer: fail the transfer */
    cx_buf_add(&v->resp_body, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct vu *v = ud;
    if (size * n > 5 && strncmp(p, "HTTP/", 5) == 0)
        v->resp_headers.len = 0; /* a new status line: drop an interim answer's headers */
    if (v->resp_headers.len < 65536)
        cx_buf_add(&v->resp_headers, p, size * n);
    return size * n;
}

/* Does condition C hold for the last answer? */
static int cond_holds(struct vu *v, const struct scn_cond *c)
{
    switch (c->kind) {
    case SCN_COND_STATUS:
        for (int i = 0; i < 16 && c->statuses[i]; i++)
            if (c->statuses[i] == v->last_status)
                return 1;
        return 0;
    case SCN_COND_EXISTS: {
        json_t *x = lookup(v, c->var, strlen(c->var));
        int ok = x && !json_is_null(x);
        json_decref(x);
        return ok;
    }
    case SCN_COND_EQUALS:
    case SCN_COND_NOT_EQUALS: {
        char *a = expand(v, c->left), *b = expand(v, c->value);
        int eq = a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
        return c->kind == SCN_COND_EQUALS ? eq : !eq;
    }
    case SCN_COND_JSON: {
        json_t *x = extract_eval(c->path, body_json(v), v->last_status, resp_header, v);
        char *want = expand(v, c->value);
        int eq = 0;
        if (x && want) {
            if (json_is_string(x)) {
                eq = strcmp(json_string_value(x), want) == 0;
            } else {
                char *d = json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT);
                eq = d && strcmp(d, want) == 0;
                free(d);
            }
        }
        json_decref(x);
        free(want);
        return eq;
    }
    }
    return 0;
}

/* ---- recording -------------------------------------------------------------------------- */

static int step_index(struct wstate *ws, const struct scn_step *s)
{
    for (size_t i = 0; i < ws->nflat; i++)
        if (ws->flat[i] == s)
            return (int)i;
    return -1;
}

static char *json_str_dup(const json_t *o, const char *k)
{
    const json_t *x = o ? json_object_get(o, k) : NULL;
    return json_is_string(x) ? strdup(json_string_value(x)) : NULL;
}

static int json_int_or(const json_t *o, const char *k, int dflt)
{
    const json_t *x = o ? json_object_get(o, k) : NULL;
    return json_is_integer(x) ? (int)json_integer_value(x) : dflt;
}

static int method_idempotent(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "PUT") == 0 ||
           strcmp(m, "DELETE") == 0;
}

/* Record one finished attempt of V's step: statistics, then history. */
static void record(struct vu *v, int64_t end, int status, CURLcode cc, int expect_ok,
                   const char *why, int64_t retry_after_us)
{
    struct wstate *ws = v->ws;
    const struct scn_step *st = v->step;
    const struct scn_request *rq = &st->req;
    struct stats *s = cur(ws);
    int tag = scn_tag_index(ws->scn, st->tag);
    int nonidem = !method_idempotent(rq->method) && !rq->idempotency;
    enum outcome oc = expect_ok                                ? OUT_OK
                      : status == 0 && nonidem && !v->not_sent ? OUT_INDETERMINATE
                                                               : OUT_FAIL;
    s->requests++;
    s->status[status >= 0 && status < STATS_MAX_STATUS ? status : 0]++;
    if (status == 0 && !v->not_sent) { /* an unsent request is a failure, not the network's */
        if (cc == CURLE_OPERATION_TIMEDOUT)
            s->timeouts++;
        else
            s->transport_errors++;
    }
    if (oc == OUT_FAIL)
        s->failed++;
    else if (oc == OUT_INDETERMINATE)
        s->indeterminate++;
    if (v->attempt > 0)
        s->retries++;
    if (tag >= 0) {
        struct tag_stats *t = &s->tags[tag];
        t->requests++;
        t->failed += oc == OUT_FAIL;
        t->indeterminate += oc == OUT_INDETERMINATE;
        cx_hist_record(t->lat, end - v->intended_us);
        cx_hist_record(t->raw, end - v->sent_us);
    }
    if (!expect_ok && why)
        s->expect_failed++;

    struct hrec r;
    memset(&r, 0, sizeof r);
    r.thread = ws->w->index;
    r.vu = v->index;
    r.step = step_index(ws, st);
    r.iter = v->iter;
    r.opid = v->opid;
    r.attempt = v->attempt;
    r.op = rq->op;
    r.status = status;
    r.outcome = oc;
    r.intended_us = rel(ws, v->intended_us);
    r.start_us = rel(ws, v->sent_us);
    r.end_us = rel(ws, end);
    r.retry_after_us = retry_after_us;
    r.has_idem = rq->idempotency;
    r.token = v->token_serial;
    r.resp_priority = r.req_priority = r.resp_position = -1;
    r.expect_failed = !expect_ok && why;
    r.rule = rq->rule;
    const char *rid = resp_header(v, "X-Request-Id");
    if (rid)
        snprintf(r.request_id, sizeof r.request_id, "%s", rid);
    int keep = rq->op != SCN_OP_NONE || status == 401 || status == 429 || v->attempt > 0 ||
               r.expect_failed;
    if (keep || ws->w->hist.f) {
        char *path = expand(v, rq->path);
        if (path && asprintf(&r.path, "%s %s", rq->method, path) < 0)
            r.path = NULL;
        free(path);
    }
    if (keep) {
        r.subject = expand(v, rq->subject);
        r.agent = expand(v, rq->agent);
        r.key = expand(v, rq->key);
        r.why = r.expect_failed ? strdup(why) : NULL;
        const json_t *b = rq->op != SCN_OP_NONE ? body_json(v) : NULL;
        r.resp_agent = json_str_dup(b, "agentId");
        r.resp_state = json_str_dup(b, "state");
        r.resp_id = json_str_dup(b, "contactId");
        if (!r.resp_id)
            r.resp_id = json_str_dup(b, "id");
        r.resp_priority = json_int_or(b, "priority", -1);
        r.resp_position = json_int_or(json_object_get(b, "queuePosition"), "position", -1);
        const json_t *attrs;
        if (rq->op == SCN_OP_READ) { /* what was stored: REJ-02, INJ-04 */
            r.resp_reason = json_str_dup(b, "rejectReason");
            attrs = json_object_get(b, "attributes");
            r.resp_attrs = json_is_object(attrs) ? json_deep_copy(attrs) : NULL;
        }
        if (v->op_json) {
            r.req_priority = json_int_or(v->op_json, "priority", -1);
            r.returned = json_is_true(json_object_get(v->op_json, "returnToQueue"));
            if (rq->op == SCN_OP_REJECT && r.outcome == OUT_OK)
                r.req_reason = json_str_dup(v->op_json, "rejectReason");
            attrs = json_object_get(v->op_json, "attributes");
            if (rq->op == SCN_OP_INJECT && r.outcome == OUT_OK && json_is_object(attrs))
                r.req_attrs = json_deep_copy(attrs);
        }
    }
    history_add(&ws->w->hist, &r, st->tag ? st->tag : "", keep);
}

/* ---- tokens ------------------------------------------------------------------------------ */

/* The cache slot of source AUTH for V (NULL for a "shared" source: see shared_for). */
static struct token_slot *slot_for(struct vu *v, const char *auth, const struct scn_auth **a)
{
    const struct scenario *scn = v->ws->scn;
    for (size_t i = 0; i < scn->nauths; i++)
        if (strcmp(scn->auths[i].name, auth) == 0) {
            *a = &scn->auths[i];
            return scn->auths[i].cache == SCN_CACHE_VU       ? &v->tokens[i]
                   : scn->auths[i].cache == SCN_CACHE_SHARED ? NULL
                                                             : &v->ws->tokens[i];
        }
    return NULL;
}

static struct shared_token *shared_for(struct vu *v, const struct scn_auth *a)
{
    return &v->ws->rs->tokens[a - v->ws->scn->auths];
}

static void retire(struct shared_token *sh, struct stoken *t)
{
    t->next_retired = atomic_load(&sh->retired);
    while (!atomic_compare_exchange_weak(&sh->retired, &t->next_retired, t))
        ;
}

void shared_token_free(struct shared_token *st)
{
    struct stoken *t = atomic_load(&st->cur);
    if (t) {
        free(t->value);
        free(t);
    }
    for (t = atomic_load(&st->retired); t;) {
        struct stoken *next = t->next_retired;
        free(t->value);
        free(t);
        t = next;
    }
}

static void wake_waiters(struct token_slot *t)
{
    for (struct vu *w = t->waiters, *next; w; w = next) {
        next = w->next_waiter;
        w->next_waiter = NULL;
        sleep_until(w, mono_us(), AFTER_SEND);
    }
    t->waiters = NULL;
}

/* ---- sending ------------------------------------------------------------------------------ */

static void finish_step(struct vu *v);
static void run_steps(struct vu *v);
static void send_attempt(struct vu *v);

static void reset_easy(struct vu *v)
{
    curl_easy_reset(v->easy);
    curl_slist_free_all(v->headers);
    v->headers = NULL;
    v->resp_body.len = 0;
    v->resp_headers.len = 0;
    if (v->resp_body.data)
        v->resp_body.data[0] = '\0';
    if (v->resp_headers.data)
        v->resp_headers.data[0] = '\0';
    json_decref(v->last_json);
    v->last_json = NULL;
    v->last_json_done = 0;
    curl_easy_setopt(v->easy, CURLOPT_PRIVATE, v);
    curl_easy_setopt(v->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(v->easy, CURLOPT_WRITEDATA, v);
    curl_easy_setopt(v->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(v->easy, CURLOPT_HEADERDATA, v);
    curl_easy_setopt(v->easy, CURLOPT_ERRORBUFFER, v->errbuf);
    curl_easy_setopt(v->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(v->easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(v->easy, CURLOPT_CLOSESOCKETFUNCTION, on_close);
    curl_easy_setopt(v->easy, CURLOPT_CLOSESOCKETDATA, v->ws);
    if (v->ws->rs->loopback)
        curl_easy_setopt(v->easy, CURLOPT_PROXY, ""); /* never through a proxy to loopback */
    v->errbuf[0] = '\0';
}

static void add_to_multi(struct vu *v)
{
    v->state = VU_CURL;
    v->sent_us = mono_us();
    curl_multi_add_handle(v->ws->multi, v->easy);
}

/* Start a token fetch for slot T from source A on V's handle. */
static void fetch_token(struct vu *v, struct token_slot *t, const struct scn_auth *a)
{
    struct wstate *ws = v->ws;
    if (t)
        t->fetching = 1;
    v->fetching_token = 1;
    reset_easy(v);
    char *path = expand(v, a->token_path), *id = expand(v, a->client_id),
         *secret = expand(v, a->client_secret);
    struct cx_buf url;
    cx_buf_init(&url);
    cx_buf_addf(&url, "%s%s", ws->rs->target, path ? path : "/oauth/token");
    v->req_body.len = 0;
    cx_buf_adds(&v->req_body,
                a->grant == SCN_PASSWORD ? "grant_type=password" : "grant_type=client_credentials");
    const struct tpl *fields[] = {a->username, a->password, a->scope};
    const char *names[] = {"username", "password", "scope"};
    for (int i = 0; i < 3; i++) {
        char *val = expand(v, fields[i]);
        if (!val)
            continue;
        char *esc = curl_easy_escape(v->easy, val, 0);
        cx_buf_addf(&v->req_body, "&%s=%s", names[i], esc ? esc : "");
        curl_free(esc);
        memset(val, 0, strlen(val));
        free(val);
    }
    curl_easy_setopt(v->easy, CURLOPT_URL, url.data);
    curl_easy_setopt(v->easy, CURLOPT_USERNAME, id ? id : "");
    curl_easy_setopt(v->easy, CURLOPT_PASSWORD, secret ? secret : "");
    curl_easy_setopt(v->easy, CURLOPT_COPYPOSTFIELDS, v->req_body.data ? v->req_body.data : "");
    curl_easy_setopt(v->easy, CURLOPT_TIMEOUT_MS, (long)(ws->scn->policy.timeout_us / 1000));
    if (v->req_body.data)
        memset(v->req_body.data, 0, v->req_body.len); /* the password does not linger */
    cx_buf_free(&url);
    free(path);
    free(id);
    if (secret)
        memset(secret, 0, strlen(secret));
    free(secret);
    cur(ws)->token_fetches++;
    add_to_multi(v);
}

/* The attempt cannot be sent (WHY was expected: a variable set, a token): recorded as a failed
 * request, not a network error, and the virtual user goes on. */
static void fail_unsent(struct vu *v, CURLcode cc, const char *why)
{
    int64_t now = mono_us();
    v->sent_us = now;
    v->not_sent = 1;
    record(v, now, 0, cc, 0, why, -1);
    v->not_sent = 0;
    finish_step(v);
}

/* The variable MISSING (NULL: unknown) that the attempt's path or body needs is not set. */
static void fail_unset(struct vu *v, const char *missing)
{
    char why[512];
    snprintf(why, sizeof why, "the variable %s to be set", missing ? missing : "of the request");
    fail_unsent(v, CURLE_OK, why);
}

static void token_done(struct vu *v, int status)
{
    struct wstate *ws = v->ws;
    const struct scn_auth *a = NULL;
    struct token_slot *t = slot_for(v, v->step->req.auth, &a);
    v->fetching_token = 0;
    if (t)
        t->fetching = 0;
    const json_t *b = body_json(v);
    const json_t *tok = b ? json_object_get(b, "access_token") : NULL;
    int64_t now = mono_us();
    struct hrec r;
    memset(&r, 0, sizeof r);
    r.thread = ws->w->index;
    r.vu = v->index;
    r.op = HREC_TOKEN;
    r.status = status;
    r.start_us = rel(ws, v->sent_us);
    r.end_us = rel(ws, now);
    r.intended_us = r.start_us;
    r.retry_after_us = -1;
    r.resp_priority = r.req_priority = -1;
    r.key = expand(v, a->client_id);
    r.path = strdup("POST token");
    int got = status == 200 && json_is_string(tok);
    if (got) {
        const json_t *ttl = json_object_get(b, "expires_in");
        int64_t ttl_us = json_is_integer(ttl) ? json_integer_value(ttl) * 1000000 : 3600000000;
        ttl_us = scaled(ws, ttl_us);
        r.token = ((uint64_t)(ws->w->index + 1) << 40) | ++ws->tokseq;
        r.outcome = OUT_OK;
        if (t) {
            free(t->value);
            t->value = strdup(json_string_value(tok));
            t->refresh_us = now + ttl_us * 9 / 10;
            t->expires_us = now + ttl_us;
            t->serial = r.token;
        } else { /* publish for every worker; the one it replaces is retired, not freed */
            struct shared_token *sh = shared_for(v, a);
            struct stoken *n = calloc(1, sizeof *n);
            if (n && (n->value = strdup(json_string_value(tok)))) {
                n->refresh_us = now + ttl_us * 9 / 10;
                n->serial = r.token;
                struct stoken *old = atomic_exchange(&sh->cur, n);
                if (old)
                    retire(sh, old);
            } else {
                free(n);
                got = 0;
            }
        }
    } else {
        r.outcome = OUT_FAIL;
    }
    history_add(&ws->w->hist, &r, "token", 1);
    if (t)
        wake_waiters(t);
    else
        atomic_store(&shared_for(v, a)->fetching, 0);
    if (!got) { /* the request cannot go: record it as failed and move on */
        fail_unsent(v, CURLE_LOGIN_DENIED, "a token from the auth source");
        return;
    }
    send_attempt(v);
}

/* Send the current attempt of V's request step (after its token and the rate cap). */
static void send_attempt(struct vu *v)
{
    struct wstate *ws = v->ws;
    const struct scn_request *rq = &v->step->req;
    int64_t now = mono_us();
    const char *token = NULL;
    v->token_serial = 0;
    /* The client-side rate cap: every request to the tenant takes a slot, a token fetch too
     * (it is sent in this one's place, and this one takes the next slot). */
    if (ws->cap_gap_us > 0 && !v->cap_slot) {
        int64_t slot = ws->next_allowed > now ? ws->next_allowed : now;
        ws->next_allowed = slot + (int64_t)ws->cap_gap_us;
        v->cap_slot = 1;
        if (slot > now) {
            cur(ws)->throttled++;
            sleep_until(v, slot, AFTER_SEND);
            return;
        }
    }
    if (rq->auth) {
        const struct scn_auth *a = NULL;
        struct token_slot *t = slot_for(v, rq->auth, &a);
        if (!t) { /* shared by the whole run */
            struct shared_token *sh = shared_for(v, a);
            struct stoken *cur_tok = atomic_load(&sh->cur);
            int idle = 0;
            if (cur_tok && now < cur_tok->refresh_us) {
                token = cur_tok->value;
                v->token_serial = cur_tok->serial;
            } else if (atomic_compare_exchange_strong(&sh->fetching, &idle, 1)) {
                v->cap_slot = 0; /* the slot goes to the token fetch */
                fetch_token(v, NULL, a);
                return;
            } else { /* someone is fetching it: look again in a millisecond */
                sleep_until(v, now + 1000, AFTER_SEND);
                return;
            }
        } else if (t->value && now < t->refresh_us) {
            token = t->value;
            v->token_serial = t->serial;
        } else if (t->fetching) {
            v->state = VU_TOKEN;
            v->next_waiter = t->waiters;
            t->waiters = v;
            return;
        } else {
            v->cap_slot = 0; /* the slot goes to the token fetch */
            fetch_token(v, t, a);
            return;
        }
    }
    v->cap_slot = 0;
    reset_easy(v);
    struct cx_buf pb;
    cx_buf_init(&pb);
    char *missing = NULL;
    if (tpl_expand(rq->path, lookup, v, &pb, &missing) < 0) {
        cx_buf_free(&pb);
        fail_unset(v, missing);
        free(missing);
        return;
    }
    char *path = cx_buf_take(&pb);
    struct cx_buf url;
    cx_buf_init(&url);
    cx_buf_addf(&url, "%s%s", ws->rs->target, path);
    free(path);
    curl_easy_setopt(v->easy, CURLOPT_URL, url.data);
    cx_buf_free(&url);
    curl_easy_setopt(v->easy, CURLOPT_CUSTOMREQUEST, rq->method);
    if (strcmp(rq->method, "HEAD") == 0)
        curl_easy_setopt(v->easy, CURLOPT_NOBODY, 1L);
    if (token) {
        char h[4096];
        snprintf(h, sizeof h, "Authorization: Bearer %s", token);
        v->headers = curl_slist_append(v->headers, h);
    }
    if (rq->idempotency) {
        char h[256];
        snprintf(h, sizeof h, "%s: %s",
                 rq->idempotency_header ? rq->idempotency_header
                                        : ws->scn->policy.idempotency_header,
                 v->idem_key);
        v->headers = curl_slist_append(v->headers, h);
    }
    for (size_t i = 0; i < rq->nheaders; i++) {
        char *val = expand(v, rq->headers[i].value);
        struct cx_buf h;
        cx_buf_init(&h);
        cx_buf_addf(&h, "%s: %s", rq->headers[i].name, val ? val : "");
        if (h.data)
            v->headers = curl_slist_append(v->headers, h.data);
        cx_buf_free(&h);
        free(val);
    }
    if (v->op_json) {
        v->headers = curl_slist_append(v->headers, "Expect:"); /* no 100-continue round trip */
        curl_easy_setopt(v->easy, CURLOPT_POSTFIELDSIZE, (long)v->op_body.len);
        curl_easy_setopt(v->easy, CURLOPT_POSTFIELDS, v->op_body.data);
        v->headers = curl_slist_append(v->headers, "Content-Type: application/json");
    }
    curl_easy_setopt(v->easy, CURLOPT_HTTPHEADER, v->headers);
    int64_t timeout = rq->timeout_us ? rq->timeout_us : ws->scn->policy.timeout_us;
    curl_easy_setopt(v->easy, CURLOPT_TIMEOUT_MS, (long)(timeout / 1000));
    add_to_multi(v);
}

/* Begin V's request or poll step: a new logical operation. */
static void begin_request(struct vu *v, const struct scn_step *st)
{
    v->step = st;
    v->opid = ((uint64_t)(v->ws->w->index + 1) << 40) | ++v->ws->opseq;
    v->attempt = 0;
    v->reauthed = 0;
    v->op_start_us = v->intended_us;
    v->poll_interval_us = scaled(v->ws, st->poll.interval_us);
    if (st->req.idempotency)
        tpl_uuid4(v->idem_key, &v->ws->ids);
    json_decref(v->op_json);
    v->op_json = NULL;
    v->op_body.len = 0;
    if (st->req.body) { /* once: every retry of this operation sends the same body */
        char *missing = NULL;
        v->op_json = tpl_expand_json(st->req.body, lookup, v, &missing);
        char *text = v->op_json ? json_dumps(v->op_json,
                                             JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)
                                : NULL;
        if (!text) {
            fail_unset(v, missing);
            free(missing);
            return;
        }
        cx_buf_adds(&v->op_body, text);
        free(text);
    }
    send_attempt(v);
}

/* The backoff before retry number N (0-based) of the policy, in µs of wall time. */
static int64_t backoff(struct wstate *ws, int n)
{
    const struct scn_policy *p = &ws->scn->policy;
    double d = p->exponential ? (double)p->base_us * pow(2, n) : (double)p->base_us * (n + 1);
    if (d > (double)p->cap_us)
        d = (double)p->cap_us;
    if (p->jitter)
        d = d * ((double)(cx_splitmix64(&ws->rng) >> 11) / 9007199254740992.0);
    return scaled(ws, (int64_t)d);
}

static int retryable(const struct scn_policy *p, int status)
{
    for (int i = 0; i < 16 && p->retry_on[i]; i++)
        if (p->retry_on[i] == (status == 0 ? -1 : status))
            return 1;
    return 0;
}

static int status_expected(const struct scn_request *rq, int status)
{
    if (!rq->expect_status[0])
        return status >= 200 && status < 300;
    for (int i = 0; i < 16 && rq->expect_status[i]; i++)
        if (rq->expect_status[i] == status)
            return 1;
    return 0;
}

/* Retry-After as wall µs, or -1 if absent or not a Retry-After. Seconds are the server's
 * (a scaled mock's are scenario seconds); a date is wall time. */
static int64_t retry_after(struct vu *v)
{
    int64_t us;
    switch (retry_after_parse(resp_header(v, "Retry-After"), time(NULL), &us)) {
    case 0:
        return scaled(v->ws, us);
    case 1:
        return us;
    default:
        return -1;
    }
}

/* A request of V finished with curl code CC. */
static void request_done(struct vu *v, CURLcode cc)
{
    struct wstate *ws = v->ws;
    int64_t end = mono_us();
    long code = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(v->easy, CURLINFO_RESPONSE_CODE, &code);
    int status = (int)code;
    v->last_status = status;
    if (v->control) { /* a manual-clock advance: not part of the measured load */
        v->control = 0;
        if (status != 200) {
            cur(ws)->failed++;
            fprintf(stderr, "cxload: advancing the mock clock failed (status %d%s%s)\n", status,
                    v->errbuf[0] ? ": " : "", v->errbuf);
        }
        v->state = VU_READY;
        run_steps(v);
        return;
    }
    if (v->fetching_token) {
        token_done(v, status);
        return;
    }
    const struct scn_step *st = v->step;
    const struct scn_request *rq = &st->req;
    const struct scn_policy *p = &ws->scn->policy;
    int64_t ra = status == 429 || status == 503 ? retry_after(v) : -1;

    /* 401: the token may have been rotated or revoked; fetch a new one and try once more. */
    if (status == 401 && rq->auth && !v->reauthed) {
        record(v, end, status, cc, 0, NULL, ra);
        cur(ws)->reauth_401++;
        v->reauthed = 1;
        const struct scn_auth *a = NULL;
        struct token_slot *t = slot_for(v, rq->auth, &a);
        if (t && t->serial == v->token_serial) {
            free(t->value);
            t->value = NULL;
        } else if (!t) { /* drop the shared token if it is still the one refused */
            struct shared_token *sh = shared_for(v, a);
            struct stoken *cur_tok = atomic_load(&sh->cur);
            if (cur_tok && cur_tok->serial == v->token_serial &&
                atomic_compare_exchange_strong(&sh->cur, &cur_tok, NULL))
                retire(sh, cur_tok);
        }
        v->attempt++;
        v->intended_us = end;
        send_attempt(v);
        return;
    }
    if (rq->retry && v->attempt < p->retries && retryable(p, status) &&
        !atomic_load(&ws->rs->stop)) {
        record(v, end, status, cc, 0, NULL, ra);
        int64_t wait = backoff(ws, v->attempt);
        if (p->honour_retry_after && ra > wait)
            wait = ra;
        v->attempt++;
        v->intended_us = end + wait;
        sleep_until(v, end + wait, AFTER_SEND);
        return;
    }
    if (st->kind == SCN_POLL) {
        int ok = 1;
        for (size_t i = 0; i < st->poll.nuntil && ok; i++)
            ok = cond_holds(v, &st->poll.until[i]);
        int64_t deadline = v->op_start_us + scaled(ws, st->poll.deadline_us);
        if (!ok && end + v->poll_interval_us < deadline && !atomic_load(&ws->rs->stop)) {
            record(v, end, status, cc, 1, NULL, ra); /* a try that did not see it yet */
            int64_t at = end + v->poll_interval_us;
            v->poll_interval_us = (int64_t)((double)v->poll_interval_us * st->poll.backoff);
            if (v->poll_interval_us > scaled(ws, st->poll.max_interval_us))
                v->poll_interval_us = scaled(ws, st->poll.max_interval_us);
            v->attempt++;
            v->intended_us = at;
            sleep_until(v, at, AFTER_SEND);
            return;
        }
        record(v, end, status, cc, ok, ok ? NULL : "the poll condition before its deadline", ra);
    } else {
        int ok = status_expected(rq, status);
        char text[160];
        const char *why = ok ? NULL : text;
        if (!ok && !rq->expect_status[0])
            snprintf(text, sizeof text, "a 2xx status");
        else if (!ok)
            for (size_t i = 0, n = 0; rq->expect_status[i] && n < sizeof text; i++)
                n += (size_t)snprintf(text + n, sizeof text - n, "%s%d",
                                      i == 0                     ? "status "
                                      : rq->expect_status[i + 1] ? ", "
                                                                 : " or ",
                                      rq->expect_status[i]);
        for (size_t i = 0; ok && i < rq->nexpect_json; i++)
            if (!cond_holds(v, &rq->expect_json[i])) {
                ok = 0;
                why = text;
                snprintf(text, sizeof text, "the expected value at %.100s",
                         rq->expect_json[i].path ? rq->expect_json[i].path : "?");
            }
        record(v, end, status, cc, ok, why, ra);
    }
    /* Extract into the user's variables (an absent value unsets the variable). */
    for (size_t i = 0; i < rq->nextracts; i++) {
        json_t *x = extract_eval(rq->extracts[i].from, body_json(v), status, resp_header, v);
        if (x)
            json_object_set_new(v->vars, rq->extracts[i].var, x);
        else
            json_object_del(v->vars, rq->extracts[i].var);
    }
    finish_step(v);
}

/* ---- the step machine ------------------------------------------------------------------- */

static void end_iteration(struct vu *v);
static void start_arrival(struct wstate *ws, struct vu *v, int64_t intended, int64_t now);

static void finish_step(struct vu *v)
{
    v->state = VU_READY;
    v->intended_us = mono_us();
    run_steps(v);
}

/* Wait at the barrier of step ST: the last arrival of a generation sets its release instant. */
static void barrier_arrive(struct vu *v, const struct scn_step *st)
{
    struct barrier *b = &v->ws->rs->barriers[st->barrier_index];
    long n = atomic_fetch_add(&b->arrived, 1) + 1;
    long gen = (n - 1) / b->count;
    v->barrier_gen = gen;
    v->op_start_us = mono_us();
    if (n % b->count == 0) {
        atomic_store(&b->release_at[gen % BARRIER_RING], mono_us() + 2000);
        long want = gen;
        /* generations release in order */
        while (!atomic_compare_exchange_weak(&b->released, &want, gen + 1)) {
            if (want > gen)
                break;
            want = gen;
        }
    }
    sleep_until(v, mono_us() + 100, AFTER_BARRIER);
}

static void barrier_check(struct vu *v)
{
    const struct scn_step *st = v->step;
    struct barrier *b = &v->ws->rs->barriers[st->barrier_index];
    int64_t now = mono_us();
    if (atomic_load(&b->released) > v->barrier_gen) {
        int64_t at = atomic_load(&b->release_at[v->barrier_gen % BARRIER_RING]);
        if (at > now) {
            sleep_until(v, at, AFTER_STEP);
            v->intended_us = at;
            return;
        }
        v->intended_us = at > 0 ? at : now;
        v->state = VU_READY;
        run_steps(v);
        return;
    }
    if (now - v->op_start_us > scaled(v->ws, 30000000) || atomic_load(&v->ws->rs->stop)) {
        cur(v->ws)->expect_failed++;
        fprintf(stderr, "cxload: barrier \"%s\": only some of %d virtual users arrived\n",
                st->barrier, b->count);
        end_iteration(v);
        return;
    }
    sleep_until(v, now + 200, AFTER_BARRIER);
}

/* Run V's steps from its program counter until one has to wait. */
static void run_steps(struct vu *v)
{
    struct wstate *ws = v->ws;
    while (v->depth > 0) {
        struct frame *f = &v->stack[v->depth - 1];
        if (f->i >= f->n) {
            v->depth--;
            continue;
        }
        const struct scn_step *st = &f->steps[f->i++];
        v->step = st;
        switch (st->kind) {
        case SCN_REQUEST:
        case SCN_POLL:
            if (atomic_load(&ws->rs->stop) || ws->stopping) {
                end_iteration(v);
                return;
            }
            begin_request(v, st);
            return;
        case SCN_THINK: {
            int64_t d = st->think_min_us;
            if (st->think_max_us > st->think_min_us)
                d += (int64_t)(cx_splitmix64(&ws->rng) %
                               (uint64_t)(st->think_max_us - st->think_min_us));
            int64_t at = mono_us() + scaled(ws, d);
            v->intended_us = at;
            sleep_until(v, at, AFTER_STEP);
            return;
        }
        case SCN_BARRIER:
            barrier_arrive(v, st);
            return;
        case SCN_IF: {
            int yes = cond_holds(v, &st->cond);
            const struct scn_step *body = yes ? st->then_steps : st->else_steps;
            size_t n = yes ? st->nthen : st->nelse;
            if (n && v->depth < 16)
                v->stack[v->depth++] = (struct frame){body, n, 0};
            continue;
        }
        case SCN_ADVANCE: {
            reset_easy(v);
            char url[1024];
            snprintf(url, sizeof url, "%s/__admin/clock", ws->rs->target);
            v->req_body.len = 0;
            cx_buf_addf(&v->req_body, "{\"advanceMs\":%lld}", (long long)(st->advance_us / 1000));
            curl_easy_setopt(v->easy, CURLOPT_URL, url);
            curl_easy_setopt(v->easy, CURLOPT_COPYPOSTFIELDS, v->req_body.data);
            v->headers = curl_slist_append(v->headers, "Content-Type: application/json");
            curl_easy_setopt(v->easy, CURLOPT_HTTPHEADER, v->headers);
            v->control = 1;
            add_to_multi(v);
            return;
        }
        case SCN_END:
            v->depth = 0;
            break;
        }
    }
    end_iteration(v);
}

static void start_iteration(struct vu *v, int64_t intended)
{
    struct wstate *ws = v->ws;
    if (v->state == VU_IDLE)
        ws->active++;
    json_object_clear(v->vars);
    v->iter = v->iters_done;
    v->depth = 0;
    if (ws->setup)
        v->stack[v->depth++] = (struct frame){ws->scn->setup, ws->scn->nsetup, 0};
    else
        v->stack[v->depth++] = (struct frame){ws->scn->steps, ws->scn->nsteps, 0};
    v->intended_us = intended;
    v->state = VU_READY;
    if (!ws->setup)
        cur(ws)->started++;
    run_steps(v);
}

static int more_iterations(struct vu *v)
{
    struct wstate *ws = v->ws;
    if (ws->setup || ws->stopping || atomic_load(&ws->rs->stop))
        return 0;
    const struct scn_load *l = &ws->scn->load;
    if (l->model != SCN_CLOSED)
        return 0;
    if (l->iterations)
        return v->iters_done < l->iterations;
    return mono_us() < ws->load_end;
}

static void end_iteration(struct vu *v)
{
    struct wstate *ws = v->ws;
    heap_remove(ws, v);
    v->iters_done++;
    if (!ws->setup)
        cur(ws)->iterations++;
    if (ws->setup && ws->w->extracted == NULL)
        ws->w->extracted = json_deep_copy(v->vars);
    if (more_iterations(v)) {
        cur(ws)->offered++;
        start_iteration(v, mono_us());
        return;
    }
    v->state = VU_IDLE;
    ws->active--;
    if (ws->scn->load.model == SCN_CLOSED || ws->setup)
        return;
    if (ws->nbacklog && !ws->stopping && !atomic_load(&ws->rs->stop)) {
        int64_t intended = ws->backlog[ws->backlog_head];
        ws->backlog_head = (ws->backlog_head + 1) % BACKLOG;
        ws->nbacklog--;
        start_arrival(ws, v, intended, mono_us());
        return;
    }
    ws->idle[(ws->idle_head + ws->nidle++) % ws->idle_cap] = v;
}

/* ---- curl glue -------------------------------------------------------------------------- */

/* Sockets stay in the epoll set between transfers on a kept-alive connection: curl removes a
 * socket when its transfer ends and adds it again for the next, and doing both with epoll_ctl
 * would cost two system calls per request. reg[fd] holds what the set has (REG_IN | REG_OUT,
 * REG_SET: in the set); a socket curl no longer watches is quieted only if it speaks up
 * (quiet()), and one curl closes is forgotten in on_close(). */
enum { REG_IN = 1, REG_OUT = 2, REG_SET = 4, REG_WANTED = 8 };

static unsigned char *reg_at(struct wstate *ws, int fd)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= ws->nreg) {
        size_t n = (size_t)fd * 2 + 64;
        unsigned char *r = realloc(ws->reg, n);
        if (!r)
            return NULL;
        memset(r + ws->nreg, 0, n - ws->nreg);
        ws->reg = r;
        ws->nreg = n;
    }
    return &ws->reg[fd];
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct wstate *ws = userp;
    unsigned char *r = reg_at(ws, s);
    if (!r)
        return -1;
    if (what == CURL_POLL_REMOVE) {
        *r &= (unsigned char)~REG_WANTED; /* left in the set until it speaks up or closes */
        return 0;
    }
    unsigned char want = (what & CURL_POLL_IN ? REG_IN : 0) | (what & CURL_POLL_OUT ? REG_OUT : 0);
    if ((*r & REG_SET) && (*r & (REG_IN | REG_OUT)) == want) {
        *r |= REG_WANTED;
        return 0;
    }
    struct epoll_event ev = {0};
    ev.data.fd = s;
    ev.events = (want & REG_IN ? EPOLLIN : 0u) | (want & REG_OUT ? EPOLLOUT : 0u);
    int op = *r & REG_SET ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(ws->epfd, op, s, &ev) < 0) {
        op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(ws->epfd, op, s, &ev) < 0)
            return -1;
    }
    *r = REG_SET | REG_WANTED | want;
    return 0;
}

/* An event on a socket no transfer watches (an idle kept-alive connection the server closed,
 * say): take it out of the set; curl finds the connection dead when it next tries it. */
static void quiet(struct wstate *ws, int fd)
{
    struct epoll_event ev = {0};
    epoll_ctl(ws->epfd, EPOLL_CTL_DEL, fd, &ev);
    ws->reg[fd] = 0;
}

/* curl closes a socket: forget what the set had for it (the kernel drops it from the set). */
static int on_close(void *clientp, curl_socket_t item)
{
    struct wstate *ws = clientp;
    if (item >= 0 && (size_t)item < ws->nreg)
        ws->reg[item] = 0;
    return close(item);
}

static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
    struct wstate *ws = userp;
    ws->curl_deadline = timeout_ms < 0 ? -1 : mono_us() + timeout_ms * 1000;
    return 0;
}

static void drain_curl(struct wstate *ws)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(ws->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        CURLcode cc = msg->data.result;
        struct vu *v = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&v);
        curl_multi_remove_handle(ws->multi, e);
        if (v)
            request_done(v, cc);
    }
}

/* ---- the loop ----------------------------------------------------------------------------- */

static void arm(struct wstate *ws, int64_t at)
{
    if (at == ws->armed_at)
        return; /* already set: no system call */
    ws->armed_at = at;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (at >= 0) {
        if (at < 1)
            at = 1;
        its.it_value.tv_sec = at / 1000000;
        its.it_value.tv_nsec = (at % 1000000) * 1000;
    }
    timerfd_settime(ws->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Start an iteration intended at INTENDED on V, counting it late if it is (more than 1 ms). */
static void start_arrival(struct wstate *ws, struct vu *v, int64_t intended, int64_t now)
{
    if (now - intended > 1000)
        cur(ws)->late++;
    start_iteration(v, intended);
}

static void do_arrivals(struct wstate *ws, int64_t now)
{
    while (ws->next_arrival >= 0 && ws->next_arrival <= now && !ws->stopping) {
        cur(ws)->offered++;
        if (ws->nidle) {
            struct vu *v = ws->idle[ws->idle_head];
            ws->idle_head = (ws->idle_head + 1) % ws->idle_cap;
            ws->nidle--;
            start_arrival(ws, v, ws->next_arrival, now);
        } else if (ws->nbacklog < BACKLOG) {
            /* Every virtual user is busy (the server is slow): the arrival waits for one and
             * keeps its intended time, so the wait shows in its latency (wrk2's correction). */
            ws->backlog[(ws->backlog_head + ws->nbacklog++) % BACKLOG] = ws->next_arrival;
        } else {
            cur(ws)->dropped++; /* the backlog is full too: this start cannot be made */
        }
        int64_t t = pacer_next(&ws->pacer);
        ws->next_arrival = t < 0 ? -1 : ws->rs->t0_us + t;
    }
}

static void fire_timers(struct wstate *ws, int64_t now)
{
    while (ws->nheap && ws->heap[0]->wake_us <= now) {
        struct vu *v = ws->heap[0];
        heap_remove(ws, v);
        v->state = VU_READY;
        if (ws->stopping && v->after != AFTER_SEND) {
            end_iteration(v);
            continue;
        }
        switch (v->after) {
        case AFTER_STEP:
            run_steps(v);
            break;
        case AFTER_SEND:
            /* An attempt not yet sent: after an interrupt the operation ends here; at the end
             * of the load a retry or a poll's next try goes on within the drain time, so a
             * contact being retried past the schedule's end is not reported lost. */
            if (ws->stopping && (atomic_load(&ws->rs->stop) || v->attempt == 0)) {
                end_iteration(v); /* interrupted, or an operation not begun: none starts now */
                break;
            }
            send_attempt(v);
            break;
        case AFTER_BARRIER:
            barrier_check(v);
            break;
        }
    }
}

static void check_flip(struct worker *w)
{
    long long req = atomic_load(&w->flip_request);
    if (req != atomic_load(&w->flip_done)) {
        atomic_store(&w->active, !atomic_load(&w->active));
        atomic_store(&w->flip_done, req);
    }
}

static void loop(struct wstate *ws)
{
    struct epoll_event evs[64];
    int running = 0;
    for (;;) {
        int64_t now = mono_us();
        check_flip(ws->w);
        if (!ws->stopping &&
            (atomic_load(&ws->rs->stop) || (ws->load_end >= 0 && now >= ws->load_end))) {
            ws->stopping = 1;
            ws->stop_at = now;
            ws->next_arrival = -1;
        }
        do_arrivals(ws, now);
        fire_timers(ws, now);
        if (ws->stopping && now - ws->stop_at > ws->rs->drain_us)
            break; /* the drain time is over: what is still in flight is abandoned */
        if (ws->active == 0 && ws->next_arrival < 0 &&
            (ws->stopping || ws->setup || ws->scn->load.model == SCN_CLOSED))
            break;
        int64_t at = ws->next_arrival;
        if (ws->nheap && (at < 0 || ws->heap[0]->wake_us < at))
            at = ws->heap[0]->wake_us;
        if (ws->curl_deadline >= 0 && (at < 0 || ws->curl_deadline < at))
            at = ws->curl_deadline;
        if (ws->load_end >= 0 && !ws->stopping && (at < 0 || ws->load_end < at))
            at = ws->load_end;
        if (ws->stopping && (at < 0 || ws->stop_at + ws->rs->drain_us < at))
            at = ws->stop_at + ws->rs->drain_us;
        int n;
        if (at >= 0 && at <= mono_us()) {
            n = epoll_wait(ws->epfd, evs, 64, 0);
        } else {
            arm(ws, at);
            n = epoll_wait(ws->epfd, evs, 64, at < 0 ? 1000 : -1);
        }
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ws->tfd || fd == ws->w->wake_fd) {
                uint64_t x;
                if (read(fd, &x, sizeof x) < 0) {
                    /* EAGAIN: nothing to read */
                }
                continue;
            }
            if ((size_t)fd < ws->nreg && !(ws->reg[fd] & REG_WANTED)) {
                quiet(ws, fd);
                continue;
            }
            int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(ws->multi, fd, flags, &running);
        }
        if (ws->curl_deadline >= 0 && mono_us() >= ws->curl_deadline) {
            ws->curl_deadline = -1;
            curl_multi_socket_action(ws->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        drain_curl(ws);
    }
    cur(ws)->dropped += (int64_t)ws->nbacklog; /* offered, never started */
    ws->nbacklog = 0;
    /* Abandoned at the end of the drain: recorded as indeterminate, never dropped silently. */
    for (int i = 0; i < ws->nvus; i++) {
        struct vu *v = &ws->vus[i];
        if (v->state == VU_CURL) {
            curl_multi_remove_handle(ws->multi, v->easy);
            if (!v->control && !v->fetching_token)
                record(v, mono_us(), 0, CURLE_ABORTED_BY_CALLBACK, 0, NULL, -1);
            v->state = VU_IDLE;
        }
    }
}

/* ---- set-up and teardown ---------------------------------------------------------------- */

static void flatten(struct wstate *ws, const struct scn_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ws->flat[ws->nflat++] = &steps[i];
        if (steps[i].kind == SCN_IF) {
            flatten(ws, steps[i].then_steps, steps[i].nthen);
            flatten(ws, steps[i].else_steps, steps[i].nelse);
        }
    }
}

static size_t count_steps(const struct scn_step *steps, size_t n)
{
    size_t c = n;
    for (size_t i = 0; i < n; i++)
        if (steps[i].kind == SCN_IF)
            c += count_steps(steps[i].then_steps, steps[i].nthen) +
                 count_steps(steps[i].else_steps, steps[i].nelse);
    return c;
}

/* This worker's share of N things among the run's threads and shards. */
static int share(int n, int index, int of)
{
    return n / of + (index < n % of);
}

static void wstate_free(struct wstate *ws)
{
    if (!ws)
        return;
    for (int i = 0; ws->vus && i < ws->nvus; i++) {
        struct vu *v = &ws->vus[i];
        if (v->easy)
            curl_easy_cleanup(v->easy);
        curl_slist_free_all(v->headers);
        cx_buf_free(&v->req_body);
        cx_buf_free(&v->resp_body);
        cx_buf_free(&v->resp_headers);
        json_decref(v->vars);
        json_decref(v->last_json);
        json_decref(v->op_json);
        cx_buf_free(&v->op_body);
        for (size_t j = 0; v->tokens && j < ws->scn->nauths; j++)
            free(v->tokens[j].value);
        free(v->tokens);
    }
    for (size_t j = 0; ws->tokens && j < ws->scn->nauths; j++)
        free(ws->tokens[j].value);
    free(ws->tokens);
    free(ws->idle);
    free(ws->backlog);
    free(ws->vus);
    free(ws->heap);
    free(ws->flat);
    if (ws->multi)
        curl_multi_cleanup(ws->multi); /* closes the cached connections: on_close reads reg */
    free(ws->reg);
    if (ws->epfd >= 0)
        close(ws->epfd);
    if (ws->tfd >= 0)
        close(ws->tfd);
    free(ws);
}

static struct wstate *wstate_new(struct worker *w, int setup)
{
    struct run_shared *rs = w->rs;
    const struct scenario *scn = rs->scn;
    struct wstate *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->w = w;
    ws->rs = rs;
    ws->scn = scn;
    ws->epfd = ws->tfd = -1;
    ws->setup = setup;
    ws->curl_deadline = ws->next_arrival = ws->load_end = ws->stop_at = ws->armed_at = -1;
    ws->rng = rs->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)w->index + 1;
    /* One id stream per lane (shard, then thread) and one for the setup: no two share a key. */
    uint64_t lane = setup ? 0 : (uint64_t)(rs->shard * rs->nthreads + w->index) + 1;
    ws->ids = (rs->seed * 0x9e3779b97f4a7c15ULL + lane) ^ rs->id_nonce;
    const struct scn_load *l = &scn->load;
    /* Global virtual-user indexes: shard, then thread, then position. */
    int total = setup ? 1 : share(l->vus, rs->shard, rs->nshards);
    int mine = setup ? 1 : share(total, w->index, rs->nthreads);
    int base = 0;
    for (int s = 0; s < rs->shard && !setup; s++)
        base += share(l->vus, s, rs->nshards);
    for (int t = 0; t < w->index && !setup; t++)
        base += share(total, t, rs->nthreads);
    ws->nvus = mine;
    ws->nflat = 0;
    ws->flat =
        calloc(count_steps(scn->setup, scn->nsetup) + count_steps(scn->steps, scn->nsteps) + 1,
               sizeof *ws->flat);
    ws->vus = calloc((size_t)(mine ? mine : 1), sizeof *ws->vus);
    ws->heap = calloc((size_t)(mine ? mine : 1), sizeof *ws->heap);
    ws->tokens = calloc(scn->nauths + 1, sizeof *ws->tokens);
    ws->idle_cap = mine ? mine : 1;
    ws->idle = calloc((size_t)ws->idle_cap, sizeof *ws->idle);
    ws->backlog = calloc(BACKLOG, sizeof *ws->backlog);
    ws->multi = curl_multi_init();
    ws->epfd = epoll_create1(EPOLL_CLOEXEC);
    ws->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (!ws->flat || !ws->vus || !ws->heap || !ws->tokens || !ws->idle || !ws->backlog ||
        !ws->multi || ws->epfd < 0 || ws->tfd < 0)
        goto fail;
    flatten(ws, scn->setup, scn->nsetup);
    flatten(ws, scn->steps, scn->nsteps);
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.fd = ws->tfd;
    epoll_ctl(ws->epfd, EPOLL_CTL_ADD, ws->tfd, &ev);
    ev.data.fd = w->wake_fd;
    epoll_ctl(ws->epfd, EPOLL_CTL_ADD, w->wake_fd, &ev);
    curl_multi_setopt(ws->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(ws->multi, CURLMOPT_SOCKETDATA, ws);
    curl_multi_setopt(ws->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(ws->multi, CURLMOPT_TIMERDATA, ws);
    curl_multi_setopt(ws->multi, CURLMOPT_MAXCONNECTS, (long)(mine + 8));
    for (int i = 0; i < mine; i++) {
        struct vu *v = &ws->vus[i];
        v->ws = ws;
        v->index = base + i;
        v->heap_pos = SIZE_MAX;
        v->state = VU_IDLE;
        v->easy = curl_easy_init();
        v->vars = json_object();
        v->tokens = calloc(scn->nauths + 1, sizeof *v->tokens);
        if (scn->nusers)
            v->user = scn->users[(size_t)v->index % scn->nusers].vars;
        cx_buf_init(&v->req_body);
        cx_buf_init(&v->resp_body);
        cx_buf_init(&v->resp_headers);
        cx_buf_init(&v->op_body);
        if (!v->easy || !v->vars || !v->tokens)
            goto fail;
        ws->idle[i] = v; /* the lowest index is taken first */
    }
    ws->nidle = mine;
    if (scn->policy.rate_cap > 0)
        ws->cap_gap_us = 1e6 * rs->nthreads * rs->nshards / (scn->policy.rate_cap * rs->tscale);
    return ws;
fail:
    wstate_free(ws);
    return NULL;
}

int worker_init(struct worker *w, int index, struct run_shared *rs, const char *history_path)
{
    memset(w, 0, sizeof *w);
    w->index = index;
    w->rs = rs;
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->wake_fd < 0 || stats_init(&w->buf[0], rs->scn->ntags) < 0 ||
        stats_init(&w->buf[1], rs->scn->ntags) < 0) {
        snprintf(w->error, sizeof w->error, "out of memory or file descriptors");
        return -1;
    }
    if (history_path) {
        snprintf(w->history_path, sizeof w->history_path, "%s", history_path);
        if (history_open(&w->hist, history_path) < 0) {
            snprintf(w->error, sizeof w->error, "%s: %s", history_path, strerror(errno));
            return -1;
        }
    } else {
        history_open(&w->hist, NULL);
    }
    return 0;
}

void worker_run(struct worker *w, int setup)
{
    struct wstate *ws = wstate_new(w, setup);
    if (!ws) {
        snprintf(w->error, sizeof w->error, "cannot set up the worker (out of memory?)");
        atomic_store(&w->finished, 1);
        return;
    }
    w->st = ws;
    struct run_shared *rs = w->rs;
    const struct scn_load *l = &rs->scn->load;
    int64_t now = mono_us();
    if (setup) {
        start_iteration(&ws->vus[0], now);
    } else if (l->model == SCN_CLOSED) {
        if (!l->iterations)
            ws->load_end = rs->t0_us + scaled(ws, l->duration_us);
        for (int i = 0; i < ws->nvus && !atomic_load(&rs->stop); i++) {
            cur(ws)->offered++;
            start_iteration(&ws->vus[i], now);
        }
    } else {
        int lanes = rs->nthreads * rs->nshards, lane = rs->shard * rs->nthreads + w->index;
        double k = rs->tscale > 0 ? rs->tscale : 1;
        if (l->model == SCN_OPEN) {
            pacer_init_constant(&ws->pacer, l->rate * k, scaled(ws, l->duration_us),
                                l->spacing == SCN_POISSON, lane, lanes, rs->seed);
        } else {
            int64_t d[64];
            double r[64];
            int n = (int)(l->nstages < 64 ? l->nstages : 64);
            for (int i = 0; i < n; i++) {
                d[i] = scaled(ws, l->stages[i].duration_us);
                r[i] = l->stages[i].rate * k;
            }
            pacer_init_ramping(&ws->pacer, l->start_rate * k, d, r, n, l->spacing == SCN_POISSON,
                               lane, lanes, rs->seed);
        }
        int64_t t = pacer_next(&ws->pacer);
        ws->next_arrival = t < 0 ? -1 : rs->t0_us + t;
        ws->load_end = rs->t0_us + ws->pacer.end_us;
    }
    loop(ws);
    check_flip(w);
    history_close(&w->hist);
    w->st = NULL;
    wstate_free(ws);
    atomic_store(&w->finished, 1);
}

static void *thread_main(void *arg)
{
    worker_run(arg, 0);
    return NULL;
}

int worker_start(struct worker *w)
{
    return pthread_create(&w->thread, NULL, thread_main, w) == 0 ? 0 : -1;
}

void worker_join(struct worker *w)
{
    pthread_join(w->thread, NULL);
}

void worker_poke(struct worker *w)
{
    uint64_t one = 1;
    if (write(w->wake_fd, &one, sizeof one) < 0) {
        /* the counter is full: the loop is awake anyway */
    }
}

struct stats *worker_flip(struct worker *w, int timeout_ms)
{
    if (atomic_load(&w->finished))
        return NULL;
    long long req = atomic_fetch_add(&w->flip_request, 1) + 1;
    worker_poke(w);
    for (int i = 0; i < timeout_ms * 10; i++) {
        if (atomic_load(&w->flip_done) >= req)
            return &w->buf[!atomic_load(&w->active)];
        if (atomic_load(&w->finished))
            return NULL;
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

void worker_free(struct worker *w)
{
    stats_free(&w->buf[0]);
    stats_free(&w->buf[1]);
    history_free(&w->hist);
    json_decref(w->extracted);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
}
