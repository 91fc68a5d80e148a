/* strmap.c - see strmap.h */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "bigalloc.h"

/* Old slots moved to the new table per put or delete while growing. A table grows at 3/4 full
 * into one at least twice its size (at most 3/8 full), so the old one is empty long before the
 * new one is 3/4 full: a few slots per operation, sequential reads, no stall. */
#define MOVE_STEP 8

/* A key deleted from the old table before it moved: keeps the probe chains through it whole. */
static char tombstone[1];

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void strmap_init(struct strmap *m)
{
    memset(m, 0, sizeof *m);
}

void strmap_init_borrowed(struct strmap *m)
{
    strmap_init(m);
    m->borrowed = 1;
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap && !m->borrowed; i++)
        free(m->slots[i].key);
    for (size_t i = m->moved; i < m->oldcap && !m->borrowed; i++)
        if (m->old[i].key != tombstone)
            free(m->old[i].key);
    cx_table_free(m->slots, m->cap * sizeof *m->slots);
    cx_table_free(m->old, m->oldcap * sizeof *m->old);
    int borrowed = m->borrowed;
    strmap_init(m);
    m->borrowed = borrowed;
}

/* Slot of the new table holding key (of hash h), or -1. */
static long find(const struct strmap *m, const char *key, uint64_t h)
{
    if (!m->cap)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const char *k = m->slots[i].key;
        if (!k)
            return -1;
        if (m->slots[i].hash == h && strcmp(k, key) == 0)
            return (long)i;
    }
}

/* Slot of the old table holding key, not yet moved, or -1. A moved slot is passed over
 * unread: its key lives on in the new table (where find looked first) or was deleted. */
static long find_old(const struct strmap *m, const char *key, uint64_t h)
{
    if (!m->old)
        return -1;
    size_t mask = m->oldcap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const char *k = m->old[i].key;
        if (!k)
            return -1;
        if (i >= m->moved && k != tombstone && m->old[i].hash == h && strcmp(k, key) == 0)
            return (long)i;
    }
}

/* Put a slot known to be absent into the new table (which has room). */
static void place(struct strmap *m, struct strmap_slot s)
{
    size_t mask = m->cap - 1, i = s.hash & mask;
    while (m->slots[i].key)
        i = (i + 1) & mask;
    m->slots[i] = s;
}

/* Bytes of a new table faulted in per put or delete (cx_table_prefault): a 96 MB table is in
 * after some 400 operations, long before the old table has moved. */
#define PREFAULT_STEP (256u << 10)

/* Move up to n old slots into the new table; the old table goes once all have moved. */
static void move_some(struct strmap *m, size_t n)
{
    if (m->prefaulted < m->cap * sizeof *m->slots)
        cx_table_prefault(m->slots, m->cap * sizeof *m->slots, &m->prefaulted, PREFAULT_STEP);
    for (; m->old && n > 0; n--) {
        struct strmap_slot s = m->old[m->moved++];
        if (s.key && s.key != tombstone)
            place(m, s);
        if (m->moved == m->oldcap) {
            cx_table_free(m->old, m->oldcap * sizeof *m->old);
            m->old = NULL;
            m->oldcap = m->moved = 0;
        }
    }
}

/* Start growing: a new table for count + 1 keys at most half full; the old one moves over. */
static int grow(struct strmap *m)
{
    move_some(m, m->oldcap); /* a grow still under way finishes first (it never should) */
    size_t cap = m->cap ? m->cap : 16;
    while ((m->count + 1) * 2 > cap)
        cap *= 2;
    struct strmap_slot *slots = cx_table_alloc(cap * sizeof *slots);
    if (!slots)
        return -1;
    if (m->cap) {
        m->old = m->slots;
        m->oldcap = m->cap;
        m->moved = 0;
    }
    m->slots = slots;
    m->cap = cap;
    m->prefaulted = 0;
    return 0;
}

int strmap_put(struct strmap *m, const char *key, int64_t value)
{
    uint64_t h = hash(key);
    long at = find(m, key, h);
    if (at >= 0) {
        m->slots[at].value = value;
        return 0;
    }
    if ((at = find_old(m, key, h)) >= 0) {
        m->old[at].value = value; /* it moves with its new value */
        return 0;
    }
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    char *copy = m->borrowed ? (char *)(uintptr_t)key : strdup(key);
    if (!copy)
        return -1;
    place(m, (struct strmap_slot){copy, value, h});
    m->count++;
    move_some(m, MOVE_STEP);
    return 0;
}

int strmap_get(const struct strmap *m, const char *key, int64_t *value)
{
    uint64_t h = hash(key);
    long at = find(m, key, h);
    const struct strmap_slot *s = at >= 0 ? &m->slots[at] : NULL;
    if (!s && (at = find_old(m, key, h)) >= 0)
        s = &m->old[at];
    if (!s)
        return 0;
    if (value)
        *value = s->value;
    return 1;
}

/* Remove from the new table by shifting back the entries after it that may move (linear
 * probing's deletion without tombstones): a map that keys come and go through keeps its size
 * and never fills up with dead slots that force a rehash. */
static void remove_at(struct strmap *m, size_t hole)
{
    size_t mask = m->cap - 1;
    for (size_t j = (hole + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t home = m->slots[j].hash & mask;
        int movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (movable) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].key = NULL;
}

int strmap_del(struct strmap *m, const char *key)
{
    uint64_t h = hash(key);
    long at = find(m, key, h);
    if (at >= 0) {
        if (!m->borrowed)
            free(m->slots[at].key);
        remove_at(m, (size_t)at);
    } else if ((at = find_old(m, key, h)) >= 0) {
        if (!m->borrowed)
            free(m->old[at].key);
        m->old[at].key = tombstone; /* the old table only shrinks by moving: chains stay */
    } else {
        return 0;
    }
    m->count--;
    move_some(m, MOVE_STEP);
    return 1;
}
