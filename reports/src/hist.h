/* hist.h - the latency histogram: HdrHistogram's bucket layout, written for this project.
 *
 * Values are microseconds. The layout is exactly HdrHistogram's for lowest discernible value 1,
 * highest trackable value 3 600 000 000 (one hour) and 3 significant digits: 2048 sub-buckets,
 * unit magnitude 0, sub-bucket half-count magnitude 10, 22 buckets, 23 552 counts. Bucket i of
 * this histogram is index i of an HdrHistogram with those settings, so the counts travel
 * unchanged through HdrHistogram's V2 encoding (hlog.h) and statistics agree with HdrHistogram's
 * (Java AbstractHistogram): values 0..2047 are exact, larger ones are kept to 1 part in 1024.
 *
 * Recording allocates nothing and takes no lock: each thread records into its own histogram and
 * the histograms are added together afterwards (cx_hist_add is lossless). Nothing here is
 * thread-safe; reading a histogram while another thread records into it is a data race.
 */
#ifndef HIST_H
#define HIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CX_HIST_LOWEST           1                   /* lowest discernible value */
#define CX_HIST_HIGHEST          INT64_C(3600000000) /* highest trackable value: 1 h in us */
#define CX_HIST_DIGITS           3                   /* significant decimal digits */
#define CX_HIST_SUB_BUCKET_COUNT 2048                /* 2^(half-count magnitude + 1) */
#define CX_HIST_BUCKET_COUNT     22                  /* HdrHistogram's bucket_count */
#define CX_HIST_COUNTS_LEN       ((CX_HIST_BUCKET_COUNT + 1) * (CX_HIST_SUB_BUCKET_COUNT / 2))

struct cx_hist; /* opaque */

/* A new, empty histogram in *out (about 190 kB, one allocation). Returns 0, or -1 with errno
 * ENOMEM (then *out is untouched). */
int cx_hist_new(struct cx_hist **out);

/* Free h; NULL is a no-op. */
void cx_hist_free(struct cx_hist *h);

/* Empty h: counts, clamped count, min and max. */
void cx_hist_reset(struct cx_hist *h);

/* Record one value (us). Never fails: a value below 0 is recorded as 0 and a value above
 * CX_HIST_HIGHEST as CX_HIST_HIGHEST, and either is also counted in cx_hist_clamped(). */
void cx_hist_record(struct cx_hist *h, int64_t us);

/* Record n occurrences of a value, as n calls of cx_hist_record; n <= 0 records nothing. */
void cx_hist_record_n(struct cx_hist *h, int64_t us, int64_t n);

/* dst += src, bucket by bucket, plus the clamped counts; lossless (adding per-thread histograms
 * gives exactly the histogram of all their values). Returns 0. */
int cx_hist_add(struct cx_hist *dst, const struct cx_hist *src);

/* Number of values recorded (clamped ones included). */
int64_t cx_hist_count(const struct cx_hist *h);

/* HdrHistogram's getMinValue: 0 if empty or if a value in bucket 0 was recorded, otherwise the
 * lowest value equivalent to the smallest value recorded. */
int64_t cx_hist_min(const struct cx_hist *h);

/* HdrHistogram's getMaxValue: 0 if empty, otherwise the highest value equivalent to the largest
 * value recorded. */
int64_t cx_hist_max(const struct cx_hist *h);

/* HdrHistogram's getMean and getStdDeviation (population): each bucket counts at its median
 * equivalent value. 0.0 when empty. */
double cx_hist_mean(const struct cx_hist *h);
double cx_hist_stddev(const struct cx_hist *h);

/* HdrHistogram's getValueAtPercentile, pct in [0, 100] (clamped to it): the highest value
 * equivalent to the first bucket whose cumulative count reaches ceil(pct / 100 * count), at
 * least 1 (pct is first lowered by one ulp, as HdrHistogram does, so 0.07 % of 10000 values is
 * rank 7, not 8); for pct == 0 the lowest equivalent value of the first non-empty bucket.
 * 0 when empty. */
int64_t cx_hist_percentile(const struct cx_hist *h, double pct);

/* How many recorded values were clamped into [0, CX_HIST_HIGHEST]. */
int64_t cx_hist_clamped(const struct cx_hist *h);

/* 1 if a and b hold the same count in every bucket (so the same count, min, max, mean and
 * percentiles), else 0. The clamped counts are not compared: the log format does not carry
 * them. */
int cx_hist_equal(const struct cx_hist *a, const struct cx_hist *b);

/* Bucket access, for encoders and writers. Buckets are indexed 0 .. cx_hist_counts_len() - 1
 * in increasing value order. */
size_t cx_hist_counts_len(const struct cx_hist *h);
/* The count in bucket i; 0 when i is out of range. */
int64_t cx_hist_count_at_index(const struct cx_hist *h, size_t i);
/* Add n (>= 0) to bucket i, for decoders (buckets above CX_HIST_HIGHEST's, which HdrHistogram
 * also has, can only be filled this way). Returns 0, or -1 (nothing changed) if i is out of
 * range, n < 0 or a count would overflow. */
int cx_hist_add_at_index(struct cx_hist *h, size_t i, int64_t n);
/* The lowest value of bucket i (HdrHistogram's valueFromIndex), also past the end (the value
 * that index has in a histogram with more buckets); INT64_MAX where that would not fit. */
int64_t cx_hist_value_at_index(size_t i);
/* The lowest and highest values recorded in the same bucket as v. v is clamped to
 * [0, 2^62] first. */
int64_t cx_hist_lowest_equivalent(int64_t v);
int64_t cx_hist_highest_equivalent(int64_t v);

/* Write HdrHistogram's percentile distribution text (the .hgrm that HdrHistogram's plotter
 * reads), exactly as its outputPercentileDistribution(stream, ticks_per_half_distance, scale)
 * does: the header, a row per percentile step (ticks_per_half_distance steps in each half of the
 * distance left to 100 %, values divided by scale: 1000.0 prints us as ms), then the Mean,
 * StdDeviation, Max, Total count, Buckets and SubBuckets footer. Returns 0, or -1 if
 * ticks_per_half_distance < 1, scale <= 0 or a write to f failed. */
int cx_hist_write_hgrm(FILE *f, const struct cx_hist *h, int ticks_per_half_distance, double scale);

#endif
