/* ledger.h - the ground-truth ledger (SIM-03).
 *
 * Every state change and every silent effect of the simulation is one entry: a compact JSON
 * object whose first keys are always
 *     {"seq":N,"t":MS,"at":"ISO-8601","type":"TYPE","req":"rN"|null, ...}
 * with seq counting from 1, t and at the mock clock, req the request that caused it (null for
 * timer-driven effects that no request caused). Never holds a secret: tokens are named by
 * serial ("tok-3"), never by value.
 *
 * Entries are added under the mock's lock and rendered there; writing them is a group commit
 * done outside it. cxm_ledger_sync(l, upto) writes every entry added so far that is not yet
 * written, in one write(2) to the --ledger file, and gathers them for the store (lstore.h:
 * what the admin API and the checks read back), which gets them a megabyte at a time or when a
 * read needs them; the request that added entry `upto` calls it after it
 * lets go of the lock and before it is answered, so the lock is never held across a write,
 * concurrent requests share one write, and a killed mock still leaves every line it
 * acknowledged, each whole. Lines reach the file in seq order.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "cxerr.h"
#include "lstore.h"

struct cxm_ledger {
    size_t n; /* entries since the last reset: the newest has seq n */
    struct cxm_lstore store;
    int fd; /* the --ledger file, or -1 */
    /* The group commit: rendered lines not yet written, in order, under out_lock; writing
     * them, under flush_lock (taken before out_lock, never while it is held). */
    pthread_mutex_t out_lock, flush_lock;
    struct cx_buf pending;
    size_t pending_lines;
    struct cx_buf unstored; /* written to the file, not yet to the store (under flush_lock) */
    struct cx_buf line;     /* the entry being rendered, reused (under the mock's lock) */
    size_t unstored_lines;
    uint64_t added;   /* entries ever added (not reset): what cxm_ledger_sync counts */
    uint64_t written; /* of those, written (atomic) */
    char **types;     /* entry types seen, and how many of each (for /metrics) */
    uint64_t *type_counts;
    size_t ntypes;
    unsigned long write_errors; /* failed writes to the file (atomic) */
};

/* Open the store (lstore.h) and, when path is not NULL, path for appending (created 0644).
 * Returns 0, or -1 with a message in err if the file cannot be opened. */
int cxm_ledger_open(struct cxm_ledger *l, const char *path, struct cx_error *err);
void cxm_ledger_close(struct cxm_ledger *l);

/* Append an entry; fields (may be NULL) is stolen and its keys follow the fixed ones in their
 * insertion order. req may be NULL. Returns the new seq, or 0 if out of memory. The entry is
 * written by the next cxm_ledger_sync. A failed file write is counted in write_errors and
 * reported once on stderr; the store still holds the entry. */
uint64_t cxm_ledger_add(struct cxm_ledger *l, int64_t t, const char *type, const char *req,
                        json_t *fields);

/* Write every entry added up to the upto-th ever (l->added when it was read) that is not
 * written yet; returns once they are. Thread-safe; never takes the mock's lock. */
void cxm_ledger_sync(struct cxm_ledger *l, uint64_t upto);

/* Forget the entries (seq restarts at 1); the file, if any, gets a RESET line with seq 0 so
 * its readers can split it into runs. */
void cxm_ledger_reset(struct cxm_ledger *l, int64_t t, uint64_t seed);

/* Entry with sequence number seq (1-based) as a JSON text, or NULL; valid until the next call.
 * Call under the mock's lock (entries added are written first). */
const char *cxm_ledger_get(struct cxm_ledger *l, uint64_t seq);

#endif
