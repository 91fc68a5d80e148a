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
 *
 * The file starts each run with a START line (seq 0: a run id from the system's CSPRNG, the
 * seed, the fixture's digest, the wall-clock start time), and each reset adds a RESET line (seq
 * 0), so a file several runs appended to splits into runs; the lines after either are the
 * deterministic part (SIM-02). The ledger cannot lie (SIM-03): an entry that cannot be built,
 * written, synced or stored breaks it. A broken ledger is sticky (the file has a gap; restart
 * the mock): /__admin/health says why, /metrics counts it, a request whose entries were not
 * recorded is answered 503 instead of its status, and no public request is applied after.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"
#include "cxerr.h"
#include "lfile.h"
#include "lstore.h"

/* Where the ledger goes besides the store: --ledger FILE and --ledger-fsync. */
struct cxm_ledger_options {
    const char *path; /* NULL: no file */
    enum cxm_ledger_fsync fsync;
};

enum cxm_ledger_health {
    CXM_LEDGER_WHOLE,  /* every entry added is in the store and, with a file, written to it */
    CXM_LEDGER_BROKEN, /* one was not: see broken_reason */
};

/* What broke a ledger: counted for /metrics. */
enum cxm_ledger_failure {
    CXM_LEDGER_FAIL_BUILD, /* an entry could not be built (its fields, or the line) */
    CXM_LEDGER_FAIL_WRITE, /* write(2) to the file failed */
    CXM_LEDGER_FAIL_FSYNC, /* fdatasync(2) failed */
    CXM_LEDGER_FAIL_STORE, /* the store (lstore.h) could not take the lines */
    CXM_LEDGER_FAILURES
};

extern const char *const cxm_ledger_failure_names[CXM_LEDGER_FAILURES]; /* "build", ... */

struct cxm_ledger {
    size_t n; /* entries since the last reset: the newest has seq n */
    struct cxm_lstore store;
    struct cxm_lfile file; /* the --ledger file (file.fd -1: none); appended under flush_lock */
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
    /* Health (under health_lock, a leaf lock; health also read atomically). */
    pthread_mutex_t health_lock;
    enum cxm_ledger_health health;
    uint64_t broken_from;    /* the first entry (counted as `added`) not recorded */
    char broken_reason[200]; /* what broke it, first failure only */
    unsigned long failures[CXM_LEDGER_FAILURES]; /* atomic */
};

/* Open the store (lstore.h) and, when o is not NULL and names a path, that file for appending
 * (created 0644), synced as o->fsync says. Returns 0, or -1 with a message in err if the file
 * cannot be opened or the syncer started. */
int cxm_ledger_open(struct cxm_ledger *l, const struct cxm_ledger_options *o, struct cx_error *err);
void cxm_ledger_close(struct cxm_ledger *l);

/* Write the START line to the file (nothing to the store): seq 0 at mock time t, a new run id,
 * the seed, the fixture's digest and the wall-clock time. Returns 0, or -1 (the ledger broken)
 * if it could not be written. */
int cxm_ledger_start(struct cxm_ledger *l, int64_t t, uint64_t seed, const char *fixture);

/* Append an entry; fields (may be NULL: none) is stolen and its keys follow the fixed ones in
 * their insertion order. req may be NULL. Returns the new seq, or 0 (the ledger broken) if the
 * line could not be built. The entry is written by the next cxm_ledger_sync; a failed write
 * breaks the ledger. */
uint64_t cxm_ledger_add(struct cxm_ledger *l, int64_t t, const char *type, const char *req,
                        json_t *fields);

/* The same for an entry whose fields the caller wrote as text (jsonw.h): MEMBERS, LEN bytes, is
 * an object's members without its braces ("k":v,...), none of them a fixed key, and type and req
 * need no escaping. The line is byte for byte what cxm_ledger_add writes for those fields; the
 * injection's CREATED is written so, with no object built under the lock. */
uint64_t cxm_ledger_add_members(struct cxm_ledger *l, int64_t t, const char *type, const char *req,
                                const char *members, size_t len);

/* An entry of this type was due but its fields could not be built (a json_pack that returned
 * NULL): break the ledger, and add in its place a LEDGER_ERROR entry naming the type, so the
 * file and the store say so instead of holding an entry without its fields. Returns its seq. */
uint64_t cxm_ledger_add_unbuilt(struct cxm_ledger *l, int64_t t, const char *type, const char *req);

/* Whether the ledger is broken; if so and reason is not NULL, why (size bytes). */
bool cxm_ledger_broken(struct cxm_ledger *l, char *reason, size_t size);

/* Whether any entry after the `after`-th added up to the `upto`-th (counted as `added`) may
 * not have been recorded: what a request that added those entries must not acknowledge. */
bool cxm_ledger_lost(struct cxm_ledger *l, uint64_t after, uint64_t upto);

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
