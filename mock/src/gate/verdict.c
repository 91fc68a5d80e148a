/* verdict.c - see verdict.h */
#include "verdict.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hlog.h"
#include "html.h"
#include "judge.h"
#include "reconcile.h"
#include "report.h"
#include "router.h"
#include "rundir.h"
#include "thresholds.h"

const struct cx_hist *gate_hist_for(void *ctx, const char *tag)
{
    struct gate_requests *g = ctx;
    if (!tag || !*tag)
        return g->all;
    char name[128];
    for (size_t i = 0; i < GATE_ROUTES && cxm_route_name(i, name, sizeof name); i++)
        if (strcmp(name, tag) == 0)
            return g->routes[i].lat;
    return NULL;
}

/* The figures: requests, statuses, latency by route (the mock's handling time). */
static json_t *figures(struct gate_requests *g, const struct gate_run *run)
{
    char when[32];
    time_t started = (time_t)(run->started_us / 1000000);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&started));
    double rate = run->wall_s > 0 ? (double)g->count / run->wall_s : 0;
    json_t *s = json_pack("{ss ss ss sI si ss ss sI sf sf}", "scenario", run->name, "description",
                          "an outside program judged by cxmock gate from the mock's side", "target",
                          "cxmock gate", "seed", (json_int_t)run->seed, "threads", 1, "clock",
                          run->clock, "startedAt", when, "startedAtUs", (json_int_t)run->started_us,
                          "wallSeconds", run->wall_s, "simSeconds", run->wall_s * run->scale);
    json_object_set_new(s, "requests",
                        json_pack("{sI sI sI sI si si sI sf sf sI sI si}", "count",
                                  (json_int_t)g->count, "ok", (json_int_t)g->ok, "failed",
                                  (json_int_t)g->failed, "indeterminate",
                                  (json_int_t)g->indeterminate, "timeouts", 0, "transportErrors", 0,
                                  "retries", (json_int_t)g->retries, "ratePerS", rate,
                                  "ratePerSimS", rate / run->scale, "throttled", (json_int_t)0,
                                  "tokenFetches", (json_int_t)g->token_fetches, "reauth401", 0));
    json_t *st = json_object();
    for (int i = 0; i < GATE_STATUSES; i++)
        if (g->status[i]) {
            char k[8];
            snprintf(k, sizeof k, "%d", i);
            json_object_set_new(st, k, json_integer(g->status[i]));
        }
    json_object_set_new(s, "status", st);
    json_object_set_new(s, "iterations",
                        json_pack("{si si si si si}", "offered", 0, "started", 0, "dropped", 0,
                                  "late", 0, "completed", 0));
    json_t *tags = json_object();
    char name[128];
    for (size_t i = 0; i < GATE_ROUTES && cxm_route_name(i, name, sizeof name); i++)
        if (g->routes[i].count)
            json_object_set_new(tags, name,
                                report_latency_stats(g->routes[i].lat, g->routes[i].lat,
                                                     g->routes[i].count, g->routes[i].failed));
    json_object_set_new(s, "latency",
                        json_pack("{so so}", "all",
                                  report_latency_stats(g->all, g->all, g->count, g->failed), "tags",
                                  tags));
    return s;
}

/* The program's end, as the summary tells it. */
static json_t *command(const struct gate_run *run)
{
    static const char *const ends[] = {"exited", "signalled", "timedOut", "interrupted", "notRun"};
    char text[300];
    return json_pack("{ss ss si sf}", "end", ends[run->child.end], "text",
                     gate_child_describe(&run->child, text, sizeof text), "code", run->child.code,
                     "seconds", run->child.seconds);
}

static int write_json(const char *dir, const char *name, const json_t *v, struct cx_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    int bad =
        !f || json_dumpf(v, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) < 0;
    bad |= f && (fputc('\n', f) == EOF);
    bad |= f && fclose(f) != 0;
    return bad ? cx_error_at(err, path, -1, -1, "", "cannot write: %s", strerror(errno)) : 0;
}

