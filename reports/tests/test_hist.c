/* test_hist.c - the histogram against a sorted-array oracle and against HdrHistogram.
 *
 * Oracle: 200 000 values from a fixed-seed PRNG (splitmix64): 1 % zeros, 29 % uniform in
 * 1..2047 (the exact range), the rest log-uniform up to 10^9 us. Sorted, they give every
 * statistic exactly; the histogram must give the same up to its bucket (HdrHistogram's semantics:
 * a percentile is the highest value equivalent to the oracle's value at rank
 * ceil(pct / 100 * count)).
 *
 * HdrHistogram: the layout is recomputed here with HdrHistogram's own sizing rule, and the .hgrm
 * files in tests/data are the output of hdr-histogram-js 3.0.1 (a port of the Java
 * HdrHistogram), produced outside the repository with
 *   h = hdr.build({lowestDiscernibleValue: 1, highestTrackableValue: 3600000000,
 *                  numberOfSignificantValueDigits: 3, bitBucketSize: 64, autoResize: false});
 *   for (v = 1; v <= 3000; v += 7) h.recordValue(v);
 *   h.recordValueWithCount(10000, 5); h.recordValueWithCount(123456, 2); h.recordValue(7654321);
 *   d = hdr.decodeFromCompressedBase64(hdr.encodeIntoCompressedBase64(h), 64);
 *   small_ms_t5.hgrm = d.outputPercentileDistribution(5, 1000);
 *   small_us_t1.hgrm = d.outputPercentileDistribution(1, 1);
 *   empty.hgrm = <an empty h>.outputPercentileDistribution(5, 1000);
 *   deep_us_t5.hgrm: the same for 5 recorded 10^10 times and 1..20000 once, ticks 5, scale 1;
 *     its rows reach 1 - 10^-10 and show Java's rounding of decimal ties (0.999780273438 and
 *     167772160.63, where C's printf gives ...437 and .62).
 * They are printed from the decoded copy because hdr-histogram-js prints the raw max in the
 * footer where Java prints getMaxValue(), the highest equivalent value; a decoded histogram has
 * only that.
 *
 * The merge tests are the concurrency oracle: the same input recorded by one histogram, and by
 * four (also on four threads, each into its own), then added, must give equal histograms. This
 * test is labelled "threaded" and runs under TSan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "prng.h"

#define N       200000
#define THREADS 4

static int64_t *data;   /* the oracle's input, in recording order */
static int64_t *sorted; /* the same, sorted */

