/* main.c - cxload's command line: `cxload run` and `cxload validate` (see run.h). */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore.h"
#include "run.h"
#include "scenario.h"
#include "units.h"
#include "version.h"
#include "violations.h"

static const char usage[] =
    "usage: cxload run SCENARIO.json [options]\n"
    "       cxload validate SCENARIO.json     parse and check the scenario, fire nothing\n"
    "       cxload explore SCENARIO.json [--max-orders N]   run every interleaving of its\n"
    "                                         races (cxload explore --help)\n"
    "       cxload --help | --version\n"
    "\n"
    "Replays a scenario against a CXone tenant, or against the embedded cxmock when no --target\n"
    "is given, and reports latency (timed from each request's intended start: coordinated\n"
    "omission corrected; the uncorrected figure is kept beside it), statuses and the violations\n"
    "by rule ID (docs/rules.md). Thresholds in the scenario decide the exit code.\n"
    "\n"
    "options:\n"
    "  --target URL       base URL of the tenant or mock (default: an embedded cxmock on a free\n"
    "                     loopback port, with the scenario's tenant, clock and the seed)\n"
    "  --threads N        worker threads, each a libcurl multi loop (default 2)\n"
    "  --connections N    connections to the target at most, all threads together (default\n"
    "                     the scenario's \"connections\", else 64 per thread; at most one per\n"
    "                     virtual user). A virtual user that finds none free waits in line:\n"
    "                     the wait is in its latency and counted. The embedded mock gets a\n"
    "                     worker thread per connection\n"
    "  --out DIR          result directory (default cxload-out)\n"
    "  --seed N           seed of the embedded mock and of the driver's draws (default: the\n"
    "                     scenario's, else 1)\n"
    "  --shard I/N        run shard I (0-based) of N: this share of the virtual users and of\n"
    "                     the arrival rate; merge the shards with `cxreport merge`\n"
    "  --duration 60s     override a closed or open load's duration (a closed load then runs\n"
    "                     for it); refused for a ramping load, whose stages are its duration\n"
    "  --rate 200/s       override an open load's arrival rate (refused for other loads)\n"
    "  --vus N            override the virtual users (closed) or their cap (open)\n"
    "  --rate-cap 50/s    client-side cap on requests per second over the whole run; required\n"
    "                     for a target that is not a loopback address\n"
    "  --env FILE         KEY=VALUE lines for ${env.KEY}, over the environment\n"
    "  --ledger-check     reconcile with the target mock's /__admin/violations at the end\n"
    "                     (on by default for the embedded mock; --no-ledger-check turns it off)\n"
    "  --drain 5s         after Ctrl-C or the end of the load, how long in-flight requests may\n"
    "                     finish before they are recorded as indeterminate (at the end of the\n"
    "                     load, retries already scheduled are still sent within it)\n"
    "  --order B=I,J,...  on the manual clock, release barrier B's racers in this order (ranks\n"
    "                     of the racers by user number, 0 first; B#G=... for generation G\n"
    "                     only); repeatable. Without it the seed draws each order. The text\n"
    "                     report and summary.json's races give the order of every release\n"
    "  --quiet            no progress line, no text summary unless a threshold failed\n"
    "\n"
    "scenario (JSON; full reference in client/SCENARIO.md):\n"
    "  {\"name\": \"...\", \"clock\": \"real\"|\"manual\"|\"scaled:60\", \"tenant\": "
    "\"fixture.json\",\n"
    "   \"seed\": 1, \"connections\": 128, \"vars\": {...}, \"users\": [{\"agent\": "
    "\"agent-voice-1\"},\n"
    "   ...],\n"
    "   \"load\": {\"model\": \"closed\", \"vus\": 10, \"iterations\": 5 | \"duration\": \"30s\"}\n"
    "          | {\"model\": \"open\", \"rate\": \"200/s\", \"duration\": \"1m\", \"spacing\": "
    "\"poisson\"}\n"
    "          | {\"model\": \"ramping\", \"stages\": [{\"duration\": \"30s\", \"rate\": "
    "\"100/s\"}]},\n"
    "   \"auth\": {\"app\": {\"grant\": \"client_credentials\", \"clientId\": "
    "\"${env.CX_ID}\",\n"
    "                    \"clientSecret\": \"${env.CX_SECRET}\",\n"
    "                    \"cache\": \"worker\"|\"vu\"|\"shared\"}},\n"
    "   \"policy\": {\"retries\": 3, \"retryOn\": [429, 503, \"timeout\"], \"backoff\": "
    "\"exponential\",\n"
    "              \"jitter\": \"full\", \"retryAfter\": true, \"rateCap\": \"50/s\", "
    "\"timeout\": \"10s\"},\n"
    "   \"setup\": [steps], \"steps\": [steps],\n"
    "   \"thresholds\": {\"latency{accept}\": [\"p(99)<300\"], \"violations\": "
    "[\"count==0\"],\n"
    "                  \"errors\": [\"rate<0.01\"], \"offered\": [\"achieved>=0.99\"]}}\n"
    "  steps: {\"request\": {\"method\", \"path\", \"headers\", \"body\", \"auth\", "
    "\"idempotency\",\n"
    "                      \"extract\": {\"var\": \"$.path\"}, \"expect\": {\"status\": [200]},\n"
    "                      \"op\": \"accept\"|\"reject\"|\"inject\"|\"read\"|\"priority\"|"
    "\"state\"|\"act\",\n"
    "                      \"subject\", \"agent\", \"key\"}}\n"
    "         {\"poll\": {...request, \"until\": {\"json\": {\"$.state\": \"Active\"}}, "
    "\"deadline\": \"5s\"}}\n"
    "         {\"think\": \"100ms\"}  {\"barrier\": {\"name\": \"race\", \"count\": 2}}\n"
    "         {\"if\": {\"equals\": [\"${owner}\", \"${user.agent}\"]}, \"then\": [...], "
    "\"else\": [...]}\n"
    "         {\"advance\": \"20s\"} (manual clock)   {\"end\": true}\n"
    "  references in strings: ${vu} ${iter} ${uuid} ${env.NAME} ${user.NAME} ${vars.NAME}\n"
    "                         ${setup.NAME} ${NAME} (extracted earlier by this virtual user)\n"
    "\n"
    "results in --out: summary.json, junit.xml, latency.hlog (HdrHistogram interval log, one\n"
    "tag per step), history.jsonl (every attempt: invoke, completion, ok/fail/indeterminate).\n"
    "A run warns (stderr, the report, summary.json's warnings) when its latencies are not the\n"
    "target API's alone: the target held connections waiting for a worker (a cxmock's\n"
    "/metrics), or the driver fell behind (over 1 % of its timers and arrivals started more\n"
    "than 10 ms late).\n"
    "\n"
    "exit codes: 0 every threshold held; 1 usage, scenario or set-up error (a scenario error\n"
    "reads FILE:LINE:COLUMN: KEY: what was expected, and nothing runs); 2 the target was\n"
    "unreachable; 99 a threshold failed.\n"
    "\n"
    "environment: ${env.NAME} references read the environment (and --env FILE). Secrets belong\n"
    "there, never in the scenario; cxload never prints a secret or a token. Every value of\n"
    "--env FILE and of each variable the scenario references shows as \u00abenv:NAME\u00bb\n"
    "wherever the run records or prints it (history.jsonl, summary.json, stdout, the\n"
    "reports, the embedded mock's ledger.jsonl): whatever its length where a template put it\n"
    "(a path, an op's subject, agent or key), elsewhere (bodies, answers, the ledger) when it\n"
    "is 4 bytes or more or a whole string.\n"
    "\n"
    "violations the checks report (\"violations{NAME}\" or {RULE-ID} in thresholds; the rules\n"
    "are catalogued in docs/rules.md):\n";

