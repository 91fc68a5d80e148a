/* api_admin.c - the admin API (/__admin/..., README "Admin API"): ground truth and control.
 * Access (loopback or --admin-token) is checked by the router before these run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "handlers.h"
#include "invariants.h"
#include "router.h"
#include "routing.h"

/* 200 {"status":"ok"}, or 503 {"status":"unhealthy","reason":...} once the ledger is broken
 * (SIM-03): a verdict from this mock can no longer be trusted. */
void cxm_admin_health(struct cxm_api *api, struct cxm_call *c)
{
    struct cxm_resp *rs = c->rs;
    char why[200];
    if (cxm_ledger_broken(&api->sim.ledger, why, sizeof why))
        cxm_respond(rs, 503,
                    json_pack("{ss ss ss}", "status", "unhealthy", "reason", why, "detail",
                              "the ledger has lost an entry; the mock refuses requests until it "
                              "is restarted"));
    else
        cxm_respond(rs, 200, json_pack("{ss}", "status", "ok"));
}

void cxm_admin_reset(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_req *rq = c->rq;
    struct cxm_resp *rs = c->rs;
    json_t *body = cxm_req_json(rq, rs);
    if (!body)
        return;
    json_t *seed_v = json_object_get(body, "seed");
    if (!json_is_object(body) ||
        (seed_v && (!json_is_integer(seed_v) || json_integer_value(seed_v) < 0))) {
        json_decref(body);
        cxm_respond(rs, 400, cxm_field_err("seed", "body must be {} or {\"seed\": N >= 0}"));
        return;
    }
    uint64_t seed = seed_v ? (uint64_t)json_integer_value(seed_v) : api->sim.seed;
    json_decref(body);
    if (cxm_sim_reset(&api->sim, seed) < 0) {
        cxm_respond(rs, 500, cxm_err("internal_error", "out of memory"));
        return;
    }
    cxm_respond(rs, 200, json_pack("{ss sI}", "status", "reset", "seed", (json_int_t)seed));
}

static json_t *clock_view(const struct cxm_sim *s)
{
    char mode[32], iso[32];
    cxm_clock_describe(&s->clock, mode, sizeof mode);
    cxm_time_iso(s->now, iso);
    return json_pack("{ss sI ss}", "mode", mode, "now", (json_int_t)s->now, "nowIso", iso);
}

#define STATE_LIMIT 1000 /* interactions (and queue members) per page by default */

/* The queues, each with its first LIMIT member ids ("members"; "depth" counts them all). */
static json_t *queues_view(const struct cxm_sim *s, size_t limit)
{
    json_t *queues = json_array();
    for (size_t q = 0; q < s->model.nqueues; q++) {
        const struct cxm_queue *queue = &s->model.queues[q];
        json_t *v = cxm_view_queue(s, (int)q), *members = json_array();
        for (size_t i = 0; i < queue->nmembers && i < limit; i++)
            json_array_append_new(members, json_string(s->model.ix[queue->members[i]]->id));
        json_object_set_new(v, "members", members);
        json_array_append_new(queues, v);
    }
    return queues;
}

/* Interactions [after, after + limit) in creation order, as the admin sees them. */
static json_t *interactions_view(const struct cxm_sim *s, size_t after, size_t limit)
{
    json_t *ix = json_array();
    for (size_t i = after; i < s->model.nix && i - after < limit; i++) {
        const struct cxm_interaction *x = s->model.ix[i];
        if (!x) { /* forgotten (endedRetention): its place, so pages keep their size */
            json_array_append_new(ix, json_pack("{sI sb}", "index", (json_int_t)i, "forgotten", 1));
            continue;
        }
        json_t *v = cxm_view_interaction(&s->model, x);
        json_object_set_new(v, "dropped", json_boolean(x->dropped));
        json_object_set_new(v, "pendingOwner",
                            x->pending_owner >= 0
                                ? json_string(s->model.agents[x->pending_owner].def->id)
                                : json_null());
        json_array_append_new(ix, v);
    }
    return ix;
}

/* GET /__admin/state[?after=N&limit=M]: a page of at most M interactions (default 1000) from
 * the Nth, "next" the cursor of the following page (null at the end), the total in
 * "interactionsTotal"; each queue's first M members. Built under the lock, so bounded. */
