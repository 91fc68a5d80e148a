/* scenario.c - load and check a scenario file (see scenario.h and client/SCENARIO.md).
 *
 * As the tenant loader does (mock/src/sim/tenant.c): jansson parses the text, rejecting duplicate
 * keys; each object is checked against the keys it may hold, and each member is read by a typed
 * getter that knows its default and range. Strings that may hold ${...} are compiled as
 * templates and every reference is checked against what the scenario defines. The names that
 * steps extract are collected from the raw JSON first, so a reference to a value extracted
 * further down (in another branch of an "if") is accepted and errors still come in document
 * order. The first problem stops the load: it is reported with the JSON path of the key and the
 * line and column of the value (jsonpos.h), and the half-built scenario is freed.
 */
#include "scenario.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "hlog.h"
#include "jsonread.h"
#include "slurp.h"
#include "strmap.h"
#include "thresholds.h"
#include "units.h"
#include "violations.h"

#define FILE_CAP     (16u << 20) /* largest scenario file read */
#define MAX_STATUSES 15          /* statuses[16] and retry_on[16] are 0-terminated */
#define MAX_STAGES   63          /* what the pacer takes (pacing.h) */

struct ctx {
    struct jr_ctx jr;         /* first: the source, the error, whether it failed */
    struct scenario *s;       /* built so far: users, vars, auths, barriers, tags */
    struct strmap setup_vars; /* names extracted by setup steps */
    struct strmap all_vars;   /* names extracted by any step */
    int in_setup;             /* parsing "setup" steps */
    int depth;                /* step lists open: "steps" is 1, an if's branch in it 2 */
};

enum {
    OPTIONAL = 0,
    REQUIRED = JR_REQUIRED,
    NONEMPTY = JR_NONEMPTY,
    SECRET = 4,
    SLASH = 8,
    POSITIVE = 16
};

/* The scenario's wording: "expected an integer", "unknown key (allowed: ...)". */
static const struct jr_words words = {.list_allowed = true,
                                      .integer = "an integer",
                                      .boolean = "true or false",
                                      .object = "an object",
                                      .array = "an array",
                                      .string = "a string",
                                      .nonempty = "a non-empty string",
                                      .enum_not_string = NULL};

static const char *const kind_names[] = {"request", "poll",    "think", "barrier",
                                         "if",      "advance", "end",   NULL};
static const char *const method_names[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL};
static const char *const *const op_names = hrec_step_op_names; /* op i is HREC op i + 1 */
static const char *const model_names[] = {"closed", "open", "ramping", NULL};
static const char *const spacing_names[] = {"uniform", "poisson", NULL};
static const char *const grant_names[] = {"client_credentials", "password", NULL};
static const char *const cache_names[] = {"worker", "vu", "shared", NULL};
static const char *const backoff_names[] = {"linear", "exponential", NULL};
static const char *const jitter_names[] = {"none", "full", NULL};
static const char *const reserved_names[] = {"vu",   "iter", "uuid",  "shard", "env",
                                             "user", "vars", "setup", NULL};

/* ---- typed getters: each reads member KEY of object OBJ at PATH; absent means the default ---- */

/* jr_get_bool for an int field. */
static int get_bool(struct ctx *c, json_t *obj, const char *path, const char *key, int def,
                    int *out)
{
    bool b;

    if (jr_get_bool(&c->jr, obj, path, key, def, &b) != 0)
        return -1;
    *out = b;
    return 0;
}

/* The duration V (a string such as "250ms") at PATH into *us; POSITIVE in FLAGS rejects zero. */
static int duration_value(struct ctx *c, json_t *v, const char *path, int flags, int64_t *us)
{
    static const char help[] = "a number and a unit: us, ms, s, m or h (e.g. \"250ms\", \"1.5s\")";
    double d;

    if (json_is_number(v))
        return jr_fail(&c->jr, path, 0,
                       "expected a duration string with a unit, e.g. \"5s\" (a bare "
                       "number has no unit)");
    if (!json_is_string(v))
        return jr_fail(&c->jr, path, 0, "expected a duration: %s", help);
    if (thresholds_decimal(json_string_value(v), &d))
        return jr_fail(&c->jr, path, 0,
                       "expected a duration with a unit (us, ms, s, m or h): \"%.40s\" "
                       "has none",
                       json_string_value(v));
    if (units_duration(json_string_value(v), us) != 0)
        return jr_fail(&c->jr, path, 0, "expected a duration: %s", help);
    if ((flags & POSITIVE) && *us <= 0)
        return jr_fail(&c->jr, path, 0, "expected a duration > 0");
    return 0;
}

/* A duration member (see duration_value); absent gives DEF, or an error if FLAGS has
 * REQUIRED. */
static int get_duration(struct ctx *c, json_t *obj, const char *path, const char *key, int flags,
                        int64_t def, int64_t *us)
{
    json_t *v;
    jr_path_t p;

    if (jr_member(&c->jr, obj, path, key, flags, p, &v) != 0)
        return -1;
    if (!v) {
        *us = def;
        return 0;
    }
    return duration_value(c, v, p, flags, us);
}

/* A rate such as "50/s" into *per_sec; POSITIVE in FLAGS rejects zero. */
static int get_rate(struct ctx *c, json_t *obj, const char *path, const char *key, int flags,
                    double def, double *per_sec)
{
    static const char help[] = "a number, \"/\" and s, m or h (e.g. \"50/s\", \"3000/h\")";
    json_t *v;
    jr_path_t p;

    if (jr_member(&c->jr, obj, path, key, flags, p, &v) != 0)
        return -1;
    if (!v) {
        *per_sec = def;
        return 0;
    }
    if (!json_is_string(v) || units_rate(json_string_value(v), per_sec) != 0)
        return jr_fail(&c->jr, p, 0, "expected a rate: %s", help);
    if ((flags & POSITIVE) && !(*per_sec > 0))
        return jr_fail(&c->jr, p, 0, "expected a rate > 0");
    return 0;
}

/* ---- references and templates ---- */

/* [A-Za-z_][A-Za-z0-9_-]*: the names steps may extract into. */
static int is_var_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* An HTTP token (RFC 9110): header names, auth source names are stricter. */
static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *s)))
            return 0;
    return 1;
}

/* Whether reference NAME can ever be set: 0, or -1 with the reason in MSG. */
static int check_ref(const struct ctx *c, const char *name, char *msg, size_t size)
{
    const struct scenario *s = c->s;
    const char *dot = strchr(name, '.'), *rest = dot ? dot + 1 : name;

    if (strcmp(name, "vu") == 0 || strcmp(name, "iter") == 0 || strcmp(name, "uuid") == 0 ||
        strcmp(name, "shard") == 0)
        return 0;
    if (strncmp(name, "env.", 4) == 0 || strncmp(name, "user.", 5) == 0 ||
        strncmp(name, "vars.", 5) == 0 || strncmp(name, "setup.", 6) == 0) {
        if (!*rest) {
            snprintf(msg, size, "expected a name after \"%s\" in ${%s}", name, name);
            return -1;
        }
    }
    if (strncmp(name, "env.", 4) == 0)
        return 0;
    if (strncmp(name, "user.", 5) == 0) {
        if (s->nusers == 0)
            return 0;
        for (size_t i = 0; i < s->nusers; i++)
            if (json_object_get(s->users[i].vars, rest))
                return 0;
        snprintf(msg, size, "unknown reference ${%.60s}: no entry of \"users\" has \"%.60s\"", name,
                 rest);
        return -1;
    }
    if (strncmp(name, "vars.", 5) == 0) {
        if (json_object_get(s->vars, rest))
            return 0;
        snprintf(msg, size, "unknown reference ${%.60s}: \"vars\" has no \"%.60s\"", name, rest);
        return -1;
    }
    if (strncmp(name, "setup.", 6) == 0) {
        if (strmap_get(&c->setup_vars, rest, NULL))
            return 0;
        snprintf(msg, size, "unknown reference ${%.60s}: no setup step extracts \"%.60s\"", name,
                 rest);
        return -1;
    }
    if (strmap_get(&c->all_vars, name, NULL))
        return 0;
    snprintf(msg, size,
             "unknown reference ${%.40s}: no step extracts it (built in: vu, iter, uuid, env.NAME, "
             "user.NAME, vars.NAME, setup.NAME)",
             name);
    return -1;
}

