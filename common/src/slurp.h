/* slurp.h - read a whole file into memory, for the fixture and scenario loaders. */
#ifndef SLURP_H
#define SLURP_H

#include <stddef.h>

#include "cxerr.h"

/* Read PATH whole into *buf (malloc'd, the caller frees it; not NUL-terminated) and *len.
 * Returns 0, or -1 with err->file = PATH and err->text saying why: "cannot open: ...",
 * "cannot read: ...", "file larger than N MiB" (over CAP bytes) or "out of memory". */
int cx_slurp(const char *path, size_t cap, char **buf, size_t *len, struct cx_error *err);

#endif
