/* checks.h - the built-in violation checks of SEMANTICS.md, run over a finished run's history.
 *
 * The checks read what the client did and believed (history.h records: ops, subjects, agents,
 * answers) after the workers are joined, so they cost nothing on the request path. Each finding
 * names its violation and rule ID and keeps the first examples (request, answer, time). Against
 * the mock, checks_reconcile() adds the ground truth of /__admin/violations and says where the
 * client's belief and the mock's ledger differ.
 */
#ifndef CHECKS_H
#define CHECKS_H

#include <jansson.h>
#include <stddef.h>

#include "history.h"

#define CHECKS_EXAMPLES 5

/* Run every check over RECS (N records from all workers; reordered by end time). STEP_NAME(i)
 * names a step index for examples. Returns a new object:
 *   {"NAME": {"rule": "ACC-05", "count": N, "ledger": M (after reconcile), "examples": [...]}}
 * with an entry for every violation the driver knows, found or not; NULL on ENOMEM. */
json_t *checks_run(struct hrec *recs, size_t n, const char *(*step_name)(void *ctx, int step),
                   void *ctx);

/* Fold the mock's /__admin/violations answer LEDGER into V: each known name gets "ledger" (the
 * mock's count) and its count becomes the larger of the two; returns a new array of
 * human-readable differences between belief and ground truth (empty when they agree). */
json_t *checks_reconcile(json_t *v, const json_t *ledger);

/* The total of every violation's count. */
long long checks_total(const json_t *v);

/* The names the driver reports, in report order, NULL-terminated, and each one's rule ID. */
extern const char *const checks_names[];
const char *checks_rule(const char *name);

#endif
