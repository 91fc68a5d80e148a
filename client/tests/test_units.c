/* test_units.c - durations and rates: every unit, decimals, and what is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "units.h"

static void durations_in_every_unit(void **state)
{
    static const struct {
        const char *text;
        int64_t us;
    } cases[] = {
        {"250us", 250},       {"100ms", 100000},    {"5s", 5000000},    {"2m", 120000000},
        {"1h", 3600000000LL}, {"1.5s", 1500000},    {"0.1s", 100000},   {"0s", 0},
        {"0.5ms", 500},       {"1.0004ms", 1000},   {"1.0005ms", 1001}, {"24h", 86400000000LL},
        {"007ms", 7000},      {"2.75m", 165000000},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t us = -42;
        printf("# %s\n", cases[i].text);
        assert_int_equal(units_duration(cases[i].text, &us), 0);
        assert_int_equal(us, cases[i].us);
    }
}

static void bad_durations_are_refused_and_leave_the_output(void **state)
{
    static const char *const bad[] = {
        "",
        "5",
        "1.5",
        "-5s",
        "+5s",
        " 5s",
        "5s ",
        "5 s",
        "5S",
        "5sec",
        "5ms5",
        ".5s",
        "5.s",
        "1e3ms",
        "inf s",
        "s",
        "5d",
        "5µs",
        "5/s",
        "0x10s",
        "1234567890123456s",
        "99999999999999h",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us = -42;
        printf("# \"%s\"\n", bad[i]);
        assert_int_equal(units_duration(bad[i], &us), -1);
        assert_int_equal(us, -42);
    }
    assert_int_equal(units_duration(NULL, &(int64_t){0}), -1);
}

static void rates_per_second_minute_hour(void **state)
{
    static const struct {
        const char *text;
        double per_sec;
    } cases[] = {
        {"200/s", 200},   {"50/m", 50.0 / 60}, {"3000/h", 3000.0 / 3600},
        {"12.5/s", 12.5}, {"0/s", 0},          {"0.5/s", 0.5},
        {"120/m", 2},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double r = -1;
        printf("# %s\n", cases[i].text);
        assert_int_equal(units_rate(cases[i].text, &r), 0);
        assert_true(fabs(r - cases[i].per_sec) < 1e-12);
    }
}

static void bad_rates_are_refused(void **state)
{
    static const char *const bad[] = {"",       "200",    "200/",    "/s",     "-1/s",
                                      "200/d",  "200/ s", "200 /s",  "200/s ", "2e2/s",
                                      "200/ms", "1/sec",  "1.2.3/s", "200s"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double r = -42;
        printf("# \"%s\"\n", bad[i]);
        assert_int_equal(units_rate(bad[i], &r), -1);
        assert_true(r == -42);
    }
    assert_int_equal(units_rate(NULL, &(double){0}), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations_in_every_unit),
        cmocka_unit_test(bad_durations_are_refused_and_leave_the_output),
        cmocka_unit_test(rates_per_second_minute_hour),
        cmocka_unit_test(bad_rates_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
