/* tenant.c - load and validate the tenant fixture.
 *
 * jansson parses the text (rejecting duplicate keys); then each object is checked against the
 * keys it may hold and each member is read by a typed getter that knows its default and range.
 * The first problem stops the load: it is reported with the JSON path of the key and the line and
 * column of the value (jsonpos.h), and the half-built tenant is freed.
 */
#include "tenant.h"

#include "faults.h"

#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "jsonread.h"
#include "scopes.h"
#include "slurp.h"

#define FILE_CAP (16u << 20) /* largest fixture file read */

extern const char cxm_default_tenant_json[];
extern const size_t cxm_default_tenant_json_len;

struct ctx {
    struct jr_ctx jr;           /* first: the source, the error, whether it failed */
    const struct cxm_tenant *t; /* the tenant built so far, for defaults and references */
};

enum { OPTIONAL = 0, REQUIRED = JR_REQUIRED, NONEMPTY = JR_NONEMPTY };

/* The fixture's wording: "expected integer", "unknown key". */
static const struct jr_words words = {.list_allowed = false,
                                      .integer = "integer",
                                      .boolean = "boolean",
                                      .object = "object",
                                      .array = "array",
                                      .string = "string",
                                      .nonempty = "non-empty string",
                                      .enum_not_string = "string"};

static const char *const channel_names[] = {"voice", "chat", "sms", "email", NULL};
static const char *const state_names[] = {"READY", "NOT_READY",  "PAUSED",
                                          "IDLE",  "LOGGED_OUT", NULL};
static const char *const sorting_names[] = {"Priority", "FIFO", "LIFO", "Custom", NULL};
static const char *const overflow_names[] = {"drop", "fallback", NULL};
static const char *const rotation_names[] = {"keep", "revoke-previous", NULL};
static const char *const patch_names[] = {"409", "ignore", NULL};
static const char *const idem_header_names[] = {"seed", "either", NULL};
static const char *const capacity_names[] = {"409", "abandon", NULL};
static const char *const mapping_names[] = {"scaled", "raw", NULL};
static const char *const told_names[] = {"wall", "mock", NULL};
static const char *const attr_prefixes[] = {"string:", "number:", "boolean:", "date:", NULL};

/* ---- typed getters: each reads member KEY of object OBJ at PATH; absent means the default ---- */

/* A number (integer or real) in [0, 1]; *has says whether it was given. */
static int get_fraction(struct ctx *c, json_t *obj, const char *path, const char *key, bool *has,
                        double *out)
{
    jr_path_t p;
    json_t *v;

    jr_member(&c->jr, obj, path, key, OPTIONAL, p, &v);
    *has = v != NULL;
    if (!v)
        return 0;
    if (!json_is_number(v))
        return jr_fail(&c->jr, p, 0, "expected number");
    *out = json_number_value(v);
    if (!(*out >= 0 && *out <= 1))
        return jr_fail(&c->jr, p, 0, "expected number in [0, 1]");
    return 0;
}

/* An array of strings copied into *out and *n; absent gives none. On error they hold what was
 * copied so far (NULLs elsewhere), for the caller to free. */
static int get_strs(struct ctx *c, json_t *obj, const char *path, const char *key, char ***out,
                    size_t *n)
{
    json_t *arr;
    jr_path_t p, q;

    if (jr_get_container(&c->jr, obj, path, key, OPTIONAL, JSON_ARRAY, &arr) != 0)
        return -1;
    if (!arr || json_array_size(arr) == 0)
        return 0;
    jr_member_path(p, path, key);
    if (!(*out = calloc(json_array_size(arr), sizeof **out)))
        return jr_fail_oom(&c->jr, p);
    *n = json_array_size(arr);
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v))
            return jr_fail(&c->jr, jr_index_path(q, p, i), 0, "expected string");
        if (!((*out)[i] = strdup(json_string_value(v))))
            return jr_fail_oom(&c->jr, p);
    }
    return 0;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- the sections ---- */

/* Parse object V at PATH into entry I of the array BASE (entries before I are done). */
typedef int (*parse_fn)(struct ctx *c, void *base, size_t i, json_t *v, const char *path);

