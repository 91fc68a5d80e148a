/* worker.h - one driver thread: its event loop (loop.h) running many virtual users as state
 * machines (vu.h, steps.c), with their arrivals.
 *
 * Nothing on the request path is shared between workers: each has its own curl handles, timers,
 * token caches, statistics and history. What they share is read-only (the scenario, the run's
 * settings) or touched through atomics off the request path (barriers, run-wide tokens, the
 * stop flag, the statistics flip), and a worker waiting for another's barrier or token is woken
 * through its eventfd (run_wake_all).
 */
#ifndef WORKER_H
#define WORKER_H

#include "shared.h"

/* Prepare worker INDEX (no thread yet). 0, or -1 with w->error. */
int worker_init(struct worker *w, int index, struct run_shared *rs, const char *history_path);

/* Run the worker's loop on this thread until its load is done and drained. SETUP = run the
 * scenario's setup steps once with one virtual user instead of the load. */
void worker_run(struct worker *w, int setup);

int worker_start(struct worker *w); /* a thread running worker_run(w, 0); 0 or -1 */
void worker_join(struct worker *w);

/* Off the request path, from the main thread: swap the worker's buffers and return the retired
 * one (the caller reads and clears it), waiting at most timeout_ms for the worker to answer.
 * NULL if it did not (the caller tries again later). */
struct stats *worker_flip(struct worker *w, int timeout_ms);

void worker_poke(struct worker *w);
void worker_free(struct worker *w);

#endif
