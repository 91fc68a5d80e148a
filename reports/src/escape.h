/* escape.h - text from a summary (request paths, messages, tag names) made safe for HTML, SVG
 * and XML (the JUnit report), in element content and in double-quoted attribute values alike.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stdio.h>

/* Write S to F with & < > " ' as entities and control characters other than tab and newline
 * dropped (they are not allowed in HTML text). NULL writes nothing. */
void esc_html(FILE *f, const char *s);

#endif
