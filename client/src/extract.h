/* extract.h - take a value out of a response: a JSON path into the body, a header, the status.
 *
 * The forms ("from" in a scenario's "extract", and the keys of "json" conditions):
 *   "$"             the whole body
 *   "$.a.b[0].c"    members and array elements: a member name is [A-Za-z0-9_-]+; any other
 *                   key is written ["quoted key"] ($.a["x.y"]; \" and \\ escape inside the
 *                   quotes); an index is a non-negative decimal integer
 *   "header:Name"   a response header (the name is an HTTP token; matched case-insensitively)
 *   "status"        the HTTP status, as an integer
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <jansson.h>
#include <stddef.h>

#include "cxerr.h"

/* Check FROM at load time. Returns 0, or -1 with a message in ERR (ERRSZ bytes) saying what was
 * expected and where in FROM. */
int extract_check(const char *from, struct cx_error *err);

/* Evaluate FROM (one that extract_check accepted; anything else gives NULL) against a response:
 * BODY is its parsed JSON, or NULL if it was not JSON; STATUS its HTTP status; HEADER(ctx, name)
 * returns a header's value or NULL (matching the name case-insensitively is HEADER's job; HEADER
 * may be NULL: no headers). Returns a NEW json value owned by the caller and independent of BODY
 * (a deep copy), or NULL if the value is absent or memory ran out. */
json_t *extract_eval(const char *from, const json_t *body, int status,
                     const char *(*header)(void *ctx, const char *name), void *ctx);

#endif