/* Compile string TEXT at PATH into *out and check its references. FLAGS: SECRET wants at least
 * one reference, SLASH a leading "/". */
static int compile_tpl(struct ctx *c, const char *text, const char *path, int flags,
                       struct tpl **out)
{
    char msg[256];
    size_t off;

    *out = NULL;
    if ((flags & SLASH) && text[0] != '/')
        return jr_fail(&c->jr, path, 0,
                       "expected a path starting with \"/\" (the target's URL comes "
                       "from --target)");
    struct cx_error why;
    if (tpl_compile(text, out, &why, &off) != 0)
        return jr_fail_at(&c->jr, path, off, "%s", why.text);
    for (size_t i = 0; i < tpl_nrefs(*out); i++) {
        const char *ref = tpl_ref(*out, i);
        if (check_ref(c, ref, msg, sizeof msg) != 0)
            return jr_fail_at(&c->jr, path, tpl_ref_offset(*out, i), "%s", msg);
        /* a value the run will need: refused up front if unset ({"exists"} tests are not) */
        if (strncmp(ref, "env.", 4) == 0 &&
            ((!c->s->env_refs && !(c->s->env_refs = json_object())) ||
             json_object_set_new(c->s->env_refs, ref + 4, json_true()) != 0))
            return jr_fail_oom(&c->jr, path);
    }
    if ((flags & SECRET) && tpl_nrefs(*out) == 0)
        return jr_fail(
            &c->jr, path, 0,
            "secrets come from the environment (${env.NAME}) or users, not the scenario");
    return 0;
}

/* A template member; absent gives DEF compiled (NULL if DEF is NULL), or an error if REQUIRED. */
static int get_tpl(struct ctx *c, json_t *obj, const char *path, const char *key, int flags,
                   const char *def, struct tpl **out)
{
    jr_path_t p;
    json_t *v;

    *out = NULL;
    if (jr_member(&c->jr, obj, path, key, flags, p, &v) != 0)
        return -1;
    if (v && !json_is_string(v))
        return jr_fail(&c->jr, p, 0, "expected a string");
    if (!v && !def)
        return 0;
    if (v && (flags & NONEMPTY) && !*json_string_value(v))
        return jr_fail(&c->jr, p, 0, "expected a non-empty string");
    return compile_tpl(c, v ? json_string_value(v) : def, p, flags, out);
}

/* Check every string inside V (a request body) as a template. */
static int check_body(struct ctx *c, json_t *v, const char *path)
{
    struct tpl *t;
    const char *key;
    json_t *item;
    size_t i;
    jr_path_t p;
    int rc;

    switch (json_typeof(v)) {
    case JSON_STRING:
        rc = compile_tpl(c, json_string_value(v), path, 0, &t);
        tpl_free(t);
        return rc;
    case JSON_OBJECT:
        json_object_foreach(v, key, item)
        {
            if (check_body(c, item, jr_member_path(p, path, key)) != 0)
                return -1;
        }
        return 0;
    case JSON_ARRAY:
        json_array_foreach(v, i, item)
        {
            if (check_body(c, item, jr_index_path(p, path, i)) != 0)
                return -1;
        }
        return 0;
    default:
        return 0;
    }
}

/* A literal template for non-string V: its text as tpl_value_text() writes it, with "${"
 * escaped, so it expands to exactly that text. */
static int literal_tpl(struct ctx *c, json_t *v, const char *path, struct tpl **out)
{
    struct cx_buf text, esc;
    size_t off;
    int rc = -1;

    cx_buf_init(&text);
    cx_buf_init(&esc);
    *out = NULL;
    if (tpl_value_text(v, &text) != 0)
        goto done;
    for (size_t i = 0; i < text.len; i++) {
        if (text.data[i] == '$' && text.data[i + 1] == '{')
            cx_buf_add(&esc, "$", 1);
        cx_buf_add(&esc, text.data + i, 1);
    }
    struct cx_error why;
    if (!esc.oom && tpl_compile(esc.data ? esc.data : "", out, &why, &off) == 0)
        rc = 0;
done:
    cx_buf_free(&text);
    cx_buf_free(&esc);
    return rc == 0 ? 0 : jr_fail_oom(&c->jr, path);
}

/* A condition's value: a string is a template; a number, boolean, null or container a literal. */
static int value_tpl(struct ctx *c, json_t *v, const char *path, struct tpl **out)
{
    if (json_is_string(v))
        return compile_tpl(c, json_string_value(v), path, 0, out);
    return literal_tpl(c, v, path, out);
}

/* ---- conditions ---- */

/* An HTTP status or an array of them into OUT (0-terminated). */
static int status_list(struct ctx *c, json_t *v, const char *path, int out[MAX_STATUSES + 1])
{
    static const char what[] = "expected an HTTP status (100-599) or an array of 1 to 15 of them";
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    jr_path_t p;

    if (!json_is_array(v) && !json_is_integer(v))
        return jr_fail(&c->jr, path, 0, "%s", what);
    if (n == 0 || n > MAX_STATUSES)
        return jr_fail(&c->jr, path, 0, "%s", what);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        const char *where = json_is_array(v) ? jr_index_path(p, path, i) : path;
        if (!json_is_integer(e) || json_integer_value(e) < 100 || json_integer_value(e) > 599)
            return jr_fail(&c->jr, where, 0, "expected an HTTP status (100-599)");
        out[i] = (int)json_integer_value(e);
    }
    out[n] = 0;
    return 0;
}

/* Grow *conds by one zeroed condition; NULL if out of memory. */
static struct scn_cond *add_cond(struct scn_cond **conds, size_t *n)
{
    struct scn_cond *grown = realloc(*conds, (*n + 1) * sizeof *grown);

    if (!grown)
        return NULL;
    *conds = grown;
    memset(&grown[*n], 0, sizeof *grown);
    return &grown[(*n)++];
}

/* A SCN_COND_JSON condition FROM == V (FROM an extraction path, located at KEY_PATH). */
static int json_cond(struct ctx *c, struct scn_cond *cond, const char *from, json_t *v,
                     const char *key_path)
{
    struct cx_error why;

    cond->kind = SCN_COND_JSON;
    if (extract_check(from, &why) != 0)
        return jr_fail(&c->jr, key_path, 1, "%s", why.text);
    if (!(cond->path = strdup(from)))
        return jr_fail_oom(&c->jr, key_path);
    return value_tpl(c, v, key_path, &cond->value);
}

/* "expect" (and "until"): {"status", "json", "headers"}. The status goes into STATUSES, or if
 * STATUSES is NULL becomes a SCN_COND_STATUS condition; "json" members and "headers" become
 * SCN_COND_JSON conditions (a header as the path "header:NAME"). Needs at least one of them if
 * WANT_ONE. */
static int parse_checks(struct ctx *c, json_t *obj, const char *path, int *statuses,
                        struct scn_cond **conds, size_t *nconds, int want_one)
{
    static const char *const keys[] = {"status", "json", "headers", NULL};
    json_t *status = json_object_get(obj, "status"), *json, *headers, *v;
    struct scn_cond *cond;
    const char *key;
    jr_path_t p, q;

