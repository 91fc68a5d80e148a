/* hrec.h - the history record: one attempt a run made, as the violation checks read it.
 *
 * cxload writes one line of history.jsonl per attempt (hrec_write) and keeps in memory the
 * records that matter to the checks (hrec_matters); `cxreport judge` and `cxreport merge` read
 * them back (histfile.h). Both paths give the checks the same records: every field below is
 * in the line when it is set. The line's format is docs/history.md.
 */
#ifndef HREC_H
#define HREC_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cxerr.h"

/* What an attempt meant to the checks: a scenario step's "op" (or none), or a token fetch. */
enum hrec_op {
    HREC_NONE,
    HREC_ACCEPT,   /* accept an interaction: subject, agent */
    HREC_REJECT,   /* reject, possibly returning it to its queue */
    HREC_INJECT,   /* create a routing contact: key = the logical operation's business key */
    HREC_READ,     /* read the subject's state */
    HREC_PRIORITY, /* PATCH priority on the subject */
    HREC_STATE,    /* agent state write */
    HREC_ACT,      /* act on the subject as its owner (complete, disposition, transfer...) */
    HREC_TOKEN,    /* a token fetch: key = a digest of the client id, token = the new serial */
    HREC_BARRIER,  /* a user at a barrier: released (ok) or never (fail, BARRIER_TIMEOUT) */
    HREC_ADVANCE,  /* a manual-clock advance the user sent (advance_ms) */
    HREC_OPS
};

/* The ops a scenario step may name, in enum order from HREC_ACCEPT (name i is op i + 1):
 * "accept", "reject", "inject", "read", "priority", "state", "act"; NULL-terminated. */
extern const char *const hrec_step_op_names[];

/* The name of op in history lines: a step op's, "token", "barrier", "advance", or "" for
 * HREC_NONE. */
const char *hrec_op_name(enum hrec_op op);

/* The op named s in a history line ("" or NULL: HREC_NONE), or -1. */
int hrec_op_parse(const char *s);

enum outcome { OUT_OK, OUT_FAIL, OUT_INDETERMINATE };

struct hrec {
    int thread, vu, step; /* step: index into the scenario's steps, flattened (summary "steps") */
    int64_t iter;
    uint64_t opid; /* one logical operation: the same across its retries; unique in a run and
                    * across the shards of one */
    int attempt;   /* 0 = first */
    enum hrec_op op;
    int status; /* 0 = no answer */
    enum outcome outcome;
    int64_t intended_us, start_us, end_us;   /* from the run's start */
    int64_t retry_after_us;                  /* from a 429/503, else -1 */
    int has_idem;                            /* sent an idempotency key */
    int setup;                               /* made by the setup's user (not the load's) */
    uint64_t token;                          /* serial of the token used (0 = none) */
    char *subject, *agent, *key;             /* expanded, for ops */
    char *path;                              /* method and path as sent */
    char *resp_agent, *resp_state, *resp_id; /* from the answer's JSON, when present */
    int resp_priority, req_priority;         /* -1 when absent */
    int resp_position;              /* READ: queuePosition.position (1 = next), -1 when absent */
    int returned;                   /* REJECT: returnToQueue was true */
    int expect_failed;              /* the step's expectation (or poll deadline) did not hold */
    char *why;                      /* what was expected, when it failed */
    char *rule;                     /* the rule ID the step's expectation stands for, or NULL */
    char *req_reason, *resp_reason; /* REJECT: the rejectReason sent; READ: the one stored */
    json_t *req_attrs, *resp_attrs; /* INJECT: the attributes sent; READ: the ones stored */
    char *resp_type, *resp_body;    /* a failed expectation: the answer's Content-Type and body
                                     * (at most HREC_BODY_MAX bytes, secrets redacted) */
    char *barrier;                  /* BARRIER: its name */
    long generation;                /* BARRIER: which filling of it (0 first), -1 none */
    int rank;                       /* BARRIER: its place in the release order (0 first), -1 none */
    int64_t advance;                /* ADVANCE: how far the clock was moved, ms; -1 none */
    char request_id[48];
};

#define HREC_BODY_MAX 4096

/* A digest of a client id for token fetches' key: "#" and 16 hex digits (FNV-1a, 64 bits). */
#define HREC_DIGEST 18
void hrec_digest(const char *s, char out[HREC_DIGEST]);

/* An empty record: numbers that mean "absent" at -1, the rest zero. */
void hrec_init(struct hrec *r);

/* Free what r owns (not r). */
void hrec_free(struct hrec *r);

/* Does r matter to a check (an op, a 401 or 429, a retry, a failed expectation, a fetch)?
 * Only these are kept in memory and read back. */
int hrec_matters(const struct hrec *r);

/* Append r as one JSON line to f, with the step's latency TAG. Written by hand: this runs for
 * every request of a load. */
void hrec_write(FILE *f, const struct hrec *r, const char *tag);

/* Parse one line (LEN bytes) into *r (hrec_init'ed first; the caller hrec_free's it). Returns
 * 0, or -1 with what is wrong in err: its column and text (the caller names the file and line),
 * or the member that is missing or not of its type as the key. */
int hrec_parse(const char *line, size_t len, struct hrec *r, struct cx_error *err);

#endif
