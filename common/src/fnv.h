/* fnv.h - FNV-1a, 64 bits (Fowler, Noll, Vo): a non-cryptographic digest, for entity tags,
 * history digests, race names and the fixture's digest in the ledger's START line. Not for
 * anything an attacker chooses the input of and gains by colliding. (The business key,
 * inject.c, keeps its own offset basis: changing it would change every ledger's keys.)
 */
#ifndef CX_FNV_H
#define CX_FNV_H

#include <stddef.h>
#include <stdint.h>

#define CX_FNV1A64_INIT 0xcbf29ce484222325ULL

/* h advanced over n bytes at p (start with CX_FNV1A64_INIT). */
static inline uint64_t cx_fnv1a64_add(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static inline uint64_t cx_fnv1a64(const void *p, size_t n)
{
    return cx_fnv1a64_add(CX_FNV1A64_INIT, p, n);
}

#endif
