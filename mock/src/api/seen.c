/* seen.c - see seen.h */
#include "seen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "base64.h"
#include "inject.h"
#include "router.h"

const char *cxm_seen_route(const struct cxm_seen *s, char *buf, size_t size)
{
    return cxm_route_name(cxm_route_index(s->route), buf, size);
}

size_t cxm_seen_route_index(const struct cxm_seen *s)
{
    return cxm_route_index(s->route);
}

const char *cxm_seen_subject(const struct cxm_seen *s)
{
    return s->nparams > 0 ? s->params[0] : NULL;
}

/* Field NAME of a form body (percent-decoded) into BUF, or NULL. */
static const char *form_field(const struct cxm_req *rq, const char *name, char *buf, size_t size)
{
    const char *b = rq->body, *end = b ? b + rq->body_len : NULL;
    size_t nlen = strlen(name);
    for (const char *p = b; p && p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=' &&
            (size_t)(stop - p - nlen - 1) < size) {
            cxm_url_decode(buf, p + nlen + 1, (size_t)(stop - p - nlen - 1), 1);
            return buf;
        }
        p = amp ? amp + 1 : end;
    }
    return NULL;
}

const char *cxm_seen_username(const struct cxm_seen *s, char *buf, size_t size)
{
    return form_field(s->rq, "username", buf, size);
}

/* The user of an "Authorization: Basic" header into BUF, or NULL. */
static const char *basic_client(const struct cxm_req *rq, char *buf, size_t size)
{
    const char *a = rq->authorization;
    if (!a || strncasecmp(a, "Basic ", 6) != 0)
        return NULL;
    const char *in = a + 6;
    size_t len = strlen(in), n = 0;
    uint8_t raw[512];
    if (len / 4 * 3 + 2 > sizeof raw || cx_b64_decode(in, len, raw, &n) < 0)
        return NULL;
    const uint8_t *colon = memchr(raw, ':', n);
    size_t user = colon ? (size_t)(colon - raw) : n;
    if (user >= size)
        return NULL;
    memcpy(buf, raw, user);
    buf[user] = '\0';
    return buf;
}

/* On the token endpoint, the token the answer gave, or NULL. */
static const struct cxm_token *issued(const struct cxm_seen *s)
{
    const char *value = json_string_value(json_object_get(s->rs->json, "access_token"));
    int64_t i;
    return value && strmap_get(&s->api->sim.auth.by_value, value, &i) ? &s->api->sim.auth.tokens[i]
                                                                      : NULL;
}

/* The token the request presented, valid or not (revoked, expired), or NULL. */
static const struct cxm_token *presented(const struct cxm_seen *s)
{
    const char *a = s->rq->authorization;
    int64_t i;
    if (s->tok)
        return s->tok;
    if (!a || strncasecmp(a, "Bearer ", 7) != 0)
        return NULL;
    for (a += 7; *a == ' '; a++)
        ;
    return strmap_get(&s->api->sim.auth.by_value, a, &i) ? &s->api->sim.auth.tokens[i] : NULL;
}

const char *cxm_seen_client(const struct cxm_seen *s, char *buf, size_t size)
{
    const struct cxm_tenant *t = s->api->sim.tenant;
    const struct cxm_token *bearer = presented(s);
    if (bearer)
        return t->clients[bearer->client].id;
    const struct cxm_token *got = issued(s);
    if (got)
        return t->clients[got->client].id;
    const char *c = basic_client(s->rq, buf, size);
    return c ? c : form_field(s->rq, "client_id", buf, size);
}

const char *cxm_seen_token_agent(const struct cxm_seen *s)
{
    return s->tok && s->tok->agent >= 0 ? s->api->sim.model.agents[s->tok->agent].def->id : NULL;
}

uint64_t cxm_seen_bearer_serial(const struct cxm_seen *s)
{
    const struct cxm_token *t = presented(s);
    return t ? t->serial : 0;
}

int cxm_seen_bearer_revoked(const struct cxm_seen *s)
{
    const struct cxm_token *t = presented(s);
    return t && t->revoked;
}

uint64_t cxm_seen_issued_serial(const struct cxm_seen *s)
{
    const struct cxm_token *t = issued(s);
    return t ? t->serial : 0;
}

const char *cxm_seen_owner(const struct cxm_seen *s, const char *id)
{
    const struct cxm_model *m = &s->api->sim.model;
    long ix = id ? cxm_model_interaction(m, id) : -1;
    if (ix < 0)
        return NULL;
    const struct cxm_interaction *x = m->ix[ix];
    int owner = x->pending_owner >= 0 ? x->pending_owner : x->agent;
    return owner >= 0 ? m->agents[owner].def->id : NULL;
}

const char *cxm_seen_state(const struct cxm_seen *s, const char *id)
{
    const struct cxm_model *m = &s->api->sim.model;
    long ix = id ? cxm_model_interaction(m, id) : -1;
    return ix < 0 ? NULL : cxm_istate_name(m->ix[ix]->state);
}

int64_t cxm_seen_retry_after_us(const struct cxm_seen *s)
{
    const json_t *ms = json_object_get(s->rs->json, "retryAfterMs");
    double secs;
    if (json_is_integer(ms))
        secs = (double)json_integer_value(ms) / 1000.0;
    else if (s->rs->retry_after[0])
        secs = strtod(s->rs->retry_after, NULL);
    else
        return -1;
    const struct cxm_clock *c = &s->api->sim.clock;
    if (c->mode == CXM_CLOCK_SCALED && c->told == CXM_TOLD_MOCK)
        secs /= c->scale;
    return (int64_t)(secs * 1e6);
}

const char *cxm_seen_inject_key(const struct cxm_seen *s)
{
    if (s->rq->x_idempotency_key && *s->rq->x_idempotency_key)
        return s->rq->x_idempotency_key;
    if (s->api->sim.tenant->idempotency_either && s->rq->idempotency_key && *s->rq->idempotency_key)
        return s->rq->idempotency_key;
    return NULL;
}

void cxm_seen_business_key(json_t *body, char out[24])
{
    cxm_business_key(body, out);
}
