/* plan.c - see plan.h */
#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int plan_load(const struct run_opts *o, struct plan *p, struct cx_error *err)
{
    memset(p, 0, sizeof *p);
    return scn_load(o->scenario, &p->scn, err) < 0 ? -1 : 0;
}

static size_t count_all(const struct scn_step *st, size_t n)
{
    size_t c = n;
    for (size_t i = 0; i < n; i++)
        if (st[i].kind == SCN_IF)
            c +=
                count_all(st[i].then_steps, st[i].nthen) + count_all(st[i].else_steps, st[i].nelse);
    return c;
}

size_t plan_count_steps(const struct scenario *scn)
{
    return count_all(scn->setup, scn->nsetup) + count_all(scn->steps, scn->nsteps);
}

/* The environment, then KEY=VALUE lines of FILE (# comments) over it, FILE's names also into
 * FILE_NAMES (values true). NULL with why in err. */
static json_t *load_env(const char *file, json_t *file_names, struct cx_error *err)
{
    json_t *env = json_object();
    for (char **e = environ; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        char name[256];
        size_t n = (size_t)(eq - *e);
        if (n >= sizeof name)
            continue;
        memcpy(name, *e, n);
        name[n] = '\0';
        json_object_set_new(env, name, json_string(eq + 1));
    }
    if (!file)
        return env;
    FILE *f = fopen(file, "r");
    if (!f) {
        cx_error_at(err, file, -1, -1, "", "%s", strerror(errno));
        json_decref(env);
        return NULL;
    }
    char line[8192];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        if (strncmp(p, "export ", 7) == 0)
            p += 7;
        char *eq = strchr(p, '=');
        if (!eq || eq == p) {
            /* never echo the line: it may hold a secret */
            cx_error_at(err, file, lineno, 1, "", "expected NAME=VALUE");
            fclose(f);
            json_decref(env);
            return NULL;
        }
        *eq = '\0';
        char *val = eq + 1;
        size_t vl = strlen(val);
        if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
            val[vl - 1] = '\0';
            val++;
        }
        json_object_set_new(env, p, json_string(val));
        json_object_set_new(file_names, p, json_true());
        memset(line, 0, sizeof line);
    }
    fclose(f);
    return env;
}

/* An override the scenario's load cannot take: refused, not ignored. A ramping load's stages
 * set its rates and its length, and a closed load has no arrival rate. NULL if none. */
static const char *unfit_override(const struct run_opts *o, const struct scenario *scn)
{
    if (o->rate > 0 && scn->load.model == SCN_CLOSED)
        return "--rate: the scenario's load is closed (virtual users loop, with no arrival "
               "rate); --rate applies to an open load";
    if (o->rate > 0 && scn->load.model == SCN_RAMPING)
        return "--rate: the scenario's load is ramping (its stages set the rate); --rate applies "
               "to an open load";
    if (o->duration_us > 0 && scn->load.model == SCN_RAMPING)
        return "--duration: the scenario's load is ramping (its stages set the duration); "
               "--duration applies to closed and open loads";
    return NULL;
}

static void apply_overrides(const struct run_opts *o, struct scenario *scn)
{
    if (o->vus > 0)
        scn->load.vus = o->vus;
    if (o->duration_us > 0) {
        scn->load.duration_us = o->duration_us;
        if (scn->load.model == SCN_CLOSED)
            scn->load.iterations = 0;
    }
    if (o->rate > 0)
        scn->load.rate = o->rate;
    if (o->rate_cap > 0)
        scn->policy.rate_cap = o->rate_cap;
}

/* Every barrier can fill: its count of users is at most what this process runs at once (its
 * shard's share of the load's users), or its race could never happen. 0, or -1 with why. */
static int barriers_can_fill(const struct run_opts *o, const struct scenario *scn,
                             struct cx_error *err)
{
    int nshards = o->nshards > 1 ? o->nshards : 1, shard = nshards > 1 ? o->shard : 0;
    int users = scn->load.vus / nshards + (shard < scn->load.vus % nshards);
    for (size_t i = 0; i < scn->nbarriers; i++) {
        int need = scn->barrier_counts[i];
        if (need <= users)
            continue;
        if (nshards > 1)
            return cx_error_set(err,
                                "%s: barrier \"%s\" waits for %d virtual users, but shard %d/%d "
                                "runs %d of the load's %d, so its race can never happen here: "
                                "run it unsharded, or give the load at least %d (--vus)",
                                scn->path, scn->barriers[i], need, shard, nshards, users,
                                scn->load.vus, need * nshards);
        return cx_error_set(err,
                            "%s: barrier \"%s\" waits for %d virtual users, but the load runs %d "
                            "at once (--vus), so its race can never happen",
                            scn->path, scn->barriers[i], need, users);
    }
    return 0;
}

/* Every --order names a barrier of the scenario, with as many ranks as it has racers, and the
 * users take turns (the manual clock, a closed load): else it could order nothing. */
static int orders_fit(const struct run_opts *o, const struct scenario *scn, struct cx_error *err)
{
    int turns = scn->clock && strcmp(scn->clock, "manual") == 0 && scn->load.model == SCN_CLOSED;
    for (size_t i = 0; i < o->norders; i++) {
        const struct turn_order *t = &o->orders[i];
        if (!turns)
            return cx_error_set(err,
                                "--order %s: the users of %s do not take turns (that needs "
                                "\"clock\": \"manual\" and a closed load), so there is no "
                                "release order to choose",
                                t->name, scn->path);
        size_t b = 0;
        while (b < scn->nbarriers && strcmp(scn->barriers[b], t->name) != 0)
            b++;
        if (b == scn->nbarriers)
            return cx_error_set(err, "--order %s: %s has no barrier \"%s\"", t->name, scn->path,
                                t->name);
        if (t->n != scn->barrier_counts[b])
            return cx_error_set(err,
                                "--order %s: barrier \"%s\" releases %d racers, so its order has "
                                "%d ranks (0..%d), not %d",
                                t->name, t->name, scn->barrier_counts[b], scn->barrier_counts[b],
                                scn->barrier_counts[b] - 1, t->n);
    }
    return 0;
}

