/* http.c - see http.h */
#include "http.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "jsonw.h"
#include "api.h"

#define EVICT_IDLE_MS   200 /* how long a connection must have waited for a request to be closed */
#define RECLAIM_TICK_MS 50  /* how often the reclaimer looks while every worker holds one */

/* What a worker holding a connection is doing (http.h: Starvation). */
enum { SLOT_WAITING, SLOT_SERVING, SLOT_EVICTED };

/* One per worker: the connection it holds. state and since_ms are written by the worker without
 * mu; the rest under mu. */
struct slot {
    atomic_int state;      /* SLOT_*: waiting for a request, in a handler, told to close */
    atomic_llong since_ms; /* when it began waiting (coarse monotonic ms) */
    bool held;             /* a connection is in it */
    bool known;            /* a request came: its peer is known (civetweb tells it no sooner) */
    int remote_port;
    char remote_addr[48]; /* as civetweb writes it (getnameinfo, NI_NUMERICHOST) */
    struct slot *next_free;
};

/* A held slot whose peer is known, as the reclaimer sees it: its descriptor once found. */
struct held {
    struct slot *s;
    int64_t since_ms;
    int fd; /* -1 until the scan finds it */
};

/* A socket on the listening port that no known slot holds: a connection whose worker has had no
 * request from it yet, one waiting in civetweb's queue, or one closing. */
struct quiet {
    int fd;
    int port;
    char addr[48];
};

struct cxm_http {
    struct cxm_http_options opts;
    struct cxm_api *api;
    struct mg_context *ctx;
    int port;
    int evict_idle_ms;
    struct slot *slots; /* opts.threads of them */
    struct held *scratch;
    struct quiet *quiet; /* the reclaimer's, grown as needed */
    size_t quiet_cap;
    pthread_mutex_t mu;      /* the slots' free list and holders, and the reclaimer's state */
    pthread_cond_t wake;     /* (monotonic) the last worker took a connection, or stop */
    struct slot *free_slots; /* under mu */
    int nheld;               /* under mu */
    bool stop;               /* under mu */
    pthread_t reclaimer;
    bool reclaimer_started;
};

/* CLOCK_MONOTONIC_COARSE in ms: a few ms of resolution, the price of a load. */
static int64_t coarse_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
    mg_init_library(0);
}

static int is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
           strncmp(addr, "::ffff:127.", 11) == 0;
}

/* Read the body: 0 ok (*out malloc'd, NULL when empty), 1 over the cap, 2 not whole by
 * DEADLINE_MS (monotonic ms; civetweb's mg_read gives up after request_timeout_ms with what it
 * has, which used to pass as the whole body), -1 read error. Nothing is allocated for a request
 * without a body: a large malloc per request would make glibc consolidate its fast bins every
 * time. */
