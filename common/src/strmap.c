/* strmap.c - see strmap.h */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

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
    free(m->slots);
    int borrowed = m->borrowed;
    strmap_init(m);
    m->borrowed = borrowed;
}

/* Slot holding key (of hash h), or -1. */
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

static int grow(struct strmap *m)
{
    size_t cap = m->cap ? m->cap : 16;
    while ((m->count + 1) * 2 > cap)
        cap *= 2;
    struct strmap_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        char *k = m->slots[i].key;
        if (!k)
            continue;
        size_t j = m->slots[i].hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
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
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
        return -1;
    char *copy = m->borrowed ? (char *)(uintptr_t)key : strdup(key);
    if (!copy)
        return -1;
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i].key)
        i = (i + 1) & mask;
    m->slots[i] = (struct strmap_slot){copy, value, h};
    m->count++;
    return 0;
}

int strmap_get(const struct strmap *m, const char *key, int64_t *value)
{
    long at = find(m, key, hash(key));
    if (at < 0)
        return 0;
    if (value)
        *value = m->slots[at].value;
    return 1;
}

/* Remove by shifting back the entries after it that may move (linear probing's deletion
 * without tombstones): a map that keys come and go through keeps its size and never fills up
 * with dead slots that force a rehash. */
int strmap_del(struct strmap *m, const char *key)
{
    long at = find(m, key, hash(key));
    if (at < 0)
        return 0;
    if (!m->borrowed)
        free(m->slots[at].key);
    size_t mask = m->cap - 1, hole = (size_t)at;
    for (size_t j = (hole + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t home = m->slots[j].hash & mask;
        int movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (movable) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].key = NULL;
    m->count--;
    return 1;
}
