/* pacing.c - intended arrival times from a piecewise-linear rate (see pacing.h). */
#include "pacing.h"

#include <math.h>
#include <string.h>

#include "prng.h"

/* A unit exponential draw. */
static double expo(uint64_t *s)
{
    double u = ((double)(cx_splitmix64(s) >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
    return -log(u);
}

static void start(struct pacer *p, int poisson, int thread, int nthreads, uint64_t seed)
{
    p->poisson = poisson;
    p->stride = nthreads > 0 ? nthreads : 1;
    p->rng = seed ^ (0x5851f42d4c957f2dULL * (uint64_t)(thread + 1));
    /* Uniform: thread t takes arrivals t, t+n, t+2n, ... of the whole run (arrival k at the
     * instant the cumulative rate reaches k). Poisson: its own process at 1/n of the rate. */
    p->next = poisson ? expo(&p->rng) * p->stride : (double)thread;
}

void pacer_init_constant(struct pacer *p, double rate, int64_t duration_us, int poisson, int thread,
                         int nthreads, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->seg[0] = (struct pacer_segment){0, duration_us, rate, rate, 0};
    p->nseg = 1;
    p->end_us = duration_us;
    start(p, poisson, thread, nthreads, seed);
}

void pacer_init_ramping(struct pacer *p, double start_rate, const int64_t *durations_us,
                        const double *rates, int nstages, int poisson, int thread, int nthreads,
                        uint64_t seed)
{
    memset(p, 0, sizeof *p);
    int64_t t = 0;
    double r = start_rate, cum = 0;
    for (int i = 0; i < nstages && i < 64; i++) {
        struct pacer_segment *s = &p->seg[p->nseg++];
        *s = (struct pacer_segment){t, t + durations_us[i], r, rates[i], cum};
        cum += (r + rates[i]) / 2 * (double)durations_us[i] / 1e6;
        t += durations_us[i];
        r = rates[i];
    }
    p->end_us = t;
    start(p, poisson, thread, nthreads, seed);
}

/* Arrivals expected within segment S by offset tau seconds into it. */
static double seg_cum(const struct pacer_segment *s, double tau)
{
    double d = (double)(s->end_us - s->start_us) / 1e6;
    double slope = d > 0 ? (s->r1 - s->r0) / d : 0;
    return s->r0 * tau + slope * tau * tau / 2;
}

double pacer_expected(const struct pacer *p, int64_t t_us)
{
    for (int i = 0; i < p->nseg; i++) {
        const struct pacer_segment *s = &p->seg[i];
        if (t_us < s->end_us || i == p->nseg - 1) {
            int64_t at = t_us < s->end_us ? t_us : s->end_us;
            return s->cum0 + seg_cum(s, (double)(at - s->start_us) / 1e6);
        }
    }
    return 0;
}

/* The time at which the cumulative count reaches K, or -1 past the end. */
static int64_t invert(const struct pacer *p, double k)
{
    for (int i = 0; i < p->nseg; i++) {
        const struct pacer_segment *s = &p->seg[i];
        double d = (double)(s->end_us - s->start_us) / 1e6;
        double total = seg_cum(s, d);
        if (k >= s->cum0 + total)
            continue;
        double x = k - s->cum0, slope = d > 0 ? (s->r1 - s->r0) / d : 0, tau;
        if (fabs(slope) < 1e-12)
            tau = s->r0 > 0 ? x / s->r0 : d;
        else /* r0 tau + slope tau^2 / 2 = x */
            tau = (-s->r0 + sqrt(s->r0 * s->r0 + 2 * slope * x)) / slope;
        if (tau < 0)
            tau = 0;
        int64_t t = s->start_us + (int64_t)llround(tau * 1e6);
        return t < s->end_us ? t : -1;
    }
    return -1;
}

int64_t pacer_next(struct pacer *p)
{
    int64_t t = invert(p, p->next);
    if (t < 0 || t >= p->end_us)
        return -1;
    p->next += p->poisson ? expo(&p->rng) * p->stride : p->stride;
    return t;
}
