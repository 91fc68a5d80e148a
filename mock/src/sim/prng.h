/* prng.h - the mock's one seeded random source (SIM-02).
 *
 * xoshiro256** seeded through splitmix64: fast, small, and the same sequence for the same seed
 * on every machine. Every random choice of the mock (ids, consistency delays, faults) draws
 * from one of these, under the mock's lock, so the same seed and request order give the same
 * ledger.
 */
#ifndef PRNG_H
#define PRNG_H

#include <stdint.h>

struct cxm_prng {
    uint64_t s[4];
};

void cxm_prng_seed(struct cxm_prng *p, uint64_t seed);
uint64_t cxm_prng_next(struct cxm_prng *p);

/* Uniform integer in [lo, hi] (inclusive); lo when hi <= lo. */
int64_t cxm_prng_range(struct cxm_prng *p, int64_t lo, int64_t hi);

/* Uniform double in [0, 1). */
double cxm_prng_unit(struct cxm_prng *p);

/* A random UUID (version 4 layout), 36 characters and a NUL. */
void cxm_prng_uuid(struct cxm_prng *p, char out[37]);

/* n random bytes as 2n lowercase hex characters and a NUL (out holds 2n+1). */
void cxm_prng_hex(struct cxm_prng *p, char *out, unsigned n);

#endif
