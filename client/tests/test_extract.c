/* test_extract.c - extraction paths: what the load-time check accepts and refuses, and what
 * evaluation returns for bodies, headers and statuses (absent values are NULL). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extract.h"

static void check_accepts_the_documented_forms(void **state)
{
    static const char *const good[] = {
        "$",          "$.agentId",           "$.a.b[0].c",  "$[0]",          "$.items[12][3]",
        "$.a-b_c.D9", "$[\"x.y\"]",          "$.a[\"\"]",   "$[\"q\\\"t\"]", "$[\"b\\\\s\"].z",
        "status",     "header:X-Request-Id", "header:etag", "$.0",
    };
    struct cx_error e;

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        printf("# %s\n", good[i]);
        if (extract_check(good[i], &e) != 0)
            fail_msg("%s refused: %s", good[i], e.text);
    }
}

static void check_refuses_with_a_message(void **state)
{
    static const struct {
        const char *from, *msg; /* msg: a substring of the error */
    } bad[] = {
        {"", "expected \"$\""},
        {"agentId", "expected \"$\""},
        {"$agentId", "(character 2)"},
        {"$.", "expected a member name"},
        {"$..a", "expected a member name"},
        {"$.a b", "(character 4)"},
        {"$.a[", "non-negative integer index"},
        {"$.a[-1]", "non-negative integer index"},
        {"$.a[1", "non-negative integer index"},
        {"$.a[x]", "non-negative integer index"},
        {"$.a[1234567890]", "too large"},
        {"$[\"open", "closing"},
        {"$[\"x\"", "closing"},
        {"$[\"a\\n\"]", "backslash"},
        {"$.é", "expected a member name"},
        {"header:", "header name"},
        {"header:X Y", "header name"},
        {"Status", "expected \"$\""},
        {"status ", "expected \"$\""},
    };
    struct cx_error e;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        printf("# %s\n", bad[i].from);
        assert_int_equal(extract_check(bad[i].from, &e), -1);
        if (!strstr(e.text, bad[i].msg))
            fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].from, e.text, bad[i].msg);
    }
}

static const char *headers(void *ctx, const char *name)
{
    static const char *const h[][2] = {{"X-Request-Id", "req-7"}, {"Retry-After", "2"}};

    (*(int *)ctx)++;
    for (size_t i = 0; i < 2; i++)
        if (strcasecmp(h[i][0], name) == 0)
            return h[i][1];
    return NULL;
}

/* Evaluate FROM and compare with the JSON text WANT ("" = absent). */
static void check_eval(const json_t *body, const char *from, const char *want)
{
    int calls = 0;
    json_t *got = extract_eval(from, body, 202, headers, &calls);
    char *text = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

    printf("# %s\n", from);
    if (strcmp(text ? text : "", want) != 0)
        fail_msg("%s: got %s, want %s", from, text ? text : "(absent)", *want ? want : "(absent)");
    free(text);
    json_decref(got);
}

static void eval_walks_bodies_headers_and_status(void **state)
{
    json_t *body = json_loads("{\"agentId\": \"agent-voice-1\", \"n\": 3, \"ok\": true,"
                              " \"nil\": null, \"items\": [{\"id\": \"a\"}, {\"id\": \"b\"}],"
                              " \"x.y\": {\"q\\\"t\": 1}, \"0\": \"zero\"}",
                              0, NULL);

    assert_non_null(body);
    check_eval(body, "$.agentId", "\"agent-voice-1\"");
    check_eval(body, "$.n", "3");
    check_eval(body, "$.ok", "true");
    check_eval(body, "$.nil", "null");
    check_eval(body, "$.items[1].id", "\"b\"");
    check_eval(body, "$.items[0]", "{\"id\":\"a\"}");
    check_eval(body, "$[\"x.y\"][\"q\\\"t\"]", "1");
    check_eval(body, "$.0", "\"zero\"");
    check_eval(body, "$.items[2]", "");
    check_eval(body, "$.missing.deeper", "");
    check_eval(body, "$.agentId.inner", "");
    check_eval(body, "$.items.id", "");
    check_eval(body, "$[0]", "");
    check_eval(body, "status", "202");
    check_eval(body, "header:x-request-id", "\"req-7\"");
    check_eval(body, "header:X-Missing", "");
    check_eval(body, "$.a..b", "");
    check_eval(body, "bogus", "");

    /* "$" is a deep copy: changing it leaves the body alone. */
    json_t *whole = extract_eval("$", body, 200, NULL, NULL);
    assert_true(json_equal(whole, body));
    json_array_clear(json_object_get(whole, "items"));
    assert_int_equal(json_array_size(json_object_get(body, "items")), 2);
    json_decref(whole);
    json_decref(body);
}

static void eval_without_a_json_body_or_headers(void **state)
{
    int calls = 0;

    assert_null(extract_eval("$.a", NULL, 500, headers, &calls));
    assert_null(extract_eval("$", NULL, 500, headers, &calls));
    assert_int_equal(calls, 0);
    assert_null(extract_eval("header:X-Request-Id", NULL, 500, NULL, NULL));
    json_t *st = extract_eval("status", NULL, 500, NULL, NULL);
    assert_int_equal(json_integer_value(st), 500);
    json_decref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_accepts_the_documented_forms),
        cmocka_unit_test(check_refuses_with_a_message),
        cmocka_unit_test(eval_walks_bodies_headers_and_status),
        cmocka_unit_test(eval_without_a_json_body_or_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
