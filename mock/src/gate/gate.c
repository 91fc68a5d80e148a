/* gate.c - cxmock gate: a fresh mock on a free loopback port, COMMAND run against it with the
 * address and test credentials in its environment, the effects drained, everything the mock
 * saw judged with the driver's checks (requests.c) and its own (the ledger), and the files of
 * a cxload run written (verdict.c). See cxmock gate --help. */
#include "gate.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cxmock.h"
#include "duration.h"
#include "report.h"
#include "thresholds.h"
#include "verdict.h"

static void usage(FILE *f)
{
    fputs(
        "usage: cxmock gate [--tenant FILE] [--seed N] [--clock real|scaled:X]\n"
        "                   [--client-time wall|mock] [--out DIR] [--timeout DURATION]\n"
        "                   [--thresholds FILE] [--quiet] -- COMMAND [ARG...]\n"
        "\n"
        "Judges any program, in any language, from the mock's side: starts a fresh mock on a\n"
        "free loopback port, runs COMMAND with these in its environment:\n"
        "  CXMOCK_URL            the mock's base URL (http://127.0.0.1:PORT); the admin API is\n"
        "                        at CXMOCK_URL/__admin/... (loopback: no token)\n"
        "  CXMOCK_CLIENT_ID      the tenant's first client (built-in tenant: cx-integration)\n"
        "  CXMOCK_CLIENT_SECRET  its secret (built-in tenant: cx-integration-secret)\n"
        "  NO_PROXY, no_proxy    127.0.0.1,localhost: no proxy between them\n"
        "waits for it (stopping it after --timeout), lets every acknowledged effect apply,\n"
        "judges every request the mock saw and its ledger (docs/rules.md, \"cxmock gate\"), and\n"
        "writes to DIR what a cxload run writes: summary.json, junit.xml, history.jsonl,\n"
        "ledger.jsonl, latency.hlog (the mock's handling time per route) and report.html.\n"
        "cxreport renders, merges, diffs and re-judges it like any run.\n"
        "\n"
        "  --tenant FILE       tenant fixture (default: the built-in tenant)\n"
        "  --seed N            seed of every random choice (default 1)\n"
        "  --clock MODE        real (default) or scaled:X; durations told to COMMAND are its\n"
        "                      wall time either way (SIM-06) unless --client-time mock\n"
        "  --client-time T     wall or mock (see cxmock --help)\n"
        "  --out DIR           where the files go (default out/gate; created)\n"
        "  --timeout D         stop COMMAND after D: 90s, 5m, 500ms (default 10m); SIGTERM to\n"
        "                      its process group, SIGKILL 5 s later\n"
        "  --thresholds FILE   {\"thresholds\": {KEY: [CONDITION, ...]}}, the keys and conditions\n"
        "                      of a scenario's thresholds (client/SCENARIO.md); default\n"
        "                      {\"thresholds\": {\"violations\": [\"count==0\"]}}\n"
        "  --quiet             print the report only when the gate fails\n"
        "  --help\n"
        "\n"
        "Exit status: 0 every threshold held; 99 one failed (the violations are printed with\n"
        "their rule IDs, interaction ids and request ids); 3 COMMAND failed (non-zero status, a\n"
        "signal, the timeout, an interrupt, or it could not start: still judged and written);\n"
        "1 a usage or set-up error (nothing judged).\n"
        "\n"
        "example: cxmock gate --out out/gate -- python3 examples/python/naive.py\n",
        f);
}

struct gate_opts {
    struct cxm_options mock;
    const char *out, *thresholds;
    double timeout_s;
    int quiet;
    char **command;
};

static int bad_usage(const char *what, const char *arg)
{
    fprintf(stderr, "cxmock gate: %s%s%s%s (cxmock gate --help)\n", what, arg ? " '" : "",
            arg ? arg : "", arg ? "'" : "");
    return GATE_EXIT_USAGE;
}

/* Options into *o. -1: help was printed (exit 0); 0: go; else an exit code. */
static int parse_args(int argc, char **argv, struct gate_opts *o)
{
    static const struct option longopts[] = {
        {"tenant", required_argument, NULL, 't'},
        {"seed", required_argument, NULL, 's'},
        {"clock", required_argument, NULL, 'c'},
        {"client-time", required_argument, NULL, 'T'},
        {"out", required_argument, NULL, 'o'},
        {"timeout", required_argument, NULL, 'w'},
        {"thresholds", required_argument, NULL, 'x'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    char *end;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        switch (opt) {
        case 't':
            o->mock.tenant_path = optarg;
            break;
        case 'c':
            o->mock.clock = optarg;
            break;
        case 'T':
            o->mock.client_time = optarg;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'x':
            o->thresholds = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return -1;
        case 's':
            errno = 0;
            o->mock.seed = strtoull(optarg, &end, 10);
            if (!*optarg || *end || errno || optarg[0] == '-')
                return bad_usage("bad value for --seed:", optarg);
            break;
        case 'w':
            if (cx_duration_parse(optarg, 7 * 86400.0, &o->timeout_s) < 0)
                return bad_usage("bad --timeout (expected 90s, 5m, 500ms...):", optarg);
            break;
        default:
            return bad_usage("unknown option", NULL);
        }
    }
    if (strcmp(o->mock.clock, "manual") == 0)
        return bad_usage("--clock manual: an outside program cannot move the mock's clock for the "
                         "gate; use real or scaled:X",
                         NULL);
    if (optind >= argc)
        return bad_usage("expected -- COMMAND [ARG...]: the program to judge", NULL);
    o->command = argv + optind;
    return 0;
}

/* mkdir -p DIR. 0, or -1 (errno). */
static int make_dirs(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0777) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(path, 0777) < 0 && errno != EEXIST ? -1 : 0;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t epoch_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* "gate: COMMAND ARG..." into BUF. */
static const char *run_name(char **command, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "gate:");
    for (size_t i = 0; command[i] && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, " %s", command[i]);
    return buf;
}