static int64_t draw(uint64_t *s)
{
    uint64_t kind = cx_splitmix64(s) % 100, x = cx_splitmix64(s);
    if (kind < 1)
        return 0;
    if (kind < 30)
        return 1 + (int64_t)(x % 2047);
    double u = (double)(x >> 11) / 9007199254740992.0; /* [0, 1) */
    return (int64_t)exp(log(2048.0) + u * (log(1e9) - log(2048.0)));
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int setup_data(void **state)
{
    (void)state;
    data = malloc(N * sizeof *data);
    sorted = malloc(N * sizeof *sorted);
    if (!data || !sorted)
        return -1;
    uint64_t seed = 20240611;
    for (size_t i = 0; i < N; i++)
        data[i] = sorted[i] = draw(&seed);
    qsort(sorted, N, sizeof *sorted, cmp_i64);
    return 0;
}

static int teardown_data(void **state)
{
    (void)state;
    free(data);
    free(sorted);
    return 0;
}

static struct cx_hist *new_hist(void)
{
    struct cx_hist *h = NULL;
    assert_int_equal(cx_hist_new(&h), 0);
    assert_non_null(h);
    return h;
}

static struct cx_hist *hist_of_all(void)
{
    struct cx_hist *h = new_hist();
    for (size_t i = 0; i < N; i++)
        cx_hist_record(h, data[i]);
    return h;
}

/* The constants are what HdrHistogram computes for (1, 3 600 000 000, 3): sub-bucket count the
 * power of two at or above 2 * 10^3, buckets by doubling 2048 until it passes the highest value,
 * counts (buckets + 1) * half the sub-buckets. hdr-histogram-js prints "Buckets = 22,
 * SubBuckets = 2048" for these settings (the .hgrm files in tests/data). */
static void test_layout_matches_hdrhistogram(void **state)
{
    (void)state;
    int sub_count_magnitude = (int)ceil(log2(2.0 * 1000.0));
    int half_magnitude = sub_count_magnitude - 1;
    int sub_count = 1 << (half_magnitude + 1);
    int buckets = 1;
    for (int64_t untrackable = sub_count; untrackable <= CX_HIST_HIGHEST; untrackable <<= 1)
        buckets++;
    assert_int_equal(half_magnitude, 10);
    assert_int_equal(sub_count, CX_HIST_SUB_BUCKET_COUNT);
    assert_int_equal(buckets, CX_HIST_BUCKET_COUNT);
    assert_int_equal((buckets + 1) * (sub_count / 2), CX_HIST_COUNTS_LEN);
    struct cx_hist *h = new_hist();
    assert_int_equal(cx_hist_counts_len(h), 23552);
    cx_hist_free(h);

    /* Known points of the layout (values from hdr-histogram-js where noted). */
    assert_int_equal(cx_hist_value_at_index(0), 0);
    assert_int_equal(cx_hist_value_at_index(2047), 2047);
    assert_int_equal(cx_hist_value_at_index(2048), 2048);
    assert_int_equal(cx_hist_value_at_index(3072), 4096);
    assert_int_equal(cx_hist_value_at_index(CX_HIST_COUNTS_LEN - 1), INT64_C(2047) << 21);
    assert_int_equal(cx_hist_lowest_equivalent(2049), 2048);
    assert_int_equal(cx_hist_highest_equivalent(2048), 2049);
    assert_int_equal(cx_hist_lowest_equivalent(1000000), 999936);
    assert_int_equal(cx_hist_highest_equivalent(1000000), 1000447);            /* js */
    assert_int_equal(cx_hist_highest_equivalent(123456), 123519);              /* js */
    assert_int_equal(cx_hist_highest_equivalent(7654321), 7655423);            /* js */
    assert_int_equal(cx_hist_highest_equivalent(CX_HIST_HIGHEST), 3600809983); /* js */
    assert_int_equal(cx_hist_highest_equivalent(-7), 0);
}

/* Every bucket: its lowest value maps back to it (recording it counts there), buckets tile the
 * value line with no gap or overlap (highest + 1 is the next bucket's lowest), and bucket widths
 * keep 3 significant digits (width <= value / 1024 past the unit range). */
static void test_every_index_round_trips(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    size_t len = cx_hist_counts_len(h);
    for (size_t i = 0; i < len; i++) {
        int64_t v = cx_hist_value_at_index(i);
        assert_int_equal(cx_hist_lowest_equivalent(v), v);
        if (i + 1 < len)
            assert_int_equal(cx_hist_highest_equivalent(v) + 1, cx_hist_value_at_index(i + 1));
        int64_t width = cx_hist_highest_equivalent(v) - v + 1;
        assert_true(v < 2048 ? width == 1 : width <= v / 1024);
        if (v <= CX_HIST_HIGHEST)
            cx_hist_record(h, v);
    }
    for (size_t i = 0; i < len; i++)
        assert_int_equal(cx_hist_count_at_index(h, i),
                         cx_hist_value_at_index(i) <= CX_HIST_HIGHEST ? 1 : 0);
    assert_int_equal(cx_hist_count_at_index(h, len), 0);
    assert_int_equal(cx_hist_clamped(h), 0);
    cx_hist_free(h);
}

/* Percentiles (in parts per million, so the oracle's rank is exact integer arithmetic). */
static const int64_t ppms[] = {1,      700,    1700,   10000,  100000, 250000, 500000, 750000,
                               900000, 990000, 999000, 999500, 999900, 999990, 999999, 1000000};

static void test_percentiles_match_oracle(void **state)
{
    (void)state;
    struct cx_hist *h = hist_of_all();
    for (size_t k = 0; k < sizeof ppms / sizeof ppms[0]; k++) {
        int64_t rank = (ppms[k] * N + 999999) / 1000000; /* ceil(ppm * N / 10^6) */
        if (rank < 1)
            rank = 1;
        int64_t oracle = sorted[rank - 1];
        int64_t got = cx_hist_percentile(h, (double)ppms[k] / 10000.0);
        if (got != cx_hist_highest_equivalent(oracle))
            print_message("p%g: rank %lld, oracle %lld\n", (double)ppms[k] / 10000.0,
                          (long long)rank, (long long)oracle);
        assert_int_equal(got, cx_hist_highest_equivalent(oracle));
        assert_true(cx_hist_lowest_equivalent(got) <= oracle && oracle <= got);
    }
    /* 0: the lowest value of the first non-empty bucket. */
    assert_int_equal(cx_hist_percentile(h, 0.0), cx_hist_lowest_equivalent(sorted[0]));
    assert_int_equal(cx_hist_percentile(h, 100.0), cx_hist_highest_equivalent(sorted[N - 1]));
    assert_int_equal(cx_hist_percentile(h, 250.0), cx_hist_highest_equivalent(sorted[N - 1]));
    cx_hist_free(h);
}

/* The one-ulp rule: 0.07 % of 10000 values is the 7th, although 0.07 * 10000 / 100 is
 * 7.000000000000001 in doubles (ceil: 8) - HdrHistogram lowers the percentile by one ulp first.
 * And 99.9 % of 1000 is the 999th, 50 % of 4 the 2nd, 50.1 % of 4 the 3rd. */
static void test_percentile_rank_rule(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    for (int v = 1; v <= 10000; v++)
        cx_hist_record(h, v);
    assert_int_equal(cx_hist_percentile(h, 0.07), 7);
    assert_int_equal(cx_hist_percentile(h, 0.17), 17);
    assert_int_equal(cx_hist_percentile(h, 0.0), 1);
    assert_int_equal(cx_hist_percentile(h, -3.0), 1);
    cx_hist_reset(h);
    for (int v = 1; v <= 1000; v++)
        cx_hist_record(h, v);
    assert_int_equal(cx_hist_percentile(h, 99.9), 999);
    assert_int_equal(cx_hist_percentile(h, 99.95), 1000);
    assert_int_equal(cx_hist_percentile(h, 0.1), 1);
    cx_hist_reset(h);
    for (int v = 1; v <= 4; v++)
        cx_hist_record(h, v);
    assert_int_equal(cx_hist_percentile(h, 50.0), 2);
    assert_int_equal(cx_hist_percentile(h, 50.1), 3);
    assert_int_equal(cx_hist_percentile(h, 75.0), 3);
    cx_hist_free(h);
}

/* count, min, max exactly (to the bucket); mean within the 1/2048 a median can be off by past
 * the unit range; stddev within 0.1 %. */
static void test_stats_match_oracle(void **state)
{
    (void)state;
    struct cx_hist *h = hist_of_all();
    double sum = 0.0, sq = 0.0;
    for (size_t i = 0; i < N; i++)
        sum += (double)sorted[i];
    double mean = sum / N;
    for (size_t i = 0; i < N; i++)
        sq += ((double)sorted[i] - mean) * ((double)sorted[i] - mean);
    double sd = sqrt(sq / N);

    assert_int_equal(cx_hist_count(h), N);
    assert_int_equal(sorted[0], 0); /* the draw has zeros, so min is 0 */
    assert_int_equal(cx_hist_min(h), 0);
    assert_int_equal(cx_hist_max(h), cx_hist_highest_equivalent(sorted[N - 1]));
    assert_true(fabs(cx_hist_mean(h) - mean) <= mean / 2048.0);
    assert_true(fabs(cx_hist_stddev(h) - sd) <= sd / 1000.0);
    assert_int_equal(cx_hist_clamped(h), 0);

    /* Without the zeros, min is the lowest equivalent of the smallest value. */
    struct cx_hist *nz = new_hist();
    int64_t smallest = INT64_MAX;
    for (size_t i = 0; i < N; i++) {
        if (data[i] > 2047) {
            cx_hist_record(nz, data[i]);
            smallest = data[i] < smallest ? data[i] : smallest;
        }
    }
    assert_int_equal(cx_hist_min(nz), cx_hist_lowest_equivalent(smallest));
    assert_true(smallest <= cx_hist_highest_equivalent(cx_hist_min(nz)));
    cx_hist_free(nz);
    cx_hist_free(h);
}

/* Values below 2048 are exact: mean and stddev are the plain ones. */
static void test_small_values_exact(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    cx_hist_record(h, 1);
    cx_hist_record(h, 2);
    cx_hist_record_n(h, 3, 1);
    cx_hist_record(h, 4);
    assert_int_equal(cx_hist_count(h), 4);
    assert_int_equal(cx_hist_min(h), 1);
    assert_int_equal(cx_hist_max(h), 4);
    assert_true(cx_hist_mean(h) == 2.5);
    assert_true(fabs(cx_hist_stddev(h) - sqrt(1.25)) < 1e-12);
    cx_hist_free(h);
}

static void test_empty(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    assert_int_equal(cx_hist_count(h), 0);
    assert_int_equal(cx_hist_min(h), 0);
    assert_int_equal(cx_hist_max(h), 0);
    assert_true(cx_hist_mean(h) == 0.0);
    assert_true(cx_hist_stddev(h) == 0.0);
    assert_int_equal(cx_hist_percentile(h, 50.0), 0);
    assert_int_equal(cx_hist_percentile(h, 100.0), 0);
    assert_int_equal(cx_hist_clamped(h), 0);
    cx_hist_free(h);
}

/* Below 0 records 0, above the highest records the highest; both are counted as clamped; n <= 0
 * records nothing. */
static void test_clamping(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    cx_hist_record(h, -5);
    cx_hist_record(h, 0);
    cx_hist_record(h, INT64_C(4000000000));
    cx_hist_record_n(h, INT64_MAX, 2);
    cx_hist_record_n(h, 17, 0);
    cx_hist_record_n(h, 17, -3);
    assert_int_equal(cx_hist_count(h), 5);
    assert_int_equal(cx_hist_clamped(h), 4);
    assert_int_equal(cx_hist_count_at_index(h, 0), 2);
    assert_int_equal(cx_hist_min(h), 0);
    assert_int_equal(cx_hist_max(h), cx_hist_highest_equivalent(CX_HIST_HIGHEST));
    assert_int_equal(cx_hist_percentile(h, 100.0), 3600809983);
    assert_int_equal(cx_hist_percentile(h, 40.0), 0);
    cx_hist_free(h);
}

static void record_part(struct cx_hist *h, size_t part, size_t parts)
{
    for (size_t i = part; i < N; i += parts)
        cx_hist_record(h, data[i]);
    /* and values that clamp, so the clamped counts are merged too */
    cx_hist_record(h, -(int64_t)part - 1);
    cx_hist_record(h, CX_HIST_HIGHEST + (int64_t)part + 1);
}

static void assert_same_stats(const struct cx_hist *a, const struct cx_hist *b)
{
    assert_true(cx_hist_equal(a, b));
    assert_int_equal(cx_hist_count(a), cx_hist_count(b));
    assert_int_equal(cx_hist_clamped(a), cx_hist_clamped(b));
    assert_int_equal(cx_hist_min(a), cx_hist_min(b));
    assert_int_equal(cx_hist_max(a), cx_hist_max(b));
    assert_true(cx_hist_mean(a) == cx_hist_mean(b));
    assert_true(cx_hist_stddev(a) == cx_hist_stddev(b));
    for (size_t k = 0; k < sizeof ppms / sizeof ppms[0]; k++)
        assert_int_equal(cx_hist_percentile(a, (double)ppms[k] / 10000.0),
                         cx_hist_percentile(b, (double)ppms[k] / 10000.0));
}

/* Four histograms fed disjoint parts, added, equal one fed everything; and equal notices a
 * difference (one more value; or the same count in another bucket). */
static void test_merge_equals_single(void **state)
{
    (void)state;
    struct cx_hist *single = new_hist(), *merged = new_hist(), *part[THREADS];
    for (size_t k = 0; k < THREADS; k++) {
        record_part(single, k, THREADS);
        part[k] = new_hist();
        record_part(part[k], k, THREADS);
    }
    for (size_t k = 0; k < THREADS; k++)
        assert_int_equal(cx_hist_add(merged, part[k]), 0);
    assert_int_equal(cx_hist_count(merged), N + 2 * THREADS);
    assert_int_equal(cx_hist_clamped(merged), 2 * THREADS);
    assert_same_stats(merged, single);

    cx_hist_record(merged, 5);
    assert_false(cx_hist_equal(merged, single));
    struct cx_hist *a = new_hist(), *b = new_hist();
    cx_hist_record(a, 1);
    cx_hist_record(b, 2);
    assert_false(cx_hist_equal(a, b));
    cx_hist_free(a);
    cx_hist_free(b);
    for (size_t k = 0; k < THREADS; k++)
        cx_hist_free(part[k]);
    cx_hist_free(single);
    cx_hist_free(merged);
}

struct worker {
    pthread_t thread;
    size_t part;
    struct cx_hist *h;
};

static void *record_thread(void *arg)
{
    struct worker *w = arg;
    record_part(w->h, w->part, THREADS);
    return NULL;
}

/* The same with real threads, each recording into its own histogram, added after the join. */
static void test_merge_threads_equals_single(void **state)
{
    (void)state;
    struct worker w[THREADS];
    struct cx_hist *single = new_hist(), *merged = new_hist();
    for (size_t k = 0; k < THREADS; k++) {
        w[k].part = k;
        w[k].h = new_hist();
        assert_int_equal(pthread_create(&w[k].thread, NULL, record_thread, &w[k]), 0);
    }
    for (size_t k = 0; k < THREADS; k++)
        record_part(single, k, THREADS);
    for (size_t k = 0; k < THREADS; k++) {
        assert_int_equal(pthread_join(w[k].thread, NULL), 0);
        cx_hist_add(merged, w[k].h);
        cx_hist_free(w[k].h);
    }
    assert_same_stats(merged, single);
    cx_hist_free(single);
    cx_hist_free(merged);
}

static void test_reset(void **state)
{
    (void)state;
    struct cx_hist *h = hist_of_all(), *fresh = new_hist();
    cx_hist_record(h, -1);
    cx_hist_reset(h);
    assert_true(cx_hist_equal(h, fresh));
    assert_int_equal(cx_hist_count(h), 0);
    assert_int_equal(cx_hist_clamped(h), 0);
    assert_int_equal(cx_hist_max(h), 0);
    assert_int_equal(cx_hist_min(h), 0);
    cx_hist_record(h, 3000);
    assert_int_equal(cx_hist_min(h), 3000);
    assert_int_equal(cx_hist_max(h), 3001);
    cx_hist_free(h);
    cx_hist_free(fresh);
}

/* Decoders' bucket access: in range adds and tracks min/max; out of range, negative or
 * overflowing counts are refused and change nothing. */
static void test_add_at_index(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    assert_int_equal(cx_hist_add_at_index(h, 3072, 2), 0);
    assert_int_equal(cx_hist_count(h), 2);
    assert_int_equal(cx_hist_min(h), 4096);
    assert_int_equal(cx_hist_max(h), 4099);
    assert_int_equal(cx_hist_add_at_index(h, CX_HIST_COUNTS_LEN, 1), -1);
    assert_int_equal(cx_hist_add_at_index(h, 5, -1), -1);
    assert_int_equal(cx_hist_add_at_index(h, 3072, INT64_MAX), -1);
    assert_int_equal(cx_hist_add_at_index(h, 7, 0), 0);
    assert_int_equal(cx_hist_count(h), 2);
    assert_int_equal(cx_hist_count_at_index(h, 3072), 2);
    /* The last bucket lies above the highest trackable value; decoders may still fill it. */
    assert_int_equal(cx_hist_add_at_index(h, CX_HIST_COUNTS_LEN - 1, 1), 0);
    assert_int_equal(cx_hist_max(h), cx_hist_highest_equivalent(INT64_C(2047) << 21));
    cx_hist_free(h);
}

/* .hgrm output: byte for byte what hdr-histogram-js prints for the same histogram. */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    FILE *m = open_memstream(&buf, &cap);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    *len = cap;
    return buf;
}

