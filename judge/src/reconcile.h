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

/* Add to V the violations only the mock sees (VS_MOCK without VS_DRIVER: DUAL_ATTACH), with
 * their counts and examples from LEDGER: for a judge with no client of its own (cxmock gate),
 * they are the run's violations like any other. */
void checks_fold_mock_only(json_t *v, const json_t *ledger);

/* A ledger entry E as an example: what happened, to which interaction, caused by which request
 * (a new object). */
json_t *checks_ledger_example(const json_t *e);

#endif
