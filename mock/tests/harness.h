/* harness.h - integration tests against a real `cxmock` process over HTTP.
 *
 * A test starts the binary named by $CXMOCK_BIN with `--port 0` and its own arguments, reads
 * the port from the first line it prints, talks to it over libcurl on 127.0.0.1 only (never a
 * proxy), and stops it with SIGTERM, checking the exit status. Processes, waits with a
 * deadline (cxt_wait_for, scaled under sanitizers), scratch directories and files are the shared
 * test support's (common/tests/cxtest.h).
 *
 * Threads: one struct cxh_http (one easy handle, one keep-alive connection) per thread.
 * curl_global_init must have run before any thread uses one (cxh_global_init does it).
 *
 * If the test process itself dies (not a failed assertion: a crash), a mock it started keeps
 * running; tests stop their mocks in cmocka teardowns, which run after failed assertions.
 *
 * This header includes cmocka (with the headers it needs first) for its assertion macros. */
#ifndef HARNESS_H
#define HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cxtest.h"

/* One HTTP response. body is always NUL-terminated ("" when empty). The header fields hold the
 * values of those response headers ("" when absent). */
struct cxh_resp {
    long status;    /* HTTP status; 0 if the transfer failed (see error) */
    char *body;     /* the body text, owned */
    size_t len;     /* its length */
    json_t *json;   /* the body parsed as JSON, or NULL; owned */
    double seconds; /* total time of the transfer */
    char retry_after[32];
    char allow[128];
    char www_authenticate[320];
    char request_id[48];
    char content_type[128];
    char etag[64];
    char error[CURL_ERROR_SIZE]; /* libcurl's message when status is 0 */
};

/* One connection to the mock: an easy handle (keep-alive) and the last response on it. */
struct cxh_http {
    CURL *curl;
    char base[64];           /* "http://127.0.0.1:PORT" */
    const char *admin_token; /* borrowed: bearer for the /__admin helpers below, or NULL */
    struct cxh_resp last;    /* valid until the next request on this connection */
};

/* A request. Only method and path are required. */
struct cxh_req {
    const char *method;         /* "GET", "POST", ...; "HEAD" reads no body */
    const char *path;           /* starts with '/', query included */
    const char *bearer;         /* Authorization: Bearer <bearer>, or NULL */
    const char *basic;          /* "user:password" for HTTP Basic, or NULL */
    const char *body;           /* or NULL for none */
    size_t body_len;            /* 0: strlen(body) */
    const char *content_type;   /* NULL: application/json when there is a body */
    long timeout_ms;            /* 0: 30 s */
    const char *const *headers; /* more "Name: value" lines, NULL-terminated, or NULL */
};

/* A running mock process and the default connection to it. */
struct cxh {
    struct cxt_proc proc; /* pid -1 when not running; out_fd: its stdout */
    int port;
    struct cxh_http http;
};

/* curl_global_init once; call from main before any thread starts. */
void cxh_global_init(void);

/* Start `$CXMOCK_BIN --port 0 ARGS...` (args NULL-terminated, may be NULL) with stdout on a
 * pipe, wait up to 10 s (scaled) for its first line "listening on http://127.0.0.1:PORT", parse the
 * port and open h->http to it. The child's environment is ours without proxy variables and without
 * CXMOCK_ADMIN_TOKEN. Returns 0, or -1 after printing why (the child, if any, is killed). */
int cxh_start(struct cxh *h, const char *const *args);

/* Stop the mock: close h->http, SIGTERM, wait up to 20 s (scaled), then SIGKILL and reap. Returns
 * its exit status (0..255), 128+N if it died of signal N, or -1 if it could not be reaped or was
 * not running. Safe to call twice (the second returns -1). */
int cxh_stop(struct cxh *h);

/* Kill the mock with SIGKILL at once and reap it. Returns as cxh_stop (137 normally). */
int cxh_kill(struct cxh *h);

/* Run `$CXMOCK_BIN ARGS...` to completion with stdout and stderr captured into *out and *err
 * (malloc'd, NUL-terminated; either pointer may be NULL to discard). Returns the exit status as
 * cxh_stop, or -1 if it could not start or did not finish within deadline_ms (scaled; then
 * killed). */
int cxh_run(const char *const *args, long deadline_ms, char **out, char **err);

/* Open a connection object to 127.0.0.1:port. Returns 0, or -1 if libcurl failed. */
int cxh_http_open(struct cxh_http *c, int port);
/* Release the connection and its last response. */
void cxh_http_close(struct cxh_http *c);

/* Perform rq on c. Returns &c->last (status 0 if the transfer failed); the previous response
 * on c is released. Never fails otherwise. */
const struct cxh_resp *cxh_request(struct cxh_http *c, const struct cxh_req *rq);

/* METHOD path with an optional bearer and an optional JSON body. As cxh_request. */
const struct cxh_resp *cxh_call(struct cxh_http *c, const char *method, const char *path,
                                const char *bearer, const char *json_body);

