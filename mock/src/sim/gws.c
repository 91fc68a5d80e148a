/* gws.c - see gws.h */
#include "gws.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "routing.h"
#include "utf8.h"

static void apply_operation(struct cxm_sim *s, const struct cxm_event *ev);

static const struct cxm_event_type apply_operation_event = {"apply operation", apply_operation,
                                                            cxm_pending_free_data};

enum op {
    OP_ACCEPT,
    OP_REJECT,
    OP_CANCEL,
    OP_COMPLETE,
    OP_PLACE_IN_QUEUE,
    OP_UPDATE_USER_DATA,
    OP_ATTACH_USER_DATA,
    OP_DELETE_USER_DATA,
    OP_PLACE_IN_WORKBIN,
    OP_GET_WORKBIN_CONTENT,
    OP_TRANSFER,
    NOPS,
    OP_PUT = NOPS, /* PUT /api/v2/interactions/{id}: the channel's update (no operationName) */
};

static const char *const op_names[NOPS + 1] = {
    "Accept",         "Reject",         "Cancel",         "Complete",       "PlaceInQueue",
    "UpdateUserData", "AttachUserData", "DeleteUserData", "PlaceInWorkbin", "GetWorkbinContent",
    "Transfer",       "Update"};

/* Cancel, Complete, Transfer and a PUT fail with {"statusCode", "statusMessage"}; the rest
 * with {"status":"error", "errorDescription"} (GWS-03). */
static int coded(int op)
{
    return op == OP_CANCEL || op == OP_COMPLETE || op == OP_TRANSFER || op == OP_PUT;
}

/* Success: {"status":"ok"}; Complete and Transfer {"statusCode":0}; Cancel {"status":0}
 * (GWS-03, as the reference writes each). */
static json_t *ok_body(int op)
{
    if (op == OP_CANCEL)
        return json_pack("{si}", "status", 0);
    return coded(op) ? json_pack("{si}", "statusCode", 0) : json_pack("{ss}", "status", "ok");
}

