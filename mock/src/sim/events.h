/* events.h - the event stream clients read (CONS-02, CONS-03).
 *
 * Each applied change emits one event, numbered by a cursor that only grows. The newest
 * `retention` events are kept; a long poll (GET /api/v2/events?after=C) and every webhook read
 * from here, each with its own cursor, so a webhook receiver that is down loses nothing from
 * the long-poll stream. Events are stored rendered:
 *     {"cursor":N,"type":"interaction.state.changed", ...payload}
 */
#ifndef EVENTS_H
#define EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "buf.h"

struct cxm_events {
    char **text;    /* ring of rendered events */
    char **type;    /* their types, for webhook filters */
    size_t cap;     /* retention */
    uint64_t first; /* oldest cursor held */
    uint64_t next;  /* cursor of the next event; cursors start at 1 */
};

/* Returns 0, or -1 if out of memory. retention >= 1. */
int cxm_events_init(struct cxm_events *e, size_t retention);
void cxm_events_free(struct cxm_events *e);

/* Forget everything; cursors restart at 1. */
void cxm_events_reset(struct cxm_events *e);

/* Append an event; payload is stolen. Returns its cursor, or 0 if out of memory. */
uint64_t cxm_events_add(struct cxm_events *e, const char *type, json_t *payload);

/* Cursor of the newest event (0 if none). */
uint64_t cxm_events_last(const struct cxm_events *e);

/* Is cursor `after` older than what is retained (so events after it were lost)? */
int cxm_events_expired(const struct cxm_events *e, uint64_t after);

/* Append up to max rendered events with cursor > after to out, comma-separated (a JSON array's
 * inside). Returns how many; *last gets the cursor of the last one appended (after if none). */
size_t cxm_events_collect(const struct cxm_events *e, uint64_t after, size_t max,
                          struct cx_buf *out, uint64_t *last);

/* The event with cursor c and its type, or NULL when not retained. */
const char *cxm_events_get(const struct cxm_events *e, uint64_t c, const char **type);

#endif
