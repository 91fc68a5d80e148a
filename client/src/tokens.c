/* tokens.c - see tokens.h */
#include "tokens.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "record.h"
#include "vars.h"
#include "wstate.h"

void token_slot_free(struct token_slot *t)
{
    free(t->value);
    t->value = NULL;
}

/* The source named AUTH; its "vu" or "worker" cache slot for v in *slot (NULL: "shared"). */
static const struct scn_auth *source(struct vu *v, const char *auth, struct token_slot **slot)
{
    const struct scenario *scn = v->ws->scn;
    for (size_t i = 0; i < scn->nauths; i++)
        if (strcmp(scn->auths[i].name, auth) == 0) {
            *slot = scn->auths[i].cache == SCN_CACHE_VU       ? &v->tokens[i]
                    : scn->auths[i].cache == SCN_CACHE_SHARED ? NULL
                                                              : &v->ws->tokens[i];
            return &scn->auths[i];
        }
    *slot = NULL;
    return NULL;
}

static size_t source_index(const struct vu *v, const struct scn_auth *a)
{
    return (size_t)(a - v->ws->scn->auths);
}

static struct shared_token *shared_of(struct vu *v, const struct scn_auth *a)
{
    return &v->ws->rs->tokens[source_index(v, a)];
}

/* A replaced run-wide token is kept until the run ends: another thread may still hold it. */
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

/* Start fetching a token of source A on v's exchange, on the connection it holds (the request's,
 * taken before its token was asked for); one without waits in line, still the one fetching,
 * and tokens_fetch_granted goes on. */
static void fetch(struct vu *v, const struct scn_auth *a)
{
    struct wstate *ws = v->ws;
    struct exchange *x = &v->x;
    if (!conn_take(v, CONN_TOKEN))
        return;
    exchange_reset(x, &ws->loop, v, ws->rs->loopback);
    char *path = vars_expand(v, a->token_path), *id = vars_expand(v, a->client_id),
         *secret = vars_expand(v, a->client_secret);
    struct cx_buf url;
    cx_buf_init(&url);
    cx_buf_addf(&url, "%s%s", ws->rs->target, path ? path : "/oauth/token");
    x->req_body.len = 0;
    cx_buf_adds(&x->req_body,
                a->grant == SCN_PASSWORD ? "grant_type=password" : "grant_type=client_credentials");
    const struct tpl *fields[] = {a->username, a->password, a->scope};
    const char *names[] = {"username", "password", "scope"};
    for (int i = 0; i < 3; i++) {
        char *val = vars_expand(v, fields[i]);
        if (!val)
            continue;
        char *esc = curl_easy_escape(x->easy, val, 0);
        cx_buf_addf(&x->req_body, "&%s=%s", names[i], esc ? esc : "");
        curl_free(esc);
        memset(val, 0, strlen(val));
        free(val);
    }
    curl_easy_setopt(x->easy, CURLOPT_URL, url.data);
    curl_easy_setopt(x->easy, CURLOPT_USERNAME, id ? id : "");
    curl_easy_setopt(x->easy, CURLOPT_PASSWORD, secret ? secret : "");
    curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, x->req_body.data ? x->req_body.data : "");
    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)(ws->scn->policy.timeout_us / 1000));
    if (x->req_body.data)
        memset(x->req_body.data, 0, x->req_body.len); /* the password does not linger */
    cx_buf_free(&url);
    free(path);
    free(id);
    if (secret)
        memset(secret, 0, strlen(secret));
    free(secret);
    ws_stats(ws)->token_fetches++;
    v->state = VU_FETCHING_TOKEN;
    v->sent_us = mono_us();
    loop_start(&ws->loop, x->easy);
}

void tokens_fetch_granted(struct vu *v)
{
    struct token_slot *t;
    const struct scn_auth *a = source(v, v->op.step->req.auth, &t);
    fetch(v, a);
}

/* The run-wide token of source A: the current one, or a fetch by v, or a wait. */
static enum token_get shared_get(struct vu *v, const struct scn_auth *a, int64_t now,
                                 const char **value, uint64_t *serial)
{
    struct shared_token *sh = shared_of(v, a);
    size_t i = source_index(v, a);
    long fetches = atomic_load(&sh->fetches); /* before looking: a fetch ending after wakes us */
    struct stoken *cur = atomic_load(&sh->cur);
    int idle = 0;
    if (cur && now < cur->refresh_us) {
        *value = cur->value;
        *serial = cur->serial;
        return TOKEN_READY;
    }
    if (atomic_compare_exchange_strong(&sh->fetching, &idle, 1)) {
        fetch(v, a);
        return TOKEN_FETCHING;
    }
    struct wstate *ws = v->ws;
    if (!ws->shared_waiters[i]) /* else the list's is older: it is woken sooner, not later */
        ws->shared_seen[i] = fetches;
    v->next_waiter = ws->shared_waiters[i];
    ws->shared_waiters[i] = v;
    v->state = VU_WAIT_TOKEN;
    return TOKEN_WAIT;
}

