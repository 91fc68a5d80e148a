/* barrier.c - see barrier.h */
#include "barrier.h"

long barrier_arrive(struct barrier *b, int *filled)
{
    long n = atomic_fetch_add(&b->arrived, 1) + 1;
    *filled = n % b->count == 0;
    return (n - 1) / b->count;
}

void barrier_release(struct barrier *b, long gen, int64_t at)
{
    atomic_store(&b->slots[gen % BARRIER_RING].at, at);
    atomic_store(&b->slots[gen % BARRIER_RING].released, gen + 1);
}

int barrier_released(struct barrier *b, long gen, int64_t *at)
{
    if (atomic_load(&b->slots[gen % BARRIER_RING].released) != gen + 1)
        return 0;
    *at = atomic_load(&b->slots[gen % BARRIER_RING].at);
    return 1;
}