static const char explore_usage[] =
    "usage: cxload explore SCENARIO.json [--max-orders N] [--seed N] [--threads N] [--out DIR]\n"
    "                      [--env FILE] [--drain 5s]\n"
    "\n"
    "Runs every interleaving of the scenario's races. On the manual clock the users take turns\n"
    "and a race's interleaving is the order in which its barrier releases its racers\n"
    "(client/SCENARIO.md, \"Races and replay\"). explore runs the scenario once with its seed to\n"
    "learn its releases, then once per assignment of release orders, each on a fresh embedded\n"
    "mock: every one while there are at most N (default 120: 5 racers), else N distinct uniform\n"
    "samples (as probabilistic concurrency testing draws schedules; the table says how likely\n"
    "a bug of 2 or 3 racers is found). It prints, for each order, its verdict, its violations\n"
    "and the `cxload run ... --order ...` command that replays exactly that run.\n"
    "\n"
    "  --max-orders N     run every order up to N assignments, else N samples (default 120)\n"
    "  --seed N           the seed of every run (default: the scenario's, else 1)\n"
    "  --threads N        worker threads of each run (default 2; the turns make it irrelevant)\n"
    "  --out DIR          DIR/seeded (the first run), DIR/order-NNN (one per order) and\n"
    "                     DIR/explore.json, the index (default cxload-explore)\n"
    "  --env FILE, --drain D   as for cxload run\n"
    "\n"
    "exit codes: 0 no order violates anything; 99 at least one does; 1 the scenario cannot be\n"
    "explored (not the manual clock and a closed load, no barrier released, a run failed).\n";

