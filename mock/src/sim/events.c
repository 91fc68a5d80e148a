/* events.c - see events.h */
#include "events.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

int cxm_events_init(struct cxm_events *e, size_t retention)
{
    memset(e, 0, sizeof *e);
    e->cap = retention ? retention : 1;
    e->text = calloc(e->cap, sizeof *e->text);
    e->type = calloc(e->cap, sizeof *e->type);
    e->first = e->next = 1;
    if (!e->text || !e->type) {
        cxm_events_free(e);
        return -1;
    }
    return 0;
}

void cxm_events_reset(struct cxm_events *e)
{
    for (size_t i = 0; i < e->cap; i++) {
        free(e->text[i]);
        free(e->type[i]);
        e->text[i] = e->type[i] = NULL;
    }
    e->first = e->next = 1;
}

void cxm_events_free(struct cxm_events *e)
{
    if (e->text && e->type)
        cxm_events_reset(e);
    free(e->text);
    free(e->type);
    memset(e, 0, sizeof *e);
}

uint64_t cxm_events_add(struct cxm_events *e, const char *type, json_t *payload)
{
    json_t *o = json_object();
    json_object_set_new(o, "cursor", json_integer((json_int_t)e->next));
    json_object_set_new(o, "type", json_string(type));
    json_object_update(o, payload);
    json_decref(payload);
    char *text = cx_json_dumps(o);
    char *t = strdup(type);
    json_decref(o);
    if (!text || !t) {
        free(text);
        free(t);
        return 0;
    }
    size_t slot = e->next % e->cap;
    if (e->next - e->first == e->cap) { /* full: the oldest goes */
        free(e->text[slot]);
        free(e->type[slot]);
        e->first++;
    }
    e->text[slot] = text;
    e->type[slot] = t;
    return e->next++;
}

uint64_t cxm_events_last(const struct cxm_events *e)
{
    return e->next - 1;
}

int cxm_events_expired(const struct cxm_events *e, uint64_t after)
{
    return after < e->first - 1; /* first >= 1; after + 1 would wrap at UINT64_MAX */
}

const char *cxm_events_get(const struct cxm_events *e, uint64_t c, const char **type)
{
    if (c < e->first || c >= e->next)
        return NULL;
    if (type)
        *type = e->type[c % e->cap];
    return e->text[c % e->cap];
}

size_t cxm_events_collect(const struct cxm_events *e, uint64_t after, size_t max,
                          struct cx_buf *out, uint64_t *last)
{
    uint64_t c = after + 1 < e->first ? e->first : after + 1;
    size_t n = 0;
    *last = after;
    for (; c < e->next && n < max; c++, n++) {
        if (n)
            cx_buf_adds(out, ",");
        cx_buf_adds(out, e->text[c % e->cap]);
        *last = c;
    }
    return n;
}
