/* run.c - one `cxload run` from scenario to exit code (see run.h), in phases:
 *
 *   plan     the scenario, its overrides, environment and seed (plan.c)
 *   target   the embedded mock or an outside target, answering (target.c)
 *   execute  the setup steps, then the load on the worker threads, on one timeline: every
 *            record's times count from the run's start; statistics collected each second
 *            (collect.c); the workers' histories joined into history.jsonl
 *   judge    the checks over the records, reconciled with the mock's ledger (judge/)
 *   write    summary.json (summary.c), junit.xml, the text report; thresholds set the exit code
 */
#include "run.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "judge.h"
#include "loop.h"
#include "plan.h"
#include "redact.h"
#include "report.h"
#include "saturation.h"
#include "summary.h"
#include "target.h"
#include "tokens.h"
#include "thresholds.h"
#include "worker.h"

/* The version of history.jsonl's line (docs/history.md): every field the checks read. */
#define HISTORY_FORMAT 3

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

struct run {
    const struct run_opts *o;
    int rc; /* the exit code so far */
    struct plan plan;
    struct target target;
    struct saturation sat; /* the target's workers before and after, for the warnings */
    struct run_shared rs;
    struct worker setup;
    int setup_inited;
    struct worker *workers;
    int nworkers;
    struct collector col;
    time_t started;
    int64_t started_wall_us; /* the run's start (the records' origin), µs since the epoch */
    double wall_s;           /* the load's length */
    json_t *steps, *mock, *violations, *reconciliation, *summary;
    struct turns turns;       /* the manual clock's rotation (rs.turns points here, if used) */
    int *thread_of;           /* its users' threads */
    struct cx_error err;      /* why the run could not go on; its text is "" until then */
    struct cx_error unjudged; /* why its verdict cannot be trusted (exit 1); "" if it can */
};

/* ---- plan ------------------------------------------------------------------------------- */

static int plan(struct run *r)
{
    const struct run_opts *o = r->o;
    if (plan_load(o, &r->plan, &r->err) < 0)
        return -1;
    if (o->validate_only) {
        if (plan_shape(o, &r->plan, &r->err) < 0)
            return -1;
        const struct scenario *scn = r->plan.scn;
        printf("%s: ok: scenario \"%s\", %zu steps, %zu tags, %zu thresholds\n", o->scenario,
               scn->name, plan_count_steps(scn), scn->ntags, scn->nthresholds);
        r->rc = EXIT_HELD;
        return 0;
    }
    return plan_settle(o, &r->plan, &r->err);
}

/* ---- execute ------------------------------------------------------------------------------ */

/* This worker's share of N things among OF (as worker.c shares the users). */
static int portion(int n, int index, int of)
{
    return n / of + (index < n % of);
}

/* On the manual clock a closed load's users take turns (turns.h): the rotation of this
 * process's users, each on the thread worker.c gives it. */
static int share_turns(struct run *r)
{
    const struct scenario *scn = r->plan.scn;
    struct run_shared *rs = &r->rs;
    if (!scn->clock || strcmp(scn->clock, "manual") != 0 || scn->load.model != SCN_CLOSED)
        return 0;
    int total = portion(scn->load.vus, rs->shard, rs->nshards), base = 0;
    for (int s = 0; s < rs->shard; s++)
        base += portion(scn->load.vus, s, rs->nshards);
    if (!(r->thread_of = calloc((size_t)total + 1, sizeof *r->thread_of)))
        return cx_error_set(&r->err, "out of memory");
    for (int t = 0, u = 0; t < rs->nthreads; t++)
        for (int k = portion(total, t, rs->nthreads); k > 0; k--)
            r->thread_of[u++] = t;
    if (turns_init(&r->turns, total, base, r->thread_of, scn->barriers, scn->barrier_counts,
                   scn->nbarriers, rs->seed, r->o->orders, r->o->norders, rs->wake_fds) < 0)
        return cx_error_set(&r->err, "out of memory");
    rs->turns = &r->turns;
    return 0;
}

