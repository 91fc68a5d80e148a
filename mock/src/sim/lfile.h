/* lfile.h - the ledger's file (--ledger FILE, SIM-03): whole lines appended, never a torn one
 * left behind, synced to the disk as --ledger-fsync says.
 *
 * A batch is appended in one write(2); if the write fails or falls short (a full disk, a file
 * size limit) the file is cut back to its last whole line, so it holds exactly the batches that
 * were written. A mock killed inside a write can leave a torn last line; opening the file cuts
 * it off (the lines in it were never acknowledged). Safe against a killed process in every
 * mode: the kernel holds every written line. Against power loss, fdatasync: */
#ifndef LFILE_H
#define LFILE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "cxerr.h"

enum cxm_ledger_fsync {
    CXM_LEDGER_FSYNC_INTERVAL, /* default: fdatasync once a second while lines arrive */
    CXM_LEDGER_FSYNC_ALWAYS,   /* fdatasync each batch, before its requests are answered */
    CXM_LEDGER_FSYNC_NEVER,    /* when the kernel writes back */
};

/* Parse "always", "interval" or "never"; -1 if none. */
int cxm_ledger_fsync_parse(const char *s, enum cxm_ledger_fsync *out);

/* Told by the interval syncer that an fdatasync failed (errnum), which may have lost the
 * entries from the from-th on (as numbered by cxm_lfile_append's upto). */
typedef void cxm_lfile_failed(void *ctx, uint64_t from, int errnum);

struct cxm_lfile {
    int fd;
    off_t end;      /* the size after the last whole batch (callers serialise appends) */
    off_t reserved; /* blocks held up to here, past end, for the appends to come (lfile.c) */
    enum { CXM_RESERVE_ON, CXM_RESERVE_OFF } reserving; /* off: not a regular file, or failed */
    enum cxm_ledger_fsync fsync;
    uint64_t appended; /* upto of the last batch appended (atomic) */
    cxm_lfile_failed *failed;
    void *ctx;
    /* The interval syncer thread. */
    pthread_t syncer;
    enum { CXM_SYNCER_NONE, CXM_SYNCER_RUNNING, CXM_SYNCER_STOPPING } syncer_state;
    pthread_mutex_t sync_lock;
    pthread_cond_t sync_cond;
};

/* Open path for appending (created 0644), cut a torn last line off (saying so on stderr) and,
 * for the interval mode, start the syncer (failed(ctx, ...) is called from it). Returns 0, or
 * -1 with why in err. */
int cxm_lfile_open(struct cxm_lfile *f, const char *path, enum cxm_ledger_fsync fsync,
                   cxm_lfile_failed *failed, void *ctx, struct cx_error *err);

/* Append len bytes of whole lines, the last of them entry upto, and in the always mode
 * fdatasync them. Returns 0, or -1 with errno set and *what "write" or "fsync" (after a failed
 * write the file is cut back to its last whole batch). Not thread-safe: one appender at a time. */
int cxm_lfile_append(struct cxm_lfile *f, const char *p, size_t len, uint64_t upto,
                     const char **what);

/* Stop the syncer (it syncs what was appended first) and close the file. */
void cxm_lfile_close(struct cxm_lfile *f);

#endif
