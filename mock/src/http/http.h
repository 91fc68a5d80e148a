/* http.h - the civetweb front end: sockets in, cxm_api_dispatch, sockets out. Nothing of the
 * simulation here: requests become struct cxm_req (api/request.h) and answers are written back
 * as the API layer gives them, faults (a delay, a reset) included.
 *
 * Starvation (issue 15). civetweb 1.15 serves each connection on one worker thread from its
 * accept to its close, idle or not: a worker waiting for the first request of a connection
 * waits up to request_timeout_ms, one waiting for the next request of a kept-alive connection
 * keep_alive_timeout_ms, and connections accepted meanwhile wait in civetweb's queue
 * ("connection_queue", 20) and then the kernel's backlog ("listen_backlog", 200), first come
 * first served. civetweb has no hook to close an idle connection when others wait, and tells
 * neither a connection's socket nor (before its first request) its peer. So this layer keeps a
 * slot per worker (init_connection, the handler, connection_close: whether it is in a handler,
 * since when it waits, its peer once a request came), and while every worker holds a
 * connection a reclaimer thread looks every 50 ms at the process's sockets on the listening
 * port. More of them than workers means connections wait; then it closes every one that has
 * received nothing for EVICT_IDLE_MS (200 ms, or the idle timeout if shorter) with nothing
 * unread (TCP_INFO, FIONREAD: silent, or half a request that civetweb holds), held or queued,
 * and for each connection still waiting one kept-alive connection that has waited that long
 * for its next request, longest first. shutdown(SHUT_RD) wakes the worker's poll; civetweb
 * reads end-of-file and closes: a FIN, after a 400 (on_http_error) to half a request. A
 * connection inside a handler is never closed: long polls have a budget of their own
 * (api_events.c); a worker kept busy by a client sending request after request keeps its
 * connection (more such connections than --threads still queue). */
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
    int idle_timeout_ms;    /* a kept-alive connection's wait for its next request's headers */
    int request_timeout_ms; /* a new connection's first request headers; each body or write */
};

/* Start civetweb with tcp_nodelay, keep-alive, o->threads workers, no document root and the
 * timeouts, serving every path through api, and the reclaimer thread. Returns 0 with the server
 * in *out, or -1 with why in err. */
int cxm_http_start(struct cxm_api *api, const struct cxm_http_options *o, struct cxm_http **out,
                   struct cx_error *err);

/* The port it listens on, or -1. */
int cxm_http_port(const struct cxm_http *h);

/* Stop the reclaimer, stop serving (waits for handlers to finish) and free. NULL is a no-op. */
void cxm_http_stop(struct cxm_http *h);

#endif