static void assert_hgrm(const struct cx_hist *h, int ticks, double scale, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CXR_TEST_DATA, file);
    size_t want_len = 0;
    char *want = slurp(path, &want_len);
    if (!want)
        fail_msg("cannot read %s", path);

    char *got = NULL;
    size_t got_len = 0;
    FILE *m = open_memstream(&got, &got_len);
    assert_non_null(m);
    assert_int_equal(cx_hist_write_hgrm(m, h, ticks, scale), 0);
    fclose(m);

    if (got_len != want_len || memcmp(got, want, want_len) != 0) {
        /* Show the first line that differs. */
        const char *g = got, *w = want;
        int line = 1;
        while (*g && *g == *w) {
            line += *g == '\n';
            g++;
            w++;
        }
        while (g > got && g[-1] != '\n') {
            g--;
            w--;
        }
        print_message("%s:%d differs\n want: %.*s\n  got: %.*s\n", file, line,
                      (int)strcspn(w, "\n"), w, (int)strcspn(g, "\n"), g);
    }
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    free(want);
}

static struct cx_hist *small_hist(void)
{
    struct cx_hist *h = new_hist();
    for (int v = 1; v <= 3000; v += 7)
        cx_hist_record(h, v);
    cx_hist_record_n(h, 10000, 5);
    cx_hist_record_n(h, 123456, 2);
    cx_hist_record(h, 7654321);
    return h;
}

