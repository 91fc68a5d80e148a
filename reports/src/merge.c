/* merge.c - exact merge of shards (see merge.h). */
#include "merge.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hist.h"
#include "hlog.h"
#include "mergesat.h"
#include "report.h"
#include "rejudge.h"
#include "rundir.h"
#include "thresholds.h"

#define NO_TAG      SIZE_MAX /* a log line without Tag= */
#define START_SLACK 0.0006   /* hlog timestamps are rounded to the millisecond */

struct cell {
    size_t bucket;
    int64_t count;
};

/* One interval line of one shard's log, its histogram kept sparse (a second's histogram has
 * few non-empty buckets; a dense one is 190 kB). */
struct line {
    size_t interval, tag, shard;
    struct cell *cells;
    size_t ncells;
};

struct shard {
    const char *dir;
    struct rundir *run;
    const char *spec; /* "I/N", or "I/N+J/N..." for a merge, or NULL */
    int *index;       /* the shard indexes spec names, nindex of them, each of count */
    int nindex, count;
    double start_epoch_s;
    int has_start;
};

struct merger {
    struct shard *sh;
    size_t n;
    FILE *warn;
    char **tags; /* the merged tag order, as logged (cx_hlog_tag) */
    int *seen;   /* per tag: some shard's log has a line of it */
    size_t ntags;
    int has_untagged; /* some shard's log has an untagged line */
    json_t *inexact;  /* what could not be merged exactly, said in "merged" */
    struct line *lines;
    size_t nlines, cap;
    size_t cur; /* the shard whose log is being read */
    int oom;
    struct cx_hist **tot; /* per tag, the whole run */
    struct cx_hist *untagged, *all;
};

/* The index of TAG (a summary's tag or a log's) under the name it is logged as; NO_TAG if
 * ADD is 0 and it is not known yet, or if memory ran out. */
static size_t tag_index(struct merger *m, const char *tag, int add)
{
    char logged[1024];
    cx_hlog_tag(tag, logged, sizeof logged);
    for (size_t i = 0; i < m->ntags; i++)
        if (strcmp(m->tags[i], logged) == 0)
            return i;
    if (!add)
        return NO_TAG;
    char **grown = realloc(m->tags, (m->ntags + 1) * sizeof *grown);
    if (!grown)
        return NO_TAG;
    m->tags = grown;
    int *seen = realloc(m->seen, (m->ntags + 1) * sizeof *seen);
    if (!seen)
        return NO_TAG;
    m->seen = seen;
    m->seen[m->ntags] = 0;
    if (!(m->tags[m->ntags] = strdup(logged)))
        return NO_TAG;
    return m->ntags++;
}

/* V as an integer, saturated (a summary may hold any JSON number). */
static json_int_t as_int(double v)
{
    if (!(v > -9.2e18))
        return v != v ? 0 : -INT64_MAX;
    return v < 9.2e18 ? (json_int_t)v : INT64_MAX;
}

/* ---- reading the shards' logs ------------------------------------------------------------ */

/* The index of the series interval of shard S that a log line starting at START_S belongs to:
 * the last one starting at or before it; 1 s bins for a shard without a series. */
static size_t interval_of(const struct shard *s, double start_s)
{
    const json_t *series = json_object_get(s->run->summary, "series");
    size_t n = json_array_size(series);
    if (n == 0) /* 1 s bins, within reason for a corrupt timestamp */
        return start_s > 0 ? (size_t)floor(fmin(start_s, 1e12) + 1e-9) : 0;
    size_t lo = 0, hi = n; /* first index whose start is after start_s */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (json_number_value(json_object_get(json_array_get(series, mid), "startS")) <=
            start_s + START_SLACK)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 ? lo - 1 : 0;
}

static int on_interval(void *ctx, const char *tag, double start_s, double length_s,
                       struct cx_hist *h)
{
    struct merger *m = ctx;
    if (m->nlines == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        struct line *grown = realloc(m->lines, cap * sizeof *grown);
        if (!grown)
            return m->oom = 1;
        m->lines = grown;
        m->cap = cap;
    }
    struct line *l = &m->lines[m->nlines];
    l->interval = interval_of(&m->sh[m->cur], start_s);
    l->shard = m->cur;
    l->tag = tag ? tag_index(m, tag, 1) : NO_TAG;
    if (tag && l->tag == NO_TAG)
        return m->oom = 1;
    if (tag)
        m->seen[l->tag] = 1;
    else
        m->has_untagged = 1;
    size_t nz = 0, len = cx_hist_counts_len(h);
    int64_t left = cx_hist_count(h);
    for (size_t i = 0; i < len && left > 0; i++)
        if (cx_hist_count_at_index(h, i)) {
            nz++;
            left -= cx_hist_count_at_index(h, i);
        }
    l->cells = malloc((nz ? nz : 1) * sizeof *l->cells);
    if (!l->cells)
        return m->oom = 1;
    l->ncells = 0;
    left = cx_hist_count(h);
    for (size_t i = 0; i < len && left > 0; i++) {
        int64_t c = cx_hist_count_at_index(h, i);
        if (c) {
            l->cells[l->ncells++] = (struct cell){i, c};
            left -= c;
        }
    }
    m->nlines++;
    return 0;
}

