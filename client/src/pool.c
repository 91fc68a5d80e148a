/* pool.c - see pool.h */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

int pool_init(struct pool *p, int size)
{
    memset(p, 0, sizeof *p);
    p->size = size > 0 ? size : 1;
    p->made = calloc((size_t)p->size, sizeof *p->made);
    p->free = calloc((size_t)p->size, sizeof *p->free);
    return p->made && p->free ? 0 : -1;
}

void pool_free(struct pool *p)
{
    for (int i = 0; p->made && i < p->nmade; i++)
        curl_easy_cleanup(p->made[i]);
    free(p->made);
    free(p->free);
    memset(p, 0, sizeof *p);
}

CURL *pool_take(struct pool *p)
{
    if (p->nfree)
        return p->free[--p->nfree];
    if (p->nmade == p->size)
        return NULL;
    CURL *e = curl_easy_init();
    if (e)
        p->made[p->nmade++] = e;
    return e;
}

void pool_enqueue(struct pool *p, struct pool_wait *w, int64_t now)
{
    w->next = NULL;
    w->granted = NULL;
    w->since = now;
    w->waiting = 1;
    if (p->tail)
        p->tail->next = w;
    else
        p->head = w;
    p->tail = w;
    p->nwaiting++;
}

struct pool_wait *pool_give(struct pool *p, CURL *e)
{
    struct pool_wait *w = p->head;
    if (!w) {
        p->free[p->nfree++] = e;
        return NULL;
    }
    p->head = w->next;
    if (!p->head)
        p->tail = NULL;
    p->nwaiting--;
    w->next = NULL;
    w->waiting = 0;
    w->granted = e;
    return w;
}

void pool_leave(struct pool *p, struct pool_wait *w)
{
    if (!w->waiting)
        return;
    struct pool_wait *prev = NULL;
    for (struct pool_wait *q = p->head; q; prev = q, q = q->next) {
        if (q != w)
            continue;
        if (prev)
            prev->next = w->next;
        else
            p->head = w->next;
        if (p->tail == w)
            p->tail = prev;
        p->nwaiting--;
        break;
    }
    w->next = NULL;
    w->waiting = 0;
}

int pool_lent(const struct pool *p)
{
    return p->nmade - p->nfree;
}
