/* steps.c - see steps.h */
#include "steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "barrier.h"
#include "cond.h"
#include "conn.h"
#include "extract.h"
#include "policy.h"
#include "prng.h"
#include "record.h"
#include "retryafter.h"
#include "tokens.h"
#include "vars.h"
#include "wstate.h"

#define BARRIER_DEADLINE_US 30000000 /* scenario time a barrier waits to fill */
#define BARRIER_LEAD_US     2000     /* from filling to the release instant */

static void run_steps(struct vu *v);
static void send_attempt(struct vu *v, int have_slot);
static void send_again(struct vu *v);
static void advance_step(struct vu *v);
static void advance_send(struct vu *v);
static void end_iteration(struct vu *v);
enum where;
static void go_idle(struct vu *v, enum where w);

/* v waits in STATE until monotonic AT. */
static void wait_until(struct vu *v, enum vu_state state, int64_t at)
{
    v->state = state;
    loop_timer_set(&v->ws->loop, &v->timer, at);
}

/* The turns of the manual clock's closed load (turns.h), or NULL: the setup and other loads
 * act as they come. */
static struct turns *turns_of(const struct wstate *ws)
{
    return ws->setup ? NULL : ws->rs->turns;
}

/* May v do ACTION now? With turns, the user holding the turn does one action in it; at its
 * next action it passes the turn on and waits for its next turn (VU_WAIT_TURN, doing ACTION
 * then: steps_wake), unless it is the only user left. Without turns, always. */
static int my_turn(struct vu *v, enum vu_action action)
{
    struct turns *t = turns_of(v->ws);
    if (!t)
        return 1;
    int u = v->index - t->base;
    if (turns_holds(t, u) && v->turn == TURN_USED) {
        v->turn = TURN_UNUSED;
        turns_pass(t, u, 0);
    }
    if (turns_holds(t, u)) {
        v->turn = TURN_USED;
        return 1;
    }
    v->pending = action;
    v->state = VU_WAIT_TURN;
    return 0;
}

/* The step is done: the next one is intended now. */
static void finish_step(struct vu *v)
{
    v->state = VU_RUNNING;
    v->intended_us = mono_us();
    run_steps(v);
}

/* ---- sending ------------------------------------------------------------------------------ */

/* The attempt cannot be sent (WHY was expected: a variable set, a token): recorded as a failed
 * request, not a network error, and the virtual user goes on. */
static void fail_unsent(struct vu *v, CURLcode cc, const char *why)
{
    int64_t now = mono_us();
    conn_give_back(v); /* if it took one: nothing goes on the wire */
    v->sent_us = now;
    struct attempt_end e = {now, 0, cc, 0, 0, why, -1};
    record_attempt(v, &e);
    finish_step(v);
}

/* The variable MISSING (NULL: unknown) that the attempt's path or body needs is not set. */
static void fail_unset(struct vu *v, const char *missing)
{
    char why[512];
    snprintf(why, sizeof why, "the variable %s to be set", missing ? missing : "of the request");
    fail_unsent(v, CURLE_OK, why);
}

/* The request's headers: its bearer, its idempotency key, the step's own, JSON's. */
static void add_headers(struct vu *v, const char *token)
{
    const struct scn_request *rq = &v->op.step->req;
    struct exchange *x = &v->x;
    struct cx_buf h;
    cx_buf_init(&h);
    if (token)
        cx_buf_addf(&h, "Authorization: Bearer %s%c", token, '\0');
    if (rq->idempotency)
        cx_buf_addf(&h, "%s: %s%c",
                    rq->idempotency_header ? rq->idempotency_header
                                           : v->ws->scn->policy.idempotency_header,
                    v->op.idem_key, '\0');
    for (size_t i = 0; i < rq->nheaders; i++) {
        char *val = vars_expand(v, rq->headers[i].value);
        cx_buf_addf(&h, "%s: %s%c", rq->headers[i].name, val ? val : "", '\0');
        free(val);
    }
    for (size_t at = 0; h.data && at < h.len; at += strlen(h.data + at) + 1)
        exchange_header_add(x, h.data + at);
    if (token && h.data) /* the token does not linger in freed memory */
        memset(h.data, 0, h.len);
    cx_buf_free(&h);
    if (v->op.json) {
        exchange_header_add(x, "Expect:"); /* no 100-continue round trip */
        exchange_header_add(x, "Content-Type: application/json");
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, (long)v->op.body.len);
        curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, v->op.body.data);
    }
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
}