void cxm_admin_state(struct cxm_api *api, struct cxm_call *c)
{
    struct cxm_resp *rs = c->rs;
    struct cxm_sim *s = &api->sim;
    unsigned long long after, limit;
    if (cxm_query_uint(c->rq, rs, "after", 0, 0, UINT64_MAX, &after) < 0 ||
        cxm_query_uint(c->rq, rs, "limit", STATE_LIMIT, 1, 100000, &limit) < 0)
        return;
    json_t *agents = json_array();
    for (size_t a = 0; a < s->model.nagents; a++)
        json_array_append_new(agents, cxm_view_agent(&s->model, &s->model.agents[a]));
    /* The page [start, end), never after + limit: that wraps for the largest cursors. */
    size_t start = after < s->model.nix ? (size_t)after : s->model.nix;
    size_t end = limit < s->model.nix - start ? start + (size_t)limit : s->model.nix;
    json_t *state = json_pack(
        "{ss sI so so so so sI so sI sI sI}", "tenant", s->tenant->name, "seed",
        (json_int_t)s->seed, "clock", clock_view(s), "agents", agents, "queues",
        queues_view(s, (size_t)limit), "interactions", interactions_view(s, start, (size_t)limit),
        "interactionsTotal", (json_int_t)s->model.nix, "next",
        end < s->model.nix ? json_integer((json_int_t)end) : json_null(), "scheduled",
        (json_int_t)s->sched.n, "ledgerEntries", (json_int_t)s->ledger.n, "eventCursor",
        (json_int_t)cxm_events_last(&s->events));
    if (api->state_extra)
        json_object_update_missing_new(state, api->state_extra(api->state_extra_ctx));
    cxm_respond(rs, 200, state);
}

typedef int body_fn(struct cxm_sim *, const char *, json_t *, json_t **);

static void body_call(struct cxm_api *api, const struct cxm_req *rq, const char *id,
                      struct cxm_resp *rs, body_fn *fn)
{
    json_t *body = cxm_req_json(rq, rs);
    if (!body)
        return;
    json_t *out = NULL;
    int status = fn(&api->sim, id, body, &out);
    json_decref(body);
    cxm_respond(rs, status, out);
}

void cxm_admin_create(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_req *rq = c->rq;
    struct cxm_resp *rs = c->rs;
    json_t *body = cxm_req_json(rq, rs);
    if (!body)
        return;
    json_t *out = NULL;
    int status = cxm_admin_create_interaction(&api->sim, body, &out);
    json_decref(body);
    cxm_respond(rs, status, out);
}

void cxm_admin_end(struct cxm_api *api, struct cxm_call *c)
{
    char **params = c->params;
    struct cxm_resp *rs = c->rs;
    json_t *out = NULL;
    int status = cxm_admin_end_interaction(&api->sim, params[0], &out);
    cxm_respond(rs, status, out);
}

void cxm_admin_queue(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_req *rq = c->rq;
    char **params = c->params;
    struct cxm_resp *rs = c->rs;
    body_call(api, rq, params[0], rs, cxm_admin_update_queue);
}

void cxm_admin_agent(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_req *rq = c->rq;
    char **params = c->params;
    struct cxm_resp *rs = c->rs;
    body_call(api, rq, params[0], rs, cxm_admin_update_agent);
}

void cxm_admin_faults(struct cxm_api *api, struct cxm_call *c)
{
    json_t *body = cxm_req_json(c->rq, c->rs);
    if (!body)
        return;
    struct cx_error why;
    if (cxm_sim_set_faults(&api->sim, body, &why) < 0) {
        json_decref(body);
        cxm_respond(c->rs, 400,
                    json_pack("{ss ss ss}", "error", "validation_error", "field", why.key, "detail",
                              why.text));
        return;
    }
    cxm_sim_record(&api->sim, "FAULTS_SET", json_pack("{so}", "faults", body));
    cxm_respond(c->rs, 200, json_pack("{sI}", "faults", (json_int_t)api->sim.faults.n));
}

