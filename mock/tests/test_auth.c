/* test_auth.c - OAuth rules on the manual clock, no sockets: AUTH-01 ... AUTH-05 and the
 * seeds' scope names, route by route (AUTH-07). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "scopes.h"
#include "simtest.h"

#define FORM_CC                                                                                    \
    "grant_type=client_credentials&client_id=cx-integration&client_secret=cx-integration-secret"
/* base64("cx-integration:cx-integration-secret") */
#define BASIC "Basic Y3gtaW50ZWdyYXRpb246Y3gtaW50ZWdyYXRpb24tc2VjcmV0"

static int setup(void **state)
{
    *state = st_new(NULL, 1);
    return 0;
}

static int teardown(void **state)
{
    st_free(*state);
    return 0;
}

/* AUTH-01: three aliases of one handler; Basic or form-field client credentials. */
static void test_AUTH_01_token_aliases_and_credentials(void **state)
{
    struct cxm_api *m = *state;
    const char *paths[] = {"/api/v2/oauth/token", "/oauth/token", "/oauth2/token"};
    for (int i = 0; i < 3; i++) {
        struct st_res *r = st_form(m, paths[i], NULL, FORM_CC);
        assert_int_equal(r->status, 200);
        assert_string_equal(ST_STR(r->body, "token_type"), "Bearer");
    }
    struct st_res *r = st_form(m, "/oauth/token", BASIC, "grant_type=client_credentials");
    assert_int_equal(r->status, 200);
    assert_int_equal(st_ledger_count(m, "TOKEN_ISSUED", NULL, NULL), 4);
    /* A JSON body is not a form. */
    r = st_call(m, "POST", "/oauth/token", NULL, "{\"grant_type\":\"client_credentials\"}");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "error"), "invalid_request");
}

/* AUTH-02: response shape, default TTL 3600, per-client TTL, password grant binds the agent,
 * refresh_token grant. */
static void test_AUTH_02_grants_and_response(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = st_form(m, "/oauth/token", NULL, FORM_CC);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->body, "expires_in")), 3600);
    assert_non_null(ST_STR(r->body, "access_token"));
    assert_non_null(ST_STR(r->body, "refresh_token"));
    assert_non_null(strstr(ST_STR(r->body, "scope"), "interaction:write"));
    char refresh[64];
    strcpy(refresh, ST_STR(r->body, "refresh_token"));

    r = st_form(m, "/oauth/token", NULL,
                "grant_type=client_credentials&client_id=cx-short-lived&client_secret=cx-short-"
                "lived-secret");
    assert_int_equal(json_integer_value(json_object_get(r->body, "expires_in")), 60);

    r = st_form(m, "/oauth/token", BASIC,
                "grant_type=password&username=ada%40example.test&password=ada-pass");
    assert_int_equal(r->status, 200);
    json_t *issued;
    st_ledger_count(m, "TOKEN_ISSUED", NULL, &issued);
    assert_string_equal(ST_STR(issued, "agentId"), "agent-voice-1");
    assert_string_equal(ST_STR(issued, "grant"), "password");

    r = st_form(m, "/oauth/token", BASIC,
                "grant_type=password&username=ada%40example.test&password=wrong");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "error"), "invalid_grant");

    char form[160];
    snprintf(form, sizeof form, "grant_type=refresh_token&refresh_token=%s", refresh);
    assert_int_equal(st_form(m, "/oauth/token", BASIC, form)->status, 200);
    /* A refresh token is single-use. */
    assert_int_equal(st_form(m, "/oauth/token", BASIC, form)->status, 400);
}

/* AUTH-03: bad credentials 401 invalid_client; unknown grant 400 unsupported_grant_type;
 * scope not granted 400 invalid_scope. Secrets never reach the ledger. */
