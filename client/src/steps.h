/* steps.h - the step machine of a virtual user (vu.h): iterations, request and poll steps
 * with their retries, tokens and rate-cap slots, think times, barriers, conditionals and
 * clock advances.
 *
 * Everything runs on the user's worker thread. The worker (worker.c) calls in when a user's
 * timer fires, when its transfer finishes, when the worker is woken (a barrier filled or a
 * run-wide token arrived on another thread) and when the load winds down; the machine hands a
 * user whose iterations are over back through ws->user_free.
 */
#ifndef STEPS_H
#define STEPS_H

#include <curl/curl.h>
#include <stdint.h>

#include "vu.h"

struct wstate;

/* Begin an iteration of v, intended to start at INTENDED (monotonic µs). */
void steps_start_iteration(struct vu *v, int64_t intended);

/* v's timer fired. */
void steps_timer(struct vu *v);

/* v's transfer finished with curl's CC. */
void steps_transfer_done(struct vu *v, CURLcode cc);

/* The worker woke: resume the users whose barrier was released or whose run-wide token fetch
 * ended on another thread. */
void steps_wake(struct wstate *ws);

/* The load ended or was interrupted: users waiting at a barrier end their iterations, users
 * waiting for a run-wide token look again (and go on only with an operation already begun). */
void steps_drain_begins(struct wstate *ws);

/* The drain time is over: v's transfer in flight, if any, is taken out and (a request step's)
 * recorded as indeterminate, never dropped silently. */
void steps_abandon(struct vu *v);

#endif
