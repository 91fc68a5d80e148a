/* cxreport.c - the command line: render a run directory, judge it again, merge shards, compare
 * two runs. */
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
#include "rejudge.h"
#include "report.h"
#include "rundir.h"
#include "suite.h"
#include "version.h"

#define EXIT_OK     0
#define EXIT_USAGE  1
#define EXIT_FAILED 99

static const char usage[] =
    "usage: cxreport text|json|junit|hgrm|html RUN_DIR [--out FILE] [--tag TAG]\n"
    "       cxreport judge RUN_DIR [--out DIR] [--quiet]\n"
    "       cxreport merge RUN_DIR... --out DIR [--quiet]\n"
    "       cxreport diff BASELINE_DIR RUN_DIR [--tolerance 10%]\n"
    "       cxreport suite RUN_DIR... [--junit FILE] [--html FILE] [--title TEXT]\n"
    "                      [--skip 'NAME: WHY']...\n"
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
    "judge RUN_DIR [--out DIR]\n"
    "  runs the violation checks (docs/rules.md) again over RUN_DIR's history.jsonl, reconciled\n"
    "  with the mock's verdict on its ledger that cxload saved in summary.json, says whether\n"
    "  each count is the one recorded, and judges the thresholds again. A run written by this\n"
    "  build is judged the same; an older run, or one judged by a newer build, may not be.\n"
    "  --out DIR writes the re-judged summary.json and junit.xml. Prints the text summary\n"
    "  (--quiet: only if a threshold failed); exits 0 or 99 as cxload would have.\n"
    "\n"
    "merge RUN_DIR... --out DIR\n"
    "  adds up the shards of one run (cxload --shard I/N) exactly: counters, statuses,\n"
    "  iterations and the time series add (intervals aligned by index from each shard's\n"
    "  start); each tag's latency histogram is the sum of the shards' from latency.hlog and\n"
    "  every corrected figure is recomputed from it (the uncorrected p50 and p99 cannot be:\n"
    "  the merge keeps the highest shard's, an upper bound, and says so). The violations are\n"
    "  judged again over the shards' histories together, on one timeline, so one that spans\n"
    "  shards (a business key created by two of them) is found; the mocks' verdicts add, or\n"
    "  the latest counts when every shard ran against one target. Thresholds are judged again\n"
    "  on the merge. DIR gets summary.json, junit.xml, latency.hlog and history.jsonl (the\n"
    "  shards', on the shared timeline). Prints the text summary (--quiet: only if a threshold\n"
    "  failed); exits as cxload would have.\n"
    "\n"
    "diff BASELINE_DIR RUN_DIR [--tolerance 10%]\n"
    "  compares each tag's p50, p90, p99 and max, requests/s, the error rate and each\n"
    "  violation count, and marks a regression where a p50, p90, p99 or the error rate is up\n"
    "  by more than the tolerance (relative; \"10\" is 10% too), requests/s is down by more\n"
    "  than it, a violation count is up at all, or a tag of the baseline is gone. max is\n"
    "  shown, not judged.\n"
    "\n"
    "suite RUN_DIR... [--junit FILE] [--html FILE] [--title TEXT] [--skip 'NAME: WHY']...\n"
    "  judges many runs (a conformance suite: one run per scenario) together: prints one\n"
    "  line per run (PASS when every threshold of its scenario held) with the violations\n"
    "  found and their rule IDs; --junit writes one JUnit document with a testsuite per run;\n"
    "  --html writes an index page linking each run's report.html (written beside its\n"
    "  summary); --skip 'NAME: WHY' (repeatable) lists a scenario that was not run as a\n"
    "  skipped test in the JUnit document. Exits 99 when a run failed.\n"
    "\n"
    "exit codes: 0 done (judge, merge: every threshold held; diff: no regression); 1 usage or\n"
    "bad input: a missing directory or file, a malformed summary.json (FILE:LINE:COLUMN: KEY:\n"
    "what was expected), a corrupt latency.hlog (FILE:LINE: reason), a history line that is\n"
    "not a record (FILE:LINE:COLUMN: what); 99 judge, merge: a threshold failed, diff: a\n"
    "regression, suite: a run failed.\n"
    "\n"
    "The violations and their rule IDs are catalogued in docs/rules.md.\n";

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

