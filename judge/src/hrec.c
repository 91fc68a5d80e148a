/* hrec.c - see hrec.h; the line format is docs/history.md. */
#include "hrec.h"

#include <stdlib.h>
#include <string.h>

#include "fnv.h"

const char *const hrec_step_op_names[] = {"accept",   "reject", "inject", "read",
                                          "priority", "state",  "act",    NULL};

static const char *const outcome_names[] = {"ok", "fail", "indeterminate", NULL};

const char *hrec_op_name(enum hrec_op op)
{
    static const char *const control[] = {"token", "barrier", "advance"};
    if (op >= HREC_TOKEN && op < HREC_OPS)
        return control[op - HREC_TOKEN];
    return op > HREC_NONE && op < HREC_TOKEN ? hrec_step_op_names[op - 1] : "";
}

int hrec_op_parse(const char *s)
{
    if (!s || !*s)
        return HREC_NONE;
    for (int op = HREC_NONE + 1; op < HREC_OPS; op++)
        if (strcmp(hrec_op_name((enum hrec_op)op), s) == 0)
            return op;
    return -1;
}

void hrec_digest(const char *s, char out[HREC_DIGEST])
{
    snprintf(out, HREC_DIGEST, "#%016llx", (unsigned long long)cx_fnv1a64(s, strlen(s)));
}

void hrec_init(struct hrec *r)
{
    memset(r, 0, sizeof *r);
    r->retry_after_us = -1;
    r->resp_priority = r->req_priority = r->resp_position = -1;
    r->generation = r->rank = -1;
    r->advance = -1;
}

void hrec_free(struct hrec *r)
{
    free(r->subject);
    free(r->agent);
    free(r->key);
    free(r->path);
    free(r->resp_agent);
    free(r->resp_state);
    free(r->resp_id);
    free(r->why);
    free(r->rule);
    free(r->req_reason);
    free(r->resp_reason);
    json_decref(r->req_attrs);
    json_decref(r->resp_attrs);
    free(r->resp_type);
    free(r->resp_body);
    free(r->barrier);
}

int hrec_matters(const struct hrec *r)
{
    return r->op != HREC_NONE || r->status == 401 || r->status == 429 || r->attempt > 0 ||
           r->expect_failed;
}

/* ---- writing ------------------------------------------------------------------------------ */

/* S as a JSON string. */
static void put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* ,"NAME":VALUE for a string that is set; FIRST: no comma (the first member of an object). */
static void put_field(FILE *f, const char *name, const char *value, int *first)
{
    if (!value)
        return;
    fprintf(f, "%s\"%s\":", *first ? "" : ",", name);
    *first = 0;
    put_str(f, value);
}

static void put_int(FILE *f, const char *name, long long value, int *first)
{
    fprintf(f, "%s\"%s\":%lld", *first ? "" : ",", name, value);
    *first = 0;
}

static void put_json(FILE *f, const char *name, const json_t *value, int *first)
{
    char *text = value ? json_dumps(value, JSON_COMPACT) : NULL; /* in insertion order */
    if (!text)
        return;
    fprintf(f, "%s\"%s\":%s", *first ? "" : ",", name, text);
    *first = 0;
    free(text);
}

/* "answer": what the checks read from the answer's JSON; "sent": from the request's body. */
static void put_check_fields(FILE *f, const struct hrec *r)
{
    int first = 1;
    if (r->resp_agent || r->resp_state || r->resp_id || r->resp_priority >= 0 ||
        r->resp_position >= 0 || r->resp_reason || r->resp_attrs) {
        fputs(",\"answer\":{", f);
        put_field(f, "agentId", r->resp_agent, &first);
        put_field(f, "state", r->resp_state, &first);
        put_field(f, "id", r->resp_id, &first);
        if (r->resp_priority >= 0)
            put_int(f, "priority", r->resp_priority, &first);
        if (r->resp_position >= 0)
            put_int(f, "position", r->resp_position, &first);
        put_field(f, "rejectReason", r->resp_reason, &first);
        put_json(f, "attributes", r->resp_attrs, &first);
        fputc('}', f);
    }
    first = 1;
    if (r->req_priority >= 0 || r->returned || r->req_reason || r->req_attrs) {
        fputs(",\"sent\":{", f);
        if (r->req_priority >= 0)
            put_int(f, "priority", r->req_priority, &first);
        if (r->returned) {
            fputs(first ? "\"returnToQueue\":true" : ",\"returnToQueue\":true", f);
            first = 0;
        }
        put_field(f, "rejectReason", r->req_reason, &first);
        put_json(f, "attributes", r->req_attrs, &first);
        fputc('}', f);
    }
}

