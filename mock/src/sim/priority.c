/* priority.c - see priority.h */
#include "priority.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "routing.h"

static void evaluation_cycle(struct cxm_sim *s, const struct cxm_event *ev);

/* The routing evaluation cycle (PRI-04). */
static const struct cxm_event_type evaluation_event = {"evaluation cycle", evaluation_cycle, NULL};

static char *dump(json_t *v)
{
    char *text = cx_json_dumps(v);
    json_decref(v);
    return text;
}

static long find_contact(struct cxm_sim *s, const char *id)
{
    long ix = cxm_model_interaction(&s->model, id);
    return ix >= 0 && !s->model.ix[ix]->dropped ? ix : -1;
}

int cxm_routing_contact(struct cxm_sim *s, const char *id, int with_position, json_t **out)
{
    long ix = find_contact(s, id);
    if (ix < 0) {
        *out = cxm_err("not_found", "no contact '%s'", id);
        return 404;
    }
    const struct cxm_interaction *x = s->model.ix[ix];
    char created[32];
    cxm_time_iso(x->created, created);
    *out = json_pack("{ss ss ss si ss}", "id", x->id, "routingStatus", cxm_routing_status(x),
                     "queueId", s->model.queues[x->queue].def->id, "priority", x->priority,
                     "createdTime", created);
    const char *k; /* the injected fields as sent: type, from, to, callbackNumber, wrapUpCode */
    json_t *v;
    json_object_foreach(x->contact, k, v) json_object_set(*out, k, v);
    if (x->attributes)
        json_object_set(*out, "attributes", x->attributes);
    if (x->ignored_attributes && json_object_size(x->ignored_attributes))
        json_object_set(*out, "ignoredAttributes", x->ignored_attributes);
    if (with_position) {
        size_t pos = cxm_queue_position(&s->model, x->queue, ix);
        json_object_set_new(
            *out, "queuePosition",
            json_pack("{so}", "position", pos ? json_integer((json_int_t)pos) : json_null()));
    }
    return 200;
}

static int mutable_status(const struct cxm_interaction *x)
{
    const char *rs = cxm_routing_status(x);
    return strcmp(rs, "queued") == 0 || strcmp(rs, "waiting") == 0;
}

/* Schedule the next evaluation cycle if none is pending. */
static void schedule_cycle(struct cxm_sim *s)
{
    if (s->evaluation_due)
        return;
    int64_t interval = s->tenant->evaluation_interval_ms;
    int64_t since = s->now - s->origin;
    s->evaluation_due = s->origin + (since / interval + 1) * interval;
    cxm_sched_add(&s->sched, s->evaluation_due, &evaluation_event, 0, NULL);
}

/* The rank (0-999, the injection's scale) of PATCH level LEVEL (1-10, 10 the most urgent):
 * linear, 1 -> 0, 2 -> 111, ..., 10 -> 999, so a PATCH to 10 outranks every injected
 * priority but 999; with the fixture's "priorityMapping": "raw", the level itself (PRI-04). */
static int patch_rank(const struct cxm_sim *s, int level)
{
    return s->tenant->priority_raw ? level : (level - 1) * 111;
}

static int finish(struct cxm_sim *s, const char *scoped, int status, char **raw)
{
    if (scoped)
        cxm_idem_put(&s->idem, scoped, status, *raw ? *raw : "", s->now);
    return status;
}

