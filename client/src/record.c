/* record.c - see record.h */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "excerpt.h"
#include "redact.h"
#include "vars.h"
#include "wstate.h"

static char *json_str_dup(const json_t *o, const char *k)
{
    const json_t *x = o ? json_object_get(o, k) : NULL;
    return json_is_string(x) ? strdup(json_string_value(x)) : NULL;
}

static int json_int_or(const json_t *o, const char *k, int dflt)
{
    const json_t *x = o ? json_object_get(o, k) : NULL;
    return json_is_integer(x) ? (int)json_integer_value(x) : dflt;
}

static int method_idempotent(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "PUT") == 0 ||
           strcmp(m, "DELETE") == 0;
}

/* ok, fail, or indeterminate: no answer to a request that is not safe to repeat. */
static enum outcome outcome_of(const struct scn_request *rq, const struct attempt_end *e)
{
    int nonidem = !method_idempotent(rq->method) && !rq->idempotency;
    return e->ok ? OUT_OK : e->status == 0 && nonidem && e->sent ? OUT_INDETERMINATE : OUT_FAIL;
}

static void count(struct vu *v, const struct attempt_end *e, enum outcome oc)
{
    struct wstate *ws = v->ws;
    const struct scn_step *st = v->op.step;
    struct stats *s = ws_stats(ws);
    int tag = scn_tag_index(ws->scn, st->tag);
    s->requests++;
    s->status[e->status >= 0 && e->status < STATS_MAX_STATUS ? e->status : 0]++;
    if (e->status == 0 && e->sent) { /* an unsent request is a failure, not the network's */
        if (e->cc == CURLE_OPERATION_TIMEDOUT)
            s->timeouts++;
        else
            s->transport_errors++;
    }
    if (oc == OUT_FAIL)
        s->failed++;
    else if (oc == OUT_INDETERMINATE)
        s->indeterminate++;
    if (v->op.attempt > 0)
        s->retries++;
    if (tag >= 0) {
        struct tag_stats *t = &s->tags[tag];
        t->requests++;
        t->failed += oc == OUT_FAIL;
        t->indeterminate += oc == OUT_INDETERMINATE;
        cx_hist_record(t->lat, e->end_us - v->intended_us);
        cx_hist_record(t->raw, e->end_us - v->sent_us);
    }
    if (!e->ok && e->why)
        s->expect_failed++;
}

/* "METHOD /path" as sent, as a record shows it (each ${env.NAME} as «env:NAME», redact.h), or
 * NULL if the path does not expand. */
static char *method_and_path(struct vu *v, const struct scn_request *rq)
{
    if (!rq->path)
        return NULL;
    struct cx_buf b;
    cx_buf_init(&b);
    cx_buf_adds(&b, rq->method);
    cx_buf_add(&b, " ", 1);
    char *missing = NULL;
    if (tpl_expand(rq->path, vars_lookup_shown, v, &b, &missing) < 0) {
        free(missing);
        cx_buf_free(&b);
        return NULL;
    }
    char *s = cx_buf_take(&b);
    redact_own(v->ws->rs->redact, &s); /* a secret an extracted value brought */
    return s;
}

/* O's string K, redacted (redact.h); NULL if absent. */
static char *json_str_shown(const struct redact *red, const json_t *o, const char *k)
{
    char *s = json_str_dup(o, k);
    redact_own(red, &s);
    return s;
}

/* A deep copy of object X, redacted; NULL if X is not an object. */
static json_t *json_obj_shown(const struct redact *red, const json_t *x)
{
    json_t *c = json_is_object(x) ? json_deep_copy(x) : NULL;
    redact_json(red, c);
    return c;
}

/* What the checks read from the operation and its answer (histories keep it for records that
 * matter to a check), as records show it: the step's subject, agent and key with each
 * ${env.NAME} as «env:NAME»; what the body sent and the answer said with every secret value
 * replaced alike (redact.h), so what a check compares stays equal or unequal as it was. */
static void what_checks_read(struct vu *v, struct hrec *r)
{
    const struct scn_request *rq = &v->op.step->req;
    const struct redact *red = v->ws->rs->redact;
    r->subject = vars_expand_shown(v, rq->subject);
    r->agent = vars_expand_shown(v, rq->agent);
    r->key = vars_expand_shown(v, rq->key);
    const json_t *b = rq->op != HREC_NONE ? exchange_json(&v->x) : NULL;
    r->resp_agent = json_str_shown(red, b, "agentId");
    r->resp_state = json_str_shown(red, b, "state");
    r->resp_id = json_str_shown(red, b, "contactId");
    if (!r->resp_id)
        r->resp_id = json_str_shown(red, b, "id");
    r->resp_priority = json_int_or(b, "priority", -1);
    r->resp_position = json_int_or(json_object_get(b, "queuePosition"), "position", -1);
    const json_t *attrs;
    if (rq->op == HREC_READ) { /* what was stored: REJ-02, INJ-04 */
        r->resp_reason = json_str_shown(red, b, "rejectReason");
        r->resp_attrs = json_obj_shown(red, json_object_get(b, "attributes"));
    }
    if (v->op.json) {
        r->req_priority = json_int_or(v->op.json, "priority", -1);
        r->returned = json_is_true(json_object_get(v->op.json, "returnToQueue"));
        if (rq->op == HREC_REJECT && r->outcome == OUT_OK)
            r->req_reason = json_str_shown(red, v->op.json, "rejectReason");
        attrs = json_object_get(v->op.json, "attributes");
        if (rq->op == HREC_INJECT && r->outcome == OUT_OK)
            r->req_attrs = json_obj_shown(red, attrs);
    }
}

/* The values an answer must never show besides the environment's (those are shown as
 * «env:NAME»): v's auth sources' secrets and passwords, from users or vars. A NULL-terminated
 * list to free with free_strings. */