static int read_body(struct mg_connection *c, long long declared, size_t cap, int64_t deadline_ms,
                     char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (declared > (long long)cap)
        return 1;
    if (declared == 0)
        return 0;
    char first[1024];
    int n = mg_read(c, first, sizeof first);
    if (n <= 0)
        return n < 0 ? -1 : declared > 0 ? 2 : 0;
    size_t size = declared > 0 ? (size_t)declared + 1 : 2 * sizeof first;
    if (size < (size_t)n + 1)
        size = (size_t)n + 1;
    char *buf = malloc(size);
    if (!buf)
        return -1;
    memcpy(buf, first, (size_t)n);
    *len = (size_t)n;
    for (;;) {
        if (*len > cap) {
            free(buf);
            return 1;
        }
        if ((declared < 0 || *len < (size_t)declared) && mono_ms() > deadline_ms) {
            free(buf);
            return 2;
        }
        if (*len == size) {
            size *= 2;
            char *grown = realloc(buf, size);
            if (!grown) {
                free(buf);
                return -1;
            }
            buf = grown;
        }
        n = mg_read(c, buf + *len, size - *len);
        if (n < 0) {
            free(buf);
            return -1;
        }
        if (n == 0)
            break;
        *len += (size_t)n;
    }
    if (declared > 0 && *len < (size_t)declared) { /* civetweb's read timed out */
        free(buf);
        return 2;
    }
    *out = buf;
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

/* NAME: VALUE and its CRLF, unless VALUE is empty. */
static void header(struct cx_buf *out, const char *name, const char *value)
{
    if (!value[0])
        return;
    cx_buf_adds(out, name);
    cx_buf_add(out, ": ", 2);
    cx_buf_adds(out, value);
    cx_buf_add(out, "\r\n", 2);
}

/* Write status line, headers and body in one mg_write. The headers are ours alone:
 * civetweb's mg_response_header_send formats its Date header with gmtime(), which races
 * between worker threads (seen under TSan with Debian's civetweb 1.15). */
static void send_response(struct mg_connection *c, const struct cxm_resp *rs, bool close, bool head)
{
    char *dumped = NULL;
    const char *body = rs->raw;
    if (!body) {
        dumped = rs->json ? cx_json_dumps(rs->json) : NULL;
        body = dumped ? dumped : "";
    }
    int bodiless = rs->status == 204 || rs->status == 304;
    size_t len = bodiless ? 0 : strlen(body);
    struct cx_buf out;
    cx_buf_init(&out);
    cx_buf_reserve(&out, 256 + len);
    cx_buf_add(&out, "HTTP/1.1 ", 9); /* no printf: this is every answer's path */
    cx_json_append_int(&out, rs->status);
    cx_buf_add(&out, " ", 1);
    cx_buf_adds(&out, reason(rs->status));
    cx_buf_add(&out, "\r\n", 2);
    if (!bodiless) {
        header(&out, "Content-Type", rs->content_type ? rs->content_type : "application/json");
        cx_buf_adds(&out, "Content-Length: ");
        cx_json_append_int(&out, (long long)len);
        cx_buf_add(&out, "\r\n", 2);
    }
    header(&out, "X-Request-Id", rs->request_id);
    header(&out, "Retry-After", rs->retry_after);
    header(&out, "Allow", rs->allow);
    header(&out, "WWW-Authenticate", rs->www_authenticate);
    if (rs->no_store)
        cx_buf_adds(&out, "Cache-Control: no-store\r\n");
    header(&out, "ETag", rs->etag);
    cx_buf_adds(&out, close ? "Connection: close\r\n\r\n" : "\r\n");
    if (!head) /* a HEAD answer has the headers of the GET and no body */
        cx_buf_add(&out, body, len);
    if (!out.oom)
        mg_write(c, out.data, out.len);
    cx_buf_free(&out);
    free(dumped);
}

/* FLT-01 connection reset: find this connection's socket (civetweb does not expose it) by its
 * peer port, set SO_LINGER 0 and shut its reading side, so civetweb's next read ends the
 * connection and the close sends RST. The client gets no answer at all. */
static void reset_connection(const struct mg_request_info *ri, int server_port)
{
    struct rlimit rl;
    int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
    for (int fd = 3; fd < max; fd++) {
        struct sockaddr_storage peer, self;
        socklen_t plen = sizeof peer, slen = sizeof self;
        if (getpeername(fd, (struct sockaddr *)&peer, &plen) < 0 ||
            getsockname(fd, (struct sockaddr *)&self, &slen) < 0)
            continue;
        int pport = peer.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&peer)->sin6_port)
                                               : ntohs(((struct sockaddr_in *)&peer)->sin_port);
        int sport = self.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&self)->sin6_port)
                                               : ntohs(((struct sockaddr_in *)&self)->sin_port);
        if (pport != ri->remote_port || sport != server_port)
            continue;
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        shutdown(fd, SHUT_RD);
        return;
    }
}

static int serve(struct mg_connection *c, struct cxm_http *h, bool closing);

static int handle(struct mg_connection *c, void *cbdata)
{
    struct cxm_http *h = cbdata;
    struct slot *s = mg_get_user_connection_data(c);
    /* in a handler, the reclaimer leaves the connection alone; if it chose it just as this
     * request came, its reading side is shut: the request is answered and the connection ends */
    int was = s ? atomic_exchange(&s->state, SLOT_SERVING) : SLOT_SERVING;
    if (s && !s->known) { /* only this worker writes it; the reclaimer reads it under mu */
        const struct mg_request_info *ri = mg_get_request_info(c);
        pthread_mutex_lock(&h->mu);
        s->remote_port = ri->remote_port;
        snprintf(s->remote_addr, sizeof s->remote_addr, "%s", ri->remote_addr);
        s->known = true;
        pthread_mutex_unlock(&h->mu);
    }
    cxm_api_in_flight(h->api, 1);
    int status = serve(c, h, was == SLOT_EVICTED);
    cxm_api_in_flight(h->api, -1);
    if (s) {
        atomic_store(&s->since_ms, coarse_ms());
        atomic_store(&s->state, was == SLOT_EVICTED ? SLOT_EVICTED : SLOT_WAITING);
    }
    return status;
}