/* As cxh_call, with the body formatted by printf(fmt, ...) (fmt may be NULL: no body). */
const struct cxh_resp *cxh_callf(struct cxh_http *c, const char *method, const char *path,
                                 const char *bearer, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* POST an application/x-www-form-urlencoded body to path, with HTTP Basic "id:secret" if
 * basic is not NULL. As cxh_request. */
const struct cxh_resp *cxh_form(struct cxh_http *c, const char *path, const char *basic,
                                const char *form);

/* A client-credentials token (HTTP Basic on /api/v2/oauth/token) into out. Returns the HTTP
 * status (200 on success; out is "" otherwise). */
long cxh_token(struct cxh_http *c, const char *client_id, const char *secret, char *out,
               size_t size);

/* An agent-bound token (password grant through client cx-integration) into out. As
 * cxh_token. */
long cxh_agent_token(struct cxh_http *c, const char *email, const char *password, char *out,
                     size_t size);

/* An inbound contact through POST /__admin/interactions {channel, queueId[, externalId]}; its
 * id into id. Returns the HTTP status (201 on success; id is "" otherwise). */
long cxh_create(struct cxh_http *c, const char *channel, const char *queue, const char *external_id,
                char *id, size_t size);

/* Advance the manual clock (POST /__admin/clock {"advanceMs":ms}). Returns the HTTP status. */
long cxh_advance(struct cxh_http *c, long long ms);

/* GET /api/v2/interactions/{id} with bearer; its "state" copied into state ("" if not 200).
 * Returns the HTTP status. */
long cxh_state(struct cxh_http *c, const char *bearer, const char *id, char *state, size_t size);

/* Every ledger entry (GET /__admin/ledger, paged): a new array reference, or NULL on error. */
json_t *cxh_ledger(struct cxh_http *c);

/* The first entry of entries with this type and (if ix is not NULL) this interactionId:
 * borrowed, or NULL. */
json_t *cxh_ledger_find(json_t *entries, const char *type, const char *ix);
/* How many entries match (as cxh_ledger_find). */
size_t cxh_ledger_count(json_t *entries, const char *type, const char *ix);

/* A member by path: "a.b", "a[2].c", "[0]". Borrowed; NULL if absent. */
json_t *cxh_get(json_t *v, const char *path);
/* The string at path, or NULL. */
const char *cxh_str(json_t *v, const char *path);
/* The integer at path, or def if absent or not an integer. */
long long cxh_int(json_t *v, const char *path, long long def);

/* --- assertions that print both sides (and the body) on failure --- */

/* Fail unless the response has status want; prints the response's body on failure. */
#define CXH_ASSERT_STATUS(r, want)                                                                 \
    do {                                                                                           \
        const struct cxh_resp *r_ = (r);                                                           \
        long want_ = (want);                                                                       \
        if (r_->status != want_) {                                                                 \
            print_error("status: expected %ld, got %ld; body: %.2000s%s%s\n", want_, r_->status,   \
                        r_->body ? r_->body : "", r_->error[0] ? "; curl: " : "", r_->error);      \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Fail unless the string at path in JSON value v equals want. */
#define CXH_ASSERT_STR(v, path, want)                                                              \
    do {                                                                                           \
        json_t *v_ = (v);                                                                          \
        const char *got_ = cxh_str(v_, (path)), *want_ = (want);                                   \
        if (!got_ || strcmp(got_, want_) != 0) {                                                   \
            char *d_ = v_ ? json_dumps(v_, JSON_COMPACT) : NULL;                                   \
            print_error("%s: expected \"%s\", got %s%s%s; in %.2000s\n", (path), want_,            \
                        got_ ? "\"" : "", got_ ? got_ : "(absent)", got_ ? "\"" : "",              \
                        d_ ? d_ : "(no JSON)");                                                    \
            free(d_);                                                                              \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Fail unless the integer at path in v equals want. */
#define CXH_ASSERT_INT(v, path, want)                                                              \
    do {                                                                                           \
        json_t *v_ = (v);                                                                          \
        json_t *m_ = cxh_get(v_, (path));                                                          \
        long long want_ = (want);                                                                  \
        if (!json_is_integer(m_) || json_integer_value(m_) != want_) {                             \
            char *d_ = v_ ? json_dumps(v_, JSON_COMPACT) : NULL;                                   \
            char *g_ = m_ ? json_dumps(m_, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;                 \
            print_error("%s: expected %lld, got %s; in %.2000s\n", (path), want_,                  \
                        g_ ? g_ : "(absent)", d_ ? d_ : "(no JSON)");                              \
            free(d_);                                                                              \
            free(g_);                                                                              \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Fail unless the member at path in v is JSON null (present). */
#define CXH_ASSERT_NULL(v, path)                                                                   \
    do {                                                                                           \
        json_t *v_ = (v);                                                                          \
        if (!json_is_null(cxh_get(v_, (path)))) {                                                  \
            char *d_ = v_ ? json_dumps(v_, JSON_COMPACT) : NULL;                                   \
            print_error("%s: expected null; in %.2000s\n", (path), d_ ? d_ : "(no JSON)");         \
            free(d_);                                                                              \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

#endif
