/* metrics.h - counters for GET /metrics (Prometheus text format, version 0.0.4).
 *
 * Updated by the router under the mock's lock: requests by route and status, 429s by limit,
 * handler latency. Ledger effects by type, queue depths and the idempotency store's size are
 * read from the simulation when the page is rendered.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

#define CXM_METRIC_ROUTES   64
#define CXM_METRIC_STATUSES 12
#define CXM_LATENCY_BUCKETS 13

struct cxm_route_count {
    int status;
    uint64_t count;
};

struct cxm_metrics {
    const char *route_names[CXM_METRIC_ROUTES]; /* "GET /api/v2/interactions/{}" */
    struct cxm_route_count counts[CXM_METRIC_ROUTES][CXM_METRIC_STATUSES];
    uint64_t unrouted[2];                          /* 404, 405 */
    uint64_t limited[3];                           /* 429 by client, tenant, agent-state window */
    uint64_t faults_injected;                      /* requests a fault plan changed */
    uint64_t latency_buckets[CXM_LATENCY_BUCKETS]; /* handler time, cumulative at render */
    uint64_t latency_count;
    double latency_sum_s;
    /* The mock's one lock (api.h): time requests waited for it and held it. When held time
     * per second nears 1, the mock, not its client, sets the pace. */
    double lock_wait_s, lock_held_s;
};

extern const double cxm_latency_bounds_s[CXM_LATENCY_BUCKETS]; /* last is +Inf */

/* Count a routed request's status (route < CXM_METRIC_ROUTES). */
void cxm_metrics_count(struct cxm_metrics *m, int route, int status);
void cxm_metrics_latency(struct cxm_metrics *m, double seconds);

/* A counted request's status changed from `from` to `to` (a 503 for a ledger that lost it). */
void cxm_metrics_recount(struct cxm_metrics *m, int route, int from, int to);

#endif