    if (jr_check_keys(&c->jr, obj, path, keys) ||
        jr_get_container(&c->jr, obj, path, "json", 0, JSON_OBJECT, &json) ||
        jr_get_container(&c->jr, obj, path, "headers", 0, JSON_OBJECT, &headers))
        return -1;
    if (want_one && !status && json_object_size(json) == 0 && json_object_size(headers) == 0)
        return jr_fail(&c->jr, path, 0, "expected a condition: status, json or headers");
    jr_member_path(p, path, "status");
    if (status && !statuses) {
        if (!(cond = add_cond(conds, nconds)))
            return jr_fail_oom(&c->jr, p);
        cond->kind = SCN_COND_STATUS;
        statuses = cond->statuses;
    }
    if (status && status_list(c, status, p, statuses) != 0)
        return -1;
    jr_member_path(p, path, "json");
    json_object_foreach(json, key, v)
    {
        if (!(cond = add_cond(conds, nconds)))
            return jr_fail_oom(&c->jr, p);
        if (json_cond(c, cond, key, v, jr_member_path(q, p, key)) != 0)
            return -1;
    }
    jr_member_path(p, path, "headers");
    json_object_foreach(headers, key, v)
    {
        char from[200];
        jr_member_path(q, p, key);
        if (!is_token(key) || strlen(key) > 150)
            return jr_fail(&c->jr, q, 1, "expected an HTTP header name");
        if (!(cond = add_cond(conds, nconds)))
            return jr_fail_oom(&c->jr, p);
        snprintf(from, sizeof from, "header:%s", key);
        if (json_cond(c, cond, from, v, q) != 0)
            return -1;
    }
    return 0;
}

/* The condition of an "if" step: exactly one of status, equals, notEquals, exists, json. */
static int parse_if(struct ctx *c, json_t *obj, const char *path, struct scn_cond *cond)
{
    static const char *const keys[] = {"status", "equals", "notEquals", "exists", "json", NULL};
    const char *key, *kind = NULL;
    char msg[256];
    json_t *v, *val = NULL;
    jr_path_t p, q;

    if (!json_is_object(obj))
        return jr_fail(&c->jr, path, 0,
                       "expected an object: status, equals, notEquals, exists or json");
    if (jr_check_keys(&c->jr, obj, path, keys) != 0)
        return -1;
    json_object_foreach(obj, key, v)
    {
        if (kind)
            return jr_fail(&c->jr, jr_member_path(p, path, key), 1,
                           "expected one condition, not both \"%s\" and \"%s\"", kind, key);
        kind = key;
        val = v;
    }
    if (!kind)
        return jr_fail(&c->jr, path, 0,
                       "expected one condition: status, equals, notEquals, exists or json");
    jr_member_path(p, path, kind);
    switch (jr_name_index(keys, kind)) {
    case 0:
        cond->kind = SCN_COND_STATUS;
        return status_list(c, val, p, cond->statuses);
    case 1:
    case 2:
        cond->kind = strcmp(kind, "equals") == 0 ? SCN_COND_EQUALS : SCN_COND_NOT_EQUALS;
        if (!json_is_array(val) || json_array_size(val) != 2)
            return jr_fail(&c->jr, p, 0,
                           "expected an array of two values, e.g. [\"${owner}\", "
                           "\"${user.agent}\"]");
        if (value_tpl(c, json_array_get(val, 0), jr_index_path(q, p, 0), &cond->left) ||
            value_tpl(c, json_array_get(val, 1), jr_index_path(q, p, 1), &cond->value))
            return -1;
        return 0;
    case 3:
        cond->kind = SCN_COND_EXISTS;
        if (!json_is_string(val))
            return jr_fail(&c->jr, p, 0, "expected a variable name, e.g. \"owner\"");
        if (check_ref(c, json_string_value(val), msg, sizeof msg) != 0)
            return jr_fail(&c->jr, p, 0, "%s", msg);
        if (!(cond->var = strdup(json_string_value(val))))
            return jr_fail_oom(&c->jr, p);
        return 0;
    default:
        if (!json_is_object(val) || json_object_size(val) != 1)
            return jr_fail(&c->jr, p, 0,
                           "expected an object with one path, e.g. {\"$.state\": \"Ended\"}");
        key = json_object_iter_key(json_object_iter(val));
        return json_cond(c, cond, key, json_object_get(val, key), jr_member_path(q, p, key));
    }
}

/* ---- steps ---- */

static int parse_steps(struct ctx *c, json_t *arr, const char *path, struct scn_step **out,
                       size_t *n);

/* Append S to the NULL-free string array *v of *n unless it is there; *idx = its index. Returns
 * 0, or -1 if out of memory. */
static int add_distinct(char ***v, size_t *n, const char *s, size_t *idx)
{
    char **grown, *copy;

    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], s) == 0) {
            *idx = i;
            return 0;
        }
    if (!(grown = realloc(*v, (*n + 1) * sizeof *grown)))
        return -1;
    *v = grown;
    if (!(copy = strdup(s)))
        return -1;
    grown[*n] = copy;
    *idx = (*n)++;
    return 0;
}

/* "extract": {NAME: FROM} into r->extracts. NAME must be a variable name that is not built in;
 * FROM must pass extract_check. */
static int parse_extracts(struct ctx *c, json_t *obj, const char *path, struct scn_request *r)
{
    const char *key;
    json_t *v;
    jr_path_t p;

    if (!json_is_object(obj))
        return jr_fail(&c->jr, path, 0,
                       "expected an object of NAME: \"$.path\" | \"header:Name\" | "
                       "\"status\"");
    if (json_object_size(obj) &&
        !(r->extracts = calloc(json_object_size(obj), sizeof *r->extracts)))
        return jr_fail_oom(&c->jr, path);
    json_object_foreach(obj, key, v)
    {
        struct scn_extract *e = &r->extracts[r->nextracts];
        jr_member_path(p, path, key);
        if (!is_var_name(key) || jr_name_index(reserved_names, key) >= 0)
            return jr_fail(&c->jr, p, 1,
                           "expected a variable name [A-Za-z_][A-Za-z0-9_-]*, not vu, iter, uuid, "
                           "shard, env, user, vars or setup");
        if (!json_is_string(v))
            return jr_fail(&c->jr, p, 0, "expected \"$.path\", \"header:Name\" or \"status\"");
        struct cx_error why;
        if (extract_check(json_string_value(v), &why) != 0)
            return jr_fail(&c->jr, p, 0, "%s", why.text);
        r->nextracts++;
        if (!(e->var = strdup(key)) || !(e->from = strdup(json_string_value(v))))
            return jr_fail_oom(&c->jr, p);
    }
    return 0;
}

/* "headers": {Name: template} into r->headers; names must be HTTP tokens. */
static int parse_headers(struct ctx *c, json_t *obj, const char *path, struct scn_request *r)
{
    const char *key;
    json_t *v;
    jr_path_t p;

    if (!json_is_object(obj))
        return jr_fail(&c->jr, path, 0, "expected an object of header name: value");
    if (json_object_size(obj) && !(r->headers = calloc(json_object_size(obj), sizeof *r->headers)))
        return jr_fail_oom(&c->jr, path);
    json_object_foreach(obj, key, v)
    {
        struct scn_header *h = &r->headers[r->nheaders];
        jr_member_path(p, path, key);
        if (!is_token(key))
            return jr_fail(&c->jr, p, 1, "expected an HTTP header name");
        if (!json_is_string(v))
            return jr_fail(&c->jr, p, 0, "expected a string");
        r->nheaders++;
        if (!(h->name = strdup(key)))
            return jr_fail_oom(&c->jr, p);
        if (compile_tpl(c, json_string_value(v), p, 0, &h->value) != 0)
            return -1;
    }
    return 0;
}

/* A "request" or "poll" object OBJ at PATH into ST. */
/* "auth": the name of one of the scenario's auth sources. */
static int parse_auth_ref(struct ctx *c, json_t *obj, const char *path, struct scn_request *r)
{
    jr_path_t p;
    if (jr_get_str(&c->jr, obj, path, "auth", NONEMPTY, NULL, &r->auth) || !r->auth)
        return c->jr.failed ? -1 : 0;
    for (size_t i = 0; i < c->s->nauths; i++)
        if (strcmp(c->s->auths[i].name, r->auth) == 0)
            return 0;
    char list[200] = "";
    for (size_t k = 0, n = 0; k < c->s->nauths && n < sizeof list; k++)
        n +=
            (size_t)snprintf(list + n, sizeof list - n, "%s%s", k ? ", " : "", c->s->auths[k].name);
    if (!c->s->nauths)
        return jr_fail(&c->jr, jr_member_path(p, path, "auth"), 0,
                       "unknown auth source \"%s\": the scenario has no \"auth\"", r->auth);
    return jr_fail(&c->jr, jr_member_path(p, path, "auth"), 0,
                   "unknown auth source \"%s\" (\"auth\" defines: %s)", r->auth, list);
}

