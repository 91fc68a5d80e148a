/* secret.h - comparing a secret in constant time: how long it takes depends on the lengths only,
 * never on how much of a guess is right (the admin token, client secrets, agent passwords).
 */
#ifndef CX_SECRET_H
#define CX_SECRET_H

#include <stdbool.h>
#include <string.h>

/* Whether given (may be NULL) equals secret, reading all of secret whatever given holds. */
static inline bool cx_secret_equal(const char *given, const char *secret)
{
    if (!given)
        return false;
    size_t n = strlen(secret), m = strlen(given);
    unsigned diff = n != m;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)secret[i] ^ (unsigned char)(i < m ? given[i] : 0);
    return diff == 0;
}

#endif
