/* retryafter.c - the wait a Retry-After header asks for (see retryafter.h).
 *
 * Both forms are scanned by hand. strtod would take signs, exponents, "inf" and "nan" (and a
 * cast of those to an integer is undefined); curl_getdate takes almost anything that looks
 * like a date ("Sun, 06 Nov 1994", a date with text after it). A date must be one of the
 * three forms RFC 9110 section 5.6.7 asks a recipient to accept, whole:
 *   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
 *   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT
 *   asctime      Sun Nov  6 08:49:37 1994
 */
#include "retryafter.h"

#include <string.h>

static const char *const days[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                   "Friday", "Saturday", "Sunday"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "D+" or "D+.D+" spanning exactly [S, END) as µs, clamped to RETRY_AFTER_MAX_US; -1 if not. */
static int seconds(const char *s, const char *end, int64_t *us)
{
    const int64_t max_s = RETRY_AFTER_MAX_US / 1000000;
    int64_t whole = 0, frac = 0, scale = 1000000;
    const char *p = s;

    if (p == end || !is_digit(*p))
        return -1;
    for (; p < end && is_digit(*p); p++)
        if (whole < max_s) /* at the cap, stop growing: no overflow however many digits */
            whole = whole * 10 + (*p - '0');
    if (p < end && *p == '.') {
        if (++p == end || !is_digit(*p))
            return -1;
        for (; p < end && is_digit(*p); p++)
            if (scale > 1) {
                scale /= 10;
                frac += (*p - '0') * scale;
            }
    }
    if (p != end)
        return -1;
    *us = whole >= max_s ? RETRY_AFTER_MAX_US : whole * 1000000 + frac;
    return 0;
}

/* N digits at *P as a number, moving *P past them; -1 if they are not all digits. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!is_digit(**p))
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

/* The literal LIT at *P, moving *P past it; -1 if it is not there. */
static int literal(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0)
        return -1;
    *p += n;
    return 0;
}

/* A day name at *P: the three-letter one, or with FULL the whole one; moves *P past it. */
static int day_name(const char **p, int full)
{
    for (int i = 0; i < 7; i++) {
        size_t n = full ? strlen(days[i]) : 3;
        if (strncmp(*p, days[i], n) == 0) {
            *p += n;
            return i;
        }
    }
    return -1;
}

/* A month name at *P (1..12), moving *P past it; -1 if none. */
static int month_name(const char **p)
{
    for (int i = 0; i < 12; i++)
        if (strncmp(*p, months[i], 3) == 0) {
            *p += 3;
            return i + 1;
        }
    return -1;
}

/* "HH:MM:SS" at *P as seconds into the day, moving *P past it; -1 if not. */
static int64_t clock_time(const char **p)
{
    int h = digits(p, 2);
    if (h < 0 || h > 23 || literal(p, ":") < 0)
        return -1;
    int m = digits(p, 2);
    if (m < 0 || m > 59 || literal(p, ":") < 0)
        return -1;
    int s = digits(p, 2);
    if (s < 0 || s > 60) /* 60: a leap second */
        return -1;
    return (int64_t)h * 3600 + m * 60 + s;
}

/* Days from 1970-01-01 to Y-M-D of the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* One of the three date forms, exactly, in S (NUL-terminated, no surrounding spaces) as seconds
 * since the epoch into *T. NOW decides the century of RFC 850's two-digit year. 0, or -1. */
static int http_date(const char *s, time_t now, int64_t *t)
{
    const char *p = s;
    int d, mon, y;
    int64_t tod;

    if (day_name(&p, 0) < 0)
        return -1;
    if (literal(&p, ", ") == 0) { /* IMF-fixdate */
        if ((d = digits(&p, 2)) < 0 || literal(&p, " ") < 0 || (mon = month_name(&p)) < 0 ||
            literal(&p, " ") < 0 || (y = digits(&p, 4)) < 0 || literal(&p, " ") < 0 ||
            (tod = clock_time(&p)) < 0 || literal(&p, " GMT") < 0)
            return -1;
    } else if (*p == ' ') { /* asctime: the day is two digits or a space and one */
        p++;
        if ((mon = month_name(&p)) < 0 || literal(&p, " ") < 0)
            return -1;
        if (*p == ' ')
            p++, d = digits(&p, 1);
        else
            d = digits(&p, 2);
        if (d < 0 || literal(&p, " ") < 0 || (tod = clock_time(&p)) < 0 || literal(&p, " ") < 0 ||
            (y = digits(&p, 4)) < 0)
            return -1;
    } else { /* RFC 850: the full day name */
        p = s;
        if (day_name(&p, 1) < 0 || literal(&p, ", ") < 0 || (d = digits(&p, 2)) < 0 ||
            literal(&p, "-") < 0 || (mon = month_name(&p)) < 0 || literal(&p, "-") < 0 ||
            (y = digits(&p, 2)) < 0 || literal(&p, " ") < 0 || (tod = clock_time(&p)) < 0 ||
            literal(&p, " GMT") < 0)
            return -1;
        /* RFC 9110: a year more than 50 years ahead is the most recent past one */
        int this_year = (int)(1970 + (int64_t)now / 31556952);
        y += this_year - this_year % 100;
        if (y > this_year + 50)
            y -= 100;
    }
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (*p != '\0' || d < 1 || d > month_days[mon - 1] || (mon == 2 && d == 29 && !leap))
        return -1;
    *t = days_from_civil(y, mon, d) * 86400 + tod;
    return 0;
}

/* See retryafter.h. */
int retry_after_parse(const char *s, time_t now, int64_t *us)
{
    char date[40];
    const char *end;
    int64_t t;
    size_t n;

    if (!s)
        return -1;
    while (is_space(*s))
        s++;
    end = s + strlen(s);
    while (end > s && is_space(end[-1]))
        end--;
    if (end == s)
        return -1;
    if (is_digit(*s))
        return seconds(s, end, us);
    n = (size_t)(end - s);
    if (n >= sizeof date) /* the longest form, RFC 850 on a Wednesday, is 33 */
        return -1;
    memcpy(date, s, n);
    date[n] = '\0';
    if (http_date(date, now, &t) < 0)
        return -1;
    if (t <= (int64_t)now)
        *us = 0;
    else if (t - (int64_t)now >= RETRY_AFTER_MAX_US / 1000000)
        *us = RETRY_AFTER_MAX_US;
    else
        *us = (t - (int64_t)now) * 1000000;
    return 1;
}
