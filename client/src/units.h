/* units.h - durations and rates as scenario files write them.
 *
 * A duration is a non-negative decimal number and a unit, with nothing between or around them:
 * "250us", "100ms", "1.5s", "2m", "1h". A rate is a number, a slash and a unit of time:
 * "200/s", "50/m", "3000/h", "12.5/s". A bare number is refused (the unit is never implied), as
 * are signs, exponents, spaces, an empty string and anything after the unit.
 */
#ifndef UNITS_H
#define UNITS_H

#include <stdint.h>

/* Parse duration S into *us (microseconds, rounded to the nearest). Returns 0, or -1 (and *us
 * untouched) if S is NULL, malformed, has no unit or an unknown one, or exceeds INT64_MAX us. */
int units_duration(const char *s, int64_t *us);

/* Parse rate S into *per_sec (events per second). Returns 0, or -1 (and *per_sec untouched) if
 * S is NULL or malformed, or its unit is not s, m or h. "0/s" is a valid rate. */
int units_rate(const char *s, double *per_sec);

#endif
