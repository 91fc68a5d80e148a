/* fuzz_scenario.c - the scenario loader (scenario.c) on any bytes: it either returns a whole
 * scenario or fails with a located error (fuzzerr.h), never crashes or leaks; a scenario that
 * loads finds each of its tags where it lists them. Seeds: the tests' good and bad scenarios
 * and the scenario library. */
#include "fuzzerr.h"
#include "scenario.h"

#define NAME "fuzz.json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cx_error err = {0};
    struct scenario *s = NULL;
    const char *text = (const char *)data;
    if (scn_load_text(NAME, text, size, &s, &err) < 0) {
        CX_FUZZ_CHECK(s == NULL, "a failed load returned a scenario");
        cx_fuzz_check_error(&err, NAME, text, size);
        return 0;
    }
    CX_FUZZ_CHECK(s != NULL, "a load that succeeded returned no scenario");
    for (size_t i = 0; i < s->ntags; i++)
        CX_FUZZ_CHECK(scn_tag_index(s, s->tags[i]) == (int)i, "tag '%s' not at %zu", s->tags[i], i);
    scn_free(s);
    return 0;
}
