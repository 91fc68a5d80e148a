/* test_jsonpos.c - jsonpos_locate on one document with nesting, escapes and tricky strings.
 * Each case is a path and the expected line:column (or "not found"); each runs as its own test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "jsonpos.h"

/* Columns are bytes; the comments give the interesting ones. */
static const char doc[] =
    "{\n"                                                        /* 1 */
    "  \"a\": {\"b\": [1, {\"c\": \"x\\\"y\"}, [2, [3, 4]]]},\n" /* 2: a@3 {@8 b@9 [@14 */
    "  \"esc\\u0041ped\": true,\n"                               /* 3: key@3 true@19 */
    "  \"s\": \"a\\\\\", \"after\": 5,\n"                        /* 4: "a\\"@8 after@15 5@24 */
    "  \"n\": -1.5e3,\r\n"                                       /* 5: CRLF */
    "  \"arr\": [ \"]\" , \"[\", {\"}\": null} ],\n"             /* 6: [@10 {@23 null@29 */
    "  \"caf\\u00e9\": 1,\n"                                     /* 7: 1@16 */
    "\t\"\\ud83d\\ude00\": [],\n"               /* 8: key@2 [@18 (tab is one byte) */
    "  \"x\": \"ab\", \"ab\": 1, \"a b\": {}\n" /* 9: "ab"@8 ab@14 1@20 {@30 */
    "}\n";

struct pos_case {
    const char *name;
    const char *path;
    int want_key;
    int line, column; /* 0, 0: not found */
};

static const struct pos_case cases[] = {
    {"root", "", 0, 1, 1},
    {"member", "a", 0, 2, 8},
    {"member_key", "a", 1, 2, 3},
    {"nested_member", "a.b", 0, 2, 14},
    {"nested_member_key", "a.b", 1, 2, 9},
    {"array_first", "a.b[0]", 0, 2, 15},
    {"object_in_array", "a.b[1]", 0, 2, 18},
    {"index_last_ignores_want_key", "a.b[1]", 1, 2, 18},
    {"member_of_array_element", "a.b[1].c", 0, 2, 24},
    {"member_of_array_element_key", "a.b[1].c", 1, 2, 19},
    {"nested_array", "a.b[2][1]", 0, 2, 37},
    {"nested_array_element", "a.b[2][1][1]", 0, 2, 41},
    {"value_after_escaped_quote", "a.b[2]", 0, 2, 33},
    {"escaped_key", "escAped", 0, 3, 19},
    {"escaped_key_key", "escAped", 1, 3, 3},
    {"raw_escape_is_not_the_name", "esc\\u0041ped", 0, 0, 0},
    {"after_escaped_backslash", "after", 0, 4, 24},
    {"after_crlf", "arr", 0, 6, 10},
    {"brackets_in_strings", "arr[2]", 0, 6, 23},
    {"brace_as_name", "arr[2].}", 0, 6, 29},
    {"unicode_key", "caf\xc3\xa9", 0, 7, 16},
    {"surrogate_pair_key", "\xf0\x9f\x98\x80", 1, 8, 2},
    {"surrogate_pair_value_after_tab", "\xf0\x9f\x98\x80", 0, 8, 18},
    {"string_value_is_not_a_key", "ab", 0, 9, 20},
    {"shorter_key_is_not_a_match", "ab", 1, 9, 14},
    {"space_in_name", "a b", 0, 9, 30},
    {"missing_member", "nope", 0, 0, 0},
    {"missing_nested", "a.c", 0, 0, 0},
    {"index_past_end", "a.b[3]", 0, 0, 0},
    {"nested_index_past_end", "a.b[2][1][2]", 0, 0, 0},
    {"index_on_object", "a[0]", 0, 0, 0},
    {"member_on_array", "a.b.c", 0, 0, 0},
    {"member_on_scalar", "n.x", 0, 0, 0},
    {"bad_path_double_dot", "a..b", 0, 0, 0},
    {"bad_path_leading_dot", ".a", 0, 0, 0},
    {"bad_path_trailing_dot", "a.", 0, 0, 0},
    {"bad_path_index", "a.b[x]", 0, 0, 0},
    {"bad_path_unclosed", "a.b[0", 0, 0, 0},
    {"bad_path_after_index", "a.b[1]c", 0, 0, 0},
};

/* "LINE:COLUMN" of PATH, or "not found": compared as strings so a failure reads as positions. */
static const char *locate(char *buf, size_t size, const char *text, size_t len, const char *path,
                          int want_key)
{
    int line = -7, column = -7;

    if (jsonpos_locate(text, len, path, want_key, &line, &column) != 0) {
        /* line/column untouched on failure */
        snprintf(buf, size, line == -7 && column == -7 ? "not found" : "not found, but moved");
        return buf;
    }
    snprintf(buf, size, "%d:%d", line, column);
    return buf;
}

static void run_case(void **state)
{
    const struct pos_case *c = *state;
    char want[32], got[32];

    if (c->line == 0)
        snprintf(want, sizeof want, "not found");
    else
        snprintf(want, sizeof want, "%d:%d", c->line, c->column);
    assert_string_equal(locate(got, sizeof got, doc, sizeof doc - 1, c->path, c->want_key), want);
}

static void root_array(void **state)
{
    static const char text[] = "[\n 1,\n [2]\n]";
    char got[32];

    (void)state;
    assert_string_equal(locate(got, sizeof got, text, strlen(text), "[1][0]", 0), "3:3");
    assert_string_equal(locate(got, sizeof got, text, strlen(text), "[1]", 1), "3:2");
    assert_string_equal(locate(got, sizeof got, text, strlen(text), "x", 0), "not found");
}

static void length_bounds_the_scan(void **state)
{
    static const char text[] = "{\"a\": 1, \"b\": 2}";
    char got[32];

    (void)state;
    /* Only "{\"a\": 1, " is visible: "b" lies past LEN. */
    assert_string_equal(locate(got, sizeof got, text, 9, "b", 0), "not found");
    assert_string_equal(locate(got, sizeof got, text, 9, "a", 0), "1:7");
    assert_string_equal(locate(got, sizeof got, "", 0, "", 0), "not found");
}

#define NCASES (sizeof cases / sizeof cases[0])

int main(void)
{
    struct CMUnitTest tests[NCASES + 2];

    for (size_t i = 0; i < NCASES; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, (void *)&cases[i]};
    tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(root_array);
    tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(length_bounds_the_scan);
    return cmocka_run_group_tests_name("jsonpos", tests, NULL, NULL);
}