static int read_logs(struct merger *m, struct cx_error *err)
{
    for (m->cur = 0; m->cur < m->n; m->cur++) {
        struct shard *s = &m->sh[m->cur];
        char path[4096];
        snprintf(path, sizeof path, "%s/latency.hlog", s->dir);
        int rc = cx_hlog_read(path, on_interval, m, err);
        if (rc != 0) {
            if (m->oom)
                cx_error_at(err, path, -1, -1, "", "out of memory");
            return -1;
        }
        s->has_start = cx_hlog_start_time(path, &s->start_epoch_s, NULL) == 0;
    }
    return 0;
}

/* ---- checks across shards ---------------------------------------------------------------- */

static const char *sstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static char *summary_path(const struct shard *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s/summary.json", s->dir);
    return buf;
}

static int has_index(const struct shard *s, int index)
{
    for (int i = 0; i < s->nindex; i++)
        if (s->index[i] == index)
            return 1;
    return 0;
}

/* Parse s->spec: "I/N", or "I/N+J/N+..." (a merge of shards), every N the same, no I twice. */
static int parse_spec(struct shard *s)
{
    size_t parts = 1;
    for (const char *p = s->spec; *p; p++)
        parts += *p == '+';
    if (!(s->index = calloc(parts, sizeof *s->index)))
        return -1;
    const char *p = s->spec;
    for (size_t i = 0; i < parts; i++) {
        int index, count, used = 0;
        if (sscanf(p, "%d/%d%n", &index, &count, &used) != 2 || count < 1 || index < 0 ||
            index >= count || (i > 0 && count != s->count) || has_index(s, index) ||
            (p[used] != '\0' && p[used] != '+') || (p[used] == '+') != (i + 1 < parts))
            return -1;
        s->count = count;
        s->index[s->nindex++] = index;
        p += used + (p[used] == '+');
    }
    return 0;
}

static int same_run(struct merger *m, struct cx_error *err)
{
    const struct shard *a = &m->sh[0];
    const json_t *ta = json_object_get(a->run->summary, "thresholds");
    char pa[4096], pb[4096];
    for (size_t i = 0; i < m->n; i++) {
        struct shard *b = &m->sh[i];
        const json_t *sb = b->run->summary;
        char ra[PATH_MAX], rb[PATH_MAX];
        for (size_t k = 0; k < i; k++)
            if (realpath(m->sh[k].dir, ra) && realpath(b->dir, rb) && strcmp(ra, rb) == 0) {
                cx_error_set(err, "%s: given twice (as %s and %s): its counts would add twice", rb,
                             m->sh[k].dir, b->dir);
                return -1;
            }
        if (strcmp(sstr(sb, "scenario"), sstr(a->run->summary, "scenario")) != 0) {
            cx_error_set(err, "%s: scenario \"%s\", but %s is of \"%s\": not shards of one run",
                         summary_path(b, pb, sizeof pb), sstr(sb, "scenario"),
                         summary_path(a, pa, sizeof pa), sstr(a->run->summary, "scenario"));
            return -1;
        }
        const json_t *tb = json_object_get(sb, "thresholds");
        int differ = json_array_size(ta) != json_array_size(tb);
        for (size_t k = 0; !differ && k < json_array_size(ta); k++)
            differ = strcmp(sstr(json_array_get(ta, k), "text"),
                            sstr(json_array_get(tb, k), "text")) != 0;
        if (differ) {
            cx_error_set(err, "%s: thresholds differ from those of %s: not shards of one run",
                         summary_path(b, pb, sizeof pb), summary_path(a, pa, sizeof pa));
            return -1;
        }
        b->spec = sstr(sb, "shard");
        if (b->spec && parse_spec(b) < 0) {
            cx_error_set(
                err,
                "%s: shard: expected I/N with 0 <= I < N (or I/N+J/N... for a merge), got \"%s\"",
                summary_path(b, pb, sizeof pb), b->spec);
            return -1;
        }
        if (!b->spec != !a->spec) {
            cx_error_set(err, "%s: %s, but %s %s: not shards of one run",
                         summary_path(b, pb, sizeof pb),
                         b->spec ? "a shard" : "not a shard (no --shard)",
                         summary_path(a, pa, sizeof pa), a->spec ? "is a shard" : "is not");
            return -1;
        }
        if (b->spec && b->count != a->count) {
            cx_error_set(err, "%s: shard %s, but %s is shard %s: not shards of one run",
                         summary_path(b, pb, sizeof pb), b->spec, summary_path(a, pa, sizeof pa),
                         a->spec);
            return -1;
        }
        for (size_t k = 0; b->spec && k < i; k++)
            for (int x = 0; x < b->nindex; x++)
                if (has_index(&m->sh[k], b->index[x])) {
                    cx_error_set(err, "%s: shard %d/%d again (also in %s)",
                                 summary_path(b, pb, sizeof pb), b->index[x], b->count,
                                 m->sh[k].dir);
                    return -1;
                }
        char hp[4096];
        snprintf(hp, sizeof hp, "%s/history.jsonl", b->dir);
        FILE *hf = fopen(hp, "r");
        if (!hf) {
            cx_error_set(err, "%s: %s", hp, strerror(errno));
            return -1;
        }
        fclose(hf);
    }
    return 0;
}