/* Parse the array member KEY of ROOT, each element an object, into a new array of SIZE-byte
 * entries; returns it and its length in *n, or NULL and 0 if KEY is absent or empty. On error
 * c->jr.failed is set and what is returned is partly filled, for the caller to free. Does nothing
 * if c->jr.failed is already set. */
static void *parse_list(struct ctx *c, json_t *root, const char *key, size_t size, size_t *n,
                        parse_fn each)
{
    void *base;
    json_t *arr;
    jr_path_t p;

    *n = 0;
    if (c->jr.failed || jr_get_container(&c->jr, root, "", key, OPTIONAL, JSON_ARRAY, &arr) != 0 ||
        !arr || json_array_size(arr) == 0)
        return NULL;
    if (!(base = calloc(json_array_size(arr), size))) {
        jr_fail_oom(&c->jr, key);
        return NULL;
    }
    *n = json_array_size(arr);
    for (size_t i = 0; i < *n; i++) {
        json_t *v = json_array_get(arr, i);
        jr_index_path(p, key, i);
        if (!json_is_object(v)) {
            jr_fail(&c->jr, p, 0, "expected object");
            break;
        }
        if (each(c, base, i, v, p) != 0)
            break;
    }
    return base;
}

/* Each scope of client CL is a seed's name or one of the fixture's aliases (AUTH-07): an
 * invented name would grant nothing the platform checks. */
static int check_scopes(struct ctx *c, const struct cxm_client *cl, const char *path)
{
    for (size_t k = 0; k < cl->nscopes; k++) {
        if (cxm_scope_known(cl->scopes[k]) || cxm_tenant_alias(c->t, cl->scopes[k]))
            continue;
        jr_path_t p, q;
        char names[600];
        jr_index_path(q, jr_member_path(p, path, "scopes"), k);
        return jr_fail(&c->jr, q, 0,
                       "\"%s\" is not a scope of the platform: expected one of %s, or an alias "
                       "declared in scopeAliases",
                       cl->scopes[k], jr_join(names, sizeof names, cxm_seed_scopes));
    }
    return 0;
}

/* "scopeAliases": {"alias": "seed-name" or ["seed-name", ...]}. */
static int parse_aliases(struct ctx *c, json_t *root, struct cxm_tenant *t)
{
    json_t *obj, *v;
    const char *key;
    if (jr_get_container(&c->jr, root, "", "scopeAliases", OPTIONAL, JSON_OBJECT, &obj) || !obj)
        return c->jr.failed ? -1 : 0;
    if (!(t->aliases = calloc(json_object_size(obj) + 1, sizeof *t->aliases)))
        return jr_fail_oom(&c->jr, "scopeAliases");
    json_object_foreach(obj, key, v)
    {
        struct cxm_scope_alias *a = &t->aliases[t->naliases++];
        jr_path_t p, q;
        jr_member_path(p, "scopeAliases", key);
        if (!(a->alias = strdup(key)))
            return jr_fail_oom(&c->jr, p);
        if (cxm_scope_known(key))
            return jr_fail(&c->jr, p, 1, "\"%s\" is a scope of the platform already", key);
        json_t *one = json_is_string(v) ? json_pack("[O]", v) : json_incref(v);
        json_t *holder = json_pack("{so}", "s", one);
        int rc = !holder || get_strs(c, holder, p, "s", &a->scopes, &a->nscopes);
        json_decref(holder);
        if (rc)
            return -1;
        if (a->nscopes == 0)
            return jr_fail(&c->jr, p, 0, "expected a seed scope name or a non-empty array of them");
        for (size_t k = 0; k < a->nscopes; k++)
            if (!cxm_scope_known(a->scopes[k]))
                return jr_fail(&c->jr, json_is_array(v) ? jr_index_path(q, p, k) : p, 0,
                               "\"%s\" is not a scope of the platform", a->scopes[k]);
    }
    return 0;
}

