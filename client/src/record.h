/* record.h - what a finished attempt leaves behind: its counts in the worker's statistics
 * (stats.h) and its record in the worker's history (history.h), with what the violation checks
 * read (the operation's subject, agent and key, what the answer said, the request body's
 * priority, reason and attributes).
 */
#ifndef RECORD_H
#define RECORD_H

#include <curl/curl.h>
#include <stdint.h>

struct vu;

/* How one attempt of a request step ended. */
struct attempt_end {
    int64_t end_us;         /* monotonic */
    int status;             /* 0 = no answer */
    CURLcode cc;            /* curl's result (CURLE_OK with an answer) */
    int sent;               /* 0: it could not be sent (a variable unset, a token refused) */
    int ok;                 /* it met its expectation */
    const char *why;        /* not ok: what was expected; NULL for a try that is not final */
    int64_t retry_after_us; /* the answer's Retry-After as wall µs, -1 none */
};

/* Record the attempt of v's current operation. */
void record_attempt(struct vu *v, const struct attempt_end *e);

/* Record v's token fetch from auth source SOURCE for CLIENT_ID (kept only as a digest: the
 * checks need to tell client ids apart, not to read them), answered STATUS at END_US; SERIAL is
 * the new token's (0: none was got). */
void record_token(struct vu *v, int64_t end_us, int status, uint64_t serial, const char *client_id,
                  const char *source);

/* Record v's wait at its barrier step, from its arrival to END_US: released (RANK: its place
 * in the release order, -1 none) or never (RELEASED 0: BARRIER_TIMEOUT). */
void record_barrier(struct vu *v, int64_t end_us, int rank, int released);

/* Record v's clock advance (its advance step), answered STATUS at END_US. */
void record_advance(struct vu *v, int64_t end_us, int status);

#endif
