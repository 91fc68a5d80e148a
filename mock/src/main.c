/* main.c - cxmock: serve a simulated CXone tenant (see cxmock --help). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bigalloc.h"
#include "duration.h"
#include "cxmock.h"
#include "gate.h"
#include "version.h"

static void usage(FILE *f)
{
    fputs("usage: cxmock [--port N|0] [--bind ADDR] [--tenant FILE] [--seed N]\n"
          "              [--clock real|scaled:X|manual] [--ledger FILE.jsonl] [--threads N]\n"
          "              [--client-time wall|mock] [--admin-token T] [--max-body BYTES]\n"
          "              [--port-file FILE] [--ledger-fsync always|interval|never]\n"
          "              [--idle-timeout D] [--request-timeout D]\n"
          "       cxmock gate [OPTIONS] -- COMMAND [ARG...]   (cxmock gate --help)\n"
          "\n"
          "Serves a simulated NICE CXone tenant over HTTP for integration tests and load runs:\n"
          "OAuth tokens, interactions with accept/reject, ring groups and timeouts, queue\n"
          "overflow and silent drops, eventual consistency, events by long poll and webhooks,\n"
          "a ground-truth ledger and an admin API (/__admin/...). Rules: docs/rules.md.\n"
          "\n"
          "  --port N          TCP port (default 8080); 0 picks a free one. The first line on\n"
          "                    stdout is always: listening on http://ADDR:PORT\n"
          "  --bind ADDR       address to listen on (default 127.0.0.1)\n"
          "  --tenant FILE     tenant fixture (JSON); default: the built-in tenant (README)\n"
          "  --seed N          seed for every random choice (default 1)\n"
          "  --clock MODE      real (default), scaled:X (X times faster) or manual (moves only\n"
          "                    through POST /__admin/clock)\n"
          "  --client-time T   wall (default) or mock: on a scaled clock, the time of every\n"
          "                    duration told to clients (Retry-After, retryAfterMs, expires_in)\n"
          "                    and of a long poll's timeout (SIM-06); default: the fixture's\n"
          "                    \"clientTime\", else wall\n"
          "  --ledger FILE     also append the ground-truth ledger to FILE as JSON lines; each\n"
          "                    run starts with a START line (run id, seed, fixture digest)\n"
          "  --ledger-fsync M  interval (default: fdatasync once a second while lines come),\n"
          "                    always (before each answer) or never: against power loss; a\n"
          "                    killed mock loses no acknowledged line in any mode\n"
          "  --threads N       HTTP worker threads, one per open connection (default 64); at\n"
          "                    most half of them wait in long polls, more get 503\n"
          "  --idle-timeout D  a kept-alive connection may wait D for its next request: 5s\n"
          "                    (default), 500ms, 2m; while every worker holds a connection and\n"
          "                    others wait for one, the longest idle for 200 ms are closed\n"
          "  --request-timeout D\n"
          "                    a new connection's first request must arrive within D (default\n"
          "                    15s), and each read of a body and write of an answer (408)\n"
          "  --admin-token T   admin API needs 'Authorization: Bearer T' (else loopback only);\n"
          "                    CXMOCK_ADMIN_TOKEN in the environment does the same\n"
          "  --max-body BYTES  request body cap (default 1048576); larger bodies get 413\n"
          "  --port-file FILE  once listening, write the port (a line) to FILE, atomically:\n"
          "                    for harnesses that cannot read stdout\n"
          "  --help, --version\n"
          "\n"
          "Exit status: 0 after SIGINT/SIGTERM, 1 on a usage or setup error (a bad fixture is\n"
          "reported as FILE:LINE:COLUMN: KEY: what was expected).\n",
          f);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* A duration (duration.h), more than 0 and at most an hour, into *ms rounded up to a whole ms.
 * 0, or -1. */
static int parse_duration_ms(const char *text, long *ms)
{
    double s;
    if (cx_duration_parse(text, 3600.0, &s) < 0)
        return -1;
    double want = s * 1000 - 1e-6; /* 3ms is 0.003 s: not 4 ms for its last bit */
    *ms = (long)want;
    if ((double)*ms < want)
        (*ms)++;
    return 0;
}

