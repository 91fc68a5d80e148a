/* hlog.c - see hlog.h
 *
 * Constants checked against HdrHistogram (Java AbstractHistogram / HistogramLogWriter /
 * HistogramLogReader), HdrHistogram_c (hdr_histogram_log.c) and hdr-histogram-js
 * (JsHistogram.encoding.js, ZigZagEncoding.js): both cookies are written with 0x10 or'ed in and
 * matched on cookie & ~0xf0; ZigZag LEB128 uses 7 bits in each of the first 8 bytes and all 8 in
 * a 9th; a single empty bucket is written as count 0, a run of n > 1 as -n (Java and JS; the C
 * library writes -1 for one, which decodes the same). normalizingIndexOffset only describes how
 * an implementation stores its array (the payload is in value order either way) and
 * hdr-histogram-js writes 1 there, so decoding ignores it, as it ignores the conversion ratio.
 */
#include "hlog.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "base64.h"

#define ENCODING_COOKIE_BASE   0x1c849303u
#define COMPRESSED_COOKIE_BASE 0x1c849304u
#define COOKIE_FLAGS           0x10u /* what HdrHistogram or's into both cookies */
#define HEADER_LEN             40    /* cookie .. conversion ratio */
#define MAX_WORD               9     /* bytes of one ZigZag LEB128 count, at most */
#define MAX_PAYLOAD            (HEADER_LEN + (size_t)MAX_WORD * CX_HIST_COUNTS_LEN)
#define YEAR_S                 (365 * 24 * 3600.0)

/* Big-endian fields. */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static int64_t as_signed32(uint32_t v)
{
    return v >= 0x80000000u ? (int64_t)v - INT64_C(0x100000000) : (int64_t)v;
}

/* ZigZag LEB128-64b9B. */

static size_t zz_put(uint8_t *p, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
    size_t n = 0;
    while (n < 8) {
        if (u >> 7 == 0) {
            p[n++] = (uint8_t)u;
            return n;
        }
        p[n++] = (uint8_t)((u & 0x7f) | 0x80);
        u >>= 7;
    }
    p[n++] = (uint8_t)u; /* the 9th byte carries 8 bits */
    return n;
}

/* Returns the bytes used, or 0 if the value runs past avail. */
static size_t zz_get(const uint8_t *p, size_t avail, int64_t *v)
{
    uint64_t u = 0;
    size_t n = 0;
    for (;;) {
        if (n >= avail)
            return 0;
        if (n == 8) {
            u |= (uint64_t)p[8] << 56;
            n++;
            break;
        }
        u |= (uint64_t)(p[n] & 0x7f) << (7 * n);
        if (!(p[n++] & 0x80))
            break;
    }
    *v = (u & 1) ? -(int64_t)(u >> 1) - 1 : (int64_t)(u >> 1);
    return n;
}

/* Encoding. */

char *cx_hlog_encode(const struct cx_hist *h)
{
    uint8_t *payload = NULL, *packed = NULL;
    char *text = NULL;

    /* Counts up to the max's bucket, as HdrHistogram (at least one, for an empty histogram). */
    size_t limit = cx_hist_counts_len(h);
    while (limit > 1 && cx_hist_count_at_index(h, limit - 1) == 0)
        limit--;

    payload = malloc(HEADER_LEN + MAX_WORD * limit);
    if (!payload)
        goto done;
    size_t n = HEADER_LEN;
    for (size_t i = 0; i < limit;) {
        int64_t c = cx_hist_count_at_index(h, i++);
        int64_t zeros = 0;
        if (c == 0) {
            zeros = 1;
            while (i < limit && cx_hist_count_at_index(h, i) == 0) {
                zeros++;
                i++;
            }
        }
        n += zz_put(payload + n, zeros > 1 ? -zeros : c);
    }
    double ratio = 1.0;
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
    put32(payload, ENCODING_COOKIE_BASE | COOKIE_FLAGS);
    put32(payload + 4, (uint32_t)(n - HEADER_LEN));
    put32(payload + 8, 0); /* normalizingIndexOffset */
    put32(payload + 12, CX_HIST_DIGITS);
    put64(payload + 16, CX_HIST_LOWEST);
    put64(payload + 24, (uint64_t)CX_HIST_HIGHEST);
    put64(payload + 32, ratio_bits);

    uLongf zlen = compressBound((uLong)n);
    packed = malloc(8 + zlen);
    if (!packed || compress2(packed + 8, &zlen, payload, (uLong)n, Z_BEST_COMPRESSION) != Z_OK)
        goto done;
    put32(packed, COMPRESSED_COOKIE_BASE | COOKIE_FLAGS);
    put32(packed + 4, (uint32_t)zlen);

    text = malloc(cx_b64_encoded_len(8 + zlen) + 1);
    if (text)
        cx_b64_encode(packed, 8 + zlen, text);
done:
    free(payload);
    free(packed);
    return text;
}

