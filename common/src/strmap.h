/* strmap.h - a string-keyed hash map to integer values (open addressing, linear probing).
 *
 * Used for id -> index lookups (interactions, tokens). Growing never stops the world: the new
 * table is filled from the old a few slots per put or delete (so a map of millions of keys,
 * held under the mock's lock, never stalls every request for the tens of milliseconds a
 * rehash of it takes), and lookups look in both until the old one is empty. Keys are copied, or, in
 * a map made by strmap_init_borrowed, borrowed: the caller keeps each key alive, unchanged, until
 * it is deleted or the map freed (a key that lives in the value it names need not be stored twice).
 * Not thread-safe.
 */
#ifndef STRMAP_H
#define STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
    char *key; /* NULL = empty */
    int64_t value;
    uint64_t hash; /* of key: probes compare it before the key, growing never rehashes */
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap;   /* power of two, or 0 */
    size_t count; /* keys, in both tables */
    int borrowed; /* keys are the caller's, not copies */
    /* While growing: the table before, whose slots [0, moved) are already in slots. Its keys
     * at and after moved are live (or a tombstone, if deleted before they moved); those before
     * it are only markers that keep probe chains whole, never read (their keys may be gone). */
    struct strmap_slot *old;
    size_t oldcap, moved;
    size_t prefaulted; /* bytes of slots faulted in ahead of use (bigalloc.h) */
};

void strmap_init(struct strmap *m);
void strmap_init_borrowed(struct strmap *m);
void strmap_free(struct strmap *m);

/* Insert or replace. Returns 0, or -1 if out of memory (the map is unchanged). */
int strmap_put(struct strmap *m, const char *key, int64_t value);

/* Look up; returns 1 and fills *value if present, else 0. value may be NULL. */
int strmap_get(const struct strmap *m, const char *key, int64_t *value);

/* Remove; returns 1 if it was there. */
int strmap_del(struct strmap *m, const char *key);

#endif
