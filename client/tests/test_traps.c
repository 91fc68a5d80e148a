/* test_traps.c NAME - one trap pair of the scenario library (scenarios/NAME), its expectation
 * as data (client/tests/traps/NAME.expect: the violation the naive client is reported for, and
 * the rule ID a failed expectation names). The naive run must report it and exit 0 (its
 * thresholds hold when the mistake is caught); the correct run must exit 0 reporting nothing.
 * The rules are the pair's: ACC-03, ACC-05, ACC-06, CONS-01, REJ-02, REJ-03, REJ-04, INJ-04,
 * INJ-05, FLT-01, RATE-01, AUTH-05, PRI-04, PRI-06, AGT-03, GWS-02, GWS-03, GWS-04
 * (scenarios/README.md). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxltest.h"

static char pair[128], violation[64], rule[32];

/* The naive run: the expected violation, and the rule its first example names (if any). */
static void naive_is_caught(void **state)
{
    char sc[512];
    snprintf(sc, sizeof sc, "%s/scenarios/%s/naive.json", cxl_src(), pair);
    struct proc p;
    assert_int_equal(
        cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", "--quiet", NULL}, 120), 0);
    json_t *s = cxl_summary(&p);
    if (cxl_violations(s, violation) < 1)
        fail_msg("%s/naive: no %s", pair, violation);
    if (rule[0]) {
        const json_t *ex = json_array_get(
            json_object_get(json_object_get(json_object_get(s, "violations"), violation),
                            "examples"),
            0);
        const char *got = json_string_value(json_object_get(ex, "rule"));
        if (!got || strcmp(got, rule) != 0)
            fail_msg("%s/naive: %s names rule %s, not %s", pair, violation, got ? got : "none",
                     rule);
    }
    json_decref(s);
    cxl_cleanup(&p);
}

/* The correct run: no violation of any kind. */
static void correct_is_clean(void **state)
{
    char sc[512];
    snprintf(sc, sizeof sc, "%s/scenarios/%s/correct.json", cxl_src(), pair);
    struct proc p;
    assert_int_equal(
        cxl_run(&p, (const char *[]){"run", sc, "--out", "@OUT", "--quiet", NULL}, 120), 0);
    json_t *s = cxl_summary(&p);
    const char *k;
    const json_t *v;
    json_object_foreach(json_object_get(s, "violations"), k, v)
    {
        if (json_number_value(json_object_get(v, "count")) > 0)
            fail_msg("%s/correct: %s %.0f", pair, k,
                     json_number_value(json_object_get(v, "count")));
    }
    json_decref(s);
    cxl_cleanup(&p);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_traps NAME (a pair of scenarios/, see traps/README.md)\n");
        return 1;
    }
    snprintf(pair, sizeof pair, "%s", argv[1]);
    char path[600], line[128] = "";
    snprintf(path, sizeof path, "%s/client/tests/traps/%s.expect", cxl_src(), pair);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(line, sizeof line, f) || sscanf(line, "%63s %31s", violation, rule) < 1) {
        fprintf(stderr, "test_traps: %s: expected a line \"VIOLATION [RULE-ID]\"\n", path);
        if (f)
            fclose(f);
        return 1;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {cmocka_unit_test(naive_is_caught),
                                       cmocka_unit_test(correct_is_clean)};
    return _cmocka_run_group_tests(pair, tests, 2, NULL, NULL);
}