/* Decoding. */

/* The payload p (n bytes: header and counts) into h, which is reset first. */
static int decode_payload(struct cx_hist *h, const uint8_t *p, size_t n, struct cx_error *err)
{
    if (n < HEADER_LEN) {
        cx_error_set(err, "histogram payload truncated: %zu bytes, header needs %d", n, HEADER_LEN);
        return -1;
    }
    uint32_t cookie = get32(p);
    if ((cookie & ~0xf0u) != ENCODING_COOKIE_BASE) {
        cx_error_set(err, "not a V2 histogram payload (cookie 0x%08x, want 0x%08x)", cookie,
                     ENCODING_COOKIE_BASE | COOKIE_FLAGS);
        return -1;
    }
    int64_t len = as_signed32(get32(p + 4));
    int64_t digits = as_signed32(get32(p + 12));
    int64_t lowest = (int64_t)get64(p + 16);
    if (len < 0 || (uint64_t)len > n - HEADER_LEN) {
        cx_error_set(err, "histogram payload truncated: counts of %lld bytes, %zu present",
                     (long long)len, n - HEADER_LEN);
        return -1;
    }
    if (digits != CX_HIST_DIGITS || lowest != CX_HIST_LOWEST) {
        cx_error_set(
            err,
            "histogram layout differs: lowest value %lld, %lld significant digits (want %d, %d)",
            (long long)lowest, (long long)digits, CX_HIST_LOWEST, CX_HIST_DIGITS);
        return -1;
    }

    cx_hist_reset(h);
    const uint8_t *c = p + HEADER_LEN;
    size_t at = 0, end = (size_t)len, index = 0, slots = cx_hist_counts_len(h);
    while (at < end) {
        int64_t v;
        size_t used = zz_get(c + at, end - at, &v);
        if (used == 0) {
            cx_error_set(err, "histogram counts truncated at byte %zu of %zu", at, end);
            return -1;
        }
        at += used;
        if (v < 0) {
            /* A run of empty buckets; past the end is harmless until a count follows. */
            uint64_t run = (uint64_t)(-(v + 1)) + 1;
            index = run > slots + 1 - index ? slots + 1 : index + (size_t)run;
        } else if (v == 0) {
            index += index <= slots;
        } else if (index >= slots) {
            cx_error_set(err, "histogram has counts beyond the last bucket (%zu) of this layout",
                         slots - 1);
            return -1;
        } else if (cx_hist_add_at_index(h, index++, v) < 0) {
            cx_error_set(err, "histogram counts overflow");
            return -1;
        }
    }
    return 0;
}

static int decode_into(struct cx_hist *h, const char *b64, struct cx_error *err)
{
    uint8_t *raw = NULL, *payload = NULL;
    int rc = -1;

    while (*b64 == ' ' || *b64 == '\t' || *b64 == '\r' || *b64 == '\n')
        b64++;
    size_t len = strlen(b64);
    while (len > 0 && (b64[len - 1] == ' ' || b64[len - 1] == '\t' || b64[len - 1] == '\r' ||
                       b64[len - 1] == '\n'))
        len--;

    size_t n;
    raw = malloc(len / 4 * 3 + 3);
    if (!raw) {
        cx_error_set(err, "out of memory");
        goto done;
    }
    if (cx_b64_decode(b64, len, raw, &n) < 0) {
        cx_error_set(err, "histogram is not base64");
        goto done;
    }
    if (n < 4) {
        cx_error_set(err, "histogram truncated: %zu bytes", n);
        goto done;
    }
    uint32_t cookie = get32(raw);
    if ((cookie & ~0xf0u) == ENCODING_COOKIE_BASE) {
        rc = decode_payload(h, raw, n, err);
        goto done;
    }
    if ((cookie & ~0xf0u) != COMPRESSED_COOKIE_BASE) {
        cx_error_set(err, "not a V2 compressed histogram (cookie 0x%08x, want 0x%08x)", cookie,
                     COMPRESSED_COOKIE_BASE | COOKIE_FLAGS);
        goto done;
    }
    int64_t zlen = n >= 8 ? as_signed32(get32(raw + 4)) : -1;
    if (zlen < 0 || (uint64_t)zlen > n - 8) {
        cx_error_set(err, "compressed histogram truncated: %lld bytes announced, %zu present",
                     (long long)zlen, n >= 8 ? n - 8 : 0);
        goto done;
    }

    payload = malloc(MAX_PAYLOAD);
    if (!payload) {
        cx_error_set(err, "out of memory");
        goto done;
    }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        cx_error_set(err, "zlib inflateInit failed");
        goto done;
    }
    zs.next_in = raw + 8;
    zs.avail_in = (uInt)zlen;
    zs.next_out = payload;
    zs.avail_out = (uInt)MAX_PAYLOAD;
    int zr = inflate(&zs, Z_FINISH);
    size_t plen = zs.total_out;
    if (zr != Z_STREAM_END) {
        if (zr == Z_BUF_ERROR && zs.avail_out == 0)
            cx_error_set(err, "histogram payload larger than any of this layout (%zu bytes)",
                         (size_t)MAX_PAYLOAD);
        else if (zr == Z_BUF_ERROR)
            cx_error_set(err, "compressed histogram truncated");
        else
            cx_error_set(err, "compressed histogram corrupt (zlib: %s)",
                         zs.msg ? zs.msg : zError(zr));
        inflateEnd(&zs);
        goto done;
    }
    inflateEnd(&zs);
    rc = decode_payload(h, payload, plen, err);
