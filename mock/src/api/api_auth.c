/* api_auth.c - the OAuth token endpoint (AUTH-01 ... AUTH-05) and the bearer check (AUTH-04).
 *
 * Secrets stay here: client secrets and passwords are compared and forgotten, token values go
 * only into the token response. The ledger names tokens by serial. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "scopes.h"
#include "base64.h"
#include "osrandom.h"
#include "secret.h"

#define MAX_FORM_FIELDS 16

struct form {
    char *name[MAX_FORM_FIELDS];
    char *value[MAX_FORM_FIELDS];
    int n;
};

/* x-www-form-urlencoded decoding of n bytes into a new string; NULL if out of memory or not
 * text the mock takes (cxm_url_decode: a bad '%', a %00, not UTF-8). */
static char *form_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out && cxm_url_decode(out, s, n, 1) < 0) {
        free(out);
        out = NULL;
    }
    return out;
}

static void form_free(struct form *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->name[i]);
        free(f->value[i]);
    }
    f->n = 0;
}

enum form_result { FORM_OK, FORM_TOO_MANY, FORM_NOT_TEXT };

static enum form_result form_parse(const char *body, size_t len, struct form *f)
{
    f->n = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        if (end > i) {
            if (f->n == MAX_FORM_FIELDS)
                return FORM_TOO_MANY;
            const char *eq = memchr(body + i, '=', end - i);
            size_t nlen = eq ? (size_t)(eq - (body + i)) : end - i;
            f->name[f->n] = form_decode(body + i, nlen);
            f->value[f->n] = eq ? form_decode(eq + 1, (size_t)(body + end - eq - 1)) : strdup("");
            if (!f->name[f->n++] || !f->value[f->n - 1])
                return FORM_NOT_TEXT;
        }
        i = end + 1;
    }
    return FORM_OK;
}

static const char *form_get(const struct form *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (f->name[i] && strcmp(f->name[i], name) == 0)
            return f->value[i];
    return NULL;
}

