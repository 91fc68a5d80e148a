/* scheduler.h - one scheduler for every delayed effect of the mock (DESIGN.md "Shape").
 *
 * A min-heap of events ordered by (due time, sequence): events due at the same millisecond run
 * in the order they were scheduled, so a run is deterministic. Nothing here runs by itself: the
 * mock pops due events under its lock, whether its timer thread woke up, a request came in, or
 * the manual clock was advanced. Cancellation is by the owner: an event whose id no longer
 * matches what its target expects is ignored when it fires (see routing.c's ring timers).
 */
#ifndef SCHED_H
#define SCHED_H

#include <stddef.h>
#include <stdint.h>

struct cxm_event {
    int64_t due; /* mock time, ms */
    uint64_t id; /* unique, increasing: the tie-break */
    int kind;    /* what to do; interpreted by the mock */
    int64_t arg; /* an index or a small value */
    void *data;  /* owned by the event; freed by whoever pops it */
};

struct cxm_sched {
    struct cxm_event *heap;
    size_t n, cap;
    uint64_t next_id;
};

void cxm_sched_init(struct cxm_sched *s);

/* Free pending events; free_data(data) is called for each non-NULL data (NULL: plain free). */
void cxm_sched_clear(struct cxm_sched *s, void (*free_data)(void *));

/* Schedule; returns the event's id (> 0), or 0 if out of memory (data is then not taken). */
uint64_t cxm_sched_add(struct cxm_sched *s, int64_t due, int kind, int64_t arg, void *data);

/* Pop the earliest event due at or before now into *ev. Returns 1 if one was popped, else 0. */
int cxm_sched_pop_due(struct cxm_sched *s, int64_t now, struct cxm_event *ev);

/* Due time of the earliest event, or INT64_MAX when empty. */
int64_t cxm_sched_next_due(const struct cxm_sched *s);

#endif
