/* harness.c - see harness.h */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define START_DEADLINE_MS 10000
#define STOP_DEADLINE_MS  20000
#define BODY_CAP          (64u << 20)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
}

void cxh_global_init(void)
{
    pthread_once(&global_once, global_init);
}

static const char *mock_bin(void)
{
    const char *bin = getenv("CXMOCK_BIN");
    if (!bin || !*bin)
        fprintf(stderr, "harness: CXMOCK_BIN is not set (run under ctest)\n");
    return bin && *bin ? bin : NULL;
}

int cxh_start(struct cxh *h, const char *const *args)
{
    memset(h, 0, sizeof *h);
    h->proc.pid = -1;
    h->proc.out_fd = h->proc.err_fd = -1;
    cxh_global_init();
    const char *bin = mock_bin();
    if (!bin)
        return -1;
    const char *argv[64];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--port";
    argv[n++] = "0";
    for (; args && *args && n < 63; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    struct cxt_stream out = {CXT_PIPE, NULL}, err = {CXT_INHERIT, NULL};
    if (cxt_spawn(&h->proc, argv, out, err) < 0)
        return -1;

    char line[256];
    size_t len = 0;
    long deadline = cxt_scaled_ms(START_DEADLINE_MS);
    int64_t until = cxt_now_ms() + deadline;
    while (!memchr(line, '\n', len)) {
        int64_t left = until - cxt_now_ms();
        if (left <= 0 || len + 1 >= sizeof line) {
            fprintf(stderr, "harness: no 'listening on' line within %ld ms\n", deadline);
            goto fail;
        }
        struct pollfd p = {h->proc.out_fd, POLLIN, 0};
        int pr = poll(&p, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue; /* the deadline check above reports it */
        ssize_t r = read(h->proc.out_fd, line + len, sizeof line - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            fprintf(stderr, "harness: the mock closed stdout before its first line\n");
            goto fail;
        }
        len += (size_t)r;
    }
    line[len] = '\0';
    int port = 0;
    if (sscanf(line, "listening on http://127.0.0.1:%d", &port) != 1 || port <= 0 || port > 65535) {
        fprintf(stderr, "harness: unexpected first line: %s", line);
        goto fail;
    }
    h->port = port;
    if (cxh_http_open(&h->http, port) < 0)
        goto fail;
    return 0;
fail:
    cxt_stop(&h->proc, SIGKILL, STOP_DEADLINE_MS);
    return -1;
}

/* Signal the mock and reap it; a mock that outlives the deadline is killed (-1). */
static int finish(struct cxh *h, int sig)
{
    cxh_http_close(&h->http);
    int st = cxt_stop(&h->proc, sig, STOP_DEADLINE_MS);
    return st == -2 ? -1 : st;
}

int cxh_stop(struct cxh *h)
{
    return finish(h, SIGTERM);
}

int cxh_kill(struct cxh *h)
{
    return finish(h, SIGKILL);
}

int cxh_run(const char *const *args, long deadline_ms, char **out, char **err)
{
    cxh_global_init();
    const char *bin = mock_bin();
    if (!bin)
        return -1;
    const char *argv[64];
    int n = 0;
    argv[n++] = bin;
    for (; args && *args && n < 63; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    int st = cxt_run(argv, deadline_ms, out, err);
    return st == -2 ? -1 : st;
}

/* --- HTTP --- */

int cxh_http_open(struct cxh_http *c, int port)
{
    memset(c, 0, sizeof *c);
    cxh_global_init();
    c->curl = curl_easy_init();
    if (!c->curl) {
        fprintf(stderr, "harness: curl_easy_init failed\n");
        return -1;
    }
    snprintf(c->base, sizeof c->base, "http://127.0.0.1:%d", port);
    c->last.body = calloc(1, 1);
    return 0;
}

static void resp_clear(struct cxh_resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

void cxh_http_close(struct cxh_http *c)
{
    if (c->curl)
        curl_easy_cleanup(c->curl);
    c->curl = NULL;
    resp_clear(&c->last);
}

struct sink {
    struct cxh_resp *r;
    size_t cap;
    int oom;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct sink *s = ud;
    size_t k = size * n;
    if (s->r->len + k + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->r->len + k + 1)
            cap *= 2;
        char *grown = cap <= BODY_CAP ? realloc(s->r->body, cap) : NULL;
        if (!grown) {
            s->oom = 1;
            return 0;
        }
        s->r->body = grown;
        s->cap = cap;
    }
    memcpy(s->r->body + s->r->len, p, k);
    s->r->len += k;
    s->r->body[s->r->len] = '\0';
    return k;
}

/* Copy header `name`'s value (trimmed) into dst if line is that header. */
static void header_value(const char *line, size_t n, const char *name, char *dst, size_t size)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    snprintf(dst, size, "%.*s", (int)(end - v), v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct cxh_resp *r = ud;
    size_t k = size * n;
    if (k >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (e.g. after 100): reset */
        r->retry_after[0] = r->allow[0] = r->www_authenticate[0] = '\0';
        r->request_id[0] = r->content_type[0] = r->etag[0] = '\0';
    }
    header_value(p, k, "Retry-After", r->retry_after, sizeof r->retry_after);
    header_value(p, k, "Allow", r->allow, sizeof r->allow);
    header_value(p, k, "WWW-Authenticate", r->www_authenticate, sizeof r->www_authenticate);
    header_value(p, k, "X-Request-Id", r->request_id, sizeof r->request_id);
    header_value(p, k, "Content-Type", r->content_type, sizeof r->content_type);
    header_value(p, k, "ETag", r->etag, sizeof r->etag);
    return k;
}

const struct cxh_resp *cxh_request(struct cxh_http *c, const struct cxh_req *rq)
{
    struct cxh_resp *r = &c->last;
    resp_clear(r);
    r->body = calloc(1, 1);
    CURL *e = c->curl;
    char url[2048];
    snprintf(url, sizeof url, "%s%s", c->base, rq->path);
    struct curl_slist *hd = NULL;
    char line[512];
    if (rq->bearer) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", rq->bearer);
        hd = curl_slist_append(hd, line);
    }
    if (rq->body) {
        snprintf(line, sizeof line, "Content-Type: %s",
                 rq->content_type ? rq->content_type : "application/json");
        hd = curl_slist_append(hd, line);
    }
    for (const char *const *x = rq->headers; x && *x; x++)
        hd = curl_slist_append(hd, *x);
    struct sink sink = {r, 1, 0};
    curl_easy_reset(e); /* keeps the connection cache: keep-alive survives */
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROXY, ""); /* never a proxy: loopback only */
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, rq->timeout_ms > 0 ? rq->timeout_ms : 30000L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    if (rq->basic) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERPWD, rq->basic);
    }
    if (rq->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(rq->body_len ? rq->body_len : strlen(rq->body)));
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    if (strcmp(rq->method, "HEAD") == 0)
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L); /* a HEAD response has no body */
    else if (strcmp(rq->method, rq->body ? "POST" : "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hd);
    CURLcode rc = curl_easy_perform(e);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
    } else {
        r->status = 0;
        if (!r->error[0])
            snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(rc));
    }
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &r->seconds);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hd);
    if (r->len)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    return r;
}

