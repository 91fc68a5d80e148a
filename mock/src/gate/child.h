/* child.h - the program under judgement: run in its own process group with the mock's address
 * in its environment, waited for with a deadline, stopped on an interrupt.
 *
 * The caller blocks SIGINT, SIGTERM and SIGCHLD in every thread first (gate_child_block,
 * before any thread starts), so this one waits for them with sigtimedwait: no handler, no
 * race between the child's end and the wait.
 */
#ifndef GATE_CHILD_H
#define GATE_CHILD_H

#include <stddef.h>
#include <sys/types.h>

enum gate_child_end {
    GATE_CHILD_EXITED,      /* code: its exit status */
    GATE_CHILD_SIGNALLED,   /* code: the signal that ended it */
    GATE_CHILD_TIMED_OUT,   /* past the timeout: stopped (SIGTERM, then SIGKILL) */
    GATE_CHILD_INTERRUPTED, /* the gate was interrupted: stopped likewise */
    GATE_CHILD_NOT_RUN,     /* it could not be started (why: the reason) */
};

struct gate_child {
    enum gate_child_end end;
    int code;
    double seconds; /* wall time from start to end */
    char why[256];
};

/* Block the signals gate_child_run waits for, in this thread and those it starts later (and
 * SIGCHLD back at its default, whatever was inherited). */
void gate_child_block(void);

/* 1 if a SIGINT or SIGTERM is pending (the gate asked to stop after COMMAND ended). */
int gate_child_interrupted(void);

/* Run ARGV (NULL-terminated; searched in PATH) with ENV ("NAME=VALUE" strings, NULL-terminated)
 * added to the environment, for at most TIMEOUT_S seconds (<= 0: no limit); the outcome in *c.
 * It runs in a process group of its own (given the terminal while it runs, if the gate has
 * it), with no signal blocked and the stop signals at their defaults. A program still running
 * after the stop signal gets SIGKILL GRACE_S seconds later; whatever else is left in its
 * process group is killed when it ends. */
void gate_child_run(char *const *argv, char *const *env, double timeout_s, double grace_s,
                    struct gate_child *c);

/* "exited with status 3", "killed by SIGSEGV", "timed out after 30 s", ... into BUF. */
const char *gate_child_describe(const struct gate_child *c, char *buf, size_t size);

/* 1 if it failed: a non-zero status, a signal, a timeout, an interrupt or no start. */
int gate_child_failed(const struct gate_child *c);

#endif
