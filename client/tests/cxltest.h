/* cxltest.h - what the cxload tests share, on the harness's test support (cxtest.h): the built
 * cxload ($CXLOAD_BIN) run in a fresh directory with its output in files, waited for with a
 * deadline, its summary.json read; paths into the source tree ($CX_SOURCE_DIR). Each helper
 * fails the test when it cannot do its job. Include after cmocka.h. */
#ifndef CXLTEST_H
#define CXLTEST_H

#include <jansson.h>

#include "cxtest.h"

struct proc {
    struct cxt_proc child;
    char dir[256]; /* a fresh directory: out/, stdout, stderr */
    int status;    /* exit code, or 128 + signal */
};

/* The source tree ($CX_SOURCE_DIR), and REL in it into BUF. */
const char *cxl_src(void);
void cxl_path_of(char *buf, size_t size, const char *rel);

/* Start cxload with ARGS (NULL-terminated; "@OUT" is replaced by the run's out directory). */
void cxl_start(struct proc *p, const char *const *args);

/* Wait for it, at most SECS (scaled); its exit code. A hang fails the test (it is killed). */
int cxl_finish(struct proc *p, double secs);

/* cxl_start, then cxl_finish. */
int cxl_run(struct proc *p, const char *const *args, double secs);

/* Run cxload with ARGS (60 s at most): it must exit RC and its STREAM ("stdout" or "stderr")
 * must hold TEXT. Its directory is removed after. */
void cxl_run_says(const char *const *args, int rc, const char *stream, const char *text);

/* The file NAME of the run's directory ("stderr", "out/history.jsonl"), or NULL. */
char *cxl_slurp(const struct proc *p, const char *name);

/* Its out/summary.json (a new reference); fails the test, showing stderr, if it cannot. */
json_t *cxl_summary(const struct proc *p);

/* Remove the run's directory. */
void cxl_cleanup(struct proc *p);

/* o.a (o.a.b): a number, 0 if absent; and violation NAME's count in a summary. */
double cxl_num(const json_t *o, const char *a, const char *b);
double cxl_violations(const json_t *s, const char *name);

/* The first example of violation NAME in summary S (borrowed), or NULL; and its "what". */
const json_t *cxl_example(const json_t *s, const char *name);
const char *cxl_example_what(const json_t *s, const char *name);

#endif
