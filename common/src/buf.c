/* buf.c - see buf.h */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cx_buf_init(struct cx_buf *b)
{
    memset(b, 0, sizeof *b);
}

void cx_buf_free(struct cx_buf *b)
{
    free(b->data);
    cx_buf_init(b);
}

static int reserve(struct cx_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = 1;
        return -1;
    }
    b->data = d;
    b->cap = cap;
    return 0;
}

void cx_buf_reserve(struct cx_buf *b, size_t n)
{
    reserve(b, n);
}

void cx_buf_add(struct cx_buf *b, const char *s, size_t n)
{
    if (reserve(b, n) < 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void cx_buf_adds(struct cx_buf *b, const char *s)
{
    cx_buf_add(b, s, strlen(s));
}

void cx_buf_addf(struct cx_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *cx_buf_take(struct cx_buf *b)
{
    if (b->oom) {
        cx_buf_free(b);
        return NULL;
    }
    if (!b->data)
        reserve(b, 0);
    char *d = b->data;
    cx_buf_init(b);
    return d;
}
