/* stats.c - per-thread interval counters and histograms (see stats.h). */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

int stats_init(struct stats *s, size_t ntags)
{
    memset(s, 0, sizeof *s);
    s->tags = calloc(ntags ? ntags : 1, sizeof *s->tags);
    if (!s->tags)
        return -1;
    s->ntags = ntags;
    if (cx_hist_new(&s->conn_wait) < 0 || cx_hist_new(&s->lag) < 0)
        return -1;
    for (size_t i = 0; i < ntags; i++)
        if (cx_hist_new(&s->tags[i].lat) < 0 || cx_hist_new(&s->tags[i].raw) < 0)
            return -1;
    return 0;
}

void stats_free(struct stats *s)
{
    for (size_t i = 0; s->tags && i < s->ntags; i++) {
        cx_hist_free(s->tags[i].lat);
        cx_hist_free(s->tags[i].raw);
    }
    free(s->tags);
    cx_hist_free(s->conn_wait);
    cx_hist_free(s->lag);
    memset(s, 0, sizeof *s);
}

void stats_clear(struct stats *s)
{
    struct tag_stats *tags = s->tags;
    struct cx_hist *conn_wait = s->conn_wait, *lag = s->lag;
    size_t n = s->ntags;
    cx_hist_reset(conn_wait);
    cx_hist_reset(lag);
    for (size_t i = 0; i < n; i++) {
        cx_hist_reset(tags[i].lat);
        cx_hist_reset(tags[i].raw);
        tags[i].requests = tags[i].failed = tags[i].indeterminate = 0;
    }
    memset(s, 0, sizeof *s);
    s->tags = tags;
    s->ntags = n;
    s->conn_wait = conn_wait;
    s->lag = lag;
}

int stats_add(struct stats *dst, const struct stats *src)
{
    if (dst->ntags != src->ntags)
        return -1;
    for (size_t i = 0; i < src->ntags; i++) {
        cx_hist_add(dst->tags[i].lat, src->tags[i].lat);
        cx_hist_add(dst->tags[i].raw, src->tags[i].raw);
        dst->tags[i].requests += src->tags[i].requests;
        dst->tags[i].failed += src->tags[i].failed;
        dst->tags[i].indeterminate += src->tags[i].indeterminate;
    }
    cx_hist_add(dst->conn_wait, src->conn_wait);
    cx_hist_add(dst->lag, src->lag);
    for (int i = 0; i < STATS_MAX_STATUS; i++)
        dst->status[i] += src->status[i];
#define ADD(f) dst->f += src->f
    ADD(requests);
    ADD(failed);
    ADD(indeterminate);
    ADD(timeouts);
    ADD(transport_errors);
    ADD(retries);
    ADD(token_fetches);
    ADD(reauth_401);
    ADD(throttled);
    ADD(offered);
    ADD(started);
    ADD(dropped);
    ADD(late);
    ADD(iterations);
    ADD(expect_failed);
    ADD(conn_waits);
    ADD(lag_over);
#undef ADD
    return 0;
}
