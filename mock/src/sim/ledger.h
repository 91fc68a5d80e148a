/* ledger.h - the ground-truth ledger (SIM-03).
 *
 * Every state change and every silent effect of the simulation is one entry: a compact JSON
 * object whose first keys are always
 *     {"seq":N,"t":MS,"at":"ISO-8601","type":"TYPE","req":"rN"|null, ...}
 * with seq counting from 1, t and at the mock clock, req the request that caused it (null for
 * timer-driven effects that no request caused). Entries are kept in memory for the admin API
 * and, when a file is given, appended to it as JSON lines with one write(2) each before the
 * request that caused them is answered, so a killed mock leaves every line it acknowledged.
 * Never holds a secret: tokens are named by serial ("tok-3"), never by value.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "cxerr.h"

struct cxm_ledger {
    char **lines; /* lines[i] holds seq i + 1, without newline */
    size_t n, cap;
    int fd;       /* -1 without a file */
    char **types; /* entry types seen, and how many of each (for /metrics) */
    uint64_t *type_counts;
    size_t ntypes;
    unsigned long write_errors;
};

/* Open: in memory only when path is NULL, else also appending to path (created 0644).
 * Returns 0, or -1 with a message in err if the file cannot be opened. */
int cxm_ledger_open(struct cxm_ledger *l, const char *path, struct cx_error *err);
void cxm_ledger_close(struct cxm_ledger *l);

/* Append an entry; fields (may be NULL) is stolen and its keys follow the fixed ones in their
 * insertion order. req may be NULL. Returns the new seq, or 0 if out of memory. A failed file
 * write is counted in write_errors and reported once on stderr; the entry stays in memory. */
uint64_t cxm_ledger_add(struct cxm_ledger *l, int64_t t, const char *type, const char *req,
                        json_t *fields);

/* Forget the in-memory entries (seq restarts at 1); the file, if any, gets a RESET line with
 * seq 0 so its readers can split it into runs. */
void cxm_ledger_reset(struct cxm_ledger *l, int64_t t, uint64_t seed);

/* Entry with sequence number seq (1-based) as a JSON text, or NULL. */
const char *cxm_ledger_get(const struct cxm_ledger *l, uint64_t seq);

#endif