void cxm_admin_clock(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_req *rq = c->rq;
    struct cxm_resp *rs = c->rs;
    struct cxm_sim *s = &api->sim;
    json_t *body = cxm_req_json(rq, rs);
    if (!body)
        return;
    json_t *adv = json_object_get(body, "advanceMs"), *scale = json_object_get(body, "scale");
    int64_t headroom = cxm_clock_headroom_ms(&s->clock);
    char end[32];
    cxm_time_iso(CXM_CLOCK_MAX_MS, end);
    if (!json_is_object(body) || (!adv && !scale) || (adv && scale) ||
        (adv && (!json_is_integer(adv) || json_integer_value(adv) < 0)) ||
        (scale && (!json_is_number(scale) || json_number_value(scale) <= 0))) {
        cxm_respond(rs, 400,
                    cxm_err("validation_error",
                            "body must be {\"advanceMs\": N >= 0} or {\"scale\": X > 0}"));
    } else if (adv && s->clock.mode == CXM_CLOCK_MANUAL && json_integer_value(adv) > headroom) {
        cxm_respond(rs, 400,
                    cxm_field_err("advanceMs",
                                  "advanceMs must be 0..%lld: the clock ends at %s, %lld ms from "
                                  "now",
                                  (long long)headroom, end, (long long)headroom));
    } else if (scale && s->clock.mode != CXM_CLOCK_MANUAL &&
               !cxm_clock_scale_ok(json_number_value(scale))) {
        cxm_respond(rs, 400,
                    cxm_field_err("scale", "scale must be %g..%.0f, not %g", CXM_CLOCK_MIN_SCALE,
                                  CXM_CLOCK_MAX_SCALE, json_number_value(scale)));
    } else if (adv && cxm_clock_advance(&s->clock, json_integer_value(adv)) < 0) {
        cxm_respond(rs, 409, cxm_err("clock_not_manual", "advanceMs needs --clock manual"));
    } else if (scale && cxm_clock_set_scale(&s->clock, json_number_value(scale)) < 0) {
        cxm_respond(rs, 409, cxm_err("clock_manual", "a manual clock has no scale"));
    } else {
        cxm_sim_run_due(s); /* effects in due order, each stamped with its own time */
        cxm_respond(rs, 200, clock_view(s));
    }
    json_decref(body);
}

void cxm_admin_ledger(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_req *rq = c->rq;
    struct cxm_resp *rs = c->rs;
    struct cxm_ledger *l = &api->sim.ledger;
    unsigned long long after, limit;
    if (cxm_query_uint(rq, rs, "after", 0, 0, UINT64_MAX, &after) < 0 ||
        cxm_query_uint(rq, rs, "limit", 10000, 1, 100000, &limit) < 0)
        return;
    struct cx_buf out;
    cx_buf_init(&out);
    cx_buf_adds(&out, "{\"entries\":[");
    unsigned long long seq = after, n = 0;
    for (; seq < l->n && n < limit; seq++, n++) {
        const char *line = cxm_ledger_get(l, seq + 1);
        if (!line) {
            cx_buf_free(&out);
            cxm_respond(rs, 500,
                        cxm_err("internal_error", "ledger entry %llu cannot be read", seq + 1));
            return;
        }
        if (n)
            cx_buf_adds(&out, ",");
        cx_buf_adds(&out, line);
    }
    cx_buf_addf(&out, "],\"next\":%llu,\"total\":%zu}", seq, l->n);
    rs->raw = cx_buf_take(&out);
    rs->status = rs->raw ? 200 : 500;
}

/* Any check with a count: what ?fail=1 answers 409 for. */
static int any_violation(const json_t *report)
{
    const char *name;
    json_t *check;
    json_object_foreach(json_object_get(report, "checks"), name, check)
    {
        if (json_integer_value(json_object_get(check, "count")) > 0)
            return 1;
    }
    return 0;
}

/* GET /__admin/violations[?fail=1]: the SIM-04 checks; with fail=1, 409 when any has a count,
 * so a shell gate needs only `curl --fail`. */
void cxm_admin_violations(struct cxm_api *api, struct cxm_call *c)
{
    struct cxm_resp *rs = c->rs;
    char fail[8];
    int gate = cxm_query_str(c->rq, rs, "fail", fail, sizeof fail);
    if (gate < 0)
        return;
    if (gate && strcmp(fail, "1") != 0 && strcmp(fail, "0") != 0) {
        cxm_respond(rs, 400, cxm_field_err("fail", "fail must be 0 or 1"));
        return;
    }
    json_t *report = cxm_invariants(&api->sim.ledger);
    cxm_respond(rs, gate && fail[0] == '1' && any_violation(report) ? 409 : 200, report);
}

