/* checks.h - the driver's violation checks (violations.def), run over a finished run's history.
 *
 * The checks read what the client did and believed (hrec.h records: ops, subjects, agents,
 * answers) once the attempts are all in, so they cost nothing on the request path: cxload runs
 * them on the records its workers kept, `cxreport judge` and `merge` on records read back from
 * history.jsonl, and both give the same verdict. Each finding names its violation and rule ID
 * and keeps the first examples (request, answer, time).
 */
#ifndef CHECKS_H
#define CHECKS_H

#include <jansson.h>
#include <stddef.h>

#include "hrec.h"

#define CHECKS_EXAMPLES 5

/* Run every check over RECS (N records from all workers; reordered by end time). STEP_NAME(i)
 * names a step index for examples (NULL: none). Returns a new object:
 *   {"NAME": {"rule": "ACC-05", "count": N, "examples": [...]}}
 * with an entry for every violation the driver knows, found or not; NULL on ENOMEM. */
json_t *checks_run(struct hrec *recs, size_t n, const char *(*step_name)(void *ctx, int step),
                   void *ctx);

/* The total of every violation's count. */
long long checks_total(const json_t *v);

#endif