/* A barrier's users go at once only if each thread has a connection for every one of them it
 * may hold (its users, at most the barrier's count): with fewer, the pool would send them one
 * after another and the race would silently not happen. (Users taking turns on the manual
 * clock, a closed load, send one at a time anyway: the mock's clock orders the race.) 0, or -1
 * with why. */
static int barriers_have_connections(const struct run_opts *o, const struct plan *p,
                                     struct cx_error *err)
{
    const struct scenario *scn = p->scn;
    if (scn->clock && strcmp(scn->clock, "manual") == 0 && scn->load.model == SCN_CLOSED)
        return 0;
    int conns = plan_connections(o, p), threads = plan_threads(o, p);
    int vus = p->scn->load.vus / (o->nshards > 1 ? o->nshards : 1);
    for (size_t i = 0; i < scn->nbarriers; i++) {
        for (int t = 0; t < threads; t++) {
            int mine = vus / threads + (t < vus % threads);
            int have = conns / threads + (t < conns % threads);
            int need = scn->barrier_counts[i] < mine ? scn->barrier_counts[i] : mine;
            if (have < need)
                return cx_error_set(
                    err,
                    "%s: barrier \"%s\" releases %d virtual users at once, but with %d "
                    "connections on %d threads a thread has %d for %d of them, so they would "
                    "go one after another and the race would not happen: give connections at "
                    "least %d (--connections)",
                    scn->path, scn->barriers[i], scn->barrier_counts[i], conns, threads, have, need,
                    need * threads);
        }
    }
    return 0;
}

int plan_shape(const struct run_opts *o, struct plan *p, struct cx_error *err)
{
    struct scenario *scn = p->scn;
    const char *unfit = unfit_override(o, scn);
    if (unfit) {
        cx_error_set(err, "%s: %s", o->scenario, unfit);
        return -1;
    }
    apply_overrides(o, scn);
    if (barriers_can_fill(o, scn, err) < 0 || orders_fit(o, scn, err) < 0 ||
        barriers_have_connections(o, p, err) < 0)
        return -1;
    if (scn->nbarriers && scn->clock && strcmp(scn->clock, "manual") == 0 &&
        scn->load.model != SCN_CLOSED)
        fprintf(stderr,
                "cxload: note: %s: an open or ramping load's arrivals come by the wall "
                "clock, so its users do not take turns and its races are not replayed "
                "exactly (give a race a closed load)\n",
                scn->path);
    return 0;
}

int plan_settle(const struct run_opts *o, struct plan *p, struct cx_error *err)
{
    struct scenario *scn = p->scn;
    if (plan_shape(o, p, err) < 0)
        return -1;
    if (!(p->env_file_names = json_object()) ||
        !(p->env = load_env(o->env_file, p->env_file_names, err)))
        return -1;
    const char *ref;
    const json_t *yes;
    json_object_foreach(scn->env_refs, ref, yes)
    {
        if (!json_object_get(p->env, ref)) {
            cx_error_set(err,
                         "%s uses ${env.%s}, which is not set: export it or give it in --env FILE",
                         scn->path, ref);
            return -1;
        }
    }
    /* every value of --env FILE and of the environment's variables the scenario uses: shown
     * as «env:NAME» wherever the run records or prints it (redact.h) */
    if (redact_init(&p->redact, p->env, p->env_file_names, scn->env_refs) < 0)
        return cx_error_set(err, "out of memory");
    p->seed = o->seed >= 0 ? (uint64_t)o->seed : scn->seed >= 0 ? (uint64_t)scn->seed : 1;
    return 0;
}

/* This process's share of N among the run's shards (as the users are shared). */
static int shard_share(const struct run_opts *o, int n)
{
    int nshards = o->nshards > 1 ? o->nshards : 1, shard = nshards > 1 ? o->shard : 0;
    return n / nshards + (shard < n % nshards);
}

/* The shard's share of the connections asked for (at least 1), or 0 if none were. */
static int asked_connections(const struct run_opts *o, const struct plan *p)
{
    int asked = o->connections > 0 ? o->connections : p->scn->connections;
    int n = asked > 0 ? shard_share(o, asked) : 0;
    return asked > 0 && n < 1 ? 1 : n;
}

int plan_threads(const struct run_opts *o, const struct plan *p)
{
    int threads = o->threads > 0 ? o->threads : 2;
    int vus = shard_share(o, p->scn->load.vus), asked = asked_connections(o, p);
    if (vus < threads)
        threads = vus > 0 ? vus : 1;
    if (asked > 0 && asked < threads)
        threads = asked;
    return threads;
}

int plan_connections(const struct run_opts *o, const struct plan *p)
{
    int asked = asked_connections(o, p), vus = shard_share(o, p->scn->load.vus);
    int n = asked > 0 ? asked : PLAN_CONNECTIONS_PER_THREAD * plan_threads(o, p);
    if (n > vus)
        n = vus;
    return n > 0 ? n : 1;
}

void plan_free(struct plan *p)
{
    json_decref(p->env);
    json_decref(p->env_file_names);
    redact_free(&p->redact);
    scn_free(p->scn);
    memset(p, 0, sizeof *p);
}
