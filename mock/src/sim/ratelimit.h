/* ratelimit.h - sliding-window rate limits on the mock clock (RATE-01, AUTH-06).
 *
 * A window remembers the times of the requests it admitted in the last 60 s (a ring of at most
 * `limit` timestamps), so the limit is exact: a request is admitted while fewer than `limit`
 * were admitted in the 60 s before it, and a limited one learns exactly when the oldest of
 * those leaves the window. A request is checked against every window that applies (its
 * client's for its endpoint group, the tenant's, the agent-state one) and recorded in all of
 * them only if all admit it: a limited request changes nothing.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdint.h>

#define CXM_WINDOW_MS 60000

struct cxm_window {
    int64_t *t; /* ring of admitted times */
    int limit;  /* 0: no limit */
    int head, n;
};

/* Returns 0, or -1 if out of memory. limit 0 means unlimited. */
int cxm_window_init(struct cxm_window *w, int limit);
void cxm_window_free(struct cxm_window *w);

/* 0 if a request at `now` would be admitted, else the ms until it would be (> 0). */
int64_t cxm_window_wait(struct cxm_window *w, int64_t now);

/* Record an admitted request at `now`. */
void cxm_window_record(struct cxm_window *w, int64_t now);

#endif
