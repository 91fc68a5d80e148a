/* pool.h - one worker thread's connections to the target: at most SIZE transfers at once, each
 * on an easy handle the pool lends, and a line of those waiting for one, first come first
 * served.
 *
 * libcurl keeps the connections themselves, in the worker's multi handle (loop.h, bounded to
 * the same SIZE): with at most SIZE easy handles in flight, at most SIZE connections are open,
 * however many virtual users share them. A handle is lent for one transfer and given back when
 * it ends; one given back while someone waits goes to the first in line, so nobody jumps it.
 * Handles are made when first needed, so a pool larger than its use costs nothing.
 *
 * A waiter is a struct pool_wait embedded in its owner (as a loop_timer is). Nothing here
 * knows virtual users, and everything belongs to one thread: no locks.
 */
#ifndef POOL_H
#define POOL_H

#include <curl/curl.h>
#include <stdint.h>

struct pool_wait {
    struct pool_wait *next; /* in line */
    CURL *granted;          /* the handle it was given when its turn came; NULL while it waits */
    int64_t since;          /* monotonic µs: when it began to wait */
    int waiting;            /* in line now */
};

struct pool {
    CURL **made; /* every handle made, [0, nmade) */
    CURL **free; /* those not lent, a stack of nfree */
    int size, nmade, nfree;
    struct pool_wait *head, *tail; /* the line */
    int nwaiting;
};

/* A pool of at most SIZE (>= 1) handles, none made yet. Returns 0, or -1 out of memory (then
 * pool_free is still safe). */
int pool_init(struct pool *p, int size);

/* Clean up every handle made, lent or not (their transfers must be out of the multi handle),
 * and forget the line. */
void pool_free(struct pool *p);

/* A free handle, made if fewer than SIZE are; NULL if all SIZE are lent (or making one failed
 * for lack of memory): then wait in line with pool_enqueue. */
CURL *pool_take(struct pool *p);

/* W joins the end of the line at NOW. */
void pool_enqueue(struct pool *p, struct pool_wait *w, int64_t now);

/* Handle E comes back. If someone waits, the first in line leaves it with E as its granted
 * handle and is returned (its owner goes on with it); else E is free and NULL is returned. */
struct pool_wait *pool_give(struct pool *p, CURL *e);

/* W leaves the line without a handle (a no-op if it is not in it). */
void pool_leave(struct pool *p, struct pool_wait *w);

/* Handles lent now (made and not free). */
int pool_lent(const struct pool *p);

#endif