/* The usage, then every violation the driver reports, from the one table (violations.def). */
static void help(FILE *f)
{
    fputs(usage, f);
    for (int i = 0; i < V_COUNT; i++)
        if (violation_table[i].seen_by & VS_DRIVER)
            fprintf(f, "  %s (%s)\n      %s\n", violation_table[i].name, violation_table[i].rule,
                    violation_table[i].meaning);
}

__attribute__((format(printf, 1, 2))) static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "cxload: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(cxload --help for usage)\n");
    return EXIT_USAGE;
}

/* Take option C (with ARG) of `cxload run|validate` into O. Returns -1 to go on, else the exit
 * code to end with (--help, --version, a bad value). */
static int take_option(int c, char *arg, char **argv, struct run_opts *o)
{
    char *end;
    switch (c) {
    case 't':
        o->target = arg;
        return -1;
    case 'n':
        o->threads = (int)strtol(arg, &end, 10);
        if (*end || o->threads < 1 || o->threads > 256)
            return bad("--threads: expected 1..256, got \"%s\"", arg);
        return -1;
    case 'C':
        o->connections = (int)strtol(arg, &end, 10);
        if (*end || o->connections < 1 || o->connections > SCN_MAX_CONNECTIONS)
            return bad("--connections: expected 1..%d, got \"%s\"", SCN_MAX_CONNECTIONS, arg);
        return -1;
    case 'o':
        o->out = arg;
        return -1;
    case 's':
        errno = 0;
        o->seed = strtoll(arg, &end, 10);
        if (*end || errno || o->seed < 0)
            return bad("--seed: expected a non-negative integer, got \"%s\"", arg);
        return -1;
    case 'S':
        if (sscanf(arg, "%d/%d", &o->shard, &o->nshards) != 2 || o->nshards < 1 || o->shard < 0 ||
            o->shard >= o->nshards)
            return bad("--shard: expected I/N with 0 <= I < N, got \"%s\"", arg);
        return -1;
    case 'd':
        if (units_duration(arg, &o->duration_us) < 0 || o->duration_us <= 0)
            return bad("--duration: expected a duration such as 30s or 2m, got \"%s\"", arg);
        return -1;
    case 'D':
        if (units_duration(arg, &o->drain_us) < 0)
            return bad("--drain: expected a duration such as 5s, got \"%s\"", arg);
        return -1;
    case 'r':
        if (units_rate(arg, &o->rate) < 0 || o->rate <= 0)
            return bad("--rate: expected a rate such as 200/s, got \"%s\"", arg);
        return -1;
    case 'c':
        if (units_rate(arg, &o->rate_cap) < 0 || o->rate_cap <= 0)
            return bad("--rate-cap: expected a rate such as 50/s, got \"%s\"", arg);
        return -1;
    case 'u':
        o->vus = (int)strtol(arg, &end, 10);
        if (*end || o->vus < 1 || o->vus > 1000000)
            return bad("--vus: expected 1..1000000, got \"%s\"", arg);
        return -1;
    case 'e':
        o->env_file = arg;
        return -1;
    case 'L':
        o->ledger_check = 1;
        return -1;
    case 'N':
        o->ledger_check = 0;
        return -1;
    case 'O': {
        struct cx_error err;
        if (o->norders == RUN_MAX_ORDERS)
            return bad("--order: at most %d", RUN_MAX_ORDERS);
        if (turn_order_parse(arg, &o->orders[o->norders], &err) < 0)
            return bad("%s", err.text);
        o->norders++;
        return -1;
    }
    case 'q':
        o->quiet = 1;
        return -1;
    case 'h':
        help(stdout);
        return 0;
    case 'V':
        printf("cxload %s\n", CX_VERSION);
        return 0;
    default:
        return bad("unknown or incomplete option \"%s\"", argv[optind - 1]);
    }
}

