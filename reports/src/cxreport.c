/* cxreport.c - the command line: render a run directory, merge shards, compare two runs. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "hist.h"
#include "html.h"
#include "merge.h"
#include "report.h"
#include "rundir.h"
#include "suite.h"
#include "version.h"


#define EXIT_OK     0
#define EXIT_USAGE  1
#define EXIT_FAILED 99

static const char usage[] =
    "usage: cxreport text|json|junit|hgrm|html RUN_DIR [--out FILE] [--tag TAG]\n"
    "       cxreport merge RUN_DIR... --out DIR [--quiet]\n"
    "       cxreport diff BASELINE_DIR RUN_DIR [--tolerance 10%]\n"
    "       cxreport suite RUN_DIR... [--junit FILE] [--html FILE] [--title TEXT]\n"
    "       cxreport --help | --version\n"
    "\n"
    "Reads the run directories cxload writes (summary.json, junit.xml, latency.hlog,\n"
    "history.jsonl) and renders, merges or compares them.\n"
    "\n"
    "render, to stdout or to --out FILE:\n"
    "  text    the text summary cxload prints\n"
    "  json    summary.json, pretty-printed\n"
    "  junit   JUnit XML: one test case per threshold and per violation type\n"
    "  hgrm    HdrHistogram's percentile distribution (ms, 5 ticks per half distance) of every\n"
    "          request's corrected latency from latency.hlog, as HdrHistogram's plotter reads\n"
    "          it; --tag TAG: of one tag's\n"
    "  html    one self-contained page (inline CSS and SVG, no script, nothing fetched): the run,\n"
    "          thresholds, violations with rule IDs and examples, latency by percentile per\n"
    "          tag, throughput and status codes over time, offered vs achieved vs throttled,\n"
    "          statuses. Written to RUN_DIR/report.html unless --out FILE (- for stdout); the\n"
    "          path is printed\n"
    "\n"
    "merge RUN_DIR... --out DIR\n"
    "  adds up the shards of one run (cxload --shard I/N) exactly: counters, statuses,\n"
    "  iterations, violation counts and the time series add (intervals aligned by index from\n"
    "  each shard's start); each tag's latency histogram is the sum of the shards' from\n"
    "  latency.hlog and every corrected figure is recomputed from it (the uncorrected p50 and\n"
    "  p99 cannot be: the merge keeps the highest shard's, an upper bound, and says so);\n"
    "  thresholds are judged again on the merge. DIR gets summary.json, junit.xml,\n"
    "  latency.hlog and history.jsonl (the shards' concatenated). Prints the text summary\n"
    "  (--quiet: only if a threshold failed); exits as cxload would have.\n"
    "\n"
    "diff BASELINE_DIR RUN_DIR [--tolerance 10%]\n"
    "  compares each tag's p50, p90, p99 and max, requests/s, the error rate and each\n"
    "  violation count, and marks a regression where a p50, p90, p99 or the error rate is up\n"
    "  by more than the tolerance (relative; \"10\" is 10% too), requests/s is down by more\n"
    "  than it, a violation count is up at all, or a tag of the baseline is gone. max is\n"
    "  shown, not judged.\n"
    "\n"
    "suite RUN_DIR... [--junit FILE] [--html FILE] [--title TEXT]\n"
    "  judges many runs (a conformance suite: one run per scenario) together: prints one\n"
    "  line per run (PASS when every threshold of its scenario held) with the violations\n"
    "  found and their rule IDs; --junit writes one JUnit document with a testsuite per run;\n"
    "  --html writes an index page linking each run's report.html (written beside its\n"
    "  summary). Exits 99 when a run failed.\n"
    "\n"
    "exit codes: 0 done (merge: every threshold held; diff: no regression); 1 usage or bad\n"
    "input: a missing directory or file, a malformed summary.json (FILE:LINE:COLUMN: KEY: what\n"
    "was expected), a corrupt latency.hlog (FILE:LINE: reason); 99 merge: a threshold failed,\n"
    "diff: a regression, suite: a run failed.\n";

__attribute__((format(printf, 1, 2))) static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("cxreport: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(cxreport --help for usage)\n", stderr);
    return EXIT_USAGE;
}

static int bad_input(const char *msg)
{
    fprintf(stderr, "cxreport: %s\n", msg);
    return EXIT_USAGE;
}

struct opts {
    const char *out, *tag, *tolerance, *junit, *html, *title;
    int quiet;
};

/* ---- render ------------------------------------------------------------------------------ */