/* What every worker shares: the target, the settings, barriers, run-wide tokens, wake fds. */
static int share(struct run *r)
{
    const struct run_opts *o = r->o;
    const struct scenario *scn = r->plan.scn;
    struct run_shared *rs = &r->rs;
    rs->scn = scn;
    rs->target = r->target.url;
    rs->loopback = r->target.loopback;
    rs->env = r->plan.env;
    rs->redact = &r->plan.redact;
    rs->tscale = 1;
    if (scn->clock && strncmp(scn->clock, "scaled:", 7) == 0)
        rs->tscale = atof(scn->clock + 7);
    rs->told_scale = scn->client_time == SCN_TIME_MOCK ? rs->tscale : 1;
    rs->seed = r->plan.seed;
    if (o->target && getrandom(&rs->id_nonce, sizeof rs->id_nonce, 0) != sizeof rs->id_nonce)
        rs->id_nonce = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
    rs->shard = o->nshards > 1 ? o->shard : 0;
    rs->nshards = o->nshards > 1 ? o->nshards : 1;
    rs->drain_us = o->drain_us > 0 ? o->drain_us : 5000000;
    rs->nthreads = plan_threads(o, &r->plan);
    rs->connections = plan_connections(o, &r->plan);
    rs->barriers = calloc(scn->nbarriers + 1, sizeof *rs->barriers);
    rs->tokens = calloc(scn->nauths + 1, sizeof *rs->tokens);
    rs->wake_fds = calloc((size_t)rs->nthreads, sizeof *rs->wake_fds);
    if (!rs->barriers || !rs->tokens || !rs->wake_fds)
        return cx_error_set(&r->err, "out of memory");
    for (int i = 0; i < rs->nthreads; i++)
        atomic_init(&rs->wake_fds[i], -1);
    for (size_t i = 0; i < scn->nbarriers; i++)
        rs->barriers[i].count = scn->barrier_counts[i];
    return share_turns(r);
}

static int mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* The result directory, made before anything runs. EXIT_HELD, or EXIT_USAGE with why. */
static int open_out_dir(struct run *r)
{
    if (mkdirs(r->o->out) == 0)
        return EXIT_HELD;
    cx_error_at(&r->err, r->o->out, -1, -1, "", "%s", strerror(errno));
    return EXIT_USAGE;
}

/* The setup steps, once, with one virtual user, before the load. */
static int run_setup(struct run *r)
{
    struct run_shared *rs = &r->rs;
    char path[4096];
    if (!r->plan.scn->nsetup) {
        rs->setup = json_object();
        return 0;
    }
    snprintf(path, sizeof path, "%s/history.setup.jsonl", r->o->out);
    r->setup_inited = 1;
    if (worker_init(&r->setup, 0, rs, path) < 0)
        return r->err = r->setup.error, -1;
    worker_run(&r->setup, 1);
    if (r->setup.error.text[0])
        return cx_error_set(&r->err, "setup: %s", r->setup.error.text);
    rs->setup = r->setup.extracted ? json_incref(r->setup.extracted) : json_object();
    return 0;
}

static int start_workers(struct run *r)
{
    struct run_shared *rs = &r->rs;
    char path[4096];
    if (!(r->workers = calloc((size_t)rs->nthreads, sizeof *r->workers)))
        return cx_error_set(&r->err, "out of memory");
    for (int i = 0; i < rs->nthreads; i++) {
        snprintf(path, sizeof path, "%s/history.%d.jsonl", r->o->out, i);
        if (worker_init(&r->workers[i], i, rs, path) < 0) {
            char why[1400];
            cx_error_format(&r->workers[i].error, why, sizeof why);
            cx_error_set(&r->err, "worker %d: %s", i, why);
            worker_free(&r->workers[i]);
            return -1;
        }
        if (worker_start(&r->workers[i]) < 0) {
            cx_error_set(&r->err, "cannot start worker thread %d", i);
            worker_free(&r->workers[i]);
            return -1;
        }
        r->nworkers++;
    }
    return 0;
}