enum token_get tokens_get(struct vu *v, const char *auth, int64_t now, const char **value,
                          uint64_t *serial)
{
    struct token_slot *t;
    const struct scn_auth *a = source(v, auth, &t);
    if (!t)
        return shared_get(v, a, now, value, serial);
    if (t->value && now < t->refresh_us) {
        *value = t->value;
        *serial = t->serial;
        return TOKEN_READY;
    }
    if (t->fetching) {
        v->state = VU_WAIT_TOKEN;
        v->next_waiter = t->waiters;
        t->waiters = v;
        return TOKEN_WAIT;
    }
    t->fetching = 1;
    fetch(v, a);
    return TOKEN_FETCHING;
}

/* Publish a run-wide token for every worker; the one it replaces is retired, not freed. */
static int publish(struct shared_token *sh, const char *value, int64_t refresh_us, uint64_t serial)
{
    struct stoken *n = calloc(1, sizeof *n);
    if (!n || !(n->value = strdup(value))) {
        free(n);
        return -1;
    }
    n->refresh_us = refresh_us;
    n->serial = serial;
    struct stoken *old = atomic_exchange(&sh->cur, n);
    if (old)
        retire(sh, old);
    return 0;
}

/* A token's lifetime from its expires_in (seconds) as µs: an hour if absent or not an
 * integer, none if negative, at most TOKEN_MAX_TTL_S (so no time computed from it overflows). */
int64_t token_lifetime_us(const json_t *expires_in)
{
    if (!json_is_integer(expires_in))
        return 3600 * INT64_C(1000000);
    json_int_t s = json_integer_value(expires_in);
    if (s < 0)
        s = 0;
    if (s > TOKEN_MAX_TTL_S)
        s = TOKEN_MAX_TTL_S;
    return (int64_t)s * 1000000;
}

int tokens_fetched(struct vu *v, int status, struct vu **woken)
{
    struct wstate *ws = v->ws;
    struct token_slot *t;
    const struct scn_auth *a = source(v, v->op.step->req.auth, &t);
    const json_t *b = exchange_json(&v->x);
    const json_t *tok = b ? json_object_get(b, "access_token") : NULL;
    int64_t now = mono_us();
    int got = status == 200 && json_is_string(tok);
    uint64_t serial = 0;
    *woken = NULL;
    if (got) {
        int64_t ttl_us = ws_told(ws, token_lifetime_us(json_object_get(b, "expires_in")));
        serial = ((ws->lane + 1) << 40) | ++ws->tokseq;
        if (t) {
            free(t->value);
            t->value = strdup(json_string_value(tok));
            t->refresh_us = now + ttl_us * 9 / 10;
            t->expires_us = now + ttl_us;
            t->serial = serial;
        } else if (publish(shared_of(v, a), json_string_value(tok), now + ttl_us * 9 / 10, serial) <
                   0) {
            got = 0;
        }
    }
    char *client_id = vars_expand(v, a->client_id);
    record_token(v, now, status, serial, client_id, a->name);
    free(client_id);
    if (t) {
        t->fetching = 0;
        *woken = t->waiters;
        t->waiters = NULL;
    } else { /* every thread's waiters look again */
        struct shared_token *sh = shared_of(v, a);
        atomic_store(&sh->fetching, 0);
        atomic_fetch_add(&sh->fetches, 1);
        run_wake_all(ws->rs);
    }
    return got;
}

void tokens_refused(struct vu *v, const char *auth)
{
    struct token_slot *t;
    const struct scn_auth *a = source(v, auth, &t);
    if (t && t->serial == v->token_serial) {
        free(t->value);
        t->value = NULL;
    } else if (!t) { /* drop the run-wide token if it is still the one refused */
        struct shared_token *sh = shared_of(v, a);
        struct stoken *cur = atomic_load(&sh->cur);
        if (cur && cur->serial == v->token_serial &&
            atomic_compare_exchange_strong(&sh->cur, &cur, NULL))
            retire(sh, cur);
    }
}

/* Append list B to list A (chained by next_waiter); returns the head. */
static struct vu *chain(struct vu *a, struct vu *b)
{
    if (!a)
        return b;
    struct vu *end = a;
    while (end->next_waiter)
        end = end->next_waiter;
    end->next_waiter = b;
    return a;
}

struct vu *tokens_shared_ready(struct wstate *ws)
{
    struct vu *ready = NULL;
    for (size_t i = 0; i < ws->scn->nauths; i++) {
        if (!ws->shared_waiters[i] || atomic_load(&ws->rs->tokens[i].fetches) == ws->shared_seen[i])
            continue;
        ready = chain(ready, ws->shared_waiters[i]);
        ws->shared_waiters[i] = NULL;
    }
    return ready;
}

struct vu *tokens_shared_all(struct wstate *ws)
{
    struct vu *all = NULL;
    for (size_t i = 0; i < ws->scn->nauths; i++) {
        all = chain(all, ws->shared_waiters[i]);
        ws->shared_waiters[i] = NULL;
    }
    return all;
}