/* Put v's attempt on the wire with TOKEN (or none), on the connection send_attempt took. */
static void put_on_wire(struct vu *v, const char *token)
{
    struct wstate *ws = v->ws;
    const struct scn_request *rq = &v->op.step->req;
    struct exchange *x = &v->x;
    if (!conn_take(v, CONN_SEND_SLOTTED)) /* it holds one: this only guards */
        return;
    exchange_prepare(x, &ws->loop, v, ws->rs->loopback);
    struct cx_buf url;
    cx_buf_init(&url);
    cx_buf_adds(&url, ws->rs->target);
    char *missing = NULL;
    if (tpl_expand(rq->path, vars_lookup, v, &url, &missing) < 0 || url.oom) {
        cx_buf_free(&url);
        fail_unset(v, missing);
        free(missing);
        return;
    }
    curl_easy_setopt(x->easy, CURLOPT_URL, url.data); /* what the transfer reports as its URL */
    if (tpl_is_constant(rq->path)) /* parsed once (urlcache.h); else libcurl parses the text */
        curl_easy_setopt(x->easy, CURLOPT_CURLU,
                         urlcache_get(&ws->urls, (size_t)ws_step_index(ws, v->op.step), url.data));
    cx_buf_free(&url);
    if (strcmp(rq->method, "GET") != 0 || v->op.json) /* a GET without a body: prepared */
        curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, rq->method);
    if (strcmp(rq->method, "HEAD") == 0)
        curl_easy_setopt(x->easy, CURLOPT_NOBODY, 1L);
    add_headers(v, token);
    int64_t timeout = rq->timeout_us ? rq->timeout_us : ws->scn->policy.timeout_us;
    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long)(timeout / 1000));
    v->state = VU_SENDING;
    v->sent_us = mono_us();
    loop_start(&ws->loop, x->easy);
}

/* Send the current attempt of v's operation: on a connection of the pool (v waits in line for
 * one), then after its rate-cap slot (unless HAVE_SLOT: taken already) and with its token.
 * Every request to the target takes a slot, a token fetch too (it goes in this one's place, on
 * its connection, and this one takes the next slot). The connection comes first, so a request
 * goes at its slot, never later than it with others bunched behind. */
static void send_attempt(struct vu *v, int have_slot)
{
    struct wstate *ws = v->ws;
    const struct scn_request *rq = &v->op.step->req;
    const char *token = NULL;
    v->token_serial = 0;
    if (!conn_take(v, have_slot ? CONN_SEND_SLOTTED : CONN_SEND))
        return;
    int64_t now = mono_us();
    if (ws->cap.gap_us > 0 && !have_slot) {
        int64_t slot = ratecap_take(&ws->cap, now);
        if (slot > now) {
            ws_stats(ws)->throttled++;
            wait_until(v, VU_WAIT_SLOT, slot);
            return;
        }
    }
    enum token_get got =
        rq->auth ? tokens_get(v, rq->auth, now, &token, &v->token_serial) : TOKEN_READY;
    if (got == TOKEN_WAIT)
        conn_give_back(v); /* not held idle while another user fetches */
    if (got != TOKEN_READY)
        return; /* fetching it (VU_FETCHING_TOKEN) or waiting for it (VU_WAIT_TOKEN) */
    put_on_wire(v, token);
}