const struct cxh_resp *cxh_call(struct cxh_http *c, const char *method, const char *path,
                                const char *bearer, const char *json_body)
{
    struct cxh_req rq = {.method = method, .path = path, .bearer = bearer, .body = json_body};
    return cxh_request(c, &rq);
}

const struct cxh_resp *cxh_callf(struct cxh_http *c, const char *method, const char *path,
                                 const char *bearer, const char *fmt, ...)
{
    char body[8192];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);
    }
    return cxh_call(c, method, path, bearer, fmt ? body : NULL);
}

const struct cxh_resp *cxh_form(struct cxh_http *c, const char *path, const char *basic,
                                const char *form)
{
    struct cxh_req rq = {.method = "POST",
                         .path = path,
                         .basic = basic,
                         .body = form,
                         .content_type = "application/x-www-form-urlencoded"};
    return cxh_request(c, &rq);
}

static long token_from(const struct cxh_resp *r, char *out, size_t size)
{
    const char *t = r->status == 200 ? cxh_str(r->json, "access_token") : NULL;
    snprintf(out, size, "%s", t ? t : "");
    if (!t)
        fprintf(stderr, "harness: token request: %ld %s\n", r->status, r->body);
    return t ? r->status : (r->status == 200 ? 0 : r->status);
}

long cxh_token(struct cxh_http *c, const char *client_id, const char *secret, char *out,
               size_t size)
{
    char basic[256];
    snprintf(basic, sizeof basic, "%s:%s", client_id, secret);
    return token_from(cxh_form(c, "/api/v2/oauth/token", basic, "grant_type=client_credentials"),
                      out, size);
}

