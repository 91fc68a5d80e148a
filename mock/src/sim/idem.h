/* idem.h - the idempotency-key store (INJ-05, PRI-05).
 *
 * Remembers, per key, the first response given (status and body, byte for byte) until the key
 * expires ttl after it was stored, on the mock clock. Memory is bounded: at most max_keys keys
 * are held; storing one more first forgets the oldest (counted in `evicted`), and expired keys
 * are freed as soon as any call sees them. As every key lives the same ttl, the oldest stored
 * is always the first to expire, so a FIFO list is the whole index of ages. Callers namespace
 * their keys (client id, endpoint) so keys of different clients never meet.
 *
 * A million keys must fit in 200 MB: an entry is one allocation (the index borrows its key),
 * and an answer its caller can rebuild exactly from a few values (an injection's 201 from its
 * contact's id, creation time, queue and priority) is stored as those values, not as text. They
 * are copies: the contact may be forgotten (model.h) before its key expires.
 */
#ifndef IDEM_H
#define IDEM_H

#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

/* What the caller rebuilds the answer from (cxm_idem_put_ref). */
struct cxm_idem_ref {
    int64_t t;
    int a, b;
    char id[37];
};

struct cxm_idem_entry {
    struct cxm_idem_entry *next; /* newer */
    int64_t expires;
    int status;
    struct cxm_idem_ref ref;
    const char *body; /* the body (in this allocation), or NULL: rebuilt from ref */
    char key[];       /* NUL-terminated */
};

struct cxm_idem {
    struct strmap index; /* key -> entry pointer */
    struct cxm_idem_entry *oldest, *newest;
    size_t n, max_keys;
    int64_t ttl_ms;
    uint64_t evicted, expired, replays;
    size_t bytes; /* approximate heap held by entries */
};

void cxm_idem_init(struct cxm_idem *s, size_t max_keys, int64_t ttl_ms);
void cxm_idem_free(struct cxm_idem *s);

/* The live entry for key at `now`, or NULL. Frees what expired. */
const struct cxm_idem_entry *cxm_idem_get(struct cxm_idem *s, const char *key, int64_t now);

/* Store the first response for key (not present). Returns 0, or -1 if out of memory. */
int cxm_idem_put(struct cxm_idem *s, const char *key, int status, const char *body, int64_t now);
/* The same for a response the caller rebuilds from ref (byte for byte, as it first sent it). */
int cxm_idem_put_ref(struct cxm_idem *s, const char *key, int status, struct cxm_idem_ref ref,
                     int64_t now);

#endif
