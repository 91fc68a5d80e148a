/* test_template.c - ${...} templates: compile errors with offsets, expansion of every value
 * type, escapes, typed substitution inside JSON bodies, unset names, and UUIDs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

/* The lookup used by every test: a JSON object of name -> value; NULL = unset. Counts calls. */
struct vars {
    json_t *obj;
    int calls;
};

static json_t *lookup(void *ctx, const char *name, size_t len)
{
    struct vars *v = ctx;
    json_t *val = json_object_getn(v->obj, name, len);

    v->calls++;
    assert_int_equal(name[len], '\0');
    return val ? json_incref(val) : NULL;
}

static int setup(void **state)
{
    struct vars *v = calloc(1, sizeof *v);

    v->obj = json_pack("{si si ss sf sf sb sn s{si} s[ii] ss ss}", "vu", 3, "iter", 0, "id", "ix-1",
                       "half", 2.5, "tenth", 0.1, "yes", 1, "nothing", "obj", "a", 1, "arr", 1, 2,
                       "env.HOST", "h.example", "quote", "say \"hi\"");
    json_object_set_new(v->obj, "big", json_integer(9007199254740993LL));
    json_object_set_new(v->obj, "whole", json_real(3.0));
    *state = v;
    return 0;
}

static int teardown(void **state)
{
    struct vars *v = *state;

    json_decref(v->obj);
    free(v);
    return 0;
}

/* Expand TEXT and check the result is WANT (or, with WANT NULL, that MISSING is reported). */
static void check_expand(struct vars *v, const char *text, const char *want, const char *missing)
{
    struct tpl *t = NULL;
    struct cx_buf out;
    struct cx_error e;
    char *miss = (char *)"untouched";
    size_t off = 99;
    int rc;

    printf("# %s\n", text);
    assert_int_equal(tpl_compile(text, &t, &e, &off), 0);
    assert_string_equal(tpl_source(t), text);
    cx_buf_init(&out);
    cx_buf_adds(&out, ">");
    rc = tpl_expand(t, lookup, v, &out, &miss);
    if (want) {
        assert_int_equal(rc, 0);
        assert_null(miss);
        assert_string_equal(out.data + 1, want);
    } else {
        assert_int_equal(rc, -1);
        assert_non_null(miss);
        assert_string_equal(miss, missing);
        free(miss);
    }
    cx_buf_free(&out);
    tpl_free(t);
}

static void expands_every_value_type(void **state)
{
    struct vars *v = *state;

    check_expand(v, "/api/v2/interactions/${id}/accept", "/api/v2/interactions/ix-1/accept", NULL);
    check_expand(v, "${vu}-${iter}", "3-0", NULL);
    check_expand(v, "${half}|${tenth}|${whole}", "2.5|0.1|3.0", NULL);
    check_expand(v, "${yes} ${nothing}", "true null", NULL);
    check_expand(v, "${obj}${arr}", "{\"a\":1}[1,2]", NULL);
    check_expand(v, "${big}", "9007199254740993", NULL);
    check_expand(v, "https://${env.HOST}/x", "https://h.example/x", NULL);
    check_expand(v, "${quote}", "say \"hi\"", NULL);
    check_expand(v, "no references", "no references", NULL);
    check_expand(v, "", "", NULL);
}

static void escapes_and_lone_dollars_are_literal(void **state)
{
    struct vars *v = *state;

    check_expand(v, "$${vu}", "${vu}", NULL);
    check_expand(v, "cost $5 and $", "cost $5 and $", NULL);
    check_expand(v, "$$ and $${", "$$ and ${", NULL);
    check_expand(v, "$$${vu}", "$${vu}", NULL);
    check_expand(v, "${id}$${id}${id}", "ix-1${id}ix-1", NULL);
    check_expand(v, "{}", "{}", NULL);
}

static void reports_the_first_unset_name(void **state)
{
    struct vars *v = *state;

    check_expand(v, "/x/${id}/${nope}/${also.nope}", NULL, "nope");
    check_expand(v, "${setup.id}", NULL, "setup.id");
}

static void introspection(void **state)
{
    struct tpl *t;
    struct cx_error e;
    size_t off;

    assert_int_equal(tpl_compile("a${x}b${env.Y-z}${x}", &t, &e, &off), 0);
    assert_false(tpl_is_constant(t));
    assert_null(tpl_single_ref(t));
    assert_int_equal(tpl_nrefs(t), 3);
    assert_string_equal(tpl_ref(t, 0), "x");
    assert_string_equal(tpl_ref(t, 1), "env.Y-z");
    assert_string_equal(tpl_ref(t, 2), "x");
    assert_int_equal(tpl_ref_offset(t, 0), 1);
    assert_int_equal(tpl_ref_offset(t, 1), 6);
    assert_int_equal(tpl_ref_offset(t, 2), 16);
    tpl_free(t);

    assert_int_equal(tpl_compile("${count}", &t, &e, &off), 0);
    assert_string_equal(tpl_single_ref(t), "count");
    tpl_free(t);

    assert_int_equal(tpl_compile("$${count}", &t, &e, &off), 0);
    assert_true(tpl_is_constant(t));
    assert_null(tpl_single_ref(t));
    assert_int_equal(tpl_nrefs(t), 0);
    tpl_free(t);

    assert_int_equal(tpl_compile(" ${count}", &t, &e, &off), 0);
    assert_null(tpl_single_ref(t));
    tpl_free(t);
    tpl_free(NULL);
}

