/* fuzz_http.c - the mock's route layer (cxm_api_dispatch, everything below the sockets) on
 * requests made of any bytes, against a fresh default-tenant mock per input on the manual
 * clock. The input is up to MAX_REQUESTS requests separated by NUL bytes, each written as
 * HTTP/1.1 writes one:
 *
 *     METHOD TARGET[ anything]        TARGET split at its first '?' into path and query
 *     Name: value                     headers, up to an empty line (a "\r" before "\n" dropped)
 *     ...
 *
 *     body                            the rest, up to the NUL or the end
 *
 * The headers the HTTP layer passes on are read (Authorization, Content-Type, Idempotency-Key,
 * X-Idempotency-Key, X-Agent-Id, If-None-Match, Host; the first of each); "X-Fuzz-Peer: remote"
 * makes the peer a non-loopback one. So that later requests of an input get past the bearer
 * check and name what earlier ones made, "$TOKEN" in a header value stands for the
 * access_token of the last answer that had one, "$ID" in the target for the last "id" or
 * "interactionId" an answer named. Long polls answer at once (the mock is told it is
 * stopping), so no input waits.
 *
 * Invariants, for every answer: a status in 100..599 (or a connection reset); the Allow header
 * on a 405; where the answer is JSON (no Content-Type, or one naming json) and has a body
 * (not 204 or 304), the body parses as JSON. After the input's requests, the ledger read
 * whole (GET /__admin/ledger) is entries numbered 1, 2, ... each with a type: a request can
 * never leave a line the ledger cannot give back.
 *
 * FUZZ_HTTP_TRACE=1 in the environment prints each request and its status (to write seeds).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "api.h"
#include "fuzz.h"
#include "jsonw.h"

#define MAX_REQUESTS 16

/* The default tenant, parsed once (it is never written to). */
static struct cxm_tenant *tenant;

/* What one input carries from answer to answer. */
struct session {
    char token[512]; /* "$TOKEN" */
    char id[256];    /* "$ID" */
};

/* A NUL-terminated copy of s[0..n) with "$TOKEN" and "$ID" replaced (NULL if out of memory). */
static char *expand(const char *s, size_t n, const struct session *ss)
{
    size_t tl = strlen(ss->token), il = strlen(ss->id);
    size_t cap = n + 1 + (n / 3 + 1) * (tl > il ? tl : il);
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        if (n - i >= 6 && memcmp(s + i, "$TOKEN", 6) == 0) {
            memcpy(o, ss->token, tl);
            o += tl;
            i += 6;
        } else if (n - i >= 3 && memcmp(s + i, "$ID", 3) == 0) {
            memcpy(o, ss->id, il);
            o += il;
            i += 3;
        } else {
            *o++ = s[i++];
        }
    }
    *o = '\0';
    return out;
}

/* The request's strings, each malloc'd (freed by free_parsed). */
enum { F_METHOD, F_PATH, F_QUERY, F_AUTH, F_CTYPE, F_IKEY, F_XIKEY, F_AGENT, F_INM, F_HOST, NF };
static const char *const header_names[NF] = {
    [F_AUTH] = "Authorization",
    [F_CTYPE] = "Content-Type",
    [F_IKEY] = "Idempotency-Key",
    [F_XIKEY] = "X-Idempotency-Key",
    [F_AGENT] = "X-Agent-Id",
    [F_INM] = "If-None-Match",
    [F_HOST] = "Host",
};

struct parsed {
    char *f[NF];
    bool remote;
};

static void free_parsed(struct parsed *p)
{
    for (int i = 0; i < NF; i++)
        free(p->f[i]);
}

/* The next line of [*s, end): its length without "\r\n" or "\n"; *s moves past it. */
static size_t next_line(const char **s, const char *end, const char **line)
{
    const char *nl = memchr(*s, '\n', (size_t)(end - *s));
    const char *stop = nl ? nl : end;
    *line = *s;
    *s = nl ? nl + 1 : end;
    size_t n = (size_t)(stop - *line);
    if (n && (*line)[n - 1] == '\r')
        n--;
    return n;
}