/* Bad input (a file missing or malformed, a write that failed): said once, FILE:LINE:COLUMN
 * first when it is about a file. */
static int bad_input(const struct cx_error *e)
{
    char msg[2048];
    cx_error_format(e, msg, sizeof msg);
    fprintf(stderr, "cxreport: %s\n", msg);
    return EXIT_USAGE;
}

#define MAX_SKIPPED 1024

struct opts {
    const char *out, *tag, *tolerance, *junit, *html, *title;
    int quiet;
    char *skipped[MAX_SKIPPED]; /* suite --skip */
    int nskipped;
};

/* ---- render ------------------------------------------------------------------------------ */

static int write_hgrm(FILE *f, const struct rundir *r, const char *tag, struct cx_error *err)
{
    const struct cx_hist *h = rundir_hist(r, tag ? tag : "");
    if (!h) {
        char tags[1024] = "";
        size_t n = 0;
        for (size_t i = 0; i < r->ntags && n < sizeof tags; i++)
            n +=
                (size_t)snprintf(tags + n, sizeof tags - n, "%s %s", i ? "," : "", r->tags[i].name);
        char path[4096];
        snprintf(path, sizeof path, "%s/latency.hlog", r->dir);
        return cx_error_at(err, path, -1, -1, "", "no tag \"%s\" (tags:%s)", tag,
                           r->ntags ? tags : " none");
    }
    return cx_hist_write_hgrm(f, h, 5, 1000.0);
}