/* "idempotency": true, false, or the header name a key goes in. */
static int parse_idempotency(struct ctx *c, json_t *obj, const char *path, struct scn_request *r)
{
    jr_path_t p;
    json_t *idem = json_object_get(obj, "idempotency");
    if (!idem)
        return 0;
    jr_member_path(p, path, "idempotency");
    if (json_is_string(idem) && is_token(json_string_value(idem))) {
        r->idempotency = 1;
        if (!(r->idempotency_header = strdup(json_string_value(idem))))
            return jr_fail_oom(&c->jr, p);
        return 0;
    }
    if (json_is_boolean(idem)) {
        r->idempotency = json_is_true(idem);
        return 0;
    }
    return jr_fail(&c->jr, p, 0,
                   "expected true, false or a header name such as \"Idempotency-Key\"");
}

/* "op" with what it needs: an agent for accept, reject and act; a subject for those, read and
 * priority; a business key for inject. */
static int check_op(struct ctx *c, const char *path, struct scn_request *r, int op)
{
    jr_path_t p;
    r->op = (enum hrec_op)(op + 1);
    switch (r->op) {
    case HREC_ACCEPT:
    case HREC_REJECT:
    case HREC_ACT:
        if (!r->agent)
            return jr_fail(&c->jr, jr_member_path(p, path, "agent"), 0,
                           "missing required key (op \"%s\" needs the acting agent)", op_names[op]);
        /* fall through */
    case HREC_READ:
    case HREC_PRIORITY:
        if (!r->subject)
            return jr_fail(&c->jr, jr_member_path(p, path, "subject"), 0,
                           "missing required key (op \"%s\" needs the interaction or contact id)",
                           op_names[op]);
        break;
    case HREC_INJECT:
        if (!r->key)
            return jr_fail(&c->jr, jr_member_path(p, path, "key"), 0,
                           "missing required key (op \"inject\" needs the business key)");
        break;
    default:
        break;
    }
    return 0;
}

/* A poll step's own keys: "until", "interval", "maxInterval", "backoff", "deadline". */
static int parse_poll(struct ctx *c, json_t *obj, const char *path, struct scn_poll *pl)
{
    jr_path_t p;
    json_t *until, *backoff = json_object_get(obj, "backoff");
    if (jr_get_container(&c->jr, obj, path, "until", REQUIRED, JSON_OBJECT, &until) ||
        parse_checks(c, until, jr_member_path(p, path, "until"), NULL, &pl->until, &pl->nuntil,
                     1) ||
        get_duration(c, obj, path, "interval", POSITIVE, 100000, &pl->interval_us) ||
        get_duration(c, obj, path, "maxInterval", POSITIVE,
                     pl->interval_us > 2000000 ? pl->interval_us : 2000000, &pl->max_interval_us) ||
        get_duration(c, obj, path, "deadline", POSITIVE, 10000000, &pl->deadline_us))
        return -1;
    pl->backoff = 1.5;
    if (backoff && (!json_is_number(backoff) || !((pl->backoff = json_number_value(backoff)) >= 1)))
        return jr_fail(&c->jr, jr_member_path(p, path, "backoff"), 0,
                       "expected a number >= 1 (the interval's multiplier after each try)");
    if (pl->max_interval_us < pl->interval_us)
        return jr_fail(&c->jr, jr_member_path(p, path, "maxInterval"), 0,
                       "expected a duration >= interval");
    return 0;
}

static int parse_request(struct ctx *c, json_t *obj, const char *path, struct scn_step *st)
{
    static const char *const req_keys[] = {
        "method",  "path",   "headers", "body",    "auth",  "idempotency", "retry", "timeout",
        "extract", "expect", "op",      "subject", "agent", "key",         "rule",  NULL};
    static const char *const poll_keys[] = {
        "method",  "path",    "headers",  "body",    "auth",        "idempotency", "retry",
        "timeout", "extract", "expect",   "op",      "subject",     "agent",       "key",
        "rule",    "until",   "interval", "backoff", "maxInterval", "deadline",    NULL};
    struct scn_request *r = &st->req;
    int poll = st->kind == SCN_POLL, method, op;
    json_t *headers, *body, *extract, *expect;
    jr_path_t p;

    if (!json_is_object(obj))
        return jr_fail(&c->jr, path, 0, "expected an object with method and path");
    if (jr_check_keys(&c->jr, obj, path, poll ? poll_keys : req_keys) ||
        jr_get_enum(&c->jr, obj, path, "method", 0, method_names, 0, &method) ||
        get_tpl(c, obj, path, "path", REQUIRED | SLASH, NULL, &r->path) ||
        jr_get_container(&c->jr, obj, path, "headers", 0, JSON_OBJECT, &headers) ||
        (headers && parse_headers(c, headers, jr_member_path(p, path, "headers"), r)))
        return -1;
    if (!(r->method = strdup(method_names[method])))
        return jr_fail_oom(&c->jr, path);
    if ((body = json_object_get(obj, "body"))) {
        if (check_body(c, body, jr_member_path(p, path, "body")) != 0)
            return -1;
        r->body = json_incref(body);
    }
    if (parse_auth_ref(c, obj, path, r) || parse_idempotency(c, obj, path, r) ||
        get_bool(c, obj, path, "retry", 1, &r->retry) ||
        get_duration(c, obj, path, "timeout", POSITIVE, 0, &r->timeout_us) ||
        jr_get_container(&c->jr, obj, path, "extract", 0, JSON_OBJECT, &extract) ||
        (extract && parse_extracts(c, extract, jr_member_path(p, path, "extract"), r)) ||
        jr_get_container(&c->jr, obj, path, "expect", 0, JSON_OBJECT, &expect) ||
        (expect && parse_checks(c, expect, jr_member_path(p, path, "expect"), r->expect_status,
                                &r->expect_json, &r->nexpect_json, 0)) ||
        jr_get_enum(&c->jr, obj, path, "op", 0, op_names, -1, &op) ||
        get_tpl(c, obj, path, "subject", NONEMPTY, NULL, &r->subject) ||
        get_tpl(c, obj, path, "agent", NONEMPTY, NULL, &r->agent) ||
        get_tpl(c, obj, path, "key", NONEMPTY, NULL, &r->key) ||
        jr_get_str(&c->jr, obj, path, "rule", NONEMPTY, NULL, &r->rule))
        return -1;
    if (r->rule && !thresholds_is_rule_id(r->rule))
        return jr_fail(&c->jr, jr_member_path(p, path, "rule"), 0,
                       "expected a rule ID of docs/rules.md, e.g. \"ACC-03\"");
    if (check_op(c, path, r, op) < 0)
        return -1;
    return poll ? parse_poll(c, obj, path, &st->poll) : 0;
}

/* "think": a duration, or {"min", "max"} with min <= max. */
static int parse_think(struct ctx *c, json_t *v, const char *path, struct scn_step *st)
{
    static const char *const keys[] = {"min", "max", NULL};

    if (json_is_string(v) || json_is_number(v)) {
        if (duration_value(c, v, path, 0, &st->think_min_us) != 0)
            return -1;
        st->think_max_us = st->think_min_us;
        return 0;
    }
    if (!json_is_object(v))
        return jr_fail(&c->jr, path, 0,
                       "expected a duration such as \"100ms\", or {\"min\", \"max\"}");
    if (jr_check_keys(&c->jr, v, path, keys) ||
        get_duration(c, v, path, "min", REQUIRED, 0, &st->think_min_us) ||
        get_duration(c, v, path, "max", REQUIRED, 0, &st->think_max_us))
        return -1;
    if (st->think_max_us < st->think_min_us) {
        jr_path_t p;
        return jr_fail(&c->jr, jr_member_path(p, path, "max"), 0, "expected max >= min");
    }
    return 0;
}

