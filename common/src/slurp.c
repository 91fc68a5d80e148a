/* slurp.c - read a whole file (see slurp.h). */
#include "slurp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cx_slurp(const char *path, size_t cap_bytes, char **out, size_t *outlen, struct cx_error *err)
{
    char *buf = NULL, *grown;
    size_t len = 0, cap = 0;
    int rc = -1;
    FILE *f;

    *out = NULL;
    *outlen = 0;
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", path);
    if (!(f = fopen(path, "rb"))) {
        snprintf(err->text, sizeof err->text, "cannot open: %s", strerror(errno));
        return -1;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 64 * 1024;
            if (cap > cap_bytes + 1)
                cap = cap_bytes + 1;
            if (!(grown = realloc(buf, cap))) {
                snprintf(err->text, sizeof err->text, "out of memory");
                goto done;
            }
            buf = grown;
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len > cap_bytes) {
            snprintf(err->text, sizeof err->text, "file larger than %zu MiB", cap_bytes >> 20);
            goto done;
        }
        if (ferror(f)) {
            snprintf(err->text, sizeof err->text, "cannot read: %s", strerror(errno));
            goto done;
        }
        if (feof(f))
            break;
    }
    *out = buf;
    *outlen = len;
    buf = NULL;
    rc = 0;
done:
    fclose(f);
    free(buf);
    return rc;
}
