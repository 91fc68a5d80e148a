/* cxtest.h - what every test program of the harness shares: processes spawned and waited for
 * with a deadline, their output captured; conditions waited for with a deadline; deadlines
 * scaled for sanitizer builds; scratch directories and files.
 *
 * No test framework here: each helper returns a status (and says why on stderr), and the
 * tests' own assertions report. Deadlines are milliseconds of an uninstrumented build: every
 * one is multiplied by cxt_timeout_scale(), so a test waits longer under ASan or TSan instead
 * of failing on a slow machine. Waits poll a condition; nothing sleeps blindly.
 */
#ifndef CXTEST_H
#define CXTEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic milliseconds. */
int64_t cxt_now_ms(void);

/* What deadlines are multiplied by: CX_TEST_TIMEOUT_SCALE from the environment if set (a
 * number >= 1), else 3 in an ASan build, 5 in a TSan build, 1 otherwise. */
double cxt_timeout_scale(void);

/* MS, scaled. */
long cxt_scaled_ms(long ms);

/* Poll cond(arg) every 5 ms until it returns nonzero or DEADLINE_MS (scaled) pass. Returns 1 if
 * it held, 0 on timeout (cond is evaluated one last time at the deadline). */
int cxt_wait_for(int (*cond)(void *), void *arg, long deadline_ms);

/* Where a child's stdout or stderr goes. */
enum cxt_stream_kind {
    CXT_INHERIT, /* the test's own */
    CXT_PIPE,    /* a pipe: the read end in the proc's out_fd or err_fd */
    CXT_FILE,    /* a file, created or truncated */
};

struct cxt_stream {
    enum cxt_stream_kind kind;
    const char *path; /* CXT_FILE */
};

struct cxt_proc {
    pid_t pid;  /* -1 when not running */
    int out_fd; /* CXT_PIPE read ends, else -1 */
    int err_fd;
};

/* Spawn ARGV (argv[0] is the program's path; NULL-terminated) with the test's environment
 * less proxy settings (only loopback is contacted) and CXMOCK_ADMIN_TOKEN, its stdout and
 * stderr as OUT and ERR say. Returns 0, or -1 saying why on stderr. */
int cxt_spawn(struct cxt_proc *p, const char *const *argv, struct cxt_stream out,
              struct cxt_stream err);

/* Wait for P to end within DEADLINE_MS (scaled). Returns its exit code (128 + N if signal N
 * ended it); -2 if it did not end in time (it is then killed and reaped); -1 on error. Closes
 * its pipes. */
int cxt_wait(struct cxt_proc *p, long deadline_ms);

/* Send P signal SIG, then cxt_wait. */
int cxt_stop(struct cxt_proc *p, int sig, long deadline_ms);

/* Run ARGV to its end within DEADLINE_MS (scaled), its stdout and stderr captured into *OUT and
 * *ERR (malloc'd, NUL-terminated; either may be NULL to discard). Returns as cxt_wait. */
int cxt_run(const char *const *argv, long deadline_ms, char **out, char **err);

/* A new directory under $TMPDIR (or /tmp) named PREFIX-XXXXXX, into DIR. Returns 0 or -1. */
int cxt_tmpdir(char *dir, size_t size, const char *prefix);

/* Remove DIR and everything in it. */
void cxt_rmrf(const char *dir);

/* A whole file: malloc'd, NUL-terminated, its length in *len (may be NULL); NULL on error. */
char *cxt_read_file(const char *path, size_t *len);

/* The first line of PATH without its newline, into BUF (SIZE bytes): a case's expected error.
 * Returns 0, or -1 if PATH cannot be read or its first line is empty. */
int cxt_first_line(const char *path, char *buf, size_t size);

/* Write TEXT to PATH (created or truncated). Returns 0 or -1. */
int cxt_write_file(const char *path, const char *text);

#endif
