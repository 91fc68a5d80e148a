/* requests.h - every public request the mock saw, as the history a cxload run writes.
 *
 * `cxmock gate` judges an outside program with the driver's checks (checks.h): each request
 * the mock answered becomes one history record (hrec.h), written as a line of history.jsonl
 * and, when it matters to a check, kept for the verdict. What the program meant has to be read
 * from what it sent:
 *   op        from the route (GWS operations by operationName: Accept, Reject, the rest act)
 *   vu        one per actor: the agent it acts as (its token's, agentId, X-Agent-Id), else its
 *             client id; iter 0; step = the route (steps are the route names)
 *   opid      one logical operation: the same actor, method, path and body (a retry sends the
 *             same); an injection's is its contact (idempotency key, else the body's digest)
 *   attempt   how many times that operation was seen before
 * Times are the mock's handling, microseconds from the gate's start.
 */
#ifndef GATE_REQUESTS_H
#define GATE_REQUESTS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "hist.h"
#include "judge.h"
#include "strmap.h"

struct cxm_seen;

#define GATE_ROUTES   64
#define GATE_STATUSES 600

struct gate_route_stats {
    int64_t count, failed;
    struct cx_hist *lat; /* handling time, µs */
};

struct gate_requests {
    FILE *history;    /* history.jsonl (owned) */
    int write_failed; /* a line could not be written: the run is not judged */
    int64_t t0_ns;    /* CLOCK_MONOTONIC at the gate's start */
    uint64_t nonce;   /* mixed into every opid: two gates' operations never meet */
    struct judge_records kept;
    struct strmap actors;   /* actor -> vu */
    struct strmap attempts; /* opid (as text) -> attempts seen */
    int nactors;
    int64_t count, ok, failed, indeterminate, retries, throttled, token_fetches;
    int64_t status[GATE_STATUSES];
    struct gate_route_stats routes[GATE_ROUTES];
    struct cx_hist *all;
};

/* Open PATH for the history. Returns 0, or -1 (errno set). */
int gate_requests_open(struct gate_requests *g, const char *path, int64_t t0_ns);

/* The mock's observer (cxmock.h's seen): one record per public request. */
void gate_requests_seen(void *ctx, const struct cxm_seen *s);

/* Close the history (0, or -1 if any write failed) and keep the records. */
int gate_requests_close(struct gate_requests *g);

void gate_requests_free(struct gate_requests *g);

/* The route names by index, the summary's "steps" (a new array). */
json_t *gate_route_names(void);

#endif
