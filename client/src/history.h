/* history.h - every operation a run made: written to history.jsonl, and the ones the violation
 * checks need kept in memory.
 *
 * Each worker owns one history: it appends one JSON line per attempt to its own file (no locks)
 * and keeps a compact record of the attempts that matter to checks.h (those with an op, 401s,
 * 429s, token fetches, retries). After the workers are joined, the run concatenates the files into
 * history.jsonl and hands all records to the checks.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

enum outcome { OUT_OK, OUT_FAIL, OUT_INDETERMINATE };

struct hrec {
    int thread, vu, step; /* step: index into the worker's flat step table */
    int64_t iter;
    uint64_t opid; /* one logical operation: the same across its retries */
    int attempt;   /* 0 = first */
    int op;        /* enum scn_op, or HREC_TOKEN */
    int status;    /* 0 = no answer */
    enum outcome outcome;
    int64_t intended_us, start_us, end_us;   /* from the run's start */
    int64_t retry_after_us;                  /* from a 429/503, else -1 */
    int has_idem;                            /* sent an idempotency key */
    uint64_t token;                          /* serial of the token used (0 = none) */
    char *subject, *agent, *key;             /* expanded, for ops */
    char *path;                              /* method and path as sent */
    char *resp_agent, *resp_state, *resp_id; /* from the answer's JSON, when present */
    int resp_priority, req_priority;         /* -1 when absent */
    int resp_position; /* READ: queuePosition.position (1 = next), -1 when absent */
    int returned;      /* REJECT: returnToQueue was true */
    int expect_failed; /* the step's expectation (or poll deadline) did not hold */
    char *why;         /* what was expected, when it failed */
    const char *rule;  /* the rule ID the step's expectation stands for (the scenario's), or NULL */
    char *req_reason, *resp_reason; /* REJECT: the rejectReason sent; READ: the one stored */
    json_t *req_attrs, *resp_attrs; /* INJECT: the attributes sent; READ: the ones stored */
    char request_id[48];
};

#define HREC_TOKEN 100 /* a token fetch: key = the client id, token = the new serial */

struct history {
    FILE *f; /* this worker's lines; NULL = write nothing */
    struct hrec *recs;
    size_t n, cap;
};

/* Open PATH for this worker's lines (NULL: keep records only). 0, or -1 with errno. */
int history_open(struct history *h, const char *path);

/* Keep R (its strings are taken over) and write its line. Returns 0, or -1 on ENOMEM (R's
 * strings are freed). KEEP = 0 writes the line only. */
int history_add(struct history *h, struct hrec *r, const char *tag, int keep);

void history_close(struct history *h); /* closes the file, keeps the records */
void history_free(struct history *h);

#endif
