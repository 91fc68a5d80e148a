/* pipeline.c - see pipeline.h */
#include "pipeline.h"

#include <stdio.h>
#include <string.h>

#include "secret.h"

int cxm_pipeline_admin(const struct cxm_api *api, const struct cxm_req *rq, struct cxm_resp *rs)
{
    const char *token = api->opts.admin_token;
    if (!token) {
        if (rq->loopback)
            return 1;
        cxm_respond(rs, 403,
                    cxm_err("forbidden", "the admin API answers loopback only; to reach it from "
                                         "elsewhere, start cxmock with --admin-token T (or "
                                         "CXMOCK_ADMIN_TOKEN=T) and send "
                                         "'Authorization: Bearer T'"));
        return 0;
    }
    const char *auth = rq->authorization;
    if (auth && strncmp(auth, "Bearer ", 7) == 0 && cx_secret_equal(auth + 7, token))
        return 1;
    cxm_respond(rs, 401, cxm_err("unauthorized", "the admin API needs its bearer token"));
    return 0;
}

/* Mock ms as wall ms for a delay the client feels: the clock's scale shrinks it too. */
static int64_t wall_ms(const struct cxm_sim *s, int64_t mock_ms)
{
    return s->clock.mode == CXM_CLOCK_SCALED ? (int64_t)((double)mock_ms / s->clock.scale)
                                             : mock_ms;
}

/* RATE-01, AUTH-06: check every window that applies; record in all only if all admit. Returns
 * 1 if admitted, else 0 with a 429 set. */
static int admit(struct cxm_api *api, const struct cxm_route *r, const struct cxm_token *tok,
                 struct cxm_resp *rs)
{
    struct cxm_sim *s = &api->sim;
    struct cxm_window *w[3] = {
        tok ? &s->client_windows[(size_t)tok->client * CXM_GROUPS + (size_t)r->group] : NULL,
        &s->tenant_window, r->flags & CXM_ROUTE_STATE_WRITE ? &s->state_window : NULL};
    static const char *const which[] = {"client", "tenant", "agentState"};
    int64_t wait = 0;
    int worst = -1;
    for (int i = 0; i < 3; i++) {
        int64_t wi = w[i] ? cxm_window_wait(w[i], s->now) : 0;
        if (wi > wait) {
            wait = wi;
            worst = i;
        }
    }
    if (worst < 0) {
        for (int i = 0; i < 3; i++)
            if (w[i])
                cxm_window_record(w[i], s->now);
        return 1;
    }
    api->metrics.limited[worst]++;
    int64_t told = cxm_clock_told_wait_ms(&s->clock, wait); /* SIM-06 */
    int64_t secs = (told + 999) / 1000;
    snprintf(rs->retry_after, sizeof rs->retry_after, "%lld", (long long)secs);
    cxm_respond(rs, 429,
                json_pack("{ss ss ss sI sI}", "error", "rate_limited", "detail",
                          worst == 0   ? "too many requests for this client id and endpoint group"
                          : worst == 1 ? "too many requests for this tenant"
                                       : "too many agent-state writes for this tenant",
                          "limit", which[worst], "retryAfterSeconds", (json_int_t)secs,
                          "retryAfterMs", (json_int_t)told));
    return 0;
}

static void fault_response(struct cxm_resp *rs, int status)
{
    cxm_resp_free(rs);
    cxm_respond(rs, status, cxm_err("injected_fault", "fault plan: status %d", status));
}

void cxm_pipeline_public(struct cxm_api *api, const struct cxm_route *r, struct cxm_call *c)
{
    struct cxm_sim *s = &api->sim;
    struct cxm_fault_effect fx;
    cxm_faults_roll(&s->faults, r->group, s->now - s->origin, &s->prng, &fx);
    if (fx.status || fx.reset || fx.delay_ms || fx.hang_ms)
        api->metrics.faults_injected++;
    c->rs->delay_ms = wall_ms(s, fx.delay_ms) + fx.hang_ms;
    if (fx.reset) {
        c->rs->reset = true;
        return;
    }
    if (fx.status && !fx.applied) {
        fault_response(c->rs, fx.status);
        return;
    }
    if (r->scope && !(c->tok = cxm_require_token(api, c->rq, r->scope, c->rs)))
        return;
    if (!admit(api, r, c->tok, c->rs))
        return;
    r->handler(api, c);
    if (fx.status) /* applied: the work is done, the answer is lost */
        fault_response(c->rs, fx.status);
}
