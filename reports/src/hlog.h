/* hlog.h - HdrHistogram's interval log (.hlog) and its V2 compressed histogram encoding.
 *
 * A log is what HdrHistogram's HistogramLogReader and HistogramLogProcessor (Java), and
 * hdr-histogram-js's HistogramLogReader, read:
 *
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]
 *   #[BaseTime: 1700000000.000 (seconds since epoch)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   Tag=GET,0.000,1.000,12.345,HISTFAAAA...
 *
 * one line per interval: an optional Tag=TAG, the start in seconds after BaseTime, the length in
 * seconds, the interval's max in milliseconds (HdrHistogram's getMaxValue divided by
 * CX_HLOG_MAX_RATIO: values are us) and the histogram.
 *
 * The histogram is HdrHistogram's V2 encoding, big-endian: a payload of cookie 0x1c849313
 * (V2EncodingCookieBase 0x1c849303 | 0x10, as HdrHistogram writes it), payload length,
 * normalizingIndexOffset 0, significant digits 3, lowest discernible value 1 (int64), highest
 * trackable value (int64), integer-to-double ratio 1.0 (double), then the counts up to the
 * max's bucket as ZigZag LEB128 (at most 9 bytes each) with a run of n > 1 empty buckets written
 * as -n; deflated (zlib) behind cookie 0x1c849314 (V2CompressedEncodingCookieBase 0x1c849304 |
 * 0x10) and its length; then base64. Decoding accepts any V2 histogram with lowest discernible
 * value 1 and 3 significant digits (their bucket layout is ours) whose counts fit ours.
 */
#ifndef HLOG_H
#define HLOG_H

#include <stddef.h>
#include <stdio.h>

#include "cxerr.h"
#include "hist.h"

#define CX_HLOG_MAX_RATIO 1000.0 /* Interval_Max column: us / 1000 = ms */

/* h's V2 compressed encoding as base64, NUL-terminated and malloc'd (the caller frees it);
 * NULL if memory or zlib fails. */
char *cx_hlog_encode(const struct cx_hist *h);

/* Decode a base64 V2 histogram, compressed (cookie base 0x1c849304) or not (0x1c849303), into a
 * new histogram in *out (the caller frees it). Surrounding whitespace is ignored. Returns 0, or
 * -1 with *out untouched and a one-line reason in err (err may be NULL): not
 * base64, unknown cookie, truncated or corrupt data, another bucket layout, counts beyond ours. */
int cx_hlog_decode(const char *b64, struct cx_hist **out, struct cx_error *err);

struct cx_hlog_writer;

/* Start a log on f (which stays the caller's: cx_hlog_close does not close it): writes the
 * format version, StartTime and BaseTime (both start_epoch_s, seconds since the epoch) and the
 * legend. Returns 0 with the writer in *out, or -1 (errno set) if memory or a write fails. */
int cx_hlog_open(FILE *f, double start_epoch_s, struct cx_hlog_writer **out);

/* Append one interval: tag (NULL or "" for none; no ',', ' ', '\r' or '\n'), start_s seconds
 * after the log's start, length_s seconds, histogram h. Timestamps are written to the
 * millisecond, as HdrHistogram does. Returns 0, or -1 if the tag is invalid (EINVAL), or memory,
 * zlib or the write fails. */
int cx_hlog_write(struct cx_hlog_writer *w, const char *tag, double start_s, double length_s,
                  const struct cx_hist *h);

/* The name TAG is logged under: HdrHistogram's tags cannot hold ',', ' ', '\r' or '\n', so each
 * becomes '_' ("an inbound call arrives" is logged as "an_inbound_call_arrives"); readers that
 * look a summary's tag up in a log map it the same way. Writes at most SIZE bytes to OUT,
 * NUL-terminated. Returns 0, or -1 if OUT was too small (then it holds the truncated name). */
int cx_hlog_tag(const char *tag, char *out, size_t size);

/* Flush f and free w (NULL is a no-op). Returns 0, or -1 if any write to f failed since
 * cx_hlog_open. */
int cx_hlog_close(struct cx_hlog_writer *w);

/* Called for each interval of a log in file order. tag is NULL for an untagged line; start_s is
 * seconds after the log's StartTime (for logs this module writes: the start_s given to
 * cx_hlog_write); h is the reader's, valid during the call only, and may be modified (e.g. given
 * to cx_hist_add). Return 0 to go on; anything else stops the read. */
typedef int cx_hlog_cb(void *ctx, const char *tag, double start_s, double length_s,
                       struct cx_hist *h);

/* Read the log at path and call cb for each interval. Comment lines, the legend and blank lines
 * are skipped; StartTime and BaseTime are read as HdrHistogram's HistogramLogReader reads them
 * (without them, the first interval's start is the start and timestamps count as absolute
 * unless more than a year before it). Returns 0 at the end of the log, the callback's value if it
 * stopped the read, or -1 with "path:line: reason" in err (err may be NULL) if the
 * file cannot be read or a line is not an interval. */
int cx_hlog_read(const char *path, cx_hlog_cb *cb, void *ctx, struct cx_error *err);

/* The log's StartTime in seconds since the epoch (for aligning logs of shards started at
 * different times): 0, or -1 with "path: reason" in err if the file cannot be read or states no
 * StartTime before its first interval. */
int cx_hlog_start_time(const char *path, double *start_epoch_s, struct cx_error *err);

#endif
