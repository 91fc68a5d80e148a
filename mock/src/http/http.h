/* http.h - the civetweb front end: sockets in, cxm_api_dispatch, sockets out. Nothing of the
 * simulation here: requests become struct cxm_req (api/request.h) and answers are written back
 * as the API layer gives them, faults (a delay, a reset) included. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

#include "cxerr.h"

struct cxm_api;
struct cxm_http;

struct cxm_http_options {
    const char *bind;       /* address to listen on; NULL: 127.0.0.1 */
    int port;               /* 0: any free port */
    int threads;            /* civetweb worker threads, one per open connection */
    size_t max_body;        /* request bodies over this answer 413 */
    int request_timeout_ms; /* civetweb's request and keep-alive timeouts */
};

/* Start civetweb with tcp_nodelay, keep-alive, o->threads workers, no document root and the
 * request timeout, serving every path through api. Returns 0 with the server in *out, or -1
 * with why in err. */
int cxm_http_start(struct cxm_api *api, const struct cxm_http_options *o, struct cxm_http **out,
                   struct cx_error *err);

/* The port it listens on, or -1. */
int cxm_http_port(const struct cxm_http *h);

/* Stop serving (waits for handlers to finish) and free. NULL is a no-op. */
void cxm_http_stop(struct cxm_http *h);

#endif