static void test_AUTH_03_token_errors(void **state)
{
    struct cxm_api *m = *state;
    struct st_res *r = st_form(m, "/oauth/token", NULL,
                               "grant_type=client_credentials&client_id=cx-integration&client_"
                               "secret=nope");
    assert_int_equal(r->status, 401);
    assert_string_equal(ST_STR(r->body, "error"), "invalid_client");
    assert_non_null(strstr(r->www_authenticate, "Basic"));
    r = st_form(m, "/oauth/token", "Basic bm9ib2R5Om5vdGhpbmc=", "grant_type=client_credentials");
    assert_int_equal(r->status, 401);
    r = st_form(m, "/oauth/token", BASIC, "grant_type=magic");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "error"), "unsupported_grant_type");
    r = st_form(m, "/oauth/token", NULL,
                "grant_type=client_credentials&client_id=cx-readonly&client_secret=cx-readonly-"
                "secret&scope=interaction%3Aread+interaction%3Awrite");
    assert_int_equal(r->status, 400);
    assert_string_equal(ST_STR(r->body, "error"), "invalid_scope");
    r = st_form(m, "/oauth/token", NULL,
                "grant_type=client_credentials&client_id=cx-readonly&client_secret=cx-readonly-"
                "secret&scope=interaction%3Aread");
    assert_int_equal(r->status, 200);
    assert_string_equal(ST_STR(r->body, "scope"), "interaction:read");
    for (uint64_t seq = 1; seq <= m->sim.ledger.n; seq++)
        assert_null(strstr(cxm_ledger_get(&m->sim.ledger, seq), "secret"));
}

/* Issue 15: a token is not the seed's to give away. Two mocks with the same seed, and one mock
 * before and after a reset to its seed, issue different access and refresh tokens (they came
 * from the seeded PRNG: with the default seed the first token was the same cxm_c510c70f...
 * everywhere); they are "cxm_"/"cxr_" and 32 hex digits (128 bits); the ledger names them by
 * serial, the same in both mocks (SIM-02). A secret that differs from the right one only in
 * its last character, or is a prefix of it, is refused. */
static void test_AUTH_tokens_unguessable_from_the_seed(void **state)
{
    struct cxm_api *m = *state, *twin = st_new(NULL, 1);
    char first[3][80], refresh[3][80];
    struct cxm_api *mocks[2] = {m, twin};
    for (int i = 0; i < 2; i++) {
        struct st_res *r = st_form(mocks[i], "/oauth/token", NULL, FORM_CC);
        assert_int_equal(r->status, 200);
        snprintf(first[i], sizeof first[i], "%s", ST_STR(r->body, "access_token"));
        snprintf(refresh[i], sizeof refresh[i], "%s", ST_STR(r->body, "refresh_token"));
        assert_int_equal(strlen(first[i]), 36);
        assert_int_equal(strncmp(first[i], "cxm_", 4), 0);
        assert_int_equal(strspn(first[i] + 4, "0123456789abcdef"), 32);
        assert_int_equal(strncmp(refresh[i], "cxr_", 4), 0);
        assert_string_not_equal(first[i], refresh[i]);
    }
    assert_string_not_equal(first[0], first[1]);
    assert_string_not_equal(refresh[0], refresh[1]);
    assert_string_equal(cxm_ledger_get(&m->sim.ledger, 1), cxm_ledger_get(&twin->sim.ledger, 1));
    assert_non_null(strstr(cxm_ledger_get(&m->sim.ledger, 1), "\"token\":\"tok-1\""));
    assert_null(strstr(cxm_ledger_get(&m->sim.ledger, 1), first[0] + 4));
    st_free(twin);
    assert_int_equal(st_call(m, "POST", "/__admin/reset", NULL, "{\"seed\":1}")->status, 200);
    struct st_res *r = st_form(m, "/oauth/token", NULL, FORM_CC);
    assert_int_equal(r->status, 200);
    assert_string_not_equal(ST_STR(r->body, "access_token"), first[0]);

    static const char *const wrong[] = {"cx-integration-secreT", "cx-integration-secre",
                                        "cx-integration-secret!", ""};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        char form[200];
        snprintf(form, sizeof form,
                 "grant_type=client_credentials&client_id=cx-integration&client_secret=%s",
                 wrong[i]);
        assert_int_equal(st_form(m, "/oauth/token", NULL, form)->status, 401);
    }
    assert_int_equal(st_form(m, "/oauth/token", NULL,
                             "grant_type=password&client_id=cx-integration&client_secret=cx-"
                             "integration-secret&username=ada%40example.test&password=ada-pasS")
                         ->status,
                     400);
}

