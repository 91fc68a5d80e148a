/* turns.c - see turns.h */
#include "turns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "loop.h"
#include "prng.h"

int turn_order_parse(const char *spec, struct turn_order *o, struct cx_error *err)
{
    memset(o, 0, sizeof *o);
    o->gen = -1;
    const char *eq = strchr(spec, '='), *hash = strchr(spec, '#');
    if (hash && eq && hash > eq)
        hash = NULL;
    size_t nl = (size_t)((hash ? hash : eq ? eq : spec) - spec);
    if (!eq || nl == 0 || nl >= sizeof o->name)
        return cx_error_set(
            err, "--order %s: expected BARRIER=I,J,... or BARRIER#GENERATION=I,J,...", spec);
    memcpy(o->name, spec, nl);
    if (hash) {
        char *end;
        o->gen = strtol(hash + 1, &end, 10);
        if (end == hash + 1 || end != eq || o->gen < 0)
            return cx_error_set(err, "--order %s: the generation after '#' is a number from 0",
                                spec);
    }
    int seen[64] = {0};
    for (const char *p = eq + 1;; p++) {
        char *end;
        long r = strtol(p, &end, 10);
        if (end == p || r < 0 || r >= 64 || o->n == 64 || seen[r])
            return cx_error_set(
                err, "--order %s: expected distinct ranks 0..63 separated by commas", spec);
        seen[r] = 1;
        o->order[o->n++] = (int)r;
        p = end;
        if (*p == '\0')
            break;
        if (*p != ',')
            return cx_error_set(err, "--order %s: expected ',' between ranks", spec);
    }
    for (int i = 0; i < o->n; i++)
        if (!seen[i])
            return cx_error_set(err, "--order %s: the ranks are 0..%d, each once", spec, o->n - 1);
    return 0;
}

int turns_init(struct turns *t, int n, int base, const int *thread_of, char *const *names,
               const int *counts, size_t nb, uint64_t seed, const struct turn_order *orders,
               size_t norders, atomic_int *wake_fds)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    t->base = base;
    t->thread_of = thread_of;
    t->seed = seed;
    t->orders = orders;
    t->norders = norders;
    t->wake_fds = wake_fds;
    t->ring = calloc((size_t)n + 1, sizeof *t->ring);
    t->rank = calloc((size_t)n + 1, sizeof *t->rank);
    t->released = calloc((size_t)n + 1, sizeof *t->released);
    t->barriers = calloc(nb + 1, sizeof *t->barriers);
    t->log = json_array();
    if (!t->ring || !t->rank || !t->released || !t->barriers || !t->log)
        return -1;
    t->nbarriers = nb;
    for (size_t b = 0; b < nb; b++) {
        t->barriers[b].name = names[b];
        t->barriers[b].count = counts[b];
        if (!(t->barriers[b].waiting = calloc((size_t)counts[b], sizeof(int))))
            return -1;
    }
    for (int i = 0; i < n; i++) {
        t->ring[i] = i;
        t->released[i] = -1;
    }
    t->len = n;
    atomic_init(&t->holder, n > 0 ? 0 : -1);
    atomic_init(&t->stalled, 0);
    return 0;
}

void turns_free(struct turns *t)
{
    for (size_t b = 0; t->barriers && b < t->nbarriers; b++)
        free(t->barriers[b].waiting);
    free(t->barriers);
    free(t->ring);
    free(t->rank);
    free(t->released);
    json_decref(t->log);
    memset(t, 0, sizeof *t);
}

static void wake(struct turns *t, int thread)
{
    int fd = atomic_load(&t->wake_fds[thread]);
    if (fd >= 0)
        loop_poke(fd);
}

/* The turn goes to ring[pos]; with the rotation empty and users at a barrier, it stalls. */
static void publish(struct turns *t)
{
    int h = t->len ? t->ring[t->pos] : -1;
    int waiting = 0;
    for (size_t b = 0; b < t->nbarriers; b++)
        waiting += t->barriers[b].nwaiting;
    if (h < 0 && waiting)
        atomic_store(&t->stalled, 1);
    atomic_store_explicit(&t->holder, h, memory_order_release);
    if (h >= 0) {
        wake(t, t->thread_of[h]);
    } else if (waiting) {
        int last = -1; /* every thread with a waiting user (threads ascend with indices) */
        for (int u = 0; u < t->n; u++)
            if (t->thread_of[u] != last)
                wake(t, last = t->thread_of[u]);
    }
}

