/* policy.h - the scenario's client policy applied to one answer: is it what the step expected,
 * is it retried, after how long (exponential or linear backoff, full jitter, Retry-After). */
#ifndef POLICY_H
#define POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* Is STATUS (0: no answer) one the policy retries? */
int policy_retryable(const struct scn_policy *p, int status);

/* The backoff before retry number N (0-based), in scenario µs; jitter draws from *rng. */
int64_t policy_backoff(const struct scn_policy *p, int n, uint64_t *rng);

/* Does STATUS meet the request's expected statuses (any 2xx when it names none)? If not, and
 * WHY is not NULL, says what was expected in WHY (SIZE bytes). */
int policy_status_expected(const struct scn_request *rq, int status, char *why, size_t size);

#endif