/* Begin v's request or poll step ST: a new logical operation. */
static void begin_request(struct vu *v, const struct scn_step *st)
{
    struct wstate *ws = v->ws;
    struct op *op = &v->op;
    if (!my_turn(v, ACT_BEGIN))
        return;
    op->step = st;
    op->opid = ((ws->lane + 1) << 40) | ++ws->opseq;
    op->attempt = 0;
    op->reauthed = 0;
    op->start_us = v->intended_us;
    op->poll_interval_us = ws_scaled(ws, st->poll.interval_us);
    if (st->req.idempotency)
        tpl_uuid4(op->idem_key, &v->ids);
    json_decref(op->json);
    op->json = NULL;
    op->body.len = 0;
    if (st->req.body) { /* once: every retry of this operation sends the same body */
        char *missing = NULL;
        op->json = tpl_expand_json(st->req.body, vars_lookup, v, &missing);
        char *text =
            op->json ? json_dumps(op->json, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)
                     : NULL;
        if (!text) {
            fail_unset(v, missing);
            free(missing);
            return;
        }
        cx_buf_adds(&op->body, text);
        free(text);
    }
    send_attempt(v, 0);
}

/* ---- answers ------------------------------------------------------------------------------ */

/* Retry-After as wall µs, or -1 if absent or not a Retry-After. Seconds are the server's: wall
 * seconds, or a scaled mock's own when the scenario's clientTime is "mock" (SIM-06); a date is
 * wall time. */
static int64_t retry_after(struct vu *v)
{
    int64_t us;
    switch (retry_after_parse(exchange_header(&v->x, "Retry-After"), time(NULL), &us)) {
    case 0:
        return ws_told(v->ws, us);
    case 1:
        return us;
    default:
        return -1;
    }
}

/* A 401 on a request with a token: the token may have been rotated or revoked; fetch a new
 * one and try once more. Returns 1 if it does. */
static int reauth(struct vu *v, const struct attempt_end *e)
{
    const struct scn_request *rq = &v->op.step->req;
    if (e->status != 401 || !rq->auth || v->op.reauthed)
        return 0;
    record_attempt(v, e);
    ws_stats(v->ws)->reauth_401++;
    v->op.reauthed = 1;
    tokens_refused(v, rq->auth);
    v->op.attempt++;
    v->intended_us = e->end_us;
    send_attempt(v, 0);
    return 1;
}

/* A status the policy retries, with attempts left: back off and try again. Returns 1 if so. */
static int retry(struct vu *v, const struct attempt_end *e)
{
    struct wstate *ws = v->ws;
    const struct scn_policy *p = &ws->scn->policy;
    if (!v->op.step->req.retry || v->op.attempt >= p->retries || !policy_retryable(p, e->status) ||
        atomic_load(&ws->rs->stop))
        return 0;
    record_attempt(v, e);
    int64_t wait = ws_scaled(ws, policy_backoff(p, v->op.attempt, &v->rng));
    if (p->honour_retry_after && e->retry_after_us > wait)
        wait = e->retry_after_us;
    v->op.attempt++;
    v->intended_us = e->end_us + wait;
    wait_until(v, VU_WAIT_SEND, e->end_us + wait);
    return 1;
}

/* A poll step's try: its condition met, or another try after the interval (backing off) while
 * the deadline allows, or the deadline missed. Returns 1 if another try is due. */
static int poll_again(struct vu *v, struct attempt_end *e)
{
    struct wstate *ws = v->ws;
    const struct scn_step *st = v->op.step;
    int ok = 1;
    for (size_t i = 0; i < st->poll.nuntil && ok; i++)
        ok = cond_holds(v, &st->poll.until[i]);
    int64_t deadline = v->op.start_us + ws_scaled(ws, st->poll.deadline_us);
    if (!ok && e->end_us + v->op.poll_interval_us < deadline && !atomic_load(&ws->rs->stop)) {
        e->ok = 1; /* a try that did not see it yet */
        record_attempt(v, e);
        int64_t at = e->end_us + v->op.poll_interval_us;
        v->op.poll_interval_us = (int64_t)((double)v->op.poll_interval_us * st->poll.backoff);
        if (v->op.poll_interval_us > ws_scaled(ws, st->poll.max_interval_us))
            v->op.poll_interval_us = ws_scaled(ws, st->poll.max_interval_us);
        v->op.attempt++;
        v->intended_us = at;
        wait_until(v, VU_WAIT_SEND, at);
        return 1;
    }
    e->ok = ok;
    e->why = ok ? NULL : "the poll condition before its deadline";
    return 0;
}

