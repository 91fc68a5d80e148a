/* hist.c - see hist.h
 *
 * The layout, in HdrHistogram's terms: bucket b (0 .. 21) holds values v with sub-bucket index
 * v >> b in [1024, 2048) (bucket 0 also [0, 1024)); the counts index is
 * ((b + 1) << 10) + (v >> b) - 1024. Bucket 0 therefore takes indexes 0 .. 2047 (unit width) and
 * every later bucket 1024 indexes of width 2^b. The index arithmetic below is the standard one
 * from HdrHistogram's published design, written out here for these fixed settings.
 */
#include "hist.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HALF_COUNT_MAGNITUDE 10
#define HALF_COUNT           (CX_HIST_SUB_BUCKET_COUNT / 2)
#define SUB_BUCKET_MASK      ((int64_t)CX_HIST_SUB_BUCKET_COUNT - 1)
#define VALUE_LIMIT          (INT64_C(1) << 62) /* cx_hist_*_equivalent clamp their argument */

struct cx_hist {
    int64_t total;
    int64_t clamped;
    int64_t min_nonzero; /* smallest non-zero value recorded, INT64_MAX if none */
    int64_t max_value;   /* largest value recorded, 0 if none */
    int64_t counts[CX_HIST_COUNTS_LEN];
};

/* Layout arithmetic (v >= 0). */

static int bucket_of(int64_t v)
{
    /* Bits needed for v, at least those of the sub-bucket mask (11), less 11. */
    return 64 - __builtin_clzll((uint64_t)(v | SUB_BUCKET_MASK)) - (HALF_COUNT_MAGNITUDE + 1);
}

static size_t index_of(int64_t v)
{
    int b = bucket_of(v);
    int64_t sub = v >> b;
    return ((size_t)(b + 1) << HALF_COUNT_MAGNITUDE) + (size_t)(sub - HALF_COUNT);
}

int64_t cx_hist_value_at_index(size_t i)
{
    int64_t b = (int64_t)(i >> HALF_COUNT_MAGNITUDE) - 1;
    int64_t sub = (int64_t)(i & (HALF_COUNT - 1)) + HALF_COUNT;
    if (b < 0) {
        sub -= HALF_COUNT;
        b = 0;
    }
    if (b > 52) /* 2047 << 52 is the last that fits */
        return INT64_MAX;
    return sub << b;
}

static int64_t clamp_value(int64_t v)
{
    return v < 0 ? 0 : v > VALUE_LIMIT ? VALUE_LIMIT : v;
}

int64_t cx_hist_lowest_equivalent(int64_t v)
{
    v = clamp_value(v);
    int b = bucket_of(v);
    return (v >> b) << b;
}

int64_t cx_hist_highest_equivalent(int64_t v)
{
    v = clamp_value(v);
    int b = bucket_of(v);
    /* The sub-bucket index is always below 2048 here, so the range is 2^b. */
    return ((v >> b) << b) + (INT64_C(1) << b) - 1;
}

static int64_t median_equivalent(int64_t v)
{
    int b = bucket_of(v);
    return ((v >> b) << b) + ((INT64_C(1) << b) >> 1);
}

/* Life cycle and recording. */

int cx_hist_new(struct cx_hist **out)
{
    struct cx_hist *h = malloc(sizeof *h);
    if (!h) {
        errno = ENOMEM;
        return -1;
    }
    cx_hist_reset(h);
    *out = h;
    return 0;
}

void cx_hist_free(struct cx_hist *h)
{
    free(h);
}

void cx_hist_reset(struct cx_hist *h)
{
    memset(h->counts, 0, sizeof h->counts);
    h->total = 0;
    h->clamped = 0;
    h->min_nonzero = INT64_MAX;
    h->max_value = 0;
}

static void track(struct cx_hist *h, int64_t v)
{
    if (v > h->max_value)
        h->max_value = v;
    if (v != 0 && v < h->min_nonzero)
        h->min_nonzero = v;
}

void cx_hist_record_n(struct cx_hist *h, int64_t us, int64_t n)
{
    if (n <= 0)
        return;
    if (us < 0 || us > CX_HIST_HIGHEST) {
        us = us < 0 ? 0 : CX_HIST_HIGHEST;
        h->clamped += n;
    }
    h->counts[index_of(us)] += n;
    h->total += n;
    track(h, us);
}

void cx_hist_record(struct cx_hist *h, int64_t us)
{
    cx_hist_record_n(h, us, 1);
}

int cx_hist_add(struct cx_hist *dst, const struct cx_hist *src)
{
    for (size_t i = 0; i < CX_HIST_COUNTS_LEN; i++)
        dst->counts[i] += src->counts[i];
    dst->total += src->total;
    dst->clamped += src->clamped;
    if (src->max_value > dst->max_value)
        dst->max_value = src->max_value;
    if (src->min_nonzero < dst->min_nonzero)
        dst->min_nonzero = src->min_nonzero;
    return 0;
}

