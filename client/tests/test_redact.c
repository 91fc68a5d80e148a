/* test_redact.c - the environment's values shown as «env:NAME» (redact.h, issue 15): which
 * values are secrets, a value of REDACT_MIN bytes or more anywhere, a shorter one only as a
 * whole string, the longer of two first, a second pass changing nothing, JSON values at any
 * depth, a ledger's lines rewritten with the rest kept byte for byte; and the excerpt of an
 * answer (excerpt.h) showing them so. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cxtest.h"
#include "excerpt.h"
#include "redact.h"

#define L REDACT_OPEN "env:"
#define R REDACT_CLOSE

/* The secrets of the tests: TOKEN and TOK from --env FILE, SHORT and EMPTY referenced by the
 * scenario, HOME neither (not a secret). */
static void init(struct redact *r)
{
    json_t *env =
        json_pack("{ss ss ss ss ss ss}", "TOKEN", "s3cr3t-token", "TOK", "s3cr3t", "SHORT", "ab",
                  "EMPTY", "", "HOME", "/home/someone", "QUOTE", "say \"hi\"\\now");
    json_t *file = json_pack("{sb sb sb}", "TOKEN", 1, "TOK", 1, "QUOTE", 1);
    json_t *refs = json_pack("{sb sb sb}", "SHORT", 1, "EMPTY", 1, "TOKEN", 1);
    assert_int_equal(redact_init(r, env, file, refs), 0);
    json_decref(env);
    json_decref(file);
    json_decref(refs);
    assert_int_equal(r->n, 4); /* TOKEN once, TOK, QUOTE, SHORT; not EMPTY, not HOME */
}

/* TEXT as a record shows it. */
static char *shown(const struct redact *r, const char *text)
{
    char *s = strdup(text);
    redact_own(r, &s);
    return s;
}

static void values(void **state)
{
    (void)state;
    struct redact r;
    init(&r);
    char *s = shown(&r, "GET /x/s3cr3t-token/y?k=s3cr3t&home=/home/someone");
    assert_string_equal(s, "GET /x/" L "TOKEN" R "/y?k=" L "TOK" R "&home=/home/someone");
    char *again = shown(&r, s); /* a second pass: nothing changes */
    assert_string_equal(again, s);
    free(again);
    free(s);
    s = shown(&r, "ab"); /* a short value: as a whole string only */
    assert_string_equal(s, L "SHORT" R);
    free(s);
    s = shown(&r, "abc-ab-1");
    assert_string_equal(s, "abc-ab-1");
    free(s);
    s = shown(&r, "nothing here");
    assert_string_equal(s, "nothing here");
    free(s);
    assert_null(redact_text(NULL, "s3cr3t", 6, NULL, NULL)); /* no secrets: nothing to do */
    redact_free(&r);
}

static void json_values(void **state)
{
    (void)state;
    struct redact r;
    init(&r);
    json_t *j =
        json_pack("{s{ss s[ss]} ss si ss}", "attributes", "string:ref", "x-s3cr3t-token", "list",
                  "ab", "say \"hi\"\\now", "s3cr3t", "kept", "n", 12, "short", "ab");
    redact_json(&r, j);
    char *d = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(d, "{\"attributes\":{\"string:ref\":\"x-" L "TOKEN" R "\",\"list\":[\"" L
                           "SHORT" R "\",\"" L "QUOTE" R "\"]},\"s3cr3t\":\"kept\",\"n\":12,"
                           "\"short\":\"" L "SHORT" R "\"}"); /* keys are not values */
    free(d);
    json_decref(j);
    redact_free(&r);
}

static void jsonl_file(void **state)
{
    (void)state;
    struct redact r;
    init(&r);
    char dir[256], path[320];
    assert_int_equal(cxt_tmpdir(dir, sizeof dir, "cxload-redact"), 0);
    snprintf(path, sizeof path, "%s/ledger.jsonl", dir);
    assert_int_equal(cxt_write_file(path,
                                    "{\"seq\":1,\"t\":2.5,\"key\":\"nothing\"}\n"
                                    "{\"seq\":2,\"key\":\"s3cr3t-token-0\",\"clientId\":\"ab\"}\n"
                                    "{\"seq\":3,\"note\":\"say \\\"hi\\\"\\\\now\",\"x\":\"abc\"}\n"
                                    "{\"seq\":4,\"torn\":\"s3cr3t-tok"),
                     0);
    assert_int_equal(redact_jsonl_file(&r, path), 0);
    char *text = cxt_read_file(path, NULL);
    assert_string_equal(text, "{\"seq\":1,\"t\":2.5,\"key\":\"nothing\"}\n"
                              "{\"seq\":2,\"key\":\"" L "TOKEN" R "-0\",\"clientId\":\"" L "SHORT" R
                              "\"}\n"
                              "{\"seq\":3,\"note\":\"" L "QUOTE" R "\",\"x\":\"abc\"}\n"
                              "{\"seq\":4,\"torn\":\"" L "TOK" R "-tok");
    free(text);
    snprintf(path, sizeof path, "%s/absent.jsonl", dir);
    assert_int_equal(redact_jsonl_file(&r, path), 0); /* no ledger: nothing to do */
    cxt_rmrf(dir);
    redact_free(&r);
}

static void excerpts(void **state)
{
    (void)state;
    struct redact r;
    init(&r);
    const char *const others[] = {"user-password", NULL};
    const char *body =
        "{\"detail\":\"no contact 's3cr3t-token' for user-password\",\"code\":\"ab\"}";
    char *x = answer_excerpt(body, strlen(body), &r, others);
    assert_string_equal(x, "{\"detail\":\"no contact '" L "TOKEN" R
                           "' for [redacted]\",\"code\":\"" L "SHORT" R "\"}");
    free(x);
    x = answer_excerpt("<p>no s3cr3t here</p>", 21, &r, NULL);
    assert_string_equal(x, "<p>no " L "TOK" R " here</p>");
    free(x);
    redact_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(values),
        cmocka_unit_test(json_values),
        cmocka_unit_test(jsonl_file),
        cmocka_unit_test(excerpts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