/* A request step's answer against its expectations: status, then JSON values. */
static void judge_expectations(struct vu *v, struct attempt_end *e, char *text, size_t size)
{
    const struct scn_request *rq = &v->op.step->req;
    e->ok = policy_status_expected(rq, e->status, text, size);
    e->why = e->ok ? NULL : text;
    for (size_t i = 0; e->ok && i < rq->nexpect_json; i++)
        if (!cond_holds(v, &rq->expect_json[i])) {
            e->ok = 0;
            e->why = text;
            snprintf(text, size, "the expected value at %.100s",
                     rq->expect_json[i].path ? rq->expect_json[i].path : "?");
        }
}

/* Extract into the user's variables (an absent value unsets the variable). */
static void extract(struct vu *v)
{
    const struct scn_request *rq = &v->op.step->req;
    for (size_t i = 0; i < rq->nextracts; i++) {
        json_t *x = extract_eval(rq->extracts[i].from, exchange_json(&v->x), v->x.status,
                                 exchange_header_cb, &v->x);
        if (x)
            json_object_set_new(v->vars, rq->extracts[i].var, x);
        else
            json_object_del(v->vars, rq->extracts[i].var);
    }
}

/* The step's request was answered (STATUS 0: not) at END. */
static void answered(struct vu *v, CURLcode cc, int64_t end)
{
    int status = v->x.status;
    int64_t ra = status == 429 || status == 503 ? retry_after(v) : -1;
    struct attempt_end e = {end, status, cc, 1, 0, NULL, ra};
    if (reauth(v, &e) || retry(v, &e))
        return;
    char text[160];
    if (v->op.step->kind == SCN_POLL) {
        if (poll_again(v, &e))
            return;
    } else {
        judge_expectations(v, &e, text, sizeof text);
    }
    record_attempt(v, &e);
    extract(v);
    finish_step(v);
}

/* v's token fetch was answered: resume this worker's users that waited for it, then send v's
 * attempt, or record it failed if the source refused. */
static void token_answered(struct vu *v)
{
    struct vu *woken;
    int got = tokens_fetched(v, v->x.status, &woken);
    int64_t now = mono_us();
    for (struct vu *w = woken, *next; w; w = next) {
        next = w->next_waiter;
        w->next_waiter = NULL;
        wait_until(w, VU_WAIT_SLOT, now); /* their slots are taken already */
    }
    if (got)
        send_attempt(v, 0);
    else /* the request cannot go: record it as failed and move on */
        fail_unsent(v, CURLE_LOGIN_DENIED, "a token from the auth source");
}

/* A manual-clock advance was answered: not part of the measured load. */
static void advanced(struct vu *v)
{
    record_advance(v, mono_us(), v->x.status);
    if (v->x.status != 200) {
        ws_stats(v->ws)->failed++;
        fprintf(stderr, "cxload: advancing the mock clock failed (status %d%s%s)\n", v->x.status,
                v->x.errbuf[0] ? ": " : "", v->x.errbuf);
    }
    v->state = VU_RUNNING;
    run_steps(v);
}

void steps_transfer_done(struct vu *v, CURLcode cc)
{
    int64_t end = mono_us();
    long code = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(v->x.easy, CURLINFO_RESPONSE_CODE, &code);
    v->x.status = (int)code;
    conn_give_back(v); /* the answer is in v's exchange: the next in line may go */
    switch (v->state) {
    case VU_ADVANCING:
        advanced(v);
        break;
    case VU_FETCHING_TOKEN:
        token_answered(v);
        break;
    case VU_SENDING:
        answered(v, cc, end);
        break;
    default: /* no transfer of v's was in flight */
        break;
    }
}

