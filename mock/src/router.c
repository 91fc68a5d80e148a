/* router.c - see router.h */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "api.h"
#include "metrics.h"

#define MAX_PARAMS 4

enum { PUBLIC = 0, ADMIN = 1 };
enum { STATE_WRITE = 1 }; /* counts against the tenant's agent-state window (RATE-01) */

#define READ   "interaction:read"
#define WRITE  "interaction:write"
#define RREAD  "routing:read"
#define RWRITE "routing:write"
#define STATE  "agent:state"

struct route {
    const char *method;
    const char *pattern; /* segments; "{}" matches one segment */
    cxm_handler *handler;
    int access;
    const char *scope; /* bearer scope required (AUTH-04); NULL: none */
    int group;         /* enum cxm_group: rate limits and faults */
    int flags;
};

static const struct route routes[] = {
    /* AUTH-01: three aliases of one handler */
    {"POST", "/api/v2/oauth/token", cxm_api_token, PUBLIC, NULL, CXM_GROUP_AUTH, 0},
    {"POST", "/oauth/token", cxm_api_token, PUBLIC, NULL, CXM_GROUP_AUTH, 0},
    {"POST", "/oauth2/token", cxm_api_token, PUBLIC, NULL, CXM_GROUP_AUTH, 0},
    {"GET", "/api/v2/interactions/{}", cxm_api_get_interaction, PUBLIC, READ,
     CXM_GROUP_INTERACTIONS, 0},
    {"POST", "/api/v2/interactions/{}/accept", cxm_api_accept, PUBLIC, WRITE,
     CXM_GROUP_INTERACTIONS, 0},
    {"POST", "/api/v2/interactions/{}/reject", cxm_api_reject, PUBLIC, WRITE,
     CXM_GROUP_INTERACTIONS, 0},
    {"GET", "/api/v2/queues/{}", cxm_api_get_queue, PUBLIC, READ, CXM_GROUP_INTERACTIONS, 0},
    {"GET", "/api/v2/queues/{}/stats", cxm_api_get_queue_stats, PUBLIC, READ,
     CXM_GROUP_INTERACTIONS, 0},
    {"GET", "/api/v2/events", cxm_api_events, PUBLIC, READ, CXM_GROUP_INTERACTIONS, 0},
    {"POST", "/api/v2/routing/contacts", cxm_api_inject, PUBLIC, RWRITE, CXM_GROUP_ROUTING, 0},
    {"GET", "/api/v2/routing/contacts/{}", cxm_api_get_contact, PUBLIC, RREAD, CXM_GROUP_ROUTING,
     0},
    {"PATCH", "/api/v2/routing/contacts/{}", cxm_api_patch_contact, PUBLIC, RWRITE,
     CXM_GROUP_ROUTING, 0},
    {"GET", "/api/v2/routing/queues/{}", cxm_api_routing_queue, PUBLIC, RREAD, CXM_GROUP_ROUTING,
     0},
    {"GET", "/api/v2/contacts/attributes", cxm_api_attributes, PUBLIC, RREAD, CXM_GROUP_ROUTING, 0},
    {"POST", "/api/v2/users/{}/state", cxm_api_agent_state, PUBLIC, STATE, CXM_GROUP_STATE,
     STATE_WRITE},
    {"GET", "/api/v2/schedules/users/{}", cxm_api_schedule, PUBLIC, STATE, CXM_GROUP_STATE, 0},
    {"GET", "/api/v2/breaks/users/{}/status", cxm_api_break, PUBLIC, STATE, CXM_GROUP_STATE, 0},
    {"GET", "/api/v2/interactions", cxm_api_list_interactions, PUBLIC, READ, CXM_GROUP_GWS, 0},
    {"GET", "/api/v2/me/interactions", cxm_api_my_interactions, PUBLIC, READ, CXM_GROUP_GWS, 0},
    {"PUT", "/api/v2/interactions/{}", cxm_api_put_interaction, PUBLIC, WRITE, CXM_GROUP_GWS, 0},
    {"POST", "/api/v2/me/interactions/{}", cxm_api_me_operation, PUBLIC, WRITE, CXM_GROUP_GWS, 0},
    {"GET", "/__admin/health", cxm_admin_health, ADMIN, NULL, 0, 0},
    {"POST", "/__admin/reset", cxm_admin_reset, ADMIN, NULL, 0, 0},
    {"GET", "/__admin/state", cxm_admin_state, ADMIN, NULL, 0, 0},
    {"POST", "/__admin/interactions", cxm_admin_create, ADMIN, NULL, 0, 0},
    {"POST", "/__admin/interactions/{}/end", cxm_admin_end, ADMIN, NULL, 0, 0},
    {"PUT", "/__admin/queues/{}", cxm_admin_queue, ADMIN, NULL, 0, 0},
    {"PUT", "/__admin/agents/{}", cxm_admin_agent, ADMIN, NULL, 0, 0},
    {"PUT", "/__admin/faults", cxm_admin_faults, ADMIN, NULL, 0, 0},
    {"POST", "/__admin/clock", cxm_admin_clock, ADMIN, NULL, 0, 0},
    {"GET", "/__admin/ledger", cxm_admin_ledger, ADMIN, NULL, 0, 0},
    {"GET", "/__admin/violations", cxm_admin_violations, ADMIN, NULL, 0, 0},
    {"GET", "/metrics", cxm_admin_metrics, ADMIN, NULL, 0, 0},
};

