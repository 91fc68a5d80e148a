/* scheduler.c - see scheduler.h */
#include "scheduler.h"

#include <stdlib.h>

void cxm_sched_init(struct cxm_sched *s)
{
    s->heap = NULL;
    s->n = s->cap = 0;
    s->next_id = 1;
}

void cxm_sched_clear(struct cxm_sched *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->heap[i].data && s->heap[i].type->free_data)
            s->heap[i].type->free_data(s->heap[i].data);
    free(s->heap);
    cxm_sched_init(s);
}

static int before(const struct cxm_event *a, const struct cxm_event *b)
{
    return a->due < b->due || (a->due == b->due && a->id < b->id);
}

uint64_t cxm_sched_add(struct cxm_sched *s, int64_t due, const struct cxm_event_type *type,
                       int64_t arg, void *data)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct cxm_event *h = realloc(s->heap, cap * sizeof *h);
        if (!h)
            return 0;
        s->heap = h;
        s->cap = cap;
    }
    struct cxm_event ev = {due, s->next_id++, type, arg, data};
    size_t i = s->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&ev, &s->heap[parent]))
            break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = ev;
    return ev.id;
}

int cxm_sched_pop_due(struct cxm_sched *s, int64_t now, struct cxm_event *ev)
{
    if (s->n == 0 || s->heap[0].due > now)
        return 0;
    *ev = s->heap[0];
    struct cxm_event last = s->heap[--s->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct cxm_event *best = &last;
        if (l < s->n && before(&s->heap[l], best)) {
            m = l;
            best = &s->heap[l];
        }
        if (r < s->n && before(&s->heap[r], best))
            m = r;
        if (m == i)
            break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (s->n > 0)
        s->heap[i] = last;
    return 1;
}

int64_t cxm_sched_next_due(const struct cxm_sched *s)
{
    return s->n ? s->heap[0].due : INT64_MAX;
}