/* "barrier": {"name", "count" >= 2}. A name seen before must have the same count; a new one is
 * added to s->barriers. */
static int parse_barrier(struct ctx *c, json_t *v, const char *path, struct scn_step *st)
{
    static const char *const keys[] = {"name", "count", NULL};
    struct scenario *s = c->s;
    size_t idx;
    jr_path_t p;

    if (!json_is_object(v))
        return jr_fail(&c->jr, path, 0, "expected an object {\"name\", \"count\"}");
    if (c->in_setup)
        return jr_fail(&c->jr, path, 0,
                       "expected no barrier in setup: one VU runs it, so none could meet");
    if (jr_check_keys(&c->jr, v, path, keys) ||
        jr_get_str(&c->jr, v, path, "name", REQUIRED | NONEMPTY, NULL, &st->barrier) ||
        jr_get_int(&c->jr, v, path, "count", REQUIRED, 0, 2, INT_MAX, &st->barrier_count))
        return -1;
    if (st->barrier_count > s->load.vus)
        return jr_fail(&c->jr, jr_member_path(p, path, "count"), 0,
                       "expected at most %d, the VUs the load can run at once (%s)", s->load.vus,
                       s->load.model == SCN_CLOSED ? "load.vus" : "load.maxVus");
    size_t before = s->nbarriers;
    if (add_distinct(&s->barriers, &s->nbarriers, st->barrier, &idx) != 0)
        return jr_fail_oom(&c->jr, path);
    st->barrier_index = idx;
    if (s->nbarriers > before) {
        int *grown = realloc(s->barrier_counts, s->nbarriers * sizeof *grown);
        if (!grown)
            return jr_fail_oom(&c->jr, path);
        s->barrier_counts = grown;
        grown[idx] = st->barrier_count;
    } else if (s->barrier_counts[idx] != st->barrier_count) {
        return jr_fail(&c->jr, jr_member_path(p, path, "count"), 0,
                       "expected %d: every use of barrier \"%s\" has the count of its first use",
                       s->barrier_counts[idx], st->barrier);
    }
    return 0;
}

/* A new tag (tags[IDX], of the step at PATH) must not be logged under another's name in
 * latency.hlog, where spaces and commas become '_' ("read queue" and "read_queue"). */
static int tag_logged_apart(struct ctx *c, const char *path, size_t idx)
{
    const struct scenario *s = c->s;
    char mine[256], other[256];
    cx_hlog_tag(s->tags[idx], mine, sizeof mine);
    for (size_t i = 0; i < idx; i++) {
        cx_hlog_tag(s->tags[i], other, sizeof other);
        if (strcmp(mine, other) == 0)
            return jr_fail(&c->jr, path, 0,
                           "tag \"%.100s\" and tag \"%.100s\" are both logged as \"%.100s\" in "
                           "latency.hlog (spaces and commas become '_'): rename one",
                           s->tags[idx], s->tags[i], mine);
    }
    return 0;
}

/* One step object V at PATH into ST. */
static int parse_step(struct ctx *c, json_t *v, const char *path, struct scn_step *st)
{
    static const char *const keys[] = {"request", "poll", "think", "barrier", "if",   "advance",
                                       "end",     "name", "tag",   "then",    "else", NULL};
    const char *key, *kind = NULL;
    struct scenario *s = c->s;
    json_t *item, *body = NULL, *then_v, *else_v;
    char name[512];
    size_t idx;
    jr_path_t p;

    if (!json_is_object(v))
        return jr_fail(&c->jr, path, 0,
                       "expected a step: an object with one of request, poll, think, barrier, if, "
                       "advance, end");
    jr_locate(&c->jr, path, 0, &st->line, &st->column);
    if (jr_check_keys(&c->jr, v, path, keys) != 0)
        return -1;
    json_object_foreach(v, key, item)
    {
        int k = jr_name_index(kind_names, key);
        if (k < 0)
            continue;
        if (kind)
            return jr_fail(&c->jr, jr_member_path(p, path, key), 1,
                           "a step does one thing: \"%s\" and \"%s\" in one step", kind, key);
        kind = key;
        body = item;
        st->kind = (enum scn_step_kind)k;
    }
    if (!kind)
        return jr_fail(&c->jr, path, 0,
                       "expected one of: request, poll, think, barrier, if, advance, end");
    if (jr_get_str(&c->jr, v, path, "name", NONEMPTY, NULL, &st->name) ||
        jr_get_str(&c->jr, v, path, "tag", NONEMPTY, NULL, &st->tag) ||
        jr_get_container(&c->jr, v, path, "then", 0, JSON_ARRAY, &then_v) ||
        jr_get_container(&c->jr, v, path, "else", 0, JSON_ARRAY, &else_v))
        return -1;
    if (st->kind != SCN_IF && (then_v || else_v))
        return jr_fail(&c->jr, jr_member_path(p, path, then_v ? "then" : "else"), 1,
                       "\"then\" and \"else\" belong to an \"if\" step");
    jr_member_path(p, path, kind);
    switch (st->kind) {
    case SCN_REQUEST:
    case SCN_POLL:
        if (parse_request(c, body, p, st) != 0)
            return -1;
        break;
    case SCN_THINK:
        if (parse_think(c, body, p, st) != 0)
            return -1;
        break;
    case SCN_BARRIER:
        if (parse_barrier(c, body, p, st) != 0)
            return -1;
        break;
    case SCN_IF:
        if (parse_if(c, body, p, &st->cond) != 0)
            return -1;
        if (!then_v)
            return jr_fail(&c->jr, jr_member_path(p, path, "then"), 0,
                           "missing required key (the steps to run when the condition holds)");
        if (parse_steps(c, then_v, jr_member_path(p, path, "then"), &st->then_steps, &st->nthen) ||
            (else_v &&
             parse_steps(c, else_v, jr_member_path(p, path, "else"), &st->else_steps, &st->nelse)))
            return -1;
        break;
    case SCN_ADVANCE:
        if (duration_value(c, body, p, POSITIVE, &st->advance_us) != 0)
            return -1;
        if (!s->clock || strcmp(s->clock, "manual") != 0)
            return jr_fail(&c->jr, p, 0,
                           "advance needs \"clock\": \"manual\" (the scenario's clock is %s%s%s)",
                           s->clock ? "\"" : "", s->clock ? s->clock : "not set",
                           s->clock ? "\"" : "");
        break;
    case SCN_END:
        if (!json_is_true(body))
            return jr_fail(&c->jr, p, 0, "expected true");
        break;
    }
    if (!st->name) {
        if (st->kind == SCN_REQUEST || st->kind == SCN_POLL)
            snprintf(name, sizeof name, "%s %s", st->req.method, tpl_source(st->req.path));
        else
            snprintf(name, sizeof name, "%s", kind);
        if (!(st->name = strdup(name)))
            return jr_fail_oom(&c->jr, path);
    }
    if (!st->tag && !(st->tag = strdup(st->name)))
        return jr_fail_oom(&c->jr, path);
    if ((st->kind == SCN_REQUEST || st->kind == SCN_POLL) &&
        add_distinct(&s->tags, &s->ntags, st->tag, &idx) != 0)
        return jr_fail_oom(&c->jr, path);
    if ((st->kind == SCN_REQUEST || st->kind == SCN_POLL) && idx + 1 == s->ntags)
        return tag_logged_apart(c, path, idx);
    return 0;
}

/* The array ARR of steps at PATH into a new array *out of *n (partly filled on error, for the
 * caller to free). */
static int parse_steps(struct ctx *c, json_t *arr, const char *path, struct scn_step **out,
                       size_t *n)
{
    jr_path_t p;

    *out = NULL;
    *n = 0;
    if (json_array_size(arr) == 0)
        return 0;
    if (c->depth == SCN_MAX_DEPTH)
        return jr_fail(&c->jr, path, 0,
                       "steps nest at most %d deep (an \"if\" in \"steps\" is the second level)",
                       SCN_MAX_DEPTH);
    if (!(*out = calloc(json_array_size(arr), sizeof **out)))
        return jr_fail_oom(&c->jr, path);
    *n = json_array_size(arr);
    c->depth++;
    for (size_t i = 0; i < *n; i++)
        if (parse_step(c, json_array_get(arr, i), jr_index_path(p, path, i), &(*out)[i]) != 0)
            return c->depth--, -1;
    c->depth--;
    return 0;
}

