/* auth.h - OAuth clients and bearer tokens (AUTH-01 ... AUTH-05).
 *
 * Tokens are opaque random strings from the mock's PRNG, valid until their expiry on the mock
 * clock, or until revoked when their client rotates with "revoke-previous" (AUTH-05). A token
 * carries its client, its bound agent (password grant) and its scopes as a bit set over the
 * seeds' scope names, the fixture's aliases and whatever its clients hold (AUTH-07). Values never
 * leave this module except in the token response itself: logs and the ledger name a token by its
 * serial ("tok-7").
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strmap.h"
#include "tenant.h"

#define CXM_TOKEN_CHARS 40 /* "cxm_" + 32 hex + NUL fits */

struct cxm_token {
    char value[CXM_TOKEN_CHARS];
    char refresh[CXM_TOKEN_CHARS];
    uint64_t serial;
    int client;      /* index in the tenant's clients */
    int agent;       /* bound agent (password grant), or -1 */
    uint64_t scopes; /* bit set over auth->scopes */
    int64_t issued, expires;
    bool revoked;
    bool refresh_used;
};

struct cxm_auth {
    const struct cxm_tenant *tenant;
    char **scopes; /* the seeds' scope names, the aliases, the clients': at most 64 */
    size_t nscopes;
    struct cxm_token *tokens;
    size_t n, cap;
    struct strmap by_value;   /* access token -> index */
    struct strmap by_refresh; /* refresh token -> index */
};

enum cxm_auth_result {
    CXM_AUTH_OK,
    CXM_AUTH_MISSING, /* no "Authorization: Bearer" */
    CXM_AUTH_UNKNOWN, /* not a token we issued */
    CXM_AUTH_EXPIRED,
    CXM_AUTH_REVOKED,
    CXM_AUTH_SCOPE, /* valid, but lacks the endpoint's scope */
};

/* Returns 0, or -1 if the tenant uses more than 64 scope names or memory ran out. */
int cxm_auth_init(struct cxm_auth *a, const struct cxm_tenant *t);
void cxm_auth_free(struct cxm_auth *a);

/* Bit of a scope name, or -1 if no client holds it. */
int cxm_auth_scope_bit(const struct cxm_auth *a, const char *scope);

/* The bits of BITS with every alias's seed names added (a token holding an alias holds them). */
uint64_t cxm_auth_expand(const struct cxm_auth *a, uint64_t bits);

/* The needs of the scope SPEC (scopes.h) token T does not meet, described into MISSING; how
 * many (0: all met). */
int cxm_auth_missing(const struct cxm_auth *a, const struct cxm_token *t, const char *spec,
                     char *missing, size_t size);

/* Check an Authorization header value for a call that needs the scope spec `scope` (scopes.h;
 * NULL: any valid token). On OK or SCOPE, *tok points at the token (valid until the next
 * issue). */
enum cxm_auth_result cxm_auth_check(const struct cxm_auth *a, const char *authorization,
                                    const char *scope, int64_t now, const struct cxm_token **tok);

/* Store a new token; value and refresh are the caller's random strings. Returns its index or
 * -1 if out of memory. Does not revoke: see cxm_auth_revoke_client. */
long cxm_auth_add(struct cxm_auth *a, const char *value, const char *refresh, uint64_t serial,
                  int client, int agent, uint64_t scopes, int64_t now, int64_t ttl_ms);

/* Revoke every live token of a client except `keep` (an index, or -1). Calls on_revoke for each
 * one revoked. Returns how many. */
size_t cxm_auth_revoke_client(struct cxm_auth *a, int client, long keep,
                              void (*on_revoke)(void *ctx, const struct cxm_token *t), void *ctx);

/* Token holding refresh token `refresh`, or -1. */
long cxm_auth_by_refresh(const struct cxm_auth *a, const char *refresh);

/* Drop expired and revoked tokens (bounded memory); indexes change. */
void cxm_auth_sweep(struct cxm_auth *a, int64_t now);

#endif
