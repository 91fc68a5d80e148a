/* request.c - see request.h */
#include "request.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inject.h"
#include "sim.h"
#include "utf8.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int cxm_url_decode(char *out, const char *src, size_t n, int plus_is_space)
{
    char *o = out;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '%' && i + 2 < n && hexval(src[i + 1]) >= 0 && hexval(src[i + 2]) >= 0) {
            char c = (char)(hexval(src[i + 1]) * 16 + hexval(src[i + 2]));
            bad |= c == '\0';
            *o++ = c;
            i += 2;
        } else {
            bad |= src[i] == '%' || src[i] == '\0';
            *o++ = plus_is_space && src[i] == '+' ? ' ' : src[i];
        }
    }
    *o = '\0';
    return bad || !cx_utf8_valid(out, (size_t)(o - out)) ? -1 : (int)(o - out);
}

void cxm_respond(struct cxm_resp *rs, int status, json_t *body)
{
    json_decref(rs->json);
    rs->status = status;
    rs->json = body;
}

void cxm_resp_free(struct cxm_resp *rs)
{
    json_decref(rs->json);
    free(rs->raw);
    rs->json = NULL;
    rs->raw = NULL;
}

/* Deepest array/object nesting in JSON text (strings skipped), or max + 1 once past max. */
static int json_depth(const char *s, size_t n, int max)
{
    int depth = 0, deepest = 0, in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest && (deepest = depth) > max)
                return deepest;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return deepest;
}

/* The body parsed (new reference), or NULL with the 400 body in *error. */
static json_t *parse_body(const struct cxm_req *rq, json_t **error)
{
    *error = NULL;
    if (rq->body_len == 0)
        return json_object();
    /* jansson parses recursively, on a civetweb worker's small stack: refuse deep nesting
     * before it can overflow. */
    if (json_depth(rq->body, rq->body_len, CXM_MAX_JSON_DEPTH) > CXM_MAX_JSON_DEPTH) {
        *error =
            cxm_err("invalid_json", "nested deeper than %d arrays or objects", CXM_MAX_JSON_DEPTH);
        return NULL;
    }
    json_error_t e;
    json_t *v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!v)
        *error = json_pack("{ss ss si si}", "error", "invalid_json", "detail", e.text, "line",
                           e.line, "column", e.column);
    return v;
}

void cxm_req_prepare(struct cxm_req *rq, bool business_key)
{
    static const char form[] = "application/x-www-form-urlencoded";
    if (rq->body_state != CXM_BODY_UNREAD || rq->body_len == 0 ||
        (rq->content_type && strncasecmp(rq->content_type, form, sizeof form - 1) == 0))
        return;
    json_t *error;
    rq->parsed = parse_body(rq, &error);
    rq->body_state = rq->parsed ? CXM_BODY_PARSED : CXM_BODY_INVALID;
    if (!rq->parsed)
        rq->parsed = error;
    if (business_key && rq->body_state == CXM_BODY_PARSED)
        cxm_business_key(rq->parsed, rq->business_key);
}

void cxm_req_release(struct cxm_req *rq)
{
    json_decref(rq->parsed);
    rq->parsed = NULL;
    rq->body_state = CXM_BODY_UNREAD;
}

json_t *cxm_req_json(const struct cxm_req *rq, struct cxm_resp *rs)
{
    json_t *error = NULL, *v;
    switch (rq->body_state) {
    case CXM_BODY_PARSED:
        return json_incref(rq->parsed);
    case CXM_BODY_INVALID:
        error = json_deep_copy(rq->parsed);
        v = NULL;
        break;
    default:
        v = parse_body(rq, &error);
        break;
    }
    if (!v)
        cxm_respond(rs, 400, error);
    return v;
}

int cxm_query_param(const struct cxm_req *rq, const char *name, char *buf, size_t size)
{
    size_t nlen = strlen(name);
    for (const char *q = rq->query; q && *q;) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len >= nlen && strncmp(q, name, nlen) == 0 && (len == nlen || q[nlen] == '=')) {
            const char *v = len == nlen ? "" : q + nlen + 1;
            size_t vlen = len == nlen ? 0 : len - nlen - 1;
            char *d = malloc(vlen + 1);
            if (!d)
                return -1;
            int n = cxm_url_decode(d, v, vlen, 1);
            int fits = n >= 0 && (size_t)n < size;
            if (fits)
                memcpy(buf, d, (size_t)n + 1);
            free(d);
            return fits ? 1 : -1;
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

int cxm_query_str(const struct cxm_req *rq, struct cxm_resp *rs, const char *name, char *buf,
                  size_t size)
{
    int rc = cxm_query_param(rq, name, buf, size);
    if (rc < 0)
        cxm_respond(rs, 400,
                    cxm_field_err(name,
                                  "query parameter '%s' must be at most %zu characters, "
                                  "percent-encoded correctly, with no NUL byte",
                                  name, size - 1));
    return rc;
}

int cxm_query_uint(const struct cxm_req *rq, struct cxm_resp *rs, const char *name,
                   unsigned long long def, unsigned long long min, unsigned long long max,
                   unsigned long long *out)
{
    char buf[32];
    *out = def;
    int rc = cxm_query_param(rq, name, buf, sizeof buf);
    if (rc == 0)
        return 0;
    unsigned long long v = 0;
    int ok = rc > 0 && buf[0] != '\0';
    for (const char *p = buf; ok && *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        ok = d <= 9 && v <= (ULLONG_MAX - d) / 10;
        v = v * 10 + d;
    }
    if (!ok || v < min || v > max) {
        cxm_respond(rs, 400,
                    cxm_field_err(name,
                                  "query parameter '%s' must be an integer from %llu to %llu, in "
                                  "decimal digits only",
                                  name, min, max));
        return -1;
    }
    *out = v;
    return 1;
}

bool cxm_req_headers_are_text(const struct cxm_req *rq, struct cxm_resp *rs)
{
    const struct {
        const char *name, *value;
    } recorded[] = {
        {"X-Idempotency-Key", rq->x_idempotency_key},
        {"Idempotency-Key", rq->idempotency_key},
        {"X-Agent-Id", rq->agent_id},
        {"If-None-Match", rq->if_none_match},
    };
    for (size_t i = 0; i < sizeof recorded / sizeof recorded[0]; i++) {
        if (recorded[i].value && !cx_utf8_valid(recorded[i].value, strlen(recorded[i].value))) {
            json_t *e = cxm_err("bad_request",
                                "header %s is not UTF-8 text: the ledger records it, and a "
                                "ledger entry is JSON",
                                recorded[i].name);
            json_object_set_new(e, "field", json_string(recorded[i].name));
            cxm_respond(rs, 400, e);
            return false;
        }
    }
    return true;
}