static int serve(struct mg_connection *c, struct cxm_http *h, bool closing)
{
    const struct mg_request_info *ri = mg_get_request_info(c);
    struct cxm_resp rs;
    memset(&rs, 0, sizeof rs);
    char *body = NULL;
    size_t body_len = 0;
    int rb = read_body(c, ri->content_length, h->opts.max_body,
                       mono_ms() + h->opts.request_timeout_ms, &body, &body_len);
    if (rb != 0) {
        if (rb == 1)
            cxm_respond(&rs, 413,
                        cxm_err("payload_too_large", "request bodies are capped at %zu bytes",
                                h->opts.max_body));
        else if (rb == 2)
            cxm_respond(&rs, 408,
                        cxm_err("request_timeout",
                                "the request body did not arrive whole within %d ms "
                                "(--request-timeout)",
                                h->opts.request_timeout_ms));
        else
            cxm_respond(&rs, 400, cxm_err("bad_request", "could not read the request body"));
        send_response(c, &rs, true, false);
        cxm_resp_free(&rs);
        return rs.status;
    }
    struct cxm_req rq = {
        .method = ri->request_method,
        .path = ri->local_uri_raw ? ri->local_uri_raw : ri->local_uri,
        .query = ri->query_string,
        .authorization = mg_get_header(c, "Authorization"),
        .content_type = mg_get_header(c, "Content-Type"),
        .idempotency_key = mg_get_header(c, "Idempotency-Key"),
        .x_idempotency_key = mg_get_header(c, "X-Idempotency-Key"),
        .agent_id = mg_get_header(c, "X-Agent-Id"),
        .if_none_match = mg_get_header(c, "If-None-Match"),
        .host = mg_get_header(c, "Host"),
        .body = body,
        .body_len = body_len,
        .loopback = is_loopback(ri->remote_addr),
    };
    cxm_api_dispatch(h->api, &rq, &rs);
    if (rs.delay_ms > 0)
        cxm_api_fault_delay(h->api, rs.delay_ms);
    if (rs.reset) {
        reset_connection(ri, ri->server_port);
        cxm_resp_free(&rs);
        free(body);
        return 500;
    }
    send_response(c, &rs, closing, strcmp(ri->request_method, "HEAD") == 0);
    int status = rs.status;
    cxm_resp_free(&rs);
    free(body);
    return status;
}

/* Worker accounting: civetweb serves each keep-alive connection on one worker thread, so when
 * every worker holds a connection, new ones wait unseen by the load generator. Say so once on
 * stderr, and count it for /metrics. The connection takes a slot (http.h: Starvation); the last
 * free worker taken wakes the reclaimer. */
static int on_connection_open(const struct mg_connection *c, void **conn_data)
{
    struct cxm_http *h = mg_get_user_data(mg_get_context(c));
    pthread_mutex_lock(&h->mu);
    struct slot *s = h->free_slots;
    if (s) { /* always, with one slot per worker */
        h->free_slots = s->next_free;
        s->held = true;
        s->known = false; /* mg_get_request_info is NULL until a request */
        atomic_store(&s->since_ms, coarse_ms());
        atomic_store(&s->state, SLOT_WAITING);
        *conn_data = s;
    }
    if (++h->nheld >= h->opts.threads)
        pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->mu);
    struct cxm_workers *w = &h->api->workers;
    int busy = __atomic_add_fetch(&w->busy, 1, __ATOMIC_RELAXED);
    if (busy >= h->opts.threads) {
        __atomic_add_fetch(&w->saturated, 1, __ATOMIC_RELAXED);
        if (!__atomic_exchange_n(&w->warned, 1, __ATOMIC_RELAXED))
            fprintf(stderr,
                    "cxmock: all %d worker threads hold connections: further connections wait "
                    "for one (raise --threads)\n",
                    h->opts.threads);
    }
    return 0;
}