static int parse_client(struct ctx *c, void *base, size_t i, json_t *v, const char *path)
{
    static const char *const keys[] = {"clientId", "clientSecret",    "scopes",   "perMin",
                                       "limits",   "tokenTtlSeconds", "rotation", NULL};
    struct cxm_client *all = base, *cl = &all[i];
    int rotation;
    json_t *limits;
    jr_path_t p;

    if (jr_check_keys(&c->jr, v, path, keys) ||
        jr_get_str(&c->jr, v, path, "clientId", REQUIRED | NONEMPTY, NULL, &cl->id) ||
        jr_get_str(&c->jr, v, path, "clientSecret", REQUIRED, NULL, &cl->secret) ||
        get_strs(c, v, path, "scopes", &cl->scopes, &cl->nscopes) ||
        jr_get_int(&c->jr, v, path, "perMin", OPTIONAL, 120, 0, INT_MAX, &cl->per_min) ||
        jr_get_int(&c->jr, v, path, "tokenTtlSeconds", OPTIONAL, c->t->token_ttl_s, 1, INT_MAX,
                   &cl->token_ttl_s) ||
        jr_get_enum(&c->jr, v, path, "rotation", OPTIONAL, rotation_names, CXM_ROTATION_KEEP,
                    &rotation) ||
        jr_get_container(&c->jr, v, path, "limits", OPTIONAL, JSON_OBJECT, &limits))
        return -1;
    cl->rotation = (enum cxm_rotation)rotation;
    jr_member_path(p, path, "limits");
    if (limits && jr_check_keys(&c->jr, limits, p, cxm_group_names))
        return -1;
    for (int g = 0; g < CXM_GROUPS; g++) {
        int def = g == CXM_GROUP_ROUTING ? cl->per_min : 0;
        cl->group_per_min[g] = def;
        if (limits && jr_get_int(&c->jr, limits, p, cxm_group_names[g], OPTIONAL, def, 0, INT_MAX,
                                 &cl->group_per_min[g]))
            return -1;
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(all[j].id, cl->id) == 0)
            return jr_fail(&c->jr, jr_member_path(p, path, "clientId"), 0, "duplicate id \"%s\"",
                           cl->id);
    return check_scopes(c, cl, path);
}

/* {"startSeconds", "endSeconds"} at PATH into W: 0 <= start < end. */
static int parse_window(struct ctx *c, json_t *v, const char *path, struct cxm_span *w)
{
    static const char *const keys[] = {"startSeconds", "endSeconds", NULL};
    int start, end;
    if (!json_is_object(v))
        return jr_fail(&c->jr, path, 0, "expected an object {\"startSeconds\", \"endSeconds\"}");
    if (jr_check_keys(&c->jr, v, path, keys) ||
        jr_get_int(&c->jr, v, path, "startSeconds", REQUIRED, 0, 0, INT_MAX, &start) ||
        jr_get_int(&c->jr, v, path, "endSeconds", REQUIRED, 0, 0, INT_MAX, &end))
        return -1;
    if (end <= start) {
        jr_path_t p;
        return jr_fail(&c->jr, jr_member_path(p, path, "endSeconds"), 0,
                       "expected more than startSeconds (%d)", start);
    }
    w->start_s = start;
    w->end_s = end;
    return 0;
}

/* An agent's "skills", "shift" and "breaks" (INJ-02, AGT-02). */
static int parse_agent_time(struct ctx *c, json_t *v, const char *path, struct cxm_agent_def *a)
{
    json_t *shift, *breaks;
    jr_path_t p, q;
    if (json_object_get(v, "skills") && get_strs(c, v, path, "skills", &a->skills, &a->nskills))
        return -1;
    if (json_object_get(v, "skills") && !a->skills && !(a->skills = calloc(1, sizeof(char *))))
        return jr_fail_oom(&c->jr, path); /* declared, empty: no skill at all */
    if (jr_get_container(&c->jr, v, path, "shift", OPTIONAL, JSON_OBJECT, &shift) ||
        jr_get_container(&c->jr, v, path, "breaks", OPTIONAL, JSON_ARRAY, &breaks))
        return -1;
    if (shift && parse_window(c, shift, jr_member_path(p, path, "shift"), &a->shift))
        return -1;
    a->has_shift = shift != NULL;
    if (!json_array_size(breaks))
        return 0;
    if (!(a->breaks = calloc(json_array_size(breaks), sizeof *a->breaks)))
        return jr_fail_oom(&c->jr, path);
    jr_member_path(p, path, "breaks");
    for (size_t k = 0; k < json_array_size(breaks); k++, a->nbreaks++)
        if (parse_window(c, json_array_get(breaks, k), jr_index_path(q, p, k), &a->breaks[k]))
            return -1;
    return 0;
}

