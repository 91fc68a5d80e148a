/* metrics.c - see metrics.h */
#include "metrics.h"

#include <math.h>

const double cxm_latency_bounds_s[CXM_LATENCY_BUCKETS] = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0, INFINITY};

void cxm_metrics_count(struct cxm_metrics *m, int route, int status)
{
    struct cxm_route_count *c = m->counts[route];
    for (int i = 0; i < CXM_METRIC_STATUSES; i++) {
        if (c[i].count == 0 || c[i].status == status) {
            c[i].status = status;
            c[i].count++;
            return;
        }
    }
    c[CXM_METRIC_STATUSES - 1].count++; /* more distinct statuses than slots: lump the rest */
}

void cxm_metrics_recount(struct cxm_metrics *m, int route, int from, int to)
{
    struct cxm_route_count *c = m->counts[route];
    for (int i = 0; i < CXM_METRIC_STATUSES; i++) {
        if (c[i].count > 0 && c[i].status == from) {
            c[i].count--;
            break;
        }
    }
    cxm_metrics_count(m, route, to);
}

void cxm_metrics_latency(struct cxm_metrics *m, double seconds)
{
    for (int i = 0; i < CXM_LATENCY_BUCKETS; i++) {
        if (seconds <= cxm_latency_bounds_s[i]) {
            m->latency_buckets[i]++;
            break;
        }
    }
    m->latency_count++;
    m->latency_sum_s += seconds;
}
