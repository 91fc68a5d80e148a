/* barrier.h - a scenario barrier shared by every worker thread: the count-th arrival of a
 * generation releases it, and every user of that generation fires at one instant.
 *
 * Arrivals count with one atomic add. The arrival that fills a generation publishes its release
 * instant in the generation's slot and wakes every worker (shared.h, run_wake_all); waiting
 * users look at their generation's slot when their worker wakes. Nothing spins and nothing
 * polls: a user whose barrier never fills waits for its deadline timer.
 */
#ifndef BARRIER_H
#define BARRIER_H

#include <stdatomic.h>
#include <stdint.h>

#define BARRIER_RING 64 /* generations in flight at once */

struct barrier {
    int count; /* arrivals per generation */
    atomic_long arrived;
    struct {
        atomic_long released; /* generation + 1 once released */
        atomic_llong at;      /* its release instant, monotonic µs */
    } slots[BARRIER_RING];
};

/* Arrive at b: returns the generation; *filled = 1 if this arrival completed it. */
long barrier_arrive(struct barrier *b, int *filled);

/* Release generation gen at monotonic instant at (called by the arrival that filled it). */
void barrier_release(struct barrier *b, long gen, int64_t at);

/* 1 if generation gen has been released, with its instant in *at; else 0. */
int barrier_released(struct barrier *b, long gen, int64_t *at);

#endif