int cx_hist_add_at_index(struct cx_hist *h, size_t i, int64_t n)
{
    int64_t count, total;
    if (i >= CX_HIST_COUNTS_LEN || n < 0 || __builtin_add_overflow(h->counts[i], n, &count) ||
        __builtin_add_overflow(h->total, n, &total))
        return -1;
    if (n == 0)
        return 0;
    h->counts[i] = count;
    h->total = total;
    track(h, cx_hist_value_at_index(i));
    return 0;
}

/* Statistics. */

int64_t cx_hist_count(const struct cx_hist *h)
{
    return h->total;
}

int64_t cx_hist_clamped(const struct cx_hist *h)
{
    return h->clamped;
}

int64_t cx_hist_min(const struct cx_hist *h)
{
    if (h->total == 0 || h->counts[0] > 0 || h->min_nonzero == INT64_MAX)
        return 0;
    return cx_hist_lowest_equivalent(h->min_nonzero);
}

int64_t cx_hist_max(const struct cx_hist *h)
{
    return h->max_value == 0 ? 0 : cx_hist_highest_equivalent(h->max_value);
}

/* Summed in index order, count times the bucket's median, as HdrHistogram does, so the doubles
 * come out the same. */
double cx_hist_mean(const struct cx_hist *h)
{
    if (h->total == 0)
        return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < CX_HIST_COUNTS_LEN; i++)
        if (h->counts[i])
            sum += (double)median_equivalent(cx_hist_value_at_index(i)) * (double)h->counts[i];
    return sum / (double)h->total;
}

double cx_hist_stddev(const struct cx_hist *h)
{
    if (h->total == 0)
        return 0.0;
    double mean = cx_hist_mean(h), sum = 0.0;
    for (size_t i = 0; i < CX_HIST_COUNTS_LEN; i++) {
        if (h->counts[i]) {
            double dev = (double)median_equivalent(cx_hist_value_at_index(i)) - mean;
            sum += (dev * dev) * (double)h->counts[i];
        }
    }
    return sqrt(sum / (double)h->total);
}

int64_t cx_hist_percentile(const struct cx_hist *h, double pct)
{
    if (h->total == 0)
        return 0;
    /* Java: min(max(nextAfter(pct, -inf), 0), 100), then ceil(p * count / 100), at least 1. */
    double p = nextafter(pct, -INFINITY);
    p = p < 0.0 ? 0.0 : p > 100.0 ? 100.0 : p;
    if (isnan(p))
        p = 0.0;
    double want_fp = ceil(p * (double)h->total / 100.0);
    int64_t want = want_fp < 1.0 ? 1 : want_fp >= (double)h->total ? h->total : (int64_t)want_fp;
    int64_t seen = 0;
    for (size_t i = 0; i < CX_HIST_COUNTS_LEN; i++) {
        seen += h->counts[i];
        if (seen >= want) {
            int64_t v = cx_hist_value_at_index(i);
            return pct == 0.0 ? cx_hist_lowest_equivalent(v) : cx_hist_highest_equivalent(v);
        }
    }
    return 0;
}

int cx_hist_equal(const struct cx_hist *a, const struct cx_hist *b)
{
    return a->total == b->total && memcmp(a->counts, b->counts, sizeof a->counts) == 0;
}

/* Bucket access. */

size_t cx_hist_counts_len(const struct cx_hist *h)
{
    (void)h;
    return CX_HIST_COUNTS_LEN;
}

int64_t cx_hist_count_at_index(const struct cx_hist *h, size_t i)
{
    return i < CX_HIST_COUNTS_LEN ? h->counts[i] : 0;
}

/* v with `decimals` places, as Java's Formatter and hdr-histogram-js print "%.Nf": they round
 * the shortest decimal that reads back as v half up, where C rounds v's exact binary value (so
 * 0.99978027343750, shortest "0.9997802734375", is ...438 there and ...437 in C; 167772160.625
 * is .63 there and .62 in C). out holds FIXED_MAX characters; returns out. */
#define FIXED_MAX 80

