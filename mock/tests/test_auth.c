/* test_auth.c - OAuth rules on the manual clock, no sockets: AUTH-01 ... AUTH-05. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_AUTH_01_token_aliases_and_credentials, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_02_grants_and_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_03_token_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_04_bearer_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_AUTH_05_rotation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