/* GET /metrics: Prometheus text format. */
void cxm_admin_metrics(struct cxm_api *api, struct cxm_call *c)
{
    const struct cxm_metrics *mt = &api->metrics;
    struct cxm_sim *s = &api->sim;
    struct cx_buf b;
    cx_buf_init(&b);
    char name[128];
    cx_buf_adds(&b, "# HELP cxmock_requests_total Requests by route and status (0: reset).\n"
                    "# TYPE cxmock_requests_total counter\n");
    for (size_t r = 0; cxm_route_name(r, name, sizeof name); r++)
        for (int i = 0; i < CXM_METRIC_STATUSES && mt->counts[r][i].count; i++)
            cx_buf_addf(&b, "cxmock_requests_total{route=\"%s\",status=\"%d\"} %llu\n", name,
                        mt->counts[r][i].status, (unsigned long long)mt->counts[r][i].count);
    cx_buf_addf(&b,
                "cxmock_requests_total{route=\"unrouted\",status=\"404\"} %llu\n"
                "cxmock_requests_total{route=\"unrouted\",status=\"405\"} %llu\n",
                (unsigned long long)mt->unrouted[0], (unsigned long long)mt->unrouted[1]);
    cx_buf_addf(&b,
                "# HELP cxmock_rate_limited_total 429s by the window that refused (RATE-01).\n"
                "# TYPE cxmock_rate_limited_total counter\n"
                "cxmock_rate_limited_total{limit=\"client\"} %llu\n"
                "cxmock_rate_limited_total{limit=\"tenant\"} %llu\n"
                "cxmock_rate_limited_total{limit=\"agentState\"} %llu\n"
                "# HELP cxmock_faults_injected_total Requests a fault plan changed (FLT-01).\n"
                "# TYPE cxmock_faults_injected_total counter\n"
                "cxmock_faults_injected_total %llu\n",
                (unsigned long long)mt->limited[0], (unsigned long long)mt->limited[1],
                (unsigned long long)mt->limited[2], (unsigned long long)mt->faults_injected);
    cx_buf_adds(&b, "# HELP cxmock_ledger_entries_total Ground-truth effects by type (SIM-03).\n"
                    "# TYPE cxmock_ledger_entries_total counter\n");
    for (size_t i = 0; i < s->ledger.ntypes; i++)
        cx_buf_addf(&b, "cxmock_ledger_entries_total{type=\"%s\"} %llu\n", s->ledger.types[i],
                    (unsigned long long)s->ledger.type_counts[i]);
    cx_buf_adds(&b, "# HELP cxmock_ledger_failures_total Ledger entries that could not be built, "
                    "written, synced or stored (SIM-03); any breaks the ledger.\n"
                    "# TYPE cxmock_ledger_failures_total counter\n");
    for (int k = 0; k < CXM_LEDGER_FAILURES; k++)
        cx_buf_addf(&b, "cxmock_ledger_failures_total{kind=\"%s\"} %lu\n",
                    cxm_ledger_failure_names[k],
                    __atomic_load_n(&s->ledger.failures[k], __ATOMIC_RELAXED));
    cx_buf_addf(&b,
                "# HELP cxmock_ledger_broken 1 once the ledger has lost an entry: requests are "
                "refused.\n"
                "# TYPE cxmock_ledger_broken gauge\n"
                "cxmock_ledger_broken %d\n",
                cxm_ledger_broken(&s->ledger, NULL, 0));
    cx_buf_adds(&b, "# HELP cxmock_queue_depth Interactions waiting (Queued or Ringing).\n"
                    "# TYPE cxmock_queue_depth gauge\n");
    for (size_t q = 0; q < s->model.nqueues; q++)
        cx_buf_addf(&b, "cxmock_queue_depth{queue=\"%s\"} %zu\n", s->model.queues[q].def->id,
                    s->model.queues[q].nmembers);
    cx_buf_addf(&b,
                "# HELP cxmock_idempotency_keys Keys held by the idempotency store (INJ-05).\n"
                "# TYPE cxmock_idempotency_keys gauge\n"
                "cxmock_idempotency_keys %zu\n"
                "# HELP cxmock_idempotency_evicted_total Keys forgotten early to bound memory.\n"
                "# TYPE cxmock_idempotency_evicted_total counter\n"
                "cxmock_idempotency_evicted_total %llu\n",
                s->idem.n, (unsigned long long)s->idem.evicted);
    cx_buf_addf(&b,
                "# HELP cxmock_interactions Interactions held in memory, live and ended.\n"
                "# TYPE cxmock_interactions gauge\ncxmock_interactions %llu\n"
                "# HELP cxmock_interactions_forgotten_total Ended interactions forgotten past "
                "the fixture's endedRetention (the ledger keeps them).\n"
                "# TYPE cxmock_interactions_forgotten_total counter\n"
                "cxmock_interactions_forgotten_total %llu\n",
                (unsigned long long)(s->model.nix - s->model.forgotten),
                (unsigned long long)s->model.forgotten);
    cx_buf_addf(&b,
                "# HELP cxmock_workers HTTP worker threads (--threads).\n"
                "# TYPE cxmock_workers gauge\ncxmock_workers %d\n"
                "# HELP cxmock_workers_busy Workers holding a connection now.\n"
                "# TYPE cxmock_workers_busy gauge\ncxmock_workers_busy %d\n"
                "# HELP cxmock_workers_saturated_total Connections opened while every worker "
                "was busy (others then wait).\n"
                "# TYPE cxmock_workers_saturated_total counter\n"
                "cxmock_workers_saturated_total %lu\n"
                "# HELP cxmock_connections_evicted_total Idle connections closed so that "
                "connections waiting for a worker get one.\n"
                "# TYPE cxmock_connections_evicted_total counter\n"
                "cxmock_connections_evicted_total %lu\n"
                "# HELP cxmock_long_polls Long polls waiting now.\n"
                "# TYPE cxmock_long_polls gauge\ncxmock_long_polls %d\n"
                "# HELP cxmock_long_polls_max Long polls that may wait at once (half the "
                "workers).\n"
                "# TYPE cxmock_long_polls_max gauge\ncxmock_long_polls_max %d\n"
                "# HELP cxmock_long_polls_refused_total Long polls answered 503 "
                "long_poll_capacity.\n"
                "# TYPE cxmock_long_polls_refused_total counter\n"
                "cxmock_long_polls_refused_total %lu\n",
                api->opts.threads, __atomic_load_n(&api->workers.busy, __ATOMIC_RELAXED),
                __atomic_load_n(&api->workers.saturated, __ATOMIC_RELAXED),
                __atomic_load_n(&api->workers.evicted, __ATOMIC_RELAXED), api->long_polls.waiting,
                cxm_long_poll_budget(api), api->long_polls.refused);
    cx_buf_adds(&b, "# HELP cxmock_handler_seconds Time from dispatch to response, lock "
                    "included.\n# TYPE cxmock_handler_seconds histogram\n");
    uint64_t cum = 0;
    for (int i = 0; i < CXM_LATENCY_BUCKETS; i++) {
        cum += mt->latency_buckets[i];
        if (i == CXM_LATENCY_BUCKETS - 1)
            cx_buf_addf(&b, "cxmock_handler_seconds_bucket{le=\"+Inf\"} %llu\n",
                        (unsigned long long)cum);
        else
            cx_buf_addf(&b, "cxmock_handler_seconds_bucket{le=\"%g\"} %llu\n",
                        cxm_latency_bounds_s[i], (unsigned long long)cum);
    }
    cx_buf_addf(&b, "cxmock_handler_seconds_sum %.6f\ncxmock_handler_seconds_count %llu\n",
                mt->latency_sum_s, (unsigned long long)mt->latency_count);
    cx_buf_addf(&b,
                "# HELP cxmock_lock_wait_seconds_total Time requests waited for the mock's lock.\n"
                "# TYPE cxmock_lock_wait_seconds_total counter\n"
                "cxmock_lock_wait_seconds_total %.6f\n"
                "# HELP cxmock_lock_held_seconds_total Time requests held it (near 1 s a second: "
                "the mock is the bottleneck).\n"
                "# TYPE cxmock_lock_held_seconds_total counter\n"
                "cxmock_lock_held_seconds_total %.6f\n",
                mt->lock_wait_s, mt->lock_held_s);
    c->rs->raw = cx_buf_take(&b);
    c->rs->status = c->rs->raw ? 200 : 500;
    c->rs->content_type = "text/plain; version=0.0.4";
}