static const char *fixed(char *out, int decimals, double v)
{
    char e[40], d[24], kept[FIXED_MAX];
    if (!isfinite(v) || fabs(v) >= 1e40 || decimals > 20) {
        snprintf(out, FIXED_MAX, "%.*f", decimals, v);
        return out;
    }
    /* The shortest %.*e that reads back as v: digits d[0..n), v = d[0].d[1..] * 10^e10. */
    for (int prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    const char *p = e + (e[0] == '-');
    int n = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            d[n++] = *p;
    int e10 = atoi(p + 1);

    /* The digits down to 10^-decimals, rounded half up on the next one, then at least one
     * integer digit. */
    int keep = e10 + 1 + decimals, len = 0;
    for (int i = 0; i < keep; i++)
        kept[len++] = i < n ? d[i] : '0';
    if (keep >= 0 && keep < n && d[keep] >= '5') {
        int i = len - 1;
        while (i >= 0 && kept[i] == '9')
            kept[i--] = '0';
        if (i >= 0) {
            kept[i]++;
        } else {
            memmove(kept + 1, kept, (size_t)len++);
            kept[0] = '1';
        }
    }
    while (len < decimals + 1) {
        memmove(kept + 1, kept, (size_t)len++);
        kept[0] = '0';
    }
    snprintf(out, FIXED_MAX, "%s%.*s%s%.*s", e[0] == '-' ? "-" : "", len - decimals, kept,
             decimals ? "." : "", decimals, kept + len - decimals);
    return out;
}

/* The percentile distribution: HdrHistogram's PercentileIterator driving
 * outputPercentileDistribution. The iterator walks the buckets keeping a cumulative count; it
 * reports the level it is iterating to once the cumulative percentile reaches it (at a non-empty
 * bucket, which may report several levels), then moves the level on by 100 / (ticks * 2^(k+1))
 * where 2^k is the power of two at or below 100 / (100 - level). When every value has been
 * counted it reports one last row at level 100. */

static double next_level(double level, int ticks)
{
    /* Java writes (long)(log(x) / log(2)); floor(log2(x)) is the value it means and is exact at
     * the powers of two the levels land on (50, 75, 87.5, ...). */
    double k = floor(log2(100.0 / (100.0 - level)));
    return level + 100.0 / ((double)ticks * ldexp(1.0, (int)k + 1));
}

int cx_hist_write_hgrm(FILE *f, const struct cx_hist *h, int ticks_per_half_distance, double scale)
{
    if (ticks_per_half_distance < 1 || !(scale > 0.0))
        return -1;
    int rc = 0;
    if (fprintf(f, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount",
                "1/(1-Percentile)") < 0)
        rc = -1;

    size_t i = 0;
    int fresh = 1, reached_last = 0;
    int64_t cumulative = 0;
    double level = 0.0;
    while (rc == 0) {
        /* hasNext */
        if (cumulative >= h->total) {
            if (reached_last || h->total == 0)
                break;
            level = 100.0;
            reached_last = 1;
        }
        /* next: move through the buckets until the level is reached */
        for (;;) {
            if (i >= CX_HIST_COUNTS_LEN)
                return -1; /* cannot happen: the counts add up to total */
            int64_t c = h->counts[i];
            if (fresh) {
                cumulative += c;
                fresh = 0;
            }
            if (c != 0 && 100.0 * (double)cumulative / (double)h->total >= level)
                break;
            i++;
            fresh = 1;
        }
        char v[FIXED_MAX], p[FIXED_MAX], inv[FIXED_MAX];
        double value = (double)cx_hist_highest_equivalent(cx_hist_value_at_index(i)) / scale;
        fixed(v, CX_HIST_DIGITS, value);
        fixed(p, 12, level / 100.0);
        if (level != 100.0) {
            fixed(inv, 2, 1.0 / (1.0 - level / 100.0));
            if (fprintf(f, "%12s %2s %10" PRId64 " %14s\n", v, p, cumulative, inv) < 0)
                rc = -1;
            level = level < 100.0 ? next_level(level, ticks_per_half_distance) : level;
        } else if (fprintf(f, "%12s %2s %10" PRId64 "\n", v, p, cumulative) < 0) {
            rc = -1;
        }
    }
    char mean[FIXED_MAX], sd[FIXED_MAX], max[FIXED_MAX];
    fixed(mean, CX_HIST_DIGITS, cx_hist_mean(h) / scale);
    fixed(sd, CX_HIST_DIGITS, cx_hist_stddev(h) / scale);
    fixed(max, CX_HIST_DIGITS, (double)cx_hist_max(h) / scale);
    if (rc == 0 &&
        (fprintf(f, "#[Mean    = %12s, StdDeviation   = %12s]\n", mean, sd) < 0 ||
         fprintf(f, "#[Max     = %12s, Total count    = %12" PRId64 "]\n", max, h->total) < 0 ||
         fprintf(f, "#[Buckets = %12d, SubBuckets     = %12d]\n", CX_HIST_BUCKET_COUNT,
                 CX_HIST_SUB_BUCKET_COUNT) < 0))
        rc = -1;
    if (rc == 0 && ferror(f))
        rc = -1;
    return rc;
}
