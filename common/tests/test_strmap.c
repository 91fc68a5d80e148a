/* test_strmap.c - the string map against a plain array, over random puts, gets and deletes:
 * deletion shifts entries back instead of leaving tombstones, so every key stays findable
 * whatever was deleted before it, in copied and in borrowed maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "prng.h"
#include "strmap.h"

#define KEYS 700 /* few enough that keys meet again and again */

static void walk(int borrowed)
{
    static char names[KEYS][16];
    int64_t want[KEYS];
    int present[KEYS] = {0};
    for (int i = 0; i < KEYS; i++)
        snprintf(names[i], sizeof names[i], "key-%d", i * 7919 % 100003);
    struct strmap m;
    if (borrowed)
        strmap_init_borrowed(&m);
    else
        strmap_init(&m);
    struct cx_prng r;
    cx_prng_seed(&r, 11);
    size_t count = 0;
    for (int step = 0; step < 200000; step++) {
        int k = (int)cx_prng_range(&r, 0, KEYS - 1), op = (int)cx_prng_range(&r, 0, 9);
        if (op < 5) {
            assert_int_equal(strmap_put(&m, names[k], step), 0);
            count += !present[k];
            present[k] = 1;
            want[k] = step;
        } else if (op < 8) {
            assert_int_equal(strmap_del(&m, names[k]), present[k]);
            count -= present[k];
            present[k] = 0;
        } else {
            int64_t v = -1;
            assert_int_equal(strmap_get(&m, names[k], &v), present[k]);
            if (present[k])
                assert_int_equal(v, want[k]);
        }
        assert_int_equal(m.count, count);
        if (step % 20000 == 0) /* every key, present or not, answers right */
            for (int i = 0; i < KEYS; i++)
                assert_int_equal(strmap_get(&m, names[i], NULL), present[i]);
    }
    assert_true(m.cap <= 2048); /* the table never grew for dead slots */
    strmap_free(&m);
}

static void test_copied_keys(void **state)
{
    (void)state;
    walk(0);
}

static void test_borrowed_keys(void **state)
{
    (void)state;
    walk(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copied_keys),
        cmocka_unit_test(test_borrowed_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
