/* ratecap.h - the client-side rate cap of one worker thread (policy.rateCap, --rate-cap): its
 * share of the run's requests per second, as evenly spaced slots. Every request to the target
 * takes a slot, token fetches too, so a real tenant is never sent more than the cap. */
#ifndef RATECAP_H
#define RATECAP_H

#include <stdint.h>

struct ratecap {
    double gap_us;        /* between two slots; 0 = no cap */
    int64_t next_allowed; /* monotonic µs of the next free slot */
};

/* A cap of RATE requests per second of scenario time over the whole run, shared by LANES
 * threads (threads x shards), on a clock running TSCALE times fast. RATE 0: none. */
void ratecap_init(struct ratecap *c, double rate, int lanes, double tscale);

/* Take the next slot at NOW: returns when it is (NOW or later). */
int64_t ratecap_take(struct ratecap *c, int64_t now);

#endif
