/* test_tokens.c - the lifetime a token answer's expires_in gives the driver's caches (AUTH-02:
 * expires_in in seconds, 3600 by default): absent or not an integer is the default hour, a
 * negative one is expired, and a huge one is capped instead of overflowing when it is turned
 * into µs and added to a clock reading. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>

#include "tokens.h"

static int64_t lifetime_of(const char *json)
{
    json_t *v = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
    int64_t us = token_lifetime_us(v);
    json_decref(v);
    return us;
}

static void lifetimes(void **state)
{
    (void)state;
    assert_int_equal(lifetime_of("3600"), INT64_C(3600000000));
    assert_int_equal(lifetime_of("1"), 1000000);
    assert_int_equal(lifetime_of("0"), 0);
    assert_int_equal(lifetime_of(NULL), INT64_C(3600000000));
    assert_int_equal(lifetime_of("\"3600\""), INT64_C(3600000000));
    assert_int_equal(lifetime_of("1.5"), INT64_C(3600000000));
    assert_int_equal(lifetime_of("-5"), 0);
    assert_int_equal(lifetime_of("315360000"), INT64_C(315360000) * 1000000);
    /* 9.2e12 s times 1e6 overflows int64: capped at ten years instead */
    assert_int_equal(lifetime_of("9223372036854775807"), INT64_C(315360000) * 1000000);
    assert_int_equal(lifetime_of("9223372036854"), INT64_C(315360000) * 1000000);
    /* a capped lifetime still leaves room for any monotonic reading and the 90 % refresh */
    int64_t cap = lifetime_of("9223372036854775807");
    assert_true(cap * 9 / 10 < INT64_MAX / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(lifetimes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
