/* judge.h - a run judged from what it recorded: the driver's checks (checks.h) over every
 * history record that matters, reconciled with the mock's verdict on its own ledger
 * (reconcile.h).
 *
 * cxload judges the records its workers kept in memory; `cxreport judge` and `cxreport merge`
 * read them back from history.jsonl (one run's, or every shard's on one timeline) with the
 * mock's answers saved in summary.json ("mockViolations"). The same records give the same
 * verdict either way.
 */
#ifndef JUDGE_H
#define JUDGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cxerr.h"
#include "hrec.h"

/* Records read back from history files. */
struct judge_records {
    struct hrec *v;
    size_t n, cap;
};

/* Append the records of history file PATH that matter to a check, their times shifted by
 * SHIFT_US (shards on one timeline). Returns 0, or -1 with PATH, the line, the column and what
 * is wrong in err. */
int judge_read_history(struct judge_records *rs, const char *path, int64_t shift_us,
                       struct cx_error *err);

/* Append *R (its strings now owned by RS). Returns 0, or -1 out of memory (R still the
 * caller's). */
int judge_records_keep(struct judge_records *rs, struct hrec *r);

void judge_records_free(struct judge_records *rs);

/* Fold the mock's /__admin/violations answer ANSWER into *ACC (a new object on the first call):
 * counts add when SAME_MOCK is 0 (each run had its own mock), else the larger is kept (runs
 * against one mock: each answer holds the ones before it). Examples: up to 5 per check. */
void judge_add_mock(json_t **acc, const json_t *answer, int same_mock);

/* The verdict on RECS (N, reordered): every driver violation with its count, rule and
 * examples, steps named from STEPS (an array of names by step index, or NULL). With MOCK (the
 * mock's answer, or NULL: none), reconciled with it, and *RECONCILIATION (if not NULL) gets the
 * differences in words (a new array; NULL without MOCK). NULL if out of memory. */
json_t *judge_verdict(struct hrec *recs, size_t n, const json_t *steps, const json_t *mock,
                      json_t **reconciliation);

#endif
