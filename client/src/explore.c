/* explore.c - see explore.h */
#include "explore.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "prng.h"
#include "strmap.h"

#define MAX_RELEASES RUN_MAX_ORDERS
#define MAX_RACERS   64

/* One release the probe run saw: barrier NAME's generation GEN, of N racers. */
struct release {
    char name[128];
    long gen;
    int n;
};

struct space {
    struct release r[MAX_RELEASES];
    size_t n;
    uint64_t total; /* assignments of orders: the product of the n! (UINT64_MAX: more) */
};

typedef int perms_t[MAX_RELEASES][MAX_RACERS];

static uint64_t times_saturating(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static uint64_t factorial(int n)
{
    uint64_t f = 1;
    for (int i = 2; i <= n; i++)
        f = times_saturating(f, (uint64_t)i);
    return f;
}

/* The releases of a run's summary.json (its "races"). 0, or -1 with why on stderr. */
static int space_of(const json_t *summary, const char *scenario, struct space *sp)
{
    const json_t *races = json_object_get(summary, "races");
    memset(sp, 0, sizeof *sp);
    sp->total = 1;
    if (!json_is_array(races)) {
        fprintf(stderr,
                "cxload explore: %s: its users do not take turns, so its interleavings cannot be "
                "chosen: explore needs \"clock\": \"manual\" and a closed load\n",
                scenario);
        return -1;
    }
    if (json_array_size(races) == 0) {
        fprintf(stderr,
                "cxload explore: %s: no barrier was released, so there is no race to "
                "explore\n",
                scenario);
        return -1;
    }
    size_t i;
    const json_t *r;
    json_array_foreach(races, i, r)
    {
        int n = (int)json_array_size(json_object_get(r, "users"));
        if (sp->n == MAX_RELEASES || n > MAX_RACERS) {
            fprintf(stderr, "cxload explore: %s: more than %d releases or %d racers in one\n",
                    scenario, MAX_RELEASES, MAX_RACERS);
            return -1;
        }
        struct release *x = &sp->r[sp->n++];
        const char *name = json_string_value(json_object_get(r, "barrier"));
        snprintf(x->name, sizeof x->name, "%s", name ? name : "?");
        x->gen = (long)json_integer_value(json_object_get(r, "generation"));
        x->n = n;
        sp->total = times_saturating(sp->total, factorial(n));
    }
    return 0;
}

/* Assignment M of the exhaustive search: each release's permutation, by its index in
 * lexicographic order (a mixed-radix digit of M, decoded as a Lehmer code). */
static void decode(uint64_t m, const struct space *sp, perms_t perms)
{
    for (size_t k = 0; k < sp->n; k++) {
        int n = sp->r[k].n, left[MAX_RACERS];
        uint64_t f = factorial(n), digit = m % f;
        m /= f;
        for (int i = 0; i < n; i++)
            left[i] = i;
        for (int i = 0; i < n; i++) {
            f /= (uint64_t)(n - i);
            int j = (int)(digit / f);
            digit %= f;
            perms[k][i] = left[j];
            memmove(&left[j], &left[j + 1], (size_t)(n - i - j - 1) * sizeof *left);
        }
    }
}

/* A sampled assignment: each release's order a uniformly random permutation (the random
 * priorities of probabilistic concurrency testing). */
static void sample(uint64_t *rng, const struct space *sp, perms_t perms)
{
    for (size_t k = 0; k < sp->n; k++) {
        int n = sp->r[k].n;
        for (int i = 0; i < n; i++)
            perms[k][i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int)(cx_splitmix64(rng) % (uint64_t)(i + 1)), x = perms[k][i];
            perms[k][i] = perms[k][j];
            perms[k][j] = x;
        }
    }
}

/* The --order spec of release K ("ring#0=1,0") into BUF. */
static void spec_of(const struct space *sp, const perms_t perms, size_t k, char *buf, size_t size)
{
    int at = snprintf(buf, size, "%s#%ld=", sp->r[k].name, sp->r[k].gen);
    for (int i = 0; i < sp->r[k].n && at > 0 && (size_t)at < size; i++)
        at += snprintf(buf + at, size - (size_t)at, "%s%d", i ? "," : "", perms[k][i]);
}

/* Every release's spec, separated by spaces, into BUF (the assignment's name). */
static void specs_of(const struct space *sp, const perms_t perms, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < sp->n && at + 1 < size; k++) {
        if (k)
            buf[at++] = ' ';
        spec_of(sp, perms, k, buf + at, size - at);
        at += strlen(buf + at);
    }
}