/* AUTH-04: missing, unknown, expired token 401; missing scope 403 insufficient_scope. */
static void test_AUTH_04_bearer_checks(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s", id);
    struct st_res *r = st_call(m, "GET", path, NULL, NULL);
    assert_int_equal(r->status, 401);
    assert_string_equal(ST_STR(r->body, "error"), "invalid_token");
    assert_int_equal(st_call(m, "GET", path, "Bearer cxm_forged", NULL)->status, 401);

    const char *ro = st_client(m, 0, "cx-readonly", "cx-readonly-secret");
    assert_int_equal(st_call(m, "GET", path, ro, NULL)->status, 200);
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", id);
    r = st_call(m, "POST", path, ro, "{\"agentId\":\"agent-voice-1\"}");
    assert_int_equal(r->status, 403);
    assert_string_equal(ST_STR(r->body, "error"), "insufficient_scope");

    const char *short_lived = st_client(m, 1, "cx-short-lived", "cx-short-lived-secret");
    snprintf(path, sizeof path, "/api/v2/interactions/%s", id);
    assert_int_equal(st_call(m, "GET", path, short_lived, NULL)->status, 200);
    st_advance(m, 59999);
    assert_int_equal(st_call(m, "GET", path, short_lived, NULL)->status, 200);
    st_advance(m, 1);
    r = st_call(m, "GET", path, short_lived, NULL);
    assert_int_equal(r->status, 401);
    assert_string_equal(ST_STR(r->body, "detail"), "token expired");
}

/* AUTH-05: revoke-previous rotation revokes the client's earlier tokens; keep does not. */
static void test_AUTH_05_rotation(void **state)
{
    struct cxm_api *m = *state;
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    char path[128];
    snprintf(path, sizeof path, "/api/v2/interactions/%s", id);
    const char *a = st_client(m, 0, "cx-rotating", "cx-rotating-secret");
    assert_int_equal(st_call(m, "GET", path, a, NULL)->status, 200);
    const char *b = st_client(m, 1, "cx-rotating", "cx-rotating-secret");
    struct st_res *r = st_call(m, "GET", path, a, NULL);
    assert_int_equal(r->status, 401);
    assert_string_equal(ST_STR(r->body, "detail"), "token revoked");
    assert_int_equal(st_call(m, "GET", path, b, NULL)->status, 200);
    json_t *rev;
    assert_int_equal(st_ledger_count(m, "TOKEN_REVOKED", NULL, &rev), 1);
    assert_string_equal(ST_STR(rev, "clientId"), "cx-rotating");
    assert_string_equal(ST_STR(rev, "token"), "tok-1");
    assert_string_equal(ST_STR(rev, "by"), "tok-2");

    const char *k1 = st_client(m, 2, "cx-integration", "cx-integration-secret");
    st_client(m, 3, "cx-integration", "cx-integration-secret");
    assert_int_equal(st_call(m, "GET", path, k1, NULL)->status, 200);
}

/* A token of cx-integration for exactly SCOPE (its request's scope parameter, form-encoded),
 * as "Bearer ..." in BUF; the response's status. */
static int token_for(struct cxm_api *m, const char *scope, char *buf, size_t size)
{
    char form[1024];
    snprintf(form, sizeof form, "%s&scope=%s", FORM_CC, scope);
    struct st_res *r = st_form(m, "/oauth/token", NULL, form);
    if (r->status == 200)
        snprintf(buf, size, "Bearer %s", ST_STR(r->body, "access_token"));
    return r->status;
}

/* AUTH-07: each seed's own token request is granted, and what that seed's integration then
 * calls answers: 000 accept (interaction:read interaction:write agent:control, '+' for
 * spaces as the seed writes it), 001 inject and read the routing queue and the attribute
 * schema (routing:contacts:write routing:queues:read, %20 as the seed writes it), 002 read and
 * PATCH a routing contact and read its queue, 003 the agent-state calls. */
