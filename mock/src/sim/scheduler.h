/* scheduler.h - one scheduler for every delayed effect of the mock (SIM-01).
 *
 * A min-heap of events ordered by (due time, sequence): events due at the same millisecond run
 * in the order they were scheduled, so a run is deterministic. Nothing here runs by itself: the
 * simulation pops due events (cxm_sim_run_due), whether a timer woke up, a request came in, or
 * the manual clock was advanced. What an event does is its type's: each module that schedules
 * something defines a struct cxm_event_type with the function that carries it out, so the
 * scheduler and the simulation know no module above them. Cancellation is by the owner: an
 * event whose id no longer matches what its target expects is ignored when it fires (see
 * routing.c's ring timers).
 */
#ifndef SCHED_H
#define SCHED_H

#include <stddef.h>
#include <stdint.h>

struct cxm_sim;
struct cxm_event;

/* What a kind of event does. run is called with the event popped and the simulation's clock at
 * its due time; free_data frees the event's data after run, or when the event is dropped
 * unrun (a reset); NULL when the event does not own its data. */
struct cxm_event_type {
    const char *name;
    void (*run)(struct cxm_sim *s, const struct cxm_event *ev);
    void (*free_data)(void *data);
};

struct cxm_event {
    int64_t due; /* mock time, ms */
    uint64_t id; /* unique, increasing: the tie-break */
    const struct cxm_event_type *type;
    int64_t arg; /* an index or a small value */
    void *data;  /* owned by the event when type->free_data is set */
};

struct cxm_sched {
    struct cxm_event *heap;
    size_t n, cap;
    uint64_t next_id;
};

void cxm_sched_init(struct cxm_sched *s);

/* Drop every pending event unrun, freeing the data they own. */
void cxm_sched_clear(struct cxm_sched *s);

/* Schedule; returns the event's id (> 0), or 0 if out of memory (data is then not taken). */
uint64_t cxm_sched_add(struct cxm_sched *s, int64_t due, const struct cxm_event_type *type,
                       int64_t arg, void *data);

/* Pop the earliest event due at or before now into *ev. Returns 1 if one was popped, else 0. */
int cxm_sched_pop_due(struct cxm_sched *s, int64_t now, struct cxm_event *ev);

/* Due time of the earliest event, or INT64_MAX when empty. */
int64_t cxm_sched_next_due(const struct cxm_sched *s);

#endif
