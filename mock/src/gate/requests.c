/* requests.c - see requests.h */
#include "requests.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hrec.h"
#include "router.h"
#include "seen.h"

/* The check's op for a route, and for a GWS operation its operationName. */
static enum hrec_op op_of(const char *route, const json_t *body)
{
    static const struct {
        const char *route;
        enum hrec_op op;
    } ops[] = {
        {"POST /api/v2/oauth/token", HREC_TOKEN},
        {"POST /oauth/token", HREC_TOKEN},
        {"POST /oauth2/token", HREC_TOKEN},
        {"GET /api/v2/interactions/{}", HREC_READ},
        {"GET /api/v2/routing/contacts/{}", HREC_READ},
        {"POST /api/v2/interactions/{}/accept", HREC_ACCEPT},
        {"POST /api/v2/interactions/{}/reject", HREC_REJECT},
        {"POST /api/v2/routing/contacts", HREC_INJECT},
        {"PATCH /api/v2/routing/contacts/{}", HREC_PRIORITY},
        {"POST /api/v2/users/{}/state", HREC_STATE},
        {"PUT /api/v2/interactions/{}", HREC_ACT},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(route, ops[i].route) == 0)
            return ops[i].op;
    if (strcmp(route, "POST /api/v2/me/interactions/{}") == 0) {
        const char *name = json_string_value(json_object_get(body, "operationName"));
        return !name                         ? HREC_NONE
               : strcmp(name, "Accept") == 0 ? HREC_ACCEPT
               : strcmp(name, "Reject") == 0 ? HREC_REJECT
                                             : HREC_ACT;
    }
    return HREC_NONE;
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ^ 0xff; /* a separator: "ab"+"c" is not "a"+"bc" */
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* The agent the request acts as: its token's, else agentId in the body, else X-Agent-Id. */
static const char *agent_of(const struct cxm_seen *s, const json_t *body)
{
    const char *a = cxm_seen_token_agent(s);
    if (!a)
        a = json_string_value(json_object_get(body, "agentId"));
    return a ? a : s->rq->agent_id;
}

/* The vu of ACTOR: a number per distinct actor, in order of first sight. */
static int vu_of(struct gate_requests *g, const char *actor)
{
    int64_t vu;
    if (strmap_get(&g->actors, actor, &vu))
        return (int)vu;
    strmap_put(&g->actors, actor, g->nactors);
    return g->nactors++;
}

/* The operation's id and the attempt this is of it. */
static void operation(struct gate_requests *g, struct hrec *r, const struct cxm_seen *s,
                      const char *actor)
{
    const struct cxm_req *rq = s->rq;
    uint64_t h = fnv(1469598103934665603ULL ^ g->nonce, actor, strlen(actor));
    if (r->op == HREC_INJECT && r->key) {
        h = fnv(h, r->key, strlen(r->key));
    } else {
        h = fnv(h, rq->method, strlen(rq->method));
        h = fnv(h, rq->path, strlen(rq->path));
        h = fnv(h, rq->query ? rq->query : "", rq->query ? strlen(rq->query) : 0);
        h = fnv(h, rq->body ? rq->body : "", rq->body ? rq->body_len : 0);
    }
    r->opid = h & (uint64_t)INT64_MAX; /* a history line holds a JSON integer: 63 bits */
    char id[24];
    int64_t seen = 0;
    snprintf(id, sizeof id, "%016llx", (unsigned long long)h);
    strmap_get(&g->attempts, id, &seen);
    r->attempt = (int)seen;
    strmap_put(&g->attempts, id, seen + 1);
}

/* An injection's contact: its idempotency key (scoped to the client), else its body's digest,
 * as the mock's DUPLICATE_CONTACT names it (invariants.c). */
static char *contact_key(const struct cxm_seen *s, json_t *body, const char *client)
{
    const char *idem = cxm_seen_inject_key(s);
    char bk[24], *key = NULL;
    if (idem) {
        if (asprintf(&key, "key:%s:%s", client ? client : "", idem) < 0)
            key = NULL;
        return key;
    }
    cxm_seen_business_key(body, bk);
    return strdup(bk);
}

/* What the checks read from the answer, as cxload's record.c reads it. */
static void answer(struct hrec *r, const struct cxm_seen *s, const char *route, const json_t *b)
{
    r->resp_agent = dup_or_null(json_string_value(json_object_get(b, "agentId")));
    if (r->op == HREC_ACCEPT && !r->resp_agent && r->status >= 400 &&
        strcmp(route, "POST /api/v2/me/interactions/{}") == 0) /* GWS: owned by another */
        r->resp_agent = dup_or_null(cxm_seen_owner(s, r->subject));
    r->resp_state = dup_or_null(json_string_value(json_object_get(b, "state")));
    if (r->op == HREC_ACCEPT && !r->resp_state) /* what it accepted, as the platform knows it */
        r->resp_state = dup_or_null(cxm_seen_state(s, r->subject));
    const char *id = json_string_value(json_object_get(b, "contactId"));
    r->resp_id = dup_or_null(id ? id : json_string_value(json_object_get(b, "id")));
    const json_t *p = json_object_get(b, "priority");
    r->resp_priority = json_is_integer(p) ? (int)json_integer_value(p) : -1;
    p = json_object_get(json_object_get(b, "queuePosition"), "position");
    r->resp_position = json_is_integer(p) ? (int)json_integer_value(p) : -1;
    if (r->op == HREC_READ) {
        r->resp_reason = dup_or_null(json_string_value(json_object_get(b, "rejectReason")));
        const json_t *attrs = json_object_get(b, "attributes");
        r->resp_attrs = json_is_object(attrs) ? json_deep_copy(attrs) : NULL;
    }
}

/* What the checks read from the request body. */
static void request_body(struct hrec *r, const json_t *body)
{
    const json_t *p = json_object_get(body, "priority");
    r->req_priority = json_is_integer(p) ? (int)json_integer_value(p) : -1;
    r->returned = json_is_true(json_object_get(body, "returnToQueue"));
    if (r->op == HREC_REJECT && r->outcome == OUT_OK)
        r->req_reason = dup_or_null(json_string_value(json_object_get(body, "rejectReason")));
    const json_t *attrs = json_object_get(body, "attributes");
    if (r->op == HREC_INJECT && r->outcome == OUT_OK && json_is_object(attrs))
        r->req_attrs = json_deep_copy(attrs);
}

/* Who sent it, with what token, in which operation. */
static void identity(struct gate_requests *g, struct hrec *r, const struct cxm_seen *s,
                     json_t *body)
{
    char cbuf[256], digest[HREC_DIGEST];
    const char *client = cxm_seen_client(s, cbuf, sizeof cbuf);
    r->agent = dup_or_null(r->op == HREC_TOKEN ? NULL : agent_of(s, body));
    if (r->op == HREC_TOKEN) { /* key: the client (rotation); subject: who logs in */
        char ubuf[256], *who = NULL;
        const char *user = cxm_seen_username(s, ubuf, sizeof ubuf);
        hrec_digest(client ? client : "", digest);
        r->key = strdup(digest);
        if (user && asprintf(&who, "%s/%s", client ? client : "?", user) < 0)
            who = NULL;
        r->subject = who ? who : dup_or_null(client);
        r->token = cxm_seen_issued_serial(s);
    } else {
        r->subject = dup_or_null(cxm_seen_subject(s));
        r->token = cxm_seen_bearer_serial(s);
        if (s->rs->status == 401 && !cxm_seen_bearer_revoked(s))
            r->token = 0; /* expired or unknown: no rotation is to blame (AUTH_CASCADE) */
        if (r->op == HREC_STATE && !r->agent)
            r->agent = dup_or_null(r->subject);
    }
    if (r->op == HREC_INJECT)
        r->key = contact_key(s, body, client);
    const char *actor = r->agent ? r->agent : client ? client : "anonymous";
    r->vu = vu_of(g, actor);
    operation(g, r, s, actor);
}

static void count(struct gate_requests *g, const struct hrec *r, size_t route)
{
    g->count++;
    g->ok += r->outcome == OUT_OK;
    g->failed += r->outcome == OUT_FAIL;
    g->indeterminate += r->outcome == OUT_INDETERMINATE;
    g->retries += r->attempt > 0;
    g->throttled += r->status == 429;
    g->token_fetches += r->op == HREC_TOKEN;
    g->status[r->status >= 0 && r->status < GATE_STATUSES ? r->status : 0]++;
    int64_t us = r->end_us - r->start_us;
    cx_hist_record(g->all, us);
    if (route < GATE_ROUTES && (g->routes[route].lat || cx_hist_new(&g->routes[route].lat) == 0)) {
        g->routes[route].count++;
        g->routes[route].failed += r->outcome == OUT_FAIL;
        cx_hist_record(g->routes[route].lat, us);
    }
}

void gate_requests_seen(void *ctx, const struct cxm_seen *s)
{
    struct gate_requests *g = ctx;
    char route[128];
    cxm_seen_route(s, route, sizeof route);
    json_t *body = s->rq->body_len ? json_loadb(s->rq->body, s->rq->body_len, 0, NULL) : NULL;
    struct hrec r;
    hrec_init(&r);
    r.op = op_of(route, body);
    r.step = (int)cxm_seen_route_index(s);
    r.status = s->rs->reset ? 0 : s->rs->status;
    r.outcome = r.status >= 200 && r.status < 300 ? OUT_OK
                : r.status == 0                   ? OUT_INDETERMINATE
                                                  : OUT_FAIL;
    r.start_us = r.intended_us = (s->start_ns - g->t0_ns) / 1000;
    r.end_us = (s->end_ns - g->t0_ns) / 1000;
    r.retry_after_us = cxm_seen_retry_after_us(s);
    r.has_idem = s->rq->x_idempotency_key || s->rq->idempotency_key;
    snprintf(r.request_id, sizeof r.request_id, "%s", s->rs->request_id);
    if (asprintf(&r.path, "%s %s%s%s", s->rq->method, s->rq->path, s->rq->query ? "?" : "",
                 s->rq->query ? s->rq->query : "") < 0)
        r.path = NULL;
    identity(g, &r, s, body);
    request_body(&r, body);
    json_t *raw = !s->rs->json && s->rs->raw ? json_loads(s->rs->raw, 0, NULL) : NULL;
    answer(&r, s, route, raw ? raw : s->rs->json);
    json_decref(raw);
    json_decref(body);
    count(g, &r, cxm_seen_route_index(s));
    hrec_write(g->history, &r, route);
    if (ferror(g->history))
        g->write_failed = 1;
    if (!hrec_matters(&r) || judge_records_keep(&g->kept, &r) < 0)
        hrec_free(&r);
}

int gate_requests_open(struct gate_requests *g, const char *path, int64_t t0_ns)
{
    memset(g, 0, sizeof *g);
    g->t0_ns = t0_ns;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* this run's operations are not another's */
    g->nonce = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    strmap_init(&g->actors);
    strmap_init(&g->attempts);
    if (cx_hist_new(&g->all) < 0)
        return -1;
    g->history = fopen(path, "we"); /* not COMMAND's to write */
    return g->history ? 0 : -1;
}

int gate_requests_close(struct gate_requests *g)
{
    int rc = g->write_failed ? -1 : 0;
    if (g->history && fclose(g->history) != 0)
        rc = -1;
    g->history = NULL;
    return rc;
}

void gate_requests_free(struct gate_requests *g)
{
    if (g->history)
        fclose(g->history);
    judge_records_free(&g->kept);
    strmap_free(&g->actors);
    strmap_free(&g->attempts);
    for (size_t i = 0; i < GATE_ROUTES; i++)
        cx_hist_free(g->routes[i].lat);
    cx_hist_free(g->all);
    memset(g, 0, sizeof *g);
}

json_t *gate_route_names(void)
{
    json_t *a = json_array();
    char name[128];
    for (size_t i = 0; cxm_route_name(i, name, sizeof name); i++)
        json_array_append_new(a, json_string(name));
    return a;
}