static json_t *load_summary(const char *dir)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    return json_load_file(path, 0, NULL);
}

/* The violations found in SUMMARY: {NAME: {rule, count, what (its first example)}}. */
static json_t *found(const json_t *summary)
{
    json_t *out = json_object();
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(summary, "violations"), name, v)
    {
        json_int_t count = json_integer_value(json_object_get(v, "count"));
        if (count <= 0)
            continue;
        const json_t *ex = json_array_get(json_object_get(v, "examples"), 0);
        const char *what = json_string_value(json_object_get(ex, "what"));
        json_object_set_new(out, name,
                            json_pack("{sO sI ss}", "rule", json_object_get(v, "rule"), "count",
                                      count, "what", what ? what : ""));
    }
    return out;
}

/* The command that replays the run of SPECS exactly. */
static char *replay_of(const struct explore_opts *o, uint64_t seed, const char *specs)
{
    char *cmd = NULL, *dup = strdup(specs), *save = NULL;
    size_t len = 0;
    FILE *f = dup ? open_memstream(&cmd, &len) : NULL;
    if (!f) {
        free(dup);
        return NULL;
    }
    fprintf(f, "cxload run %s --seed %llu", o->run.scenario, (unsigned long long)seed);
    for (char *s = strtok_r(dup, " ", &save); s; s = strtok_r(NULL, " ", &save))
        fprintf(f, " --order %s", s);
    fclose(f);
    free(dup);
    return cmd;
}

/* Run assignment SPECS into DIR; its row of the index, or NULL if it could not run. */
static json_t *run_order(const struct explore_opts *o, uint64_t seed, const struct space *sp,
                         const perms_t perms, const char *dir, const char *specs, int *rc)
{
    struct run_opts ro = o->run;
    ro.out = dir;
    ro.silent = 1;
    ro.quiet = 1;
    ro.norders = 0;
    for (size_t k = 0; k < sp->n; k++) {
        char spec[512];
        struct cx_error err;
        spec_of(sp, perms, k, spec, sizeof spec);
        if (turn_order_parse(spec, &ro.orders[ro.norders++], &err) < 0) {
            fprintf(stderr, "cxload explore: %s\n", err.text);
            return NULL;
        }
    }
    *rc = run_scenario(&ro);
    json_t *s = load_summary(dir);
    char *replay = replay_of(o, seed, specs);
    json_t *row = json_pack("{ss ss si so ss*}", "dir", dir, "orders", specs, "exitCode", *rc,
                            "violations", s ? found(s) : json_object(), "replay", replay);
    free(replay);
    json_decref(s);
    return row;
}

/* One line of the table (and the violations' examples under it). */
static void print_row(size_t i, const json_t *row)
{
    const json_t *vs = json_object_get(row, "violations");
    int rc = (int)json_integer_value(json_object_get(row, "exitCode"));
    const char *verdict = json_object_size(vs)  ? "violated"
                          : rc == 0 || rc == 99 ? "clean"
                                                : "not run";
    printf("%4zu  %-24s  %-8s  %s\n", i + 1, json_string_value(json_object_get(row, "orders")),
           verdict, json_string_value(json_object_get(row, "replay")));
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)vs, name, v)
        printf("        %s (%s) x%lld: %s\n", name, json_string_value(json_object_get(v, "rule")),
               (long long)json_integer_value(json_object_get(v, "count")),
               json_string_value(json_object_get(v, "what")));
}

static int make_dir(const char *path)
{
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* The probe: the scenario once, with its seed, to learn its releases. */
static int probe(const struct explore_opts *o, struct space *sp, uint64_t *seed)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/seeded", o->run.out);
    struct run_opts ro = o->run;
    ro.out = dir;
    ro.silent = ro.quiet = 1;
    int rc = run_scenario(&ro);
    json_t *s = load_summary(dir);
    if (!s) {
        fprintf(stderr, "cxload explore: the seeded run of %s did not finish (exit %d)\n",
                o->run.scenario, rc);
        return rc ? rc : EXIT_USAGE;
    }
    int ok = space_of(s, o->run.scenario, sp);
    *seed = (uint64_t)json_integer_value(json_object_get(s, "seed"));
    json_decref(s);
    return ok < 0 ? EXIT_USAGE : EXIT_HELD;
}

/* The chance that a bug needing D given racers in one order shows in N uniform samples. */
static double found_with(int d, long n)
{
    return 1.0 - pow(1.0 - 1.0 / (double)factorial(d), (double)n);
}