int cxm_patch_priority(struct cxm_sim *s, const struct cxm_token *tok, const char *id,
                       const char *idempotency_key, json_t *body, char **raw)
{
    static const char *const read_only[] = {
        "id", "createdTimestamp", "createdTime", "routingHistory", "queueId", NULL};
    *raw = NULL;
    char scoped[400];
    const char *key = NULL;
    if (idempotency_key) { /* PRI-05: the first response again, no second re-evaluation */
        if (!*idempotency_key || strlen(idempotency_key) > 255) {
            *raw = dump(cxm_field_err("Idempotency-Key", "keys are 1..255 characters"));
            return 400;
        }
        snprintf(scoped, sizeof scoped, "patch\037%s\037%s\037%s",
                 s->tenant->clients[tok->client].id, id, idempotency_key);
        key = scoped;
        const struct cxm_idem_entry *e = cxm_idem_get(&s->idem, key, s->now);
        if (e) {
            cxm_sim_record(s, "IDEMPOTENT_REPLAY",
                           json_pack("{ss ss}", "clientId", s->tenant->clients[tok->client].id,
                                     "interactionId", id));
            *raw = e->body[0] ? strdup(e->body) : NULL;
            return e->status;
        }
    }
    if (!json_is_object(body)) {
        *raw = dump(cxm_err("validation_error", "the request body must be an object"));
        return 400;
    }
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        for (const char *const *r = read_only; *r; r++) {
            if (strcmp(*r, k) == 0) {
                *raw = dump(cxm_field_err(k, "%s is read-only", k));
                return 400;
            }
        }
        if (strcmp(k, "priority") != 0 && strcmp(k, "routingStatus") != 0) {
            *raw = dump(cxm_field_err(k, "unknown field '%s'", k));
            return 400;
        }
    }
    json_t *expected = json_object_get(body, "routingStatus"); /* 002 §2: confirms the state */
    if (expected && !json_is_string(expected)) {
        *raw = dump(cxm_field_err("routingStatus", "routingStatus must be a string"));
        return 400;
    }
    json_t *p = json_object_get(body, "priority"); /* PRI-02: a JSON integer 1..10, nothing else */
    if (!json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > 10) {
        *raw = dump(cxm_field_err("priority", "priority must be an integer from 1 to 10"));
        return 400;
    }
    int want = (int)json_integer_value(p);
    long ix = find_contact(s, id);
    if (ix < 0) {
        *raw = dump(cxm_err("not_found", "no contact '%s'", id));
        return 404;
    }
    struct cxm_interaction *x = s->model.ix[ix];
    if (expected && strcmp(json_string_value(expected), cxm_routing_status(x)) != 0) {
        *raw = dump(cxm_err("conflict", "the contact is %s, not %s", cxm_routing_status(x),
                            json_string_value(expected)));
        return finish(s, key, 409, raw); /* it moved on since the client looked */
    }
    if (!mutable_status(x)) { /* PRI-03, PRI-06 */
        if (s->tenant->patch_assigned_ignore) {
            cxm_sim_record(s, "PRIORITY_IGNORED",
                           json_pack("{ss ss si}", "interactionId", x->id, "routingStatus",
                                     cxm_routing_status(x), "priority", want));
            *raw = dump(json_pack("{ss ss si}", "id", x->id, "routingStatus", cxm_routing_status(x),
                                  "priority", x->priority));
            return finish(s, key, 200, raw);
        }
        *raw = dump(cxm_err("conflict", "contact is %s: only queued or waiting contacts change",
                            cxm_routing_status(x)));
        return finish(s, key, 409, raw);
    }
    if (patch_rank(s, want) == x->rank && x->npending == 0)
        return finish(s, key, 204, raw); /* same value: nothing to do */
    if (!x->pending && !(x->pending = calloc(CXM_PATCHES_PER_CYCLE, sizeof *x->pending))) {
        *raw = dump(cxm_err("internal_error", "out of memory"));
        return 500;
    }
    if (x->npending < CXM_PATCHES_PER_CYCLE)
        x->pending[x->npending++] = want;
    cxm_sim_record(
        s, "PRIORITY_REQUESTED",
        json_pack("{ss si si}", "interactionId", x->id, "from", x->priority, "to", want));
    schedule_cycle(s);
    *raw = dump(json_pack("{ss ss si}", "id", x->id, "routingStatus", cxm_routing_status(x),
                          "priority", want));
    return finish(s, key, 200, raw);
}

/* One re-evaluation of contact IX in the cycle: its priority becomes TO; the ledger says how
 * its position moved (RECONCILED: a duplicate's conflicting snapshot put it back). */