static void warn_missing(const struct merger *m, FILE *warn)
{
    if (!warn || !m->sh[0].spec)
        return;
    int count = m->sh[0].count, covered = 0;
    for (size_t k = 0; k < m->n; k++)
        covered += m->sh[k].nindex;
    for (int i = 0; i < count; i++) {
        int seen = 0;
        for (size_t k = 0; k < m->n; k++)
            seen |= has_index(&m->sh[k], i);
        if (!seen)
            fprintf(warn,
                    "cxreport merge: warning: shard %d/%d is not among the inputs: the merge "
                    "covers %d of %d shards\n",
                    i, count, covered, count);
    }
}

/* ---- adding summaries -------------------------------------------------------------------- */

static json_t *sum_numbers(const json_t *a, const json_t *b)
{
    json_int_t sum;
    if (json_is_integer(a) && json_is_integer(b) &&
        !__builtin_add_overflow(json_integer_value(a), json_integer_value(b), &sum))
        return json_integer(sum);
    return json_real(json_number_value(a) + json_number_value(b));
}

static int skipped(const char *k, const char *const *skip)
{
    for (size_t i = 0; skip && skip[i]; i++)
        if (strcmp(skip[i], k) == 0)
            return 1;
    return 0;
}

/* DST += SRC, member by member: numbers add, objects recurse, the rest is left alone. */
static void add_into(json_t *dst, const json_t *src, const char *const *skip)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)src, k, v)
    {
        if (skipped(k, skip))
            continue;
        json_t *d = json_object_get(dst, k);
        if (json_is_number(v)) {
            if (!d)
                json_object_set_new(dst, k, json_copy(v));
            else if (json_is_number(d))
                json_object_set_new(dst, k, sum_numbers(d, v));
        } else if (json_is_object(v)) {
            if (!d) {
                d = json_object();
                json_object_set_new(dst, k, d);
            }
            if (json_is_object(d))
                add_into(d, v, NULL);
        }
    }
}

static int by_code(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    long dx = strtol(x, NULL, 10), dy = strtol(y, NULL, 10);
    return dx < dy ? -1 : dx > dy ? 1 : strcmp(x, y);
}

/* O's members in increasing numeric order of their keys (status codes), as a new object. */
static json_t *sorted_codes(const json_t *o)
{
    size_t n = json_object_size(o), i = 0;
    const char **keys = calloc(n + 1, sizeof *keys);
    json_t *out = json_object();
    if (!keys || !out) {
        free(keys);
        json_decref(out);
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) keys[i++] = k;
    qsort(keys, n, sizeof *keys, by_code);
    for (i = 0; i < n; i++)
        json_object_set(out, keys[i], json_object_get(o, keys[i]));
    free(keys);
    return out;
}

