/* fuzzerr.h - the invariant every loader's error keeps: a failure says why, and where it
 * points lies inside the text it was given (line at most the text's lines + 1, the column
 * given when the line is). Header only: the fuzz targets of the strict loaders share it. */
#ifndef FUZZERR_H
#define FUZZERR_H

#include <string.h>

#include "cxerr.h"
#include "fuzz.h"

static inline void cx_fuzz_check_error(const struct cx_error *e, const char *name, const char *text,
                                       size_t len)
{
    long lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    CX_FUZZ_CHECK(e->text[0] != '\0', "an error with no text");
    CX_FUZZ_CHECK(memchr(e->text, '\0', sizeof e->text) && memchr(e->key, '\0', sizeof e->key),
                  "an error's text or key not terminated");
    CX_FUZZ_CHECK(e->file[0] == '\0' || strcmp(e->file, name) == 0, "error names file '%s'",
                  e->file);
    CX_FUZZ_CHECK(e->line >= -1 && e->line <= lines + 1, "error at line %d of a %ld-line text: %s",
                  e->line, lines, e->text);
    CX_FUZZ_CHECK(e->column >= -1, "error at column %d: %s", e->column, e->text);
}

#endif