static void compile_errors_say_where(void **state)
{
    static const struct {
        const char *text;
        size_t offset;
        const char *msg; /* a substring */
    } cases[] = {
        {"/api/${id", 5, "unterminated"},
        {"${", 0, "unterminated"},
        {"ab${}", 2, "empty"},
        {"${1x}", 2, "invalid character '1'"},
        {"x${a b}", 4, "invalid character ' '"},
        {"${a${b}}", 3, "invalid character '$'"},
        {"${ab/c}", 4, "invalid character '/'"},
        {"ok ${ok} ${.x}", 11, "invalid character '.'"},
        {"${a\x01}", 3, "\\x01"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tpl *t = (struct tpl *)&t; /* must be left alone */
        struct cx_error e;
        size_t off = 999;
        printf("# %s\n", cases[i].text);
        assert_int_equal(tpl_compile(cases[i].text, &t, &e, &off), -1);
        assert_ptr_equal(t, (struct tpl *)&t);
        assert_int_equal(off, cases[i].offset);
        assert_non_null(strstr(e.text, cases[i].msg));
    }
}

static void json_bodies_keep_types(void **state)
{
    struct vars *v = *state;
    json_t *body = json_pack("{s:s, s:s, s:s, s:[s, i, s], s:{s:s}, s:s, s:b, s:n, s:f}", "count",
                             "${vu}", "label", "vu-${vu}", "whole", "${obj}", "list", "${half}", 7,
                             "$${literal}", "nested", "${iter}", "${iter}", "text", "plain", "keep",
                             1, "none", "ratio", 0.25);
    json_t *want =
        json_pack("{s:i, s:s, s:{s:i}, s:[f, i, s], s:{s:i}, s:s, s:b, s:n, s:f}", "count", 3,
                  "label", "vu-3", "whole", "a", 1, "list", 2.5, 7, "${literal}", "nested",
                  "${iter}", 0, "text", "plain", "keep", 1, "none", "ratio", 0.25);
    char *missing = (char *)"untouched";
    json_t *got;

    /* Object keys are not expanded: "${iter}" stays a key. */
    assert_non_null(body);
    assert_non_null(want);
    got = tpl_expand_json(body, lookup, v, &missing);
    assert_non_null(got);
    assert_null(missing);
    if (!json_equal(got, want)) {
        char *a = json_dumps(got, JSON_SORT_KEYS), *b = json_dumps(want, JSON_SORT_KEYS);
        print_error("got  %s\nwant %s\n", a, b);
        free(a);
        free(b);
        fail();
    }
    /* The input is untouched and shares nothing mutable with the copy. */
    assert_string_equal(json_string_value(json_object_get(body, "count")), "${vu}");
    assert_ptr_not_equal(json_object_get(got, "nested"), json_object_get(body, "nested"));
    json_decref(got);
    json_decref(want);
    json_decref(body);
}

static void json_bodies_report_unset_names_and_bad_templates(void **state)
{
    struct vars *v = *state;
    json_t *body = json_pack("{s:[s, s]}", "a", "${id}", "x-${missing}");
    char *missing = NULL;

    assert_null(tpl_expand_json(body, lookup, v, &missing));
    assert_string_equal(missing, "missing");
    free(missing);
    json_decref(body);

    body = json_pack("{s:s}", "a", "${single}");
    assert_null(tpl_expand_json(body, lookup, v, &missing));
    assert_string_equal(missing, "single");
    free(missing);
    json_decref(body);

    body = json_pack("[s]", "bad ${");
    assert_null(tpl_expand_json(body, lookup, v, &missing));
    assert_string_equal(missing, "bad ${");
    free(missing);
    json_decref(body);

    body = json_pack("[i, s, b]", 1, "plain", 0);
    missing = (char *)"untouched";
    json_t *got = tpl_expand_json(body, lookup, v, &missing);
    assert_null(missing);
    assert_true(json_equal(got, body));
    json_decref(got);
    json_decref(body);
}

static int is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static void uuids_are_v4_and_distinct(void **state)
{
    enum { N = 2000 };
    char(*ids)[37] = calloc(N, sizeof *ids);
    uint64_t st = 42, st2 = 42, other = 43;
    char again[37], diff[37];

    assert_non_null(ids);
    for (int i = 0; i < N; i++) {
        char *u = ids[i];
        tpl_uuid4(u, &st);
        assert_int_equal(strlen(u), 36);
        for (int k = 0; k < 36; k++) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                assert_int_equal(u[k], '-');
            else
                assert_true(is_hex(u[k]));
        }
        assert_int_equal(u[14], '4');
        assert_non_null(strchr("89ab", u[19]));
    }
    for (int i = 0; i < N; i++)
        for (int k = i + 1; k < N; k++)
            if (strcmp(ids[i], ids[k]) == 0)
                fail_msg("duplicate uuid %s at %d and %d", ids[i], i, k);
    /* Same state, same sequence; another state, another one. */
    tpl_uuid4(again, &st2);
    assert_string_equal(again, ids[0]);
    tpl_uuid4(diff, &other);
    assert_string_not_equal(diff, ids[0]);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(expands_every_value_type, setup, teardown),
        cmocka_unit_test_setup_teardown(escapes_and_lone_dollars_are_literal, setup, teardown),
        cmocka_unit_test_setup_teardown(reports_the_first_unset_name, setup, teardown),
        cmocka_unit_test(introspection),
        cmocka_unit_test(compile_errors_say_where),
        cmocka_unit_test_setup_teardown(json_bodies_keep_types, setup, teardown),
        cmocka_unit_test_setup_teardown(json_bodies_report_unset_names_and_bad_templates, setup,
                                        teardown),
        cmocka_unit_test(uuids_are_v4_and_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