/* ---- barriers ----------------------------------------------------------------------------- */

enum where {
    IN_ROTATION,  /* a user of the load (with turns: in the rotation) */
    AT_A_BARRIER, /* with turns: waiting at a barrier, out of the rotation */
};

static void end_iteration_at(struct vu *v, enum where w);

static void unlink_barrier_waiter(struct vu *v)
{
    for (struct vu **p = &v->ws->barrier_waiters; *p; p = &(*p)->next_waiter)
        if (*p == v) {
            *p = v->next_waiter;
            v->next_waiter = NULL;
            return;
        }
}

static void wait_at_barrier(struct vu *v, int64_t deadline)
{
    v->next_waiter = v->ws->barrier_waiters;
    v->ws->barrier_waiters = v;
    v->state = VU_AT_BARRIER;
    if (deadline >= 0)
        loop_timer_set(&v->ws->loop, &v->timer, deadline);
}

/* v's barrier generation is released: it goes on at AT (with the others; RANK: its place in
 * the release order, -1 none). */
static void released(struct vu *v, int64_t at, int rank)
{
    record_barrier(v, at, rank, 1);
    v->intended_us = at > 0 ? at : mono_us();
    wait_until(v, VU_WAIT_STEP, v->intended_us);
}

/* v's barrier never filled: the race did not happen (BARRIER_TIMEOUT: the run fails). */
static void never_filled(struct vu *v, enum where w)
{
    record_barrier(v, mono_us(), -1, 0);
    fprintf(stderr, "cxload: barrier \"%s\": only some of %d virtual users arrived\n",
            v->step->barrier, v->ws->rs->barriers[v->step->barrier_index].count);
    end_iteration_at(v, w);
}

/* Arrive at the barrier of step ST. With turns, in v's turn: the arrival that fills the
 * generation puts its racers back into the rotation in their release order (turns.h), and each
 * goes on when its turn comes (steps_wake). Without, the arrival that fills it releases every
 * racer at one instant, BARRIER_LEAD_US ahead, and wakes every worker. */
static void barrier_step(struct vu *v, const struct scn_step *st)
{
    struct wstate *ws = v->ws;
    struct turns *t = turns_of(ws);
    if (t && ws->phase == WS_DRAINING) { /* the load is over: no race starts now */
        end_iteration(v);
        return;
    }
    if (!my_turn(v, ACT_ARRIVE))
        return;
    v->arrived_us = mono_us();
    if (t) {
        v->turn = TURN_UNUSED;
        v->barrier_gen = turns_arrive(t, v->index - t->base, st->barrier_index);
        wait_at_barrier(v, -1); /* stalled or released: steps_wake */
        return;
    }
    struct barrier *b = &ws->rs->barriers[st->barrier_index];
    int64_t at;
    int filled;
    v->barrier_gen = barrier_arrive(b, &filled);
    if (filled) {
        barrier_release(b, v->barrier_gen, v->arrived_us + BARRIER_LEAD_US);
        run_wake_all(ws->rs);
    }
    if (ws->phase == WS_DRAINING) { /* the load is over: no race starts now */
        end_iteration(v);
        return;
    }
    if (barrier_released(b, v->barrier_gen, &at)) {
        released(v, at, -1);
        return;
    }
    wait_at_barrier(v, v->arrived_us + ws_scaled(ws, BARRIER_DEADLINE_US));
}

/* The barrier's deadline passed (no turns): released meanwhile, or the race did not happen. */
static void barrier_deadline(struct vu *v)
{
    struct barrier *b = &v->ws->rs->barriers[v->step->barrier_index];
    int64_t at;
    unlink_barrier_waiter(v);
    if (barrier_released(b, v->barrier_gen, &at))
        released(v, at, -1);
    else
        never_filled(v, IN_ROTATION);
}

/* ---- turns -------------------------------------------------------------------------------- */