static json_t *fail_body(int op, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *fail_body(int op, int code, const char *fmt, ...)
{
    char text[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cx_utf8_scrub(text); /* it may quote an id, and be cut inside a character */
    return coded(op) ? json_pack("{si ss}", "statusCode", code, "statusMessage", text)
                     : json_pack("{ss ss}", "status", "error", "errorDescription", text);
}

static int owner_of(const struct cxm_interaction *x)
{
    if (x->pending_owner >= 0)
        return x->pending_owner;
    return x->state == CXM_IS_ACTIVE ? x->agent : -1;
}

/* Map an accept/reject answer into the operation's shape. */
static int relay(struct cxm_sim *s, int op, int caller, int status, json_t *answer, json_t **out)
{
    int rc = status;
    if (status == 200 && op == OP_ACCEPT) {
        const char *owner = json_string_value(json_object_get(answer, "agentId"));
        if (owner && strcmp(owner, s->model.agents[caller].def->id) != 0) {
            *out = fail_body(op, 3, "interaction is owned by agent %s", owner);
            rc = 409;
        } else {
            *out = ok_body(op);
        }
    } else if (status == 200) {
        *out = ok_body(op);
    } else {
        const char *detail = json_string_value(json_object_get(answer, "detail"));
        *out = fail_body(op,
                         status == 404   ? 2
                         : status == 409 ? 4
                                         : 1,
                         "%s%s%s", json_string_value(json_object_get(answer, "error")),
                         detail ? ": " : "", detail ? detail : "");
    }
    json_decref(answer);
    return rc;
}

/* What every agent operation needs: a token bound to an agent (403) and interaction ID (404).
 * Its index, or -1 with *status and *out (in operation OP's error shape). */
static long agent_and_interaction(struct cxm_sim *s, const struct cxm_token *tok, const char *id,
                                  int op, int *status, json_t **out)
{
    if (tok->agent < 0) {
        *out = fail_body(op, 1, "an agent-bound token (password grant) is required");
        *status = 403;
        return -1;
    }
    long ix = cxm_model_interaction(&s->model, id);
    if (ix < 0 || s->model.ix[ix]->dropped) {
        *out = fail_body(op, 2, "no interaction '%s'", id);
        *status = 404;
        return -1;
    }
    return ix;
}

int cxm_gws_operation(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
                      json_t **out)
{
    json_t *name_v = json_object_get(body, "operationName");
    int op = -1;
    for (int i = 0; json_is_string(name_v) && i < NOPS; i++)
        if (strcmp(op_names[i], json_string_value(name_v)) == 0)
            op = i;
    if (op < 0) {
        *out = json_pack("{ss ss}", "status", "error", "errorDescription",
                         json_is_string(name_v) ? "unknown operationName"
                                                : "operationName is required");
        return 400;
    }
    int status;
    long ix = agent_and_interaction(s, tok, id, op, &status, out);
    if (ix < 0)
        return status;
    struct cxm_interaction *x = s->model.ix[ix];
    int caller = tok->agent;
    json_t *answer = NULL;
    if (op == OP_ACCEPT) {
        json_t *args = json_pack("{ss}", "channelType", cxm_channel_name(x->channel));
        status = cxm_accept(s, tok, id, args, &answer);
        json_decref(args);
        return relay(s, op, caller, status, answer, out);
    }
    if (op == OP_REJECT) { /* presented to another agent (GWS-04) */
        status = cxm_reject_present(s, tok, id, &answer);
        return relay(s, op, caller, status, answer, out);
    }
    struct cxm_pending *p = calloc(1, sizeof *p);
    if (!p) {
        *out = fail_body(op, 1, "out of memory");
        return 500;
    }
    p->ix = ix;
    p->agent = caller;
    p->op = op;
    json_t *v;
    status = 200;
    if (op != OP_GET_WORKBIN_CONTENT && owner_of(x) != caller) { /* GWS-04 */
        *out = fail_body(op, 3, "agent %s does not own interaction %s",
                         s->model.agents[caller].def->id, id);
        status = 409;
    } else if (op == OP_PLACE_IN_QUEUE) {
        v = json_object_get(body, "queueName");
        p->target = -1;
        for (size_t q = 0; json_is_string(v) && q < s->model.nqueues; q++)
            if (strcmp(s->model.queues[q].def->name, json_string_value(v)) == 0 ||
                strcmp(s->model.queues[q].def->id, json_string_value(v)) == 0)
                p->target = (int)q;
        if (p->target < 0) {
            *out = fail_body(op, json_is_string(v) ? 2 : 1, "%s",
                             json_is_string(v) ? "no such queue" : "queueName is required");
            status = json_is_string(v) ? 404 : 400;
        }
    } else if (op == OP_UPDATE_USER_DATA || op == OP_ATTACH_USER_DATA ||
               op == OP_DELETE_USER_DATA) {
        v = json_object_get(body, "userData");
        if (!json_is_object(v)) {
            *out = fail_body(op, 1, "userData must be an object");
            status = 400;
        } else {
            p->data = json_deep_copy(v);
        }
    } else if (op == OP_PLACE_IN_WORKBIN || op == OP_GET_WORKBIN_CONTENT) {
        v = json_object_get(body, "workbin");
        if (!json_is_string(v) || !*json_string_value(v)) {
            *out = fail_body(op, 1, "workbin is required");
            status = 400;
        } else {
            p->text = strdup(json_string_value(v));
        }
    } else if (op == OP_TRANSFER) {
        v = json_object_get(body, "userId");
        p->target = json_is_string(v) ? cxm_model_agent(&s->model, json_string_value(v)) : -1;
        if (p->target < 0) {
            *out = fail_body(op, json_is_string(v) ? 2 : 1, "%s",
                             json_is_string(v) ? "no such user" : "userId is required");
            status = json_is_string(v) ? 404 : 400;
        } else if (s->model.agents[p->target].state != CXM_AGENT_READY ||
                   !cxm_agent_has_channel(&s->model.agents[p->target], x->channel)) {
            *out = fail_body(op, 4, "user %s is not available for %s", json_string_value(v),
                             cxm_channel_name(x->channel));
            status = 409;
        }
    }
    if (status != 200) {
        cxm_pending_free(p);
        return status;
    }
    cxm_sim_record(s, "OPERATION",
                   json_pack("{ss ss ss}", "interactionId", id, "agentId",
                             s->model.agents[caller].def->id, "operation", op_names[op]));
    cxm_schedule_apply(s, &apply_operation_event, p);
    *out = ok_body(op);
    return 200;
}

/* What a PUT may change on an interaction of CHANNEL (GWS-01: "the actual operation depends
 * on the interaction's channel"): a call its user data; a chat or an SMS also a message sent
 * to the customer; an email also the reply being drafted (its subject and body). */
static const char *const *put_fields(unsigned channel)
{
    static const char *const voice[] = {"userData", NULL};
    static const char *const chat[] = {"userData", "message", NULL};
    static const char *const email[] = {"userData", "subject", "body", NULL};
    return channel == CXM_CH_EMAIL ? email : channel == CXM_CH_VOICE ? voice : chat;
}

/* A PUT's body against its channel's fields: 0, or 400 with *out. */
static int check_put(const struct cxm_interaction *x, json_t *body, json_t **out)
{
    const char *const *allowed = put_fields(x->channel);
    const char *k;
    json_t *v;
    if (!json_is_object(body) || json_object_size(body) == 0) {
        *out = fail_body(OP_PUT, 1, "expected one of the %s interaction's fields",
                         cxm_channel_name(x->channel));
        return 400;
    }
    json_object_foreach(body, k, v)
    {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], k) != 0)
            i++;
        if (!allowed[i]) {
            *out = fail_body(OP_PUT, 1, "%s does not apply to a %s interaction", k,
                             cxm_channel_name(x->channel));
            return 400;
        }
        if (strcmp(k, "userData") == 0 ? !json_is_object(v)
                                       : !json_is_string(v) || !*json_string_value(v)) {
            *out = fail_body(OP_PUT, 1, "%s must be %s", k,
                             strcmp(k, "userData") == 0 ? "an object" : "a non-empty string");
            return 400;
        }
    }
    return 0;
}

