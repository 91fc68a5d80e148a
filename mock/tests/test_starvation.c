/* test_starvation.c - idle connections and long polls cannot starve cxmock (issue 15, item 2).
 *
 * civetweb gives each connection one worker thread from its accept to its close (http.h). Each
 * test starts a real `cxmock --port 0 --threads 4` (harness.h) and opens more connections than
 * it has workers over raw loopback sockets — connections that send nothing, half a request, or
 * one whole request and then keep the connection — and then a fresh request must be answered
 * within a second (scaled under sanitizers), with the default timeouts. Before issue 15 the
 * fresh request waited for the 60 s keep-alive and request timeouts. Also: a busy kept-alive
 * connection keeps its socket, --idle-timeout and --request-timeout do what they say, a body
 * that does not arrive whole is 408, and waiting long polls are bounded (CONS-03). */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#define FRESH_MS 1000 /* the target: a fresh request answered within a second */
#define HEALTH   "GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
#define HALF     "GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" /* no blank line */

struct fx {
    struct cxh mock;
    int fds[32];
    int nfds;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->mock.proc.pid = -1;
    f->mock.proc.out_fd = f->mock.proc.err_fd = -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < f->nfds; i++)
        if (f->fds[i] >= 0)
            close(f->fds[i]);
    int rc = 0;
    if (f->mock.proc.pid > 0) {
        int st = cxh_stop(&f->mock);
        if (st != 0) {
            print_error("cxmock exited with status %d after SIGTERM (expected 0)\n", st);
            rc = -1;
        }
    }
    free(f);
    return rc;
}

static void start(struct fx *f, const char *const *args)
{
    if (cxh_start(&f->mock, args) < 0)
        fail_msg("cannot start cxmock");
}

/* A new loopback connection to the mock (closed by the teardown). */
static int dial(struct fx *f)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)f->mock.port);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_true(f->nfds < (int)(sizeof f->fds / sizeof f->fds[0]));
    f->fds[f->nfds++] = fd;
    return fd;
}

