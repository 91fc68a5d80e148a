/* fuzz_hlog.c - the HdrHistogram decoder (hlog.c: cx_hlog_decode) on any bytes. An input that
 * starts with a NUL byte is the rest in binary: a payload (compressed or not), base64-encoded
 * here, so that mutations reach the cookie, header and counts instead of the alphabet; any
 * other input is the base64 text itself (an interval line's last column). Invariants: a
 * failure says why and returns no histogram; a histogram decoded is consistent (min <= max when
 * it counts anything) and survives its own encoding: encoded and decoded again it holds the
 * same counts. Seeds: the histograms of the tests' interval logs (reports/tests/data). */
#include <string.h>

#include "base64.h"
#include "fuzz.h"
#include "hlog.h"

/* Decode TEXT; on success check the histogram and its round trip. */
static void decode(const char *text)
{
    struct cx_error err = {0};
    struct cx_hist *h = NULL;
    if (cx_hlog_decode(text, &h, &err) < 0) {
        CX_FUZZ_CHECK(h == NULL, "a failed decode returned a histogram");
        CX_FUZZ_CHECK(err.text[0] != '\0', "a failed decode says no why");
        return;
    }
    CX_FUZZ_CHECK(h != NULL, "a decode that succeeded returned no histogram");
    int64_t n = cx_hist_count(h);
    CX_FUZZ_CHECK(n >= 0, "count %lld", (long long)n);
    CX_FUZZ_CHECK(n == 0 || cx_hist_min(h) <= cx_hist_max(h), "min %lld above max %lld",
                  (long long)cx_hist_min(h), (long long)cx_hist_max(h));
    char *again = cx_hlog_encode(h);
    if (again) { /* NULL: out of memory */
        struct cx_hist *back = NULL;
        CX_FUZZ_CHECK(cx_hlog_decode(again, &back, &err) == 0, "its own encoding fails: %s",
                      err.text);
        CX_FUZZ_CHECK(cx_hist_equal(h, back), "the round trip changed the counts");
        cx_hist_free(back);
        free(again);
    }
    cx_hist_free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    if (size > 0 && data[0] == '\0') {
        if (!(text = malloc(cx_b64_encoded_len(size - 1) + 1)))
            return 0;
        cx_b64_encode(data + 1, size - 1, text);
    } else {
        if (!(text = malloc(size + 1)))
            return 0;
        memcpy(text, data, size);
        text[size] = '\0';
    }
    decode(text);
    free(text);
    return 0;
}