static int parse_agent(struct ctx *c, void *base, size_t i, json_t *v, const char *path)
{
    static const char *const keys[] = {"id",       "email",     "password",       "state",
                                       "channels", "scheduled", "mandatoryBreak", "queues",
                                       "skills",   "shift",     "breaks",         NULL};
    struct cxm_agent_def *all = base, *a = &all[i];
    json_t *chans;
    size_t k;
    int state;
    jr_path_t p, q;

    if (jr_check_keys(&c->jr, v, path, keys) ||
        jr_get_str(&c->jr, v, path, "id", REQUIRED | NONEMPTY, NULL, &a->id) ||
        jr_get_str(&c->jr, v, path, "email", OPTIONAL, "", &a->email) ||
        jr_get_str(&c->jr, v, path, "password", OPTIONAL, "", &a->password) ||
        jr_get_enum(&c->jr, v, path, "state", OPTIONAL, state_names, CXM_AGENT_READY, &state) ||
        jr_get_container(&c->jr, v, path, "channels", OPTIONAL, JSON_ARRAY, &chans) ||
        jr_get_bool(&c->jr, v, path, "scheduled", true, &a->scheduled) ||
        jr_get_bool(&c->jr, v, path, "mandatoryBreak", false, &a->mandatory_break) ||
        get_strs(c, v, path, "queues", &a->queues, &a->nqueues) || parse_agent_time(c, v, path, a))
        return -1;
    a->state = (enum cxm_agent_state)state;
    a->channels = chans ? 0 : CXM_CH_VOICE;
    jr_member_path(p, path, "channels");
    for (k = 0; k < json_array_size(chans); k++) {
        json_t *ch = json_array_get(chans, k);
        int bit;
        if (!json_is_string(ch))
            return jr_fail(&c->jr, jr_index_path(q, p, k), 0, "expected string");
        if ((bit = cxm_channel_parse(json_string_value(ch))) < 0)
            return jr_fail_enum(&c->jr, jr_index_path(q, p, k), channel_names);
        a->channels |= (unsigned)bit;
    }
    jr_member_path(p, path, "queues");
    for (k = 0; k < a->nqueues; k++)
        if (cxm_tenant_queue_index(c->t, a->queues[k]) < 0)
            return jr_fail(&c->jr, jr_index_path(q, p, k), 0, "unknown queue \"%s\"", a->queues[k]);
    for (size_t j = 0; j < i; j++)
        if (strcmp(all[j].id, a->id) == 0)
            return jr_fail(&c->jr, jr_member_path(p, path, "id"), 0, "duplicate id \"%s\"", a->id);
    return 0;
}

