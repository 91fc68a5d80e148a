/* ratecap.c - see ratecap.h */
#include "ratecap.h"

void ratecap_init(struct ratecap *c, double rate, int lanes, double tscale)
{
    c->next_allowed = 0;
    c->gap_us = rate > 0 ? 1e6 * lanes / (rate * tscale) : 0;
}

int64_t ratecap_take(struct ratecap *c, int64_t now)
{
    int64_t slot = c->next_allowed > now ? c->next_allowed : now;
    c->next_allowed = slot + (int64_t)c->gap_us;
    return slot;
}