/* Until every worker is done: statistics each second, an interrupt passed on once. */
static void watch_workers(struct run *r)
{
    struct run_shared *rs = &r->rs;
    int tty = isatty(2) && !r->o->quiet;
    for (;;) {
        int alive = 0;
        for (int i = 0; i < r->nworkers; i++)
            alive += !atomic_load(&r->workers[i].finished);
        if (!alive)
            break;
        if (interrupted && !atomic_load(&rs->stop)) {
            atomic_store(&rs->stop, 1);
            for (int i = 0; i < r->nworkers; i++)
                worker_poke(&r->workers[i]);
            fprintf(stderr,
                    "\ncxload: interrupted: no new iterations; draining in-flight "
                    "requests (at most %.1f s)\n",
                    (double)rs->drain_us / 1e6);
        }
        int64_t now = mono_us();
        if (now - r->col.last >= 1000000) {
            collect_interval(&r->col, r->workers, r->nworkers, now);
            if (tty)
                collect_progress(&r->col, now);
        }
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
}

/* Stop and join the workers; what their buffers still hold goes into the last interval. */
static void stop_workers(struct run *r)
{
    atomic_store(&r->rs.stop, 1);
    for (int i = 0; i < r->nworkers; i++) {
        worker_poke(&r->workers[i]);
        worker_join(&r->workers[i]);
    }
    if (r->setup_inited) { /* the setup's requests count like any other */
        collect_add(&r->col, &r->setup.buf[0]);
        collect_add(&r->col, &r->setup.buf[1]);
    }
    for (int i = 0; i < r->nworkers; i++) {
        collect_add(&r->col, &r->workers[i].buf[0]);
        collect_add(&r->col, &r->workers[i].buf[1]);
    }
    int64_t now = mono_us();
    r->wall_s = (double)(now - r->rs.load_t0_us) / 1e6;
    collect_close(&r->col, now);
    if (isatty(2) && !r->o->quiet) {
        collect_progress(&r->col, now);
        fputc('\n', stderr);
    }
}

static int append_file(FILE *to, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, n, to) != n)
            rc = -1;
    fclose(f);
    unlink(path);
    return rc;
}

/* The workers' history files, setup first, into OUT/history.jsonl. */
static int join_histories(struct run *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/history.jsonl", r->o->out);
    FILE *hf = fopen(path, "w");
    int rc = hf ? 0 : -1;
    if (hf && r->setup_inited && append_file(hf, r->setup.history_path) < 0)
        rc = -1;
    for (int i = 0; hf && i < r->nworkers; i++)
        if (append_file(hf, r->workers[i].history_path) < 0)
            rc = -1;
    if (hf && fclose(hf) != 0)
        rc = -1;
    if (rc < 0)
        cx_error_at(&r->err, path, -1, -1, "", "cannot write the history: %s", strerror(errno));
    return rc;
}

static int execute(struct run *r)
{
    const struct run_opts *o = r->o;
    char hlog[4096];
    if (share(r) < 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    r->started = wall.tv_sec;
    r->started_wall_us = (int64_t)wall.tv_sec * 1000000 + wall.tv_nsec / 1000;
    r->rs.t0_us = mono_us(); /* the one origin of every record's times */
    if (run_setup(r) < 0)
        return -1;
    snprintf(hlog, sizeof hlog, "%s/latency.hlog", o->out);
    r->rs.load_t0_us = mono_us();
    if (collect_init(&r->col, r->plan.scn, hlog, r->rs.load_t0_us, &r->err) < 0)
        return -1;
    int started = start_workers(r);
    if (started == 0)
        watch_workers(r);
    stop_workers(r);
    saturation_after(&r->sat, &r->target);
    if (started < 0 && r->nworkers < r->rs.nthreads)
        return -1;
    if (r->rs.turns && r->turns.error.text[0]) /* an --order that fit no generation */
        return r->err = r->turns.error, join_histories(r), -1;
    return join_histories(r);
}

/* ---- judge -------------------------------------------------------------------------------- */

static void flat_names(json_t *names, const struct scn_step *st, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(names, json_string(st[i].name ? st[i].name : "?"));
        if (st[i].kind == SCN_IF) {
            flat_names(names, st[i].then_steps, st[i].nthen);
            flat_names(names, st[i].else_steps, st[i].nelse);
        }
    }
}