static json_t *merged_requests(const struct merger *m, double wall, double sim)
{
    static const char *const rates[] = {"ratePerS", "ratePerSimS", NULL};
    json_t *r = json_object();
    for (size_t i = 0; i < m->n; i++)
        add_into(r, json_object_get(m->sh[i].run->summary, "requests"), rates);
    double count = num(r, "count");
    /* keep cxload's order: ratePerS after retries, ratePerSimS after it */
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(m->sh[0].run->summary, "requests"), k, v)
    {
        if (strcmp(k, "ratePerS") == 0)
            json_object_set_new(out, k, json_real(wall > 0 ? count / wall : 0));
        else if (strcmp(k, "ratePerSimS") == 0)
            json_object_set_new(out, k, json_real(sim > 0 ? count / sim : 0));
        else if (json_object_get(r, k))
            json_object_set(out, k, json_object_get(r, k));
    }
    json_object_foreach(r, k, v) if (!json_object_get(out, k)) json_object_set(out, k, v);
    if (!json_object_get(out, "ratePerS"))
        json_object_set_new(out, "ratePerS", json_real(wall > 0 ? count / wall : 0));
    json_decref(r);
    return out;
}

static json_t *merged_series(const struct merger *m)
{
    static const char *const times[] = {"startS", "lengthS", NULL};
    size_t len = 0;
    for (size_t i = 0; i < m->n; i++) {
        size_t n = json_array_size(json_object_get(m->sh[i].run->summary, "series"));
        len = n > len ? n : len;
    }
    json_t *out = json_array();
    for (size_t k = 0; k < len; k++) {
        json_t *p = json_pack("{sf sf}", "startS", 0.0, "lengthS", 0.0);
        double start = INFINITY, end = -INFINITY;
        for (size_t i = 0; i < m->n; i++) {
            const json_t *q = json_array_get(json_object_get(m->sh[i].run->summary, "series"), k);
            if (!q)
                continue;
            double s = num(q, "startS"), e = s + num(q, "lengthS");
            start = s < start ? s : start;
            end = e > end ? e : end;
            add_into(p, q, times);
        }
        json_object_set_new(p, "startS", json_real(start));
        json_object_set_new(p, "lengthS", json_real(end - start));
        if (json_is_object(json_object_get(p, "status")))
            json_object_set_new(p, "status", sorted_codes(json_object_get(p, "status")));
        json_array_append_new(out, p);
    }
    return out;
}

/* A latency STATS object (report.h) from the merged histogram H and the shards' STATS at
 * latency.all (TAG NULL) or latency.tags.TAG. */
static json_t *merged_stats(const struct merger *m, const char *tag, const struct cx_hist *h)
{
    json_int_t count = 0, failed = 0;
    double up50 = 0, up99 = 0, umax = 0;
    for (size_t i = 0; i < m->n; i++) {
        const json_t *lat = json_object_get(m->sh[i].run->summary, "latency");
        const json_t *st =
            tag ? json_object_get(json_object_get(lat, "tags"), tag) : json_object_get(lat, "all");
        if (!st)
            continue;
        count += as_int(num(st, "count"));
        failed += as_int(num(st, "failed"));
        const json_t *u = json_object_get(st, "uncorrected");
        up50 = fmax(up50, num(u, "p50"));
        up99 = fmax(up99, num(u, "p99"));
        umax = fmax(umax, num(u, "max"));
    }
    json_t *o =
        json_pack("{sI sI sf sf sf sf sf sf sf}", "count", count, "failed", failed, "min",
                  cx_hist_min(h) / 1000.0, "p50", cx_hist_percentile(h, 50) / 1000.0, "p90",
                  cx_hist_percentile(h, 90) / 1000.0, "p99", cx_hist_percentile(h, 99) / 1000.0,
                  "p99.9", cx_hist_percentile(h, 99.9) / 1000.0, "max", cx_hist_max(h) / 1000.0,
                  "mean", cx_hist_mean(h) / 1000.0);
    json_object_set_new(o, "uncorrected",
                        json_pack("{sf sf sf}", "p50", up50, "p99", up99, "max", umax));
    return o;
}

/* ---- the merged log ---------------------------------------------------------------------- */

static int by_interval(const void *a, const void *b)
{
    const struct line *x = a, *y = b;
    if (x->interval != y->interval)
        return x->interval < y->interval ? -1 : 1;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return x->shard < y->shard ? -1 : x->shard > y->shard;
}

