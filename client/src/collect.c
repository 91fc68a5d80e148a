/* collect.c - see collect.h */
#include "collect.h"

#include <errno.h>
#include <string.h>
#include <time.h>

int collect_init(struct collector *c, const struct scenario *scn, const char *hlog_path, int64_t t0,
                 struct cx_error *err)
{
    memset(c, 0, sizeof *c);
    c->scn = c->t.scn = scn;
    c->t0 = c->last = t0;
    if (stats_init(&c->t.all, scn->ntags) < 0 || stats_init(&c->interval, scn->ntags) < 0 ||
        cx_hist_new(&c->t.lat_all) < 0 || cx_hist_new(&c->t.raw_all) < 0 ||
        !(c->series = json_array())) {
        cx_error_set(err, "out of memory");
        return -1;
    }
    if (!(c->hlogf = fopen(hlog_path, "w")) ||
        cx_hlog_open(c->hlogf, (double)time(NULL), &c->hlog) < 0) {
        cx_error_set(err, "%s: %s", hlog_path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The interval S (from START to END µs after the run's start) as a point of the time series. */
static json_t *series_point(const struct stats *s, int64_t start, int64_t end)
{
    json_int_t by_class[6] = {0};
    for (int code = 0; code < STATS_MAX_STATUS; code++)
        by_class[code / 100] += s->status[code];
    json_t *status = json_object();
    for (int code = 0; code < STATS_MAX_STATUS; code++)
        if (s->status[code]) {
            char k[8];
            snprintf(k, sizeof k, "%d", code);
            json_object_set_new(status, k, json_integer(s->status[code]));
        }
    return json_pack("{sf sf sI sI sI sI sI sI sI sI sI so}", "startS", (double)start / 1e6,
                     "lengthS", (double)(end - start) / 1e6, "requests", (json_int_t)s->requests,
                     "failed", (json_int_t)s->failed, "throttled429", (json_int_t)s->status[429],
                     "offered", (json_int_t)s->offered, "started", (json_int_t)s->started,
                     "dropped", (json_int_t)s->dropped, "late", (json_int_t)s->late, "2xx",
                     by_class[2], "5xx", by_class[5], "status", status);
}

/* Add INTERVAL into the totals and the interval log, then clear it. */
static void close_interval(struct collector *c, int64_t now)
{
    struct cx_hist *all = NULL;
    char tagbuf[256];
    cx_hist_new(&all);
    for (size_t i = 0; i < c->scn->ntags; i++) {
        struct tag_stats *ts = &c->interval.tags[i];
        if (all)
            cx_hist_add(all, ts->lat);
        cx_hist_add(c->t.lat_all, ts->lat);
        cx_hist_add(c->t.raw_all, ts->raw);
        if (c->hlog && cx_hist_count(ts->lat) > 0) {
            cx_hlog_tag(c->scn->tags[i], tagbuf, sizeof tagbuf); /* no spaces or commas */
            cx_hlog_write(c->hlog, tagbuf, (double)(c->last - c->t0) / 1e6,
                          (double)(now - c->last) / 1e6, ts->lat);
        }
    }
    if (c->hlog && all && cx_hist_count(all) > 0)
        cx_hlog_write(c->hlog, NULL, (double)(c->last - c->t0) / 1e6, (double)(now - c->last) / 1e6,
                      all);
    cx_hist_free(all);
    if (c->series)
        json_array_append_new(c->series, series_point(&c->interval, c->last - c->t0, now - c->t0));
    stats_add(&c->t.all, &c->interval);
    stats_clear(&c->interval);
    c->last = now;
}

void collect_interval(struct collector *c, struct worker *workers, int n, int64_t now)
{
    for (int i = 0; i < n; i++) {
        struct stats *s = worker_flip(&workers[i], 200);
        if (s) {
            stats_add(&c->interval, s);
            stats_clear(s);
        }
    }
    close_interval(c, now);
}

void collect_progress(const struct collector *c, int64_t now)
{
    const struct stats *s = &c->t.all;
    double el = (double)(now - c->t0) / 1e6;
    fprintf(stderr, "\r[%6.1fs] %lld requests, %.0f/s, p99 %.2f ms, %lld failed, %lld dropped  ",
            el, (long long)s->requests, el > 0 ? s->requests / el : 0.0,
            cx_hist_percentile(c->t.lat_all, 99) / 1000.0, (long long)s->failed,
            (long long)s->dropped);
}

void collect_add(struct collector *c, const struct stats *s)
{
    stats_add(&c->interval, s);
}

void collect_close(struct collector *c, int64_t now)
{
    if (c->hlog)
        close_interval(c, now);
}

const struct cx_hist *collect_hist(void *ctx, const char *tag)
{
    struct totals *t = ctx;
    if (!tag[0])
        return t->lat_all;
    int i = scn_tag_index(t->scn, tag);
    return i < 0 ? NULL : t->all.tags[i].lat;
}

void collect_free(struct collector *c)
{
    if (c->hlog)
        cx_hlog_close(c->hlog);
    if (c->hlogf)
        fclose(c->hlogf);
    stats_free(&c->t.all);
    stats_free(&c->interval);
    cx_hist_free(c->t.lat_all);
    cx_hist_free(c->t.raw_all);
    json_decref(c->series);
    memset(c, 0, sizeof *c);
}