static void print_plan(const struct explore_opts *o, const struct space *sp, uint64_t seed,
                       int exhaustive, long n)
{
    printf("explore %s (seed %llu): %zu release%s", o->run.scenario, (unsigned long long)seed,
           sp->n, sp->n == 1 ? "" : "s");
    for (size_t k = 0; k < sp->n; k++)
        printf("%s %s#%ld of %d racers", k ? "," : ":", sp->r[k].name, sp->r[k].gen, sp->r[k].n);
    if (exhaustive)
        printf("\nevery order: %ld run%s\n\n", n, n == 1 ? "" : "s");
    else
        printf("\n%s orders, more than --max-orders %ld: %ld uniform samples (PCT); a bug "
               "needing 2 given racers in one order is found with probability %.4f, 3 racers "
               "%.4f\n\n",
               sp->total == UINT64_MAX ? "over 1.8e19" : "many", o->max_orders, n, found_with(2, n),
               found_with(3, n));
    printf("   #  order                     verdict   replay\n");
}

/* The next assignment to run: the M-th of the search, or a sample not run before. 0 when
 * there is none. */
static int next_assignment(int exhaustive, uint64_t m, uint64_t *rng, const struct space *sp,
                           struct strmap *seen, perms_t perms, char *specs, size_t size)
{
    if (exhaustive) {
        decode(m, sp, perms);
        specs_of(sp, perms, specs, size);
        return 1;
    }
    for (int tries = 0; tries < 1000; tries++) {
        sample(rng, sp, perms);
        specs_of(sp, perms, specs, size);
        if (!strmap_get(seen, specs, NULL))
            return strmap_put(seen, specs, 1) == 0;
    }
    return 0;
}

static int write_index(const struct explore_opts *o, json_t *index)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/explore.json", o->run.out);
    if (json_dump_file(index, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0)
        return 0;
    fprintf(stderr, "cxload explore: %s: cannot write the index: %s\n", path, strerror(errno));
    return -1;
}

int explore_scenario(const struct explore_opts *o)
{
    struct space sp;
    uint64_t seed = 0;
    if (make_dir(o->run.out) < 0) {
        fprintf(stderr, "cxload explore: %s: %s\n", o->run.out, strerror(errno));
        return EXIT_USAGE;
    }
    int rc = probe(o, &sp, &seed);
    if (rc != EXIT_HELD)
        return rc;
    int exhaustive = sp.total <= (uint64_t)o->max_orders;
    long n = exhaustive ? (long)sp.total : o->max_orders;
    print_plan(o, &sp, seed, exhaustive, n);
    json_t *rows = json_array();
    struct strmap seen;
    strmap_init(&seen);
    uint64_t rng = seed ^ 0x5eed0fe7c0ffee11ULL;
    int violated = 0, failed = 0;
    perms_t perms;
    char specs[4096], dir[4200];
    for (long i = 0; i < n && !run_interrupted(); i++) {
        if (!next_assignment(exhaustive, (uint64_t)i, &rng, &sp, &seen, perms, specs, sizeof specs))
            break; /* fewer distinct samples than asked for */
        snprintf(dir, sizeof dir, "%s/order-%03ld", o->run.out, i + 1);
        int orc = EXIT_USAGE;
        json_t *row = run_order(o, seed, &sp, perms, dir, specs, &orc);
        if (!row)
            return strmap_free(&seen), json_decref(rows), EXIT_USAGE;
        print_row((size_t)i, row);
        fflush(stdout);
        violated += json_object_size(json_object_get(row, "violations")) > 0;
        failed += orc != EXIT_HELD && orc != EXIT_FAILED;
        json_array_append_new(rows, row);
    }
    strmap_free(&seen);
    size_t ran = json_array_size(rows);
    json_int_t total = sp.total > (uint64_t)INT64_MAX ? -1 : (json_int_t)sp.total; /* -1: more */
    json_t *index = json_pack("{ss sI sb sI sI sI so}", "scenario", o->run.scenario, "seed",
                              (json_int_t)seed, "exhaustive", exhaustive, "orders", total, "ran",
                              (json_int_t)ran, "violating", (json_int_t)violated, "runs", rows);
    int wrote = write_index(o, index);
    json_decref(index);
    printf("\n%d of %zu order%s violated%s; runs in %s/order-*, index %s/explore.json\n"
           "(cxreport suite %s/order-*/ --html %s/index.html renders them)\n",
           violated, ran, ran == 1 ? "" : "s", run_interrupted() ? " (interrupted)" : "",
           o->run.out, o->run.out, o->run.out, o->run.out);
    if (violated)
        return EXIT_FAILED;
    return failed || wrote < 0 || run_interrupted() ? EXIT_USAGE : EXIT_HELD;
}
