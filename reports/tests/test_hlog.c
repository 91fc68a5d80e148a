/* test_hlog.c - the V2 encoding and the interval log, against hdr-histogram-js.
 *
 * Interop check (done by hand outside the repository; nothing from npm is needed to build or
 * test). In a scratch directory, `npm install hdr-histogram-js` (3.0.1, a port of the Java
 * HdrHistogram), then:
 * (a) our encoder read by theirs: a small C driver linked with libcxreports read "value count"
 *     lines, printed cx_hlog_encode, count, min, max, mean and percentiles, and wrote a .hgrm
 *     (cx_hist_write_hgrm, ticks 5, scale 1000) and a 3-interval .hlog (tags A, B, untagged).
 *     A node script fed it 80 random histograms (up to 5000 values from 0 to 3 600 000 000,
 *     counts up to 10^12), decoded each base64 with hdr.decodeFromCompressedBase64(b64, 64) and
 *     checked: total count, max, mean, getValueAtPercentile at 0, 1, 10, 25, 50, 75, 90, 99, 99.9,
 *     99.95, 99.99, 99.999 and 100 (against the decoded copy and against a copy recorded
 *     directly in JS), every bucket count, the .hgrm byte for byte against
 *     outputPercentileDistribution(5, 1000) of the decoded copy, and the .hlog through
 *     hdr.HistogramLogReader (tags, start and end timestamps, counts, p99). All matched.
 * (b) theirs read by ours: GOLDEN below is hdr.encodeIntoCompressedBase64 of a histogram built
 *     with hdr.build({lowestDiscernibleValue: 1, highestTrackableValue: 3600000000,
 *     numberOfSignificantValueDigits: 3, bitBucketSize: 64, autoResize: false}) recording 0 twice,
 *     1..10000 once each, 1000000 three times, 123456789 twice and 3600000000 once; the expected
 *     statistics are what hdr-histogram-js reports for it. tests/data/js.hlog was written by
 *     hdr.HistogramLogWriter (comment, version, StartTime, legend, four intervals: Tag=A 1..100;
 *     Tag=B 1000000 x3 and 5; Tag=A 2500 x7 and 3600000000; untagged 42).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base64.h"
#include "cxrtest.h"
#include "prng.h"
#include "hlog.h"

static const char GOLDEN[] =
    "HISTFAAAAFB4nO3HsQ2AMAwF0Y+xEGUk2qzEIhRMwQZZIT3bMAUNdRqEEEvge9Vd3sokpVNSJ6nX62kdpep7NwAAEI0DC"
    "GsEEFb6PWvLcK2+z3YDDkZWRg==";

static struct cx_hist *new_hist(void)
{
    struct cx_hist *h = NULL;
    assert_int_equal(cx_hist_new(&h), 0);
    return h;
}

/* A histogram with a bit of everything: zeros, exact and wide buckets, long empty runs, counts
 * needing 1 to 9 LEB128 bytes, a clamped value. */
static struct cx_hist *varied_hist(uint64_t seed)
{
    struct cx_hist *h = new_hist();
    for (int i = 0; i < 5000; i++) {
        uint64_t r = cx_splitmix64(&seed);
        int64_t v = (int64_t)(r % 2 ? r % 3000 : (r >> 8) % 4000000000u);
        cx_hist_record(h, v);
    }
    cx_hist_record_n(h, 0, 3);
    cx_hist_record_n(h, 777, INT64_C(1) << 40);
    cx_hist_record_n(h, 888888, INT64_C(1) << 61);
    return h;
}

