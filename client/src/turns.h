/* turns.h - on the manual clock, the load's virtual users take turns: one action at a time
 * reaches the mock, in an order the seed (or --order) fixes, whatever the threads or the load
 * on the machine. That is what makes a race replay exactly (client/SCENARIO.md, "Races on the
 * manual clock").
 *
 * An action is what the mock can see: a request's attempt (with the token fetch it needs), a
 * clock advance, an arrival at a barrier, and leaving the load. The users form a rotation,
 * first in user order. The user whose turn it is does one action; when that action is done and
 * the user has run its local steps (conditions, think times, extraction) up to its next action,
 * it passes the turn to the next user of the rotation. An arrival at a barrier takes the user
 * out of the rotation; the arrival that fills the barrier puts its racers back in, at that
 * place, in the generation's release order: a permutation of the racers, drawn from the seed,
 * the barrier and the generation, or given by --order. The first of them goes on at once, the
 * others each after the one before has done its action, and so on round the rotation.
 *
 * Only the user holding the turn touches the rotation, the barriers' waiting lists and the log:
 * it hands them on with the turn, through one atomic store (release) that the next holder's
 * load (acquire) sees. Nothing else is shared, and nothing spins: the new holder's worker is
 * woken through its eventfd.
 *
 * When the rotation empties while users still wait at a barrier, no one can ever fill it: the
 * rotation stalls, and those users fail their barrier (BARRIER_TIMEOUT) at once.
 */
#ifndef TURNS_H
#define TURNS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cxerr.h"

/* A release order given on the command line: barrier NAME's generation GEN (-1: every one)
 * releases its racers, numbered 0.. by user index, in ORDER. */
struct turn_order {
    char name[128];
    long gen;
    int n;
    int order[64];
};

/* Parse "NAME=I,J,..." or "NAME#GEN=I,J,..." (I, J: 0-based ranks). 0, or -1 with why. */
int turn_order_parse(const char *spec, struct turn_order *o, struct cx_error *err);

/* One barrier's state in the rotation. */
struct turn_barrier {
    const char *name;
    int count;
    long gen;     /* the generation now filling */
    int *waiting; /* its arrivals so far (local user indices), count of them at most */
    int nwaiting;
};

struct turns {
    int n;                /* the load's users in this process; local index = global index - base */
    int base;             /* the global index of local user 0 */
    const int *thread_of; /* [n]: each user's worker thread */
    int *ring;            /* the rotation: local indices; ring[pos] holds the turn */
    int len, pos;
    int *rank;      /* [n]: a released user's place in its release order */
    long *released; /* [n]: the generation it was released from (-1: not at a barrier) */
    struct turn_barrier *barriers;
    size_t nbarriers;
    uint64_t seed;
    const struct turn_order *orders;
    size_t norders;
    json_t *log;           /* [{barrier, generation, order: [global index...]}], the releases */
    struct cx_error error; /* an --order that does not fit its generation; "" if none */
    atomic_int holder;     /* the local user whose turn it is; -1: the rotation is empty */
    atomic_int stalled;    /* 1: emptied with users at a barrier (they fail it) */
    atomic_int *wake_fds;  /* [threads]: the workers' eventfds (run_shared's) */
};

/* Set up T for N users from global index BASE, with the scenario's barriers (names and counts,
 * NB of them). 0, or -1 out of memory. The rotation starts as the users in order. */
int turns_init(struct turns *t, int n, int base, const int *thread_of, char *const *names,
               const int *counts, size_t nb, uint64_t seed, const struct turn_order *orders,
               size_t norders, atomic_int *wake_fds);
void turns_free(struct turns *t);

/* Whether local user U holds the turn. */
static inline int turns_holds(struct turns *t, int u)
{
    return atomic_load_explicit(&t->holder, memory_order_acquire) == u;
}

/* The holder U passes the turn to the next user of the rotation (LEAVE: U leaves it). */
void turns_pass(struct turns *t, int u, int leave);

/* The holder U arrives at barrier B: it leaves the rotation; the arrival that fills the
 * generation puts the racers back in their release order. Passes the turn either way. Returns
 * the generation U arrived in. */
long turns_arrive(struct turns *t, int u, size_t b);

/* The release order of N racers (local indices, in any order) of barrier B's generation GEN,
 * as ranks into the racers sorted by index: ORDER[k] is the rank of the k-th to go. From an
 * --order for it, else drawn from the seed. 0, or -1 when an --order does not fit (t->error). */
int turns_release_order(struct turns *t, size_t b, long gen, int n, int *order);

#endif