static void say(int fd, const char *text)
{
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* What came back on a connection within a deadline. */
struct answer {
    int status; /* the status line's code; 0: the server closed first; -1: nothing in time */
    char *head; /* the status line and headers, in text */
    char *body; /* what follows, Content-Length of it, in text */
    char text[65536];
};

/* Read one response (headers and Content-Length body) from fd within ms (not scaled here)
 * into *r. */
static void hear_into(struct answer *r, int fd, long ms)
{
    r->status = -1;
    r->text[0] = '\0';
    r->head = r->body = r->text;
    size_t len = 0;
    int64_t until = cxt_now_ms() + ms;
    for (;;) {
        char *end = len ? strstr(r->text, "\r\n\r\n") : NULL;
        if (end) {
            const char *cl = strstr(r->text, "Content-Length: ");
            size_t at = (size_t)(end + 4 - r->text);
            size_t want = at + (cl && cl < end ? strtoul(cl + 16, NULL, 10) : 0);
            if (len >= want) {
                sscanf(r->text, "HTTP/1.1 %d", &r->status);
                *end = '\0';
                r->body = r->text + at;
                r->text[want] = '\0';
                return;
            }
        }
        int64_t left = until - cxt_now_ms();
        if (left <= 0 || len + 1 >= sizeof r->text)
            return;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        ssize_t n = read(fd, r->text + len, sizeof r->text - 1 - len);
        if (n <= 0) {
            if (len == 0)
                r->status = 0;
            return;
        }
        len += (size_t)n;
        r->text[len] = '\0';
    }
}

static struct answer answer_buf;

/* As hear_into, into one answer that the next call overwrites. */
static struct answer *hear(int fd, long ms)
{
    hear_into(&answer_buf, fd, ms);
    return &answer_buf;
}

/* Wait up to ms for fd to be closed by the server: 1 if it was (end-of-file, or a response
 * and then end-of-file), 0 if still open. */
static int closed_within(int fd, long ms)
{
    int64_t until = cxt_now_ms() + ms;
    char buf[1024];
    for (;;) {
        int64_t left = until - cxt_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            return 1;
    }
}

/* A fresh connection's health request: answered 200 within FRESH_MS (scaled), its time in ms. */
static long fresh_health(struct fx *f, const char *what)
{
    long deadline = cxt_scaled_ms(FRESH_MS);
    int64_t t0 = cxt_now_ms();
    int fd = dial(f);
    say(fd, HEALTH);
    struct answer *a = hear(fd, deadline);
    long took = (long)(cxt_now_ms() - t0);
    fprintf(stderr, "  fresh health beside %s: status %d after %ld ms (deadline %ld ms)\n", what,
            a->status, took, deadline);
    if (a->status != 200)
        fail_msg("beside %s, a fresh GET /__admin/health got %s within %ld ms (took %ld ms)", what,
                 a->status < 0 ? "no answer" : "its connection closed", deadline, took);
    assert_non_null(strstr(a->body, "\"ok\""));
    return took;
}

/* The value of the /metrics sample named exactly name in text, or -1. */
static double sample(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            return atof(p + n + 1);
    return -1;
}

/* The sample, asked on a new connection (which may itself have to wait for a worker). */
static double metric(struct fx *f, const char *name)
{
    int fd = dial(f);
    say(fd, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    struct answer *a = hear(fd, cxt_scaled_ms(5000));
    assert_int_equal(a->status, 200);
    return sample(a->body, name);
}

static const char *const four[] = {"--threads", "4", NULL};

/* Eight connections that send nothing on four workers. */
static void test_STARVE_connections_sending_nothing(void **state)
{
    struct fx *f = *state;
    start(f, four);
    for (int i = 0; i < 8; i++)
        dial(f);
    fresh_health(f, "8 connections that sent nothing");
    assert_true(metric(f, "cxmock_connections_evicted_total") >= 1);
}

/* Eight connections each with half a request (headers never ended) on four workers. */
static void test_STARVE_connections_with_half_a_request(void **state)
{
    struct fx *f = *state;
    start(f, four);
    for (int i = 0; i < 8; i++)
        say(dial(f), HALF);
    fresh_health(f, "8 connections with half a request");
}

/* Eight connections kept alive after one whole request each, on four workers: the last four
 * are answered too (the first four, idle, make way), then a fresh one. */
static void test_STARVE_connections_kept_alive_idle(void **state)
{
    struct fx *f = *state;
    start(f, four);
    int fd[8];
    for (int i = 0; i < 8; i++)
        say(fd[i] = dial(f), HEALTH);
    for (int i = 0; i < 8; i++) {
        struct answer *a = hear(fd[i], cxt_scaled_ms(3000));
        if (a->status != 200)
            fail_msg("kept-alive connection %d of 8 got %d for its first request", i, a->status);
    }
    fresh_health(f, "8 idle kept-alive connections");
}

/* The mix: three kept alive after a request, three that sent nothing, two with half a
 * request; and the connections closed to make way were closed cleanly (end-of-file or an HTTP
 * answer, never a reset). */
static void test_STARVE_mixed_idle_connections(void **state)
{
    struct fx *f = *state;
    start(f, four);
    int fd[8];
    for (int i = 0; i < 3; i++) {
        say(fd[i] = dial(f), HEALTH);
        assert_int_equal(hear(fd[i], cxt_scaled_ms(2000))->status, 200);
    }
    for (int i = 3; i < 6; i++)
        fd[i] = dial(f);
    for (int i = 6; i < 8; i++)
        say(fd[i] = dial(f), HALF);
    fresh_health(f, "3 kept-alive, 3 silent and 2 half-sent connections");
    int closed = 0;
    for (int i = 0; i < 8; i++) {
        struct pollfd p = {fd[i], POLLIN, 0};
        if (poll(&p, 1, 0) == 1) {
            char buf[512];
            if (read(fd[i], buf, sizeof buf) < 0)
                fail_msg("connection %d was reset (errno %d), not closed", i, errno);
            closed++;
        }
    }
    fprintf(stderr, "  %d of the 8 idle connections were closed to make way\n", closed);
    assert_true(closed >= 1);
    assert_true(metric(f, "cxmock_connections_evicted_total") >= closed);
}

/* Keep-alive still works for a busy client: requests 300 ms apart on one connection are all
 * answered on it, with every worker holding a connection (one busy, one silent) but nobody
 * waiting, so nothing is closed, not even the silent one. */
static void test_STARVE_busy_keep_alive_connection_reused(void **state)
{
    struct fx *f = *state;
    const char *const args[] = {"--threads", "2", NULL};
    start(f, args);
    int busy = dial(f), silent = dial(f);
    for (int i = 0; i < 6; i++) {
        say(busy, HEALTH);
        struct answer *a = hear(busy, cxt_scaled_ms(2000));
        if (a->status != 200)
            fail_msg("request %d on the kept-alive connection: %d", i, a->status);
        assert_null(strstr(a->head, "Connection: close"));
        usleep(300 * 1000);
    }
    say(busy, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    struct answer *a = hear(busy, cxt_scaled_ms(2000));
    assert_int_equal(a->status, 200);
    assert_int_equal(sample(a->body, "cxmock_connections_evicted_total"), 0);
    assert_int_equal(sample(a->body, "cxmock_workers_busy"), 2);
    assert_int_equal(closed_within(silent, 0), 0);
}

/* --idle-timeout: a kept-alive connection is closed after it; not sooner than most of it. */
static void test_STARVE_idle_timeout_flag(void **state)
{
    struct fx *f = *state;
    const char *const args[] = {"--idle-timeout", "400ms", NULL};
    start(f, args);
    int fd = dial(f);
    say(fd, HEALTH);
    assert_int_equal(hear(fd, cxt_scaled_ms(2000))->status, 200);
    int64_t t0 = cxt_now_ms();
    assert_int_equal(closed_within(fd, 200), 0);
    assert_true(closed_within(fd, cxt_scaled_ms(3000)));
    fprintf(stderr, "  --idle-timeout 400ms: closed after %lld ms idle\n",
            (long long)(cxt_now_ms() - t0));
}

/* --request-timeout: a connection that sends nothing, or half a request, is closed after it. */
static void test_STARVE_request_timeout_flag(void **state)
{
    struct fx *f = *state;
    const char *const args[] = {"--request-timeout", "400ms", NULL};
    start(f, args);
    int silent = dial(f), half = dial(f);
    say(half, HALF);
    int64_t t0 = cxt_now_ms();
    assert_int_equal(closed_within(silent, 200), 0);
    assert_true(closed_within(silent, cxt_scaled_ms(3000)));
    assert_true(closed_within(half, cxt_scaled_ms(3000)));
    fprintf(stderr, "  --request-timeout 400ms: both closed after %lld ms\n",
            (long long)(cxt_now_ms() - t0));
}

/* A body that does not arrive whole within --request-timeout is 408 request_timeout (civetweb's
 * read gives up with what it has; the old mock took the ten bytes as the whole body). */
static void test_STARVE_body_not_whole_408(void **state)
{
    struct fx *f = *state;
    const char *const args[] = {"--request-timeout", "300ms", NULL};
    start(f, args);
    int fd = dial(f);
    say(fd, "POST /__admin/interactions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"channel\":");
    struct answer *a = hear(fd, cxt_scaled_ms(3000));
    if (a->status != 408)
        fail_msg("a body cut short: expected 408, got %d: %s", a->status, a->body);
    assert_non_null(strstr(a->body, "request_timeout"));
}

/* CONS-03: long polls that wait are bounded (half of --threads 4: 2). A third is 503
 * long_poll_capacity with Retry-After at once; a poll with timeout=0 is still answered; a
 * fresh request is answered within a second while the two wait and two silent connections
 * hold the other workers; the two waiting polls were not closed: each answers 200 at its
 * timeout; and then a long poll may wait again. Manual clock: no event comes by itself. */
static void test_CONS_03_long_polls_bounded(void **state)
{
    struct fx *f = *state;
    const char *const args[] = {"--threads", "4", "--clock", "manual", NULL};
    start(f, args);
    char tok[128];
    assert_int_equal(
        cxh_token(&f->mock.http, "cx-integration", "cx-integration-secret", tok, sizeof tok), 200);
    const struct cxh_resp *r = cxh_call(&f->mock.http, "GET", "/api/v2/events", tok, NULL);
    CXH_ASSERT_STATUS(r, 200);
    long long cursor = cxh_int(r->json, "cursor", -1);
    assert_true(cursor >= 0);
    cxh_http_close(&f->mock.http); /* its worker back */
    char wait3[512], now0[512];
#define EVENTS_REQ                                                                                 \
    "GET /api/v2/events?after=%lld&timeout=%d HTTP/1.1\r\nHost: 127.0.0.1\r\n"                     \
    "Authorization: Bearer %s\r\n\r\n"
    snprintf(wait3, sizeof wait3, EVENTS_REQ, cursor, 3, tok);
    snprintf(now0, sizeof now0, EVENTS_REQ, cursor, 0, tok);
    int polls[2];
    for (int i = 0; i < 2; i++)
        say(polls[i] = dial(f), wait3);
    int64_t t0 = cxt_now_ms();
    usleep(100 * 1000); /* both waiting */
    int third = dial(f);
    say(third, wait3);
    struct answer *a = hear(third, cxt_scaled_ms(FRESH_MS));
    if (a->status != 503)
        fail_msg("a third long poll on --threads 4: expected 503, got %d", a->status);
    assert_non_null(strstr(a->body, "long_poll_capacity"));
    const char *ra = strstr(a->head, "\r\nRetry-After: ");
    assert_non_null(ra);
    assert_true(strncmp(ra + 15, "1", 1) == 0 && (ra[16] == '\r' || ra[16] == '\0'));
    say(third, now0);
    assert_int_equal(hear(third, cxt_scaled_ms(FRESH_MS))->status, 200);
    close(third);
    f->fds[f->nfds - 1] = -1;
    dial(f);
    dial(f); /* silent: with the two polls, every worker held */
    fresh_health(f, "2 waiting long polls and 2 silent connections");
    for (int i = 0; i < 2; i++) {
        a = hear(polls[i], cxt_scaled_ms(6000));
        if (a->status != 200)
            fail_msg("waiting long poll %d: expected its 200 at the timeout, got %d", i, a->status);
        assert_non_null(strstr(a->body, "\"events\":[]"));
    }
    long long waited = cxt_now_ms() - t0;
    fprintf(stderr, "  the long polls answered after %lld ms (timeout=3)\n", waited);
    assert_true(waited >= 2500);
    say(polls[0], "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    a = hear(polls[0], cxt_scaled_ms(2000));
    assert_int_equal(a->status, 200);
    assert_int_equal(sample(a->body, "cxmock_long_polls_refused_total"), 1);
    assert_int_equal(sample(a->body, "cxmock_long_polls_max"), 2);
    assert_int_equal(sample(a->body, "cxmock_long_polls"), 0);
    say(polls[1], wait3); /* the budget is back: this one waits */
    assert_int_equal(hear(polls[1], 500)->status, -1);
}

/* The flags take durations as cxmock gate --timeout does, more than 0 and at most an hour;
 * --help documents them. */
static void test_STARVE_timeout_flags_parsed(void **state)
{
    (void)state;
    static const char *const bad[][3] = {
        {"--idle-timeout", "0", NULL},      {"--idle-timeout", "5x", NULL},
        {"--request-timeout", "2h", NULL},  {"--request-timeout", "", NULL},
        {"--request-timeout", "-1s", NULL}, {"--idle-timeout", "nan", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err = NULL;
        int st = cxh_run(bad[i], 10000, NULL, &err);
        if (st != 1 || !strstr(err, bad[i][0] + 2))
            fail_msg("%s '%s': status %d, stderr %s", bad[i][0], bad[i][1], st, err);
        free(err);
    }
    static const char *const help[] = {"--help", NULL};
    char *out = NULL;
    assert_int_equal(cxh_run(help, 10000, &out, NULL), 0);
    assert_non_null(strstr(out, "--idle-timeout D"));
    assert_non_null(strstr(out, "--request-timeout D"));
    free(out);
}

int main(void)
{
    cxh_global_init();
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_STARVE_connections_sending_nothing),
        T(test_STARVE_connections_with_half_a_request),
        T(test_STARVE_connections_kept_alive_idle),
        T(test_STARVE_mixed_idle_connections),
        T(test_STARVE_busy_keep_alive_connection_reused),
        T(test_STARVE_idle_timeout_flag),
        T(test_STARVE_request_timeout_flag),
        T(test_STARVE_body_not_whole_408),
        T(test_CONS_03_long_polls_bounded),
        T(test_STARVE_timeout_flags_parsed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
