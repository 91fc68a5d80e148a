/* retryafter.h - the wait a Retry-After header asks for.
 *
 * RFC 9110 section 10.2.3: the value is delay-seconds (digits) or an HTTP-date. The mock and
 * CXone send seconds (RATE-01); a gateway in front of a tenant may send a date, in one of the
 * three forms of section 5.6.7 (IMF-fixdate, RFC 850, asctime). A fraction of a second is read
 * too. Anything else - a sign, an exponent, "inf", "nan", text after the number or the date, a
 * date without its time or in another zone than GMT, a day the month does not have - is not a
 * Retry-After, and the caller falls back to its own backoff.
 */
#ifndef RETRYAFTER_H
#define RETRYAFTER_H

#include <stdint.h>
#include <time.h>

/* Parse header value S (leading and trailing spaces and tabs allowed) into *us, the wait in
 * microseconds: the seconds given, or the time from NOW until the date given (0 for a date
 * already past). At most RETRY_AFTER_MAX_US: a larger wait is read as that. Returns 0 for
 * seconds (on the server's clock, which may be a scaled mock's), 1 for a date (wall time), or -1
 * (*us untouched) if S is NULL or neither form. */
int retry_after_parse(const char *s, time_t now, int64_t *us);

#define RETRY_AFTER_MAX_US (86400LL * 1000000) /* a day */

#endif
