/* checks_scale.c - how the violation checks (checks.c) grow with the size of a run's history.
 *
 * Builds histories of N records in the shapes that made the checks quadratic before they were
 * linked once (link_records): acts with no accept to find, priority changes, 401s on tokens,
 * spread over many subjects, users and client ids, shuffled as the threads' histories arrive,
 * and times checks_run on each. The baseline is the bare sort of the same records by completion
 * time, which checks_run does first. Prints one line per N: milliseconds, nanoseconds per record
 * (flat = O(n), slowly rising = O(n log n), growing with N = quadratic) and the ratio to the
 * sort. Usage: cxjudge-checks-scale [N...] (default 10000 100000 1000000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checks.h"
#include "hrec.h"

#define SUBJECTS 5000
#define CLIENTS  8

static char *subjects[SUBJECTS], *clients[CLIENTS];

static int by_end(const void *a, const void *b)
{
    const struct hrec *x = a, *y = b;
    return x->end_us < y->end_us ? -1 : x->end_us > y->end_us;
}

static double ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* The same shuffle every run (xorshift, Fisher-Yates). */
static void shuffle(struct hrec *r, size_t n)
{
    uint64_t x = 88172645463325252ULL;
    for (size_t i = n; i > 1; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t j = (size_t)(x % i);
        struct hrec t = r[i - 1];
        r[i - 1] = r[j];
        r[j] = t;
    }
}

static void fill(struct hrec *r, size_t n)
{
    memset(r, 0, n * sizeof *r);
    for (size_t i = 0; i < n; i++) {
        struct hrec *x = &r[i];
        x->vu = (int)(i % 64);
        x->iter = (int64_t)(i / 4096);
        x->opid = i + 1;
        x->start_us = (int64_t)i * 100;
        x->end_us = x->start_us + 50;
        x->retry_after_us = -1;
        x->resp_priority = x->req_priority = x->resp_position = -1;
        x->status = 200;
        x->outcome = OUT_OK;
        x->subject = subjects[(i / 10) % SUBJECTS]; /* ten records per contact */
        x->path = (char *)"GET /x";
        switch (i % 10) {
        case 0:
        case 1:
        case 2: /* acts with no accept of theirs to find */
            x->op = HREC_ACT;
            break;
        case 3: /* a priority change */
            x->op = HREC_PRIORITY;
            x->req_priority = 8;
            break;
        case 4: /* a 401 on a token */
            x->op = HREC_READ;
            x->status = 401;
            x->outcome = OUT_FAIL;
            x->token = (uint64_t)(i / 100 + 1);
            break;
        case 5: /* a token fetch */
            x->op = HREC_TOKEN;
            x->key = clients[(i / 10) % CLIENTS];
            x->token = (uint64_t)(i / 100 + 1);
            x->subject = NULL;
            break;
        default: /* reads with a queue position */
            x->op = HREC_READ;
            x->resp_position = (int)(i % 7) + 1;
            x->resp_state = (char *)"Queued";
        }
    }
}

int main(int argc, char **argv)
{
    static const char *defaults[] = {"10000", "100000", "1000000"};
    const char **sizes = argc > 1 ? (const char **)argv + 1 : defaults;
    int nsizes = argc > 1 ? argc - 1 : 3;
    char name[32];

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf(
            "usage: cxjudge-checks-scale [N...]\n"
            "Times the violation checks (judge/src/checks.c) on synthetic histories of N records\n"
            "(default 10000 100000 1000000).\n");
        return 0;
    }
    for (int i = 0; i < SUBJECTS; i++) {
        snprintf(name, sizeof name, "contact-%d", i);
        if (!(subjects[i] = strdup(name)))
            return 1;
    }
    for (int i = 0; i < CLIENTS; i++) {
        snprintf(name, sizeof name, "cx-client-%d", i);
        if (!(clients[i] = strdup(name)))
            return 1;
    }
    printf("%10s %10s %12s %14s %14s %12s\n", "records", "sort ms", "checks ms", "ns per record",
           "checks / sort", "violations");
    for (int k = 0; k < nsizes; k++) {
        char *end;
        long n = strtol(sizes[k], &end, 10);
        if (*end || n <= 0 || n > 50000000) {
            fprintf(stderr, "cxjudge-checks-scale: %s: not a number of records (1..50000000)\n",
                    sizes[k]);
            return 1;
        }
        struct hrec *r = malloc((size_t)n * sizeof *r), *copy = malloc((size_t)n * sizeof *r);
        if (!r || !copy) {
            fprintf(stderr, "cxjudge-checks-scale: %ld records: out of memory\n", n);
            return 1;
        }
        fill(r, (size_t)n);
        shuffle(r, (size_t)n);
        memcpy(copy, r, (size_t)n * sizeof *r);
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        qsort(copy, (size_t)n, sizeof *copy, by_end);
        double sort_ms = ms_since(&t);
        free(copy);
        clock_gettime(CLOCK_MONOTONIC, &t);
        json_t *v = checks_run(r, (size_t)n, NULL, NULL);
        double ms = ms_since(&t);
        if (!v) {
            fprintf(stderr, "cxjudge-checks-scale: checks_run failed (out of memory)\n");
            return 1;
        }
        printf("%10ld %10.1f %12.1f %14.1f %14.1f %12lld\n", n, sort_ms, ms, ms * 1e6 / (double)n,
               ms / sort_ms, checks_total(v));
        json_decref(v);
        free(r);
    }
    for (int i = 0; i < SUBJECTS; i++)
        free(subjects[i]);
    for (int i = 0; i < CLIENTS; i++)
        free(clients[i]);
    return 0;
}
