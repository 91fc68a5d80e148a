/* cxerr.h - a located error: what went wrong, and where in which file.
 *
 * Fixture and scenario loaders fill one of these and print it as
 *     FILE:LINE:COLUMN: KEY: TEXT
 * (jansson's json_error_t carries line/column for syntax errors; semantic errors are located
 * by jsonpos.h). line and column are 1-based; 0 means unknown.
 */
#ifndef CXERR_H
#define CXERR_H

struct cx_error {
    char file[256]; /* the file's name as given, or "<builtin>" */
    int line;
    int column;
    char key[160];  /* JSON path of the bad key, e.g. "queues[2].ringSeconds"; "" for syntax */
    char text[512]; /* what was expected */
};

/* Format as "FILE:LINE:COLUMN: KEY: TEXT" (KEY omitted when empty) into buf. */
void cx_error_format(const struct cx_error *e, char *buf, unsigned long size);

#endif