#define NROUTES (sizeof routes / sizeof routes[0])
_Static_assert(NROUTES <= CXM_METRIC_ROUTES, "raise CXM_METRIC_ROUTES");

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void cxm_url_decode(char *out, const char *src, size_t n, int plus_is_space)
{
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '%' && i + 2 < n && hexval(src[i + 1]) >= 0 && hexval(src[i + 2]) >= 0) {
            *o++ = (char)(hexval(src[i + 1]) * 16 + hexval(src[i + 2]));
            i += 2;
        } else {
            *o++ = plus_is_space && src[i] == '+' ? ' ' : src[i];
        }
    }
    *o = '\0';
}

/* As decode_into, into a new string (NULL if out of memory). */
static char *decode(const char *src, size_t n, int plus_is_space)
{
    char *out = malloc(n + 1);
    if (out)
        cxm_url_decode(out, src, n, plus_is_space);
    return out;
}

/* Path parameters, decoded into one buffer as long as the path. */
struct params {
    char *v[MAX_PARAMS];
    int n;
    char buf[512];
};

/* Match path against pattern, filling params. Returns 1 on a match. */
static int match(const char *pattern, const char *path, struct params *pp)
{
    pp->n = 0;
    size_t used = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (p[0] == '{' && p[1] == '}') {
            const char *end = strchr(s, '/');
            size_t n = end ? (size_t)(end - s) : strlen(s);
            if (n == 0 || pp->n == MAX_PARAMS || used + n + 1 > sizeof pp->buf)
                return 0;
            pp->v[pp->n++] = pp->buf + used;
            cxm_url_decode(pp->buf + used, s, n, 0);
            used += n + 1;
            p += 2;
            s += n;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return 0;
        }
    }
    return *p == '\0' && *s == '\0';
}

void cxm_respond(struct cxm_resp *rs, int status, json_t *body)
{
    json_decref(rs->json);
    rs->status = status;
    rs->json = body;
}

void cxm_resp_free(struct cxm_resp *rs)
{
    json_decref(rs->json);
    free(rs->raw);
    rs->json = NULL;
    rs->raw = NULL;
}

/* Deepest array/object nesting in JSON text (strings skipped), or max + 1 once past max. */
static int json_depth(const char *s, size_t n, int max)
{
    int depth = 0, deepest = 0, in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest && (deepest = depth) > max)
                return deepest;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return deepest;
}