static int parse_queue(struct ctx *c, void *base, size_t i, json_t *v, const char *path)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "sortingStrategy",
                                       "maxRings",
                                       "ringSeconds",
                                       "overflowDepth",
                                       "maxWaitSeconds",
                                       "maxCapacity",
                                       "atCapacity",
                                       "overflowAction",
                                       "fallbackQueueId",
                                       "thresholds",
                                       "serviceLevelSeconds",
                                       "skills",
                                       NULL};
    static const char *const threshold_keys[] = {"abandonRate", "serviceLevel", NULL};
    struct cxm_queue_def *all = base, *qd = &all[i];
    json_t *th;
    int sorting, action, at_capacity;
    jr_path_t p;

    if (jr_check_keys(&c->jr, v, path, keys) ||
        jr_get_str(&c->jr, v, path, "id", REQUIRED | NONEMPTY, NULL, &qd->id) ||
        jr_get_str(&c->jr, v, path, "name", OPTIONAL, qd->id, &qd->name) ||
        jr_get_enum(&c->jr, v, path, "sortingStrategy", OPTIONAL, sorting_names, CXM_SORT_FIFO,
                    &sorting) ||
        jr_get_int(&c->jr, v, path, "maxRings", OPTIONAL, 3, 1, INT_MAX, &qd->max_rings) ||
        jr_get_int(&c->jr, v, path, "ringSeconds", OPTIONAL, 20, 1, INT_MAX, &qd->ring_seconds) ||
        jr_get_int(&c->jr, v, path, "overflowDepth", OPTIONAL, 0, 0, INT_MAX,
                   &qd->overflow_depth) ||
        jr_get_int(&c->jr, v, path, "maxWaitSeconds", OPTIONAL, 0, 0, INT_MAX,
                   &qd->max_wait_seconds) ||
        jr_get_int(&c->jr, v, path, "maxCapacity", OPTIONAL, 0, 0, INT_MAX, &qd->max_capacity) ||
        jr_get_enum(&c->jr, v, path, "atCapacity", OPTIONAL, capacity_names, CXM_CAPACITY_409,
                    &at_capacity) ||
        jr_get_enum(&c->jr, v, path, "overflowAction", OPTIONAL, overflow_names, CXM_OVERFLOW_DROP,
                    &action) ||
        jr_get_str(&c->jr, v, path, "fallbackQueueId", NONEMPTY, NULL, &qd->fallback_queue_id) ||
        jr_get_container(&c->jr, v, path, "thresholds", OPTIONAL, JSON_OBJECT, &th) ||
        jr_get_int(&c->jr, v, path, "serviceLevelSeconds", OPTIONAL, 20, 1, INT_MAX,
                   &qd->service_level_seconds) ||
        get_strs(c, v, path, "skills", &qd->skills, &qd->nskills))
        return -1;
    qd->sorting = (enum cxm_sorting)sorting;
    qd->overflow_action = (enum cxm_overflow_action)action;
    qd->at_capacity = (enum cxm_at_capacity)at_capacity;
    if (th) {
        jr_member_path(p, path, "thresholds");
        if (jr_check_keys(&c->jr, th, p, threshold_keys) ||
            get_fraction(c, th, p, "abandonRate", &qd->has_abandon_rate, &qd->abandon_rate) ||
            get_fraction(c, th, p, "serviceLevel", &qd->has_service_level, &qd->service_level))
            return -1;
    }
    for (size_t j = 0; j < i; j++)
        if (strcmp(all[j].id, qd->id) == 0)
            return jr_fail(&c->jr, jr_member_path(p, path, "id"), 0, "duplicate id \"%s\"", qd->id);
    return 0;
}

/* Fallback references, once every queue is known: required with "fallback", must name another
 * existing queue. */
static int check_fallbacks(struct ctx *c, const struct cxm_tenant *t)
{
    jr_path_t path, p;

    for (size_t i = 0; i < t->nqueues; i++) {
        const struct cxm_queue_def *qd = &t->queues[i];
        const char *fb = qd->fallback_queue_id;

        jr_index_path(path, "queues", i);
        jr_member_path(p, path, "fallbackQueueId");
        if (!fb && qd->overflow_action == CXM_OVERFLOW_FALLBACK)
            return jr_fail(&c->jr, p, 0, "missing required key (overflowAction is \"fallback\")");
        if (fb && cxm_tenant_queue_index(t, fb) < 0)
            return jr_fail(&c->jr, p, 0, "unknown queue \"%s\"", fb);
        if (fb && strcmp(fb, qd->id) == 0)
            return jr_fail(&c->jr, p, 0, "expected another queue's id, not the queue's own");
    }
    return 0;
}

static int parse_attr(struct ctx *c, void *base, size_t i, json_t *v, const char *path)
{
    static const char *const keys[] = {"key", "maxLength", NULL};
    struct cxm_attr_def *a = (struct cxm_attr_def *)base + i;
    size_t k = 0;
    jr_path_t p;

    if (jr_check_keys(&c->jr, v, path, keys) ||
        jr_get_str(&c->jr, v, path, "key", REQUIRED, NULL, &a->key) ||
        jr_get_int(&c->jr, v, path, "maxLength", OPTIONAL, 255, 1, INT_MAX, &a->max_length))
        return -1;
    while (attr_prefixes[k] && strncmp(a->key, attr_prefixes[k], strlen(attr_prefixes[k])) != 0)
        k++;
    if (!attr_prefixes[k] || !a->key[strlen(attr_prefixes[k])])
        return jr_fail(&c->jr, jr_member_path(p, path, "key"), 0,
                       "expected string:, number:, boolean: or date: followed by a name");
    return 0;
}

