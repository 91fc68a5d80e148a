/* osrandom.h - the system's CSPRNG (getrandom(2)), for what must not be guessable: access and
 * refresh tokens, run ids. Never for what a seed must replay (prng.h, SIM-02).
 */
#ifndef CX_OSRANDOM_H
#define CX_OSRANDOM_H

#include <stddef.h>

/* Fill buf with n bytes from the kernel's CSPRNG. Returns 0, or -1 with errno set (the kernel
 * has no getrandom, or its pool is not initialised yet and never will be here). */
int cx_os_random(void *buf, size_t n);

/* n random bytes from cx_os_random as 2n lowercase hex characters and a NUL (out holds 2n+1).
 * Returns 0, or -1 with errno set. */
int cx_os_random_hex(char *out, size_t n);

#endif
