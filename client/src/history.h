/* history.h - every attempt a worker made: written to its history file, and the ones the
 * violation checks need kept in memory.
 *
 * Each worker owns one history: it appends one JSON line per attempt (hrec.h, docs/history.md)
 * to its own file (no locks) and keeps the records that matter to the checks (hrec_matters:
 * those with an op, 401s, 429s, token fetches, retries, failed expectations). After the
 * workers are joined, the run concatenates the files into history.jsonl and hands the records
 * to the checks.
 *
 * The lines are batched: a plain attempt's line is formatted by hand (hline.h), and the file
 * has a buffer of HISTORY_BUFFER bytes, written when full, at each interval (history_flush: the
 * worker flushes when it swaps its statistics) and when the history is closed. The workers
 * close their histories after their loops end, an interrupt included (the loop drains, it is
 * not cut short), so every attempt recorded is in the file before it is concatenated.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <stdio.h>

#include "hrec.h"

#define HISTORY_BUFFER (1u << 20)

struct history {
    FILE *f;   /* this worker's lines; NULL = write nothing */
    char *buf; /* f's buffer (HISTORY_BUFFER bytes), freed after f is closed */
    struct hrec *recs;
    size_t n, cap;
};

/* Open PATH for this worker's lines (NULL: keep records only). 0, or -1 with errno. */
int history_open(struct history *h, const char *path);

/* Write R's line (with the step's latency TAG) and keep R if it matters to a check (its strings
 * are taken over either way). Returns 0, or -1 on ENOMEM (R's strings are freed). */
int history_add(struct history *h, struct hrec *r, const char *tag);

/* Write the lines buffered so far to the file. 0, or -1 with errno. */
int history_flush(struct history *h);

void history_close(struct history *h); /* closes the file, keeps the records */
void history_free(struct history *h);

#endif
