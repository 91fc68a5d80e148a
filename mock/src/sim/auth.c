/* auth.c - see auth.h */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

int cxm_auth_init(struct cxm_auth *a, const struct cxm_tenant *t)
{
    memset(a, 0, sizeof *a);
    a->tenant = t;
    strmap_init(&a->by_value);
    strmap_init(&a->by_refresh);
    for (size_t c = 0; c < t->nclients; c++) {
        for (size_t i = 0; i < t->clients[c].nscopes; i++) {
            const char *name = t->clients[c].scopes[i];
            if (cxm_auth_scope_bit(a, name) >= 0)
                continue;
            if (a->nscopes == 64)
                goto error;
            char **grown = realloc(a->scopes, (a->nscopes + 1) * sizeof *grown);
            if (!grown)
                goto error;
            a->scopes = grown;
            if (!(a->scopes[a->nscopes] = strdup(name)))
                goto error;
            a->nscopes++;
        }
    }
    return 0;
error:
    cxm_auth_free(a);
    return -1;
}

void cxm_auth_free(struct cxm_auth *a)
{
    for (size_t i = 0; i < a->nscopes; i++)
        free(a->scopes[i]);
    free(a->scopes);
    free(a->tokens);
    strmap_free(&a->by_value);
    strmap_free(&a->by_refresh);
    memset(a, 0, sizeof *a);
}

int cxm_auth_scope_bit(const struct cxm_auth *a, const char *scope)
{
    for (size_t i = 0; i < a->nscopes; i++)
        if (strcmp(a->scopes[i], scope) == 0)
            return (int)i;
    return -1;
}

enum cxm_auth_result cxm_auth_check(const struct cxm_auth *a, const char *authorization,
                                    const char *scope, int64_t now, const struct cxm_token **tok)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return CXM_AUTH_MISSING;
    const char *value = authorization + 7;
    while (*value == ' ')
        value++;
    int64_t i;
    if (!strmap_get(&a->by_value, value, &i))
        return CXM_AUTH_UNKNOWN;
    const struct cxm_token *t = &a->tokens[i];
    if (t->revoked)
        return CXM_AUTH_REVOKED;
    if (now >= t->expires)
        return CXM_AUTH_EXPIRED;
    *tok = t;
    if (scope) {
        int bit = cxm_auth_scope_bit(a, scope);
        if (bit < 0 || !(t->scopes & (1ULL << bit)))
            return CXM_AUTH_SCOPE;
    }
    return CXM_AUTH_OK;
}

long cxm_auth_add(struct cxm_auth *a, const char *value, const char *refresh, uint64_t serial,
                  int client, int agent, uint64_t scopes, int64_t now, int64_t ttl_ms)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        struct cxm_token *tokens = realloc(a->tokens, cap * sizeof *tokens);
        if (!tokens)
            return -1;
        a->tokens = tokens;
        a->cap = cap;
    }
    long i = (long)a->n;
    struct cxm_token *t = &a->tokens[i];
    memset(t, 0, sizeof *t);
    snprintf(t->value, sizeof t->value, "%s", value);
    snprintf(t->refresh, sizeof t->refresh, "%s", refresh);
    t->serial = serial;
    t->client = client;
    t->agent = agent;
    t->scopes = scopes;
    t->issued = now;
    t->expires = now + ttl_ms;
    if (strmap_put(&a->by_value, value, i) < 0 || strmap_put(&a->by_refresh, refresh, i) < 0) {
        strmap_del(&a->by_value, value);
        return -1;
    }
    a->n++;
    return i;
}

size_t cxm_auth_revoke_client(struct cxm_auth *a, int client, long keep,
                              void (*on_revoke)(void *ctx, const struct cxm_token *t), void *ctx)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++) {
        struct cxm_token *t = &a->tokens[i];
        if (t->client != client || t->revoked || (long)i == keep)
            continue;
        t->revoked = true;
        n++;
        if (on_revoke)
            on_revoke(ctx, t);
    }
    return n;
}

long cxm_auth_by_refresh(const struct cxm_auth *a, const char *refresh)
{
    int64_t i;
    return strmap_get(&a->by_refresh, refresh, &i) ? (long)i : -1;
}

void cxm_auth_sweep(struct cxm_auth *a, int64_t now)
{
    size_t w = 0;
    strmap_free(&a->by_value);
    strmap_free(&a->by_refresh);
    for (size_t i = 0; i < a->n; i++) {
        struct cxm_token *t = &a->tokens[i];
        /* A revoked or expired token answers 401 either way; keep its refresh token usable
         * until it expires too (the access token's lifetime bounds both here). */
        if (now >= t->expires)
            continue;
        a->tokens[w] = *t;
        strmap_put(&a->by_value, t->value, (int64_t)w);
        strmap_put(&a->by_refresh, t->refresh, (int64_t)w);
        w++;
    }
    a->n = w;
}
