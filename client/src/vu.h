/* vu.h - a virtual user: a small state machine on its worker's loop (types only; the machine
 * itself is steps.c).
 *
 * A user runs its iteration's steps until one has to wait; what it waits for is its state, so
 * a timer that fires or a transfer that finishes needs no guessing about what it was for. The
 * current logical operation (a request or poll step, across its retries and poll tries) is
 * struct op; the request on the wire is the user's exchange. A user is not a connection: it
 * borrows one of its worker's (pool.h, conn.h) for each transfer and waits in line when none
 * is free.
 */
#ifndef VU_H
#define VU_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "exchange.h"
#include "loop.h"
#include "pool.h"
#include "scenario.h"

enum vu_state {
    VU_IDLE,           /* no iteration: waiting for an arrival (open load), or done */
    VU_RUNNING,        /* running its steps now */
    VU_WAIT_STEP,      /* a timer: think time or a barrier's release instant, then the next step */
    VU_WAIT_SEND,      /* a timer: a retry's backoff or a poll's interval, then the next attempt */
    VU_WAIT_SLOT,      /* a timer: the rate cap's slot (taken), then the attempt (on the
                        * connection it holds, if it does) */
    VU_WAIT_TOKEN,     /* another user fetches the token this attempt needs (its slot taken) */
    VU_AT_BARRIER,     /* waiting for a barrier to fill; the timer is its deadline */
    VU_SENDING,        /* the step's request in flight */
    VU_FETCHING_TOKEN, /* a token fetch in flight, for the step's request */
    VU_ADVANCING,      /* a manual-clock advance in flight (not part of the measured load) */
    VU_WAIT_TURN,      /* manual clock: its next action waits for its turn (turns.h) */
    VU_WAIT_CONN,      /* in line for a free connection (pool.h); the timer: its turn came */
};

/* What a user in line for a connection goes on with when it gets one (conn.h). */
enum vu_conn_for {
    CONN_SEND,         /* the attempt: its rate-cap slot, its token, then on the wire */
    CONN_SEND_SLOTTED, /* the same, its slot taken already */
    CONN_TOKEN,        /* the token fetch it took on */
    CONN_ADVANCE,      /* the manual clock's advance */
};

/* What a user waiting for its turn does when it comes (turns.h: the actions the mock sees). */
enum vu_action {
    ACT_BEGIN,   /* begin the request or poll step (its first attempt) */
    ACT_AGAIN,   /* the operation's next attempt: a retry, a poll's next try */
    ACT_ADVANCE, /* the advance step */
    ACT_ARRIVE,  /* arrive at the barrier step */
    ACT_LEAVE,   /* its iterations are over: leave the rotation */
};

/* Whether a user holding the turn has done its action in it (turns.h). */
enum vu_turn {
    TURN_UNUSED, /* not its turn, or its turn with nothing done yet */
    TURN_USED,   /* its action is done: at its next action it passes the turn on */
};

/* Where a user is in its steps: a stack of step lists (an if's branches nest, at most
 * SCN_MAX_DEPTH deep: the loader checked). */

struct frame {
    const struct scn_step *steps;
    size_t n, i;
};

/* One logical operation: a request or poll step, the same across retries and poll tries. */
struct op {
    const struct scn_step *step;
    uint64_t opid;
    int attempt;       /* 0 = the first */
    int reauthed;      /* a 401 already had its one fresh token */
    char idem_key[40]; /* its idempotency key, the same for every attempt */
    int64_t start_us;  /* monotonic: when the operation began */
    int64_t poll_interval_us;
    struct cx_buf body; /* the request body, expanded once */
    json_t *json;       /* the same, parsed: what the checks read */
};

struct wstate;
struct token_slot;

struct vu {
    struct wstate *ws;
    int index; /* global: shard, then thread, then position */
    int64_t iter, iters_done;
    enum vu_state state;
    struct loop_timer timer;
    struct vu *next_waiter;    /* in a token's or a barrier's list of waiting users */
    struct exchange x;         /* its easy handle lent by the pool only while on the wire */
    struct pool_wait conn;     /* its place in line for a connection (VU_WAIT_CONN) */
    enum vu_conn_for conn_for; /* VU_WAIT_CONN: what it goes on with */
    json_t *vars;              /* extracted this iteration */
    const json_t *user;        /* its row of the scenario's users, or NULL */
    struct frame stack[SCN_MAX_DEPTH];
    int depth;
    const struct scn_step *step; /* the step being run */
    struct op op;
    int64_t intended_us, sent_us; /* monotonic: when the attempt should have gone, and went */
    uint64_t token_serial;        /* the token the attempt carries (0 = none) */
    long barrier_gen;             /* the generation it waits in */
    int64_t arrived_us;           /* monotonic: when it arrived at that barrier */
    enum vu_turn turn;            /* manual clock: its use of the turn it holds */
    enum vu_action pending;       /* VU_WAIT_TURN: what it does when its turn comes */
    struct token_slot *tokens;    /* auth cache "vu": one per auth source */
    uint64_t rng;                 /* its think times and jitter (worker.c, vu_streams) */
    uint64_t ids;                 /* its ${uuid} values and idempotency keys */
};

#endif