/* The thresholds: FILE's, or no violation at all. */
static json_t *thresholds_of(const char *path, struct cx_error *err)
{
    if (path)
        return thresholds_load(path, err);
    struct th_cond none = {"count", 0, TH_EQ, 0};
    return json_pack("[o]", thresholds_entry("violations: count==0", TH_VIOLATIONS, "", &none));
}

/* COMMAND against the running mock M; its outcome in RUN. */
static void run_command(struct cxm *m, const struct gate_opts *o, struct gate_run *run)
{
    const char *id = "", *secret = "";
    cxm_default_client(m, &id, &secret);
    char url[64], cid[300], csec[300];
    snprintf(url, sizeof url, "CXMOCK_URL=http://127.0.0.1:%d", cxm_port(m));
    snprintf(cid, sizeof cid, "CXMOCK_CLIENT_ID=%s", id);
    snprintf(csec, sizeof csec, "CXMOCK_CLIENT_SECRET=%s", secret);
    char *env[] = {url, cid, csec, "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost",
                   NULL};
    fprintf(stderr, "cxmock gate: mock at http://127.0.0.1:%d, running %s\n", cxm_port(m),
            o->command[0]);
    gate_child_run(o->command, env, o->timeout_s, 5, &run->child);
    char text[300];
    fprintf(stderr, "cxmock gate: %s %s; judging\n", o->command[0],
            gate_child_describe(&run->child, text, sizeof text));
}

/* The whole gate once the options are read. */
static int gate(struct gate_opts *o, struct gate_run *run, struct cx_error *err)
{
    char path[4096];
    struct gate_requests g;
    if (make_dirs(o->out) < 0)
        return cx_error_at(err, o->out, -1, -1, "", "cannot create: %s", strerror(errno));
    snprintf(path, sizeof path, "%s/ledger.jsonl", o->out);
    unlink(path); /* the mock appends: this run's alone */
    o->mock.ledger_path = path;
    if (gate_requests_open(&g, (snprintf(path + strlen(o->out), 32, "/history.jsonl"), path),
                           mono_ns()) < 0)
        return cx_error_at(err, path, -1, -1, "", "cannot write: %s", strerror(errno));
    snprintf(path, sizeof path, "%s/ledger.jsonl", o->out);
    o->mock.seen = gate_requests_seen;
    o->mock.seen_ctx = &g;
    struct cxm *m = NULL;
    int rc = cxm_create(&o->mock, &m, err) < 0 || cxm_start(m, err) < 0 ? -1 : 0;
    if (rc == 0) {
        run->started_us = epoch_us();
        int64_t t0 = mono_ns();
        run_command(m, o, run);
        if (run->child.end != GATE_CHILD_INTERRUPTED)
            cxm_settle(m, gate_child_interrupted); /* a Ctrl-C now: judge what is there */
        run->wall_s = (double)(mono_ns() - t0) / 1e9;
        run->mock = cxm_violations(m);
    }
    cxm_destroy(m); /* no request is answered after this: the history is whole */
    if (gate_requests_close(&g) < 0 && rc == 0)
        rc = cx_error_set(err, "%s/history.jsonl: a write failed", o->out);
    json_t *s = rc == 0 ? gate_verdict(&g, run, o->out, err) : NULL;
    gate_requests_free(&g);
    json_decref(run->mock);
    if (!s)
        return -1;
    int code = (int)json_integer_value(json_object_get(s, "exitCode"));
    if (!o->quiet || code != GATE_EXIT_HELD)
        report_text(stdout, s);
    printf("results in %s/ (summary.json, junit.xml, report.html, history.jsonl, ledger.jsonl, "
           "latency.hlog)\n",
           o->out);
    json_decref(s);
    return code;
}

int cxm_gate_main(int argc, char **argv)
{
    struct gate_opts o = {.out = "out/gate", .timeout_s = 600};
    cxm_options_default(&o.mock);
    o.mock.port = 0;
    o.mock.bind = "127.0.0.1";
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    struct cx_error err = {0};
    struct gate_run run = {.clock = o.mock.clock, .seed = o.mock.seed, .scale = 1};
    char name[1024];
    run.name = run_name(o.command, name, sizeof name);
    run.file = o.command[0];
    if (strncmp(o.mock.clock, "scaled:", 7) == 0)
        run.scale = strtod(o.mock.clock + 7, NULL) > 0 ? strtod(o.mock.clock + 7, NULL) : 1;
    if (!(run.thresholds = thresholds_of(o.thresholds, &err))) {
        char msg[2048];
        cx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "cxmock gate: --thresholds %s\n", msg);
        return GATE_EXIT_USAGE;
    }
    gate_child_block(); /* before the mock's threads start: they inherit it */
    signal(SIGPIPE, SIG_IGN);
    rc = gate(&o, &run, &err);
    json_decref(run.thresholds);
    if (rc < 0) {
        char msg[2048];
        cx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "cxmock gate: %s\n", msg);
        return GATE_EXIT_USAGE;
    }
    return rc;
}