/* Write the merged log to PATH, adding every line into the run's totals (m->tot, m->untagged). */
static int write_log(struct merger *m, const json_t *series, const char *path, struct cx_error *err)
{
    double start = 0;
    int have = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->sh[i].has_start && (!have || m->sh[i].start_epoch_s < start)) {
            start = m->sh[i].start_epoch_s;
            have = 1;
        }
    if (m->nlines)
        qsort(m->lines, m->nlines, sizeof *m->lines, by_interval);
    FILE *f = fopen(path, "w");
    struct cx_hlog_writer *w = NULL;
    struct cx_hist *h = NULL;
    int rc = -1;
    if (!f || cx_hlog_open(f, start, &w) < 0 || cx_hist_new(&h) < 0) {
        cx_error_set(err, "%s: %s", path, strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < m->nlines;) {
        size_t j = i;
        cx_hist_reset(h);
        for (; j < m->nlines && m->lines[j].interval == m->lines[i].interval &&
               m->lines[j].tag == m->lines[i].tag;
             j++)
            for (size_t c = 0; c < m->lines[j].ncells; c++)
                cx_hist_add_at_index(h, m->lines[j].cells[c].bucket, m->lines[j].cells[c].count);
        const struct line *l = &m->lines[i];
        const json_t *p = json_array_get(series, l->interval);
        double at = p ? num(p, "startS") : (double)l->interval, len = p ? num(p, "lengthS") : 1.0;
        cx_hist_add(l->tag == NO_TAG ? m->untagged : m->tot[l->tag], h);
        if (cx_hlog_write(w, l->tag == NO_TAG ? NULL : m->tags[l->tag], at, len, h) < 0) {
            cx_error_set(err, "%s: %s", path, strerror(errno));
            goto done;
        }
        i = j;
    }
    rc = 0;
done:
    cx_hist_free(h);
    if (cx_hlog_close(w) < 0 && rc == 0) {
        cx_error_set(err, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        cx_error_set(err, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* ---- the merged summary ------------------------------------------------------------------ */

static const struct cx_hist *hist_for(void *ctx, const char *tag)
{
    struct merger *m = ctx;
    if (!tag[0])
        return m->all;
    size_t i = tag_index(m, tag, 0);
    return i != NO_TAG && m->seen[i] ? m->tot[i] : NULL;
}

/* Everything but the latency figures and the verdict, which need the merged histograms. */
static json_t *merged_summary(const struct merger *m)
{
    const json_t *first = m->sh[0].run->summary;
    json_t *s = json_object();
    json_object_set(s, "scenario", json_object_get(first, "scenario"));
    if (json_object_get(first, "file"))
        json_object_set(s, "file", json_object_get(first, "file"));
    const char *target = sstr(first, "target");
    int same_target = 1;
    for (size_t i = 1; i < m->n; i++) {
        const char *t = sstr(m->sh[i].run->summary, "target");
        same_target &= (!t && !target) || (t && target && strcmp(t, target) == 0);
    }
    if (same_target && target) {
        json_object_set_new(s, "target", json_string(target));
    } else if (!same_target) {
        char buf[4096] = "";
        for (size_t i = 0; i < m->n; i++) {
            const char *t = sstr(m->sh[i].run->summary, "target");
            if (t && !strstr(buf, t))
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? ", " : "",
                         t);
        }
        json_object_set_new(s, "target", json_string(buf));
    }
    if (json_object_get(first, "seed"))
        json_object_set(s, "seed", json_object_get(first, "seed"));
    json_int_t threads = 0;
    double wall = 0, sim = 0;
    const char *started = NULL;
    int has_threads = 0, has_sim = 0, interrupted = 0;
    for (size_t i = 0; i < m->n; i++) {
        const json_t *x = m->sh[i].run->summary;
        has_threads |= json_object_get(x, "threads") != NULL;
        threads += (json_int_t)num(x, "threads");
        wall = fmax(wall, num(x, "wallSeconds"));
        has_sim |= json_object_get(x, "simSeconds") != NULL;
        sim = fmax(sim, num(x, "simSeconds"));
        const char *at = sstr(x, "startedAt");
        if (at && (!started || strcmp(at, started) < 0))
            started = at;
        interrupted |= json_is_true(json_object_get(x, "interrupted"));
    }
    if (has_threads)
        json_object_set_new(s, "threads", json_integer(threads));
    if (m->sh[0].spec) {
        char buf[4096] = "";
        for (size_t i = 0; i < m->n; i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "+" : "",
                     m->sh[i].spec);
        json_object_set_new(s, "shard", json_string(buf));
    }
    if (json_object_get(first, "clock"))
        json_object_set(s, "clock", json_object_get(first, "clock"));
    if (started)
        json_object_set_new(s, "startedAt", json_string(started));
    json_object_set_new(s, "wallSeconds", json_real(wall));
    if (has_sim)
        json_object_set_new(s, "simSeconds", json_real(sim));
    json_object_set_new(s, "requests", merged_requests(m, wall, sim));
    json_t *status = json_object();
    json_t *iterations = json_object();
    for (size_t i = 0; i < m->n; i++) {
        add_into(status, json_object_get(m->sh[i].run->summary, "status"), NULL);
        add_into(iterations, json_object_get(m->sh[i].run->summary, "iterations"), NULL);
    }
    json_object_set_new(s, "status", sorted_codes(status));
    json_decref(status);
    json_object_set_new(s, "iterations", iterations);
    json_object_set_new(s, "latency", json_object()); /* filled once the log is merged */
    const json_t *thresholds = json_object_get(first, "thresholds");
    json_object_set_new(s, "thresholds", thresholds ? json_deep_copy(thresholds) : json_array());
    json_object_set_new(s, "series", merged_series(m));
    json_t *shards = json_array();
    for (size_t i = 0; i < m->n; i++) {
        const json_t *x = m->sh[i].run->summary;
        json_t *e = json_pack("{ss}", "dir", m->sh[i].dir);
        if (m->sh[i].spec)
            json_object_set_new(e, "shard", json_string(m->sh[i].spec));
        static const char *const keep[] = {"seed", "startedAt", "wallSeconds", "exitCode"};
        for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
            if (json_object_get(x, keep[k]))
                json_object_set(e, keep[k], json_object_get(x, keep[k]));
        json_object_set(e, "requests", json_object_get(json_object_get(x, "requests"), "count"));
        json_array_append_new(shards, e);
    }
    json_object_set_new(
        s, "merged",
        json_pack("{so ss ss}", "shards", shards, "intervals",
                  "aligned by index from each shard's start (series points added pointwise; "
                  "each latency.hlog line to the series interval that starts at its timestamp)",
                  "uncorrected",
                  "Uncorrected p50 and p99 of a merge are the highest of the shards' figures, an "
                  "upper bound (only corrected histograms are logged, so they cannot be merged "
                  "exactly); uncorrected max is exact. Every corrected figure is recomputed "
                  "from the merged histograms."));
    if (interrupted)
        json_object_set_new(s, "interrupted", json_true());
    const json_t **sums = calloc(m->n, sizeof *sums);
    const char **names = calloc(m->n, sizeof *names);
    for (size_t i = 0; sums && names && i < m->n; i++) {
        sums[i] = m->sh[i].run->summary;
        names[i] = m->sh[i].spec ? m->sh[i].spec : m->sh[i].dir;
    }
    if (sums && names) /* connections, saturation, warnings (mergesat.h) */
        merge_saturation(s, sums, names, m->n, m->inexact);
    free(sums);
    free(names);
    return s;
}

/* STATS of TAG, a tag no shard's log holds (cxload cannot log a tag with a space or a comma
 * under its own name): count, failed, min, max and the mean (weighted by count) are exact; the
 * percentiles are the highest shard's, an upper bound. */
static json_t *bounded_stats(const struct merger *m, const char *tag)
{
    json_int_t count = 0, failed = 0;
    double min = INFINITY, max = 0, sum = 0, p[4] = {0}, u[3] = {0};
    static const char *const pk[] = {"p50", "p90", "p99", "p99.9"}, *const uk[] = {"p50", "p99",
                                                                                   "max"};
    for (size_t i = 0; i < m->n; i++) {
        const json_t *st = json_object_get(
            json_object_get(json_object_get(m->sh[i].run->summary, "latency"), "tags"), tag);
        if (!st)
            continue;
        json_int_t c = as_int(num(st, "count"));
        count += c;
        failed += as_int(num(st, "failed"));
        min = fmin(min, num(st, "min"));
        max = fmax(max, num(st, "max"));
        sum += (double)c * num(st, "mean");
        for (int k = 0; k < 4; k++)
            p[k] = fmax(p[k], num(st, pk[k]));
        for (int k = 0; k < 3; k++)
            u[k] = fmax(u[k], num(json_object_get(st, "uncorrected"), uk[k]));
    }
    json_t *o = json_pack("{sI sI sf sf sf sf sf sf sf}", "count", count, "failed", failed, "min",
                          isfinite(min) ? min : 0.0, "p50", p[0], "p90", p[1], "p99", p[2], "p99.9",
                          p[3], "max", max, "mean", count > 0 ? sum / (double)count : 0.0);
    json_object_set_new(o, "uncorrected",
                        json_pack("{sf sf sf}", "p50", u[0], "p99", u[1], "max", u[2]));
    return o;
}

static void fill_latency(struct merger *m, json_t *s)
{
    if (m->has_untagged) /* cxload's untagged line holds every request, logged tag or not */
        cx_hist_add(m->all, m->untagged);
    else
        for (size_t i = 0; i < m->ntags; i++)
            cx_hist_add(m->all, m->tot[i]);
    json_t *lat = json_object_get(s, "latency"), *tags = json_object();
    json_object_set_new(lat, "all", merged_stats(m, NULL, m->all));
    for (size_t k = 0; k < m->n; k++) {
        const char *tag;
        json_t *v;
        json_object_foreach(
            json_object_get(json_object_get(m->sh[k].run->summary, "latency"), "tags"), tag, v)
        {
            if (json_object_get(tags, tag))
                continue;
            const struct cx_hist *h = hist_for(m, tag);
            if (h) {
                json_object_set_new(tags, tag, merged_stats(m, tag, h));
                continue;
            }
            json_object_set_new(tags, tag, bounded_stats(m, tag));
            char note[1024];
            snprintf(note, sizeof note,
                     "latency.tags.%s: not in the shards' latency.hlog, so not merged exactly: "
                     "count, failed, min, max and mean are exact, p50 to p99.9 are the highest "
                     "shard's (an upper bound), and a threshold on its latency cannot be judged",
                     tag);
            json_array_append_new(m->inexact, json_string(note));
            if (m->warn)
                fprintf(m->warn, "cxreport merge: warning: %s\n", note);
        }
    }
    json_object_set_new(lat, "tags", tags);
}

/* ---- files ------------------------------------------------------------------------------- */

/* mkdir -p PATH. */
static int make_dirs(const char *path, struct cx_error *err)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) < 0 && errno != EEXIST) {
                cx_error_set(err, "%s: cannot create: %s", buf, strerror(errno));
                return -1;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        cx_error_set(err, "%s: not a directory", path);
        return -1;
    }
    return 0;
}