static int render(const char *cmd, const char *dir, const struct opts *o)
{
    int is_html = strcmp(cmd, "html") == 0, is_hgrm = strcmp(cmd, "hgrm") == 0;
    if (o->tag && !is_hgrm)
        return bad_usage("--tag is for hgrm");
    struct rundir *r = NULL;
    struct cx_error err;
    if (rundir_load(dir, is_html || is_hgrm ? RUNDIR_HLOG : 0, &r, &err) < 0)
        return bad_input(&err);

    char path[4096];
    const char *out = o->out;
    if (is_html && !out) {
        snprintf(path, sizeof path, "%s/report.html", dir);
        out = path;
    }
    int to_stdout = !out || strcmp(out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(out, "w");
    if (!f) {
        cx_error_at(&err, out, -1, -1, "", "%s", strerror(errno));
        rundir_free(r);
        return bad_input(&err);
    }
    int rc = 0;
    err.text[0] = '\0';
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
        rc = write_hgrm(f, r, o->tag, &err);
    else
        rc = report_html(f, r->summary, rundir_hist_for, r, r->dir);
    int closed = to_stdout ? fflush(f) : fclose(f);
    if (rc == 0 && closed != 0)
        rc = -1;
    if (rc < 0) {
        if (!err.text[0])
            cx_error_at(&err, to_stdout ? "stdout" : out, -1, -1, "", "write failed: %s",
                        strerror(errno));
        if (!to_stdout)
            remove(out);
        rundir_free(r);
        return bad_input(&err);
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
    struct cx_error err;
    int rc = merge_runs((const char *const *)dirs, (size_t)n, o->out, &s, stderr, &err);
    if (rc < 0)
        return bad_input(&err);
    if (!o->quiet || rc != EXIT_OK)
        report_text(stdout, s);
    printf("merged %d run%s into %s/ (summary.json, junit.xml, latency.hlog, history.jsonl)\n", n,
           n == 1 ? "" : "s", o->out);
    json_decref(s);
    return rc;
}

static int judge(char **dirs, int n, const struct opts *o)
{
    if (n != 1)
        return bad_usage("judge: expected one RUN_DIR, got %d", n);
    json_t *s = NULL;
    struct cx_error err;
    int rc = rejudge_dir(dirs[0], o->out, stdout, &s, &err);
    if (rc < 0)
        return bad_input(&err);
    if (!o->quiet || rc != EXIT_OK)
        report_text(stdout, s);
    if (o->out)
        printf("judged again into %s/ (summary.json, junit.xml)\n", o->out);
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
    struct cx_error err;
    if (rundir_load(dirs[0], 0, &a, &err) < 0)
        return bad_input(&err);
    if (rundir_load(dirs[1], 0, &b, &err) < 0) {
        rundir_free(a);
        return bad_input(&err);
    }
    int regressions = diff_summaries(stdout, a->summary, b->summary, dirs[0], dirs[1], tol);
    rundir_free(a);
    rundir_free(b);
    if (regressions < 0)
        return bad_input((cx_error_at(&err, "stdout", -1, -1, "", "write failed"), &err));
    return regressions ? EXIT_FAILED : EXIT_OK;
}

static int suite(char **dirs, int n, const struct opts *o)
{
    if (n < 1)
        return bad_usage("suite: expected one or more RUN_DIRs");
    if (o->out || o->tag || o->tolerance || o->quiet)
        return bad_usage("suite takes --junit, --html, --title and --skip");
    struct suite_opts so = {o->junit, o->html, o->title, o->skipped, o->nskipped};
    struct cx_error err;
    int rc = suite_report(stdout, dirs, n, &so, &err);
    if (rc < 0)
        return bad_input(&err);
    if (o->junit)
        printf("junit: %s\n", o->junit);
    if (o->html)
        printf("html:  %s\n", o->html);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"out", required_argument, 0, 'o'},
                                             {"tag", required_argument, 0, 't'},
                                             {"tolerance", required_argument, 0, 'T'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"junit", required_argument, 0, 'J'},
                                             {"html", required_argument, 0, 'H'},
                                             {"title", required_argument, 0, 'N'},
                                             {"help", no_argument, 0, 'h'},
                                             {"skip", required_argument, 0, 'S'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    if (argc < 2)
        return bad_usage(
            "expected a command: text, json, junit, hgrm, html, judge, merge, diff or suite");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("cxreport %s\n", CX_VERSION);
        return EXIT_OK;
    }
    const char *cmd = argv[1];
    static const char *const commands[] = {"text",  "json",  "junit", "hgrm", "html",
                                           "judge", "merge", "diff",  "suite"};
    int known = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        known |= strcmp(cmd, commands[i]) == 0;
    if (!known)
        return bad_usage(
            "unknown command \"%s\" (text, json, junit, hgrm, html, judge, merge, diff, suite)",
            cmd);

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
        case 'S':
            if (o.nskipped == MAX_SKIPPED)
                return bad_usage("more than %d --skip", MAX_SKIPPED);
            o.skipped[o.nskipped++] = optarg;
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
    int is_merge = strcmp(cmd, "merge") == 0, is_diff = strcmp(cmd, "diff") == 0,
        is_judge = strcmp(cmd, "judge") == 0;
    if ((o.junit || o.html || o.title) && strcmp(cmd, "suite") != 0)
        return bad_usage("--junit, --html and --title are for suite");
    if (strcmp(cmd, "suite") == 0)
        return suite(dirs, n, &o);
    if (o.tolerance && !is_diff)
        return bad_usage("--tolerance is for diff");
    if (o.quiet && !is_merge && !is_judge)
        return bad_usage("--quiet is for judge and merge");
    if (is_merge)
        return merge(dirs, n, &o);
    if (is_judge)
        return judge(dirs, n, &o);
    if (is_diff) {
        if (o.out)
            return bad_usage("diff prints to stdout; --out is for render and merge");
        return diff(dirs, n, &o);
    }
    if (n != 1)
        return bad_usage("%s: expected one RUN_DIR, got %d", cmd, n);
    return render(cmd, dirs[0], &o);
}
