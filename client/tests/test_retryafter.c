/* test_retryafter.c - Retry-After values (RATE-01: a 429 says when to come back): seconds,
 * fractions, the three HTTP-date forms, and what is not a Retry-After (which must neither crash
 * nor be read as some wait), near misses of each date form among them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "retryafter.h"

/* 1994-11-06 08:49:37 UTC, RFC 9110's example date. */
#define EXAMPLE_T ((time_t)784111777)

static void seconds_and_fractions(void **state)
{
    static const struct {
        const char *text;
        int64_t us;
    } cases[] = {
        {"0", 0},
        {"1", 1000000},
        {"120", 120000000},
        {" 7 ", 7000000},
        {"\t2\t", 2000000},
        {"1.5", 1500000},
        {"0.001", 1000},
        {"0.0000019", 1},
        {"007", 7000000},
        {"86399", 86399000000LL},
        /* a day at most, however many digits */
        {"86400", RETRY_AFTER_MAX_US},
        {"99999999999999999999999999", RETRY_AFTER_MAX_US},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t us = -42;
        printf("# \"%s\"\n", cases[i].text);
        assert_int_equal(retry_after_parse(cases[i].text, EXAMPLE_T, &us), 0);
        assert_int_equal(us, cases[i].us);
    }
}

static void http_dates_in_three_forms(void **state)
{
    static const char *forms[] = {
        "Sun, 06 Nov 1994 08:50:07 GMT",  /* IMF-fixdate */
        "Sunday, 06-Nov-94 08:50:07 GMT", /* RFC 850 */
        "Sun Nov  6 08:50:07 1994",       /* asctime */
    };
    (void)state;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        int64_t us = -42;
        printf("# \"%s\"\n", forms[i]);
        assert_int_equal(retry_after_parse(forms[i], EXAMPLE_T, &us), 1);
        assert_int_equal(us, 30000000); /* 30 s after "now" */
    }
    int64_t us = -42;
    /* a date already past: no wait */
    assert_int_equal(retry_after_parse("Sun, 06 Nov 1994 08:49:07 GMT", EXAMPLE_T, &us), 1);
    assert_int_equal(us, 0);
    /* RFC 850's two-digit year: the century that puts it at most 50 years ahead */
    const time_t in_2026 = (time_t)1795910400; /* 2026-11-29 00:00:00 UTC */
    assert_int_equal(retry_after_parse("Sunday, 29-Nov-26 00:00:10 GMT", in_2026, &us), 1);
    assert_int_equal(us, 10000000);
    assert_int_equal(retry_after_parse("Monday, 29-Nov-94 00:00:10 GMT", in_2026, &us), 1);
    assert_int_equal(us, 0); /* 1994, long past, not 2094 */
    /* a leap day, and asctime with a two-digit day */
    assert_int_equal(retry_after_parse("Sun Feb 29 00:00:05 2032", in_2026, &us), 1);
    assert_int_equal(us, RETRY_AFTER_MAX_US);
    assert_int_equal(retry_after_parse("Sun Nov 29 00:00:05 2026", in_2026, &us), 1);
    assert_int_equal(us, 5000000);
    /* far ahead: a day at most */
    assert_int_equal(retry_after_parse("Fri, 01 Jan 2100 00:00:00 GMT", EXAMPLE_T, &us), 1);
    assert_int_equal(us, RETRY_AFTER_MAX_US);
}

static void what_is_not_a_retry_after(void **state)
{
    static const char *bad[] = {
        "",
        "   ",
        "-1",
        "+5",
        "1e3",
        "inf",
        "nan",
        "NaN",
        "0x10",
        "1.",
        ".5",
        "5s",
        "5 s",
        "1,5",
        "1.5.2",
        "soon",
        "tomorrow",
        "Sun, 99 Foo 1994 99:99:99 GMT",
        /* dates: each a near miss of one of the three forms */
        "Sun, 06 Nov 1994 08:50:07 GMT soon",
        "Sun, 06 Nov 1994 08:50:07 GMT; x=1",
        "Sun, 06 Nov 1994",
        "Sun, 06 Nov 1994 08:50:07 PST",
        "Sun, 06 Nov 1994 08:50:07 +0100",
        "Sun 08:50:37 1994 Nov 06",
        "Sun, 6 Nov 1994 08:50:07 GMT",
        "Sun, 06 nov 1994 08:50:07 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 31 Nov 1994 08:50:07 GMT",
        "Sun, 29 Feb 1900 08:50:07 GMT",
        "Sun, 30 Feb 2032 08:50:07 GMT",
        "Sun, 00 Nov 1994 08:50:07 GMT",
        "Sunday, 06-Nov-1994 08:50:07 GMT",
        "Sund, 06-Nov-94 08:50:07 GMT",
        "Sun Nov 6 08:50:07 1994",
        "Sun Nov  6 08:50:07 94",
        "Sun Nov  6 08:50:07 1994 GMT",
        "Sun, 06 Nov 1994 08:50:07 GMT and then text that makes it longer than any date form",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us = -42;
        printf("# \"%s\"\n", bad[i]);
        assert_int_equal(retry_after_parse(bad[i], EXAMPLE_T, &us), -1);
        assert_int_equal(us, -42);
    }
    int64_t us = -42;
    assert_int_equal(retry_after_parse(NULL, EXAMPLE_T, &us), -1);
    assert_int_equal(us, -42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seconds_and_fractions),
        cmocka_unit_test(http_dates_in_three_forms),
        cmocka_unit_test(what_is_not_a_retry_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