static void test_hgrm_ms_ticks5(void **state)
{
    (void)state;
    struct cx_hist *h = small_hist();
    assert_hgrm(h, 5, 1000.0, "small_ms_t5.hgrm");
    cx_hist_free(h);
}

static void test_hgrm_us_ticks1(void **state)
{
    (void)state;
    struct cx_hist *h = small_hist();
    assert_hgrm(h, 1, 1.0, "small_us_t1.hgrm");
    cx_hist_free(h);
}

static void test_hgrm_deep_rounds_like_java(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    cx_hist_record_n(h, 5, INT64_C(10000000000));
    for (int v = 1; v <= 20000; v++)
        cx_hist_record(h, v);
    assert_hgrm(h, 5, 1.0, "deep_us_t5.hgrm");
    cx_hist_free(h);
}

static void test_hgrm_empty(void **state)
{
    (void)state;
    struct cx_hist *h = new_hist();
    assert_hgrm(h, 5, 1000.0, "empty.hgrm");
    cx_hist_free(h);
}

static void test_hgrm_bad_arguments(void **state)
{
    (void)state;
    struct cx_hist *h = small_hist();
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    assert_int_equal(cx_hist_write_hgrm(f, h, 0, 1000.0), -1);
    assert_int_equal(cx_hist_write_hgrm(f, h, 5, 0.0), -1);
    assert_int_equal(cx_hist_write_hgrm(f, h, 5, 1000.0), 0);
    fclose(f);
    cx_hist_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_matches_hdrhistogram),
        cmocka_unit_test(test_every_index_round_trips),
        cmocka_unit_test(test_percentiles_match_oracle),
        cmocka_unit_test(test_percentile_rank_rule),
        cmocka_unit_test(test_stats_match_oracle),
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_clamping),
        cmocka_unit_test(test_merge_equals_single),
        cmocka_unit_test(test_merge_threads_equals_single),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_add_at_index),
        cmocka_unit_test(test_hgrm_ms_ticks5),
        cmocka_unit_test(test_hgrm_us_ticks1),
        cmocka_unit_test(test_hgrm_deep_rounds_like_java),
        cmocka_unit_test(test_hgrm_empty),
        cmocka_unit_test(test_hgrm_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup_data, teardown_data);
}
