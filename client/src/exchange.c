/* exchange.c - see exchange.h */
#include "exchange.h"

#include <string.h>
#include <strings.h>

#include "loop.h"

#define MAX_BODY    (64u << 20) /* a 64 MiB answer is not an API answer: fail the transfer */
#define MAX_HEADERS 65536

int exchange_init(struct exchange *x)
{
    memset(x, 0, sizeof *x);
    cx_buf_init(&x->req_body);
    cx_buf_init(&x->resp_body);
    cx_buf_init(&x->resp_headers);
    return 0;
}

void exchange_free(struct exchange *x)
{
    curl_slist_free_all(x->headers);
    cx_buf_free(&x->req_body);
    cx_buf_free(&x->resp_body);
    cx_buf_free(&x->resp_headers);
    json_decref(x->json);
    memset(x, 0, sizeof *x);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct exchange *x = ud;
    if (x->resp_body.len + size * n > MAX_BODY)
        return 0;
    cx_buf_add(&x->resp_body, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct exchange *x = ud;
    if (size * n > 5 && strncmp(p, "HTTP/", 5) == 0)
        x->resp_headers.len = 0; /* a new status line: drop an interim answer's headers */
    if (x->resp_headers.len < MAX_HEADERS)
        cx_buf_add(&x->resp_headers, p, size * n);
    return size * n;
}

/* Forget the last answer. */
static void forget_answer(struct exchange *x)
{
    curl_slist_free_all(x->headers);
    x->headers = NULL;
    x->resp_body.len = 0;
    x->resp_headers.len = 0;
    if (x->resp_body.data)
        x->resp_body.data[0] = '\0';
    if (x->resp_headers.data)
        x->resp_headers.data[0] = '\0';
    json_decref(x->json);
    x->json = NULL;
    x->json_parsed = 0;
    x->status = 0;
    x->errbuf[0] = '\0';
}

/* The options every transfer of ours has: our callbacks into x, OWNER, no signals, no Nagle. */
static void set_ours(struct exchange *x, struct loop *l, void *owner, int loopback)
{
    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, owner);
    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->easy, CURLOPT_TCP_NODELAY, 1L);
    loop_easy(l, x->easy);
    if (loopback)
        curl_easy_setopt(x->easy, CURLOPT_PROXY, ""); /* never through a proxy to loopback */
}

void exchange_reset(struct exchange *x, struct loop *l, void *owner, int loopback)
{
    curl_easy_reset(x->easy);
    x->reset_after = 1; /* what it sets (credentials, a copied body) must not reach a request */
    forget_answer(x);
    set_ours(x, l, owner, loopback);
}

void exchange_prepare(struct exchange *x, struct loop *l, void *owner, int loopback)
{
    forget_answer(x);
    set_ours(x, l, owner, loopback);
    /* What a request sets that the last one on this handle may have set otherwise: a body
     * (POSTFIELDS NULL also drops a copied one), a method, no body expected, headers. */
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE, -1L);
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, (char *)NULL);
    curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, (char *)NULL);
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    curl_easy_setopt(x->easy, CURLOPT_CURLU,
                     (CURLU *)NULL); /* the caller's URL, not a parsed one */
}

CURL *exchange_release(struct exchange *x)
{
    CURL *e = x->easy;
    x->easy = NULL;
    if (e && x->reset_after) {
        curl_easy_reset(e);
        x->reset_after = 0;
    }
    return e;
}

void exchange_header_add(struct exchange *x, const char *line)
{
    struct curl_slist *h = curl_slist_append(x->headers, line);
    if (h)
        x->headers = h;
}

const char *exchange_header(const struct exchange *x, const char *name)
{
    static __thread char value[1024];
    size_t nlen = strlen(name);
    const char *p = x->resp_headers.data;
    while (p && *p) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *s = p + nlen + 1;
            while (*s == ' ' || *s == '\t')
                s++;
            size_t vl = (size_t)(p + len - s);
            if (vl >= sizeof value)
                vl = sizeof value - 1;
            memcpy(value, s, vl);
            value[vl] = '\0';
            return value;
        }
        p = eol ? eol + 2 : p + len;
    }
    return NULL;
}

const char *exchange_header_cb(void *ctx, const char *name)
{
    return exchange_header(ctx, name);
}

const json_t *exchange_json(struct exchange *x)
{
    if (!x->json_parsed) {
        x->json_parsed = 1;
        if (x->resp_body.len)
            x->json = json_loadb(x->resp_body.data, x->resp_body.len, 0, NULL);
    }
    return x->json;
}