static int write_json(const char *path, const json_t *s, struct cx_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        cx_error_set(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    int bad = json_dumpf(s, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) < 0;
    bad |= fputc('\n', f) == EOF;
    bad |= fclose(f) != 0;
    if (bad)
        cx_error_set(err, "%s: write failed: %s", path, strerror(errno));
    return bad ? -1 : 0;
}

static int write_junit(const char *path, const json_t *s, struct cx_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        cx_error_set(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    int bad = report_junit(f, s) < 0;
    bad |= fclose(f) != 0;
    if (bad)
        cx_error_set(err, "%s: write failed: %s", path, strerror(errno));
    return bad ? -1 : 0;
}

/* One history line LINE (LEN bytes, its newline included or not: a last line may lack it) onto
 * the shared timeline, ended with a newline: its times moved by SHIFT µs, everything else as it
 * was. */
static int shifted_line(FILE *out, const char *line, size_t len, int64_t shift)
{
    if (len && line[len - 1] == '\n')
        len--;
    if (shift == 0 || len == 0)
        return fwrite(line, 1, len, out) == len && fputc('\n', out) != EOF ? 0 : -1;
    json_t *o = json_loadb(line, len, 0, NULL);
    static const char *const times[] = {"intendedUs", "startUs", "endUs"};
    for (size_t i = 0; o && i < 3; i++) {
        json_t *t = json_object_get(o, times[i]);
        if (json_is_integer(t))
            json_integer_set(t, json_integer_value(t) + shift);
    }
    int rc = o ? json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER) : -1;
    json_decref(o);
    return rc < 0 || fputc('\n', out) == EOF ? -1 : 0;
}

/* The shards' histories, one after the other, on the shared timeline (SHIFT per shard). */
static int write_history(const struct merger *m, const int64_t *shift, const char *path,
                         struct cx_error *err)
{
    FILE *out = fopen(path, "w");
    if (!out) {
        cx_error_set(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t size = 0;
    int rc = 0;
    for (size_t i = 0; i < m->n && rc == 0; i++) {
        char in_path[4096];
        snprintf(in_path, sizeof in_path, "%s/history.jsonl", m->sh[i].dir);
        FILE *in = fopen(in_path, "r");
        if (!in) {
            cx_error_set(err, "%s: %s", in_path, strerror(errno));
            rc = -1;
            break;
        }
        ssize_t n;
        while ((n = getline(&line, &size, in)) > 0) {
            if (shifted_line(out, line, (size_t)n, shift[i]) < 0) /* each ends with a newline */
                break;
        }
        if (ferror(in)) {
            cx_error_set(err, "%s: %s", in_path, strerror(errno));
            rc = -1;
        }
        fclose(in);
    }
    free(line);
    if ((ferror(out) || fclose(out) != 0) && rc == 0) {
        cx_error_set(err, "%s: write failed: %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* OUT_DIR must not be one of the inputs: the merge would overwrite what it reads. */
static int not_an_input(const struct merger *m, const char *out_dir, struct cx_error *err)
{
    char ro[PATH_MAX], ri[PATH_MAX];
    if (!realpath(out_dir, ro)) {
        cx_error_set(err, "%s: %s", out_dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < m->n; i++)
        if (realpath(m->sh[i].dir, ri) && strcmp(ro, ri) == 0) {
            cx_error_set(err, "%s: --out is one of the shards; give the merge its own directory",
                         out_dir);
            return -1;
        }
    return 0;
}

static void merger_free(struct merger *m)
{
    for (size_t i = 0; i < m->n; i++) {
        rundir_free(m->sh[i].run);
        free(m->sh[i].index);
    }
    free(m->sh);
    for (size_t i = 0; i < m->nlines; i++)
        free(m->lines[i].cells);
    free(m->lines);
    for (size_t i = 0; m->tot && i < m->ntags; i++)
        cx_hist_free(m->tot[i]);
    free(m->tot);
    for (size_t i = 0; i < m->ntags; i++)
        free(m->tags[i]);
    free(m->tags);
    free(m->seen);
    cx_hist_free(m->untagged);
    cx_hist_free(m->all);
    json_decref(m->inexact);
}

int merge_runs(const char *const *dirs, size_t n, const char *out_dir, json_t **summary, FILE *warn,
               struct cx_error *err)
{
    struct merger m = {0};
    json_t *s = NULL;
    struct rundir **runs = NULL;
    int64_t *shift = NULL;
    int rc = -1;
    char path[4096];
    if (n == 0) {
        cx_error_set(err, "no run directory to merge");
        return -1;
    }
    if (!(m.sh = calloc(n, sizeof *m.sh))) {
        cx_error_set(err, "out of memory");
        return -1;
    }
    m.n = n;
    m.warn = warn;
    if (!(m.inexact = json_array())) {
        cx_error_set(err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        m.sh[i].dir = dirs[i];
        if (rundir_load(dirs[i], 0, &m.sh[i].run, err) < 0)
            goto done;
    }
    if (same_run(&m, err) < 0)
        goto done;
    warn_missing(&m, warn);
    /* the merged tag order: the summaries' tags as they first appear, then the logs' */
    for (size_t i = 0; i < n; i++) {
        const char *tag;
        json_t *v;
        json_object_foreach(
            json_object_get(json_object_get(m.sh[i].run->summary, "latency"), "tags"), tag, v)
        {
            if (tag_index(&m, tag, 1) == NO_TAG) {
                cx_error_set(err, "out of memory");
                goto done;
            }
        }
    }
    if (read_logs(&m, err) < 0)
        goto done;
    if (!(m.tot = calloc(m.ntags + 1, sizeof *m.tot)) || cx_hist_new(&m.untagged) < 0 ||
        cx_hist_new(&m.all) < 0) {
        cx_error_set(err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < m.ntags; i++)
        if (cx_hist_new(&m.tot[i]) < 0) {
            cx_error_set(err, "out of memory");
            goto done;
        }
    if (make_dirs(out_dir, err) < 0 || not_an_input(&m, out_dir, err) < 0)
        goto done;
    if (!(s = merged_summary(&m)) || !(runs = calloc(n, sizeof *runs)) ||
        !(shift = calloc(n, sizeof *shift))) {
        cx_error_set(err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        runs[i] = m.sh[i].run;
    int64_t t0;
    if (rejudge_origins(runs, n, shift, &t0, err) < 0 || rejudge_runs(runs, n, s, err) < 0)
        goto done;
    snprintf(path, sizeof path, "%s/latency.hlog", out_dir);
    if (write_log(&m, json_object_get(s, "series"), path, err) < 0)
        goto done;
    fill_latency(&m, s);
    if (json_array_size(m.inexact))
        json_object_set(json_object_get(s, "merged"), "inexact", m.inexact);
    int failed = thresholds_eval(s, hist_for, &m);
    int code = failed ? 99 : 0;
    json_object_set_new(s, "exitCode", json_integer(code));
    snprintf(path, sizeof path, "%s/summary.json", out_dir);
    if (write_json(path, s, err) < 0)
        goto done;
    snprintf(path, sizeof path, "%s/junit.xml", out_dir);
    if (write_junit(path, s, err) < 0)
        goto done;
    snprintf(path, sizeof path, "%s/history.jsonl", out_dir);
    if (write_history(&m, shift, path, err) < 0)
        goto done;
    rc = code;
    if (summary) {
        *summary = s;
        s = NULL;
    }
done:
    free(runs);
    free(shift);
    json_decref(s);
    merger_free(&m);
    return rc;
}
