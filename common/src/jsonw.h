/* jsonw.h - compact JSON text of a jansson value, without jansson's per-character callbacks.
 *
 * The mock renders a ledger line and a response body per request under its lock; jansson's
 * json_dumps writes through a callback per fragment and was a fifth of that time. This writer
 * appends straight to a buffer and produces exactly json_dumps(v, JSON_COMPACT) for the values
 * it takes: objects (in their order), arrays, strings, integers, true, false and null. Reals
 * and strings with control characters it declines, and the caller uses json_dumps.
 */
#ifndef JSONW_H
#define JSONW_H

#include <jansson.h>

#include "buf.h"

/* Append v's compact text to b. Returns 0, or -1 if v holds what this writer declines (b may
 * then hold a partial text: truncate it to its old length). */
int cx_json_append(struct cx_buf *b, const json_t *v);

/* json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15)) by the fast path when it can, else by
 * jansson. malloc'd; NULL if out of memory. */
char *cx_json_dumps(const json_t *v);

#endif