/* latency.hlog: one interval, the whole run, per route and untagged for all. */
static int write_hlog(struct gate_requests *g, const struct gate_run *run, const char *dir,
                      struct cx_error *err)
{
    char path[4096], name[128], tag[160];
    snprintf(path, sizeof path, "%s/latency.hlog", dir);
    FILE *f = fopen(path, "w");
    struct cx_hlog_writer *w = NULL;
    int rc = f && cx_hlog_open(f, (double)run->started_us / 1e6, &w) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < GATE_ROUTES && cxm_route_name(i, name, sizeof name); i++)
        if (g->routes[i].count && cx_hlog_tag(name, tag, sizeof tag) == 0)
            rc = cx_hlog_write(w, tag, 0, run->wall_s, g->routes[i].lat);
    if (rc == 0 && g->count)
        rc = cx_hlog_write(w, NULL, 0, run->wall_s, g->all);
    rc |= cx_hlog_close(w);
    if (f && fclose(f) != 0)
        rc = -1;
    return rc < 0 ? cx_error_at(err, path, -1, -1, "", "cannot write: %s", strerror(errno)) : 0;
}

/* junit.xml and report.html, the latter from the run directory as cxreport html reads it. */
static int write_reports(const json_t *s, const char *dir, struct cx_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/junit.xml", dir);
    FILE *f = fopen(path, "w");
    if (!f || report_junit(f, s) < 0 || fclose(f) != 0)
        return cx_error_at(err, path, -1, -1, "", "cannot write: %s", strerror(errno));
    struct rundir *r;
    if (rundir_load(dir, RUNDIR_HLOG, &r, err) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/report.html", dir);
    f = fopen(path, "w");
    int rc = f && report_html(f, r->summary, rundir_hist_for, r, r->dir) == 0 ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    rundir_free(r);
    return rc < 0 ? cx_error_at(err, path, -1, -1, "", "cannot write: %s", strerror(errno)) : 0;
}

json_t *gate_verdict(struct gate_requests *g, const struct gate_run *run, const char *out,
                     struct cx_error *err)
{
    json_t *steps = gate_route_names(), *reconciliation = NULL;
    json_t *v = judge_verdict(g->kept.v, g->kept.n, steps, run->mock, &reconciliation);
    json_t *s = v ? figures(g, run) : NULL;
    if (!s) {
        json_decref(steps);
        json_decref(v);
        cx_error_set(err, "out of memory judging the run");
        return NULL;
    }
    checks_judge_as_platform(v, run->mock);
    json_object_set_new(s, "historyFormat", json_integer(GATE_HISTORY_FORMAT));
    json_object_set_new(s, "steps", steps);
    json_object_set_new(s, "command", command(run));
    json_object_set_new(s, "violations", v);
    json_object_set_new(s, "reconciliation", reconciliation ? reconciliation : json_array());
    json_object_set(s, "mockViolations", run->mock);
    json_object_set(s, "thresholds", run->thresholds);
    int failed = thresholds_eval(s, gate_hist_for, g);
    int rc = gate_child_failed(&run->child) ? GATE_EXIT_COMMAND
             : failed                       ? GATE_EXIT_FAILED
                                            : GATE_EXIT_HELD;
    if (rc == GATE_EXIT_COMMAND) { /* a program that failed is no pass, whatever was seen */
        char text[300];
        json_object_set_new(s, "passed", json_false());
        json_object_set_new(s, "commandFailed",
                            json_string(gate_child_describe(&run->child, text, sizeof text)));
    }
    json_object_set_new(s, "exitCode", json_integer(rc));
    if (write_json(out, "summary.json", s, err) < 0 || write_hlog(g, run, out, err) < 0 ||
        write_reports(s, out, err) < 0) {
        json_decref(s);
        return NULL;
    }
    return s;
}