/* v's turn came: it does what it waited for. */
static void do_pending(struct vu *v)
{
    struct wstate *ws = v->ws;
    v->state = VU_RUNNING;
    switch (v->pending) {
    case ACT_BEGIN:
        if (ws_stopping(ws))
            end_iteration(v);
        else
            begin_request(v, v->step);
        break;
    case ACT_AGAIN:
        send_again(v);
        break;
    case ACT_ADVANCE:
        advance_step(v);
        break;
    case ACT_ARRIVE:
        barrier_step(v, v->step);
        break;
    case ACT_LEAVE:
        go_idle(v, IN_ROTATION);
        break;
    }
}

/* The worker woke: if one of its users holds the turn, it goes on; if the rotation stalled,
 * its users at a barrier fail it. */
static void turns_wake(struct wstate *ws)
{
    struct turns *t = turns_of(ws);
    if (!t || ws->nvus == 0)
        return;
    if (atomic_load(&t->stalled))
        while (ws->barrier_waiters) {
            struct vu *v = ws->barrier_waiters;
            unlink_barrier_waiter(v);
            never_filled(v, AT_A_BARRIER);
        }
    int h = atomic_load_explicit(&t->holder, memory_order_acquire);
    int first = ws->vus[0].index - t->base;
    if (h < first || h >= first + ws->nvus)
        return;
    struct vu *v = &ws->vus[h - first];
    switch (v->state) {
    case VU_WAIT_TURN:
        do_pending(v);
        break;
    case VU_AT_BARRIER: /* in the rotation again: its generation was released */
        unlink_barrier_waiter(v);
        released(v, mono_us(), t->rank[h]);
        break;
    case VU_IDLE: /* ended at its barrier by a drain, then released: it has nothing to do */
        turns_pass(t, h, 1);
        break;
    default: /* busy in its turn: it passes the turn at its next action */
        break;
    }
}

void steps_wake(struct wstate *ws)
{
    int64_t now = mono_us();
    for (struct vu *v = tokens_shared_ready(ws), *next; v; v = next) {
        next = v->next_waiter;
        v->next_waiter = NULL;
        wait_until(v, VU_WAIT_SLOT, now); /* look again, slot kept */
    }
    if (turns_of(ws)) {
        turns_wake(ws);
        return;
    }
    for (struct vu **p = &ws->barrier_waiters; *p;) {
        struct vu *v = *p;
        int64_t at;
        if (barrier_released(&ws->rs->barriers[v->step->barrier_index], v->barrier_gen, &at)) {
            *p = v->next_waiter;
            v->next_waiter = NULL;
            released(v, at, -1);
        } else {
            p = &v->next_waiter;
        }
    }
}

void steps_drain_begins(struct wstate *ws)
{
    int64_t now = mono_us();
    for (struct vu *v = tokens_shared_all(ws), *next; v; v = next) {
        next = v->next_waiter;
        v->next_waiter = NULL;
        wait_until(v, VU_WAIT_SLOT, now);
    }
    while (ws->barrier_waiters) {
        struct vu *v = ws->barrier_waiters;
        unlink_barrier_waiter(v);
        end_iteration_at(v, turns_of(ws) ? AT_A_BARRIER : IN_ROTATION);
    }
}

/* ---- the step machine ------------------------------------------------------------------- */

/* v's step is a manual-clock advance (SIM-01): in v's turn. */
static void advance_step(struct vu *v)
{
    if (my_turn(v, ACT_ADVANCE))
        advance_send(v);
}

/* POST /__admin/clock {"advanceMs"} of v's advance step on v's exchange, when it holds a
 * connection. */
static void advance_send(struct vu *v)
{
    struct wstate *ws = v->ws;
    struct exchange *x = &v->x;
    const struct scn_step *st = v->step;
    if (!conn_take(v, CONN_ADVANCE))
        return;
    exchange_reset(x, &ws->loop, v, ws->rs->loopback);
    char url[1024];
    snprintf(url, sizeof url, "%s/__admin/clock", ws->rs->target);
    x->req_body.len = 0;
    cx_buf_addf(&x->req_body, "{\"advanceMs\":%lld}", (long long)(st->advance_us / 1000));
    curl_easy_setopt(x->easy, CURLOPT_URL, url);
    curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, x->req_body.data);
    exchange_header_add(x, "Content-Type: application/json");
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
    v->state = VU_ADVANCING;
    v->sent_us = mono_us();
    loop_start(&ws->loop, x->easy);
}

