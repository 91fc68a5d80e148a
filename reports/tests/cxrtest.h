/* cxrtest.h - what the reports tests share, on the harness's test support (cxtest.h): the
 * built cxreport (CXREPORT_BIN) run with a deadline and its output captured, files read and
 * written, scratch directories and golden files, each failing the test when it cannot.
 */
#ifndef CXRTEST_H
#define CXRTEST_H

#include <jansson.h>

#include "cxerr.h"

struct cxr_proc {
    int status; /* exit code, or 128 + signal */
    char *out;  /* everything it wrote to stdout (NUL-terminated) */
    char *err;  /* and to stderr */
};

/* Run cxreport with ARGS (NULL-terminated, without argv[0]), wait at most 30 s (scaled; a hang
 * fails the test), capture both streams. Returns p->status; free with cxr_proc_free. */
int cxr_run(struct cxr_proc *p, const char *const *args);
void cxr_proc_free(struct cxr_proc *p);

/* PATH's whole content, NUL-terminated and malloc'd, or NULL if it cannot be read. */
char *cxr_slurp(const char *path);

/* Write TEXT to PATH (fails the test if it cannot). */
void cxr_write(const char *path, const char *text);

/* A new empty directory under /tmp (malloc'd path) and its removal with everything in it. */
char *cxr_tmpdir(void);
void cxr_rmrf(const char *dir);

/* CXR_TEST_DATA/NAME, in a static buffer (overwritten by the next call). */
const char *cxr_data(const char *name);

/* Compare ACTUAL with the golden file CXR_TEST_DATA/golden/NAME, failing with the first
 * differing line of each; with CXR_UPDATE_GOLDEN=1 in the environment, rewrite it instead. */
void cxr_golden(const char *name, const char *actual);

/* A run directory at DIR holding SUMMARY as summary.json (and nothing else). */
void cxr_write_run(const char *dir, const json_t *summary);

/* The error the functions under test fill (pass &cxr_e), and it formatted as the programs print
 * it (FILE:LINE:COLUMN: KEY: TEXT), in a static buffer. */
extern struct cx_error cxr_e;
const char *cxr_err(void);

/* The number of times NEEDLE occurs in HAY. */
int cxr_count(const char *hay, const char *needle);

#endif
