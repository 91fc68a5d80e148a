/* retryafter.c - the wait a Retry-After header asks for (see retryafter.h).
 *
 * Seconds are scanned by hand (strtod would take signs, exponents, "inf" and "nan", and a cast
 * of those to an integer is undefined); dates are libcurl's curl_getdate, which reads the three
 * forms RFC 9110 asks a recipient to accept (IMF-fixdate, RFC 850 and asctime).
 */
#include "retryafter.h"

#include <curl/curl.h>
#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* "D+" or "D+.D+" spanning exactly [S, END) as µs, clamped to RETRY_AFTER_MAX_US; -1 if not. */
static int seconds(const char *s, const char *end, int64_t *us)
{
    int64_t whole = 0, frac = 0, scale = 1000000;
    const char *p = s;

    if (p == end || *p < '0' || *p > '9')
        return -1;
    for (; p < end && *p >= '0' && *p <= '9'; p++)
        if (whole <= RETRY_AFTER_MAX_US) /* past it, stop growing: no overflow */
            whole = whole * 10 + (*p - '0');
    if (p < end && *p == '.') {
        if (++p == end || *p < '0' || *p > '9')
            return -1;
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (scale > 1) {
                scale /= 10;
                frac += (*p - '0') * scale;
            }
    }
    if (p != end)
        return -1;
    *us = whole >= RETRY_AFTER_MAX_US / 1000000 ? RETRY_AFTER_MAX_US : whole * 1000000 + frac;
    return 0;
}

/* See retryafter.h. */
int retry_after_parse(const char *s, time_t now, int64_t *us)
{
    char date[128];
    const char *end;
    size_t n;
    time_t t;

    if (!s)
        return -1;
    while (is_space(*s))
        s++;
    end = s + strlen(s);
    while (end > s && is_space(end[-1]))
        end--;
    if (end == s)
        return -1;
    if (*s >= '0' && *s <= '9')
        return seconds(s, end, us);
    n = (size_t)(end - s);
    if (n >= sizeof date)
        return -1;
    memcpy(date, s, n);
    date[n] = '\0';
    t = curl_getdate(date, NULL);
    if (t == -1)
        return -1;
    if (t <= now)
        *us = 0;
    else if ((int64_t)(t - now) >= RETRY_AFTER_MAX_US / 1000000)
        *us = RETRY_AFTER_MAX_US;
    else
        *us = (int64_t)(t - now) * 1000000;
    return 1;
}
