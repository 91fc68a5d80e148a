/* prng.h - the one seeded random source of the harness (SIM-02).
 *
 * Two generators, the same sequence for the same seed on every machine:
 * - splitmix64 (Steele, Lea, Flood 2014): one 64-bit word of state, for small streams (the
 *   driver's ids, jitter and Poisson arrivals) and for seeding;
 * - xoshiro256** (Blackman, Vigna) seeded through splitmix64: the mock's source. Every random
 *   choice of the mock (ids, consistency delays, faults) draws from one of these under its
 *   lock, so the same seed and request order give the same ledger.
 */
#ifndef PRNG_H
#define PRNG_H

#include <stdint.h>

/* The next output of the splitmix64 stream whose state is *state (any value; advanced). */
uint64_t cx_splitmix64(uint64_t *state);

/* A UUID in the version 4 layout from 128 random bits (hi, lo): 36 characters and a NUL. */
void cx_uuid4_format(char out[37], uint64_t hi, uint64_t lo);

struct cx_prng {
    uint64_t s[4];
};

void cx_prng_seed(struct cx_prng *p, uint64_t seed);
uint64_t cx_prng_next(struct cx_prng *p);

/* Uniform integer in [lo, hi] (inclusive); lo when hi <= lo. */
int64_t cx_prng_range(struct cx_prng *p, int64_t lo, int64_t hi);

/* Uniform double in [0, 1). */
double cx_prng_unit(struct cx_prng *p);

/* A random UUID (version 4 layout), 36 characters and a NUL. */
void cx_prng_uuid(struct cx_prng *p, char out[37]);

/* n random bytes as 2n lowercase hex characters and a NUL (out holds 2n+1). */
void cx_prng_hex(struct cx_prng *p, char *out, unsigned n);

#endif