/* Put the names that steps in ARR (and their branches) extract into M (and M2 if not NULL).
 * Malformed steps are skipped: parse_step reports them. Returns 0, or -1 if out of memory. */
static int collect_extracts(json_t *arr, struct strmap *m, struct strmap *m2)
{
    json_t *step;
    size_t i;

    json_array_foreach(arr, i, step)
    {
        const char *key;
        json_t *v;
        for (int k = 0; k < 2; k++) {
            json_t *req = json_object_get(step, kind_names[k]);
            json_t *extract = json_object_get(req, "extract");
            json_object_foreach(extract, key, v)
            {
                if (strmap_put(m, key, 1) != 0 || (m2 && strmap_put(m2, key, 1) != 0))
                    return -1;
            }
        }
        if (collect_extracts(json_object_get(step, "then"), m, m2) != 0 ||
            collect_extracts(json_object_get(step, "else"), m, m2) != 0)
            return -1;
    }
    return 0;
}

/* ---- the sections ---- */

static int parse_load(struct ctx *c, json_t *v, struct scn_load *l)
{
    static const char *const closed_keys[] = {"model", "vus", "iterations", "duration", NULL};
    static const char *const open_keys[] = {"model", "rate", "duration", "spacing", "maxVus", NULL};
    static const char *const ramping_keys[] = {"model",   "startRate", "stages",
                                               "spacing", "maxVus",    NULL};
    static const char *const stage_keys[] = {"duration", "rate", NULL};
    static const char *const *const model_keys[] = {closed_keys, open_keys, ramping_keys};
    int model, spacing;
    json_t *stages;
    jr_path_t p, q;

    if (jr_get_enum(&c->jr, v, "load", "model", REQUIRED, model_names, 0, &model) ||
        jr_check_keys(&c->jr, v, "load", model_keys[model]))
        return -1;
    l->model = (enum scn_model)model;
    if (l->model == SCN_CLOSED) {
        json_t *iters = json_object_get(v, "iterations"), *dur = json_object_get(v, "duration");
        if (jr_get_int(&c->jr, v, "load", "vus", REQUIRED, 0, 1, INT_MAX, &l->vus) ||
            jr_get_int64(&c->jr, v, "load", "iterations", 0, 0, 1, INT64_MAX, &l->iterations) ||
            get_duration(c, v, "load", "duration", POSITIVE, 0, &l->duration_us))
            return -1;
        if (iters && dur)
            return jr_fail(
                &c->jr, "load.duration", 1,
                "expected \"iterations\" or \"duration\" for the closed model, not both");
        if (!iters && !dur)
            return jr_fail(&c->jr, "load", 0,
                           "expected \"iterations\" or \"duration\" for the closed model");
        return 0;
    }
    if (jr_get_enum(&c->jr, v, "load", "spacing", 0, spacing_names, SCN_UNIFORM, &spacing) ||
        jr_get_int(&c->jr, v, "load", "maxVus", 0, 1000, 1, INT_MAX, &l->vus))
        return -1;
    l->spacing = (enum scn_spacing)spacing;
    if (l->model == SCN_OPEN) {
        if (get_rate(c, v, "load", "rate", REQUIRED | POSITIVE, 0, &l->rate) ||
            get_duration(c, v, "load", "duration", REQUIRED | POSITIVE, 0, &l->duration_us))
            return -1;
        return 0;
    }
    if (get_rate(c, v, "load", "startRate", 0, 0, &l->start_rate) ||
        jr_get_container(&c->jr, v, "load", "stages", REQUIRED, JSON_ARRAY, &stages))
        return -1;
    if (json_array_size(stages) == 0 || json_array_size(stages) > MAX_STAGES)
        return jr_fail(&c->jr, "load.stages", 0, "expected 1 to %d stages {\"duration\", \"rate\"}",
                       MAX_STAGES);
    if (!(l->stages = calloc(json_array_size(stages), sizeof *l->stages)))
        return jr_fail_oom(&c->jr, "load.stages");
    l->nstages = json_array_size(stages);
    for (size_t i = 0; i < l->nstages; i++) {
        json_t *st = json_array_get(stages, i);
        jr_index_path(p, "load.stages", i);
        if (!json_is_object(st))
            return jr_fail(&c->jr, p, 0, "expected an object {\"duration\", \"rate\"}");
        if (jr_check_keys(&c->jr, st, p, stage_keys) ||
            get_duration(c, st, p, "duration", REQUIRED | POSITIVE, 0, &l->stages[i].duration_us) ||
            get_rate(c, st, p, "rate", REQUIRED, 0, &l->stages[i].rate))
            return -1;
        if (l->stages[i].duration_us > INT64_MAX - l->duration_us)
            return jr_fail(&c->jr, jr_member_path(q, p, "duration"), 0, "the stages last too long");
        l->duration_us += l->stages[i].duration_us;
    }
    return 0;
}

/* "auth": each member a named token source. Secrets (clientSecret, password) must hold a
 * reference; username and password only with the password grant. */
static int parse_auths(struct ctx *c, json_t *obj)
{
    static const char *const keys[] = {"grant", "clientId", "clientSecret", "username", "password",
                                       "scope", "cache",    "tokenPath",    NULL};
    struct scenario *s = c->s;
    const char *key;
    json_t *v;
    jr_path_t path, p;

    if (json_object_size(obj) == 0)
        return 0;
    if (!(s->auths = calloc(json_object_size(obj), sizeof *s->auths)))
        return jr_fail_oom(&c->jr, "auth");
    json_object_foreach(obj, key, v)
    {
        struct scn_auth *a = &s->auths[s->nauths++];
        int grant, cache;
        jr_member_path(path, "auth", key);
        if (!is_var_name(key))
            return jr_fail(&c->jr, path, 1, "expected a source name [A-Za-z_][A-Za-z0-9_-]*");
        if (!(a->name = strdup(key)))
            return jr_fail_oom(&c->jr, path);
        if (!json_is_object(v))
            return jr_fail(&c->jr, path, 0, "expected an object {\"grant\", \"clientId\", ...}");
        if (jr_check_keys(&c->jr, v, path, keys) ||
            jr_get_enum(&c->jr, v, path, "grant", REQUIRED, grant_names, 0, &grant) ||
            jr_get_enum(&c->jr, v, path, "cache", 0, cache_names, SCN_CACHE_WORKER, &cache) ||
            get_tpl(c, v, path, "clientId", REQUIRED | NONEMPTY, NULL, &a->client_id) ||
            get_tpl(c, v, path, "clientSecret", REQUIRED | SECRET, NULL, &a->client_secret))
            return -1;
        a->grant = (enum scn_grant)grant;
        a->cache = (enum scn_cache)cache;
        if (a->grant == SCN_CLIENT_CREDENTIALS) {
            const char *extra = json_object_get(v, "username")   ? "username"
                                : json_object_get(v, "password") ? "password"
                                                                 : NULL;
            if (extra)
                return jr_fail(&c->jr, jr_member_path(p, path, extra), 1,
                               "only with \"grant\": \"password\"");
        } else if (get_tpl(c, v, path, "username", REQUIRED | NONEMPTY, NULL, &a->username) ||
                   get_tpl(c, v, path, "password", REQUIRED | SECRET, NULL, &a->password)) {
            return -1;
        }
        if (get_tpl(c, v, path, "scope", 0, NULL, &a->scope) ||
            get_tpl(c, v, path, "tokenPath", SLASH, "/oauth/token", &a->token_path))
            return -1;
    }
    return 0;
}

