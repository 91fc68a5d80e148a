/* queue.c - a queue's waiting members in its order (see model.h: cxm_queue_join and after).
 *
 * The members live in a window of a buffer: one leaving from the front or joining at the back
 * (FIFO, or an equal or lower priority) moves nothing else, elsewhere the shorter side moves;
 * join, leave and position find their place by a binary search in the queue's order, after one
 * look at the last member (most joins are at the back). Membership is a flag on the
 * interaction; the count of members on their last ring is kept as they come and go.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Does a go before b in queue q? */
static int before(const struct cxm_model *m, const struct cxm_queue *q, long a, long b)
{
    const struct cxm_interaction *x = m->ix[a], *y = m->ix[b];
    switch (q->def->sorting) {
    case CXM_SORT_PRIORITY:
    case CXM_SORT_CUSTOM:
        if (x->rank != y->rank)
            return x->rank > y->rank;
        return x->sort_seq < y->sort_seq;
    case CXM_SORT_LIFO: /* by arrival only: a priority change never moves it (PRI-04) */
        return x->order > y->order;
    case CXM_SORT_FIFO:
    default:
        return x->order < y->order;
    }
}

/* The members live in buf[head, head + nmembers), members == buf + head: a member leaves the
 * front (the usual case: routing takes the head) or joins the back (FIFO, an equal or lower
 * priority) without moving the others, and a member elsewhere moves the shorter side. A full
 * buffer doubles by realloc, which for a large one remaps its pages instead of copying them
 * (a million members were a 48 ms copy under the mock's lock): the room it adds is at the
 * back, where joins want it; only a join at the front re-centres the window. */
static int room(struct cxm_queue *q, int front)
{
    if (front ? q->head > 0 : q->head + q->nmembers < q->capmembers)
        return 0;
    if (q->capmembers < 16 || q->nmembers + 1 > q->capmembers / 2) {
        size_t cap = q->capmembers < 16 ? 32 : q->capmembers * 2;
        long *buf = realloc(q->buf, cap * sizeof *buf);
        if (!buf)
            return -1;
        q->buf = buf;
        q->capmembers = cap;
        q->members = buf + q->head;
        if (!front)
            return 0;
    }
    size_t head = (q->capmembers - q->nmembers) / 2; /* re-centre within the buffer */
    memmove(q->buf + head, q->members, q->nmembers * sizeof *q->buf);
    q->head = head;
    q->members = q->buf + head;
    return 0;
}

/* Where IX goes among Q's members (or is): the first member it does not come after. */
static size_t lower_bound(const struct cxm_model *m, const struct cxm_queue *q, long ix)
{
    size_t lo = 0, hi = q->nmembers;
    /* Most joins are at the back (FIFO, or a priority no higher than the last's): one look at
     * the last member, not twenty cache misses across a queue a million deep. */
    if (hi > 0 && q->members[hi - 1] != ix && before(m, q, q->members[hi - 1], ix))
        return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (q->members[mid] != ix && before(m, q, q->members[mid], ix))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int cxm_queue_join(struct cxm_model *m, int qi, long ix)
{
    struct cxm_queue *q = &m->queues[qi];
    struct cxm_interaction *x = m->ix[ix];
    if (x->in_queue)
        return 0;
    size_t at = lower_bound(m, q, ix);
    int front = at < q->nmembers / 2; /* the shorter side moves */
    if (room(q, front) < 0)
        return -1;
    if (front) {
        q->head--;
        q->members--;
        memmove(q->members, q->members + 1, at * sizeof(long));
    } else {
        memmove(&q->members[at + 1], &q->members[at], (q->nmembers - at) * sizeof(long));
    }
    q->members[at] = ix;
    q->nmembers++;
    x->in_queue = true;
    cxm_queue_recheck(m, ix);
    if (x->ring_count >= q->def->max_rings)
        q->at_last_ring++;
    return 0;
}

void cxm_queue_recheck(struct cxm_model *m, long ix)
{
    struct cxm_interaction *x = m->ix[ix];
    struct cxm_queue *q = &m->queues[x->queue];
    if (x->recheck || !q->settled)
        return; /* listed already, or the next pass looks at every member anyway */
    if (q->nrecheck == q->caprecheck) {
        size_t cap = q->caprecheck ? q->caprecheck * 2 : 16;
        long *r = realloc(q->recheck, cap * sizeof *r);
        if (!r) {
            q->settled = false; /* a full pass instead */
            return;
        }
        q->recheck = r;
        q->caprecheck = cap;
    }
    q->recheck[q->nrecheck++] = ix;
    x->recheck = true;
}

/* IX's index among Q's members, or -1. */
static long index_of(const struct cxm_model *m, const struct cxm_queue *q, long ix)
{
    if (!m->ix[ix]->in_queue)
        return -1;
    size_t at = lower_bound(m, q, ix);
    if (at < q->nmembers && q->members[at] == ix)
        return (long)at;
    for (size_t i = 0; i < q->nmembers; i++) /* never reached while the order holds */
        if (q->members[i] == ix)
            return (long)i;
    return -1;
}

size_t cxm_queue_position(const struct cxm_model *m, int qi, long ix)
{
    long at = index_of(m, &m->queues[qi], ix);
    return at < 0 ? 0 : (size_t)at + 1;
}

void cxm_queue_leave(struct cxm_model *m, int qi, long ix)
{
    struct cxm_queue *q = &m->queues[qi];
    long at = index_of(m, q, ix);
    if (at < 0)
        return;
    size_t i = (size_t)at;
    if (i < q->nmembers / 2) { /* the front side moves up */
        memmove(q->members + 1, q->members, i * sizeof(long));
        q->members++;
        q->head++;
    } else {
        memmove(&q->members[i], &q->members[i + 1], (q->nmembers - i - 1) * sizeof(long));
    }
    q->nmembers--;
    m->ix[ix]->in_queue = false;
    if (m->ix[ix]->ring_count >= q->def->max_rings)
        q->at_last_ring--;
}