static void think_step(struct vu *v, const struct scn_step *st)
{
    struct wstate *ws = v->ws;
    int64_t d = st->think_min_us;
    if (st->think_max_us > st->think_min_us)
        d += (int64_t)(cx_splitmix64(&v->rng) % (uint64_t)(st->think_max_us - st->think_min_us));
    int64_t at = mono_us() + ws_scaled(ws, d);
    v->intended_us = at;
    wait_until(v, VU_WAIT_STEP, at);
}

/* Run v's steps from where it is until one has to wait. */
static void run_steps(struct vu *v)
{
    struct wstate *ws = v->ws;
    while (v->depth > 0) {
        struct frame *f = &v->stack[v->depth - 1];
        if (f->i >= f->n) {
            v->depth--;
            continue;
        }
        const struct scn_step *st = &f->steps[f->i++];
        v->step = st;
        switch (st->kind) {
        case SCN_REQUEST:
        case SCN_POLL:
            if (ws_stopping(ws)) {
                end_iteration(v);
                return;
            }
            begin_request(v, st);
            return;
        case SCN_THINK:
            think_step(v, st);
            return;
        case SCN_BARRIER:
            barrier_step(v, st);
            return;
        case SCN_IF: {
            int yes = cond_holds(v, &st->cond);
            const struct scn_step *body = yes ? st->then_steps : st->else_steps;
            size_t n = yes ? st->nthen : st->nelse;
            if (n) /* the loader bounds the nesting (SCN_MAX_DEPTH) */
                v->stack[v->depth++] = (struct frame){body, n, 0};
            continue;
        }
        case SCN_ADVANCE:
            advance_step(v);
            return;
        case SCN_END:
            v->depth = 0;
            break;
        }
    }
    end_iteration(v);
}

void steps_start_iteration(struct vu *v, int64_t intended)
{
    struct wstate *ws = v->ws;
    if (v->state == VU_IDLE)
        ws->active++;
    json_object_clear(v->vars);
    v->iter = v->iters_done;
    v->depth = 0;
    if (ws->setup)
        v->stack[v->depth++] = (struct frame){ws->scn->setup, ws->scn->nsetup, 0};
    else
        v->stack[v->depth++] = (struct frame){ws->scn->steps, ws->scn->nsteps, 0};
    v->intended_us = intended;
    v->state = VU_RUNNING;
    if (!ws->setup)
        ws_stats(ws)->started++;
    run_steps(v);
}

/* Another iteration for v right away (a closed load with iterations or time left)? */
static int more_iterations(struct vu *v)
{
    struct wstate *ws = v->ws;
    if (ws->setup || ws_stopping(ws))
        return 0;
    const struct scn_load *l = &ws->scn->load;
    if (l->model != SCN_CLOSED)
        return 0;
    if (l->iterations)
        return v->iters_done < l->iterations;
    return mono_us() < ws->load_end;
}

/* v's iterations are over: it is free (with turns, after leaving the rotation in its turn,
 * unless it is out of it, at a barrier). */
static void go_idle(struct vu *v, enum where w)
{
    struct wstate *ws = v->ws;
    struct turns *t = turns_of(ws);
    if (t && w == IN_ROTATION) {
        int u = v->index - t->base;
        if (!turns_holds(t, u)) {
            v->pending = ACT_LEAVE;
            v->state = VU_WAIT_TURN;
            return;
        }
        v->turn = TURN_UNUSED;
        turns_pass(t, u, 1);
    }
    v->state = VU_IDLE;
    ws->active--;
    if (ws->scn->load.model != SCN_CLOSED && !ws->setup)
        ws->user_free(ws, v);
}