/* Parse one request of [s, end) into p and rq (strings in p, the body pointing into s). Returns
 * 0, or -1 if memory ran out. */
static int parse_request(const char *s, const char *end, const struct session *ss, struct parsed *p,
                         struct cxm_req *rq)
{
    memset(p, 0, sizeof *p);
    const char *line;
    size_t n = next_line(&s, end, &line);
    const char *sp = memchr(line, ' ', n);
    size_t mlen = sp ? (size_t)(sp - line) : n;
    const char *target = sp ? sp + 1 : line + n;
    size_t tlen = (size_t)(line + n - target);
    const char *sp2 = memchr(target, ' ', tlen);
    if (sp2)
        tlen = (size_t)(sp2 - target);
    char *t = expand(target, tlen, ss);
    if (!(p->f[F_METHOD] = expand(line, mlen, ss)) || !t)
        goto oom;
    char *q = strchr(t, '?');
    if (q) {
        *q = '\0';
        if (!(p->f[F_QUERY] = strdup(q + 1)))
            goto oom;
    }
    p->f[F_PATH] = t;
    t = NULL;
    while (s < end) {
        n = next_line(&s, end, &line);
        if (n == 0)
            break;
        const char *colon = memchr(line, ':', n);
        if (!colon)
            continue;
        size_t nlen = (size_t)(colon - line);
        const char *v = colon + 1;
        while (v < line + n && (*v == ' ' || *v == '\t'))
            v++;
        size_t vlen = (size_t)(line + n - v);
        if (nlen == 11 && strncasecmp(line, "X-Fuzz-Peer", 11) == 0) {
            p->remote = vlen == 6 && memcmp(v, "remote", 6) == 0;
            continue;
        }
        for (int i = F_AUTH; i < NF; i++)
            if (!p->f[i] && strlen(header_names[i]) == nlen &&
                strncasecmp(line, header_names[i], nlen) == 0 && !(p->f[i] = expand(v, vlen, ss)))
                goto oom;
    }
    *rq = (struct cxm_req){
        .method = p->f[F_METHOD],
        .path = p->f[F_PATH],
        .query = p->f[F_QUERY],
        .authorization = p->f[F_AUTH],
        .content_type = p->f[F_CTYPE],
        .idempotency_key = p->f[F_IKEY],
        .x_idempotency_key = p->f[F_XIKEY],
        .agent_id = p->f[F_AGENT],
        .if_none_match = p->f[F_INM],
        .host = p->f[F_HOST],
        .body = s < end ? s : NULL,
        .body_len = (size_t)(end - s),
        .loopback = !p->remote,
    };
    return 0;
oom:
    free(t);
    free_parsed(p);
    return -1;
}

/* The answer's body as the HTTP layer sends it (malloc'd), "" for none; NULL if out of memory
 * or if a JSON value could not be written. */
static char *body_of(const struct cxm_resp *rs)
{
    if (rs->raw)
        return strdup(rs->raw);
    if (rs->json)
        return cx_json_dumps(rs->json);
    return strdup("");
}

/* Check rs's invariants; remember a token and an id it names. Returns the body parsed (NULL
 * if not JSON). */
