/* test_strmap.c - the string map against a plain array, over random puts, gets and deletes:
 * deletion shifts entries back instead of leaving tombstones, so every key stays findable
 * whatever was deleted before it, in copied and in borrowed maps; and while the map grows (the
 * old table moving into the new a few slots per operation), every key is found in whichever
 * table it is, deleted or replaced there, and a deleted key's old slot is never read (ASan
 * sees a freed copied key read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <unistd.h>

#include "bigalloc.h"
#include "prng.h"
#include "strmap.h"

/* A random walk over nkeys keys, puts weighing `puts` in 10 (deletes 8 - puts, gets 2). */
static void walk(int borrowed, int nkeys, int steps, int puts)
{
    char(*names)[16] = calloc((size_t)nkeys, sizeof *names);
    int64_t *want = calloc((size_t)nkeys, sizeof *want);
    int *present = calloc((size_t)nkeys, sizeof *present);
    assert_non_null(names);
    assert_non_null(want);
    assert_non_null(present);
    for (int i = 0; i < nkeys; i++)
        snprintf(names[i], sizeof names[i], "key-%d", (int)((long)i * 7919 % 1000003));
    struct strmap m;
    if (borrowed)
        strmap_init_borrowed(&m);
    else
        strmap_init(&m);
    struct cx_prng r;
    cx_prng_seed(&r, 11);
    size_t count = 0, grows = 0;
    int growing = 0;
    for (int step = 0; step < steps; step++) {
        int k = (int)cx_prng_range(&r, 0, nkeys - 1), op = (int)cx_prng_range(&r, 0, 9);
        if (op < puts) {
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
        grows += m.old && !growing;
        growing = m.old != NULL;
        if (step % 20000 == 0 || (m.old && m.moved == m.oldcap / 2)) /* every key answers right */
            for (int i = 0; i < nkeys; i++)
                assert_int_equal(strmap_get(&m, names[i], NULL), present[i]);
    }
    assert_true(m.cap <= 4 * (size_t)nkeys); /* the table never grew for dead slots */
    assert_true(grows > 0);
    strmap_free(&m);
    free(names);
    free(want);
    free(present);
}

/* Few keys (700), meeting again and again: deletions without tombstones. */
static void test_copied_keys(void **state)
{
    (void)state;
    walk(0, 700, 200000, 5);
}

static void test_borrowed_keys(void **state)
{
    (void)state;
    walk(1, 700, 200000, 5);
}

/* Many keys, puts ahead of deletes: the map grows to 2^16 slots and beyond, deletes, replaces
 * and reads going on in both tables while each grow moves its old table over. */
static void test_growing_copied(void **state)
{
    (void)state;
    walk(0, 60000, 300000, 6);
}

static void test_growing_borrowed(void **state)
{
    (void)state;
    walk(1, 60000, 300000, 6);
}

/* A grow moves the old table over in steps: after one put past 3/4 full, the new table has
 * the new key and a few moved ones, the old the rest, and every key is found. */
static void test_grow_is_incremental(void **state)
{
    (void)state;
    struct strmap m;
    strmap_init(&m);
    char k[32];
    int n = 0;
    for (; !m.old; n++) {
        snprintf(k, sizeof k, "k%d", n);
        assert_int_equal(strmap_put(&m, k, n), 0);
    }
    assert_true(m.moved > 0 && m.moved < m.oldcap);
    for (int i = 0; i < n; i++) {
        int64_t v = -1;
        snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(strmap_get(&m, k, &v), 1);
        assert_int_equal(v, i);
    }
    while (m.old) { /* deletes move it along too; deleted keys stay gone */
        snprintf(k, sizeof k, "k%d", --n);
        assert_int_equal(strmap_del(&m, k), 1);
        assert_int_equal(strmap_get(&m, k, NULL), 0);
    }
    assert_int_equal(m.count, (size_t)n);
    strmap_free(&m);
}

/* Is the page holding p resident (mincore)? */
static int resident(const void *p)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char in = 0;
    assert_int_equal(mincore((void *)((uintptr_t)p / page * page), page, &in), 0);
    return in & 1;
}

/* A big table (bigalloc.h) is zeroed, its pages come in only when touched or faulted in
 * ahead, and faulting in ahead, step by step, changes nothing already written. */
static void test_big_table_faulted_in_ahead(void **state)
{
    (void)state;
    size_t bytes = 8u << 20, step = 256u << 10, done = 0;
    unsigned char *t = cx_table_alloc(bytes);
    assert_non_null(t);
    assert_false(resident(t + bytes / 2));
    for (size_t at = 0; at < bytes; at += 12345)
        assert_int_equal(t[at], 0);
    t[step + 7] = 0xa5; /* written before its step comes */
    t[bytes - 1] = 0x5a;
    int calls = 0;
    while (done < bytes) {
        cx_table_prefault(t, bytes, &done, step);
        calls++;
    }
    assert_int_equal(calls, (int)(bytes / step));
    assert_true(resident(t + bytes / 2));
    assert_int_equal(t[step + 7], 0xa5);
    assert_int_equal(t[bytes - 1], 0x5a);
    cx_table_free(t, bytes);
    unsigned char *small = cx_table_alloc(1000); /* calloc'd: nothing to fault in */
    done = 0;
    cx_table_prefault(small, 1000, &done, step);
    assert_int_equal(done, 1000);
    cx_table_free(small, 1000);
}

/* A map grown past 2 MB faults its new table in while the old one moves over: all of it long
 * before the move ends, and every key still found. */
static void test_growing_map_faults_its_table_in(void **state)
{
    (void)state;
    struct strmap m;
    strmap_init(&m);
    char k[32];
    int n = 0;
    while (m.cap * sizeof *m.slots < (4u << 20) || !m.old) {
        snprintf(k, sizeof k, "k%d", n);
        assert_int_equal(strmap_put(&m, k, n++), 0);
    }
    size_t bytes = m.cap * sizeof *m.slots;
    for (int i = 0; m.old; i++) {
        snprintf(k, sizeof k, "k%d", n);
        assert_int_equal(strmap_put(&m, k, n++), 0);
        if (i == 64)
            assert_int_equal(m.prefaulted, bytes); /* 256 KB a put: 16 MB at most here */
    }
    assert_true(resident((char *)m.slots + bytes - 1));
    for (int i = 0; i < n; i += 97) {
        int64_t v = -1;
        snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(strmap_get(&m, k, &v), 1);
        assert_int_equal(v, i);
    }
    strmap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copied_keys),
        cmocka_unit_test(test_borrowed_keys),
        cmocka_unit_test(test_growing_copied),
        cmocka_unit_test(test_growing_borrowed),
        cmocka_unit_test(test_grow_is_incremental),
        cmocka_unit_test(test_big_table_faulted_in_ahead),
        cmocka_unit_test(test_growing_map_faults_its_table_in),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