static int write_hgrm(FILE *f, const struct rundir *r, const char *tag, char *err, size_t errsz)
{
    const struct cx_hist *h = rundir_hist(r, tag ? tag : "");
    if (!h) {
        int n = snprintf(err, errsz, "%s/latency.hlog: no tag \"%s\" (tags:", r->dir, tag);
        for (size_t i = 0; i < r->ntags && n > 0 && (size_t)n < errsz; i++)
            n += snprintf(err + n, errsz - (size_t)n, "%s %s", i ? "," : "", r->tags[i].name);
        if (n > 0 && (size_t)n < errsz)
            snprintf(err + n, errsz - (size_t)n, "%s)", r->ntags ? "" : " none");
        return -1;
    }
    return cx_hist_write_hgrm(f, h, 5, 1000.0);
}

static int render(const char *cmd, const char *dir, const struct opts *o)
{
    int is_html = strcmp(cmd, "html") == 0, is_hgrm = strcmp(cmd, "hgrm") == 0;
    if (o->tag && !is_hgrm)
        return bad_usage("--tag is for hgrm");
    struct rundir *r = NULL;
    char err[8192];
    if (rundir_load(dir, is_html || is_hgrm ? RUNDIR_HLOG : 0, &r, err, sizeof err) < 0)
        return bad_input(err);

    char path[4096];
    const char *out = o->out;
    if (is_html && !out) {
        snprintf(path, sizeof path, "%s/report.html", dir);
        out = path;
    }
    int to_stdout = !out || strcmp(out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(out, "w");
    if (!f) {
        snprintf(err, sizeof err, "%s: %s", out, strerror(errno));
        rundir_free(r);
        return bad_input(err);
    }
    int rc = 0;
    err[0] = '\0';
    if (strcmp(cmd, "text") == 0)
        rc = report_text(f, r->summary);
    else if (strcmp(cmd, "json") == 0)
        rc = json_dumpf(r->summary, f,
                        JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) < 0 ||
                     fputc('\n', f) == EOF
                 ? -1
                 : 0;
    else if (strcmp(cmd, "junit") == 0)
        rc = report_junit(f, r->summary);
    else if (is_hgrm)
        rc = write_hgrm(f, r, o->tag, err, sizeof err);
    else
        rc = report_html(f, r->summary, rundir_hist_for, r);
    int closed = to_stdout ? fflush(f) : fclose(f);
    if (rc == 0 && closed != 0)
        rc = -1;
    if (rc < 0) {
        if (!err[0])
            snprintf(err, sizeof err, "%s: write failed: %s", to_stdout ? "stdout" : out,
                     strerror(errno));
        if (!to_stdout)
            remove(out);
        rundir_free(r);
        return bad_input(err);
    }
    if (is_html && !to_stdout)
        printf("%s\n", out);
    rundir_free(r);
    return EXIT_OK;
}

/* ---- merge and diff ---------------------------------------------------------------------- */

static int merge(char **dirs, int n, const struct opts *o)
{
    if (!o->out)
        return bad_usage("merge: --out DIR is required");
    if (n < 1)
        return bad_usage("merge: expected one or more RUN_DIRs");
    json_t *s = NULL;
    char err[8192];
    int rc = merge_runs((const char *const *)dirs, (size_t)n, o->out, &s, stderr, err, sizeof err);
    if (rc < 0)
        return bad_input(err);
    if (!o->quiet || rc != EXIT_OK)
        report_text(stdout, s);
    printf("merged %d run%s into %s/ (summary.json, junit.xml, latency.hlog, history.jsonl)\n", n,
           n == 1 ? "" : "s", o->out);
    json_decref(s);
    return rc;
}

static int diff(char **dirs, int n, const struct opts *o)
{
    if (n != 2)
        return bad_usage("diff: expected BASELINE_DIR RUN_DIR, got %d director%s", n,
                         n == 1 ? "y" : "ies");
    double tol = 0.10;
    if (o->tolerance && diff_parse_tolerance(o->tolerance, &tol) < 0)
        return bad_usage("--tolerance: expected a percentage such as 10%%, got \"%s\"",
                         o->tolerance);
    struct rundir *a = NULL, *b = NULL;
    char err[8192];
    if (rundir_load(dirs[0], 0, &a, err, sizeof err) < 0)
        return bad_input(err);
    if (rundir_load(dirs[1], 0, &b, err, sizeof err) < 0) {
        rundir_free(a);
        return bad_input(err);
    }
    int regressions = diff_summaries(stdout, a->summary, b->summary, dirs[0], dirs[1], tol);
    rundir_free(a);
    rundir_free(b);
    if (regressions < 0)
        return bad_input("stdout: write failed");
    return regressions ? EXIT_FAILED : EXIT_OK;
}

static int suite(char **dirs, int n, const struct opts *o)
{
    if (n < 1)
        return bad_usage("suite: expected one or more RUN_DIRs");
    if (o->out || o->tag || o->tolerance || o->quiet)
        return bad_usage("suite takes --junit, --html and --title");
    struct suite_opts so = {o->junit, o->html, o->title};
    char err[8192];
    int rc = suite_report(stdout, dirs, n, &so, err, sizeof err);
    if (rc < 0)
        return bad_input(err);
    if (o->junit)
        printf("junit: %s\n", o->junit);
    if (o->html)
        printf("html:  %s\n", o->html);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'},       {"tag", required_argument, 0, 't'},
        {"tolerance", required_argument, 0, 'T'}, {"quiet", no_argument, 0, 'q'},
        {"junit", required_argument, 0, 'J'},     {"html", required_argument, 0, 'H'},
        {"title", required_argument, 0, 'N'},     {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},         {0, 0, 0, 0}};
    if (argc < 2)
        return bad_usage("expected a command: text, json, junit, hgrm, html, merge, diff or suite");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("cxreport %s\n", CX_VERSION);
        return EXIT_OK;
    }
    const char *cmd = argv[1];
    static const char *const commands[] = {"text", "json",  "junit", "hgrm",
                                           "html", "merge", "diff",  "suite"};
    int known = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        known |= strcmp(cmd, commands[i]) == 0;
    if (!known)
        return bad_usage(
            "unknown command \"%s\" (text, json, junit, hgrm, html, merge, diff, suite)", cmd);

    struct opts o = {0};
    int c;
    opterr = 0;
    optind = 2;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o.out = optarg;
            break;
        case 't':
            o.tag = optarg;
            break;
        case 'T':
            o.tolerance = optarg;
            break;
        case 'q':
            o.quiet = 1;
            break;
        case 'J':
            o.junit = optarg;
            break;
        case 'H':
            o.html = optarg;
            break;
        case 'N':
            o.title = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        case 'V':
            printf("cxreport %s\n", CX_VERSION);
            return EXIT_OK;
        case ':':
            return bad_usage("%s needs a value", argv[optind - 1]);
        default:
            return bad_usage("unknown option %s", argv[optind - 1]);
        }
    }
    char **dirs = argv + optind;
    int n = argc - optind;
    int is_merge = strcmp(cmd, "merge") == 0, is_diff = strcmp(cmd, "diff") == 0;
    if ((o.junit || o.html || o.title) && strcmp(cmd, "suite") != 0)
        return bad_usage("--junit, --html and --title are for suite");
    if (strcmp(cmd, "suite") == 0)
        return suite(dirs, n, &o);
    if (o.tolerance && !is_diff)
        return bad_usage("--tolerance is for diff");
    if (o.quiet && !is_merge)
        return bad_usage("--quiet is for merge");
    if (is_merge)
        return merge(dirs, n, &o);
    if (is_diff) {
        if (o.out)
            return bad_usage("diff prints to stdout; --out is for render and merge");
        return diff(dirs, n, &o);
    }
    if (n != 1)
        return bad_usage("%s: expected one RUN_DIR, got %d", cmd, n);
    return render(cmd, dirs[0], &o);
}
