/* units.c - durations and rates (see units.h).
 *
 * The number is scanned by hand rather than by strtod, which would take signs, exponents,
 * "inf", hexadecimal and leading spaces, and depends on the locale's decimal point. Its digits
 * are kept as an integer mantissa and a count of decimals, so "0.1s" becomes exactly 100000 us.
 */
#include "units.h"

#include <math.h>
#include <string.h>

#define MAX_DIGITS 15 /* a mantissa of 15 digits is exact in a double (< 2^53) */

/* Scan "D+" or "D+.D+" at *S into *mant and *decimals, moving *S past it. Returns 0, or -1 if
 * there is no number there or it has more than MAX_DIGITS digits. */
static int scan_number(const char **s, double *mant, int *decimals)
{
    const char *p = *s;
    int digits = 0;
    double m = 0;

    *decimals = 0;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        m = m * 10 + (*p - '0');
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++, digits++, (*decimals)++)
            m = m * 10 + (*p - '0');
    }
    if (digits > MAX_DIGITS)
        return -1;
    *mant = m;
    *s = p;
    return 0;
}

/* MANT / 10^DECIMALS * SCALE, with one rounding at the end. */
static double scaled(double mant, int decimals, double scale)
{
    return mant * scale / pow(10, decimals);
}

/* See units.h. */
int units_duration(const char *s, int64_t *us)
{
    static const struct {
        const char *name;
        double us;
    } units[] = {{"us", 1}, {"ms", 1e3}, {"s", 1e6}, {"m", 60e6}, {"h", 3600e6}};
    double mant, v;
    int decimals;

    if (!s || scan_number(&s, &mant, &decimals) != 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(s, units[i].name) != 0)
            continue;
        v = round(scaled(mant, decimals, units[i].us));
        if (!(v < 9223372036854775807.0))
            return -1;
        *us = (int64_t)v;
        return 0;
    }
    return -1;
}

/* See units.h. */
int units_rate(const char *s, double *per_sec)
{
    double mant, per;
    int decimals;

    if (!s || scan_number(&s, &mant, &decimals) != 0 || *s++ != '/')
        return -1;
    if (strcmp(s, "s") == 0)
        per = 1;
    else if (strcmp(s, "m") == 0)
        per = 60;
    else if (strcmp(s, "h") == 0)
        per = 3600;
    else
        return -1;
    *per_sec = scaled(mant, decimals, 1) / per;
    return 0;
}
