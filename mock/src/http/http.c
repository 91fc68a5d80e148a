/* http.c - see http.h */
#include "http.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
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

struct cxm_http {
    struct cxm_http_options opts;
    struct cxm_api *api;
    struct mg_context *ctx;
    int port;
};

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

/* Read the body: 0 ok (*out malloc'd, NULL when empty), 1 over the cap, -1 read error. Nothing
 * is allocated for a request without a body: a large malloc per request would make glibc
 * consolidate its fast bins every time. */
static int read_body(struct mg_connection *c, long long declared, size_t cap, char **out,
                     size_t *len)
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
        return n < 0 ? -1 : 0;
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
    default:
        return "Status";
    }
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
    cx_buf_addf(&out, "HTTP/1.1 %d %s\r\n", rs->status, reason(rs->status));
    if (!bodiless)
        cx_buf_addf(&out, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                    rs->content_type ? rs->content_type : "application/json", len);
    if (rs->request_id[0])
        cx_buf_addf(&out, "X-Request-Id: %s\r\n", rs->request_id);
    if (rs->retry_after[0])
        cx_buf_addf(&out, "Retry-After: %s\r\n", rs->retry_after);
    if (rs->allow[0])
        cx_buf_addf(&out, "Allow: %s\r\n", rs->allow);
    if (rs->www_authenticate[0])
        cx_buf_addf(&out, "WWW-Authenticate: %s\r\n", rs->www_authenticate);
    if (rs->no_store)
        cx_buf_adds(&out, "Cache-Control: no-store\r\n");
    if (rs->etag[0])
        cx_buf_addf(&out, "ETag: %s\r\n", rs->etag);
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

static int serve(struct mg_connection *c, struct cxm_http *h);

static int handle(struct mg_connection *c, void *cbdata)
{
    struct cxm_http *h = cbdata;
    cxm_api_in_flight(h->api, 1);
    int status = serve(c, h);
    cxm_api_in_flight(h->api, -1);
    return status;
}

static int serve(struct mg_connection *c, struct cxm_http *h)
{
    const struct mg_request_info *ri = mg_get_request_info(c);
    struct cxm_resp rs;
    memset(&rs, 0, sizeof rs);
    char *body = NULL;
    size_t body_len = 0;
    int rb = read_body(c, ri->content_length, h->opts.max_body, &body, &body_len);
    if (rb != 0) {
        if (rb > 0)
            cxm_respond(&rs, 413,
                        cxm_err("payload_too_large", "request bodies are capped at %zu bytes",
                                h->opts.max_body));
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
    send_response(c, &rs, false, strcmp(ri->request_method, "HEAD") == 0);
    int status = rs.status;
    cxm_resp_free(&rs);
    free(body);
    return status;
}

/* Worker accounting: civetweb serves each keep-alive connection on one worker thread, so when
 * every worker holds a connection, new ones wait unseen by the load generator. Say so once on
 * stderr, and count it for /metrics. */
static int on_connection_open(const struct mg_connection *c, void **conn_data)
{
    struct cxm_http *h = mg_get_user_data(mg_get_context(c));
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

static void on_connection_close(const struct mg_connection *c)
{
    struct cxm_http *h = mg_get_user_data(mg_get_context(c));
    __atomic_sub_fetch(&h->api->workers.busy, 1, __ATOMIC_RELAXED);
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
    char ports[128], threads[16], timeout[16];
    const char *bind = h->opts.bind ? h->opts.bind : "127.0.0.1";
    if (strchr(bind, ':'))
        snprintf(ports, sizeof ports, "[%s]:%d", bind, h->opts.port);
    else
        snprintf(ports, sizeof ports, "%s:%d", bind, h->opts.port);
    snprintf(threads, sizeof threads, "%d", h->opts.threads);
    snprintf(timeout, sizeof timeout, "%d", h->opts.request_timeout_ms);
    const char *options[] = {"listening_ports",
                             ports,
                             "num_threads",
                             threads,
                             "tcp_nodelay",
                             "1", /* else ~44 ms per keep-alive request */
                             "enable_keep_alive",
                             "yes",
                             "keep_alive_timeout_ms",
                             timeout,
                             "request_timeout_ms",
                             timeout,
                             "decode_url",
                             "no", /* the path raw: the router decodes it, once */
                             NULL};
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.log_message = log_message;
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
        free(h);
        return -1;
    }
    mg_set_request_handler(h->ctx, "/", handle, h);
    struct mg_server_port sp[4];
    int n = mg_get_server_ports(h->ctx, 4, sp);
    h->port = n > 0 ? sp[0].port : -1;
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
    mg_stop(h->ctx);
    if (knocking) {
        atomic_store(&k.done, 1);
        pthread_join(t, NULL);
    }
    free(h);
}