static json_t *check_answer(const struct cxm_req *rq, const struct cxm_resp *rs, struct session *ss)
{
    if (rs->reset)
        return NULL; /* FLT-01: nothing is sent */
    CX_FUZZ_CHECK(rs->status >= 100 && rs->status <= 599, "%s %s answered status %d", rq->method,
                  rq->path, rs->status);
    CX_FUZZ_CHECK(rs->status != 405 || rs->allow[0], "%s %s: a 405 with no Allow", rq->method,
                  rq->path);
    const char *ctype = rs->content_type ? rs->content_type : "application/json";
    if (rs->status == 204 || rs->status == 304 || !strstr(ctype, "json"))
        return NULL;
    CX_FUZZ_CHECK(!rs->json || rs->raw || json_is_object(rs->json) || json_is_array(rs->json),
                  "%s %s: a JSON answer that is neither an object nor an array", rq->method,
                  rq->path);
    char *body = body_of(rs);
    CX_FUZZ_CHECK(body, "%s %s: the %d answer's JSON cannot be written", rq->method, rq->path,
                  rs->status);
    json_error_t e;
    json_t *v = json_loads(body, JSON_REJECT_DUPLICATES, &e);
    CX_FUZZ_CHECK(v, "%s %s: the %d answer is not JSON (%s): '%.200s'", rq->method, rq->path,
                  rs->status, e.text, body);
    free(body);
    const char *tok = json_string_value(json_object_get(v, "access_token"));
    if (tok && strlen(tok) < sizeof ss->token - 8)
        snprintf(ss->token, sizeof ss->token, "%s", tok);
    const char *id = json_string_value(json_object_get(v, "id"));
    if (!id)
        id = json_string_value(json_object_get(v, "interactionId"));
    if (id && strlen(id) < sizeof ss->id)
        snprintf(ss->id, sizeof ss->id, "%s", id);
    return v;
}

/* The ledger read back whole: entries numbered 1, 2, ..., each an object with a type. */
static void check_ledger(struct cxm_api *a, struct session *ss)
{
    struct cxm_req rq = {.method = "GET", .path = "/__admin/ledger", .loopback = true};
    struct cxm_resp rs;
    cxm_api_dispatch(a, &rq, &rs);
    CX_FUZZ_CHECK(rs.status == 200, "the ledger answered %d", rs.status);
    json_t *v = check_answer(&rq, &rs, ss);
    json_t *entries = json_object_get(v, "entries");
    CX_FUZZ_CHECK(json_is_array(entries), "the ledger has no entries array");
    size_t i;
    json_t *entry;
    json_array_foreach(entries, i, entry)
    {
        CX_FUZZ_CHECK(json_integer_value(json_object_get(entry, "seq")) == (json_int_t)i + 1,
                      "ledger entry %zu is not seq %zu", i, i + 1);
        CX_FUZZ_CHECK(json_is_string(json_object_get(entry, "type")),
                      "ledger entry %zu has no type", i + 1);
    }
    json_decref(v);
    cxm_resp_free(&rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cx_error err = {0};
    if (!tenant) {
        if (cxm_tenant_load_default(&tenant, &err) < 0) {
            fprintf(stderr, "fuzz_http: the default tenant: %s\n", err.text);
            abort();
        }
        /* A short event ring: the default's 100 000 slots cost a mock's start and end 200 000
         * frees, most of an input's time under ASan; no input fills a thousand. */
        tenant->event_retention = 1000;
    }
    struct cxm_api a;
    struct cxm_api_options o = {NULL, 4};
    if (cxm_api_init(&a, &o, tenant, 1, "manual", NULL, &err) < 0) {
        fprintf(stderr, "fuzz_http: cxm_api_init: %s\n", err.text);
        abort();
    }
    a.stopping = true; /* long polls answer now */
    struct session ss = {"", ""};
    static int trace = -1;
    if (trace < 0)
        trace = getenv("FUZZ_HTTP_TRACE") != NULL;
    const char *s = (const char *)data, *end = s + size;
    for (int i = 0; i < MAX_REQUESTS && s < end; i++) {
        const char *nul = memchr(s, '\0', (size_t)(end - s));
        const char *stop = nul ? nul : end;
        struct parsed p;
        struct cxm_req rq;
        if (parse_request(s, stop, &ss, &p, &rq) == 0) {
            struct cxm_resp rs;
            cxm_api_dispatch(&a, &rq, &rs);
            if (trace)
                fprintf(stderr, "fuzz_http: %s %s%s%s -> %d\n", rq.method, rq.path,
                        rq.query ? "?" : "", rq.query ? rq.query : "", rs.status);
            json_decref(check_answer(&rq, &rs, &ss));
            cxm_resp_free(&rs);
            free_parsed(&p);
        }
        s = nul ? nul + 1 : end;
    }
    check_ledger(&a, &ss);
    cxm_api_free(&a);
    return 0;
}
