/* mergesat.h - what a merge of shards says about whether its latencies are the target API's
 * alone: summary.json's connections, saturation and warnings (client/SCENARIO.md), which the
 * merge had dropped, so that a shard whose driver fell behind or whose target held its
 * connections waiting gave a merged report with no warning at all. */
#ifndef MERGESAT_H
#define MERGESAT_H

#include <jansson.h>
#include <stddef.h>

/* Set them on MERGED from the N shards' SUMMARIES, named NAMES (their shard spec or dir):
 * - connections: limit and waits summed, waitMs max the highest; waitMs p50 and p99 the
 *   highest shard's, an upper bound (said in INEXACT when more than one shard waited);
 * - saturation.target: null if no shard's target reported; else workers the most any shard
 *   saw and saturatedConnections summed;
 * - saturation.driver: starts and lateStarts summed, lagMs max the highest, p50 and p99 the
 *   highest shard's (an upper bound), fellBehind if any shard's did;
 * - warnings: every shard's, each prefixed with its name.
 * Members no shard has are left out. */
void merge_saturation(json_t *merged, const json_t *const *summaries, const char *const *names,
                      size_t n, json_t *inexact);

#endif