static int find_client(const struct cxm_tenant *t, const char *id)
{
    for (size_t i = 0; i < t->nclients; i++)
        if (strcmp(t->clients[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* Client authentication: HTTP Basic or client_id/client_secret fields (AUTH-01). Returns the
 * client index or -1. */
static int authenticate_client(const struct cxm_tenant *t, const struct cxm_req *rq,
                               const struct form *f)
{
    char decoded[512];
    const char *id = NULL, *secret = NULL;
    if (rq->authorization && strncasecmp(rq->authorization, "Basic ", 6) == 0) {
        const char *b64 = rq->authorization + 6;
        size_t n = strlen(b64), got = 0;
        while (n > 0 && (b64[n - 1] == ' ' || b64[n - 1] == '\t'))
            n--;
        if (n / 4 * 3 + 2 >= sizeof decoded || cx_b64_decode(b64, n, (uint8_t *)decoded, &got) < 0)
            return -1;
        decoded[got] = '\0';
        char *colon = strchr(decoded, ':');
        if (!colon)
            return -1;
        *colon = '\0';
        id = decoded;
        secret = colon + 1;
    } else {
        id = form_get(f, "client_id");
        secret = form_get(f, "client_secret");
    }
    if (!id || !secret)
        return -1;
    int c = find_client(t, id);
    if (c < 0 || !cx_secret_equal(secret, t->clients[c].secret))
        return -1;
    return c;
}

/* Scopes requested (space-separated) as a bit set; all the client's when absent. Returns 0, or
 * -1 if one is not granted to the client (AUTH-03 invalid_scope). */
static int requested_scopes(const struct cxm_auth *a, const struct cxm_client *client,
                            const char *scope, uint64_t *bits)
{
    uint64_t granted = 0;
    for (size_t i = 0; i < client->nscopes; i++)
        granted |= 1ULL << cxm_auth_scope_bit(a, client->scopes[i]);
    granted = cxm_auth_expand(a, granted); /* an alias grants the seed names it stands for */
    if (!scope || !*scope) {
        *bits = granted;
        return 0;
    }
    *bits = 0;
    char *copy = strdup(scope), *save = NULL;
    if (!copy)
        return -1;
    int rc = 0;
    for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        int bit = cxm_auth_scope_bit(a, tok);
        if (bit < 0 || !(granted & (1ULL << bit))) {
            rc = -1;
            break;
        }
        *bits |= 1ULL << bit;
    }
    free(copy);
    *bits = cxm_auth_expand(a, *bits);
    return rc;
}

static json_t *scope_string(const struct cxm_auth *a, uint64_t bits)
{
    char buf[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < a->nscopes; i++)
        if (bits & (1ULL << i))
            len +=
                (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? " " : "", a->scopes[i]);
    return json_string(buf);
}

struct revoke_ctx {
    struct cxm_sim *sim;
    uint64_t by;
};

static void record_revoke(void *ctx, const struct cxm_token *t)
{
    struct revoke_ctx *rc = ctx;
    char name[32], by[32];
    snprintf(name, sizeof name, "tok-%llu", (unsigned long long)t->serial);
    snprintf(by, sizeof by, "tok-%llu", (unsigned long long)rc->by);
    cxm_sim_record(rc->sim, "TOKEN_REVOKED",
                   json_pack("{ss ss ss}", "clientId", rc->sim->tenant->clients[t->client].id,
                             "token", name, "by", by));
}

static void issue(struct cxm_api *api, int client, int agent, uint64_t scopes, const char *grant,
                  struct cxm_resp *rs)
{
    struct cxm_sim *s = &api->sim;
    const struct cxm_client *c = &s->tenant->clients[client];
    int ttl_s = c->token_ttl_s > 0 ? c->token_ttl_s : s->tenant->token_ttl_s;
    /* Token values from the kernel's CSPRNG, never the seeded PRNG (SIM-02 draws nothing for
     * them, and the ledger names tokens by serial): nobody can work out a token from the seed. */
    char value[CXM_TOKEN_CHARS] = "cxm_", refresh[CXM_TOKEN_CHARS] = "cxr_";
    if (cx_os_random_hex(value + 4, 16) < 0 || cx_os_random_hex(refresh + 4, 16) < 0) {
        cxm_respond(rs, 503,
                    cxm_err("unavailable", "no randomness for a token: %s", strerror(errno)));
        return;
    }
    if (s->auth.n >= 1024 && (s->auth.n & (s->auth.n - 1)) == 0)
        cxm_auth_sweep(&s->auth, s->now); /* bounded memory: drop the expired */
    uint64_t serial = s->next_token_serial++;
    long t = cxm_auth_add(&s->auth, value, refresh, serial, client, agent, scopes, s->now,
                          (int64_t)ttl_s * 1000);
    if (t < 0) {
        cxm_respond(rs, 500, cxm_err("internal_error", "out of memory"));
        return;
    }
    char name[32];
    snprintf(name, sizeof name, "tok-%llu", (unsigned long long)serial);
    cxm_sim_record(s, "TOKEN_ISSUED",
                   json_pack("{ss ss ss so sI}", "clientId", c->id, "grant", grant, "token", name,
                             "agentId",
                             agent >= 0 ? json_string(s->model.agents[agent].def->id) : json_null(),
                             "expiresT", (json_int_t)(s->now + (int64_t)ttl_s * 1000)));
    if (c->rotation == CXM_ROTATION_REVOKE_PREVIOUS) { /* AUTH-05 */
        struct revoke_ctx rc = {s, serial};
        cxm_auth_revoke_client(&s->auth, client, t, record_revoke, &rc);
    }
    rs->no_store = true;
    cxm_respond(rs, 200,
                json_pack("{ss ss si ss so}", "access_token", value, "token_type", "Bearer",
                          "expires_in", (int)cxm_clock_told_lifetime_s(&s->clock, ttl_s),
                          "refresh_token", refresh, "scope", scope_string(&s->auth, scopes)));
}

void cxm_api_token(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_req *rq = c->rq;
    struct cxm_resp *rs = c->rs;
    struct cxm_sim *s = &api->sim;
    struct form f = {0};
    if (rq->content_type &&
        strncasecmp(rq->content_type, "application/x-www-form-urlencoded", 33) != 0) {
        cxm_respond(rs, 400,
                    json_pack("{ss ss}", "error", "invalid_request", "error_description",
                              "the body must be application/x-www-form-urlencoded"));
        return;
    }
    enum form_result parsed = form_parse(rq->body ? rq->body : "", rq->body_len, &f);
    if (parsed != FORM_OK) {
        cxm_respond(rs, 400,
                    json_pack("{ss ss}", "error", "invalid_request", "error_description",
                              parsed == FORM_TOO_MANY
                                  ? "too many form fields"
                                  : "a form field is not valid percent-encoding of UTF-8 text "
                                    "(a '%' needs two hex digits; %00 is refused)"));
        goto out;
    }
    int client = authenticate_client(s->tenant, rq, &f);
    if (client < 0) { /* AUTH-03 */
        snprintf(rs->www_authenticate, sizeof rs->www_authenticate, "Basic realm=\"cxmock\"");
        cxm_respond(rs, 401, json_pack("{ss}", "error", "invalid_client"));
        goto out;
    }
    const char *grant = form_get(&f, "grant_type");
    if (!grant) {
        cxm_respond(rs, 400,
                    json_pack("{ss ss}", "error", "invalid_request", "error_description",
                              "grant_type is required"));
        goto out;
    }
    uint64_t scopes;
    if (requested_scopes(&s->auth, &s->tenant->clients[client], form_get(&f, "scope"), &scopes) <
        0) {
        cxm_respond(rs, 400, json_pack("{ss}", "error", "invalid_scope"));
        goto out;
    }
    if (strcmp(grant, "client_credentials") == 0) {
        issue(api, client, -1, scopes, grant, rs);
    } else if (strcmp(grant, "password") == 0) { /* AUTH-02: bound to the agent */
        const char *user = form_get(&f, "username"), *pass = form_get(&f, "password");
        int agent = user ? cxm_model_agent_by_email(&s->model, user) : -1;
        if (agent < 0 || !pass || !s->model.agents[agent].def->password ||
            !cx_secret_equal(pass, s->model.agents[agent].def->password)) {
            cxm_respond(rs, 400,
                        json_pack("{ss ss}", "error", "invalid_grant", "error_description",
                                  "bad agent username or password"));
            goto out;
        }
        issue(api, client, agent, scopes, grant, rs);
    } else if (strcmp(grant, "refresh_token") == 0) {
        const char *refresh = form_get(&f, "refresh_token");
        long t = refresh ? cxm_auth_by_refresh(&s->auth, refresh) : -1;
        if (t < 0 || s->auth.tokens[t].client != client || s->auth.tokens[t].refresh_used) {
            cxm_respond(rs, 400,
                        json_pack("{ss ss}", "error", "invalid_grant", "error_description",
                                  "unknown, used or foreign refresh token"));
            goto out;
        }
        s->auth.tokens[t].refresh_used = true;
        uint64_t keep = s->auth.tokens[t].scopes;
        if (!form_get(&f, "scope"))
            scopes = keep;
        else if ((scopes & ~keep) != 0) {
            cxm_respond(rs, 400, json_pack("{ss}", "error", "invalid_scope"));
            goto out;
        }
        issue(api, client, s->auth.tokens[t].agent, scopes, grant, rs);
    } else {
        cxm_respond(rs, 400, json_pack("{ss}", "error", "unsupported_grant_type"));
    }
out:
    form_free(&f);
}

const struct cxm_token *cxm_require_token(struct cxm_api *api, const struct cxm_req *rq,
                                          const char *scope, struct cxm_resp *rs)
{
    const struct cxm_token *tok = NULL;
    enum cxm_auth_result r =
        cxm_auth_check(&api->sim.auth, rq->authorization, scope, api->sim.now, &tok);
    static const char *const why[] = {"", "missing bearer token", "unknown token", "token expired",
                                      "token revoked"};
    switch (r) {
    case CXM_AUTH_OK:
        return tok;
    case CXM_AUTH_SCOPE: {
        char need[256], missing[256], primary[200];
        cxm_scope_describe(scope, need, sizeof need);
        cxm_scope_primary(scope, primary, sizeof primary);
        cxm_auth_missing(&api->sim.auth, tok, scope, missing, sizeof missing);
        snprintf(rs->www_authenticate, sizeof rs->www_authenticate,
                 "Bearer realm=\"cxmock\", error=\"insufficient_scope\", scope=\"%s\"", primary);
        json_t *body =
            cxm_err("insufficient_scope", "this call needs %s; the token lacks %s", need, missing);
        json_object_set_new(body, "scope", json_string(scope));
        cxm_respond(rs, 403, body);
        return NULL;
    }
    default:
        snprintf(rs->www_authenticate, sizeof rs->www_authenticate, "Bearer realm=\"cxmock\"");
        cxm_respond(rs, 401, cxm_err("invalid_token", "%s", why[r]));
        return NULL;
    }
}
