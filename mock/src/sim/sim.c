/* sim.c - see sim.h */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static int init_limits(struct cxm_sim *s)
{
    const struct cxm_tenant *t = s->tenant;
    s->client_windows = calloc(t->nclients * CXM_GROUPS + 1, sizeof *s->client_windows);
    if (!s->client_windows)
        return -1;
    for (size_t c = 0; c < t->nclients; c++)
        for (int g = 0; g < CXM_GROUPS; g++)
            if (cxm_window_init(&s->client_windows[c * CXM_GROUPS + (size_t)g],
                                t->clients[c].group_per_min[g]) < 0)
                return -1;
    if (cxm_window_init(&s->tenant_window, t->tenant_per_min) < 0 ||
        cxm_window_init(&s->state_window, t->agent_state_per_min) < 0)
        return -1;
    return 0;
}

static void free_limits(struct cxm_sim *s)
{
    if (s->client_windows)
        for (size_t i = 0; i < s->tenant->nclients * CXM_GROUPS; i++)
            cxm_window_free(&s->client_windows[i]);
    free(s->client_windows);
    s->client_windows = NULL;
    cxm_window_free(&s->tenant_window);
    cxm_window_free(&s->state_window);
}

static int init_state(struct cxm_sim *s)
{
    cx_prng_seed(&s->prng, s->seed);
    s->origin = s->now;
    s->evaluation_due = 0;
    cxm_idem_init(&s->idem, (size_t)s->tenant->idempotency_max_keys,
                  (int64_t)s->tenant->idempotency_ttl_s * 1000);
    struct cx_error why;
    if (init_limits(s) < 0 || cxm_sim_set_faults(s, s->tenant->faults, &why) < 0)
        return -1;
    cxm_sched_init(&s->sched);
    s->next_request = 1;
    s->next_token_serial = 1;
    s->req[0] = '\0';
    if (cxm_model_init(&s->model, s->tenant) < 0)
        return -1;
    if (cxm_auth_init(&s->auth, s->tenant) < 0)
        return -1;
    return 0;
}

int cxm_sim_init(struct cxm_sim *s, const struct cxm_tenant *t, uint64_t seed,
                 enum cxm_clock_mode mode, double scale, const struct cxm_ledger_options *lo,
                 struct cx_error *err)
{
    memset(s, 0, sizeof *s);
    s->tenant = t;
    s->seed = seed;
    cxm_clock_init(&s->clock, mode, scale);
    s->clock.told = t->client_time;
    s->now = cxm_clock_now(&s->clock);
    if (cxm_ledger_open(&s->ledger, lo, err) < 0)
        return -1;
    if (cxm_ledger_start(&s->ledger, s->now, seed, t->digest) < 0) {
        char why[200];
        cxm_ledger_broken(&s->ledger, why, sizeof why);
        cx_error_at(err, lo->path, -1, -1, "", "%s", why);
        cxm_ledger_close(&s->ledger);
        return -1;
    }
    if (cxm_events_init(&s->events, (size_t)t->event_retention) < 0 || init_state(s) < 0) {
        cx_error_set(err, "out of memory (or more than 64 scope names in the tenant)");
        cxm_sim_free(s);
        return -1;
    }
    return 0;
}

static void free_state(struct cxm_sim *s)
{
    cxm_sched_clear(&s->sched);
    cxm_model_free(&s->model);
    cxm_auth_free(&s->auth);
    cxm_idem_free(&s->idem);
    free_limits(s);
    cxm_faults_free(&s->faults);
}

void cxm_sim_free(struct cxm_sim *s)
{
    free_state(s);
    cxm_events_free(&s->events);
    cxm_ledger_close(&s->ledger);
}

int cxm_sim_reset(struct cxm_sim *s, uint64_t seed)
{
    free_state(s);
    s->seed = seed;
    if (s->clock.mode == CXM_CLOCK_MANUAL) /* back to its start: a replay equals a fresh mock */
        cxm_clock_init(&s->clock, CXM_CLOCK_MANUAL, 0.0);
    s->now = cxm_clock_now(&s->clock);
    cxm_events_reset(&s->events);
    cxm_ledger_reset(&s->ledger, s->now, seed);
    for (size_t i = 0; i < s->nobservers; i++)
        if (s->observers[i].o->reset)
            s->observers[i].o->reset(s->observers[i].ctx);
    return init_state(s);
}