static int parse_webhook(struct ctx *c, void *base, size_t i, json_t *v, const char *path)
{
    static const char *const keys[] = {"url", "events", NULL};
    struct cxm_webhook_def *w = (struct cxm_webhook_def *)base + i;

    if (jr_check_keys(&c->jr, v, path, keys) ||
        jr_get_str(&c->jr, v, path, "url", REQUIRED | NONEMPTY, NULL, &w->url) ||
        get_strs(c, v, path, "events", &w->events, &w->nevents))
        return -1;
    return 0;
}

/* The whole document ROOT into T. */
static int parse_root(struct ctx *c, json_t *root, struct cxm_tenant *t)
{
    static const char *const keys[] = {"tenant",
                                       "tokenTtlSeconds",
                                       "consistency",
                                       "evaluationIntervalMs",
                                       "idempotencyTtlSeconds",
                                       "patchAssigned",
                                       "idempotencyHeaders",
                                       "priorityMapping",
                                       "clientTime",
                                       "overflowOnLastRing",
                                       "limits",
                                       "teardownMs",
                                       "eventRetention",
                                       "idempotencyMaxKeys",
                                       "endedRetention",
                                       "scopeAliases",
                                       "clients",
                                       "agents",
                                       "queues",
                                       "dispositions",
                                       "attributes",
                                       "webhooks",
                                       "faults",
                                       NULL};
    static const char *const consistency_keys[] = {"minMs", "maxMs", NULL};
    static const char *const limit_keys[] = {"tenantPerMin", "agentStatePerMin", NULL};
    json_t *cons, *limits, *faults;
    int patch, idem_headers, mapping, told;

    if (!json_is_object(root))
        return jr_fail(&c->jr, "", 0, "expected object");
    if (jr_check_keys(&c->jr, root, "", keys) ||
        jr_get_str(&c->jr, root, "", "tenant", OPTIONAL, "default", &t->name) ||
        jr_get_int(&c->jr, root, "", "tokenTtlSeconds", OPTIONAL, 3600, 1, INT_MAX,
                   &t->token_ttl_s) ||
        jr_get_container(&c->jr, root, "", "consistency", OPTIONAL, JSON_OBJECT, &cons) ||
        jr_get_int(&c->jr, root, "", "evaluationIntervalMs", OPTIONAL, 1000, 1, INT_MAX,
                   &t->evaluation_interval_ms) ||
        jr_get_int(&c->jr, root, "", "idempotencyTtlSeconds", OPTIONAL, 86400, 1, INT_MAX,
                   &t->idempotency_ttl_s) ||
        jr_get_enum(&c->jr, root, "", "patchAssigned", OPTIONAL, patch_names, 0, &patch) ||
        jr_get_enum(&c->jr, root, "", "idempotencyHeaders", OPTIONAL, idem_header_names, 0,
                    &idem_headers) ||
        jr_get_enum(&c->jr, root, "", "priorityMapping", OPTIONAL, mapping_names, 0, &mapping) ||
        jr_get_enum(&c->jr, root, "", "clientTime", OPTIONAL, told_names, 0, &told) ||
        jr_get_bool(&c->jr, root, "", "overflowOnLastRing", true, &t->overflow_on_last_ring) ||
        jr_get_container(&c->jr, root, "", "limits", OPTIONAL, JSON_OBJECT, &limits) ||
        jr_get_int(&c->jr, root, "", "teardownMs", OPTIONAL, 1000, 0, INT_MAX, &t->teardown_ms) ||
        jr_get_int(&c->jr, root, "", "eventRetention", OPTIONAL, 100000, 1, INT_MAX,
                   &t->event_retention) ||
        jr_get_int(&c->jr, root, "", "idempotencyMaxKeys", OPTIONAL, 1000000, 1, INT_MAX,
                   &t->idempotency_max_keys) ||
        jr_get_int(&c->jr, root, "", "endedRetention", OPTIONAL, 1000000, 1, INT_MAX,
                   &t->ended_retention))
        return -1;
    t->patch_assigned_ignore = patch == 1;
    t->idempotency_either = idem_headers == 1;
    t->priority_raw = mapping == 1;
    t->client_time = told == 1 ? CXM_TOLD_MOCK : CXM_TOLD_WALL;

    t->consistency_min_ms = 200;
    t->consistency_max_ms = 500;
    if (cons && (jr_check_keys(&c->jr, cons, "consistency", consistency_keys) ||
                 jr_get_int(&c->jr, cons, "consistency", "minMs", OPTIONAL, 200, 0, INT_MAX,
                            &t->consistency_min_ms) ||
                 jr_get_int(&c->jr, cons, "consistency", "maxMs", OPTIONAL, 500, 0, INT_MAX,
                            &t->consistency_max_ms)))
        return -1;
    if (t->consistency_min_ms > t->consistency_max_ms)
        return jr_fail(
            &c->jr, json_object_get(cons, "maxMs") ? "consistency.maxMs" : "consistency.minMs", 0,
            "expected minMs <= maxMs (%d > %d)", t->consistency_min_ms, t->consistency_max_ms);

    t->tenant_per_min = 0;
    t->agent_state_per_min = 100;
    if (limits && (jr_check_keys(&c->jr, limits, "limits", limit_keys) ||
                   jr_get_int(&c->jr, limits, "limits", "tenantPerMin", OPTIONAL, 0, 0, INT_MAX,
                              &t->tenant_per_min) ||
                   jr_get_int(&c->jr, limits, "limits", "agentStatePerMin", OPTIONAL, 100, 0,
                              INT_MAX, &t->agent_state_per_min)))
        return -1;

    /* Aliases before the clients that hold them; queues before agents and fallbacks, which
     * refer to them. */
    if (parse_aliases(c, root, t))
        return -1;
    t->clients = parse_list(c, root, "clients", sizeof *t->clients, &t->nclients, parse_client);
    t->queues = parse_list(c, root, "queues", sizeof *t->queues, &t->nqueues, parse_queue);
    if (c->jr.failed || check_fallbacks(c, t))
        return -1;
    t->agents = parse_list(c, root, "agents", sizeof *t->agents, &t->nagents, parse_agent);
    if (c->jr.failed || get_strs(c, root, "", "dispositions", &t->dispositions, &t->ndispositions))
        return -1;
    t->attributes =
        parse_list(c, root, "attributes", sizeof *t->attributes, &t->nattributes, parse_attr);
    t->webhooks =
        parse_list(c, root, "webhooks", sizeof *t->webhooks, &t->nwebhooks, parse_webhook);
    if (c->jr.failed || jr_get_container(&c->jr, root, "", "faults", OPTIONAL, JSON_ARRAY, &faults))
        return -1;
    t->faults = faults ? json_incref(faults) : json_array();
    if (!t->faults)
        return jr_fail_oom(&c->jr, "faults");
    struct cxm_faults plan;
    struct cx_error why;
    jr_path_t p;
    if (cxm_faults_parse(t->faults, &plan, &why) < 0) {
        if (snprintf(p, sizeof p, "faults%s", why.key) >= (int)sizeof p)
            memcpy(p + sizeof p - 4, "...", 4); /* too long to show whole */
        return jr_fail(&c->jr, p, strstr(why.text, "unknown key") != NULL, "%s", why.text);
    }
    cxm_faults_free(&plan);
    return 0;
}

