/* router.c - see router.h */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define MAX_PARAMS 4

enum { PUBLIC = 0, ADMIN = 1 };

struct route {
    const char *method;
    const char *pattern; /* segments; "{}" matches one segment */
    cxm_handler *handler;
    int access;
};

static const struct route routes[] = {
    {"POST", "/api/v2/oauth/token", cxm_api_token, PUBLIC}, /* AUTH-01: three aliases */
    {"POST", "/oauth/token", cxm_api_token, PUBLIC},
    {"POST", "/oauth2/token", cxm_api_token, PUBLIC},
    {"GET", "/api/v2/interactions/{}", cxm_api_get_interaction, PUBLIC},
    {"POST", "/api/v2/interactions/{}/accept", cxm_api_accept, PUBLIC},
    {"POST", "/api/v2/interactions/{}/reject", cxm_api_reject, PUBLIC},
    {"GET", "/api/v2/queues/{}", cxm_api_get_queue, PUBLIC},
    {"GET", "/api/v2/queues/{}/stats", cxm_api_get_queue_stats, PUBLIC},
    {"GET", "/api/v2/events", cxm_api_events, PUBLIC},
    {"GET", "/__admin/health", cxm_admin_health, ADMIN},
    {"POST", "/__admin/reset", cxm_admin_reset, ADMIN},
    {"GET", "/__admin/state", cxm_admin_state, ADMIN},
    {"POST", "/__admin/interactions", cxm_admin_create, ADMIN},
    {"POST", "/__admin/interactions/{}/end", cxm_admin_end, ADMIN},
    {"PUT", "/__admin/queues/{}", cxm_admin_queue, ADMIN},
    {"PUT", "/__admin/agents/{}", cxm_admin_agent, ADMIN},
    {"PUT", "/__admin/faults", cxm_admin_faults, ADMIN},
    {"POST", "/__admin/clock", cxm_admin_clock, ADMIN},
    {"GET", "/__admin/ledger", cxm_admin_ledger, ADMIN},
    {"GET", "/__admin/violations", cxm_admin_violations, ADMIN},
};

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

/* Percent-decode n bytes of src into a new string; '+' stays '+' unless plus_is_space. */
static char *decode(const char *src, size_t n, int plus_is_space)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '%' && i + 2 < n && hexval(src[i + 1]) >= 0 && hexval(src[i + 2]) >= 0) {
            *o++ = (char)(hexval(src[i + 1]) * 16 + hexval(src[i + 2]));
            i += 2;
        } else {
            *o++ = plus_is_space && src[i] == '+' ? ' ' : src[i];
        }
    }
    *o = '\0';
    return out;
}

/* Match path against pattern, filling params (decoded, malloc'd). Returns 1 on a match. */
static int match(const char *pattern, const char *path, char **params, int *nparams)
{
    *nparams = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (p[0] == '{' && p[1] == '}') {
            const char *end = strchr(s, '/');
            size_t n = end ? (size_t)(end - s) : strlen(s);
            if (n == 0 || *nparams == MAX_PARAMS)
                return 0;
            params[(*nparams)++] = decode(s, n, 0);
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

static void free_params(char **params, int n)
{
    for (int i = 0; i < n; i++)
        free(params[i]);
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

json_t *cxm_req_json(const struct cxm_req *rq, struct cxm_resp *rs)
{
    if (rq->body_len == 0)
        return json_object();
    json_error_t e;
    json_t *v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!v)
        cxm_respond(rs, 400,
                    json_pack("{ss ss si si}", "error", "invalid_json", "detail", e.text, "line",
                              e.line, "column", e.column));
    return v;
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

void cxm_dispatch(struct cxm *m, const struct cxm_req *rq, struct cxm_resp *rs)
{
    memset(rs, 0, sizeof *rs);
    char *params[MAX_PARAMS];
    int nparams = 0;
    const struct route *found = NULL;
    char allow[64] = "";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int n;
        if (!match(routes[i].pattern, rq->path, params, &n)) {
            free_params(params, n);
            continue;
        }
        if (strcmp(routes[i].method, rq->method) == 0) {
            found = &routes[i];
            nparams = n;
            break;
        }
        free_params(params, n);
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
        return;
    }
    if (found->access == ADMIN && !admin_allowed(m, rq, rs)) {
        free_params(params, nparams);
        return;
    }
    pthread_mutex_lock(&m->lock);
    int64_t due_before = cxm_sched_next_due(&m->sim.sched);
    cxm_sim_begin_request(&m->sim);
    snprintf(rs->request_id, sizeof rs->request_id, "%s", m->sim.req);
    found->handler(m, rq, params, rs);
    if (cxm_sched_next_due(&m->sim.sched) != due_before)
        cxm_kick_timer(m);
    m->sim.req[0] = '\0';
    pthread_mutex_unlock(&m->lock);
    free_params(params, nparams);
    if (!rs->status)
        cxm_respond(rs, 500, cxm_err("internal_error", "handler gave no response"));
}
