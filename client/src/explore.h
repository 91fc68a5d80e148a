/* explore.h - `cxload explore`: every interleaving of a scenario's races.
 *
 * On the manual clock a race's interleaving is its barriers' release orders (turns.h). explore
 * runs the scenario once with its seed to learn its releases (which barriers, which
 * generations, how many racers each), then runs it again, each time on a fresh embedded mock,
 * for every assignment of release orders: all of them while there are at most --max-orders
 * (CHESS-style bounded search: 2 racers make 2 orders, 5 make 120); beyond that, --max-orders
 * distinct samples drawn the way probabilistic concurrency testing draws its schedules, each
 * release's order a uniformly random permutation, so a bug that needs D given racers in one
 * order shows in each sample with probability at least 1/D!.
 *
 * Each order gets its run directory (OUT/order-NNN); OUT/explore.json indexes them, and the
 * table printed names each order's verdict, its violations and the `cxload run` command that
 * replays exactly that run. The exit code is 99 if any order violates anything.
 */
#ifndef EXPLORE_H
#define EXPLORE_H

#include "run.h"

struct explore_opts {
    struct run_opts run; /* the scenario, seed, threads, env: every order's run */
    long max_orders;     /* the bound: all orders up to it, samples beyond (default 120) */
};

/* Explore; returns the exit code (0 none violates, 99 one does, 1 or 2 could not run). */
int explore_scenario(const struct explore_opts *o);

#endif
