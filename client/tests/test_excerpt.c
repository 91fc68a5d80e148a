/* test_excerpt.c - what a failed expectation keeps of its answer (excerpt.h): the body to read
 * why, never a secret. JSON keeps its shape with secret members redacted at any depth; other
 * text naming a secret is withheld; known secret values are redacted anywhere; invalid UTF-8
 * becomes '?'; a long body is cut to 4 KiB on a character boundary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "excerpt.h"
#include "hrec.h"

static char *of(const char *body, const char *const *secrets)
{
    return answer_excerpt(body, strlen(body), NULL, secrets);
}

static void json_bodies(void **state)
{
    (void)state;
    char *x =
        of("{\"error\":\"invalid_request\",\"errorDescription\":\"unknown operationName\"}", NULL);
    assert_string_equal(x, "{\"error\":\"invalid_request\",\"errorDescription\":\"unknown "
                           "operationName\"}");
    free(x);
    x = of("{\"access_token\":\"cxm_abc123\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
           "\"nested\":[{\"refresh_token\":\"r-1\",\"Password\":\"p\",\"ok\":1}],"
           "\"clientSecret\":\"s\",\"X-Api-Key\":\"k\"}",
           NULL);
    assert_non_null(x);
    assert_null(strstr(x, "cxm_abc123"));
    assert_null(strstr(x, "r-1"));
    assert_null(strstr(x, "\"p\""));
    assert_non_null(strstr(x, "\"access_token\":\"[redacted]\""));
    assert_non_null(strstr(x, "\"token_type\":\"[redacted]\"")); /* a name with "token" */
    assert_non_null(strstr(x, "\"expires_in\":3600"));
    assert_non_null(strstr(x, "\"ok\":1"));
    assert_non_null(strstr(x, "\"X-Api-Key\":\"[redacted]\""));
    free(x);
    assert_null(answer_excerpt("", 0, NULL, NULL));
}

static void text_bodies(void **state)
{
    (void)state;
    char *x = of("<html>Bad Gateway</html>", NULL);
    assert_string_equal(x, "<html>Bad Gateway</html>");
    free(x);
    x = of("invalid token cxm_123 for client", NULL);
    assert_null(strstr(x, "cxm_123"));
    assert_non_null(strstr(x, "withheld"));
    free(x);
    const char *const secrets[] = {"hunter2-secret", "ab", NULL};
    x = of("{\"detail\":\"user hunter2-secret not found\",\"code\":\"ab\"}", secrets);
    assert_string_equal(x, "{\"detail\":\"user [redacted] not found\",\"code\":\"ab\"}");
    free(x);
    x = of("caf\xc3\xa9 \xff\xfe ok", NULL); /* a valid é, then two bytes that are not UTF-8 */
    assert_string_equal(x, "caf\xc3\xa9 ?? ok");
    free(x);
}

static void long_bodies(void **state)
{
    (void)state;
    size_t n = 3 * HREC_BODY_MAX;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2) { /* "é" over and over: two bytes each */
        big[i] = (char)0xc3;
        big[i + 1] = (char)0xa9;
    }
    big[n] = '\0';
    char *x = answer_excerpt(big, n, NULL, NULL);
    size_t len = strlen(x);
    assert_true(len <= HREC_BODY_MAX);
    assert_string_equal(x + len - 3, "...");
    assert_true(((unsigned char)x[len - 4] & 0xC0) == 0x80); /* the last é is whole */
    assert_true((unsigned char)x[len - 5] == 0xc3);
    free(x);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_bodies),
        cmocka_unit_test(text_bodies),
        cmocka_unit_test(long_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
