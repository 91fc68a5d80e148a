/* pacing.h - when iterations start under an open or ramping arrival model.
 *
 * Each worker thread owns one pacer and takes every n-th arrival of the whole run (uniform
 * spacing) or a Poisson process at 1/n of the rate (the superposition of n Poisson processes is
 * one at the full rate), so threads never coordinate. Arrival times are intended times: the
 * driver times latency from them (coordinated-omission safe), however late it actually starts.
 *
 * The rate is a piecewise-linear function of time; the k-th arrival sits where the integral of
 * the rate reaches k (uniform) or where it reaches a sum of unit exponential draws (Poisson).
 */
#ifndef PACING_H
#define PACING_H

#include <stdint.h>

struct pacer_segment {
    int64_t start_us, end_us; /* [start, end) from the run's start */
    double r0, r1;            /* arrivals per second at start and at end */
    double cum0;              /* arrivals expected before start */
};

struct pacer {
    struct pacer_segment seg[64];
    int nseg;
    int64_t end_us; /* no arrival at or after this */
    int poisson;
    double stride; /* arrivals of the whole run per arrival of this thread */
    double next;   /* the cumulative count of this thread's next arrival */
    uint64_t rng;  /* splitmix64 state */
};

/* Constant rate (per second) for duration_us. THREAD of NTHREADS; SEED for Poisson draws. */
void pacer_init_constant(struct pacer *p, double rate, int64_t duration_us, int poisson, int thread,
                         int nthreads, uint64_t seed);

/* Ramping: from START_RATE, each stage moves linearly to its rate over its duration. At most 63
 * stages (more are ignored). */
void pacer_init_ramping(struct pacer *p, double start_rate, const int64_t *durations_us,
                        const double *rates, int nstages, int poisson, int thread, int nthreads,
                        uint64_t seed);

/* The intended time (µs from the run's start) of this thread's next arrival, consuming it; -1
 * when the run has no more. */
int64_t pacer_next(struct pacer *p);

/* Arrivals of the whole run expected by time T (µs): the offered load so far. */
double pacer_expected(const struct pacer *p, int64_t t_us);

#endif
