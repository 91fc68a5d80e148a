/* ratelimit.c - see ratelimit.h */
#include "ratelimit.h"

#include <stdlib.h>

int cxm_window_init(struct cxm_window *w, int limit)
{
    w->limit = limit;
    w->head = w->n = 0;
    w->t = NULL;
    if (limit > 0 && !(w->t = malloc((size_t)limit * sizeof *w->t)))
        return -1;
    return 0;
}

void cxm_window_free(struct cxm_window *w)
{
    free(w->t);
    w->t = NULL;
}

/* Forget admissions older than the window. */
static void expire(struct cxm_window *w, int64_t now)
{
    while (w->n > 0 && w->t[w->head] <= now - CXM_WINDOW_MS) {
        w->head = (w->head + 1) % w->limit;
        w->n--;
    }
}

int64_t cxm_window_wait(struct cxm_window *w, int64_t now)
{
    if (w->limit <= 0)
        return 0;
    expire(w, now);
    if (w->n < w->limit)
        return 0;
    return w->t[w->head] + CXM_WINDOW_MS - now;
}

void cxm_window_record(struct cxm_window *w, int64_t now)
{
    if (w->limit <= 0)
        return;
    expire(w, now);
    if (w->n == w->limit) { /* only when forced; callers check first */
        w->head = (w->head + 1) % w->limit;
        w->n--;
    }
    w->t[(w->head + w->n) % w->limit] = now;
    w->n++;
}
