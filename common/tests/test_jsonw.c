/* test_jsonw.c - the fast JSON writer (jsonw.h) against jansson: byte for byte the same text for
 * every value it takes (the ledger's lines must not change with the writer, SIM-02), and a
 * refusal, never a different text, for what it declines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jsonw.h"
#include "prng.h"

static void same_as_jansson(json_t *v)
{
    char *want = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
    char *got = cx_json_dumps(v);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(want);
    free(got);
}

static json_t *random_value(struct cx_prng *r, int depth)
{
    static const char *const strings[] = {
        "",          "plain", "quote \" inside", "back\\slash", "caf\xc3\xa9 \xe2\x82\xac",
        "tab\there", "nl\n",  "/slash/",         "\x7f del"};
    switch (cx_prng_range(r, 0, depth > 3 ? 5 : 7)) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(cx_prng_range(r, 0, 1));
    case 2:
        return json_integer((json_int_t)(cx_prng_next(r) >> 1) * (cx_prng_range(r, 0, 1) ? 1 : -1));
    case 3:
        return json_string(strings[cx_prng_range(r, 0, 8)]);
    case 4:
        return json_real((double)cx_prng_range(r, 0, 100000) / 7.0);
    case 5:
        return json_integer(cx_prng_range(r, -5, 5));
    case 6: {
        json_t *a = json_array();
        for (int i = (int)cx_prng_range(r, 0, 4); i > 0; i--)
            json_array_append_new(a, random_value(r, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (int i = (int)cx_prng_range(r, 0, 5); i > 0; i--) {
            char key[16];
            snprintf(key, sizeof key, i % 2 ? "k%d" : "key \"%d\"", (int)cx_prng_range(r, 0, 9));
            json_object_set_new(o, key, random_value(r, depth + 1));
        }
        return o;
    }
    }
}

/* 5000 random documents: objects in insertion order, arrays, escapes, reals, control chars. */
static void test_random_documents_match_jansson(void **state)
{
    (void)state;
    struct cx_prng r;
    cx_prng_seed(&r, 42);
    for (int i = 0; i < 5000; i++) {
        json_t *doc = json_object();
        json_object_set_new(doc, "v", random_value(&r, 0));
        same_as_jansson(doc);
        json_decref(doc);
    }
}

/* What the fast path declines: a real, a control character; cx_json_dumps still answers. */
static void test_declines_reals_and_control_characters(void **state)
{
    (void)state;
    struct cx_buf b;
    cx_buf_init(&b);
    json_t *real = json_pack("{sf}", "x", 0.1);
    assert_int_equal(cx_json_append(&b, real), -1);
    cx_buf_free(&b);
    json_t *ctl = json_pack("{ss}", "x", "a\x01");
    assert_int_equal(cx_json_append(&b, ctl), -1);
    cx_buf_free(&b);
    same_as_jansson(real);
    same_as_jansson(ctl);
    json_decref(real);
    json_decref(ctl);
    /* a bare value is not a document: NULL, as json_dumps without JSON_ENCODE_ANY */
    json_t *s = json_string("x");
    assert_null(cx_json_dumps(s));
    json_decref(s);
}

/* Does V hold what the writer declines: a real, or a control character in a string or key? */
static int declined(const json_t *v)
{
    const char *key;
    size_t klen;
    json_t *m;
    switch (json_typeof(v)) {
    case JSON_REAL:
        return 1;
    case JSON_STRING:
        for (size_t i = 0; i < json_string_length(v); i++)
            if ((unsigned char)json_string_value(v)[i] < 0x20)
                return 1;
        return 0;
    case JSON_ARRAY:
        for (size_t i = 0; i < json_array_size(v); i++)
            if (declined(json_array_get(v, i)))
                return 1;
        return 0;
    case JSON_OBJECT:
        json_object_keylen_foreach((json_t *)v, key, klen, m)
        {
            for (size_t i = 0; i < klen; i++)
                if ((unsigned char)key[i] < 0x20)
                    return 1;
            if (declined(m))
                return 1;
        }
        return 0;
    default:
        return 0;
    }
}

/* The sorted writer against json_dumps(JSON_SORT_KEYS) (the business key's digest is of that
 * text, INJ-05): random documents, wide objects (past the writer's 16 keys on the stack), keys
 * that are prefixes of each other, and now and then a key holding a NUL. */
static void test_sorted_matches_jansson_sort_keys(void **state)
{
    (void)state;
    struct cx_prng r;
    cx_prng_seed(&r, 7);
    static const char *const keys[] = {"", "a", "ab", "abc", "b", "B", "a b", "\xc3\xa9", "z"};
    int declines = 0;
    for (int i = 0; i < 3000; i++) {
        json_t *doc = json_object();
        int wide = i % 10 == 0 ? 40 : 0;
        for (int k = (int)cx_prng_range(&r, 0, 6) + wide; k > 0; k--) {
            char key[24];
            if (k % 3 == 0)
                snprintf(key, sizeof key, "%s", keys[cx_prng_range(&r, 0, 8)]);
            else
                snprintf(key, sizeof key, "k%d", (int)cx_prng_range(&r, 0, 60));
            json_object_set_new(doc, key, random_value(&r, 1));
        }
        if (i % 50 == 0) /* a key holding a NUL: declined, as any control character */
            json_object_setn_new(doc, "ab\0c", 4, json_integer(i));
        char *want = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        struct cx_buf b;
        cx_buf_init(&b);
        if (cx_json_append_sorted(&b, doc) == 0) {
            assert_int_equal(b.len, strlen(want)); /* no NUL in the text: keys escape it */
            assert_memory_equal(b.data, want, b.len);
        } else { /* declined: only for a real or a control character somewhere */
            assert_true(declined(doc));
        }
        declines += declined(doc);
        cx_buf_free(&b);
        free(want);
        json_decref(doc);
    }
    assert_true(declines > 60 && declines < 2000); /* both branches taken, most documents written */
}

/* Integers as json_dumps writes them, without printf: the extremes, zero, and random values. */
static void test_integers_as_jansson(void **state)
{
    (void)state;
    struct cx_prng r;
    cx_prng_seed(&r, 3);
    long long fixed[] = {0, 1, -1, 9, 10, -10, INT64_MAX, INT64_MIN, 1000000007LL};
    for (int i = 0; i < 2000; i++) {
        long long v = i < 9 ? fixed[i] : (long long)(cx_prng_next(&r) >> (i % 60));
        if (i % 2 && v != INT64_MIN)
            v = -v;
        char want[32];
        snprintf(want, sizeof want, "%lld", v);
        struct cx_buf b;
        cx_buf_init(&b);
        cx_json_append_int(&b, v);
        assert_string_equal(b.data, want);
        cx_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_documents_match_jansson),
        cmocka_unit_test(test_declines_reals_and_control_characters),
        cmocka_unit_test(test_sorted_matches_jansson_sort_keys),
        cmocka_unit_test(test_integers_as_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
