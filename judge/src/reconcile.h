/* reconcile.h - the client's belief against the mock's ground truth.
 *
 * The mock judges its own ledger (SIM-04, GET /__admin/violations). Where its count of a
 * violation is ground truth for the driver's (VS_RECONCILED in violations.def), the verdict
 * takes the larger, and every difference is said in words: a client that did not notice a
 * silent drop is caught by the mock's count.
 */
#ifndef RECONCILE_H
#define RECONCILE_H

#include <jansson.h>

/* Fold the mock's /__admin/violations answer LEDGER into V (checks_run's result): each
 * reconciled name gets "ledger" (the mock's count) and its count becomes the larger of the two;
 * returns a new array of human-readable differences between belief and ground truth (empty
 * when they agree). */
json_t *checks_reconcile(json_t *v, const json_t *ledger);

/* For a judge that stands where the platform stands (cxmock gate: every request went to this
 * mock), the ledger's verdict LEDGER is ground truth both ways: each reconciled violation of V
 * gets the ledger's count and examples where the two differ (a retry whose first attempt never
 * reached the handler is no duplicate), and the violations only the mock sees (DUAL_ATTACH)
 * are added. Call after checks_reconcile. */
void checks_judge_as_platform(json_t *v, const json_t *ledger);

/* A ledger entry E as an example: what happened, to which interaction, caused by which request
 * (a new object). */
json_t *checks_ledger_example(const json_t *e);

#endif
