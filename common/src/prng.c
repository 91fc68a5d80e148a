/* prng.c - see prng.h. xoshiro256** and splitmix64 after Blackman and Vigna (public domain
 * algorithms), written from their description. */
#include "prng.h"

#include <stdio.h>

uint64_t cx_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void cx_prng_seed(struct cx_prng *p, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        p->s[i] = cx_splitmix64(&x);
}

uint64_t cx_prng_next(struct cx_prng *p)
{
    uint64_t *s = p->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

int64_t cx_prng_range(struct cx_prng *p, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)(hi - lo) + 1;
    /* Rejection sampling: no modulo bias. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t r;
    do
        r = cx_prng_next(p);
    while (r >= limit);
    return lo + (int64_t)(r % span);
}

double cx_prng_unit(struct cx_prng *p)
{
    return (double)(cx_prng_next(p) >> 11) * 0x1.0p-53;
}

void cx_uuid4_format(char out[37], uint64_t a, uint64_t b)
{
    a = (a & ~0xf000ULL) | 0x4000ULL;                        /* version 4 */
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; /* variant 10 */
    /* %08x-%04x-%04x-%04x-%012llx of a's 64 bits, then b's, by hand: one per contact made */
    static const char digits[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            *o++ = '-';
        uint64_t w = i < 16 ? a : b;
        *o++ = digits[(w >> (60 - 4 * (i % 16))) & 15];
    }
    *o = '\0';
}

void cx_prng_uuid(struct cx_prng *p, char out[37])
{
    uint64_t a = cx_prng_next(p);
    cx_uuid4_format(out, a, cx_prng_next(p));
}

void cx_prng_hex(struct cx_prng *p, char *out, unsigned n)
{
    static const char digits[] = "0123456789abcdef";
    uint64_t r = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i % 8 == 0)
            r = cx_prng_next(p);
        unsigned byte = (unsigned)(r & 0xff);
        r >>= 8;
        out[2 * i] = digits[byte >> 4];
        out[2 * i + 1] = digits[byte & 15];
    }
    out[2 * n] = '\0';
}
