/* duration.h - a duration as cxmock's flags write it (--idle-timeout, cxmock gate --timeout):
 * a decimal number and an optional unit, "500ms", "5s", "2m", "1h", or plain seconds.
 * (Scenario files have their own, stricter grammar: client/src/units.h.)
 */
#ifndef CX_DURATION_H
#define CX_DURATION_H

/* TEXT as seconds into *s: more than 0 and at most max_s. Returns 0, or -1. */
int cx_duration_parse(const char *text, double max_s, double *s);

#endif
