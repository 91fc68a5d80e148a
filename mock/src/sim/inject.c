/* inject.c - see inject.h */
#include "inject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "jsonw.h"
#include "routing.h"

#define MAX_KEY_LEN 255

static char *dump(json_t *v)
{
    char *s = cx_json_dumps(v);
    json_decref(v);
    return s;
}

static int error(char **raw, int status, json_t *body)
{
    *raw = dump(body);
    return status;
}

void cxm_queue_rates(const struct cxm_sim *s, int q, double *abandon_rate, double *service_level)
{
    const struct cxm_queue *queue = &s->model.queues[q];
    uint64_t total = queue->answered + queue->abandoned;
    *abandon_rate = total ? (double)queue->abandoned / (double)total : 0.0;
    *service_level = total ? (double)queue->answered_in_sl / (double)total : 1.0;
    if (queue->forced_abandon_rate >= 0)
        *abandon_rate = queue->forced_abandon_rate;
    if (queue->forced_service_level >= 0)
        *service_level = queue->forced_service_level;
}

static int thresholds_breached(const struct cxm_sim *s, int q)
{
    const struct cxm_queue_def *d = s->model.queues[q].def;
    double ar, sl;
    cxm_queue_rates(s, q, &ar, &sl);
    return (d->has_abandon_rate && ar > d->abandon_rate) ||
           (d->has_service_level && sl < d->service_level);
}

static json_t *thresholds(const struct cxm_queue_def *d)
{
    return json_pack("{so so}", "abandonRate",
                     d->has_abandon_rate ? json_real(d->abandon_rate) : json_null(), "serviceLevel",
                     d->has_service_level ? json_real(d->service_level) : json_null());
}

json_t *cxm_view_routing_queue(const struct cxm_sim *s, int q)
{
    const struct cxm_queue *queue = &s->model.queues[q];
    int active = 0;
    for (size_t a = 0; a < s->model.nagents; a++)
        active += s->model.agents[a].state == CXM_AGENT_READY &&
                  cxm_agent_serves(&s->model.agents[a], queue);
    double ar, sl;
    cxm_queue_rates(s, q, &ar, &sl);
    return json_pack("{ss ss si sI so si ss sb s{sf sf}}", "id", queue->def->id, "sortingStrategy",
                     cxm_sorting_name(queue->def->sorting), "capacity", queue->def->max_capacity,
                     "depth", (json_int_t)queue->nmembers, "thresholds", thresholds(queue->def),
                     "activeAgents", active, "status",
                     cxm_queue_overflowing(s, q) ? "Overflow" : "Normal", "thresholdsBreached",
                     thresholds_breached(s, q), "current", "abandonRate", ar, "serviceLevel", sl);
}

static const char *attr_type(const char *key)
{
    static const char *const prefixes[] = {"string:", "number:", "boolean:", "date:"};
    for (int i = 0; i < 4; i++)
        if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
            return prefixes[i];
    return NULL;
}

json_t *cxm_view_attribute_schema(const struct cxm_sim *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->tenant->nattributes; i++) {
        const struct cxm_attr_def *d = &s->tenant->attributes[i];
        const char *type = attr_type(d->key);
        json_array_append_new(a, json_pack("{ss ss# si}", "key", d->key, "type", type,
                                           (int)strlen(type) - 1, "maxLength", d->max_length));
    }
    return json_pack("{so}", "attributes", a);
}