static void assert_round_trip(const struct cx_hist *h)
{
    char *b64 = cx_hlog_encode(h);
    assert_non_null(b64);
    /* cookie 0x1c849314 is "HISTFA" in base64 (as in every HdrHistogram log) */
    assert_memory_equal(b64, "HISTFA", 6);
    struct cx_hist *back = NULL;
    if (cx_hlog_decode(b64, &back, &cxr_e) != 0)
        fail_msg("decode: %s", cxr_err());
    assert_true(cx_hist_equal(back, h));
    assert_int_equal(cx_hist_count(back), cx_hist_count(h));
    assert_int_equal(cx_hist_min(back), cx_hist_min(h));
    assert_int_equal(cx_hist_max(back), cx_hist_max(h));
    assert_int_equal(cx_hist_percentile(back, 99.0), cx_hist_percentile(h, 99.0));
    cx_hist_free(back);
    free(b64);
}

/* Encode then decode gives the same histogram: varied, empty, one value in bucket 0, one count
 * in the last bucket (above the highest trackable value: only decoders can fill it). */
static void test_round_trip(void **state)
{
    (void)state;
    struct cx_hist *h = varied_hist(42);
    assert_round_trip(h);
    cx_hist_reset(h);
    assert_round_trip(h);
    cx_hist_record(h, 0);
    assert_round_trip(h);
    cx_hist_reset(h);
    assert_int_equal(cx_hist_add_at_index(h, CX_HIST_COUNTS_LEN - 1, 1), 0);
    assert_round_trip(h);
    cx_hist_free(h);
}

/* hdr-histogram-js's encoding decodes to exactly the histogram of the same values, with the
 * statistics hdr-histogram-js reports for it. */
static void test_golden_from_hdr_histogram_js(void **state)
{
    (void)state;
    struct cx_hist *want = new_hist(), *got = NULL;
    cx_hist_record_n(want, 0, 2);
    for (int v = 1; v <= 10000; v++)
        cx_hist_record(want, v);
    cx_hist_record_n(want, 1000000, 3);
    cx_hist_record_n(want, 123456789, 2);
    cx_hist_record(want, 3600000000);
    if (cx_hlog_decode(GOLDEN, &got, &cxr_e) != 0)
        fail_msg("decode: %s", cxr_err());
    assert_true(cx_hist_equal(got, want));

    /* hdr-histogram-js: totalCount, maxValue, mean, stdDeviation, getValueAtPercentile */
    static const struct {
        double pct;
        int64_t value;
    } js[] = {{0, 0},           {1, 99},    {25, 2501},   {50, 5003},       {75, 7507},
              {90, 9007},       {99, 9911}, {99.9, 9999}, {99.95, 1000447}, {99.99, 123469823},
              {100, 3600809983}};
    assert_int_equal(cx_hist_count(got), 10008);
    assert_int_equal(cx_hist_max(got), 3600809983);
    assert_int_equal(cx_hist_min(got), 0);
    assert_true(fabs(cx_hist_mean(got) - 389652.78537170263) < 1e-6);
    assert_true(fabs(cx_hist_stddev(got) - 36023406.20870353) < 1e-4);
    for (size_t i = 0; i < sizeof js / sizeof js[0]; i++)
        assert_int_equal(cx_hist_percentile(got, js[i].pct), js[i].value);
    cx_hist_free(got);
    cx_hist_free(want);
}

/* Independent V2 payload writer (from the format description, not from hlog.c), for decoding
 * inputs hlog.c never writes and for corrupt ones. */
