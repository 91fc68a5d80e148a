/* idem.c - see idem.h */
#include "idem.h"

#include <stdlib.h>
#include <string.h>

void cxm_idem_init(struct cxm_idem *s, size_t max_keys, int64_t ttl_ms)
{
    memset(s, 0, sizeof *s);
    strmap_init_borrowed(&s->index); /* keys: the entries' own */
    s->max_keys = max_keys ? max_keys : 1;
    s->ttl_ms = ttl_ms;
}

static void drop_oldest(struct cxm_idem *s)
{
    struct cxm_idem_entry *e = s->oldest;
    s->oldest = e->next;
    if (!s->oldest)
        s->newest = NULL;
    strmap_del(&s->index, e->key);
    s->bytes -= sizeof *e + strlen(e->key) + 1 + (e->body ? strlen(e->body) + 1 : 0);
    free(e);
    s->n--;
}

void cxm_idem_free(struct cxm_idem *s)
{
    while (s->oldest)
        drop_oldest(s);
    strmap_free(&s->index);
}

static void expire(struct cxm_idem *s, int64_t now)
{
    while (s->oldest && s->oldest->expires <= now) {
        drop_oldest(s);
        s->expired++;
    }
}

const struct cxm_idem_entry *cxm_idem_get(struct cxm_idem *s, const char *key, int64_t now)
{
    expire(s, now);
    int64_t v;
    if (!strmap_get(&s->index, key, &v))
        return NULL;
    s->replays++;
    return (const struct cxm_idem_entry *)(intptr_t)v;
}

static int put(struct cxm_idem *s, const char *key, int status, const char *body,
               struct cxm_idem_ref ref, int64_t now)
{
    expire(s, now);
    if (s->n >= s->max_keys) {
        drop_oldest(s);
        s->evicted++;
    }
    size_t klen = strlen(key), blen = body ? strlen(body) + 1 : 0;
    struct cxm_idem_entry *e = malloc(sizeof *e + klen + 1 + blen);
    if (!e)
        return -1;
    memcpy(e->key, key, klen + 1);
    if (strmap_put(&s->index, e->key, (int64_t)(intptr_t)e) < 0) {
        free(e);
        return -1;
    }
    e->body = body ? memcpy(e->key + klen + 1, body, blen) : NULL;
    e->ref = ref;
    e->status = status;
    e->expires = now + s->ttl_ms;
    e->next = NULL;
    if (s->newest)
        s->newest->next = e;
    else
        s->oldest = e;
    s->newest = e;
    s->n++;
    s->bytes += sizeof *e + klen + 1 + blen;
    return 0;
}

int cxm_idem_put(struct cxm_idem *s, const char *key, int status, const char *body, int64_t now)
{
    return put(s, key, status, body ? body : "", (struct cxm_idem_ref){0, 0, 0, ""}, now);
}

int cxm_idem_put_ref(struct cxm_idem *s, const char *key, int status, struct cxm_idem_ref ref,
                     int64_t now)
{
    return put(s, key, status, NULL, ref, now);
}
