/* test_pacing.c - intended arrival times of the open and ramping load models (pacing.h).
 * The achieved rate of a real run is measured by ci/bench-driver; here the schedule itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "pacing.h"

/* Every arrival of all threads, sorted. */
static int64_t *all_arrivals(struct pacer *p, int n, size_t *count)
{
    size_t cap = 1024, c = 0;
    int64_t *v = malloc(cap * sizeof *v);
    for (int t = 0; t < n; t++) {
        int64_t x;
        while ((x = pacer_next(&p[t])) >= 0) {
            if (c == cap)
                v = realloc(v, (cap *= 2) * sizeof *v);
            assert_true(c == 0 || t > 0 || x >= v[c - 1]); /* each thread's are in order */
            v[c++] = x;
        }
    }
    *count = c;
    return v;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Uniform at 200/s for 10 s over 3 threads: exactly 2000 arrivals, 5 ms apart, none lost or
 * doubled between threads. */
static void test_uniform_constant_exact(void **state)
{
    struct pacer p[3];
    for (int t = 0; t < 3; t++)
        pacer_init_constant(&p[t], 200, 10000000, 0, t, 3, 1);
    size_t n;
    int64_t *v = all_arrivals(p, 3, &n);
    assert_int_equal(n, 2000);
    qsort(v, n, sizeof *v, cmp64);
    for (size_t i = 0; i < n; i++)
        assert_true(llabs(v[i] - (int64_t)i * 5000) <= 1);
    assert_true(fabs(pacer_expected(&p[0], 5000000) - 1000) < 1e-6);
    free(v);
}

/* Poisson at 1000/s for 20 s over 2 threads: the count is within 4 standard deviations of
 * 20000, and the gaps' mean and coefficient of variation are those of an exponential. */
static void test_poisson_statistics(void **state)
{
    struct pacer p[2];
    for (int t = 0; t < 2; t++)
        pacer_init_constant(&p[t], 1000, 20000000, 1, t, 2, 42);
    size_t n;
    int64_t *v = all_arrivals(p, 2, &n);
    assert_true(fabs((double)n - 20000) < 4 * sqrt(20000));
    qsort(v, n, sizeof *v, cmp64);
    double sum = 0, sq = 0;
    for (size_t i = 1; i < n; i++) {
        double g = (double)(v[i] - v[i - 1]);
        sum += g;
        sq += g * g;
    }
    double mean = sum / (double)(n - 1), sd = sqrt(sq / (double)(n - 1) - mean * mean);
    assert_true(fabs(mean - 1000) < 50);
    assert_true(fabs(sd / mean - 1) < 0.1);
    free(v);
}

/* The same seed gives the same schedule (races replay exactly). */
static void test_poisson_seeded(void **state)
{
    struct pacer a, b;
    pacer_init_constant(&a, 500, 1000000, 1, 0, 1, 7);
    pacer_init_constant(&b, 500, 1000000, 1, 0, 1, 7);
    int64_t x;
    while ((x = pacer_next(&a)) >= 0)
        assert_int_equal(x, pacer_next(&b));
    assert_int_equal(pacer_next(&b), -1);
}

/* Ramping 0 -> 100/s over 10 s, then 100/s for 10 s: 500 + 1000 arrivals, and the first half
 * second of the ramp holds almost none (rate ~0 there). */
static void test_ramping_integral(void **state)
{
    int64_t d[] = {10000000, 10000000};
    double r[] = {100, 100};
    struct pacer p[2];
    for (int t = 0; t < 2; t++)
        pacer_init_ramping(&p[t], 0, d, r, 2, 0, t, 2, 1);
    size_t n;
    int64_t *v = all_arrivals(p, 2, &n);
    assert_int_equal(n, 1500);
    qsort(v, n, sizeof *v, cmp64);
    /* arrival k of a linear ramp 0 -> 100/s over 10 s sits at sqrt(2 k / 10) s */
    for (size_t k = 0; k < 500; k += 50)
        assert_true(llabs(v[k] - (int64_t)llround(sqrt(2.0 * (double)k / 10.0) * 1e6)) <= 2);
    assert_true(fabs(pacer_expected(&p[0], 20000000) - 1500) < 1e-6);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_constant_exact),
        cmocka_unit_test(test_poisson_statistics),
        cmocka_unit_test(test_poisson_seeded),
        cmocka_unit_test(test_ramping_integral),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
