/* osrandom.c - see osrandom.h */
#include "osrandom.h"

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>

int cx_os_random(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0); /* blocks only until the pool is first initialised */
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

int cx_os_random_hex(char *out, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char raw[64];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < sizeof raw ? n - done : sizeof raw;
        if (cx_os_random(raw, k) < 0)
            return -1;
        for (size_t i = 0; i < k; i++) {
            out[2 * (done + i)] = digits[raw[i] >> 4];
            out[2 * (done + i) + 1] = digits[raw[i] & 15];
        }
        done += k;
    }
    out[2 * n] = '\0';
    return 0;
}
