/* target.h - what a run sends to: the embedded mock (started here on a free loopback port with
 * the scenario's tenant, clock and seed) or an outside target (a mock or a tenant), checked to
 * answer before the load starts. A target that is not this machine needs a client-side rate
 * cap, and a mock's clock is refused there.
 */
#ifndef TARGET_H
#define TARGET_H

#include <jansson.h>
#include <stddef.h>

#include "cxerr.h"

#include "plan.h"
#include "run.h"

struct cxm;

/* The embedded mock's worker threads beyond one per connection of the run: for the answer
 * check, the ledger and metrics reads and the setup's connection. */
#define TARGET_SPARE_WORKERS 8

struct target {
    struct cxm *mock; /* the embedded mock, or NULL */
    char url[1024];   /* base URL, no trailing slash */
    int loopback;     /* the target is on this machine: never use a proxy */
};

/* Open the target of o for plan p. Returns EXIT_HELD (0), or EXIT_USAGE or EXIT_UNREACHABLE
 * with why in err. */
int target_open(struct target *t, const struct run_opts *o, const struct plan *p,
                struct cx_error *err);

/* The mock's verdict on its ledger (GET /__admin/violations), or NULL if it did not answer. */
json_t *target_mock_verdict(const struct target *t);

/* A cxmock's worker accounting (its /metrics): civetweb serves each kept-alive connection on
 * one worker thread, so once every worker holds one, further connections wait unseen. */
struct target_workers {
    long workers;   /* its HTTP worker threads (cxmock --threads) */
    long saturated; /* connections it saw opened while every worker was busy, since it started */
};

/* GET /metrics of T into *w. 0, or -1 if it did not answer with a cxmock's worker metrics (not
 * a cxmock, or unreachable). */
int target_mock_workers(const struct target *t, struct target_workers *w);

/* Stop the embedded mock, if any. */
void target_close(struct target *t);

/* Whether URL's host is this machine. */
int target_is_loopback(const char *url);

#endif