/* Every record the workers kept, setup first (borrowed: the histories own their strings). */
static struct hrec *gather(struct run *r, size_t *n)
{
    size_t total = r->setup_inited ? r->setup.hist.n : 0, k = 0;
    for (int i = 0; i < r->nworkers; i++)
        total += r->workers[i].hist.n;
    struct hrec *recs = calloc(total + 1, sizeof *recs);
    if (!recs)
        return NULL;
    if (r->setup_inited && r->setup.hist.n) {
        memcpy(recs, r->setup.hist.recs, r->setup.hist.n * sizeof *recs);
        k = r->setup.hist.n;
    }
    for (int i = 0; i < r->nworkers; i++) {
        if (r->workers[i].hist.n)
            memcpy(recs + k, r->workers[i].hist.recs, r->workers[i].hist.n * sizeof *recs);
        k += r->workers[i].hist.n;
    }
    *n = total;
    return recs;
}

static int judge(struct run *r)
{
    const struct run_opts *o = r->o;
    const struct scenario *scn = r->plan.scn;
    if (!(r->steps = json_array()))
        return cx_error_set(&r->err, "out of memory");
    flat_names(r->steps, scn->setup, scn->nsetup);
    flat_names(r->steps, scn->steps, scn->nsteps);
    int want_ledger = o->ledger_check < 0 ? !o->target : o->ledger_check;
    if (want_ledger && !(r->mock = target_mock_verdict(&r->target)))
        cx_error_set(&r->unjudged,
                     "the ledger check: %s/__admin/violations did not answer with the mock's "
                     "verdict, so the run is not judged",
                     r->target.url);
    /* the mock's examples name its ledger's entries: idempotency keys, attributes, client ids
     * as they were sent. Shown as the records show them (redact.h), before they meet. */
    redact_json(&r->plan.redact, r->mock);
    size_t n = 0;
    struct hrec *recs = gather(r, &n);
    r->violations = recs ? judge_verdict(recs, n, r->steps, r->mock, &r->reconciliation) : NULL;
    free(recs);         /* the records' strings stay owned by the workers' histories */
    if (!r->violations) /* a run that could not be judged fails: never a silent pass */
        return cx_error_set(&r->err, "out of memory judging the run");
    redact_json(&r->plan.redact, r->violations); /* a backstop: the records are already */
    redact_json(&r->plan.redact, r->reconciliation);
    return 0;
}

/* ---- write -------------------------------------------------------------------------------- */

static FILE *open_out(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "cxload: %s: %s\n", path, strerror(errno));
    return f;
}

/* summary.json: the figures, then what the judge and the thresholds said. */
static json_t *verdict_summary(struct run *r)
{
    json_t *s = summary_build(r->o, r->plan.scn, &r->rs, &r->col.t, r->wall_s, r->started);
    if (!s)
        return NULL;
    json_object_set_new(s, "startedAtUs", json_integer(r->started_wall_us));
    json_object_set_new(s, "historyFormat", json_integer(HISTORY_FORMAT));
    json_object_set(s, "series", r->col.series);
    json_object_set(s, "steps", r->steps);
    if (r->rs.turns)
        json_object_set(s, "races", r->turns.log);
    json_object_set(s, "violations", r->violations);
    saturation_summarize(s, &r->sat, &r->rs, &r->col.t.all);
    if (r->mock) {
        json_object_set(s, "reconciliation", r->reconciliation);
        json_object_set(s, "mockViolations", r->mock);
    }
    int failed = thresholds_eval(s, collect_hist, &r->col.t);
    r->rc = failed ? EXIT_FAILED : EXIT_HELD;
    if (r->unjudged.text[0]) { /* fails closed: never a pass without the whole verdict */
        json_object_set_new(s, "notJudged", json_string(r->unjudged.text));
        json_object_set_new(s, "passed", json_false());
        r->rc = EXIT_USAGE;
    }
    if (interrupted)
        json_object_set_new(s, "interrupted", json_true());
    json_object_set_new(s, "exitCode", json_integer(r->rc));
    return s;
}