int cxm_gws_put(struct cxm_sim *s, const struct cxm_token *tok, const char *id, json_t *body,
                json_t **out)
{
    int status;
    long ix = agent_and_interaction(s, tok, id, OP_PUT, &status, out);
    if (ix < 0)
        return status;
    struct cxm_interaction *x = s->model.ix[ix];
    if ((status = check_put(x, body, out)))
        return status;
    if (owner_of(x) != tok->agent) { /* GWS-04 */
        *out = fail_body(OP_PUT, 3, "agent %s does not own interaction %s",
                         s->model.agents[tok->agent].def->id, id);
        return 409;
    }
    struct cxm_pending *p = calloc(1, sizeof *p);
    if (!p || !(p->data = json_deep_copy(body))) {
        cxm_pending_free(p);
        *out = fail_body(OP_PUT, 1, "out of memory");
        return 500;
    }
    p->ix = ix;
    p->agent = tok->agent;
    p->op = OP_PUT;
    cxm_sim_record(s, "OPERATION",
                   json_pack("{ss ss ss}", "interactionId", id, "agentId",
                             s->model.agents[tok->agent].def->id, "operation", "Update"));
    cxm_schedule_apply(s, &apply_operation_event, p);
    *out = json_pack("{si}", "statusCode", 0); /* PUT answers in the coded shape */
    return 200;
}

static void detach(struct cxm_sim *s, long ix, const char *cause)
{
    struct cxm_interaction *x = s->model.ix[ix];
    s->model.agents[x->agent].active--;
    cxm_sim_record(s, "DETACH",
                   json_pack("{ss ss ss}", "interactionId", x->id, "agentId",
                             s->model.agents[x->agent].def->id, "cause", cause));
    x->agent = -1;
}

static void user_data_event(struct cxm_sim *s, const struct cxm_interaction *x)
{
    char at[32];
    cxm_time_iso(s->now, at);
    cxm_sim_emit(
        s, "interaction.userdata.changed",
        json_pack("{ss sO ss}", "interactionId", x->id, "userData", x->user_data, "at", at));
}

/* A PUT applied: user data as UpdateUserData; a chat's or SMS's message joins its transcript
 * (event interaction.message.added); an email's subject and body update the reply being
 * drafted (event interaction.draft.changed). */
static void channel_update(struct cxm_sim *s, struct cxm_interaction *x, const char *who,
                           json_t *data)
{
    char at[32];
    cxm_time_iso(s->now, at);
    json_t *v = json_object_get(data, "userData");
    if (v) {
        json_object_update(x->user_data, v);
        user_data_event(s, x);
    }
    if ((v = json_object_get(data, "message"))) {
        if (!x->transcript)
            x->transcript = json_array();
        json_array_append_new(x->transcript,
                              json_pack("{ss sO ss}", "from", who, "text", v, "at", at));
        cxm_sim_emit(
            s, "interaction.message.added",
            json_pack("{ss ss sO ss}", "interactionId", x->id, "from", who, "text", v, "at", at));
    }
    if (json_object_get(data, "subject") || json_object_get(data, "body")) {
        if (!x->draft)
            x->draft = json_object();
        const char *keys[] = {"subject", "body"};
        for (int i = 0; i < 2; i++)
            if ((v = json_object_get(data, keys[i])))
                json_object_set(x->draft, keys[i], v);
        cxm_sim_emit(s, "interaction.draft.changed",
                     json_pack("{ss sO ss}", "interactionId", x->id, "draft", x->draft, "at", at));
    }
}

