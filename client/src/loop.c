/* loop.c - see loop.h */
#include "loop.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- timers: a min-heap of pointers into their owners ----------------------------------- */

void loop_timer_init(struct loop_timer *t)
{
    t->at = 0;
    t->pos = SIZE_MAX;
}

static void heap_swap(struct loop *l, size_t a, size_t b)
{
    struct loop_timer *t = l->heap[a];
    l->heap[a] = l->heap[b];
    l->heap[b] = t;
    l->heap[a]->pos = a;
    l->heap[b]->pos = b;
}

static void heap_up(struct loop *l, size_t i)
{
    while (i > 0 && l->heap[(i - 1) / 2]->at > l->heap[i]->at) {
        heap_swap(l, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(struct loop *l, size_t i)
{
    for (;;) {
        size_t a = 2 * i + 1, b = a + 1, m = i;
        if (a < l->nheap && l->heap[a]->at < l->heap[m]->at)
            m = a;
        if (b < l->nheap && l->heap[b]->at < l->heap[m]->at)
            m = b;
        if (m == i)
            return;
        heap_swap(l, i, m);
        i = m;
    }
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
    size_t i = t->pos;
    if (i == SIZE_MAX)
        return;
    t->pos = SIZE_MAX;
    if (i != --l->nheap) {
        l->heap[i] = l->heap[l->nheap];
        l->heap[i]->pos = i;
        heap_down(l, i);
        heap_up(l, i);
    }
}

void loop_timer_set(struct loop *l, struct loop_timer *t, int64_t at)
{
    loop_timer_cancel(l, t);
    if (l->nheap == l->cap)
        return; /* cannot happen: each owner has one timer and the heap holds them all */
    t->at = at;
    t->pos = l->nheap;
    l->heap[l->nheap++] = t;
    heap_up(l, t->pos);
}

struct loop_timer *loop_timer_due(struct loop *l, int64_t now)
{
    if (!l->nheap || l->heap[0]->at > now)
        return NULL;
    struct loop_timer *t = l->heap[0];
    loop_timer_cancel(l, t);
    return t;
}

int64_t loop_timer_next(const struct loop *l)
{
    return l->nheap ? l->heap[0]->at : -1;
}

/* ---- curl's sockets on the epoll set ------------------------------------------------------ */

/* Sockets stay in the epoll set between transfers on a kept-alive connection: curl removes a
 * socket when its transfer ends and adds it again for the next, and doing both with epoll_ctl
 * would cost two system calls per request. reg[fd] holds what the set has (REG_IN | REG_OUT,
 * REG_SET: in the set); a socket curl no longer watches is quieted only if it speaks up
 * (quiet()), and one curl closes is forgotten in on_close(). */
enum { REG_IN = 1, REG_OUT = 2, REG_SET = 4, REG_WANTED = 8 };

static unsigned char *reg_at(struct loop *l, int fd)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= l->nreg) {
        size_t n = (size_t)fd * 2 + 64;
        unsigned char *r = realloc(l->reg, n);
        if (!r)
            return NULL;
        memset(r + l->nreg, 0, n - l->nreg);
        l->reg = r;
        l->nreg = n;
    }
    return &l->reg[fd];
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct loop *l = userp;
    unsigned char *r = reg_at(l, s);
    if (!r)
        return -1;
    if (what == CURL_POLL_REMOVE) {
        *r &= (unsigned char)~REG_WANTED; /* left in the set until it speaks up or closes */
        return 0;
    }
    unsigned char want = (what & CURL_POLL_IN ? REG_IN : 0) | (what & CURL_POLL_OUT ? REG_OUT : 0);
    if ((*r & REG_SET) && (*r & (REG_IN | REG_OUT)) == want) {
        *r |= REG_WANTED;
        return 0;
    }
    struct epoll_event ev = {0};
    ev.data.fd = s;
    ev.events = (want & REG_IN ? EPOLLIN : 0u) | (want & REG_OUT ? EPOLLOUT : 0u);
    int op = *r & REG_SET ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(l->epfd, op, s, &ev) < 0) {
        op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(l->epfd, op, s, &ev) < 0)
            return -1;
    }
    *r = REG_SET | REG_WANTED | want;
    return 0;
}