/* The port as a line in PATH, written beside it and renamed, so a reader never sees half. */
static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int bad = fprintf(f, "%d\n", port) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) < 0) {
        int err = errno;
        unlink(tmp);
        errno = err;
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cx_bigalloc_setup(); /* deep queues: tables that double are remapped, not copied */
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"bind", required_argument, NULL, 'b'},
        {"tenant", required_argument, NULL, 't'},
        {"seed", required_argument, NULL, 's'},
        {"clock", required_argument, NULL, 'c'},
        {"ledger", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 'n'},
        {"admin-token", required_argument, NULL, 'a'},
        {"max-body", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {"client-time", required_argument, NULL, 'T'},
        {"version", no_argument, NULL, 'V'},
        {"port-file", required_argument, NULL, 'P'},
        {"ledger-fsync", required_argument, NULL, 'F'},
        {"idle-timeout", required_argument, NULL, 'I'},
        {"request-timeout", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    if (argc > 1 && strcmp(argv[1], "gate") == 0)
        return cxm_gate_main(argc - 1, argv + 1);
    struct cxm_options o;
    cxm_options_default(&o);
    o.admin_token = getenv("CXMOCK_ADMIN_TOKEN");
    if (o.admin_token && !*o.admin_token)
        o.admin_token = NULL;
    const char *port_file = NULL;
    long v;
    int opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            if (parse_long(optarg, 0, 65535, &v) < 0)
                goto bad_value;
            o.port = (int)v;
            break;
        case 'b':
            o.bind = optarg;
            break;
        case 't':
            o.tenant_path = optarg;
            break;
        case 's': {
            char *end;
            errno = 0;
            unsigned long long seed = strtoull(optarg, &end, 10);
            if (!*optarg || *end || errno || optarg[0] == '-')
                goto bad_value;
            o.seed = seed;
            break;
        }
        case 'c':
            o.clock = optarg;
            break;
        case 'T':
            o.client_time = optarg;
            break;
        case 'P':
            port_file = optarg;
            break;
        case 'l':
            o.ledger_path = optarg;
            break;
        case 'F':
            o.ledger_fsync = optarg;
            break;
        case 'n':
            if (parse_long(optarg, 1, 4096, &v) < 0)
                goto bad_value;
            o.threads = (int)v;
            break;
        case 'a':
            o.admin_token = optarg;
            break;
        case 'I':
        case 'R':
            if (parse_duration_ms(optarg, &v) < 0) {
                fprintf(stderr,
                        "cxmock: bad value '%s' for --%s (expected 5s, 500ms, 2m...: more than "
                        "0, at most 1h)\n",
                        optarg, opt == 'I' ? "idle-timeout" : "request-timeout");
                return 1;
            }
            *(opt == 'I' ? &o.idle_timeout_ms : &o.request_timeout_ms) = (int)v;
            break;
        case 'm':
            if (parse_long(optarg, 1, 1L << 30, &v) < 0)
                goto bad_value;
            o.max_body = (size_t)v;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("cxmock %s\n", CX_VERSION);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
        continue;
    bad_value:
        fprintf(stderr, "cxmock: bad value '%s' for --%s\n", optarg,
                longopts[opt == 'p'   ? 0
                         : opt == 's' ? 3
                         : opt == 'n' ? 6
                                      : 8]
                    .name);
        return 1;
    }
    if (optind < argc) {
        fprintf(stderr, "cxmock: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 1;
    }

    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct cx_error e;
    struct cxm *m = NULL;
    if (cxm_create(&o, &m, &e) < 0 || cxm_start(m, &e) < 0) {
        char err[2048];
        cx_error_format(&e, err, sizeof err);
        fprintf(stderr, "cxmock: %s\n", err);
        cxm_destroy(m);
        return 1;
    }
    /* the port file before the line, so whoever reads the line finds the file too */
    if (port_file && write_port_file(port_file, cxm_port(m)) < 0) {
        fprintf(stderr, "cxmock: --port-file %s: %s\n", port_file, strerror(errno));
        cxm_destroy(m);
        return 1;
    }
    if (strchr(o.bind, ':'))
        printf("listening on http://[%s]:%d\n", o.bind, cxm_port(m));
    else
        printf("listening on http://%s:%d\n", o.bind, cxm_port(m));
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    fprintf(stderr, "cxmock: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    cxm_destroy(m);
    return 0;
}