struct payload {
    uint8_t b[512];
    size_t n;
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

static void payload_header(struct payload *p, uint32_t cookie, int32_t offset, int32_t digits,
                           int64_t lowest)
{
    put32(p->b, cookie);
    put32(p->b + 8, (uint32_t)offset);
    put32(p->b + 12, (uint32_t)digits);
    put64(p->b + 16, (uint64_t)lowest);
    put64(p->b + 24, 3600000000u);
    put64(p->b + 32, 0x3ff0000000000000u); /* 1.0 */
    p->n = 40;
}

static void payload_count(struct payload *p, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (v < 0 ? ~UINT64_C(0) : 0);
    for (int i = 0; i < 8; i++) {
        if (u < 0x80) {
            p->b[p->n++] = (uint8_t)u;
            return;
        }
        p->b[p->n++] = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    p->b[p->n++] = (uint8_t)u;
}

static void payload_end(struct payload *p)
{
    put32(p->b + 4, (uint32_t)(p->n - 40));
}

static char *base64_of(const uint8_t *b, size_t n)
{
    char *s = malloc(cx_b64_encoded_len(n) + 1);
    assert_non_null(s);
    cx_b64_encode(b, n, s);
    return s;
}

/* The compressed wrapper around p, as base64 (length field as given, or the real one if < 0). */
static char *compressed_b64(const struct payload *p, int64_t length_field)
{
    uint8_t z[1024];
    uLongf zn = sizeof z - 8;
    assert_int_equal(compress(z + 8, &zn, p->b, p->n), Z_OK);
    put32(z, 0x1c849314);
    put32(z + 4, (uint32_t)(length_field < 0 ? (int64_t)zn : length_field));
    return base64_of(z, 8 + zn);
}

/* The uncompressed form, a lone empty bucket written as -1 (HdrHistogram_c does), a
 * normalizingIndexOffset of 1 (hdr-histogram-js writes it), and 1- to 9-byte counts. */
static void test_decode_uncompressed_and_variants(void **state)
{
    (void)state;
    struct payload p;
    payload_header(&p, 0x1c849313, 1, 3, 1);
    payload_count(&p, 3);     /* value 0 */
    payload_count(&p, -1);    /* value 1 empty */
    payload_count(&p, 300);   /* value 2 */
    payload_count(&p, 0);     /* value 3 empty */
    payload_count(&p, -5000); /* 4 .. 5003 empty */
    payload_count(&p, INT64_C(1) << 60);
    payload_end(&p);

    struct cx_hist *want = new_hist(), *got = NULL;
    cx_hist_record_n(want, 0, 3);
    cx_hist_record_n(want, 2, 300);
    cx_hist_add_at_index(want, 5004, INT64_C(1) << 60);
    char *plain = base64_of(p.b, p.n), *packed = compressed_b64(&p, -1);
    if (cx_hlog_decode(plain, &got, &cxr_e) != 0)
        fail_msg("uncompressed: %s", cxr_err());
    assert_true(cx_hist_equal(got, want));
    cx_hist_free(got);
    got = NULL;
    if (cx_hlog_decode(packed, &got, &cxr_e) != 0)
        fail_msg("compressed: %s", cxr_err());
    assert_true(cx_hist_equal(got, want));
    assert_int_equal(cx_hist_max(got), cx_hist_highest_equivalent(cx_hist_value_at_index(5004)));
    cx_hist_free(got);
    free(plain);
    free(packed);
    cx_hist_free(want);
}

/* Corrupt inputs give -1, an error naming the problem, and no histogram. */
static void assert_decode_fails(const char *name, const char *b64, const char *why)
{
    struct cx_hist *got = NULL;
    int rc = cx_hlog_decode(b64, &got, &cxr_e);
    if (rc != -1 || !strstr(cxr_err(), why))
        print_message("%s: rc %d, err \"%s\", want \"%s\"\n", name, rc, cxr_err(), why);
    assert_int_equal(rc, -1);
    assert_null(got);
    assert_non_null(strstr(cxr_err(), why));
}

static void test_decode_errors(void **state)
{
    (void)state;
    struct cx_hist *varied = varied_hist(7);
    char *good = cx_hlog_encode(varied);
    cx_hist_free(varied);
    assert_non_null(good);
    size_t len = strlen(good);

    assert_decode_fails("empty", "", "truncated");
    assert_decode_fails("not base64", "HIST!!!!", "not base64");
    assert_decode_fails("bad padding", "HISTF=AA", "not base64");

    /* Truncated text: a prefix of whole base64 quads. */
    char *cut = strdup(good);
    cut[len / 8 * 4] = '\0';
    assert_decode_fails("truncated", cut, "truncated");
    free(cut);

    /* Wrapper cookies: V1 compressed, and garbage. */
    uint8_t raw[16] = {0x1c, 0x84, 0x93, 0x02, 0, 0, 0, 0};
    char *s = base64_of(raw, 16);
    assert_decode_fails("v1 cookie", s, "cookie 0x1c849302");
    free(s);
    raw[0] = 0x12;
    s = base64_of(raw, 16);
    assert_decode_fails("garbage cookie", s, "cookie");
    free(s);

    /* The compressed length says more than there is; the deflate stream is corrupt. */
    struct payload p;
    payload_header(&p, 0x1c849313, 0, 3, 1);
    payload_count(&p, 5);
    payload_end(&p);
    s = compressed_b64(&p, 1000);
    assert_decode_fails("length beyond data", s, "truncated");
    free(s);
    uint8_t z[64];
    uLongf zn = sizeof z - 8;
    assert_int_equal(compress(z + 8, &zn, p.b, p.n), Z_OK);
    put32(z, 0x1c849314);
    put32(z + 4, (uint32_t)zn);
    z[8 + 2] ^= 0xff;
    z[8 + 3] ^= 0xff;
    s = base64_of(z, 8 + zn);
    assert_decode_fails("corrupt deflate", s, "compressed histogram");
    free(s);

    /* Payloads: bad cookie; length beyond the data; another layout; counts past the last bucket;
     * a count cut in the middle of its LEB128 bytes. */
    payload_header(&p, 0x12345678, 0, 3, 1);
    payload_count(&p, 5);
    payload_end(&p);
    s = compressed_b64(&p, -1);
    assert_decode_fails("payload cookie", s, "cookie 0x12345678");
    free(s);

    payload_header(&p, 0x1c849313, 0, 3, 1);
    payload_count(&p, 5);
    payload_end(&p);
    put32(p.b + 4, 99);
    s = compressed_b64(&p, -1);
    assert_decode_fails("payload length", s, "payload truncated");
    free(s);

    payload_header(&p, 0x1c849313, 0, 2, 1);
    payload_count(&p, 5);
    payload_end(&p);
    s = compressed_b64(&p, -1);
    assert_decode_fails("two digits", s, "layout differs");
    free(s);
    payload_header(&p, 0x1c849313, 0, 3, 1000);
    payload_count(&p, 5);
    payload_end(&p);
    s = compressed_b64(&p, -1);
    assert_decode_fails("lowest 1000", s, "layout differs");
    free(s);

    payload_header(&p, 0x1c849313, 0, 3, 1);
    payload_count(&p, -CX_HIST_COUNTS_LEN);
    payload_count(&p, 1);
    payload_end(&p);
    s = compressed_b64(&p, -1);
    assert_decode_fails("past the last bucket", s, "beyond the last bucket");
    free(s);

    payload_header(&p, 0x1c849313, 0, 3, 1);
    payload_count(&p, 5);
    p.b[p.n++] = 0x80 | 0x11; /* continuation bit and nothing after */
    payload_end(&p);
    s = compressed_b64(&p, -1);
    assert_decode_fails("cut LEB128", s, "counts truncated");
    free(s);

    /* Counts that add past INT64_MAX. */
    payload_header(&p, 0x1c849313, 0, 3, 1);
    payload_count(&p, INT64_MAX);
    payload_count(&p, INT64_MAX);
    payload_end(&p);
    s = compressed_b64(&p, -1);
    assert_decode_fails("overflow", s, "overflow");
    free(s);

    /* err may be NULL. */
    struct cx_hist *h = NULL;
    assert_int_equal(cx_hlog_decode("####", &h, NULL), -1);
    assert_null(h);
    free(good);
}

/* Writing and reading a log. */

#define MAX_SEEN 16

struct seen {
    int n, stop_at;
    char tag[MAX_SEEN][16];
    int tagged[MAX_SEEN];
    double start[MAX_SEEN], length[MAX_SEEN];
    struct cx_hist *h[MAX_SEEN];
};

static int collect(void *ctx, const char *tag, double start_s, double length_s, struct cx_hist *h)
{
    struct seen *s = ctx;
    assert_true(s->n < MAX_SEEN);
    int i = s->n++;
    s->tagged[i] = tag != NULL;
    snprintf(s->tag[i], sizeof s->tag[i], "%s", tag ? tag : "");
    s->start[i] = start_s;
    s->length[i] = length_s;
    s->h[i] = new_hist();
    cx_hist_add(s->h[i], h);
    return s->stop_at == s->n ? 7 : 0;
}

static void seen_free(struct seen *s)
{
    for (int i = 0; i < s->n; i++)
        cx_hist_free(s->h[i]);
}

static char *temp_path(void)
{
    char *path = strdup("/tmp/test_hlog_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Two tags and an untagged line over several intervals: the reader gives back every interval
 * in order with its tag, start, length and an equal histogram; the header is HdrHistogram's. */
static void test_log_write_read(void **state)
{
    (void)state;
    static const struct {
        const char *tag;
        double start, length;
        uint64_t seed;
    } iv[] = {{"GET", 0, 1, 1},    {"POST", 0, 1, 2},     {"GET", 1, 1, 3},
              {"POST", 1, 1.5, 4}, {NULL, 2.25, 0.75, 5}, {"GET", 3.5, 0.001, 0}};
    enum { NIV = sizeof iv / sizeof iv[0] };
    struct cx_hist *h[NIV];
    char *path = temp_path();
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    struct cx_hlog_writer *w = NULL;
    assert_int_equal(cx_hlog_open(f, 1700000000.5, &w), 0);
    for (int i = 0; i < NIV; i++) {
        h[i] = iv[i].seed ? varied_hist(iv[i].seed) : new_hist(); /* the last one empty */
        assert_int_equal(cx_hlog_write(w, iv[i].tag, iv[i].start, iv[i].length, h[i]), 0);
    }
    assert_int_equal(cx_hlog_close(w), 0);
    fclose(f);

    const char *text = read_all(path);
    const char *head = "#[Histogram log format version 1.3]\n"
                       "#[StartTime: 1700000000.500 (seconds since epoch), Tue Nov 14 22:13:20 "
                       "UTC 2023]\n"
                       "#[BaseTime: 1700000000.500 (seconds since epoch)]\n"
                       "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                       "\"Interval_Compressed_Histogram\"\n"
                       "Tag=GET,0.000,1.000,";
    assert_memory_equal(text, head, strlen(head));
    char max[64];
    snprintf(max, sizeof max, "\n2.250,0.750,%.3f,HISTFAAA", (double)cx_hist_max(h[4]) / 1000.0);
    assert_non_null(strstr(text, max));
    assert_non_null(strstr(text, "\nTag=GET,3.500,0.001,0.000,HISTFAAA"));

    struct seen s = {0};
    if (cx_hlog_read(path, collect, &s, &cxr_e) != 0)
        fail_msg("read: %s", cxr_err());
    assert_int_equal(s.n, NIV);
    for (int i = 0; i < NIV; i++) {
        assert_int_equal(s.tagged[i], iv[i].tag != NULL);
        assert_string_equal(s.tag[i], iv[i].tag ? iv[i].tag : "");
        assert_true(s.start[i] == iv[i].start);
        assert_true(s.length[i] == iv[i].length);
        assert_true(cx_hist_equal(s.h[i], h[i]));
    }
    seen_free(&s);

    double start = 0;
    assert_int_equal(cx_hlog_start_time(path, &start, &cxr_e), 0);
    assert_true(start == 1700000000.5);

    /* A callback's non-zero return stops the read and is returned. */
    struct seen stop = {.stop_at = 2};
    assert_int_equal(cx_hlog_read(path, collect, &stop, &cxr_e), 7);
    assert_int_equal(stop.n, 2);
    seen_free(&stop);

    for (int i = 0; i < NIV; i++)
        cx_hist_free(h[i]);
    unlink(path);
    free(path);
}

/* Tags with a delimiter are refused and write nothing; "" writes an untagged line. */
static void test_log_tag_rules(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct cx_hlog_writer *w = NULL;
    assert_int_equal(cx_hlog_open(f, 0, &w), 0);
    struct cx_hist *h = new_hist();
    cx_hist_record(h, 1500);
    fflush(f);
    size_t before = len;
    static const char *bad[] = {"a,b", "a b", "a\nb", "a\rb"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        assert_int_equal(cx_hlog_write(w, bad[i], 0, 1, h), -1);
        assert_int_equal(errno, EINVAL);
    }
    fflush(f);
    assert_int_equal(len, before);
    assert_int_equal(cx_hlog_write(w, "", 0, 1, h), 0);
    assert_int_equal(cx_hlog_close(w), 0);
    fclose(f);
    assert_non_null(strstr(buf, "\n0.000,1.000,1.500,HISTFAAA"));
    free(buf);
    cx_hist_free(h);
}

/* A log written by hdr-histogram-js's HistogramLogWriter (StartTime, no BaseTime, relative
 * timestamps, a blank line after StartTime) reads back to the histograms it logged. */
static void test_log_from_hdr_histogram_js(void **state)
{
    (void)state;
    struct cx_hist *want[4];
    for (int i = 0; i < 4; i++)
        want[i] = new_hist();
    for (int v = 1; v <= 100; v++)
        cx_hist_record(want[0], v);
    cx_hist_record_n(want[1], 1000000, 3);
    cx_hist_record(want[1], 5);
    cx_hist_record_n(want[2], 2500, 7);
    cx_hist_record(want[2], 3600000000);
    cx_hist_record(want[3], 42);
    static const char *tags[] = {"A", "B", "A", NULL};
    static const double starts[] = {0, 0, 1, 2.5}, lengths[] = {1, 1, 1.5, 0.5};

    struct seen s = {0};
    if (cx_hlog_read(CXR_TEST_DATA "/js.hlog", collect, &s, &cxr_e) != 0)
        fail_msg("read: %s", cxr_err());
    assert_int_equal(s.n, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(s.tagged[i], tags[i] != NULL);
        assert_string_equal(s.tag[i], tags[i] ? tags[i] : "");
        assert_true(s.start[i] == starts[i]);
        assert_true(s.length[i] == lengths[i]);
        assert_true(cx_hist_equal(s.h[i], want[i]));
    }
    seen_free(&s);
    double start = 0;
    assert_int_equal(cx_hlog_start_time(CXR_TEST_DATA "/js.hlog", &start, &cxr_e), 0);
    assert_true(start == 1700000000.123);
    for (int i = 0; i < 4; i++)
        cx_hist_free(want[i]);
}

/* HistogramLogReader's time rules: with BaseTime, start = timestamp + BaseTime - StartTime;
 * without it, timestamps within a year of StartTime are absolute; without StartTime, the first
 * interval starts the log. */
static void test_log_reader_timestamps(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    cx_hist_record(h, 10);
    char *b64 = cx_hlog_encode(h);
    char *path = temp_path();
    char text[1024];
    static const struct {
        const char *header;
        double ts, want;
    } cases[] = {
        {"#[StartTime: 1000000000.000 (seconds since epoch)]\n"
         "#[BaseTime: 1000000010.000 (seconds since epoch)]\n",
         5, 15},
        {"#[StartTime: 1000000000.000 (seconds since epoch)]\n", 1000000003.5, 3.5},
        {"#[StartTime: 1000000000.000 (seconds since epoch)]\n", 3.5, 3.5},
        {"", 1000000003.5, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "%s%.3f,1.000,0.010,%s\n%.3f,1.000,0.010,%s\n", cases[i].header,
                 cases[i].ts, b64, cases[i].ts + 1, b64);
        write_file(path, text);
        struct seen s = {0};
        assert_int_equal(cx_hlog_read(path, collect, &s, &cxr_e), 0);
        assert_int_equal(s.n, 2);
        if (s.start[0] != cases[i].want)
            print_message("case %zu: start %.6f, want %.6f\n", i, s.start[0], cases[i].want);
        assert_true(s.start[0] == cases[i].want);
        assert_true(s.start[1] == cases[i].want + 1);
        assert_true(cx_hist_equal(s.h[0], h));
        seen_free(&s);
    }
    unlink(path);
    free(path);
    free(b64);
    cx_hist_free(h);
}

/* Bad lines stop the read with path:line and the reason; a missing file names the path. */
static void test_log_read_errors(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    char *b64 = cx_hlog_encode(h);
    char *path = temp_path();
    char text[1024], want[512];
    static const struct {
        const char *line;
        const char *why;
    } cases[] = {
        {"1.0,2.0,3.0", "expected [Tag=TAG,]start,length,max,histogram"},
        {"Tag=x", "expected Tag=TAG,start,length,max,histogram"},
        {"abc,1.0,2.0,HISTFAAA", "expected [Tag=TAG,]start,length,max,histogram"},
        {"1.0,2.0,3.0,HIST!!!!", "histogram is not base64"},
        {"1.0,2.0,3.0,SGVsbG8gd29ybGQ=", "not a V2 compressed histogram"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text,
                 "#[StartTime: 1.000 (seconds since epoch)]\n0.000,1.000,0.000,%s\n\n%s\n", b64,
                 cases[i].line);
        write_file(path, text);
        struct seen s = {0};
        assert_int_equal(cx_hlog_read(path, collect, &s, &cxr_e), -1);
        assert_int_equal(s.n, 1); /* the good line before it was delivered */
        seen_free(&s);
        snprintf(want, sizeof want, "%s:4: %s", path, cases[i].why);
        if (strncmp(cxr_err(), want, strlen(want)) != 0)
            print_message("case %zu: err \"%s\", want \"%s\"\n", i, cxr_err(), want);
        assert_int_equal(strncmp(cxr_err(), want, strlen(want)), 0);
    }

    /* No StartTime before the first interval. */
    snprintf(text, sizeof text, "0.000,1.000,0.000,%s\n", b64);
    write_file(path, text);
    double start;
    assert_int_equal(cx_hlog_start_time(path, &start, &cxr_e), -1);
    assert_non_null(strstr(cxr_err(), "no #[StartTime"));

    unlink(path);
    struct seen s = {0};
    assert_int_equal(cx_hlog_read(path, collect, &s, &cxr_e), -1);
    assert_int_equal(s.n, 0);
    assert_int_equal(strncmp(cxr_err(), path, strlen(path)), 0);
    assert_int_equal(cx_hlog_start_time(path, &start, &cxr_e), -1);
    free(path);
    free(b64);
    cx_hist_free(h);
}

/* The logged name of a tag: delimiters become '_', what fits is written, truncation is said. */
static void test_log_tag_names(void **state)
{
    char out[32];
    assert_int_equal(cx_hlog_tag("an inbound call arrives", out, sizeof out), 0);
    assert_string_equal(out, "an_inbound_call_arrives");
    assert_int_equal(cx_hlog_tag("a,b\r\nc", out, sizeof out), 0);
    assert_string_equal(out, "a_b__c");
    assert_int_equal(cx_hlog_tag("accept", out, sizeof out), 0);
    assert_string_equal(out, "accept");
    assert_int_equal(cx_hlog_tag("too long", out, 4), -1);
    assert_string_equal(out, "too");
    assert_int_equal(cx_hlog_tag("x", out, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_golden_from_hdr_histogram_js),
        cmocka_unit_test(test_decode_uncompressed_and_variants),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_log_write_read),
        cmocka_unit_test(test_log_tag_rules),
        cmocka_unit_test(test_log_tag_names),
        cmocka_unit_test(test_log_from_hdr_histogram_js),
        cmocka_unit_test(test_log_reader_timestamps),
        cmocka_unit_test(test_log_read_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
