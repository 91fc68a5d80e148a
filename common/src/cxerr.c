/* cxerr.c - see cxerr.h */
#include "cxerr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vtext(struct cx_error *e, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void vtext(struct cx_error *e, const char *fmt, va_list ap)
{
    vsnprintf(e->text, sizeof e->text, fmt, ap);
}

int cx_error_set(struct cx_error *e, const char *fmt, ...)
{
    if (!e)
        return -1;
    e->file[0] = e->key[0] = '\0';
    e->line = e->column = -1;
    va_list ap;
    va_start(ap, fmt);
    vtext(e, fmt, ap);
    va_end(ap);
    return -1;
}

int cx_error_at(struct cx_error *e, const char *file, int line, int column, const char *key,
                const char *fmt, ...)
{
    if (!e)
        return -1;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    snprintf(e->key, sizeof e->key, "%s", key ? key : "");
    e->line = line;
    e->column = column;
    va_list ap;
    va_start(ap, fmt);
    vtext(e, fmt, ap);
    va_end(ap);
    return -1;
}

void cx_error_format(const struct cx_error *e, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    int n = 0;
    buf[0] = '\0';
    if (e->file[0]) {
        n = snprintf(buf, size, "%s", e->file);
        if (e->line >= 0 && n >= 0 && (size_t)n < size)
            n += snprintf(buf + n, size - (size_t)n, ":%d", e->line);
        if (e->line >= 0 && e->column >= 0 && n >= 0 && (size_t)n < size)
            n += snprintf(buf + n, size - (size_t)n, ":%d", e->column);
        if (n >= 0 && (size_t)n < size)
            n += snprintf(buf + n, size - (size_t)n, ": ");
    }
    if (e->key[0] && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, "%s: ", e->key);
    if (n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "%s", e->text);
}
