/* jsonpos.h - find where a value sits in JSON source text.
 *
 * jansson parses without keeping positions. When a loader finds a semantic error at a path such
 * as "queues[2].ringSeconds" it asks this module for the line and column of that value (or of
 * the key, for a key that should not be there) in the original text, so the error can say
 * file:line:column. A small scanner, not a parser: it assumes text that jansson already accepted.
 */
#ifndef JSONPOS_H
#define JSONPOS_H

#include <stddef.h>

/* Locate PATH in TEXT (LEN bytes). PATH is a dotted member path with [N] array indexes,
 * "" for the root, e.g. "agents[0].channels[1]". On success returns 0 and fills *line and
 * *column (1-based) with the position of the value's first character; if want_key is nonzero
 * and the last path element is an object member, the position of its key's opening quote
 * instead. Returns -1 if the path is not found (line/column untouched). */
int jsonpos_locate(const char *text, size_t len, const char *path, int want_key, int *line,
                   int *column);

#endif
