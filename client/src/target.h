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

/* Stop the embedded mock, if any. */
void target_close(struct target *t);

/* Whether URL's host is this machine. */
int target_is_loopback(const char *url);

#endif
