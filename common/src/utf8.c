/* utf8.c - see utf8.h */
#include "utf8.h"

#include <string.h>

size_t cx_utf8_char(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        if (s[0] == 0xE0)
            lo = 0xA0; /* overlong below */
        else if (s[0] == 0xED)
            hi = 0x9F; /* surrogates above */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        if (s[0] == 0xF0)
            lo = 0x90; /* overlong below */
        else if (s[0] == 0xF4)
            hi = 0x8F; /* past U+10FFFF above */
    } else {
        return 0; /* a continuation byte, C0, C1 or F5..FF */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool cx_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = cx_utf8_char(p + i, n - i);
        if (!len)
            return false;
        i += len;
    }
    return true;
}

char *cx_utf8_scrub(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t len = cx_utf8_char((const unsigned char *)s + i, n - i);
        if (!len) {
            s[i] = '?';
            len = 1;
        }
        i += len;
    }
    return s;
}