json_t *cxm_req_json(const struct cxm_req *rq, struct cxm_resp *rs)
{
    if (rq->body_len == 0)
        return json_object();
    /* jansson parses recursively, on a civetweb worker's small stack: refuse deep nesting
     * before it can overflow. */
    if (json_depth(rq->body, rq->body_len, CXM_MAX_JSON_DEPTH) > CXM_MAX_JSON_DEPTH) {
        cxm_respond(
            rs, 400,
            cxm_err("invalid_json", "nested deeper than %d arrays or objects", CXM_MAX_JSON_DEPTH));
        return NULL;
    }
    json_error_t e;
    json_t *v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!v)
        cxm_respond(rs, 400,
                    json_pack("{ss ss si si}", "error", "invalid_json", "detail", e.text, "line",
                              e.line, "column", e.column));
    return v;
}

void cxm_call_body(struct cxm *m, struct cxm_call *c, cxm_body_op *op)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    json_t *out = NULL;
    int status = op(&m->sim, c->tok, c->params[0], body, &out);
    json_decref(body);
    cxm_respond(c->rs, status, out);
}

int cxm_query_param(const struct cxm_req *rq, const char *name, char *buf, size_t size)
{
    size_t nlen = strlen(name);
    for (const char *q = rq->query; q && *q;) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > nlen && strncmp(q, name, nlen) == 0 && q[nlen] == '=') {
            char *v = decode(q + nlen + 1, len - nlen - 1, 1);
            if (!v)
                return 0;
            snprintf(buf, size, "%s", v);
            free(v);
            return 1;
        }
        if (len == nlen && strncmp(q, name, nlen) == 0) {
            snprintf(buf, size, "%s", "");
            return 1;
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

static int admin_allowed(const struct cxm *m, const struct cxm_req *rq, struct cxm_resp *rs)
{
    const char *token = m->opts.admin_token;
    if (!token) {
        if (rq->loopback)
            return 1;
        cxm_respond(rs, 403, cxm_err("forbidden", "the admin API answers loopback only"));
        return 0;
    }
    const char *auth = rq->authorization;
    size_t tlen = strlen(token);
    int ok = auth && strncmp(auth, "Bearer ", 7) == 0 && strlen(auth + 7) == tlen;
    unsigned diff = 0; /* compare in constant time */
    for (size_t i = 0; ok && i < tlen; i++)
        diff |= (unsigned char)auth[7 + i] ^ (unsigned char)token[i];
    if (ok && diff == 0)
        return 1;
    cxm_respond(rs, 401, cxm_err("unauthorized", "the admin API needs its bearer token"));
    return 0;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Mock ms as wall ms for a delay the client feels: the clock's scale shrinks it too. */
static int64_t wall_ms(const struct cxm_sim *s, int64_t mock_ms)
{
    return s->clock.mode == CXM_CLOCK_SCALED ? (int64_t)((double)mock_ms / s->clock.scale)
                                             : mock_ms;
}

/* RATE-01, AUTH-06: check every window that applies; record in all only if all admit. Returns
 * 1 if admitted, else 0 with a 429 set. */
static int admit(struct cxm *m, const struct route *r, const struct cxm_token *tok,
                 struct cxm_resp *rs)
{
    struct cxm_sim *s = &m->sim;
    struct cxm_window *w[3] = {
        tok ? &s->client_windows[(size_t)tok->client * CXM_GROUPS + (size_t)r->group] : NULL,
        &s->tenant_window, r->flags & STATE_WRITE ? &s->state_window : NULL};
    static const char *const which[] = {"client", "tenant", "agentState"};
    int64_t wait = 0;
    int worst = -1;
    for (int i = 0; i < 3; i++) {
        int64_t wi = w[i] ? cxm_window_wait(w[i], s->now) : 0;
        if (wi > wait) {
            wait = wi;
            worst = i;
        }
    }
    if (worst < 0) {
        for (int i = 0; i < 3; i++)
            if (w[i])
                cxm_window_record(w[i], s->now);
        return 1;
    }
    m->metrics.limited[worst]++;
    int64_t secs = (wait + 999) / 1000;
    snprintf(rs->retry_after, sizeof rs->retry_after, "%lld", (long long)secs);
    cxm_respond(rs, 429,
                json_pack("{ss ss ss sI sI}", "error", "rate_limited", "detail",
                          worst == 0   ? "too many requests for this client id and endpoint group"
                          : worst == 1 ? "too many requests for this tenant"
                                       : "too many agent-state writes for this tenant",
                          "limit", which[worst], "retryAfterSeconds", (json_int_t)secs,
                          "retryAfterMs", (json_int_t)wait));
    return 0;
}

static void fault_response(struct cxm_resp *rs, int status)
{
    cxm_resp_free(rs);
    cxm_respond(rs, status, cxm_err("injected_fault", "fault plan: status %d", status));
}

/* The public pipeline: faults (FLT-01), bearer (AUTH-04), rate limits (RATE-01), handler. */
static void run_public(struct cxm *m, const struct route *r, struct cxm_call *c)
{
    struct cxm_sim *s = &m->sim;
    struct cxm_fault_effect fx;
    cxm_faults_roll(&s->faults, r->group, s->now - s->origin, &s->prng, &fx);
    if (fx.status || fx.reset || fx.delay_ms || fx.hang_ms)
        m->metrics.faults_injected++;
    c->rs->delay_ms = wall_ms(s, fx.delay_ms) + fx.hang_ms;
    if (fx.reset) {
        c->rs->reset = true;
        return;
    }
    if (fx.status && !fx.applied) {
        fault_response(c->rs, fx.status);
        return;
    }
    if (r->scope && !(c->tok = cxm_require_token(m, c->rq, r->scope, c->rs)))
        return;
    if (!admit(m, r, c->tok, c->rs))
        return;
    r->handler(m, c);
    if (fx.status) /* applied: the work is done, the answer is lost */
        fault_response(c->rs, fx.status);
}

void cxm_dispatch(struct cxm *m, const struct cxm_req *rq, struct cxm_resp *rs)
{
    memset(rs, 0, sizeof *rs);
    struct params pp;
    const struct route *found = NULL;
    char allow[64] = "";
    for (size_t i = 0; i < NROUTES; i++) {
        if (!match(routes[i].pattern, rq->path, &pp))
            continue;
        if (strcmp(routes[i].method, rq->method) == 0) {
            found = &routes[i];
            break;
        }
        if (!strstr(allow, routes[i].method))
            snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s",
                     allow[0] ? ", " : "", routes[i].method);
    }
    if (!found) {
        if (allow[0]) {
            snprintf(rs->allow, sizeof rs->allow, "%s", allow);
            cxm_respond(
                rs, 405,
                cxm_err("method_not_allowed", "%s %s: allowed: %s", rq->method, rq->path, allow));
        } else {
            cxm_respond(rs, 404, cxm_err("not_found", "no route for %s %s", rq->method, rq->path));
        }
        pthread_mutex_lock(&m->lock);
        m->metrics.unrouted[allow[0] ? 1 : 0]++;
        pthread_mutex_unlock(&m->lock);
        return;
    }
    if (found->access == ADMIN && !admin_allowed(m, rq, rs))
        return;
    int64_t t0 = mono_ns();
    pthread_mutex_lock(&m->lock);
    int64_t due_before = cxm_sched_next_due(&m->sim.sched);
    cxm_sim_begin_request(&m->sim);
    snprintf(rs->request_id, sizeof rs->request_id, "%s", m->sim.req);
    struct cxm_call call = {rq, pp.v, NULL, rs};
    if (found->access == PUBLIC)
        run_public(m, found, &call);
    else
        found->handler(m, &call);
    if (!rs->status && !rs->reset)
        cxm_respond(rs, 500, cxm_err("internal_error", "handler gave no response"));
    if (cxm_sched_next_due(&m->sim.sched) != due_before)
        cxm_kick_timer(m);
    m->sim.req[0] = '\0';
    size_t route = (size_t)(found - routes);
    cxm_metrics_count(&m->metrics, (int)route, rs->reset ? 0 : rs->status);
    cxm_metrics_latency(&m->metrics, (double)(mono_ns() - t0) / 1e9);
    pthread_mutex_unlock(&m->lock);
}

const char *cxm_route_name(size_t i, char *buf, size_t size)
{
    if (i >= NROUTES)
        return NULL;
    snprintf(buf, size, "%s %s", routes[i].method, routes[i].pattern);
    return buf;
}
