/* test_utf8.c - UTF-8 validity (utf8.h): the check the mock makes before a value reaches a
 * ledger entry or an answer must accept exactly what jansson makes a string of, or an entry
 * built from a value that passed can still lose its fields (issue 15, SIM-03). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "prng.h"
#include "utf8.h"

static void test_utf8_known_forms(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool valid;
    } cases[] = {
        {"", true},
        {"plain ascii", true},
        {"caf\xc3\xa9", true},
        {"\xe2\x82\xac", true},     /* U+20AC */
        {"\xf0\x9f\x98\x80", true}, /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", true}, /* U+10FFFF, the last */
        {"\xed\x9f\xbf", true},     /* U+D7FF, before the surrogates */
        {"\xff"
         "1",
         false},         /* issue 15's idempotency key */
        {"\xc3", false}, /* cut short */
        {"\xe2\x82", false},
        {"\x80", false},     /* a lone continuation byte */
        {"\xc0\xaf", false}, /* overlong '/' */
        {"\xc1\xbf", false},
        {"\xe0\x80\xaf", false},     /* overlong, three bytes */
        {"\xf0\x80\x80\xaf", false}, /* overlong, four bytes */
        {"\xed\xa0\x80", false},     /* U+D800, a surrogate */
        {"\xed\xbf\xbf", false},     /* U+DFFF */
        {"\xf4\x90\x80\x80", false}, /* U+110000 */
        {"\xf5\x80\x80\x80", false},
        {"\xfe\xff", false},
        {"ok\xc3\xa9\xc3", false}, /* good, then cut short */
        {"\xc3\x28", false},       /* a bad continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (cx_utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].valid)
            fail_msg("case %zu: expected %s", i, cases[i].valid ? "valid" : "invalid");
}

/* Random short byte strings, biased to the bytes UTF-8 is made of: valid exactly when jansson
 * makes a string of them. */
static void test_utf8_agrees_with_jansson(void **state)
{
    (void)state;
    static const unsigned char bytes[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
                                          0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee,
                                          0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
    struct cx_prng r;
    cx_prng_seed(&r, 15);
    unsigned valid = 0;
    for (int i = 0; i < 200000; i++) {
        unsigned char s[6];
        size_t n = (size_t)cx_prng_range(&r, 1, (int64_t)sizeof s);
        for (size_t k = 0; k < n; k++)
            s[k] = bytes[cx_prng_range(&r, 0, (int64_t)sizeof bytes - 1)];
        json_t *j = json_stringn((const char *)s, n);
        bool ours = cx_utf8_valid((const char *)s, n);
        if (ours != (j != NULL))
            fail_msg("%zu bytes starting %02x %02x: ours %d, jansson %d", n, s[0], n > 1 ? s[1] : 0,
                     ours, j != NULL);
        valid += ours;
        json_decref(j);
    }
    assert_true(valid > 1000); /* the valid side was tried too */
}

/* What cannot be a string is scrubbed byte by byte, what can is left as it is. */
static void test_utf8_scrub(void **state)
{
    (void)state;
    char a[] = "id \xff\xfe and caf\xc3\xa9 cut \xe2\x82";
    assert_string_equal(cx_utf8_scrub(a), "id ?? and caf\xc3\xa9 cut ??");
    assert_true(cx_utf8_valid(a, strlen(a)));
    char b[] = "\xed\xa0\x80"; /* a surrogate: three bad bytes */
    assert_string_equal(cx_utf8_scrub(b), "???");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_known_forms),
        cmocka_unit_test(test_utf8_agrees_with_jansson),
        cmocka_unit_test(test_utf8_scrub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