/* `cxload explore` (ARGV after the command; ARGV[0] the program): its options, then the run. */
static int explore_main(int argc, char **argv, const struct option *longs)
{
    struct explore_opts eo = {.max_orders = 120};
    struct run_opts *o = &eo.run;
    *o = (struct run_opts){.out = "cxload-explore", .threads = 2, .seed = -1, .ledger_check = -1};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        char *end;
        if (c == 'h') {
            fputs(explore_usage, stdout);
            return 0;
        }
        if (c == 'M') {
            eo.max_orders = strtol(optarg, &end, 10);
            if (*end || eo.max_orders < 1 || eo.max_orders > 100000)
                return bad("--max-orders: expected 1..100000, got \"%s\"", optarg);
            continue;
        }
        if (c != 'n' && c != 'o' && c != 's' && c != 'e' && c != 'D' && c != 'V')
            return bad("explore: %s is not an explore option: every order runs the scenario as "
                       "it is, on a fresh embedded mock (cxload explore --help)",
                       argv[optind - 1]);
        int rc = take_option(c, optarg, argv, o);
        if (rc >= 0)
            return rc;
    }
    if (optind >= argc)
        return bad("%s", "explore: missing SCENARIO.json");
    if (optind + 1 < argc)
        return bad("unexpected argument \"%s\"", argv[optind + 1]);
    o->scenario = argv[optind];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = explore_scenario(&eo);
    curl_global_cleanup();
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"target", required_argument, 0, 't'},
                                          {"threads", required_argument, 0, 'n'},
                                          {"connections", required_argument, 0, 'C'},
                                          {"out", required_argument, 0, 'o'},
                                          {"seed", required_argument, 0, 's'},
                                          {"shard", required_argument, 0, 'S'},
                                          {"duration", required_argument, 0, 'd'},
                                          {"rate", required_argument, 0, 'r'},
                                          {"vus", required_argument, 0, 'u'},
                                          {"rate-cap", required_argument, 0, 'c'},
                                          {"env", required_argument, 0, 'e'},
                                          {"ledger-check", no_argument, 0, 'L'},
                                          {"no-ledger-check", no_argument, 0, 'N'},
                                          {"drain", required_argument, 0, 'D'},
                                          {"order", required_argument, 0, 'O'},
                                          {"max-orders", required_argument, 0, 'M'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},
                                          {"version", no_argument, 0, 'V'},
                                          {0, 0, 0, 0}};
    struct run_opts o = {.out = "cxload-out", .threads = 2, .seed = -1, .ledger_check = -1};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            help(stdout);
            return 0;
        case 'V':
            printf("cxload %s\n", CX_VERSION);
            return 0;
        default:
            return bad("options come after the command: \"%s\"", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return bad("%s", "missing command: run, validate or explore");
    const char *cmd = argv[optind];
    if (strcmp(cmd, "run") != 0 && strcmp(cmd, "validate") != 0 && strcmp(cmd, "explore") != 0)
        return bad("unknown command \"%s\": run, validate or explore", cmd);
    o.validate_only = strcmp(cmd, "validate") == 0;
    /* Parse what follows the command afresh (optind = 0 re-initialises getopt), with options
     * and the scenario path in any order. */
    argv[optind] = argv[0];
    argc -= optind;
    argv += optind;
    if (strcmp(cmd, "explore") == 0)
        return explore_main(argc, argv, longs);
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        int rc = take_option(c, optarg, argv, &o);
        if (rc >= 0)
            return rc;
    }
    if (optind >= argc)
        return bad("%s: missing SCENARIO.json", cmd);
    if (optind + 1 < argc)
        return bad("unexpected argument \"%s\"", argv[optind + 1]);
    o.scenario = argv[optind];
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread starts */
    int rc = run_scenario(&o);
    curl_global_cleanup();
    return rc;
}