/* ---- public ---- */

/* See tenant.h. */
int cxm_tenant_parse(const char *text, size_t len, const char *name, struct cxm_tenant **out,
                     struct cx_error *err)
{
    struct ctx c = {.t = NULL};
    struct cxm_tenant *t = NULL;
    json_t *root;

    jr_init(&c.jr, text, len, name, err, &words);
    if (!(root = jr_parse(&c.jr)))
        goto error;
    if (!(t = calloc(1, sizeof *t))) {
        jr_fail_oom(&c.jr, "");
        goto error;
    }
    c.t = t;
    if (parse_root(&c, root, t) != 0)
        goto error;
    json_decref(root);
    snprintf(t->digest, sizeof t->digest, "fnv1a64:%016" PRIx64, cx_fnv1a64(text, len));
    *out = t;
    return 0;

error:
    cxm_tenant_free(t);
    json_decref(root);
    return -1;
}

/* See tenant.h. Open and read errors give strerror's text; a file over 16 MiB is refused. */
int cxm_tenant_load_file(const char *path, struct cxm_tenant **out, struct cx_error *err)
{
    char *buf;
    size_t len;
    if (cx_slurp(path, FILE_CAP, &buf, &len, err) < 0)
        return -1;
    int rc = cxm_tenant_parse(buf, len, path, out, err);
    free(buf);
    return rc;
}