/* Percent-encode s (RFC 3986 unreserved kept) into out. */
static void urlencode(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (; *s && o + 4 < size; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, size - o, "%%%02X", ch);
    }
    out[o] = '\0';
}

long cxh_agent_token(struct cxh_http *c, const char *email, const char *password, char *out,
                     size_t size)
{
    char e[256], p[256], form[600];
    urlencode(email, e, sizeof e);
    urlencode(password, p, sizeof p);
    snprintf(form, sizeof form, "grant_type=password&username=%s&password=%s", e, p);
    return token_from(
        cxh_form(c, "/api/v2/oauth/token", "cx-integration:cx-integration-secret", form), out,
        size);
}

long cxh_create(struct cxh_http *c, const char *channel, const char *queue, const char *external_id,
                char *id, size_t size)
{
    json_t *body = json_pack("{ss ss}", "channel", channel, "queueId", queue);
    if (external_id)
        json_object_set_new(body, "externalId", json_string(external_id));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    const struct cxh_resp *r = cxh_call(c, "POST", "/__admin/interactions", c->admin_token, text);
    free(text);
    const char *got = r->status == 201 ? cxh_str(r->json, "id") : NULL;
    snprintf(id, size, "%s", got ? got : "");
    if (!got)
        fprintf(stderr, "harness: create %s/%s: %ld %s\n", channel, queue, r->status, r->body);
    return r->status;
}

long cxh_advance(struct cxh_http *c, long long ms)
{
    return cxh_callf(c, "POST", "/__admin/clock", c->admin_token, "{\"advanceMs\":%lld}", ms)
        ->status;
}

long cxh_state(struct cxh_http *c, const char *bearer, const char *id, char *state, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v2/interactions/%s", id);
    const struct cxh_resp *r = cxh_call(c, "GET", path, bearer, NULL);
    const char *s = r->status == 200 ? cxh_str(r->json, "state") : NULL;
    snprintf(state, size, "%s", s ? s : "");
    return r->status;
}

json_t *cxh_ledger(struct cxh_http *c)
{
    json_t *all = json_array();
    long long after = 0;
    for (;;) {
        char path[96];
        snprintf(path, sizeof path, "/__admin/ledger?after=%lld&limit=10000", after);
        const struct cxh_resp *r = cxh_call(c, "GET", path, c->admin_token, NULL);
        json_t *entries = cxh_get(r->json, "entries");
        if (r->status != 200 || !json_is_array(entries)) {
            fprintf(stderr, "harness: ledger: %ld %.500s\n", r->status, r->body);
            json_decref(all);
            return NULL;
        }
        json_array_extend(all, entries);
        long long next = cxh_int(r->json, "next", -1), total = cxh_int(r->json, "total", -1);
        if (next < 0 || next >= total || json_array_size(entries) == 0)
            return all;
        after = next;
    }
}

static int entry_matches(json_t *e, const char *type, const char *ix)
{
    const char *t = cxh_str(e, "type");
    const char *i = cxh_str(e, "interactionId");
    return t && strcmp(t, type) == 0 && (!ix || (i && strcmp(i, ix) == 0));
}

json_t *cxh_ledger_find(json_t *entries, const char *type, const char *ix)
{
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        if (entry_matches(e, type, ix))
            return e;
    }
    return NULL;
}

size_t cxh_ledger_count(json_t *entries, const char *type, const char *ix)
{
    size_t i, n = 0;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        n += (size_t)entry_matches(e, type, ix);
    }
    return n;
}

/* --- JSON paths --- */

json_t *cxh_get(json_t *v, const char *path)
{
    const char *p = path;
    while (v && *p) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            if (*end != ']' || i < 0)
                return NULL;
            v = json_array_get(v, (size_t)i);
            p = end + 1;
        } else {
            size_t n = strcspn(p, ".[");
            char key[128];
            if (n >= sizeof key)
                return NULL;
            memcpy(key, p, n);
            key[n] = '\0';
            v = json_object_get(v, key);
            p += n;
        }
    }
    return v;
}

const char *cxh_str(json_t *v, const char *path)
{
    return json_string_value(cxh_get(v, path));
}

long long cxh_int(json_t *v, const char *path, long long def)
{
    json_t *m = cxh_get(v, path);
    return json_is_integer(m) ? (long long)json_integer_value(m) : def;
}