void hrec_write(FILE *f, const struct hrec *r, const char *tag)
{
    int first = 0; /* the members below follow others: each takes a comma */
    fprintf(f,
            "{\"thread\":%d,\"vu\":%d,\"iter\":%lld,\"step\":%d,\"opid\":%llu,"
            "\"attempt\":%d,\"tag\":",
            r->thread, r->vu, (long long)r->iter, r->step, (unsigned long long)r->opid, r->attempt);
    put_str(f, tag ? tag : "");
    if (r->op != HREC_NONE)
        fprintf(f, ",\"op\":\"%s\"", hrec_op_name(r->op));
    fprintf(f, ",\"outcome\":\"%s\",\"status\":%d,\"request\":", outcome_names[r->outcome],
            r->status);
    put_str(f, r->path ? r->path : "");
    fprintf(f, ",\"intendedUs\":%lld,\"startUs\":%lld,\"endUs\":%lld", (long long)r->intended_us,
            (long long)r->start_us, (long long)r->end_us);
    put_field(f, "subject", r->subject, &first);
    put_field(f, "agent", r->agent, &first);
    put_field(f, "key", r->key, &first);
    put_field(f, "requestId", r->request_id[0] ? r->request_id : NULL, &first);
    put_field(f, "expectFailed", r->expect_failed ? (r->why ? r->why : "") : NULL, &first);
    put_field(f, "rule", r->rule, &first);
    if (r->retry_after_us >= 0)
        fprintf(f, ",\"retryAfterUs\":%lld", (long long)r->retry_after_us);
    if (r->has_idem)
        fputs(",\"idempotencyKey\":true", f);
    if (r->setup)
        fputs(",\"setup\":true", f);
    if (r->token)
        fprintf(f, ",\"token\":%llu", (unsigned long long)r->token);
    put_field(f, "barrier", r->barrier, &first);
    if (r->generation >= 0)
        fprintf(f, ",\"generation\":%ld", r->generation);
    if (r->rank >= 0)
        fprintf(f, ",\"rank\":%d", r->rank);
    if (r->advance >= 0)
        fprintf(f, ",\"advanceMs\":%lld", (long long)r->advance);
    put_check_fields(f, r);
    if (r->resp_type || r->resp_body) {
        int first_a = 1;
        fputs(",\"answerBody\":{", f);
        put_field(f, "contentType", r->resp_type, &first_a);
        put_field(f, "body", r->resp_body, &first_a);
        fputc('}', f);
    }
    fputs("}\n", f);
}

/* ---- reading ------------------------------------------------------------------------------ */

static char *dup_str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static long long get_int(const json_t *o, const char *k, long long def)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

static json_t *get_object(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_object(v) ? json_incref(v) : NULL;
}

static void read_check_fields(const json_t *o, struct hrec *r)
{
    const json_t *a = json_object_get(o, "answer"), *s = json_object_get(o, "sent");
    r->resp_agent = dup_str(a, "agentId");
    r->resp_state = dup_str(a, "state");
    r->resp_id = dup_str(a, "id");
    r->resp_priority = (int)get_int(a, "priority", -1);
    r->resp_position = (int)get_int(a, "position", -1);
    r->resp_reason = dup_str(a, "rejectReason");
    r->resp_attrs = get_object(a, "attributes");
    r->req_priority = (int)get_int(s, "priority", -1);
    r->returned = json_is_true(json_object_get(s, "returnToQueue"));
    r->req_reason = dup_str(s, "rejectReason");
    r->req_attrs = get_object(s, "attributes");
}

/* The members every line has, with their types. */
static const char *missing_member(const json_t *o)
{
    static const char *const ints[] = {"thread",  "vu",     "iter",    "step",  "opid",
                                       "attempt", "status", "startUs", "endUs", NULL};
    for (const char *const *k = ints; *k; k++)
        if (!json_is_integer(json_object_get(o, *k)))
            return *k;
    if (!json_is_string(json_object_get(o, "outcome")))
        return "outcome";
    return NULL;
}

int hrec_parse(const char *line, size_t len, struct hrec *r, struct cx_error *err)
{
    hrec_init(r);
    json_error_t je;
    json_t *o = json_loadb(line, len, 0, &je);
    if (!json_is_object(o)) {
        cx_error_at(err, "", 0, o ? 1 : je.column, "", "%s", o ? "not a JSON object" : je.text);
        json_decref(o);
        return -1;
    }
    const char *missing = missing_member(o);
    int op = hrec_op_parse(json_string_value(json_object_get(o, "op")));
    int outcome = -1;
    for (int i = 0; !missing && outcome_names[i]; i++)
        if (strcmp(outcome_names[i], json_string_value(json_object_get(o, "outcome"))) == 0)
            outcome = i;
    if (missing || op < 0 || outcome < 0) {
        cx_error_at(err, "", 0, 1,
                    missing  ? missing
                    : op < 0 ? "op"
                             : "outcome",
                    "missing or not of its type");
        json_decref(o);
        return -1;
    }
    r->thread = (int)get_int(o, "thread", 0);
    r->vu = (int)get_int(o, "vu", 0);
    r->iter = get_int(o, "iter", 0);
    r->step = (int)get_int(o, "step", -1);
    r->opid = (uint64_t)get_int(o, "opid", 0);
    r->attempt = (int)get_int(o, "attempt", 0);
    r->op = (enum hrec_op)op;
    r->status = (int)get_int(o, "status", 0);
    r->outcome = (enum outcome)outcome;
    r->intended_us = get_int(o, "intendedUs", 0);
    r->start_us = get_int(o, "startUs", 0);
    r->end_us = get_int(o, "endUs", 0);
    r->retry_after_us = get_int(o, "retryAfterUs", -1);
    r->has_idem = json_is_true(json_object_get(o, "idempotencyKey"));
    r->setup = json_is_true(json_object_get(o, "setup"));
    r->token = (uint64_t)get_int(o, "token", 0);
    r->subject = dup_str(o, "subject");
    r->agent = dup_str(o, "agent");
    r->key = dup_str(o, "key");
    r->path = dup_str(o, "request");
    r->why = dup_str(o, "expectFailed");
    r->expect_failed = r->why != NULL;
    r->rule = dup_str(o, "rule");
    const char *rid = json_string_value(json_object_get(o, "requestId"));
    if (rid)
        snprintf(r->request_id, sizeof r->request_id, "%s", rid);
    r->barrier = dup_str(o, "barrier");
    r->generation = (long)get_int(o, "generation", -1);
    r->rank = (int)get_int(o, "rank", -1);
    r->advance = get_int(o, "advanceMs", -1);
    const json_t *ab = json_object_get(o, "answerBody");
    r->resp_type = dup_str(ab, "contentType");
    r->resp_body = dup_str(ab, "body");
    read_check_fields(o, r);
    json_decref(o);
    return 0;
}
