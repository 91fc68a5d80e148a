/* test_hline: a plain attempt's history line built by hand (hline.c) is byte for byte what
 * hrec_write writes, on random records; anything else, or a line that does not fit, is left to
 * hrec_write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hline.h"
#include "prng.h"

/* hrec_write's line for R. */
static char *written(const struct hrec *r, const char *tag, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    assert_non_null(f);
    hrec_write(f, r, tag);
    fclose(f);
    return text;
}

/* A random string of up to MAX bytes, any byte but NUL: quotes, backslashes, controls, UTF-8. */
static char *random_str(uint64_t *s, size_t max)
{
    size_t n = (size_t)(cx_splitmix64(s) % (max + 1));
    char *p = malloc(n + 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = cx_splitmix64(s);
        p[i] = (char)(k % 4 == 0 ? 1 + (k >> 8) % 255 : 'a' + (k >> 8) % 26);
    }
    p[n] = '\0';
    return p;
}

static int64_t random_i64(uint64_t *s)
{
    uint64_t k = cx_splitmix64(s);
    switch (k % 4) {
    case 0:
        return (int64_t)(cx_splitmix64(s) % 100000);
    case 1:
        return -(int64_t)(cx_splitmix64(s) % 100000);
    case 2:
        return k % 8 == 2 ? INT64_MIN : INT64_MAX;
    default:
        return (int64_t)cx_splitmix64(s);
    }
}

static void random_plain(uint64_t *s, struct hrec *r)
{
    hrec_init(r);
    r->thread = (int)random_i64(s);
    r->vu = (int)random_i64(s);
    r->step = (int)random_i64(s);
    r->iter = random_i64(s);
    r->opid = cx_splitmix64(s);
    r->attempt = (int)(cx_splitmix64(s) % 3);
    r->status = (int)(cx_splitmix64(s) % 600);
    r->outcome = (enum outcome)(cx_splitmix64(s) % 3);
    r->intended_us = random_i64(s);
    r->start_us = random_i64(s);
    r->end_us = random_i64(s);
    if (cx_splitmix64(s) % 2)
        r->retry_after_us = (int64_t)(cx_splitmix64(s) >> 1);
    r->has_idem = (int)(cx_splitmix64(s) % 2);
    r->setup = (int)(cx_splitmix64(s) % 2);
    r->token = cx_splitmix64(s) % 2 ? cx_splitmix64(s) : 0;
    if (cx_splitmix64(s) % 4)
        r->path = random_str(s, 300);
    if (cx_splitmix64(s) % 2) {
        char *id = random_str(s, sizeof r->request_id - 1);
        snprintf(r->request_id, sizeof r->request_id, "%s", id);
        free(id);
    }
}

static void test_random_plain_records(void **state)
{
    (void)state;
    uint64_t s = 20261202;
    char line[2048];
    for (int i = 0; i < 20000; i++) {
        struct hrec r;
        random_plain(&s, &r);
        char *tag = cx_splitmix64(&s) % 8 ? random_str(&s, 40) : NULL;
        size_t want_len;
        char *want = written(&r, tag, &want_len);
        size_t n = hline_format(line, sizeof line, &r, tag);
        if (n != want_len || memcmp(line, want, n) != 0)
            fail_msg("record %d: hline wrote\n%.*s\nhrec_write wrote\n%s", i, (int)n, line, want);
        free(want);
        free(tag);
        hrec_free(&r);
    }
}

/* A line that does not fit is not written (0), whatever the room, and nothing past it is
 * touched; one that just fits is. */
static void test_no_room(void **state)
{
    (void)state;
    uint64_t s = 7;
    struct hrec r;
    random_plain(&s, &r);
    size_t want_len;
    char *want = written(&r, "get", &want_len);
    char line[2048];
    for (size_t size = 0; size < want_len; size++) {
        memset(line, 'x', sizeof line);
        assert_int_equal(hline_format(line, size, &r, "get"), 0);
        for (size_t i = size; i < sizeof line; i++)
            assert_int_equal(line[i], 'x');
    }
    assert_int_equal(hline_format(line, want_len, &r, "get"), want_len);
    assert_memory_equal(line, want, want_len);
    free(want);
    hrec_free(&r);
}

/* Records with anything hline does not write go to hrec_write. */
static void test_not_plain(void **state)
{
    (void)state;
    char line[2048];
    for (int k = 0; k < 12; k++) {
        struct hrec r;
        hrec_init(&r);
        switch (k) {
        case 0:
            r.op = HREC_INJECT;
            break;
        case 1:
            r.subject = strdup("c-1");
            break;
        case 2:
            r.key = strdup("k");
            break;
        case 3:
            r.expect_failed = 1;
            break;
        case 4:
            r.rule = strdup("INJ-01");
            break;
        case 5:
            r.barrier = strdup("b");
            break;
        case 6:
            r.generation = 0;
            break;
        case 7:
            r.advance = 10;
            break;
        case 8:
            r.resp_id = strdup("x");
            break;
        case 9:
            r.req_priority = 3;
            break;
        case 10:
            r.returned = 1;
            break;
        default:
            r.resp_body = strdup("{}");
            break;
        }
        assert_int_equal(hline_plain(&r), 0);
        assert_int_equal(hline_format(line, sizeof line, &r, "t"), 0);
        hrec_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_plain_records),
        cmocka_unit_test(test_no_room),
        cmocka_unit_test(test_not_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