int cxm_sim_observe(struct cxm_sim *s, const struct cxm_sim_observer *o, void *ctx)
{
    if (s->nobservers == CXM_SIM_OBSERVERS)
        return -1;
    s->observers[s->nobservers].o = o;
    s->observers[s->nobservers].ctx = ctx;
    s->nobservers++;
    return 0;
}

static void run_event(struct cxm_sim *s, const struct cxm_event *ev)
{
    ev->type->run(s, ev);
    if (ev->data && ev->type->free_data)
        ev->type->free_data(ev->data);
}

int cxm_sim_run_due(struct cxm_sim *s)
{
    int64_t clock_now = cxm_clock_now(&s->clock);
    char saved[sizeof s->req];
    memcpy(saved, s->req, sizeof saved);
    struct cxm_event ev;
    int n = 0;
    while (cxm_sched_pop_due(&s->sched, clock_now, &ev)) {
        if (ev.due > s->now)
            s->now = ev.due;
        s->req[0] = '\0';
        run_event(s, &ev);
        n++;
    }
    memcpy(s->req, saved, sizeof saved);
    if (clock_now > s->now)
        s->now = clock_now;
    return n;
}

void cxm_sim_compact(struct cxm_sim *s)
{
    cxm_model_forget_ended(&s->model, (size_t)s->tenant->ended_retention, s->now);
}

void cxm_sim_begin_request(struct cxm_sim *s)
{
    cxm_sim_run_due(s);
    cxm_sim_compact(s);
    snprintf(s->req, sizeof s->req, "r%llu", (unsigned long long)s->next_request++);
}

int cxm_sim_set_faults(struct cxm_sim *s, json_t *plan, struct cx_error *err)
{
    struct cxm_faults f;
    if (cxm_faults_parse(plan, &f, err) < 0)
        return -1;
    cxm_faults_free(&s->faults);
    s->faults = f;
    return 0;
}

void cxm_sim_record(struct cxm_sim *s, const char *type, json_t *fields)
{
    const char *req = s->req[0] ? s->req : NULL;
    if (fields)
        cxm_ledger_add(&s->ledger, s->now, type, req, fields);
    else
        cxm_ledger_add_unbuilt(&s->ledger, s->now, type, req);
}

void cxm_sim_record_members(struct cxm_sim *s, const char *type, const char *members, size_t len)
{
    cxm_ledger_add_members(&s->ledger, s->now, type, s->req[0] ? s->req : NULL, members, len);
}

void cxm_sim_emit(struct cxm_sim *s, const char *type, json_t *payload)
{
    cxm_events_add(&s->events, type, payload);
    for (size_t i = 0; i < s->nobservers; i++)
        if (s->observers[i].o->events_added)
            s->observers[i].o->events_added(s->observers[i].ctx);
}

int64_t cxm_sim_consistency_delay(struct cxm_sim *s)
{
    return cx_prng_range(&s->prng, s->tenant->consistency_min_ms, s->tenant->consistency_max_ms);
}

__attribute__((format(printf, 3, 0))) static json_t *vmake(const char *error, const char *field,
                                                           const char *fmt, va_list ap)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(error));
    if (field)
        json_object_set_new(o, "field", json_string(field));
    if (fmt) {
        char detail[512];
        vsnprintf(detail, sizeof detail, fmt, ap); /* may quote a client's bytes, or cut one */
        json_object_set_new(o, "detail", json_string(cx_utf8_scrub(detail)));
    }
    return o;
}

json_t *cxm_err(const char *error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *o = vmake(error, NULL, fmt, ap);
    va_end(ap);
    return o;
}

json_t *cxm_field_err(const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *o = vmake("validation_error", field, fmt, ap);
    va_end(ap);
    return o;
}

int cxm_check_fields(json_t *body, const char *const *allowed, json_t **out)
{
    if (!json_is_object(body)) {
        *out = cxm_err("validation_error", "the request body must be a JSON object");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            known |= strcmp(*a, key) == 0;
        if (!known) {
            *out = cxm_field_err(key, "unknown field '%s'", key);
            return -1;
        }
    }
    return 0;
}