/* Before civetweb closes the socket: with mu held, the reclaimer never shuts a descriptor that
 * has been closed and reused. */
static void on_connection_close(const struct mg_connection *c)
{
    struct cxm_http *h = mg_get_user_data(mg_get_context(c));
    struct slot *s = mg_get_user_connection_data(c);
    pthread_mutex_lock(&h->mu);
    if (s) {
        s->held = false;
        s->next_free = h->free_slots;
        h->free_slots = s;
    }
    h->nheld--;
    pthread_mutex_unlock(&h->mu);
    __atomic_sub_fetch(&h->api->workers.busy, 1, __ATOMIC_RELAXED);
}

static int sockaddr_port(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)a)->sin_port);
    if (a->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
    return -1;
}

static int held_by_port(const void *a, const void *b)
{
    const struct held *x = a, *y = b;
    return (x->s->remote_port > y->s->remote_port) - (x->s->remote_port < y->s->remote_port);
}

static int held_by_since(const void *a, const void *b)
{
    const struct held *x = a, *y = b;
    return (x->since_ms > y->since_ms) - (x->since_ms < y->since_ms);
}

/* The held slot whose peer is PORT and ADDR, in hs (n, sorted by port), or NULL. */
static struct held *find_held(struct held *hs, size_t n, int port, const char *addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (hs[mid].s->remote_port < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && hs[lo].s->remote_port == port; lo++)
        if (strcmp(hs[lo].s->remote_addr, addr) == 0)
            return &hs[lo];
    return NULL;
}

/* How long the socket has received nothing, in ms, if nothing it sent waits unread; else -1. */
static long quiet_ms(int fd)
{
    int unread = 0;
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (ioctl(fd, FIONREAD, &unread) < 0 || unread > 0 ||
        getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -1;
    return (long)ti.tcpi_last_data_recv;
}

/* FD's peer, if FD is a connection accepted on PORT: its port (its address into addr), or -1. */
static int accepted_peer(int fd, int port, char *addr, size_t size)
{
    struct sockaddr_storage self, peer;
    socklen_t slen = sizeof self, plen = sizeof peer;
    if (getsockname(fd, (struct sockaddr *)&self, &slen) < 0 || sockaddr_port(&self) != port ||
        getpeername(fd, (struct sockaddr *)&peer, &plen) < 0 || /* the listener has none */
        getnameinfo((struct sockaddr *)&peer, plen, addr, (socklen_t)size, NULL, 0,
                    NI_NUMERICHOST) != 0)
        return -1;
    return sockaddr_port(&peer);
}

/* Close a connection gracefully from outside its worker: its poll wakes, civetweb reads
 * end-of-file and closes (a FIN to the client; to half a request, a 400 first: on_http_error). */
static void evict(struct cxm_http *h, int fd)
{
    shutdown(fd, SHUT_RD);
    __atomic_add_fetch(&h->api->workers.evicted, 1, __ATOMIC_RELAXED);
}

/* One look, with mu held and every worker holding a connection. The process's sockets
 * connected to the listening port are the workers' connections and those waiting for one
 * (civetweb's queue; or closing). If some wait: every socket that has sent nothing, or half a
 * request, for evict_idle_ms is closed (whether a worker holds it or it waits in the queue,
 * where it would take one), and for each connection still waiting, one kept alive that has
 * waited that long for its next request, longest first. A connection in a handler is never
 * closed. mu keeps the workers' descriptors from closing meanwhile; the others are checked
 * again just before they are shut, as one may have closed and its number been reused. */
static void reclaim_round(struct cxm_http *h)
{
    int64_t now = coarse_ms();
    size_t n = 0, unknown = 0, idle = 0;
    for (int i = 0; i < h->opts.threads; i++) {
        struct slot *s = &h->slots[i];
        if (s->held && s->known) {
            int64_t since = atomic_load(&s->since_ms);
            idle += atomic_load(&s->state) == SLOT_WAITING && now - since >= h->evict_idle_ms;
            h->scratch[n++] = (struct held){s, since, -1};
        } else if (s->held) {
            unknown++;
        }
    }
    if (!idle && !unknown)
        return; /* every worker in a handler or just done: nothing to close, no scan */
    qsort(h->scratch, n, sizeof *h->scratch, held_by_port);
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    size_t others = 0, nquiet = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end, addr[48];
        long fd = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end || fd == dirfd(d))
            continue;
        int port = accepted_peer((int)fd, h->port, addr, sizeof addr);
        if (port < 0)
            continue;
        struct held *x = find_held(h->scratch, n, port, addr);
        if (x) {
            x->fd = (int)fd;
            continue;
        }
        others++;
        if (quiet_ms((int)fd) < h->evict_idle_ms)
            continue;
        if (nquiet == h->quiet_cap) {
            size_t cap = h->quiet_cap ? 2 * h->quiet_cap : 64;
            struct quiet *grown = realloc(h->quiet, cap * sizeof *grown);
            if (!grown)
                break;
            h->quiet = grown;
            h->quiet_cap = cap;
        }
        struct quiet *q = &h->quiet[nquiet++];
        q->fd = (int)fd;
        q->port = port;
        snprintf(q->addr, sizeof q->addr, "%s", addr);
    }
    closedir(d);
    if (others <= unknown)
        return; /* every socket no known slot holds is a worker's: none waits */
    size_t waiting = others - unknown, closed = 0;
    for (size_t i = 0; i < nquiet; i++) {
        struct quiet *q = &h->quiet[i];
        char addr[48];
        if (accepted_peer(q->fd, h->port, addr, sizeof addr) != q->port ||
            strcmp(addr, q->addr) != 0 || quiet_ms(q->fd) < h->evict_idle_ms)
            continue; /* closed meanwhile, or no longer quiet */
        evict(h, q->fd);
        closed++;
    }
    qsort(h->scratch, n, sizeof *h->scratch, held_by_since);
    for (size_t i = 0; i < n && closed < waiting; i++) {
        struct held *x = &h->scratch[i];
        int expect = SLOT_WAITING;
        if (x->fd < 0 || now - x->since_ms < h->evict_idle_ms ||
            !atomic_compare_exchange_strong(&x->s->state, &expect, SLOT_EVICTED))
            continue;
        evict(h, x->fd);
        closed++;
    }
}