/* An event on a socket no transfer watches (an idle kept-alive connection the server closed,
 * say): take it out of the set; curl finds the connection dead when it next tries it. */
static void quiet(struct loop *l, int fd)
{
    struct epoll_event ev = {0};
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, &ev);
    l->reg[fd] = 0;
}

/* curl closes a socket: forget what the set had for it (the kernel drops it from the set). */
static int on_close(void *clientp, curl_socket_t item)
{
    struct loop *l = clientp;
    if (item >= 0 && (size_t)item < l->nreg)
        l->reg[item] = 0;
    return close(item);
}

static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
    struct loop *l = userp;
    l->curl_deadline = timeout_ms < 0 ? -1 : mono_us() + timeout_ms * 1000;
    return 0;
}

void loop_easy(struct loop *l, CURL *e)
{
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, l);
}

void loop_start(struct loop *l, CURL *e)
{
    curl_multi_add_handle(l->multi, e);
}

void loop_cancel(struct loop *l, CURL *e)
{
    curl_multi_remove_handle(l->multi, e);
}

/* ---- set-up and waiting ------------------------------------------------------------------ */

int loop_init(struct loop *l, int wake_fd, size_t max_timers, long connections,
              void (*done)(void *ctx, CURL *easy, CURLcode cc), void *ctx)
{
    memset(l, 0, sizeof *l);
    l->epfd = l->tfd = -1;
    l->wake_fd = wake_fd;
    l->curl_deadline = l->armed_at = -1;
    l->done = done;
    l->ctx = ctx;
    l->cap = max_timers;
    l->heap = calloc(max_timers ? max_timers : 1, sizeof *l->heap);
    l->multi = curl_multi_init();
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (!l->heap || !l->multi || l->epfd < 0 || l->tfd < 0)
        return -1;
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.fd = l->tfd;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0)
        return -1;
    ev.data.fd = wake_fd;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, wake_fd, &ev) < 0)
        return -1;
    curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
    curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
    curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, connections);
    curl_multi_setopt(l->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
    return 0;
}

void loop_free(struct loop *l)
{
    if (l->multi)
        curl_multi_cleanup(l->multi); /* closes the cached connections: on_close reads reg */
    free(l->reg);
    free(l->heap);
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->tfd >= 0)
        close(l->tfd);
    memset(l, 0, sizeof *l);
    l->epfd = l->tfd = -1;
}

/* The timerfd rings at AT (monotonic µs), or never when AT < 0. */
static void arm(struct loop *l, int64_t at)
{
    if (at == l->armed_at)
        return; /* already set: no system call */
    l->armed_at = at;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (at >= 0) {
        if (at < 1)
            at = 1;
        its.it_value.tv_sec = at / 1000000;
        its.it_value.tv_nsec = (at % 1000000) * 1000;
    }
    timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void drain_curl(struct loop *l)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(l->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        CURLcode cc = msg->data.result;
        curl_multi_remove_handle(l->multi, e);
        l->done(l->ctx, e, cc);
    }
}

int loop_wait(struct loop *l, int64_t until)
{
    struct epoll_event evs[64];
    int running = 0, woken = 0;
    if (l->curl_deadline >= 0 && (until < 0 || l->curl_deadline < until))
        until = l->curl_deadline;
    int n;
    if (until >= 0 && until <= mono_us()) {
        n = epoll_wait(l->epfd, evs, 64, 0);
    } else {
        arm(l, until);
        n = epoll_wait(l->epfd, evs, 64, until < 0 ? 1000 : -1);
    }
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        if (fd == l->tfd || fd == l->wake_fd) {
            uint64_t x;
            if (read(fd, &x, sizeof x) == sizeof x && fd == l->wake_fd)
                woken = 1;
            continue;
        }
        if ((size_t)fd < l->nreg && !(l->reg[fd] & REG_WANTED)) {
            quiet(l, fd);
            continue;
        }
        int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                    (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                    (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(l->multi, fd, flags, &running);
    }
    if (l->curl_deadline >= 0 && mono_us() >= l->curl_deadline) {
        l->curl_deadline = -1;
        curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    drain_curl(l);
    return woken;
}

void loop_poke(int wake_fd)
{
    uint64_t one = 1;
    if (write(wake_fd, &one, sizeof one) < 0) {
        /* the counter is full: the loop is awake anyway */
    }
}