/* "policy" (OBJ may be NULL: all defaults) into POL. */
static int parse_policy(struct ctx *c, json_t *obj, struct scn_policy *pol)
{
    static const char *const keys[] = {
        "retries",    "retryOn", "backoff", "baseDelay",         "maxDelay", "jitter",
        "retryAfter", "rateCap", "timeout", "idempotencyHeader", NULL};
    static const int default_retry_on[] = {429, 502, 503, 504, -1, 0};
    json_t *retry_on;
    char *header = NULL;
    jr_path_t p;

    memcpy(pol->retry_on, default_retry_on, sizeof default_retry_on);
    if ((obj && jr_check_keys(&c->jr, obj, "policy", keys)) ||
        jr_get_int(&c->jr, obj, "policy", "retries", 0, 3, 0, 100, &pol->retries) ||
        jr_get_container(&c->jr, obj, "policy", "retryOn", 0, JSON_ARRAY, &retry_on) ||
        jr_get_enum(&c->jr, obj, "policy", "backoff", 0, backoff_names, 1, &pol->exponential) ||
        get_duration(c, obj, "policy", "baseDelay", 0, 100000, &pol->base_us) ||
        get_duration(c, obj, "policy", "maxDelay", 0, 10000000, &pol->cap_us) ||
        jr_get_enum(&c->jr, obj, "policy", "jitter", 0, jitter_names, 1, &pol->jitter) ||
        get_bool(c, obj, "policy", "retryAfter", 1, &pol->honour_retry_after) ||
        get_rate(c, obj, "policy", "rateCap", POSITIVE, 0, &pol->rate_cap) ||
        get_duration(c, obj, "policy", "timeout", POSITIVE, 10000000, &pol->timeout_us) ||
        jr_get_str(&c->jr, obj, "policy", "idempotencyHeader", NONEMPTY, "X-Idempotency-Key",
                   &header))
        return -1;
    pol->idempotency_header = header;
    if (!is_token(header))
        return jr_fail(&c->jr, "policy.idempotencyHeader", 0, "expected an HTTP header name");
    if (pol->cap_us < pol->base_us)
        return jr_fail(&c->jr,
                       json_object_get(obj, "maxDelay") ? "policy.maxDelay" : "policy.baseDelay", 0,
                       "expected baseDelay <= maxDelay");
    if (!retry_on)
        return 0;
    if (json_array_size(retry_on) > MAX_STATUSES)
        return jr_fail(&c->jr, "policy.retryOn", 0, "expected at most %d entries", MAX_STATUSES);
    for (size_t i = 0; i < json_array_size(retry_on); i++) {
        json_t *e = json_array_get(retry_on, i);
        jr_index_path(p, "policy.retryOn", i);
        if (json_is_string(e) && strcmp(json_string_value(e), "timeout") == 0)
            pol->retry_on[i] = -1;
        else if (json_is_integer(e) && json_integer_value(e) >= 100 && json_integer_value(e) <= 599)
            pol->retry_on[i] = (int)json_integer_value(e);
        else
            return jr_fail(&c->jr, p, 0, "expected an HTTP status (100-599) or \"timeout\"");
    }
    pol->retry_on[json_array_size(retry_on)] = 0;
    return 0;
}

/* ---- thresholds (the language is reports/src/thresholds.c's) ---- */

/* Threshold key KEY at PATH: METRIC or METRIC{SELECTOR}, a latency tag one of the steps'. */
static int threshold_key(struct ctx *c, const char *key, const char *path, enum scn_metric *m,
                         char **selector)
{
    char why[1024];
    enum th_metric tm;
    if (thresholds_key(key, &tm, selector, why, sizeof why) < 0)
        return *selector ? jr_fail_oom(&c->jr, path) : jr_fail(&c->jr, path, 1, "%s", why);
    *m = (enum scn_metric)tm;
    if (*m == SCN_M_LATENCY && **selector && scn_tag_index(c->s, *selector) < 0)
        return jr_fail(&c->jr, path, 1, "no request or poll step has the tag \"%.100s\"",
                       *selector);
    return 0;
}

/* Condition TEXT (e.g. "p(99)<300") of threshold T at PATH. */
static int threshold_cond(struct ctx *c, const char *text, const char *path,
                          struct scn_threshold *t)
{
    char why[512];
    struct th_cond tc;
    if (thresholds_cond((enum th_metric)t->metric, text, &tc, why, sizeof why) < 0)
        return jr_fail(&c->jr, path, 0, "%s", why);
    memcpy(t->stat, tc.stat, sizeof t->stat);
    t->pct = tc.pct;
    t->cmp = (enum scn_cmp)tc.cmp;
    t->value = tc.value;
    return 0;
}

/* "thresholds": {KEY: [CONDITION, ...]} into s->thresholds, one per condition. Needs the
 * steps parsed (latency tags must exist). */
static int parse_thresholds(struct ctx *c, json_t *obj)
{
    struct scenario *s = c->s;
    const char *key;
    json_t *arr, *v;
    char *selector = NULL;
    size_t total = 0, i;
    jr_path_t path, p;

    json_object_foreach(obj, key, arr)
    {
        total += json_is_array(arr) ? json_array_size(arr) : 0;
    }
    if (total && !(s->thresholds = calloc(total, sizeof *s->thresholds)))
        return jr_fail_oom(&c->jr, "thresholds");
    json_object_foreach(obj, key, arr)
    {
        enum scn_metric metric = SCN_M_LATENCY;
        free(selector);
        selector = NULL;
        jr_member_path(path, "thresholds", key);
        if (threshold_key(c, key, path, &metric, &selector) != 0)
            goto error;
        if (!json_is_array(arr) || json_array_size(arr) == 0) {
            jr_fail(&c->jr, path, 0, "expected an array of conditions, e.g. [\"p(99)<300\"]");
            goto error;
        }
        json_array_foreach(arr, i, v)
        {
            struct scn_threshold *t = &s->thresholds[s->nthresholds];
            jr_index_path(p, path, i);
            if (!json_is_string(v)) {
                jr_fail(&c->jr, p, 0, "expected a condition string, e.g. \"count==0\"");
                goto error;
            }
            s->nthresholds++;
            t->metric = metric;
            if (!(t->selector = strdup(selector)) ||
                asprintf(&t->text, "%s: %s", key, json_string_value(v)) < 0) {
                t->text = NULL;
                jr_fail_oom(&c->jr, p);
                goto error;
            }
            if (threshold_cond(c, json_string_value(v), p, t) != 0)
                goto error;
        }
    }
    free(selector);
    return 0;

error:
    free(selector);
    return -1;
}

/* ---- the document ---- */

/* "real", "manual" or "scaled:X" with X > 0. */
static int check_clock(struct ctx *c, const char *clock)
{
    double x;

    if (!clock || strcmp(clock, "real") == 0 || strcmp(clock, "manual") == 0)
        return 0;
    if (strncmp(clock, "scaled:", 7) == 0 && thresholds_decimal(clock + 7, &x) && x > 0)
        return 0;
    return jr_fail(&c->jr, "clock", 0, "expected \"real\", \"manual\" or \"scaled:X\" with X > 0");
}

/* TENANT resolved against the folder of NAME (kept as is if absolute or NAME has no folder). */
static char *resolve_path(const char *name, const char *tenant)
{
    const char *slash = strrchr(name, '/');
    char *out;

    if (tenant[0] == '/' || !slash)
        return strdup(tenant);
    if (asprintf(&out, "%.*s/%s", (int)(slash - name), name, tenant) < 0)
        return NULL;
    return out;
}

/* The whole document ROOT into c->s, in dependency order: vars and users before the templates
 * that name them, auth before the steps that use it, steps before the thresholds on their tags. */
