/* loop.h - one worker thread's event loop: a libcurl multi handle driven by its socket API on an
 * epoll set, a timerfd armed for the earliest deadline, an eventfd that other threads poke, and
 * a min-heap of timers.
 *
 * Nothing here knows virtual users: a timer is a struct loop_timer embedded in its owner, and a
 * finished transfer is handed to the done callback with its easy handle. All of it belongs to
 * one thread; only loop_poke may be called from another.
 */
#ifndef LOOP_H
#define LOOP_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

/* Monotonic microseconds. */
int64_t mono_us(void);

/* A timer, embedded in whatever it wakes. Not armed: pos == SIZE_MAX (loop_timer_init). */
struct loop_timer {
    int64_t at; /* monotonic µs */
    size_t pos; /* in the heap */
};

struct loop {
    CURLM *multi;
    int epfd, tfd, wake_fd;
    int64_t curl_deadline; /* monotonic µs of curl's timeout, -1 none */
    int64_t armed_at;      /* the timerfd's deadline, -1 none */
    unsigned char *reg;    /* per socket: what the epoll set holds (loop.c) */
    size_t nreg;
    struct loop_timer **heap;
    size_t nheap, cap;
    void (*done)(void *ctx, CURL *easy, CURLcode cc); /* a transfer finished */
    void *ctx;
};

/* Set up L for at most MAX_TIMERS armed timers and at most CONNECTIONS connections open at
 * once, all kept alive in curl's cache between transfers, with WAKE_FD (an eventfd, owned by
 * the caller) in the set. Returns 0, or -1 (then loop_free). */
int loop_init(struct loop *l, int wake_fd, size_t max_timers, long connections,
              void (*done)(void *ctx, CURL *easy, CURLcode cc), void *ctx);

/* Close the cached connections and free. Safe after a failed loop_init. */
void loop_free(struct loop *l);

/* Prepare easy handle E (after curl_easy_reset) to run on L: sockets it closes are forgotten. */
void loop_easy(struct loop *l, CURL *e);

/* Start transfer E / take it out before it finished (done is then not called). */
void loop_start(struct loop *l, CURL *e);
void loop_cancel(struct loop *l, CURL *e);

void loop_timer_init(struct loop_timer *t);
/* Arm T for AT (rearming it if armed), or disarm it. */
void loop_timer_set(struct loop *l, struct loop_timer *t, int64_t at);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
/* The earliest timer due at NOW, disarmed; NULL if none is. */
struct loop_timer *loop_timer_due(struct loop *l, int64_t now);
/* When the earliest timer is due, or -1 if none is armed. */
int64_t loop_timer_next(const struct loop *l);

/* Wait for sockets, the eventfd or the deadline UNTIL (monotonic µs; -1: none, so at most 1 s),
 * let curl move its transfers and hand the finished ones to done. Returns 1 if the eventfd was
 * poked since the last call, else 0. */
int loop_wait(struct loop *l, int64_t until);

/* From any thread: wake the loop of WAKE_FD. */
void loop_poke(int wake_fd);

#endif