/* See tenant.h. Fails only if the compiled-in text is bad or memory runs out. */
int cxm_tenant_load_default(struct cxm_tenant **out, struct cx_error *err)
{
    return cxm_tenant_parse(cxm_default_tenant_json, cxm_default_tenant_json_len, "<builtin>", out,
                            err);
}

/* See tenant.h. Also frees a tenant the loader left half built. */
void cxm_tenant_free(struct cxm_tenant *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->naliases; i++) {
        free(t->aliases[i].alias);
        free_strs(t->aliases[i].scopes, t->aliases[i].nscopes);
    }
    free(t->aliases);
    for (size_t i = 0; i < t->nclients; i++) {
        free(t->clients[i].id);
        free(t->clients[i].secret);
        free_strs(t->clients[i].scopes, t->clients[i].nscopes);
    }
    for (size_t i = 0; i < t->nagents; i++) {
        free(t->agents[i].id);
        free(t->agents[i].email);
        free(t->agents[i].password);
        free_strs(t->agents[i].queues, t->agents[i].nqueues);
        if (t->agents[i].skills)
            free_strs(t->agents[i].skills, t->agents[i].nskills);
        free(t->agents[i].breaks);
    }
    for (size_t i = 0; i < t->nqueues; i++) {
        free(t->queues[i].id);
        free(t->queues[i].name);
        free(t->queues[i].fallback_queue_id);
        free_strs(t->queues[i].skills, t->queues[i].nskills);
    }
    for (size_t i = 0; i < t->nattributes; i++)
        free(t->attributes[i].key);
    for (size_t i = 0; i < t->nwebhooks; i++) {
        free(t->webhooks[i].url);
        free_strs(t->webhooks[i].events, t->webhooks[i].nevents);
    }
    free(t->clients);
    free(t->agents);
    free(t->queues);
    free(t->attributes);
    free(t->webhooks);
    free_strs(t->dispositions, t->ndispositions);
    json_decref(t->faults);
    free(t->name);
    free(t);
}

/* See tenant.h. Linear search; entries not yet parsed (NULL id) are skipped. */
int cxm_tenant_queue_index(const struct cxm_tenant *t, const char *id)
{
    if (!t || !id)
        return -1;
    for (size_t i = 0; i < t->nqueues; i++)
        if (t->queues[i].id && strcmp(t->queues[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* See tenant.h. */
const struct cxm_queue_def *cxm_tenant_queue(const struct cxm_tenant *t, const char *id)
{
    int i = cxm_tenant_queue_index(t, id);
    return i < 0 ? NULL : &t->queues[i];
}

/* The API name of one channel bit; NULL unless CHANNEL is exactly one known bit. */
const char *cxm_channel_name(unsigned channel)
{
    for (int i = 0; channel_names[i]; i++)
        if (channel == 1u << i)
            return channel_names[i];
    return NULL;
}

/* The channel bit named S ("voice", "chat", "sms", "email"), or -1. */
int cxm_channel_parse(const char *s)
{
    int i = s ? jr_name_index(channel_names, s) : -1;
    return i < 0 ? -1 : 1 << i;
}

/* The API name of state S ("READY", ...); NULL if S is out of range. */
const char *cxm_agent_state_name(enum cxm_agent_state s)
{
    return (unsigned)s <= CXM_AGENT_LOGGED_OUT ? state_names[s] : NULL;
}

/* The state named S, or -1. */
int cxm_agent_state_parse(const char *s)
{
    return s ? jr_name_index(state_names, s) : -1;
}

/* The API name of strategy S ("Priority", "FIFO", "LIFO", "Custom"); NULL if out of range. */
const char *cxm_sorting_name(enum cxm_sorting s)
{
    return (unsigned)s <= CXM_SORT_CUSTOM ? sorting_names[s] : NULL;
}

const struct cxm_scope_alias *cxm_tenant_alias(const struct cxm_tenant *t, const char *name)
{
    for (size_t i = 0; i < t->naliases; i++)
        if (strcmp(t->aliases[i].alias, name) == 0)
            return &t->aliases[i];
    return NULL;
}
