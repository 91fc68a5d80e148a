/* cxmock.h - the mock as a library: what cxmock's main, cxload's embedded mock and the tests
 * use. Everything else in mock/src is internal.
 *
 *     struct cxm_options o;
 *     cxm_options_default(&o);
 *     o.port = 0;                       // pick a free port
 *     struct cxm *m;
 *     struct cx_error err;
 *     if (cxm_create(&o, &m, &err) < 0 || cxm_start(m, &err) < 0) ...   // cx_error_format
 *     printf("listening on http://127.0.0.1:%d\n", cxm_port(m));
 *     ...
 *     cxm_destroy(m);
 */
#ifndef CXMOCK_H
#define CXMOCK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cxerr.h"

struct cxm_seen; /* mock/src/api/seen.h */

struct cxm_options {
    const char *bind;         /* address to listen on, default "127.0.0.1" */
    int port;                 /* 0 = any free port; default 8080 */
    const char *tenant_path;  /* fixture file, NULL = the built-in default tenant */
    uint64_t seed;            /* SIM-02; default 1 */
    const char *clock;        /* "real" (default), "scaled:X" or "manual" */
    const char *client_time;  /* "wall" or "mock": the time of the durations told to clients on
                               * a scaled clock (SIM-06); NULL = the fixture's (default wall) */
    const char *ledger_path;  /* also append the ledger here as JSON lines; NULL = memory only */
    const char *ledger_fsync; /* "interval" (default: fdatasync once a second), "always" (each
                               * group commit, before answering) or "never" (the kernel's) */
    int threads;              /* civetweb worker threads (one per open connection); default 64 */
    const char *admin_token;  /* NULL: admin API from loopback only; else needs this bearer */
    size_t max_body;          /* request body cap in bytes; default 1 MiB */
    int idle_timeout_ms;      /* a kept-alive connection's wait for its next request; 5000 */
    int request_timeout_ms;   /* a new connection's first request headers, and each body read
                               * or answer written; default 15000 */
    /* Told of every public request with its answer (cxmock gate), under the mock's lock:
     * everything borrowed for the call. NULL: nobody. */
    void (*seen)(void *ctx, const struct cxm_seen *s);
    void *seen_ctx;
};

struct cxm;

void cxm_options_default(struct cxm_options *o);

/* Load the tenant and build the simulation; serves nothing yet. Returns 0 and stores the mock in
 * *out, or -1 with why in err (a fixture error is located: FILE:LINE:COLUMN: KEY: TEXT).
 */
int cxm_create(const struct cxm_options *o, struct cxm **out, struct cx_error *err);

/* Start the timer and webhook threads and the HTTP server. Returns 0, or -1 with err. */
int cxm_start(struct cxm *m, struct cx_error *err);

/* The port the server listens on (after cxm_start), or -1. */
int cxm_port(const struct cxm *m);

/* Wait until every effect acknowledged so far has applied (a real or scaled clock): the
 * consistency delay, an evaluation cycle and a teardown, in mock time; or until STOP (if not
 * NULL, asked every 50 ms) says to stop waiting. */
void cxm_settle(struct cxm *m, int (*stop)(void));

/* The mock's verdict on its ledger, as GET /__admin/violations answers it (a new reference). */
json_t *cxm_violations(struct cxm *m);

/* The tenant's first client id and secret (the documented test credentials). 0, or -1 if none. */
int cxm_default_client(const struct cxm *m, const char **id, const char **secret);

/* Stop serving, join the threads and free everything. NULL is a no-op. */
void cxm_destroy(struct cxm *m);

#endif