/* v's iteration ended; with turns, a user out of the rotation (W) starts no other. */
static void end_iteration_at(struct vu *v, enum where w)
{
    struct wstate *ws = v->ws;
    loop_timer_cancel(&ws->loop, &v->timer);
    conn_give_back(v); /* one it was given and did not use */
    v->iters_done++;
    if (!ws->setup)
        ws_stats(ws)->iterations++;
    if (ws->setup && ws->w->extracted == NULL)
        ws->w->extracted = json_deep_copy(v->vars);
    if (w == IN_ROTATION && more_iterations(v)) {
        ws_stats(ws)->offered++;
        steps_start_iteration(v, mono_us());
        return;
    }
    go_idle(v, w);
}

static void end_iteration(struct vu *v)
{
    end_iteration_at(v, IN_ROTATION);
}

/* The operation's next attempt, after its backoff or poll interval: in v's turn, unless the
 * load ended. After an interrupt the operation ends here; at the end of the load a retry or a
 * poll's next try goes on within the drain time, so a contact being retried past the
 * schedule's end is not reported lost. */
static void send_again(struct vu *v)
{
    struct wstate *ws = v->ws;
    if (ws->phase == WS_DRAINING && (atomic_load(&ws->rs->stop) || v->op.attempt == 0))
        end_iteration(v); /* interrupted, or an operation not begun: none starts now */
    else if (my_turn(v, ACT_AGAIN))
        send_attempt(v, 0);
}

/* v's turn in line came with a connection: it goes on with what waited for one. A request's
 * attempt drains as one waiting for its rate-cap slot does; a token fetch or an advance goes on
 * as if on the wire already. */
static void conn_turn(struct vu *v)
{
    struct wstate *ws = v->ws;
    conn_granted(v);
    switch (v->conn_for) {
    case CONN_SEND:
    case CONN_SEND_SLOTTED:
        if (ws->phase == WS_DRAINING && (atomic_load(&ws->rs->stop) || v->op.attempt == 0))
            end_iteration(v);
        else
            send_attempt(v, v->conn_for == CONN_SEND_SLOTTED);
        break;
    case CONN_TOKEN:
        tokens_fetch_granted(v);
        break;
    case CONN_ADVANCE:
        advance_send(v);
        break;
    }
}

void steps_timer(struct vu *v)
{
    struct wstate *ws = v->ws;
    enum vu_state was = v->state;
    v->state = VU_RUNNING;
    if (ws->phase == WS_DRAINING && was != VU_WAIT_SEND && was != VU_WAIT_SLOT &&
        was != VU_WAIT_CONN) {
        if (was == VU_AT_BARRIER)
            unlink_barrier_waiter(v);
        end_iteration(v);
        return;
    }
    switch (was) {
    case VU_WAIT_STEP:
        run_steps(v);
        break;
    case VU_WAIT_SEND:
        send_again(v);
        break;
    case VU_WAIT_SLOT: /* the rate cap's slot, within the attempt's turn */
        if (ws->phase == WS_DRAINING && (atomic_load(&ws->rs->stop) || v->op.attempt == 0))
            end_iteration(v);
        else
            send_attempt(v, 1);
        break;
    case VU_AT_BARRIER:
        v->state = VU_AT_BARRIER;
        barrier_deadline(v);
        break;
    case VU_WAIT_CONN:
        conn_turn(v);
        break;
    default:
        break;
    }
}

void steps_abandon(struct vu *v)
{
    if (v->state == VU_WAIT_CONN) {
        conn_forget(v); /* never sent: nothing to record, as for a rate-cap slot not reached */
        v->state = VU_IDLE;
        return;
    }
    if (v->state != VU_SENDING && v->state != VU_FETCHING_TOKEN && v->state != VU_ADVANCING)
        return;
    loop_cancel(&v->ws->loop, v->x.easy);
    conn_give_back(v);
    if (v->state == VU_SENDING) {
        struct attempt_end e = {mono_us(), 0, CURLE_ABORTED_BY_CALLBACK, 1, 0, NULL, -1};
        record_attempt(v, &e);
    }
    v->state = VU_IDLE;
}