static int parse_root(struct ctx *c, json_t *root)
{
    static const char *const keys[] = {
        "name",  "description", "clock", "clientTime", "tenant", "seed",  "connections", "vars",
        "users", "load",        "auth",  "policy",     "setup",  "steps", "thresholds",  NULL};
    static const char *const client_times[] = {"wall", "mock", NULL};
    int client_time;
    struct scenario *s = c->s;
    json_t *vars, *users, *load, *auth, *policy, *setup, *steps, *thresholds;
    char *tenant = NULL;
    jr_path_t p;

    if (!json_is_object(root))
        return jr_fail(&c->jr, "", 0, "expected an object");
    if (jr_check_keys(&c->jr, root, "", keys) ||
        jr_get_str(&c->jr, root, "", "name", REQUIRED | NONEMPTY, NULL, &s->name) ||
        jr_get_str(&c->jr, root, "", "description", 0, NULL, &s->description) ||
        jr_get_str(&c->jr, root, "", "clock", 0, NULL, &s->clock) || check_clock(c, s->clock) ||
        jr_get_enum(&c->jr, root, "", "clientTime", 0, client_times, SCN_TIME_WALL, &client_time) ||
        jr_get_str(&c->jr, root, "", "tenant", NONEMPTY, NULL, &tenant))
        return -1;
    s->client_time = (enum scn_client_time)client_time;
    if (tenant) {
        s->tenant = resolve_path(s->path, tenant);
        free(tenant);
        if (!s->tenant)
            return jr_fail_oom(&c->jr, "tenant");
    }
    if (jr_get_int64(&c->jr, root, "", "seed", 0, -1, 0, INT64_MAX, &s->seed) ||
        jr_get_int(&c->jr, root, "", "connections", 0, 0, 1, SCN_MAX_CONNECTIONS,
                   &s->connections) ||
        jr_get_container(&c->jr, root, "", "vars", 0, JSON_OBJECT, &vars) ||
        jr_get_container(&c->jr, root, "", "users", 0, JSON_ARRAY, &users) ||
        jr_get_container(&c->jr, root, "", "load", REQUIRED, JSON_OBJECT, &load) ||
        jr_get_container(&c->jr, root, "", "auth", 0, JSON_OBJECT, &auth) ||
        jr_get_container(&c->jr, root, "", "policy", 0, JSON_OBJECT, &policy) ||
        jr_get_container(&c->jr, root, "", "setup", 0, JSON_ARRAY, &setup) ||
        jr_get_container(&c->jr, root, "", "steps", REQUIRED, JSON_ARRAY, &steps) ||
        jr_get_container(&c->jr, root, "", "thresholds", 0, JSON_OBJECT, &thresholds))
        return -1;
    if (!(s->vars = vars ? json_incref(vars) : json_object()))
        return jr_fail_oom(&c->jr, "vars");
    if (json_array_size(users) && !(s->users = calloc(json_array_size(users), sizeof *s->users)))
        return jr_fail_oom(&c->jr, "users");
    for (size_t i = 0; i < json_array_size(users); i++) {
        json_t *u = json_array_get(users, i);
        if (!json_is_object(u))
            return jr_fail(&c->jr, jr_index_path(p, "users", i), 0, "expected an object");
        s->users[s->nusers++].vars = json_incref(u);
    }
    if (parse_load(c, load, &s->load) || (auth && parse_auths(c, auth)) ||
        parse_policy(c, policy, &s->policy))
        return -1;
    if (collect_extracts(setup, &c->setup_vars, &c->all_vars) != 0 ||
        collect_extracts(steps, &c->all_vars, NULL) != 0)
        return jr_fail_oom(&c->jr, "steps");
    c->in_setup = 1;
    if (setup && parse_steps(c, setup, "setup", &s->setup, &s->nsetup) != 0)
        return -1;
    c->in_setup = 0;
    if (json_array_size(steps) == 0)
        return jr_fail(&c->jr, "steps", 0, "expected at least one step");
    if (parse_steps(c, steps, "steps", &s->steps, &s->nsteps) != 0 ||
        (thresholds && parse_thresholds(c, thresholds)))
        return -1;
    return 0;
}

/* ---- public ---- */

/* See scenario.h. */
int scn_load_text(const char *name, const char *text, size_t len, struct scenario **out,
                  struct cx_error *err)
{
    struct ctx c = {.s = NULL};
    json_t *root = NULL;

    jr_init(&c.jr, text, len, name, err, &words);
    strmap_init(&c.setup_vars);
    strmap_init(&c.all_vars);
    if (!(c.s = calloc(1, sizeof *c.s)) || !(c.s->path = strdup(name))) {
        snprintf(err->text, sizeof err->text, "out of memory");
        goto error;
    }
    c.s->seed = -1;
    if (!(root = jr_parse(&c.jr)))
        goto error;
    if (parse_root(&c, root) != 0)
        goto error;
    json_decref(root);
    strmap_free(&c.setup_vars);
    strmap_free(&c.all_vars);
    *out = c.s;
    return 0;

error:
    json_decref(root);
    strmap_free(&c.setup_vars);
    strmap_free(&c.all_vars);
    scn_free(c.s);
    *out = NULL;
    return -1;
}

/* See scenario.h. Open and read errors give strerror's text; a file over 16 MiB is refused. */
int scn_load(const char *path, struct scenario **out, struct cx_error *err)
{
    char *buf;
    size_t len;
    *out = NULL;
    if (cx_slurp(path, FILE_CAP, &buf, &len, err) < 0)
        return -1;
    int rc = scn_load_text(path, buf, len, out, err);
    free(buf);
    return rc;
}

/* Free what COND owns (not COND itself). */
static void free_cond(struct scn_cond *cond)
{
    tpl_free(cond->left);
    free(cond->var);
    free(cond->path);
    tpl_free(cond->value);
}

/* Free N conditions and the array. */
static void free_conds(struct scn_cond *conds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free_cond(&conds[i]);
    free(conds);
}

/* Free N steps, their branches recursively, and the array; partly built steps are fine. */
static void free_steps(struct scn_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct scn_step *st = &steps[i];
        struct scn_request *r = &st->req;
        free(st->name);
        free(st->tag);
        free(r->method);
        tpl_free(r->path);
        for (size_t k = 0; k < r->nheaders; k++) {
            free(r->headers[k].name);
            tpl_free(r->headers[k].value);
        }
        free(r->headers);
        json_decref(r->body);
        free(r->auth);
        free(r->idempotency_header);
        for (size_t k = 0; k < r->nextracts; k++) {
            free(r->extracts[k].var);
            free(r->extracts[k].from);
        }
        free(r->extracts);
        free_conds(r->expect_json, r->nexpect_json);
        tpl_free(r->subject);
        tpl_free(r->agent);
        tpl_free(r->key);
        free(r->rule);
        free_conds(st->poll.until, st->poll.nuntil);
        free(st->barrier);
        free_cond(&st->cond);
        free_steps(st->then_steps, st->nthen);
        free_steps(st->else_steps, st->nelse);
    }
    free(steps);
}

/* See scenario.h. Also frees a scenario the loader left half built; NULL is fine. */
void scn_free(struct scenario *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->name);
    free(s->description);
    free(s->clock);
    free(s->tenant);
    json_decref(s->vars);
    json_decref(s->env_refs);
    for (size_t i = 0; i < s->nusers; i++)
        json_decref(s->users[i].vars);
    free(s->users);
    free(s->load.stages);
    for (size_t i = 0; i < s->nauths; i++) {
        struct scn_auth *a = &s->auths[i];
        free(a->name);
        tpl_free(a->token_path);
        tpl_free(a->client_id);
        tpl_free(a->client_secret);
        tpl_free(a->username);
        tpl_free(a->password);
        tpl_free(a->scope);
    }
    free(s->auths);
    free((char *)s->policy.idempotency_header);
    free_steps(s->setup, s->nsetup);
    free_steps(s->steps, s->nsteps);
    for (size_t i = 0; i < s->nthresholds; i++) {
        free(s->thresholds[i].text);
        free(s->thresholds[i].selector);
    }
    free(s->thresholds);
    for (size_t i = 0; i < s->nbarriers; i++)
        free(s->barriers[i]);
    free(s->barriers);
    free(s->barrier_counts);
    for (size_t i = 0; i < s->ntags; i++)
        free(s->tags[i]);
    free(s->tags);
    free(s);
}

/* See scenario.h. Linear: scenarios have few tags. */
int scn_tag_index(const struct scenario *s, const char *tag)
{
    for (size_t i = 0; i < s->ntags; i++)
        if (strcmp(s->tags[i], tag) == 0)
            return (int)i;
    return -1;
}