static void apply_operation(struct cxm_sim *s, const struct cxm_event *ev)
{
    const struct cxm_pending *p = ev->data;
    snprintf(s->req, sizeof s->req, "%s", p->req);
    struct cxm_interaction *x = s->model.ix[p->ix];
    const char *who = s->model.agents[p->agent].def->id;
    if (p->op != OP_GET_WORKBIN_CONTENT &&
        (x->dropped || x->state != CXM_IS_ACTIVE || x->agent != p->agent)) {
        cxm_sim_record(s, "OPERATION_NOOP",
                       json_pack("{ss ss ss ss}", "interactionId", x->id, "agentId", who,
                                 "operation", op_names[p->op], "stateAtApply",
                                 cxm_istate_name(x->state)));
        return;
    }
    char at[32];
    cxm_time_iso(s->now, at);
    if (!x->user_data)
        x->user_data = json_object();
    const char *key;
    json_t *v;
    switch ((enum op)p->op) {
    case OP_CANCEL:
    case OP_COMPLETE:
        detach(s, p->ix, op_names[p->op]);
        if (p->op == OP_COMPLETE)
            x->rstatus = CXM_RS_WRAPPED;
        cxm_set_state(s, p->ix, CXM_IS_ENDED, p->op == OP_COMPLETE ? "complete" : "cancel");
        break;
    case OP_PLACE_IN_QUEUE:
        detach(s, p->ix, "PlaceInQueue");
        cxm_enqueue(s, p->ix, p->target, "place_in_queue");
        break;
    case OP_UPDATE_USER_DATA:
        json_object_update(x->user_data, p->data);
        user_data_event(s, x);
        break;
    case OP_ATTACH_USER_DATA:
        json_object_update_missing(x->user_data, p->data);
        user_data_event(s, x);
        break;
    case OP_DELETE_USER_DATA:
        json_object_foreach(p->data, key, v) json_object_del(x->user_data, key);
        user_data_event(s, x);
        break;
    case OP_PLACE_IN_WORKBIN:
        detach(s, p->ix, "PlaceInWorkbin");
        free(x->workbin);
        x->workbin = strdup(p->text);
        cxm_sim_record(s, "WORKBIN_PLACED",
                       json_pack("{ss ss}", "interactionId", x->id, "workbin", p->text));
        cxm_set_state(s, p->ix, CXM_IS_QUEUED, "place_in_workbin");
        break;
    case OP_GET_WORKBIN_CONTENT: {
        json_t *ids = json_array();
        for (size_t i = 0; i < s->model.nix; i++)
            if (s->model.ix[i] && s->model.ix[i]->workbin &&
                strcmp(s->model.ix[i]->workbin, p->text) == 0)
                json_array_append_new(ids, json_string(s->model.ix[i]->id));
        cxm_sim_emit(s, "workbin.content",
                     json_pack("{ss ss so ss}", "workbin", p->text, "agentId", who, "interactions",
                               ids, "at", at));
        break;
    }
    case OP_TRANSFER: {
        struct cxm_agent *to = &s->model.agents[p->target];
        detach(s, p->ix, "Transfer");
        x->agent = p->target;
        to->active++;
        cxm_agent_stop_ringing(s, p->target);
        cxm_sim_record(s, "ATTACH",
                       json_pack("{ss ss ss}", "interactionId", x->id, "agentId", to->def->id,
                                 "cause", "transfer"));
        cxm_sim_emit(s, "interaction.owner.changed",
                     json_pack("{ss ss ss ss}", "interactionId", x->id, "previousAgentId", who,
                               "agentId", to->def->id, "at", at));
        break;
    }
    case OP_PUT:
        channel_update(s, x, who, p->data);
        break;
    case OP_ACCEPT:
    case OP_REJECT:
        break;
    }
    cxm_route(s);
}

int cxm_gws_list_all(struct cxm_sim *s, json_t **out)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->model.nix; i++) {
        const struct cxm_interaction *x = s->model.ix[i];
        if (x && !x->dropped && x->state != CXM_IS_ENDED)
            json_array_append_new(a, cxm_view_interaction(&s->model, x));
    }
    *out = json_pack("{si so}", "statusCode", 0, "interactions", a);
    return 200;
}

int cxm_gws_list_mine(struct cxm_sim *s, const struct cxm_token *tok, int full, const char *base,
                      json_t **out)
{
    if (tok->agent < 0) {
        *out = json_pack("{si ss}", "statusCode", 1, "statusMessage",
                         "an agent-bound token (password grant) is required");
        return 403;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < s->model.nix; i++) {
        const struct cxm_interaction *x = s->model.ix[i];
        if (!x || x->dropped || owner_of(x) != tok->agent) /* forgotten: ended long ago */
            continue;
        if (full) {
            json_array_append_new(a, cxm_view_interaction(&s->model, x));
        } else {
            char uri[512];
            snprintf(uri, sizeof uri, "%s/api/v2/interactions/%s", base, x->id);
            json_array_append_new(a, json_string(uri));
        }
    }
    *out = json_pack("{si so}", "statusCode", 0, full ? "interactions" : "uris", a);
    return 200;
}