static void reevaluate(struct cxm_sim *s, long ix, int to, int rank, int from, int reconciled)
{
    struct cxm_interaction *x = s->model.ix[ix];
    struct cxm_queue *q = &s->model.queues[x->queue];
    size_t before = cxm_queue_position(&s->model, x->queue, ix);
    cxm_queue_leave(&s->model, x->queue, ix); /* by its old place in the order */
    x->priority = to;
    x->rank = rank;
    x->sort_seq = s->model.next_order++; /* behind its equals (PRI-05) */
    cxm_queue_join(&s->model, x->queue, ix);
    cxm_sim_record(
        s, "REEVALUATION",
        json_pack("{ss si si si sI sI sb sb}", "interactionId", x->id, "priority", to, "rank", rank,
                  "previousPriority", from, "positionBefore", (json_int_t)before, "positionAfter",
                  (json_int_t)cxm_queue_position(&s->model, x->queue, ix), "sortingIgnoresPriority",
                  q->def->sorting == CXM_SORT_FIFO || q->def->sorting == CXM_SORT_LIFO,
                  "reconciled", reconciled));
}

/* The cycle weighs each contact's PATCHes of the window in order, one re-evaluation each. A
 * duplicate of the one before it (a keyless retry) arrives as a conflicting snapshot: the
 * engine reconciles by putting back the priority the window began with, so the position
 * oscillates, and an even run of duplicates leaves the change unapplied (PRI-05, 002 §3). */
static void evaluation_cycle(struct cxm_sim *s, const struct cxm_event *ev)
{
    (void)ev;
    s->evaluation_due = 0;
    for (size_t ix = 0; ix < s->model.nix; ix++) {
        struct cxm_interaction *x = s->model.ix[ix];
        if (!x || x->npending == 0) /* forgotten, or nothing PATCHed */
            continue;
        int from = x->priority, from_rank = x->rank, n = x->npending;
        x->npending = 0;
        if (x->dropped || !mutable_status(x)) { /* assigned before the cycle: never applied */
            cxm_sim_record(s, "PRIORITY_NOT_APPLIED",
                           json_pack("{ss ss si}", "interactionId", x->id, "routingStatus",
                                     cxm_routing_status(x), "priority", x->pending[n - 1]));
            continue;
        }
        for (int i = 0; i < n; i++) {
            int dup = i > 0 && x->pending[i] == x->pending[i - 1];
            int back = dup && x->priority == x->pending[i]; /* the conflicting snapshot */
            reevaluate(s, (long)ix, back ? from : x->pending[i],
                       back ? from_rank : patch_rank(s, x->pending[i]), x->priority, back);
        }
        char at[32];
        cxm_time_iso(s->now, at);
        if (from != x->priority)
            cxm_sim_emit(s, "contact.priority.changed",
                         json_pack("{ss si si ss}", "contactId", x->id, "previousPriority", from,
                                   "priority", x->priority, "at", at));
    }
    cxm_route(s);
}

int cxm_route_to_queue(struct cxm_sim *s, const char *id, json_t *body, json_t **out)
{
    static const char *const allowed[] = {"queueId", NULL};
    if (cxm_check_fields(body, allowed, out) < 0)
        return 400;
    json_t *q_v = json_object_get(body, "queueId");
    if (!json_is_string(q_v)) {
        *out = cxm_field_err("queueId", "queueId is required (a string)");
        return 400;
    }
    long ix = find_contact(s, id);
    if (ix < 0) {
        *out = cxm_err("not_found", "no contact '%s'", id);
        return 404;
    }
    int q = cxm_model_queue(&s->model, json_string_value(q_v));
    if (q < 0) {
        *out = cxm_err("not_found", "no queue '%s'", json_string_value(q_v));
        return 404;
    }
    struct cxm_interaction *x = s->model.ix[ix];
    if (!mutable_status(x)) { /* as a PATCH: only a contact still in the routing pipeline */
        *out = cxm_err("conflict", "contact is %s: only queued or waiting contacts move",
                       cxm_routing_status(x));
        return 409;
    }
    if (q != x->queue) {
        cxm_sim_record(s, "ROUTED_TO_QUEUE",
                       json_pack("{ss ss ss}", "interactionId", x->id, "fromQueueId",
                                 s->model.queues[x->queue].def->id, "toQueueId",
                                 s->model.queues[q].def->id));
        cxm_enqueue(s, ix, q, "route_to_queue");
        cxm_route(s);
    }
    *out = json_pack("{ss ss ss si}", "id", x->id, "queueId", s->model.queues[x->queue].def->id,
                     "routingStatus", cxm_routing_status(x), "priority", x->priority);
    return 200;
}
