/* test_pool.c - a worker's connections (pool.h): at most SIZE lent, made only when needed, the
 * line served first come first served, a waiter that leaves skipped. The bound against a real
 * target is test_connections'. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "pool.h"

/* Never more than SIZE handles lent, and none made before it is asked for. */
static void test_bounded_and_lazy(void **state)
{
    struct pool p;
    assert_int_equal(pool_init(&p, 3), 0);
    assert_int_equal(p.nmade, 0);
    CURL *a = pool_take(&p), *b = pool_take(&p), *c = pool_take(&p);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_null(pool_take(&p)); /* all three lent */
    assert_int_equal(pool_lent(&p), 3);
    assert_null(pool_give(&p, b)); /* nobody waits: b is free again */
    assert_int_equal(pool_lent(&p), 2);
    assert_ptr_equal(pool_take(&p), b); /* the free one, not a fourth */
    assert_int_equal(p.nmade, 3);
    pool_free(&p);
}

/* Handles given back go to the waiters in the order they came, each once. */
static void test_line_is_first_come_first_served(void **state)
{
    struct pool p;
    struct pool_wait w[4];
    assert_int_equal(pool_init(&p, 1), 0);
    CURL *e = pool_take(&p);
    for (int i = 0; i < 4; i++)
        pool_enqueue(&p, &w[i], 100 + i);
    assert_int_equal(p.nwaiting, 4);
    for (int i = 0; i < 4; i++) {
        struct pool_wait *got = pool_give(&p, e);
        assert_ptr_equal(got, &w[i]);
        assert_ptr_equal(got->granted, e);
        assert_int_equal(got->since, 100 + i);
        assert_false(got->waiting);
    }
    assert_int_equal(p.nwaiting, 0);
    assert_null(pool_give(&p, e));
    assert_int_equal(pool_lent(&p), 0);
    pool_free(&p);
}

/* A waiter that leaves (first, middle or last) is skipped; leaving twice is harmless. */
static void test_leaving_the_line(void **state)
{
    struct pool p;
    struct pool_wait w[5];
    assert_int_equal(pool_init(&p, 1), 0);
    CURL *e = pool_take(&p);
    for (int i = 0; i < 5; i++)
        pool_enqueue(&p, &w[i], i);
    pool_leave(&p, &w[0]);
    pool_leave(&p, &w[2]);
    pool_leave(&p, &w[4]);
    pool_leave(&p, &w[4]);
    assert_int_equal(p.nwaiting, 2);
    assert_ptr_equal(pool_give(&p, e), &w[1]);
    assert_ptr_equal(pool_give(&p, e), &w[3]);
    assert_null(pool_give(&p, e));
    pool_enqueue(&p, &w[0], 9); /* the line works after being emptied */
    assert_ptr_equal(pool_take(&p), e);
    assert_ptr_equal(pool_give(&p, e), &w[0]);
    pool_free(&p);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounded_and_lazy),
        cmocka_unit_test(test_line_is_first_come_first_served),
        cmocka_unit_test(test_leaving_the_line),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
