/* exchange.h - one HTTP exchange of a virtual user: the request's headers and body going out,
 * the answer's status, headers and body coming back.
 *
 * Each virtual user owns one exchange and reuses it for every request it makes (its step's
 * requests, token fetches, clock advances): exchange_prepare or exchange_reset readies it for
 * the next one. The easy handle is not the exchange's: its worker's pool (pool.h) lends one for
 * each transfer (conn.h), and the answer stays in the exchange after the handle went back, for
 * the steps that read it later. The answer's body is parsed as JSON at most once, when something
 * asks.
 */
#ifndef EXCHANGE_H
#define EXCHANGE_H

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"

struct loop;

struct exchange {
    CURL *easy; /* lent by the pool for the transfer on the wire, else NULL */
    struct curl_slist *headers;
    struct cx_buf req_body, resp_body, resp_headers; /* headers as "Name: value\r\n" lines */
    char errbuf[CURL_ERROR_SIZE];
    int status;      /* the last answer's HTTP status, 0 = none */
    json_t *json;    /* its body as JSON, parsed lazily */
    int json_parsed; /* json is what the body parses to (NULL: not JSON) */
    int reset_after; /* the handle had options a request does not set: reset when it goes back */
};

/* An exchange with no handle and no answer. 0, or -1 out of memory (exchange_free is still
 * safe). */
int exchange_init(struct exchange *x);
void exchange_free(struct exchange *x);

/* Ready for a token fetch or a clock advance on loop L (x->easy set: lent): the handle reset to
 * curl's defaults with our callbacks and OWNER as its CURLOPT_PRIVATE, the last answer
 * forgotten. LOOPBACK: never through a proxy. The handle is reset again when it goes back
 * (exchange_release), so nothing set for these reaches a step's request. */
void exchange_reset(struct exchange *x, struct loop *l, void *owner, int loopback);

/* Ready for a step's request, as exchange_reset but without resetting the handle: a handle
 * comes back from a request with only what exchange_prepare sets again (the body, method and
 * headers cleared to a GET's; the caller sets the URL, method, headers and timeout), so the
 * curl_easy_reset per request is saved. */
void exchange_prepare(struct exchange *x, struct loop *l, void *owner, int loopback);

/* x's handle goes back (returned; x->easy NULL), reset if a token fetch or an advance set it. */
CURL *exchange_release(struct exchange *x);

/* Add a request header line "Name: value". */
void exchange_header_add(struct exchange *x, const char *line);

/* The answer's header NAME (case-insensitive), or NULL. The value is a per-thread copy, valid
 * until the next call. */
const char *exchange_header(const struct exchange *x, const char *name);

/* exchange_header for extract_eval's header callback (ctx: the exchange). */
const char *exchange_header_cb(void *ctx, const char *name);

/* The answer's body as JSON, or NULL if empty or not JSON. Borrowed. */
const json_t *exchange_json(struct exchange *x);

#endif