static void test_AUTH_07_seed_token_requests(void **state)
{
    struct cxm_api *m = *state;
    char t000[128], t001[128], t002[128], t003[128], path[160];
    assert_int_equal(st_form(m, "/api/v2/oauth/token", BASIC,
                             "grant_type=client_credentials&scope=interaction:read+"
                             "interaction:write+agent:control")
                         ->status,
                     200);
    assert_int_equal(
        token_for(m, "interaction:read+interaction:write+agent:control", t000, sizeof t000), 200);
    assert_int_equal(
        token_for(m, "routing:contacts:write%20routing:queues:read", t001, sizeof t001), 200);
    assert_int_equal(token_for(m,
                               "routing:contact:read%20routing:contact:write%20"
                               "routing:queue:read",
                               t002, sizeof t002),
                     200);
    assert_int_equal(token_for(m,
                               "users:state:view%20users:state:write%20schedules:view%20"
                               "breaks:view",
                               t003, sizeof t003),
                     200);
    const char *id = st_create(m, 0, "voice", "q-fifo", NULL);
    snprintf(path, sizeof path, "/api/v2/interactions/%s/accept", id);
    assert_int_equal(st_call(m, "POST", path, t000, "{\"agentId\":\"agent-voice-1\"}")->status,
                     200);
    struct st_res *r = st_call(m, "POST", "/api/v2/routing/contacts", t001,
                               "{\"channel\":\"voice\",\"queueId\":\"q-priority\"}");
    assert_int_equal(r->status, 201);
    char contact[64];
    snprintf(contact, sizeof contact, "%s", ST_STR(r->body, "id"));
    assert_int_equal(st_call(m, "GET", "/api/v2/routing/queues/q-fifo", t001, NULL)->status, 200);
    assert_int_equal(st_call(m, "GET", "/api/v2/contacts/attributes", t001, NULL)->status, 200);
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", contact);
    assert_int_equal(st_call(m, "GET", path, t002, NULL)->status, 200);
    assert_int_equal(st_call(m, "PATCH", path, t002, "{\"priority\":9}")->status, 200);
    assert_int_equal(st_call(m, "GET", "/api/v2/routing/queues/q-fifo", t002, NULL)->status, 200);
    assert_int_equal(
        st_call(m, "POST", "/api/v2/users/agent-away/state", t003, "{\"state\":\"READY\"}")->status,
        200);
    assert_int_equal(st_call(m, "GET", "/api/v2/users/agent-away/state", t003, NULL)->status, 200);
    assert_int_equal(st_call(m, "GET", "/api/v2/schedules/users/agent-away", t003, NULL)->status,
                     200);
    assert_int_equal(
        st_call(m, "GET", "/api/v2/breaks/users/agent-away/status", t003, NULL)->status, 200);
    /* an invented name is no scope of the platform */
    assert_int_equal(token_for(m, "routing:write", t000, sizeof t000), 400);
}

/* AUTH-04, AUTH-07: every route's scopes, the seeds' names (the table of docs/rules.md): a
 * token holding every other scope is refused 403 insufficient_scope, naming what is missing,
 * with the need in "scope" and in WWW-Authenticate (RFC 6750). */
