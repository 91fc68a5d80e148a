/* cxerr.c - format a located error. */
#include "cxerr.h"

#include <stdio.h>

/* Format E as "FILE:LINE:COLUMN: KEY: TEXT" (KEY and its colon omitted when empty), truncated to
 * SIZE bytes including the NUL. Does nothing if BUF is NULL or SIZE is 0. */
void cx_error_format(const struct cx_error *e, char *buf, unsigned long size)
{
    if (!buf || size == 0)
        return;
    if (e->key[0])
        snprintf(buf, size, "%s:%d:%d: %s: %s", e->file, e->line, e->column, e->key, e->text);
    else
        snprintf(buf, size, "%s:%d:%d: %s", e->file, e->line, e->column, e->text);
}