static char **known_secrets(struct vu *v)
{
    const struct scenario *scn = v->ws->scn;
    size_t n = 2 * scn->nauths, k = 0;
    char **out = calloc(n + 1, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < scn->nauths; i++) {
        if (scn->auths[i].client_secret && (out[k] = vars_expand(v, scn->auths[i].client_secret)))
            k++;
        if (scn->auths[i].password && (out[k] = vars_expand(v, scn->auths[i].password)))
            k++;
    }
    return out;
}

static void free_strings(char **list)
{
    for (char **p = list; p && *p; p++) {
        memset(*p, 0, strlen(*p)); /* a secret does not linger in freed memory */
        free(*p);
    }
    free(list);
}

/* A failed expectation keeps what its answer said (excerpt.h). */
static void keep_answer(struct vu *v, struct hrec *r)
{
    const char *type = exchange_header(&v->x, "Content-Type");
    r->resp_type = type ? strdup(type) : NULL;
    redact_own(v->ws->rs->redact, &r->resp_type);
    char **secrets = known_secrets(v);
    r->resp_body = answer_excerpt(v->x.resp_body.data, v->x.resp_body.len, v->ws->rs->redact,
                                  (const char *const *)secrets);
    free_strings(secrets);
}

void record_attempt(struct vu *v, const struct attempt_end *e)
{
    struct wstate *ws = v->ws;
    const struct scn_step *st = v->op.step;
    const struct scn_request *rq = &st->req;
    enum outcome oc = outcome_of(rq, e);
    count(v, e, oc);

    struct hrec r;
    hrec_init(&r);
    r.thread = ws->w->index;
    r.vu = v->index;
    r.step = ws_step_index(ws, st);
    r.iter = v->iter;
    r.opid = v->op.opid;
    r.attempt = v->op.attempt;
    r.op = rq->op;
    r.status = e->status;
    r.outcome = oc;
    r.intended_us = ws_rel(ws, v->intended_us);
    r.start_us = ws_rel(ws, v->sent_us);
    r.end_us = ws_rel(ws, e->end_us);
    r.retry_after_us = e->retry_after_us;
    r.has_idem = rq->idempotency;
    r.setup = ws->setup;
    r.token = v->token_serial;
    r.expect_failed = !e->ok && e->why;
    const char *rid = exchange_header(&v->x, "X-Request-Id");
    if (rid)
        snprintf(r.request_id, sizeof r.request_id, "%s", rid);
    int keep = hrec_matters(&r);
    if (keep || ws->w->hist.f)
        r.path = method_and_path(v, rq);
    if (keep) {
        r.why = r.expect_failed ? strdup(e->why) : NULL;
        redact_own(ws->rs->redact, &r.why);
        r.rule = rq->rule ? strdup(rq->rule) : NULL;
        what_checks_read(v, &r);
        if (r.expect_failed && e->sent && e->status > 0)
            keep_answer(v, &r);
    }
    history_add(&ws->w->hist, &r, st->tag ? st->tag : "");
}

void record_token(struct vu *v, int64_t end_us, int status, uint64_t serial, const char *client_id,
                  const char *source)
{
    struct wstate *ws = v->ws;
    struct hrec r;
    hrec_init(&r);
    r.thread = ws->w->index;
    r.vu = v->index;
    r.op = HREC_TOKEN;
    r.setup = ws->setup;
    r.status = status;
    r.start_us = ws_rel(ws, v->sent_us);
    r.end_us = ws_rel(ws, end_us);
    r.intended_us = r.start_us;
    r.key = malloc(HREC_DIGEST);
    if (r.key)
        hrec_digest(client_id ? client_id : "", r.key);
    r.subject = strdup(source);
    r.path = strdup("POST token");
    const char *rid = exchange_header(&v->x, "X-Request-Id");
    if (rid)
        snprintf(r.request_id, sizeof r.request_id, "%s", rid);
    r.token = serial;
    r.outcome = serial ? OUT_OK : OUT_FAIL;
    history_add(&ws->w->hist, &r, "token");
}

/* A control record of v's current step (a barrier or an advance): no request of the load. */
static void control_record(struct vu *v, struct hrec *r, enum hrec_op op, int64_t start,
                           int64_t end)
{
    struct wstate *ws = v->ws;
    hrec_init(r);
    r->thread = ws->w->index;
    r->vu = v->index;
    r->step = ws_step_index(ws, v->step);
    r->iter = v->iter;
    r->op = op;
    r->setup = ws->setup;
    r->intended_us = ws_rel(ws, start);
    r->start_us = ws_rel(ws, start);
    r->end_us = ws_rel(ws, end);
}

void record_barrier(struct vu *v, int64_t end_us, int rank, int released)
{
    struct hrec r;
    control_record(v, &r, HREC_BARRIER, v->arrived_us, end_us);
    r.outcome = released ? OUT_OK : OUT_FAIL;
    r.barrier = strdup(v->step->barrier);
    r.generation = v->barrier_gen;
    r.rank = rank;
    if (asprintf(&r.path, "barrier %s", v->step->barrier) < 0)
        r.path = NULL;
    history_add(&v->ws->w->hist, &r, v->step->tag ? v->step->tag : "");
}

void record_advance(struct vu *v, int64_t end_us, int status)
{
    struct hrec r;
    control_record(v, &r, HREC_ADVANCE, v->sent_us, end_us);
    r.status = status;
    r.outcome = status == 200 ? OUT_OK : OUT_FAIL;
    r.advance = v->step->advance_us / 1000;
    r.path = strdup("POST /__admin/clock");
    history_add(&v->ws->w->hist, &r, v->step->tag ? v->step->tag : "");
}