static void test_AUTH_07_each_route_names_its_scopes(void **state)
{
    struct cxm_api *m = *state;
    static const struct {
        const char *method, *path, *need, *missing;
    } routes[] = {
        {"GET", "/api/v2/interactions/x", "interaction:read", "interaction:read"},
        {"POST", "/api/v2/interactions/x/accept", "interaction:write agent:control",
         "agent:control"},
        {"POST", "/api/v2/interactions/x/reject", "interaction:write agent:control",
         "agent:control"},
        {"GET", "/api/v2/queues/x", "interaction:read", "interaction:read"},
        {"GET", "/api/v2/queues/x/stats", "interaction:read", "interaction:read"},
        {"GET", "/api/v2/events", "interaction:read", "interaction:read"},
        {"POST", "/api/v2/routing/contacts", "routing:contacts:write", "routing:contacts:write"},
        {"GET", "/api/v2/routing/contacts/x", "routing:contact:read", "routing:contact:read"},
        {"PATCH", "/api/v2/routing/contacts/x", "routing:contact:write", "routing:contact:write"},
        {"GET", "/api/v2/routing/queues/x", "routing:queues:read|routing:queue:read",
         "routing:queues:read or routing:queue:read"},
        {"GET", "/api/v2/contacts/attributes", "contacts:attributes:read|routing:contacts:write",
         "contacts:attributes:read or routing:contacts:write"},
        {"POST", "/api/v2/users/x/state", "users:state:write", "users:state:write"},
        {"GET", "/api/v2/users/x/state", "users:state:view", "users:state:view"},
        {"GET", "/api/v2/schedules/users/x", "schedules:view", "schedules:view"},
        {"GET", "/api/v2/breaks/users/x/status", "breaks:view", "breaks:view"},
        {"GET", "/api/v2/interactions", "interaction:read", "interaction:read"},
        {"GET", "/api/v2/me/interactions", "interaction:read", "interaction:read"},
        {"PUT", "/api/v2/interactions/x", "interaction:write", "interaction:write"},
        {"POST", "/api/v2/me/interactions/x", "interaction:write", "interaction:write"},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        char scope[1024] = "", bearer[128], want[300];
        size_t at = 0;
        char missing[300];
        snprintf(missing, sizeof missing, " %s ", routes[i].missing);
        for (const char *const *s = cxm_seed_scopes; *s; s++) { /* all but what it lacks */
            char padded[128];
            snprintf(padded, sizeof padded, " %s ", *s);
            if (!strstr(missing, padded))
                at += (size_t)snprintf(scope + at, sizeof scope - at, "%s%s", at ? "%20" : "", *s);
        }
        assert_int_equal(token_for(m, scope, bearer, sizeof bearer), 200);
        struct st_res *r = st_call(m, routes[i].method, routes[i].path, bearer,
                                   strcmp(routes[i].method, "GET") ? "{}" : NULL);
        if (r->status != 403)
            fail_msg("%s %s with every scope but %s: %d", routes[i].method, routes[i].path,
                     routes[i].missing, r->status);
        assert_string_equal(ST_STR(r->body, "error"), "insufficient_scope");
        snprintf(want, sizeof want, "the token lacks %s", routes[i].missing);
        if (!strstr(ST_STR(r->body, "detail"), want))
            fail_msg("%s %s: %s", routes[i].method, routes[i].path, ST_STR(r->body, "detail"));
        assert_string_equal(ST_STR(r->body, "scope"), routes[i].need);
        assert_non_null(strstr(r->www_authenticate, "error=\"insufficient_scope\""));
    }
}

/* AUTH-07: a fixture's alias stands for the seed names it lists; a client holding it may ask
 * for those names, and its token passes their checks (and no others). */
static void test_AUTH_07_aliases(void **state)
{
    (void)state;
    struct cxm_api *m =
        st_new("{\"scopeAliases\":{\"routing:write\":[\"routing:contacts:write\","
               "\"routing:contact:write\"],\"crm\":\"interaction:read\"},"
               "\"clients\":[{\"clientId\":\"cx-integration\",\"clientSecret\":\"cx-integration-"
               "secret\",\"scopes\":[\"routing:write\",\"crm\"]}],\"agents\":[{\"id\":\"a\"}],"
               "\"queues\":[{\"id\":\"q\"}]}",
               1);
    char all[128], one[128], path[128];
    assert_int_equal(token_for(m, "", all, sizeof all), 200);
    struct st_res *r = st_call(m, "POST", "/api/v2/routing/contacts", all,
                               "{\"channel\":\"voice\",\"queueId\":\"q\"}");
    assert_int_equal(r->status, 201);
    snprintf(path, sizeof path, "/api/v2/routing/contacts/%s", ST_STR(r->body, "id"));
    assert_int_equal(st_call(m, "PATCH", path, all, "{\"priority\":5}")->status, 200);
    r = st_call(m, "GET", path, all, NULL); /* routing:contact:read: not in the alias */
    assert_int_equal(r->status, 403);
    assert_non_null(strstr(ST_STR(r->body, "detail"), "the token lacks routing:contact:read"));
    assert_int_equal(token_for(m, "routing:contact:write", one, sizeof one), 200); /* via alias */
    assert_int_equal(st_call(m, "PATCH", path, one, "{\"priority\":6}")->status, 200);
    assert_int_equal(st_call(m, "POST", "/api/v2/routing/contacts", one,
                             "{\"channel\":\"voice\",\"queueId\":\"q\"}")
                         ->status,
                     403);
    assert_int_equal(token_for(m, "interaction:write", one, sizeof one), 400); /* not granted */
    st_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_AUTH_01_token_aliases_and_credentials, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_02_grants_and_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_03_token_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_tokens_unguessable_from_the_seed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_04_bearer_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_05_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_07_seed_token_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_07_each_route_names_its_scopes, setup, teardown),
        cmocka_unit_test(test_AUTH_07_aliases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
