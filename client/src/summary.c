/* summary.c - see summary.h */
#include "summary.h"

#include <stdio.h>
#include <string.h>

#include "report.h"
#include "thresholds.h"

/* The run's connections to the target: the pool's size, the waits for a free one. */
static json_t *connections(const struct run_shared *rs, const struct stats *s)
{
    const struct cx_hist *w = s->conn_wait;
    return json_pack("{si sI s{sf sf sf}}", "limit", rs->connections, "waits",
                     (json_int_t)s->conn_waits, "waitMs", "p50", cx_hist_percentile(w, 50) / 1000.0,
                     "p99", cx_hist_percentile(w, 99) / 1000.0, "max", cx_hist_max(w) / 1000.0);
}

json_t *summary_build(const struct run_opts *o, const struct scenario *scn,
                      const struct run_shared *rs, const struct totals *t, double wall_s,
                      time_t started)
{
    const struct stats *s = &t->all;
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&started));
    json_t *sum =
        json_pack("{ss ss ss sI si ss ss sf sf}", "scenario", scn->name, "file", scn->path,
                  "target", o->target ? o->target : "embedded cxmock", "seed", (json_int_t)rs->seed,
                  "threads", rs->nthreads, "clock", scn->clock ? scn->clock : "real", "startedAt",
                  when, "wallSeconds", wall_s, "simSeconds", wall_s * rs->tscale);
    if (scn->description)
        json_object_set_new(sum, "description", json_string(scn->description));
    if (rs->nshards > 1) {
        char sh[32];
        snprintf(sh, sizeof sh, "%d/%d", rs->shard, rs->nshards);
        json_object_set_new(sum, "shard", json_string(sh));
    }
    int64_t ok = s->requests - s->failed - s->indeterminate;
    json_object_set_new(
        sum, "requests",
        json_pack("{sI sI sI sI sI sI sI sf sf sI sI sI}", "count", (json_int_t)s->requests, "ok",
                  (json_int_t)ok, "failed", (json_int_t)s->failed, "indeterminate",
                  (json_int_t)s->indeterminate, "timeouts", (json_int_t)s->timeouts,
                  "transportErrors", (json_int_t)s->transport_errors, "retries",
                  (json_int_t)s->retries, "ratePerS", wall_s > 0 ? s->requests / wall_s : 0.0,
                  "ratePerSimS", wall_s > 0 ? s->requests / (wall_s * rs->tscale) : 0.0,
                  "throttled", (json_int_t)s->throttled, "tokenFetches",
                  (json_int_t)s->token_fetches, "reauth401", (json_int_t)s->reauth_401));
    json_t *st = json_object();
    for (int i = 0; i < STATS_MAX_STATUS; i++)
        if (s->status[i]) {
            char k[8];
            snprintf(k, sizeof k, "%d", i);
            json_object_set_new(st, k, json_integer(s->status[i]));
        }
    json_object_set_new(sum, "status", st);
    json_object_set_new(sum, "iterations",
                        json_pack("{sI sI sI sI sI}", "offered", (json_int_t)s->offered, "started",
                                  (json_int_t)s->started, "dropped", (json_int_t)s->dropped, "late",
                                  (json_int_t)s->late, "completed", (json_int_t)s->iterations));
    json_object_set_new(sum, "connections", connections(rs, s));
    json_t *tags = json_object();
    for (size_t i = 0; i < scn->ntags; i++)
        if (s->tags[i].requests)
            json_object_set_new(tags, scn->tags[i],
                                report_latency_stats(s->tags[i].lat, s->tags[i].raw,
                                                     s->tags[i].requests, s->tags[i].failed));
    json_object_set_new(
        sum, "latency",
        json_pack("{so so}", "all",
                  report_latency_stats(t->lat_all, t->raw_all, s->requests, s->failed), "tags",
                  tags));
    json_t *th = json_array();
    for (size_t i = 0; i < scn->nthresholds; i++) {
        const struct scn_threshold *x = &scn->thresholds[i];
        struct th_cond c = {.pct = x->pct, .cmp = (enum th_cmp)x->cmp, .value = x->value};
        memcpy(c.stat, x->stat, sizeof c.stat);
        json_array_append_new(
            th, thresholds_entry(x->text, (enum th_metric)x->metric, x->selector, &c));
    }
    json_object_set_new(sum, "thresholds", th);
    return sum;
}