static void write_results(struct run *r)
{
    const struct run_opts *o = r->o;
    char path[4096];
    FILE *f;
    if (!(r->summary = verdict_summary(r))) {
        r->rc = EXIT_USAGE;
        cx_error_set(&r->err, "out of memory writing the summary");
        return;
    }
    if (!(f = open_out(o->out, "summary.json", path, sizeof path)) ||
        json_dumpf(r->summary, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) <
            0 ||
        fputc('\n', f) == EOF || fclose(f) != 0) {
        f = NULL;           /* closed or never opened */
        r->rc = EXIT_USAGE; /* a verdict nobody can read is no pass */
        cx_error_at(&r->err, path, -1, -1, "", "cannot write the summary: %s", strerror(errno));
    }
    if ((f = open_out(o->out, "junit.xml", path, sizeof path))) {
        report_junit(f, r->summary);
        fclose(f);
    }
    if (o->silent)
        return;
    saturation_print_warnings(stderr, r->summary);
    if (!o->quiet || r->rc != EXIT_HELD)
        report_text(stdout, r->summary);
    printf("results in %s/ (summary.json, junit.xml, latency.hlog, history.jsonl%s)\n", o->out,
           o->target ? "" : ", ledger.jsonl");
}

int run_interrupted(void)
{
    return interrupted != 0;
}

/* ---- the run ----------------------------------------------------------------------------- */

/* Stop the embedded mock (its ledger then whole) and show in OUT/ledger.jsonl every secret
 * value it recorded as it was sent (an idempotency key, an attribute, a client id) as
 * «env:NAME», as the run's own files do; a ledger that cannot be rewritten fails the run. An
 * outside target's ledger is its own. */
static void close_target(struct run *r)
{
    target_close(&r->target);
    if (r->o->target)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/ledger.jsonl", r->o->out);
    if (redact_jsonl_file(&r->plan.redact, path) < 0) {
        fprintf(stderr, "cxload: %s: cannot redact the secrets it holds: %s\n", path,
                strerror(errno));
        r->rc = EXIT_USAGE;
    }
}

static void teardown(struct run *r)
{
    collect_free(&r->col);
    for (int i = 0; i < r->nworkers; i++)
        worker_free(&r->workers[i]);
    free(r->workers);
    if (r->setup_inited)
        worker_free(&r->setup);
    free(r->rs.barriers);
    if (r->rs.turns)
        turns_free(&r->turns);
    free(r->thread_of);
    free(r->rs.wake_fds);
    for (size_t i = 0; r->rs.tokens && i < r->plan.scn->nauths; i++)
        shared_token_free(&r->rs.tokens[i]);
    free(r->rs.tokens);
    json_decref(r->rs.setup);
    json_decref(r->summary);
    json_decref(r->steps);
    json_decref(r->violations);
    json_decref(r->reconciliation);
    json_decref(r->mock);
    target_close(&r->target);
    plan_free(&r->plan);
}

int run_scenario(const struct run_opts *o)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.rc = EXIT_USAGE;
    if (plan(&r) == 0 && !o->validate_only) {
        int t = open_out_dir(&r);
        if (t == EXIT_HELD) /* the embedded mock writes its ledger there */
            t = target_open(&r.target, o, &r.plan, &r.err);
        if (t == EXIT_HELD) /* a mock: how its workers stand before the load */
            saturation_before(&r.sat, &r.target,
                              !o->target || r.target.loopback || o->ledger_check == 1);
        if (t != EXIT_HELD)
            r.rc = t;
        else if (execute(&r) == 0 && judge(&r) == 0)
            write_results(&r);
        close_target(&r);
    }
    if (r.unjudged.text[0])
        fprintf(stderr, "cxload: %s\n", r.unjudged.text);
    if (r.err.text[0]) {
        char msg[2048];
        cx_error_format(&r.err, msg, sizeof msg);
        fprintf(stderr, "cxload: %s\n", msg);
    }
    teardown(&r);
    return r.rc;
}
