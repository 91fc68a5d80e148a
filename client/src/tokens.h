/* tokens.h - bearer tokens of a scenario's auth sources: fetched, cached, refreshed at 90 % of
 * their TTL, dropped on a 401 (AUTH-02, AUTH-04, AUTH-05).
 *
 * Three caches, as a source's "cache" says: "vu" (each virtual user its own), "worker" (one per
 * worker thread: its users wait for the one fetch in flight) and "shared" (one for the whole
 * run: published by pointer to every thread; a thread's users waiting for another thread's
 * fetch are woken when it ends, through the worker's eventfd). A token fetch takes the place of
 * the request that needed it on that user's exchange; its answer is recorded in the history
 * (HREC_TOKEN) and counted.
 *
 * Token values never leave this file and the Authorization header: not in logs, histories or
 * reports.
 */
#ifndef TOKENS_H
#define TOKENS_H

#include <jansson.h>
#include <stdint.h>

#include "shared.h"
#include "vu.h"

/* A token in a "vu" or "worker" cache. */
struct token_slot {
    char *value;
    int64_t refresh_us, expires_us; /* monotonic: refresh at 90 % of the TTL */
    uint64_t serial;
    int fetching;       /* a fetch is in flight */
    struct vu *waiters; /* users waiting for it */
};

void token_slot_free(struct token_slot *t);

/* Free every token of the run-wide ST (after the workers are joined). */
void shared_token_free(struct shared_token *st);

enum token_get {
    TOKEN_READY,    /* *value and *serial are the token to send */
    TOKEN_FETCHING, /* v fetches it (VU_FETCHING_TOKEN; VU_WAIT_CONN first if no connection
                     * is free) */
    TOKEN_WAIT,     /* someone else fetches it: v waits (state VU_WAIT_TOKEN) */
};

/* The token of source AUTH for v's attempt at NOW. */
enum token_get tokens_get(struct vu *v, const char *auth, int64_t now, const char **value,
                          uint64_t *serial);

/* v took on a token fetch and waited in line for a connection: it has one now (conn.h), and
 * the fetch goes on the wire. */
void tokens_fetch_granted(struct vu *v);

#define TOKEN_MAX_TTL_S 315360000 /* ten years: a longer expires_in is taken as this */

/* The lifetime a token answer's expires_in (seconds, a JSON integer or NULL) gives, in µs. */
int64_t token_lifetime_us(const json_t *expires_in);

/* v's token fetch ended with HTTP STATUS (0: no answer): the token is stored (or not), the
 * fetch recorded. Returns 1 if v now has its token, 0 if the source refused; *woken gets the
 * users of this worker that waited for it (to resume; NULL-terminated by next_waiter). */
int tokens_fetched(struct vu *v, int status, struct vu **woken);

/* A 401 on v's attempt: forget its token if it is still the one refused. */
void tokens_refused(struct vu *v, const char *auth);

/* The users of WS waiting for a run-wide token whose fetch (on any thread) has ended since:
 * taken off their lists and returned, chained by next_waiter. Cheap when none wait. */
struct vu *tokens_shared_ready(struct wstate *ws);

/* Every user of WS still waiting for a run-wide token, taken off the lists (the load is
 * stopping). */
struct vu *tokens_shared_all(struct wstate *ws);

#endif
