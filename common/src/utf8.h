/* utf8.h - UTF-8 validity (RFC 3629): what may go into a JSON string.
 *
 * Well-formed UTF-8 only: no overlong forms, no surrogates (U+D800..U+DFFF), nothing past
 * U+10FFFF. JSON text is UTF-8 (RFC 8259 8.1), and jansson refuses to make a string of
 * anything else, so a value that reaches a ledger entry or an answer is checked first.
 */
#ifndef CX_UTF8_H
#define CX_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length of the UTF-8 character at s (n bytes left, n > 0), or 0 if none starts there. */
size_t cx_utf8_char(const unsigned char *s, size_t n);

/* Whether the n bytes at s are well-formed UTF-8. */
bool cx_utf8_valid(const char *s, size_t n);

/* Replace, in place, each byte of the NUL-terminated s that starts no UTF-8 character with '?':
 * text made for a JSON string (an error's detail quoting a client's bytes, or cut short by a
 * buffer) that must not be lost for one bad byte. Returns s. */
char *cx_utf8_scrub(char *s);

#endif