/* Take ring[pos] out of the rotation; pos then names the next. */
static void remove_current(struct turns *t)
{
    memmove(&t->ring[t->pos], &t->ring[t->pos + 1], (size_t)(t->len - t->pos - 1) * sizeof(int));
    t->len--;
    if (t->pos >= t->len)
        t->pos = 0;
}

void turns_pass(struct turns *t, int u, int leave)
{
    (void)u; /* ring[pos] == u: only the holder passes */
    if (leave)
        remove_current(t);
    else if (t->len)
        t->pos = (t->pos + 1) % t->len;
    publish(t);
}

static uint64_t fnv1a(const char *s)
{
    return cx_fnv1a64(s, strlen(s));
}

static const struct turn_order *given_order(const struct turns *t, const char *name, long gen)
{
    const struct turn_order *any = NULL;
    for (size_t i = 0; i < t->norders; i++)
        if (strcmp(t->orders[i].name, name) == 0) {
            if (t->orders[i].gen == gen)
                return &t->orders[i];
            if (t->orders[i].gen < 0)
                any = &t->orders[i];
        }
    return any;
}

int turns_release_order(struct turns *t, size_t b, long gen, int n, int *order)
{
    const char *name = t->barriers[b].name;
    for (int i = 0; i < n; i++)
        order[i] = i;
    const struct turn_order *o = given_order(t, name, gen);
    if (o && o->n != n) {
        cx_error_set(&t->error,
                     "--order %s: barrier \"%s\" releases %d racers (generation %ld), not %d", name,
                     name, n, gen, o->n);
        return -1;
    }
    if (o) {
        memcpy(order, o->order, (size_t)n * sizeof *order);
        return 0;
    }
    /* Fisher-Yates on a stream of the seed, the barrier's name and the generation */
    uint64_t s = t->seed ^ fnv1a(name) ^ ((uint64_t)gen + 1) * 0x9e3779b97f4a7c15ULL;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(cx_splitmix64(&s) % (uint64_t)(i + 1));
        int x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    return 0;
}

static int by_index(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Barrier B's generation is full: its racers go back into the rotation at pos, in their
 * release order, and the release is logged. */
static void release(struct turns *t, size_t b)
{
    struct turn_barrier *tb = &t->barriers[b];
    int n = tb->nwaiting, order[64], racers[64];
    memcpy(racers, tb->waiting, (size_t)n * sizeof *racers);
    qsort(racers, (size_t)n, sizeof *racers, by_index);
    if (n > 64 || turns_release_order(t, b, tb->gen, n, order) < 0)
        for (int i = 0; i < n; i++)
            order[i] = i; /* the run fails (t->error); the racers still go, in user order */
    memmove(&t->ring[t->pos + n], &t->ring[t->pos], (size_t)(t->len - t->pos) * sizeof(int));
    json_t *globals = json_array(), *ranks = json_array();
    for (int k = 0; k < n; k++) {
        int u = racers[order[k]];
        t->ring[t->pos + k] = u;
        t->rank[u] = k;
        t->released[u] = tb->gen;
        json_array_append_new(globals, json_integer(t->base + u));
        json_array_append_new(ranks, json_integer(order[k]));
    }
    t->len += n;
    json_array_append_new(t->log, json_pack("{ss sI so so}", "barrier", tb->name, "generation",
                                            (json_int_t)tb->gen, "users", globals, "order", ranks));
    tb->nwaiting = 0;
    tb->gen++;
}

long turns_arrive(struct turns *t, int u, size_t b)
{
    struct turn_barrier *tb = &t->barriers[b];
    long gen = tb->gen;
    tb->waiting[tb->nwaiting++] = u;
    t->released[u] = -1;
    remove_current(t);
    if (tb->nwaiting == tb->count)
        release(t, b);
    publish(t);
    return gen;
}
