/* buf.h - a growable byte buffer, always NUL-terminated (after curl's dynbuf).
 *
 * On allocation failure the buffer remembers it (oom = 1), ignores further appends and
 * cx_buf_take returns NULL, so callers check once at the end.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct cx_buf {
    char *data;
    size_t len, cap;
    int oom;
};

void cx_buf_init(struct cx_buf *b);
void cx_buf_free(struct cx_buf *b);
/* Make room for n more bytes now (one allocation for a text of known size). */
void cx_buf_reserve(struct cx_buf *b, size_t n);
void cx_buf_add(struct cx_buf *b, const char *s, size_t n);
void cx_buf_adds(struct cx_buf *b, const char *s);
void cx_buf_addf(struct cx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hand the string to the caller (free() it) and reset b; NULL if an append failed. */
char *cx_buf_take(struct cx_buf *b);

#endif
