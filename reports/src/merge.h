/* merge.h - `cxreport merge`: the shards of one run (cxload --shard I/N) added up exactly.
 *
 * What adds, and how:
 * - counters (requests, statuses, iterations, each series point's counts, violation counts and
 *   the mock ledger's) add; examples are concatenated, each marked with its shard, up to 5 per
 *   violation; reconciliation lines are concatenated, each prefixed with its shard;
 * - threads add; wallSeconds and simSeconds are the longest shard's; ratePerS and ratePerSimS
 *   are recomputed as count / wallSeconds and count / simSeconds; startedAt is the earliest;
 * - latency: each tag's histogram is the sum of the shards' interval histograms from their
 *   latency.hlog (lossless), and count, min, p50, p90, p99, p99.9, max and mean are recomputed
 *   from it. The uncorrected figures cannot be: only corrected histograms are logged. Their max
 *   (the highest of the shards') is exact; their p50 and p99 are the highest of the shards',
 *   an upper bound of the merged percentile (a percentile of the union lies between the shards'
 *   lowest and highest), and "merged.uncorrected" says so;
 * - intervals are aligned by index, as cxload numbers them from each shard's own start (shards
 *   start at slightly different times; a ramp's second 10 is second 10 of every shard): series
 *   points add pointwise (startS the earliest, lengthS to the latest end), and each latency.hlog
 *   line goes to the series interval that starts at its timestamp (1 s bins for a shard without
 *   a series). The merged latency.hlog has one line per tag per interval plus the untagged line
 *   (the shards' untagged lines added up), StartTime the earliest shard's;
 * - thresholds (every shard must carry the same ones) are judged again on the merge with
 *   thresholds_eval and the merged histograms; passed and exitCode follow (0 held, 99 failed);
 * - the shards' history.jsonl files are concatenated in the order given.
 * The merged summary keeps "shard" as "0/2+1/2" and adds "merged": {"shards": [{"dir", "shard",
 * "seed", "startedAt", "wallSeconds", "requests", "exitCode"}...], "intervals", "uncorrected"}.
 */
#ifndef MERGE_H
#define MERGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "cxerr.h"

/* Merge the run directories DIRS[0..N) into OUT_DIR (created, with its parents, if missing;
 * it must not be one of DIRS): summary.json, junit.xml, latency.hlog and history.jsonl.
 * *SUMMARY (if not NULL) gets the merged summary (the caller json_decref's it). Warnings (a
 * shard missing from I/N) go to WARN (NULL: none). Returns the merged run's exit code, 0 if
 * every threshold held or 99 if one failed, or -1 with a message naming the file in err: a
 * directory, summary or log that cannot be read or is malformed, shards of different
 * scenarios, thresholds or shard counts, a shard given twice, or a write that failed. */
int merge_runs(const char *const *dirs, size_t n, const char *out_dir, json_t **summary, FILE *warn,
               struct cx_error *err);

#endif