static void *reclaimer_main(void *arg)
{
    struct cxm_http *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        if (h->nheld < h->opts.threads) {
            pthread_cond_wait(&h->wake, &h->mu);
            continue;
        }
        reclaim_round(h);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += RECLAIM_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&h->wake, &h->mu, &ts);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Free h and what it holds (civetweb stopped, the reclaimer joined). */
static void http_free(struct cxm_http *h)
{
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->mu);
    free(h->slots);
    free(h->scratch);
    free(h->quiet);
    free(h);
}

/* civetweb's own errors (a request it could not read or parse: 400, 413, 505, ...) as the API's
 * are, JSON through send_response: civetweb's error page formats a Date header with gmtime(),
 * which races between workers (TSan, Debian's 1.15), as when several connections with half a
 * request are closed at once. The connection closes after it. */
static int on_http_error(struct mg_connection *c, int status, const char *msg)
{
    struct cxm_resp rs;
    memset(&rs, 0, sizeof rs);
    const char *error = status == 408   ? "request_timeout"
                        : status == 413 ? "payload_too_large"
                        : status == 505 ? "http_version_not_supported"
                        : status < 500  ? "bad_request"
                                        : "internal_error";
    cxm_respond(&rs, status, cxm_err(error, "%s", msg && *msg ? msg : "the request was not read"));
    send_response(c, &rs, true, false);
    cxm_resp_free(&rs);
    return 0;
}

static int log_message(const struct mg_connection *c, const char *message)
{
    fprintf(stderr, "cxmock: civetweb: %s\n", message);
    return 1;
}