done:
    free(raw);
    free(payload);
    return rc;
}

int cx_hlog_decode(const char *b64, struct cx_hist **out, struct cx_error *err)
{
    struct cx_hist *h;
    if (cx_hist_new(&h) < 0) {
        cx_error_set(err, "out of memory");
        return -1;
    }
    if (decode_into(h, b64, err) < 0) {
        cx_hist_free(h);
        return -1;
    }
    *out = h;
    return 0;
}

/* Writer. */

struct cx_hlog_writer {
    FILE *f;
    int failed;
};

int cx_hlog_open(FILE *f, double start_epoch_s, struct cx_hlog_writer **out)
{
    struct cx_hlog_writer *w = malloc(sizeof *w);
    if (!w)
        return -1;
    w->f = f;
    w->failed = 0;

    char date[64] = "";
    struct tm tm;
    time_t t = (time_t)floor(start_epoch_s);
    if (gmtime_r(&t, &tm))
        strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
    if (fprintf(f, "#[Histogram log format version 1.3]\n") < 0 ||
        fprintf(f, "#[StartTime: %.3f (seconds since epoch), %s]\n", start_epoch_s, date) < 0 ||
        fprintf(f, "#[BaseTime: %.3f (seconds since epoch)]\n", start_epoch_s) < 0 ||
        fprintf(f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                   "\"Interval_Compressed_Histogram\"\n") < 0) {
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

int cx_hlog_write(struct cx_hlog_writer *w, const char *tag, double start_s, double length_s,
                  const struct cx_hist *h)
{
    if (tag && strpbrk(tag, ", \r\n")) {
        errno = EINVAL;
        return -1;
    }
    char *b64 = cx_hlog_encode(h);
    if (!b64) {
        w->failed = 1;
        return -1;
    }
    double max_ms = (double)cx_hist_max(h) / CX_HLOG_MAX_RATIO;
    int n = tag && *tag
                ? fprintf(w->f, "Tag=%s,%.3f,%.3f,%.3f,%s\n", tag, start_s, length_s, max_ms, b64)
                : fprintf(w->f, "%.3f,%.3f,%.3f,%s\n", start_s, length_s, max_ms, b64);
    free(b64);
    if (n < 0) {
        w->failed = 1;
        return -1;
    }
    return 0;
}

int cx_hlog_tag(const char *tag, char *out, size_t size)
{
    if (size == 0)
        return -1;
    size_t i = 0;
    for (; tag[i] && i + 1 < size; i++)
        out[i] = strchr(", \r\n", tag[i]) ? '_' : tag[i];
    out[i] = '\0';
    return tag[i] ? -1 : 0;
}

int cx_hlog_close(struct cx_hlog_writer *w)
{
    if (!w)
        return 0;
    int rc = fflush(w->f) != 0 || ferror(w->f) || w->failed ? -1 : 0;
    free(w);
    return rc;
}

/* Reader. */

struct header {
    double start, base;
    int has_start, has_base;
};

/* A "#[Name: number ..." comment sets *v; other comments are skipped. */
static void read_comment(const char *line, struct header *hd)
{
    static const char start[] = "#[StartTime: ", base[] = "#[BaseTime: ";
    const char *num = NULL;
    double *v = NULL;
    int *seen = NULL;
    if (strncmp(line, start, sizeof start - 1) == 0) {
        num = line + sizeof start - 1;
        v = &hd->start;
        seen = &hd->has_start;
    } else if (strncmp(line, base, sizeof base - 1) == 0) {
        num = line + sizeof base - 1;
        v = &hd->base;
        seen = &hd->has_base;
    }
    if (!num)
        return;
    char *end;
    double d = strtod(num, &end);
    if (end != num && isfinite(d)) {
        *v = d;
        *seen = 1;
    }
}

/* A field of a number ending at ',': advances *p past the comma. */
static int number_field(char **p, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(*p, &end);
    if (end == *p || *end != ',' || errno == ERANGE || !isfinite(d))
        return -1;
    *out = d;
    *p = end + 1;
    return 0;
}

enum line_kind { LINE_SKIP, LINE_INTERVAL };

/* Classify a line (trailing newline removed); comments update hd. */
static enum line_kind classify(char *line, struct header *hd)
{
    if (line[0] == '#') {
        read_comment(line, hd);
        return LINE_SKIP;
    }
    if (strncmp(line, "\"StartTimestamp\"", 16) == 0 || strspn(line, " \t\r") == strlen(line))
        return LINE_SKIP;
    return LINE_INTERVAL;
}

static void chomp(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
}

int cx_hlog_read(const char *path, cx_hlog_cb *cb, void *ctx, struct cx_error *err)
{
    FILE *f = NULL;
    char *line = NULL;
    size_t cap = 0;
    struct cx_hist *h = NULL;
    struct header hd = {0};
    long lineno = 0;
    int rc = -1;
    struct cx_error why;

    f = fopen(path, "r");
    if (!f) {
        cx_error_at(err, path, -1, -1, "", "%s", strerror(errno));
        goto done;
    }
    if (cx_hist_new(&h) < 0) {
        cx_error_at(err, path, -1, -1, "", "out of memory");
        goto done;
    }
    for (;;) {
        errno = 0;
        if (getline(&line, &cap, f) < 0) {
            if (ferror(f)) {
                cx_error_at(err, path, (int)lineno + 1, -1, "", "%s", strerror(errno));
                goto done;
            }
            break;
        }
        lineno++;
        chomp(line);
        if (classify(line, &hd) == LINE_SKIP)
            continue;

        char *p = line, *tag = NULL;
        if (strncmp(p, "Tag=", 4) == 0) {
            tag = p + 4;
            p = strchr(tag, ',');
            if (!p) {
                cx_error_at(err, path, (int)lineno, -1, "",
                            "expected Tag=TAG,start,length,max,histogram");
                goto done;
            }
            *p++ = '\0';
            if (*tag == '\0')
                tag = NULL;
        }
        double ts, length, max;
        if (number_field(&p, &ts) < 0 || number_field(&p, &length) < 0 ||
            number_field(&p, &max) < 0) {
            cx_error_at(err, path, (int)lineno, -1, "",
                        "expected [Tag=TAG,]start,length,max,histogram");
            goto done;
        }
        if (decode_into(h, p, &why) < 0) {
            cx_error_at(err, path, (int)lineno, -1, "", "%s", why.text);
            goto done;
        }
        /* HistogramLogReader: without StartTime the first interval starts the log; without
         * BaseTime, timestamps are relative if more than a year before the start. */
        if (!hd.has_start) {
            hd.start = ts;
            hd.has_start = 1;
        }
        if (!hd.has_base) {
            hd.base = ts < hd.start - YEAR_S ? hd.start : 0.0;
            hd.has_base = 1;
        }
        int stop = cb(ctx, tag, ts + (hd.base - hd.start), length, h);
        if (stop) {
            rc = stop;
            goto done;
        }
    }
    rc = 0;
done:
    free(line);
    cx_hist_free(h);
    if (f)
        fclose(f);
    return rc;
}

int cx_hlog_start_time(const char *path, double *start_epoch_s, struct cx_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cx_error_at(err, path, -1, -1, "", "%s", strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    struct header hd = {0};
    while (getline(&line, &cap, f) >= 0) {
        chomp(line);
        if (classify(line, &hd) == LINE_INTERVAL)
            break;
    }
    free(line);
    fclose(f);
    if (!hd.has_start) {
        cx_error_at(err, path, -1, -1, "", "no #[StartTime: ...] before the first interval");
        return -1;
    }
    *start_epoch_s = hd.start;
    return 0;
}
