/* http.h - the civetweb front end: sockets to cxm_dispatch and back. No simulation here. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

struct cxm;

/* Start civetweb on opts.bind:opts.port with tcp_nodelay, keep-alive, opts.threads workers, no
 * document root and a request timeout; sets m->port. Returns 0, or -1 with err. */
int cxm_http_start(struct cxm *m, char *err, size_t errsz);

/* Stop serving (waits for handlers to finish). Safe if never started. */
void cxm_http_stop(struct cxm *m);

#endif
