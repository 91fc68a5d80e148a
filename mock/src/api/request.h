/* request.h - a request and its response as plain structs, and what handlers read from them.
 *
 * The HTTP layer fills a struct cxm_req from civetweb's request and writes back the struct
 * cxm_resp; tests build cxm_reqs by hand. Nothing here takes the lock or knows a socket.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct cxm_req {
    const char *method;
    const char *path;  /* without the query string, not percent-decoded */
    const char *query; /* after '?', or NULL */
    const char *authorization;
    const char *content_type;
    const char *idempotency_key;   /* Idempotency-Key (002's PATCH), or NULL */
    const char *x_idempotency_key; /* X-Idempotency-Key (001's injection), or NULL */
    const char *agent_id;          /* X-Agent-Id: a client-credentials call's agent (000) */
    const char *if_none_match;     /* If-None-Match (002's conditional GET), or NULL */
    const char *host;              /* Host header, or NULL: never put in an answer (URIs are
                                    * built on the bound address, cxm_api_set_base_url) */
    const char *body;              /* may be NULL when body_len is 0; not NUL-terminated */
    size_t body_len;
    bool loopback; /* the peer is on a loopback address */
    /* Worked out by cxm_req_prepare before the lock is taken; a request built by hand (tests)
     * leaves them zero and gets them worked out when asked for. */
    enum cxm_body_state {
        CXM_BODY_UNREAD,  /* not parsed yet */
        CXM_BODY_PARSED,  /* parsed: the JSON body */
        CXM_BODY_INVALID, /* not JSON: the 400 body saying why */
    } body_state;
    json_t *parsed;        /* CXM_BODY_PARSED, CXM_BODY_INVALID (owned: cxm_req_release) */
    char business_key[24]; /* the body's digest (INJ-05), "" unless asked for */
};

struct cxm_resp {
    int status;
    json_t *json;             /* body, or */
    char *raw;                /* a ready body (malloc'd) */
    const char *content_type; /* default application/json */
    char retry_after[24];     /* Retry-After header when non-empty */
    char allow[64];           /* Allow header when non-empty (405) */
    char www_authenticate[320];
    char etag[24];       /* ETag header when non-empty */
    char request_id[24]; /* X-Request-Id: the id the ledger names this request by */
    bool no_store;       /* Cache-Control: no-store (token responses) */
    /* Faults (FLT-01), carried out by the HTTP layer outside the lock: */
    int64_t delay_ms; /* answer only after this many wall-clock ms */
    bool reset;       /* answer nothing: reset the connection */
};

/* Parse a JSON body (not a form) and, if asked, its business key: the work on a request that
 * needs no state, done outside the lock. */
void cxm_req_prepare(struct cxm_req *rq, bool business_key);
void cxm_req_release(struct cxm_req *rq);

/* Whether every header the mock may record (the idempotency keys, X-Agent-Id, If-None-Match)
 * is UTF-8 text; if one is not, sets a 400 bad_request naming it in rs and returns false. */
bool cxm_req_headers_are_text(const struct cxm_req *rq, struct cxm_resp *rs);

/* Release the body of rs. */
void cxm_resp_free(struct cxm_resp *rs);

/* For handlers: set a JSON response (body stolen). */
void cxm_respond(struct cxm_resp *rs, int status, json_t *body);

#define CXM_MAX_JSON_DEPTH 64

/* For handlers: the request body as JSON. An empty body is {}. On malformed JSON, or JSON
 * nested deeper than CXM_MAX_JSON_DEPTH, sets a 400 invalid_json response (naming line and
 * column for a syntax error) and returns NULL. */
json_t *cxm_req_json(const struct cxm_req *rq, struct cxm_resp *rs);

/* Percent-decode n bytes of src into out (at least n + 1 bytes, NUL-terminated), once: '%' and
 * two hex digits become that byte, '+' becomes ' ' when plus_is_space (forms, query strings).
 * Returns the decoded length, or -1 if src is not valid percent-encoding of text the mock takes:
 * a '%' not followed by two hex digits, an escape that decodes to a NUL byte, or a result that is
 * not UTF-8 (utf8.h: no ledger entry or JSON answer could hold it) (out is then still
 * NUL-terminated, but no value to use). */
int cxm_url_decode(char *out, const char *src, size_t n, int plus_is_space);

/* For handlers: the value of query parameter `name`, percent-decoded once, into buf (size
 * bytes). Returns 1 if present, 0 if absent, -1 if present but not taken: a value that does not
 * fit in buf (nothing is cut short) or is not valid percent-encoding (cxm_url_decode). */
int cxm_query_param(const struct cxm_req *rq, const char *name, char *buf, size_t size);

/* As cxm_query_param; on -1 also sets a 400 validation_error naming the parameter in rs. */
int cxm_query_str(const struct cxm_req *rq, struct cxm_resp *rs, const char *name, char *buf,
                  size_t size);

/* For handlers: query parameter `name` as an integer min..max written in decimal digits only (no
 * sign, white space, or anything after the digits) into *out; def when absent. Returns 1 if
 * present, 0 if absent, -1 (with a 400 validation_error naming the parameter set in rs) if it is
 * anything else or out of range. */
int cxm_query_uint(const struct cxm_req *rq, struct cxm_resp *rs, const char *name,
                   unsigned long long def, unsigned long long min, unsigned long long max,
                   unsigned long long *out);

#endif
