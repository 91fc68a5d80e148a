/* cxerr.h - the one error type of the harness: what went wrong and, when it is about a file,
 * where in it.
 *
 * Every function that can fail for a reason worth telling returns -1 (or NULL) and fills a
 * struct cx_error; the program at the top formats it once, as
 *     FILE:LINE:COLUMN: KEY: TEXT
 * with what is unknown left out: no FILE for an error about no file, no LINE (or no COLUMN)
 * when the file has none to give (a whole file that cannot be opened is FILE:0:0, as loaders
 * have always said). KEY is the JSON path of a bad value ("queues[2].ringSeconds"). jansson's
 * json_error_t carries line and column for syntax errors; jsonpos.h locates the others.
 */
#ifndef CXERR_H
#define CXERR_H

#include <stddef.h>

struct cx_error {
    char file[512]; /* the file's name as given, "<builtin>", or "" for none */
    int line;       /* 1-based; 0 unknown; -1 none to give (left out of the message) */
    int column;     /* 1-based; 0 unknown; -1 none to give */
    char key[160];  /* JSON path of the bad key, "" for none */
    char text[1024];
};

/* An error about no file: TEXT only. Always returns -1, so `return cx_error_set(e, ...);`. E may
 * be NULL (the caller does not want to know why): nothing is written. */
int cx_error_set(struct cx_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error at FILE (LINE, COLUMN and KEY as struct cx_error says). Always returns -1; E may be
 * NULL. */
int cx_error_at(struct cx_error *e, const char *file, int line, int column, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* "FILE:LINE:COLUMN: KEY: TEXT" into buf (SIZE bytes), what is absent left out. Does nothing
 * if BUF is NULL or SIZE is 0. */
void cx_error_format(const struct cx_error *e, char *buf, size_t size);

#endif