/* ISO 8601 date or date-time, loosely: YYYY-MM-DD, optionally followed by 'T' and more. */
static int is_iso8601(const char *v)
{
    int y, mo, d;
    char rest;
    if (sscanf(v, "%4d-%2d-%2d%c", &y, &mo, &d, &rest) < 3)
        return 0;
    if (strlen(v) < 10 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    return v[10] == '\0' || v[10] == 'T';
}

/* Byte length of the first max characters of UTF-8 text s. */
static size_t utf8_prefix(const char *s, size_t max)
{
    size_t bytes = 0, chars = 0;
    while (s[bytes] && chars < max) {
        bytes++;
        while (((unsigned char)s[bytes] & 0xC0) == 0x80)
            bytes++;
        chars++;
    }
    return bytes;
}

static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* INJ-04: check the keys (an unprefixed one is a 400) before anything is created. */
static int check_attribute_keys(json_t *attrs, char **raw)
{
    if (!attrs)
        return 0;
    if (!json_is_object(attrs))
        return error(raw, 400, cxm_field_err("attributes", "attributes must be an object"));
    const char *key;
    json_t *v;
    json_object_foreach(attrs, key, v)
    {
        if (!attr_type(key) || strlen(key) == strlen(attr_type(key))) {
            char field[300];
            snprintf(field, sizeof field, "attributes.%s", key);
            return error(raw, 400,
                         cxm_field_err(field, "attribute keys need a type prefix: string:, "
                                              "number:, boolean: or date:"));
        }
    }
    return 0;
}

/* The attributes as stored from here on: those before KEY of ATTRS copied into a new object,
 * where a contact's attributes first differ from what it sent. */
static json_t *copy_before(json_t *attrs, const char *stop)
{
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(attrs, key, v)
    {
        if (key == stop)
            break;
        json_object_set(out, key, v);
    }
    return out;
}

/* INJ-04: the attributes as stored, with a ledger entry for each silent effect; an unregistered
 * key is accepted but kept apart, in *IGNORED: routing and the agent's session never see it.
 * A contact whose attributes are kept as sent (the usual case) shares the request's object: no
 * copy is made under the lock (nothing changes a contact's attributes after this). */
static json_t *store_attributes(struct cxm_sim *s, const char *id, json_t *attrs, json_t **ignored)
{
    json_t *out = NULL; /* NULL while every key so far is kept as it came */
    *ignored = NULL;    /* made for the first key ignored: most contacts have none */
    const char *key;
    json_t *v;
    json_object_foreach(attrs, key, v)
    {
        const struct cxm_attr_def *def = NULL;
        for (size_t i = 0; i < s->tenant->nattributes; i++)
            if (strcmp(s->tenant->attributes[i].key, key) == 0)
                def = &s->tenant->attributes[i];
        if (!def) {
            cxm_sim_record(s, "IGNORED_ATTRIBUTE",
                           json_pack("{ss ss}", "interactionId", id, "key", key));
            if (!*ignored)
                *ignored = json_object();
            json_object_set(*ignored, key, v);
            if (!out)
                out = copy_before(attrs, key);
            continue;
        }
        const char *type = attr_type(key);
        int ok = strcmp(type, "string:") == 0   ? json_is_string(v)
                 : strcmp(type, "number:") == 0 ? json_is_number(v)
                 : strcmp(type, "boolean:") == 0
                     ? json_is_boolean(v)
                     : json_is_string(v) && is_iso8601(json_string_value(v));
        if (!ok) {
            static const char *const names[] = {"object", "array",   "string",  "integer",
                                                "real",   "boolean", "boolean", "null"};
            cxm_sim_record(s, "TYPE_MISMATCH",
                           json_pack("{ss ss ss# ss}", "interactionId", id, "key", key, "expected",
                                     type, (int)strlen(type) - 1, "got", names[json_typeof(v)]));
        }
        if (json_is_string(v) && utf8_length(json_string_value(v)) > (size_t)def->max_length) {
            const char *text = json_string_value(v);
            size_t keep = utf8_prefix(text, (size_t)def->max_length);
            cxm_sim_record(s, "TRUNCATED_ATTRIBUTE",
                           json_pack("{ss ss sI si}", "interactionId", id, "key", key, "length",
                                     (json_int_t)utf8_length(text), "maxLength", def->max_length));
            if (!out)
                out = copy_before(attrs, key);
            json_object_set_new(out, key, json_stringn(text, keep));
        } else if (out) {
            json_object_set(out, key, v);
        }
    }
    if (!out && json_object_size(attrs) > 0)
        return json_incref(attrs);
    if (!out || json_object_size(out) == 0) {
        json_decref(out);
        return cxm_empty_object();
    }
    return out;
}

/* The digest of a contact's request body with sorted keys: two POSTs of the same contact (a
 * retry) have the same one. It names the contact for DUPLICATE_CONTACT when the request had no
 * idempotency key (invariants.c, INJ-05). */
void cxm_business_key(json_t *body, char out[24])
{
    struct cx_buf b;
    cx_buf_init(&b);
    char *text = NULL; /* jansson's, for what the fast writer declines (a real, a control char) */
    int fast = json_is_object(body) && cx_json_append_sorted(&b, body) == 0 && !b.oom;
    if (!fast)
        text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    const char *digested = fast ? b.data : text ? text : "";
    uint64_t h = cx_fnv1a64_add(1469598103934665603ULL, digested, strlen(digested)); /* fnv.h */
    free(text);
    cx_buf_free(&b);
    static const char hex[] = "0123456789abcdef";
    memcpy(out, "bk-", 3);
    for (int i = 0; i < 16; i++)
        out[3 + i] = hex[(h >> (60 - 4 * i)) & 15];
    out[19] = '\0';
}

/* Resolve the target queue (INJ-02). Returns its index, or -1 with *raw and the status. */
static int target_queue(struct cxm_sim *s, json_t *queue_v, json_t *skills_v, char **raw,
                        int *status)
{
    *status = 400;
    if (queue_v && skills_v) {
        error(raw, 400, cxm_field_err("skillIds", "queueId and skillIds are mutually exclusive"));
        return -1;
    }
    if (!queue_v && !skills_v) {
        error(raw, 400, cxm_field_err("queueId", "queueId or skillIds is required"));
        return -1;
    }
    if (queue_v) {
        if (!json_is_string(queue_v)) {
            error(raw, 400, cxm_field_err("queueId", "queueId must be a string"));
            return -1;
        }
        int q = cxm_model_queue(&s->model, json_string_value(queue_v));
        if (q < 0) {
            *status = 404;
            error(raw, 404, cxm_err("not_found", "no queue '%s'", json_string_value(queue_v)));
        }
        return q;
    }
    size_t i;
    json_t *v;
    if (!json_is_array(skills_v) || json_array_size(skills_v) == 0) {
        error(raw, 400, cxm_field_err("skillIds", "skillIds must be a non-empty array of strings"));
        return -1;
    }
    json_array_foreach(skills_v, i, v)
    {
        if (!json_is_string(v)) {
            error(raw, 400, cxm_field_err("skillIds", "skillIds must be strings"));
            return -1;
        }
    }
    for (size_t q = 0; q < s->model.nqueues; q++) {
        const struct cxm_queue_def *d = s->model.queues[q].def;
        int all = 1;
        json_array_foreach(skills_v, i, v)
        {
            int has = 0;
            for (size_t k = 0; k < d->nskills; k++)
                has |= strcmp(d->skills[k], json_string_value(v)) == 0;
            all &= has;
        }
        if (all)
            return (int)q;
    }
    *status = 404;
    error(raw, 404, cxm_err("not_found", "no queue serves every skill in skillIds"));
    return -1;
}

/* Can any agent of the tenant, in any state, ever take this channel in this queue? */
static int servable(const struct cxm_sim *s, int q, unsigned channel)
{
    for (size_t a = 0; a < s->model.nagents; a++)
        if (cxm_agent_has_channel(&s->model.agents[a], channel) &&
            cxm_agent_serves(&s->model.agents[a], &s->model.queues[q]))
            return 1;
    return 0;
}

/* The new contact IX (answered 201) meets its queue Q: failed if no agent of the tenant could
 * ever take it (INJ-02), abandoned at once if the queue is FULL with atCapacity "abandon" or
 * its thresholds are breached (INJ-06), else queued and routed. */
static void admit(struct cxm_sim *s, long ix, int q, int full)
{
    struct cxm_interaction *x = s->model.ix[ix];
    const char *queue = s->model.queues[q].def->id;
    if (!servable(s, q, x->channel)) { /* nobody can ever take it */
        x->rstatus = CXM_RS_FAILED;
        cxm_sim_record(s, "FAILED_ON_INGEST",
                       json_pack("{ss ss}", "interactionId", x->id, "queueId", queue));
        cxm_set_state(s, ix, CXM_IS_ENDED, "failed_on_ingest");
    } else if (full) {
        x->rstatus = CXM_RS_ABANDONED;
        cxm_sim_record(s, "ABANDONED_ON_INGEST",
                       json_pack("{ss ss ss si}", "interactionId", x->id, "queueId", queue, "cause",
                                 "capacity", "maxCapacity", s->model.queues[q].def->max_capacity));
        cxm_set_state(s, ix, CXM_IS_ENDED, "abandoned_on_ingest");
    } else if (thresholds_breached(s, q)) {
        x->rstatus = CXM_RS_ABANDONED;
        double ar, sl;
        cxm_queue_rates(s, q, &ar, &sl);
        cxm_sim_record(s, "ABANDONED_ON_INGEST",
                       json_pack("{ss ss ss sf sf}", "interactionId", x->id, "queueId", queue,
                                 "cause", "thresholds", "abandonRate", ar, "serviceLevel", sl));
        cxm_set_state(s, ix, CXM_IS_ENDED, "abandoned_on_ingest");
    } else {
        cxm_queue_join(&s->model, q, ix);
        cxm_route(s);
    }
}

/* The 201 of an injection: contact ID, created at T, as it was queued (queue q, priority p).
 * Written member by member (jsonw.h): it is built under the lock on every injection. */
static char *created_body(struct cxm_sim *s, const char *id, int64_t t, int q, int p)
{
    char created[32];
    cxm_time_iso(t, created);
    const char *queue = s->model.queues[q].def->id;
    struct cx_buf b;
    cx_buf_init(&b);
    cx_buf_reserve(&b, 160);
    int rc = cx_json_member_str(&b, "id", id);
    rc |= cx_json_member_str(&b, "status", "queued");
    rc |= cx_json_member_str(&b, "queueId", queue);
    cx_json_member_int(&b, "priority", p);
    rc |= cx_json_member_str(&b, "createdTime", created);
    cx_buf_add(&b, "}", 1);
    if (rc == 0 && !b.oom) {
        b.data[0] = '{'; /* the first member's comma */
        return cx_buf_take(&b);
    }
    cx_buf_free(&b); /* a queue id the fast writer declines */
    return dump(json_pack("{ss ss ss si ss}", "id", id, "status", "queued", "queueId", queue,
                          "priority", p, "createdTime", created));
}

/* The CREATED entry of contact X (INJ-01), its fields written as text; by jansson if a value is
 * one the fast writer declines (a control character in a key or an id). */
static void record_created(struct cxm_sim *s, const struct cxm_interaction *x, const char *client,
                           const char *bk, const char *idempotency_key)
{
    const char *channel = cxm_channel_name(x->channel);
    const char *queue = s->model.queues[x->queue].def->id;
    struct cx_buf b;
    cx_buf_init(&b);
    cx_buf_reserve(&b, 320);
    int rc = cx_json_member_str(&b, "interactionId", x->id);
    rc |= cx_json_member_str(&b, "channel", channel);
    rc |= cx_json_member_str(&b, "queueId", queue);
    cx_json_member_int(&b, "priority", x->priority);
    rc |= cx_json_member_str(&b, "source", "routing_api");
    rc |= cx_json_member_str(&b, "clientId", client);
    rc |= cx_json_member_str(&b, "businessKey", bk);
    rc |= cx_json_member_str(&b, "idempotencyKey", idempotency_key);
    if (rc == 0 && !b.oom)
        cxm_sim_record_members(s, "CREATED", b.data + 1, b.len - 1);
    else
        cxm_sim_record(s, "CREATED",
                       json_pack("{ss ss ss si ss ss ss so}", "interactionId", x->id, "channel",
                                 channel, "queueId", queue, "priority", x->priority, "source",
                                 "routing_api", "clientId", client, "businessKey", bk,
                                 "idempotencyKey",
                                 idempotency_key ? json_string(idempotency_key) : json_null()));
    cx_buf_free(&b);
}

/* INJ-05: a repeated key gets the first answer again, byte for byte. */
static int replay(struct cxm_sim *s, const struct cxm_token *tok, const struct cxm_idem_entry *e,
                  char **raw)
{
    if (e->body) { /* stored as text */
        *raw = strdup(e->body);
        return e->status;
    }
    cxm_sim_record(s, "IDEMPOTENT_REPLAY",
                   json_pack("{ss ss}", "clientId", s->tenant->clients[tok->client].id,
                             "interactionId", e->ref.id));
    *raw = created_body(s, e->ref.id, e->ref.t, e->ref.a, e->ref.b);
    return e->status;
}

int cxm_inject(struct cxm_sim *s, const struct cxm_token *tok, const char *idempotency_key,
               json_t *body, const char *business_key, char **raw)
{
    static const char *const allowed[] = {"type",       "channel",    "queueId", "skillIds",
                                          "priority",   "from",       "to",      "callbackNumber",
                                          "wrapUpCode", "attributes", NULL};
    char scoped[MAX_KEY_LEN + 96];
    if (idempotency_key) { /* INJ-05: a repeated key replays the first 201 */
        if (strlen(idempotency_key) == 0 || strlen(idempotency_key) > MAX_KEY_LEN)
            return error(
                raw, 400,
                cxm_field_err("X-Idempotency-Key", "keys are 1..%d characters", MAX_KEY_LEN));
        snprintf(scoped, sizeof scoped, "inject\037%s\037%s", s->tenant->clients[tok->client].id,
                 idempotency_key);
        const struct cxm_idem_entry *e = cxm_idem_get(&s->idem, scoped, s->now);
        if (e)
            return replay(s, tok, e, raw);
    }
    json_t *v, *bad = NULL;
    if (cxm_check_fields(body, allowed, &bad) < 0)
        return error(raw, 400, bad);
    json_t *ch_v = json_object_get(body, "channel");
    int channel = json_is_string(ch_v) ? cxm_channel_parse(json_string_value(ch_v)) : -1;
    if (channel < 0)
        return error(raw, 400,
                     cxm_field_err("channel", "channel must be one of voice, chat, sms, email"));
    int status;
    int q = target_queue(s, json_object_get(body, "queueId"), json_object_get(body, "skillIds"),
                         raw, &status);
    if (q < 0)
        return status;
    json_t *prio_v = json_object_get(body, "priority"); /* INJ-03 */
    if (prio_v && (!json_is_integer(prio_v) || json_integer_value(prio_v) < 0 ||
                   json_integer_value(prio_v) > 999))
        return error(raw, 400,
                     cxm_field_err("priority", "priority must be an integer from 0 to 999"));
    static const char *const strings[] = {"type", "from", "to", "callbackNumber", "wrapUpCode"};
    for (int i = 0; i < 5; i++)
        if ((v = json_object_get(body, strings[i])) && !json_is_string(v))
            return error(raw, 400, cxm_field_err(strings[i], "%s must be a string", strings[i]));
    json_t *attrs = json_object_get(body, "attributes");
    if (check_attribute_keys(attrs, raw) != 0)
        return 400;
    const struct cxm_queue *queue = &s->model.queues[q];
    int full = queue->def->max_capacity > 0 && queue->nmembers >= (size_t)queue->def->max_capacity;
    if (full && queue->def->at_capacity == CXM_CAPACITY_409)
        return error(raw, 409,
                     cxm_err("queue_at_capacity", "queue %s holds %zu of %d", queue->def->id,
                             queue->nmembers, queue->def->max_capacity));

    char id[37], bk[24];
    cx_prng_uuid(&s->prng, id);
    if (business_key)
        snprintf(bk, sizeof bk, "%s", business_key);
    else
        cxm_business_key(body, bk);
    long ix = cxm_model_add_interaction(&s->model, id, (unsigned)channel, NULL, q, s->now);
    if (ix < 0)
        return error(raw, 500, cxm_err("internal_error", "out of memory"));
    struct cxm_interaction *x = s->model.ix[ix];
    x->priority = x->rank = prio_v ? (int)json_integer_value(prio_v) : 0;
    for (int i = 0; i < 5; i++) { /* no object for a contact with none of them */
        if (!(v = json_object_get(body, strings[i])))
            continue;
        if (!x->contact)
            x->contact = json_object();
        json_object_set(x->contact, strings[i], v);
    }
    record_created(s, x, s->tenant->clients[tok->client].id, bk, idempotency_key);
    x->attributes =
        attrs ? store_attributes(s, id, attrs, &x->ignored_attributes) : cxm_empty_object();

    *raw = created_body(s, x->id, x->created, q, x->priority);
    if (idempotency_key && *raw) { /* rebuilt on a replay: no text stored */
        struct cxm_idem_ref ref = {x->created, q, x->priority, ""};
        memcpy(ref.id, x->id, sizeof ref.id);
        cxm_idem_put_ref(&s->idem, scoped, 201, ref, s->now);
    }

    admit(s, ix, q, full);
    return 201;
}
