/* simtest.c - see simtest.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simtest.h"

struct cxm_api *st_open_clock(const char *fixture, uint64_t seed, const char *ledger_path,
                              const char *clock)
{
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    int rc = fixture ? cxm_tenant_parse(fixture, strlen(fixture), "<test>", &t, &e)
                     : cxm_tenant_load_default(&t, &e);
    if (rc < 0) {
        char msg[1024];
        cx_error_format(&e, msg, sizeof msg);
        fail_msg("tenant: %s", msg);
    }
    struct cxm_api *m = calloc(1, sizeof *m);
    assert_non_null(m);
    struct cxm_api_options o = {NULL, 64};
    struct cxm_ledger_options lo = {ledger_path, CXM_LEDGER_FSYNC_NEVER};
    if (cxm_api_init(m, &o, t, seed, clock, &lo, &e) < 0)
        fail_msg("cxm_api_init: %s", e.text);
    return m;
}

struct cxm_api *st_open(const char *fixture, uint64_t seed, const char *ledger_path)
{
    return st_open_clock(fixture, seed, ledger_path, "manual");
}

struct cxm_api *st_new(const char *fixture, uint64_t seed)
{
    return st_open(fixture, seed, NULL);
}

char *st_default_with(const char *key, long long value)
{
    char path[512];
    snprintf(path, sizeof path, "%s/mock/tenants/default.json", getenv("CXM_SOURCE_DIR"));
    json_t *t = json_load_file(path, 0, NULL);
    assert_non_null(t);
    json_object_set_new(t, key, json_integer(value));
    char *text = json_dumps(t, 0);
    json_decref(t);
    assert_non_null(text);
    return text;
}

void st_free(struct cxm_api *m)
{
    if (!m)
        return;
    struct cxm_tenant *t = (struct cxm_tenant *)m->sim.tenant;
    cxm_api_free(m);
    cxm_tenant_free(t);
    free(m);
}

static struct st_res *last_res(void)
{
    static struct st_res r;
    json_decref(r.body);
    memset(&r, 0, sizeof r);
    return &r;
}

static struct st_res *call(struct cxm_api *m, const char *method, const char *path,
                           const char *auth, const char *ctype, const char *body)
{
    char pathbuf[1024];
    snprintf(pathbuf, sizeof pathbuf, "%s", path);
    char *q = strchr(pathbuf, '?');
    if (q)
        *q++ = '\0';
    struct cxm_req rq = {.method = method,
                         .path = pathbuf,
                         .query = q,
                         .authorization = auth,
                         .content_type = ctype,
                         .body = body,
                         .body_len = body ? strlen(body) : 0,
                         .loopback = true};
    return st_request(m, &rq);
}

struct st_res *st_request(struct cxm_api *m, const struct cxm_req *rqp)
{
    struct st_res *r = last_res();
    struct cxm_req rq = *rqp;
    struct cxm_resp rs;
    cxm_api_dispatch(m, &rq, &rs);
    r->status = rs.status;
    if (rs.raw)
        r->body = json_loads(rs.raw, 0, NULL);
    else if (rs.json)
        r->body = json_incref(rs.json);
    memcpy(r->retry_after, rs.retry_after, sizeof r->retry_after);
    memcpy(r->allow, rs.allow, sizeof r->allow);
    memcpy(r->www_authenticate, rs.www_authenticate, sizeof r->www_authenticate);
    memcpy(r->request_id, rs.request_id, sizeof r->request_id);
    r->delay_ms = rs.delay_ms;
    r->reset = rs.reset;
    cxm_resp_free(&rs);
    return r;
}

struct st_res *st_call(struct cxm_api *m, const char *method, const char *path, const char *auth,
                       const char *body)
{
    return call(m, method, path, auth, "application/json", body);
}

struct st_res *st_form(struct cxm_api *m, const char *path, const char *auth, const char *form)
{
    return call(m, "POST", path, auth, "application/x-www-form-urlencoded", form);
}

static char bearers[8][80];

static const char *keep_token(int slot, struct st_res *r)
{
    if (r->status != 200)
        fail_msg("token request: %d", r->status);
    snprintf(bearers[slot], sizeof bearers[slot], "Bearer %s", ST_STR(r->body, "access_token"));
    return bearers[slot];
}

const char *st_client(struct cxm_api *m, int slot, const char *client, const char *secret)
{
    char form[256];
    snprintf(form, sizeof form, "grant_type=client_credentials&client_id=%s&client_secret=%s",
             client, secret);
    return keep_token(slot, st_form(m, "/api/v2/oauth/token", NULL, form));
}

const char *st_agent(struct cxm_api *m, int slot, const char *email, const char *password)
{
    char form[256];
    snprintf(form, sizeof form,
             "grant_type=password&client_id=cx-integration&client_secret=cx-integration-secret"
             "&username=%s&password=%s",
             email, password);
    return keep_token(slot, st_form(m, "/api/v2/oauth/token", NULL, form));
}

const char *st_create(struct cxm_api *m, int slot, const char *channel, const char *queue,
                      const char *external_id)
{
    static char ids[8][40];
    char body[256];
    if (external_id)
        snprintf(body, sizeof body, "{\"channel\":\"%s\",\"queueId\":\"%s\",\"externalId\":\"%s\"}",
                 channel, queue, external_id);
    else
        snprintf(body, sizeof body, "{\"channel\":\"%s\",\"queueId\":\"%s\"}", channel, queue);
    struct st_res *r = st_call(m, "POST", "/__admin/interactions", NULL, body);
    if (r->status != 201)
        fail_msg("create interaction: %d", r->status);
    snprintf(ids[slot], sizeof ids[slot], "%s", ST_STR(r->body, "id"));
    return ids[slot];
}

void st_advance(struct cxm_api *m, int64_t ms)
{
    char body[64];
    snprintf(body, sizeof body, "{\"advanceMs\":%lld}", (long long)ms);
    assert_int_equal(st_call(m, "POST", "/__admin/clock", NULL, body)->status, 200);
}

const char *st_bearer(struct cxm_api *m)
{
    static char bearer[80];
    static struct cxm_api *owner;
    const struct cxm_token *tok = NULL;
    if (owner != m || !bearer[0] ||
        cxm_auth_check(&m->sim.auth, bearer, NULL, m->sim.now, &tok) != CXM_AUTH_OK) {
        snprintf(bearer, sizeof bearer, "%s",
                 st_client(m, 7, "cx-integration", "cx-integration-secret"));
        owner = m;
    }
    return bearer;
}

json_t *st_get(struct cxm_api *m, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s", id);
    struct st_res *r = st_call(m, "GET", path, st_bearer(m), NULL);
    return r->status == 200 ? r->body : NULL;
}

const char *st_state(struct cxm_api *m, const char *id)
{
    json_t *v = st_get(m, id);
    return v ? ST_STR(v, "state") : "";
}

int st_ledger_count(struct cxm_api *m, const char *type, const char *interaction, json_t **last)
{
    static json_t *found;
    json_decref(found);
    found = NULL;
    int n = 0;
    for (uint64_t seq = 1; seq <= m->sim.ledger.n; seq++) {
        json_t *e = json_loads(cxm_ledger_get(&m->sim.ledger, seq), 0, NULL);
        assert_non_null(e);
        if (strcmp(ST_STR(e, "type"), type) == 0 &&
            (!interaction || (ST_STR(e, "interactionId") &&
                              strcmp(ST_STR(e, "interactionId"), interaction) == 0))) {
            n++;
            json_decref(found);
            found = json_incref(e);
        }
        json_decref(e);
    }
    if (last)
        *last = found;
    return n;
}

long st_violations(struct cxm_api *m, const char *check)
{
    struct st_res *r = st_call(m, "GET", "/__admin/violations", NULL, NULL);
    assert_int_equal(r->status, 200);
    json_t *c = json_object_get(json_object_get(r->body, "checks"), check);
    assert_non_null(c);
    return (long)json_integer_value(json_object_get(c, "count"));
}
