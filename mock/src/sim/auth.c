/* auth.c - see auth.h */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "scopes.h"

/* Give NAME a bit (once). 0, or -1 past 64 names or out of memory. */
static int add_name(struct cxm_auth *a, const char *name)
{
    if (cxm_auth_scope_bit(a, name) >= 0)
        return 0;
    if (a->nscopes == 64)
        return -1;
    char **grown = realloc(a->scopes, (a->nscopes + 1) * sizeof *grown);
    if (!grown)
        return -1;
    a->scopes = grown;
    if (!(a->scopes[a->nscopes] = strdup(name)))
        return -1;
    a->nscopes++;
    return 0;
}

int cxm_auth_init(struct cxm_auth *a, const struct cxm_tenant *t)
{
    memset(a, 0, sizeof *a);
    a->tenant = t;
    strmap_init(&a->by_value);
    strmap_init(&a->by_refresh);
    for (const char *const *s = cxm_seed_scopes; *s; s++) /* what routes ask for */
        if (add_name(a, *s) < 0)
            goto error;
    for (size_t i = 0; i < t->naliases; i++)
        if (add_name(a, t->aliases[i].alias) < 0)
            goto error;
    for (size_t c = 0; c < t->nclients; c++)
        for (size_t i = 0; i < t->clients[c].nscopes; i++)
            if (add_name(a, t->clients[c].scopes[i]) < 0)
                goto error;
    return 0;
error:
    cxm_auth_free(a);
    return -1;
}

uint64_t cxm_auth_expand(const struct cxm_auth *a, uint64_t bits)
{
    for (size_t i = 0; i < a->tenant->naliases; i++) {
        const struct cxm_scope_alias *al = &a->tenant->aliases[i];
        int bit = cxm_auth_scope_bit(a, al->alias);
        if (bit < 0 || !(bits & (1ULL << bit)))
            continue;
        for (size_t k = 0; k < al->nscopes; k++) {
            int to = cxm_auth_scope_bit(a, al->scopes[k]);
            if (to >= 0)
                bits |= 1ULL << to;
        }
    }
    return bits;
}

struct holding {
    const struct cxm_auth *a;
    uint64_t bits;
};

static int holds(void *ctx, const char *name)
{
    const struct holding *h = ctx;
    int bit = cxm_auth_scope_bit(h->a, name);
    return bit >= 0 && (h->bits & (1ULL << bit));
}

int cxm_auth_missing(const struct cxm_auth *a, const struct cxm_token *t, const char *spec,
                     char *missing, size_t size)
{
    struct holding h = {a, t->scopes};
    return cxm_scope_missing(spec, holds, &h, missing, size);
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
    char missing[256];
    if (scope && cxm_auth_missing(a, t, scope, missing, sizeof missing) > 0)
        return CXM_AUTH_SCOPE;
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