int cxm_http_start(struct cxm_api *api, const struct cxm_http_options *o, struct cxm_http **out,
                   struct cx_error *err)
{
    pthread_once(&lib_once, lib_init);
    struct cxm_http *h = calloc(1, sizeof *h);
    if (!h) {
        return cx_error_set(err, "out of memory");
    }
    h->opts = *o;
    h->api = api;
    h->port = -1;
    if (h->opts.threads <= 0)
        h->opts.threads = 64;
    if (h->opts.idle_timeout_ms <= 0)
        h->opts.idle_timeout_ms = 5000;
    if (h->opts.request_timeout_ms <= 0)
        h->opts.request_timeout_ms = 15000;
    h->evict_idle_ms =
        h->opts.idle_timeout_ms < EVICT_IDLE_MS ? h->opts.idle_timeout_ms : EVICT_IDLE_MS;
    h->slots = calloc((size_t)h->opts.threads, sizeof *h->slots);
    h->scratch = calloc((size_t)h->opts.threads, sizeof *h->scratch);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (!h->slots || !h->scratch) {
        http_free(h);
        return cx_error_set(err, "out of memory");
    }
    for (int i = h->opts.threads - 1; i >= 0; i--) {
        h->slots[i].next_free = h->free_slots;
        h->free_slots = &h->slots[i];
    }
    char ports[128], threads[16], idle[16], request[16];
    const char *bind = h->opts.bind ? h->opts.bind : "127.0.0.1";
    if (strchr(bind, ':'))
        snprintf(ports, sizeof ports, "[%s]:%d", bind, h->opts.port);
    else
        snprintf(ports, sizeof ports, "%s:%d", bind, h->opts.port);
    snprintf(threads, sizeof threads, "%d", h->opts.threads);
    snprintf(idle, sizeof idle, "%d", h->opts.idle_timeout_ms);
    snprintf(request, sizeof request, "%d", h->opts.request_timeout_ms);
    const char *options[] = {"listening_ports",
                             ports,
                             "num_threads",
                             threads,
                             "tcp_nodelay",
                             "1", /* else ~44 ms per keep-alive request */
                             "enable_keep_alive",
                             "yes",
                             "keep_alive_timeout_ms", /* the wait for a next request */
                             idle,
                             "request_timeout_ms", /* a first request; each read and write */
                             request,
                             "decode_url",
                             "no", /* the path raw: the router decodes it, once */
                             NULL};
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.log_message = log_message;
    cb.http_error = on_http_error;
    cb.init_connection = on_connection_open;
    cb.connection_close = on_connection_close;
    struct mg_init_data init = {&cb, h, options};
    struct mg_error_data error;
    char text[256] = "";
    unsigned code = 0;
    memset(&error, 0, sizeof error);
    error.code = &code;
    error.text = text;
    error.text_buffer_size = sizeof text;
    h->ctx = mg_start2(&init, &error);
    if (!h->ctx) {
        cx_error_set(err, "cannot listen on %s: %s", ports, text[0] ? text : "unknown error");
        http_free(h);
        return -1;
    }
    mg_set_request_handler(h->ctx, "/", handle, h);
    struct mg_server_port sp[4];
    int n = mg_get_server_ports(h->ctx, 4, sp);
    h->port = n > 0 ? sp[0].port : -1;
    if (pthread_create(&h->reclaimer, NULL, reclaimer_main, h) != 0) {
        mg_stop(h->ctx);
        http_free(h);
        return cx_error_set(err, "cannot start the connection reclaimer thread");
    }
    h->reclaimer_started = true;
    *out = h;
    return 0;
}

int cxm_http_port(const struct cxm_http *h)
{
    return h ? h->port : -1;
}

/* civetweb's master thread notices mg_stop only when its poll() returns, which it does every
 * two seconds when nothing connects. Knocking on the listening port until mg_stop returns wakes
 * it at once: a stop takes milliseconds instead of up to two seconds. */
struct knocker {
    int port;
    atomic_int done;
};

static void *knock(void *arg)
{
    struct knocker *k = arg;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)k->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (!atomic_load(&k->done)) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            (void)connect(fd, (struct sockaddr *)&a, sizeof a);
            close(fd);
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

void cxm_http_stop(struct cxm_http *h)
{
    if (!h)
        return;
    const char *bind = h->opts.bind ? h->opts.bind : "127.0.0.1";
    struct knocker k = {h->port, 0};
    pthread_t t;
    int knocking = h->port > 0 &&
                   (strcmp(bind, "127.0.0.1") == 0 || strcmp(bind, "0.0.0.0") == 0) &&
                   pthread_create(&t, NULL, knock, &k) == 0;
    if (h->reclaimer_started) { /* first: it shuts no socket while civetweb closes them */
        pthread_mutex_lock(&h->mu);
        h->stop = true;
        pthread_cond_signal(&h->wake);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->reclaimer, NULL);
    }
    mg_stop(h->ctx);
    if (knocking) {
        atomic_store(&k.done, 1);
        pthread_join(t, NULL);
    }
    http_free(h);
}
