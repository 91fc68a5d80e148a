/* test_scenario.c - the scenario loader, cases as data.
 *
 * scenarios/good/NAME.json must load; each has a function below asserting some of its fields.
 * scenarios/bad/NAME.json must fail with exactly the first line of scenarios/bad/NAME.err as its
 * formatted error (FILE:LINE:COLUMN: KEY: TEXT, FILE as passed: "bad/NAME.json"). Every case is
 * its own test, named good/NAME or bad/NAME; `test_scenario bad/NAME` runs one (ctest runs each
 * bad case alone as scenario_bad_NAME). The json blocks of client/SCENARIO.md must load too. A
 * run that finds no case fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cxtest.h"
#include "scenario.h"

/* ---- helpers ---- */

static struct scenario *load_ok(const char *path)
{
    struct scenario *s = NULL;
    struct cx_error err;
    char msg[600];

    if (scn_load(path, &s, &err) != 0) {
        cx_error_format(&err, msg, sizeof msg);
        fail_msg("%s did not load: %s", path, msg);
    }
    assert_non_null(s);
    return s;
}

/* The step with NAME among N steps (not descending into branches). */
static const struct scn_step *step_named(const struct scn_step *steps, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(steps[i].name, name) == 0)
            return &steps[i];
    fail_msg("no step named \"%s\"", name);
    return NULL;
}

static int count_statuses(const int *st)
{
    int n = 0;
    while (st[n])
        n++;
    return n;
}

/* ---- good cases: what each must hold ---- */

static void check_minimal(const struct scenario *s)
{
    const struct scn_step *st = &s->steps[0];

    assert_string_equal(s->name, "minimal");
    assert_null(s->description);
    assert_null(s->clock);
    assert_null(s->tenant);
    assert_int_equal(s->seed, -1);
    assert_int_equal(s->connections, 0); /* not given: 64 per worker thread (plan.h) */
    assert_int_equal(json_object_size(s->vars), 0);
    assert_int_equal(s->nusers, 0);
    assert_int_equal(s->load.model, SCN_CLOSED);
    assert_int_equal(s->load.vus, 1);
    assert_int_equal(s->load.iterations, 3);
    assert_int_equal(s->load.duration_us, 0);
    /* policy defaults */
    assert_int_equal(s->policy.retries, 3);
    assert_int_equal(s->policy.retry_on[0], 429);
    assert_int_equal(s->policy.retry_on[3], 504);
    assert_int_equal(s->policy.retry_on[4], -1);
    assert_int_equal(s->policy.retry_on[5], 0);
    assert_int_equal(s->policy.base_us, 100000);
    assert_int_equal(s->policy.cap_us, 10000000);
    assert_int_equal(s->policy.exponential, 1);
    assert_int_equal(s->policy.jitter, 1);
    assert_int_equal(s->policy.honour_retry_after, 1);
    assert_true(s->policy.rate_cap == 0);
    assert_int_equal(s->policy.timeout_us, 10000000);
    assert_string_equal(s->policy.idempotency_header, "X-Idempotency-Key");
    /* the step: default method, name and tag */
    assert_int_equal(s->nsetup, 0);
    assert_int_equal(s->nsteps, 1);
    assert_int_equal(st->kind, SCN_REQUEST);
    assert_string_equal(st->req.method, "GET");
    assert_string_equal(tpl_source(st->req.path), "/__admin/health");
    assert_string_equal(st->name, "GET /__admin/health");
    assert_string_equal(st->tag, "GET /__admin/health");
    assert_int_equal(st->line, 4);
    assert_int_equal(st->column, 13);
    assert_int_equal(st->req.retry, 1);
    assert_int_equal(st->req.idempotency, 0);
    assert_null(st->req.body);
    assert_null(st->req.auth);
    assert_int_equal(st->req.op, HREC_NONE);
    assert_int_equal(st->req.expect_status[0], 0);
    assert_int_equal(s->ntags, 1);
    assert_int_equal(s->nthresholds, 0);
    assert_int_equal(s->nbarriers, 0);
}

static void check_dual_accept(const struct scenario *s)
{
    const struct scn_step *accept, *poll, *branch;

    assert_string_equal(s->clock, "manual");
    assert_int_equal(s->seed, 7);
    assert_int_equal(s->nusers, 2);
    assert_string_equal(json_string_value(json_object_get(s->users[1].vars, "agent")),
                        "agent-voice-2");
    assert_int_equal(s->nauths, 1);
    assert_string_equal(s->auths[0].name, "agent");
    assert_int_equal(s->auths[0].grant, SCN_PASSWORD);
    assert_int_equal(s->auths[0].cache, SCN_CACHE_VU);
    assert_string_equal(tpl_source(s->auths[0].token_path), "/oauth/token");
    assert_string_equal(tpl_single_ref(s->auths[0].password), "user.password");
    assert_null(s->auths[0].scope);
    assert_int_equal(s->nsetup, 1);
    assert_string_equal(s->setup[0].name, "create call");
    assert_string_equal(s->setup[0].req.extracts[0].var, "id");
    assert_string_equal(s->setup[0].req.extracts[0].from, "$.id");
    assert_int_equal(s->setup[0].req.expect_status[0], 201);
    assert_int_equal(s->nsteps, 5);
    assert_int_equal(s->steps[0].kind, SCN_BARRIER);
    assert_int_equal(s->steps[0].barrier_count, 2);
    assert_int_equal(s->steps[0].barrier_index, 0);
    assert_int_equal(s->nbarriers, 1);
    assert_string_equal(s->barriers[0], "race");
    accept = step_named(s->steps, s->nsteps, "POST /api/v2/interactions/${setup.id}/accept");
    assert_string_equal(accept->tag, "accept");
    assert_int_equal(accept->req.op, HREC_ACCEPT);
    assert_string_equal(tpl_single_ref(accept->req.subject), "setup.id");
    assert_string_equal(tpl_single_ref(accept->req.agent), "user.agent");
    assert_string_equal(accept->req.auth, "agent");
    assert_string_equal(json_string_value(json_object_get(accept->req.body, "channelType")),
                        "voice");
    assert_int_equal(s->steps[2].kind, SCN_ADVANCE);
    assert_int_equal(s->steps[2].advance_us, 1000000);
    poll = &s->steps[3];
    assert_int_equal(poll->kind, SCN_POLL);
    assert_int_equal(poll->poll.nuntil, 1);
    assert_int_equal(poll->poll.until[0].kind, SCN_COND_JSON);
    assert_string_equal(poll->poll.until[0].path, "$.state");
    assert_string_equal(tpl_source(poll->poll.until[0].value), "Active");
    assert_int_equal(poll->poll.interval_us, 50000);
    assert_true(poll->poll.backoff == 1.5);
    assert_int_equal(poll->poll.max_interval_us, 2000000);
    assert_int_equal(poll->poll.deadline_us, 5000000);
    branch = &s->steps[4];
    assert_int_equal(branch->kind, SCN_IF);
    assert_string_equal(branch->name, "if");
    assert_int_equal(branch->cond.kind, SCN_COND_EQUALS);
    assert_string_equal(tpl_source(branch->cond.left), "${owner}");
    assert_string_equal(tpl_source(branch->cond.value), "${user.agent}");
    assert_int_equal(branch->nthen, 1);
    assert_int_equal(branch->nelse, 0);
    assert_int_equal(branch->then_steps[0].req.op, HREC_ACT);
    assert_string_equal(tpl_source(branch->then_steps[0].req.expect_json[0].value), "0");
    /* tags in order of first appearance, setup first */
    assert_int_equal(s->ntags, 4);
    assert_string_equal(s->tags[0], "create call");
    assert_string_equal(s->tags[1], "accept");
    assert_string_equal(s->tags[2], "read");
    assert_string_equal(s->tags[3], "complete");
    assert_int_equal(scn_tag_index(s, "complete"), 3);
    assert_int_equal(scn_tag_index(s, "nope"), -1);
    assert_int_equal(s->nthresholds, 3);
    assert_string_equal(s->thresholds[0].text, "violations{DUPLICATE_ACCEPT}: count==0");
    assert_int_equal(s->thresholds[0].metric, SCN_M_VIOLATION);
    assert_string_equal(s->thresholds[0].selector, "DUPLICATE_ACCEPT");
    assert_string_equal(s->thresholds[0].stat, "count");
    assert_int_equal(s->thresholds[0].cmp, SCN_EQ);
    assert_string_equal(s->thresholds[1].selector, "");
    assert_int_equal(s->thresholds[2].metric, SCN_M_LATENCY);
    assert_string_equal(s->thresholds[2].stat, "p");
    assert_true(s->thresholds[2].pct == 99);
    assert_int_equal(s->thresholds[2].cmp, SCN_LT);
    assert_true(s->thresholds[2].value == 500);
}

static void check_inject_steady(const struct scenario *s)
{
    const struct scn_step *inj = &s->steps[0];

    assert_int_equal(s->load.model, SCN_OPEN);
    assert_true(s->load.rate > 0.8333 && s->load.rate < 0.8334);
    assert_int_equal(s->load.duration_us, 120000000);
    assert_int_equal(s->load.spacing, SCN_POISSON);
    assert_int_equal(s->load.vus, 20);
    assert_int_equal(s->load.iterations, 0);
    assert_int_equal(s->auths[0].grant, SCN_CLIENT_CREDENTIALS);
    assert_int_equal(s->auths[0].cache, SCN_CACHE_WORKER);
    assert_int_equal(s->policy.retries, 5);
    assert_int_equal(s->policy.base_us, 200000);
    assert_int_equal(s->policy.cap_us, 5000000);
    assert_true(s->policy.rate_cap == 2);
    assert_int_equal(inj->req.op, HREC_INJECT);
    assert_int_equal(inj->req.idempotency, 1);
    assert_null(inj->req.idempotency_header);
    assert_string_equal(tpl_source(inj->req.key), "${vu}-${iter}");
    assert_string_equal(json_string_value(json_object_get(s->vars, "queue")), "q-fifo");
    assert_int_equal(s->nthresholds, 6);
    assert_int_equal(s->thresholds[3].metric, SCN_M_ACHIEVED);
    assert_string_equal(s->thresholds[3].stat, "achieved");
    assert_int_equal(s->thresholds[3].cmp, SCN_GE);
    assert_true(s->thresholds[3].value == 0.99);
    assert_int_equal(s->thresholds[2].metric, SCN_M_ERRORS);
    assert_string_equal(s->thresholds[2].stat, "rate");
}

static void check_everything(const struct scenario *s)
{
    const struct scn_step *acc, *poll, *outer, *inner;

    assert_string_equal(s->description, "every key of the format at least once");
    assert_string_equal(s->tenant, "good/../fixtures/tenant.json");
    assert_int_equal(s->seed, 0);
    assert_int_equal(s->connections, 24);
    assert_int_equal(json_integer_value(json_object_get(s->vars, "n")), 3);
    /* ramping */
    assert_int_equal(s->load.model, SCN_RAMPING);
    assert_int_equal(s->load.nstages, 3);
    assert_int_equal(s->load.stages[1].duration_us, 90000000);
    assert_true(s->load.stages[0].rate == 100);
    assert_true(s->load.stages[2].rate == 0);
    assert_int_equal(s->load.duration_us, 10000000 + 90000000 + 250000);
    assert_true(s->load.start_rate == 0);
    assert_int_equal(s->load.vus, 50);
    /* auth */
    assert_int_equal(s->nauths, 2);
    assert_string_equal(tpl_source(s->auths[0].token_path), "/api/v2/oauth/token");
    assert_string_equal(tpl_source(s->auths[0].scope), "routing:contacts:write");
    assert_null(s->auths[0].username);
    /* policy */
    assert_int_equal(s->policy.retries, 0);
    assert_int_equal(s->policy.retry_on[0], 429);
    assert_int_equal(s->policy.retry_on[1], -1);
    assert_int_equal(s->policy.retry_on[2], 500);
    assert_int_equal(s->policy.retry_on[3], 0);
    assert_int_equal(s->policy.exponential, 0);
    assert_int_equal(s->policy.jitter, 0);
    assert_int_equal(s->policy.honour_retry_after, 0);
    assert_true(s->policy.rate_cap == 12.5);
    assert_int_equal(s->policy.timeout_us, 2000000);
    assert_string_equal(s->policy.idempotency_header, "Idempotency-Key");
    /* setup */
    assert_int_equal(s->nsetup, 2);
    assert_int_equal(s->setup[0].req.nextracts, 3);
    assert_string_equal(s->setup[0].req.extracts[2].from, "status");
    assert_int_equal(s->setup[1].kind, SCN_THINK);
    assert_int_equal(s->setup[1].think_max_us, 0);
    /* a request with everything */
    acc = step_named(s->steps, s->nsteps, "accept it");
    assert_string_equal(acc->tag, "accept");
    assert_int_equal(acc->req.nheaders, 2);
    assert_string_equal(acc->req.headers[0].name, "X-Trace");
    assert_string_equal(tpl_single_ref(acc->req.headers[0].value), "uuid");
    assert_string_equal(acc->req.idempotency_header, "Idempotency-Key");
    assert_int_equal(acc->req.idempotency, 1);
    assert_int_equal(acc->req.retry, 0);
    assert_int_equal(acc->req.timeout_us, 750000);
    assert_int_equal(count_statuses(acc->req.expect_status), 2);
    assert_int_equal(acc->req.expect_status[1], 202);
    assert_int_equal(acc->req.nexpect_json, 3);
    assert_string_equal(tpl_source(acc->req.expect_json[0].value), "true");
    assert_string_equal(acc->req.expect_json[2].path, "header:Content-Type");
    assert_string_equal(acc->req.extracts[1].from, "$.items[0][\"odd key\"]");
    assert_int_equal(s->steps[2].kind, SCN_THINK);
    assert_int_equal(s->steps[2].think_min_us, 50000);
    assert_int_equal(s->steps[2].think_max_us, 200000);
    /* poll */
    poll = &s->steps[4];
    assert_int_equal(poll->poll.nuntil, 2);
    assert_int_equal(poll->poll.until[0].kind, SCN_COND_STATUS);
    assert_int_equal(poll->poll.until[0].statuses[0], 200);
    assert_int_equal(poll->poll.until[0].statuses[1], 0);
    assert_true(poll->poll.backoff == 2);
    assert_int_equal(poll->poll.max_interval_us, 1000000);
    /* nested ifs */
    outer = &s->steps[5];
    assert_int_equal(outer->cond.kind, SCN_COND_EXISTS);
    assert_string_equal(outer->cond.var, "owner");
    inner = &outer->then_steps[0];
    assert_int_equal(inner->cond.kind, SCN_COND_JSON);
    assert_string_equal(inner->cond.path, "$.agentId");
    assert_int_equal(inner->then_steps[0].barrier_index, 0);
    assert_int_equal(inner->else_steps[0].kind, SCN_END);
    assert_int_equal(outer->else_steps[0].think_min_us, 1000000);
    assert_int_equal(s->steps[6].cond.kind, SCN_COND_STATUS);
    assert_int_equal(s->steps[6].nthen, 0);
    assert_int_equal(s->steps[7].cond.kind, SCN_COND_NOT_EQUALS);
    assert_int_equal(s->nbarriers, 1);
    /* ops */
    assert_int_equal(s->steps[9].req.op, HREC_STATE);
    assert_int_equal(s->steps[10].req.op, HREC_INJECT);
    assert_int_equal(s->steps[11].req.op, HREC_REJECT);
    assert_int_equal(s->steps[12].kind, SCN_END);
    /* thresholds */
    assert_int_equal(s->nthresholds, 13);
    assert_true(s->thresholds[0].pct == 99.9);
    assert_int_equal(s->thresholds[0].cmp, SCN_LE);
    assert_string_equal(s->thresholds[1].stat, "avg");
    assert_int_equal(s->thresholds[2].cmp, SCN_NE);
    assert_string_equal(s->thresholds[5].selector, "GET /api/v2/interactions/${setup.id}");
    assert_int_equal(s->thresholds[11].metric, SCN_M_REQUESTS);
    assert_string_equal(s->thresholds[12].stat, "rate");
    assert_int_equal(s->thresholds[12].cmp, SCN_GE);
    assert_true(s->thresholds[12].value == 50);
    assert_string_equal(s->thresholds[1].text, "latency: avg < 100");
}

static void check_open_defaults(const struct scenario *s)
{
    assert_string_equal(s->clock, "scaled:60");
    assert_int_equal(s->load.spacing, SCN_UNIFORM);
    assert_int_equal(s->load.vus, 1000);
    assert_true(s->load.rate > 0.8333 && s->load.rate < 0.8334);
    assert_int_equal(s->steps[0].poll.interval_us, 100000);
    assert_true(s->steps[0].poll.backoff == 1.5);
    assert_int_equal(s->steps[0].poll.max_interval_us, 2000000);
    assert_int_equal(s->steps[0].poll.deadline_us, 10000000);
    /* the poll and the request share their default tag */
    assert_int_equal(s->ntags, 1);
}

/* The deepest nesting the loader takes (SCN_MAX_DEPTH): 15 ifs, each with one step. */
static void check_if_nested_deepest(const struct scenario *s)
{
    const struct scn_step *st = &s->steps[0];
    for (int level = 2; level <= SCN_MAX_DEPTH; level++) {
        assert_int_equal(st->kind, SCN_IF);
        assert_int_equal(st->nthen, 1);
        st = &st->then_steps[0];
    }
    assert_int_equal(st->kind, SCN_THINK);
}

static const struct {
    const char *name;
    void (*check)(const struct scenario *s);
} good_checks[] = {
    {"minimal", check_minimal},
    {"dual-accept", check_dual_accept},
    {"inject-steady", check_inject_steady},
    {"everything", check_everything},
    {"open-defaults", check_open_defaults},
    {"if-nested-deepest", check_if_nested_deepest},
};

static void good_case(void **state)
{
    const char *name = *state; /* "good/NAME" */
    char path[300];
    struct scenario *s;

    snprintf(path, sizeof path, "%s.json", name);
    s = load_ok(path);
    assert_string_equal(s->path, path);
    for (size_t i = 0; i < sizeof good_checks / sizeof good_checks[0]; i++)
        if (strcmp(good_checks[i].name, name + 5) == 0) {
            good_checks[i].check(s);
            scn_free(s);
            return;
        }
    scn_free(s);
    fail_msg("%s loads but test_scenario.c has no checks for it: add some", path);
}

/* ---- bad cases ---- */

static void bad_case(void **state)
{
    const char *name = *state; /* "bad/NAME" */
    char path[300], errpath[300], want[600], got[600];
    struct scenario *s = (struct scenario *)&s;
    struct cx_error err;

    snprintf(path, sizeof path, "%s.json", name);
    snprintf(errpath, sizeof errpath, "%s.err", name);
    if (cxt_first_line(errpath, want, sizeof want) < 0)
        fail_msg("%s has no %s with its expected error", path, errpath);

    if (scn_load(path, &s, &err) == 0) {
        scn_free(s);
        fail_msg("%s loaded; expected: %s", path, want);
    }
    assert_null(s);
    cx_error_format(&err, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", path, got, want);
}

/* ---- the API around the cases ---- */

static void missing_file_is_an_error_without_position(void **state)
{
    struct scenario *s = NULL;
    struct cx_error err;
    char msg[400];

    assert_int_equal(scn_load("good/no-such-file.json", &s, &err), -1);
    assert_null(s);
    cx_error_format(&err, msg, sizeof msg);
    assert_string_equal(msg, "good/no-such-file.json:0:0: cannot open: No such file or directory");
}

static void text_in_memory_and_names(void **state)
{
    static const char text[] =
        "{\"name\": \"t\", \"tenant\": \"/abs/t.json\", \"load\": {\"model\": \"closed\", "
        "\"vus\": 1, \"duration\": \"1s\"}, \"steps\": [{\"end\": true}]}";
    struct scenario *s = NULL;
    struct cx_error err;

    assert_int_equal(scn_load_text("dir/x.json", text, strlen(text), &s, &err), 0);
    assert_string_equal(s->path, "dir/x.json");
    assert_string_equal(s->tenant, "/abs/t.json");
    assert_int_equal(s->load.duration_us, 1000000);
    assert_int_equal(s->load.iterations, 0);
    assert_string_equal(s->steps[0].name, "end");
    assert_int_equal(s->ntags, 0);
    scn_free(s);
    scn_free(NULL);
}

/* Every ```json block of client/SCENARIO.md is a complete scenario that loads. */
static void scenario_md_examples_load(void **state)
{
    const char *md = getenv("CXS_SCENARIO_MD") ? getenv("CXS_SCENARIO_MD") : CXS_SCENARIO_MD;
    char *text = NULL, *p;
    size_t len = 0;
    int blocks = 0;
    FILE *f = fopen(md, "r");

    if (!f)
        fail_msg("cannot open %s", md);
    text = calloc(1, 1 << 20);
    assert_non_null(text);
    len = fread(text, 1, (1 << 20) - 1, f);
    fclose(f);
    text[len] = '\0';
    for (p = text; (p = strstr(p, "\n```json\n")); blocks++) {
        char *start = p + 9, *end = strstr(start, "\n```");
        struct scenario *s = NULL;
        struct cx_error err;
        char name[64], msg[600];
        assert_non_null(end);
        snprintf(name, sizeof name, "SCENARIO.md#json%d", blocks + 1);
        if (scn_load_text(name, start, (size_t)(end - start + 1), &s, &err) != 0) {
            cx_error_format(&err, msg, sizeof msg);
            free(text);
            fail_msg("%s", msg);
        }
        scn_free(s);
        p = end + 4;
    }
    free(text);
    assert_true(blocks >= 2);
}

/* ---- main: one test per case file ---- */

/* The sorted names "SUB/NAME" of SUB/ *.json, appended to *names. */
static void list_cases(const char *sub, char ***names, size_t *n)
{
    struct dirent **ents = NULL;
    int k = scandir(sub, &ents, NULL, alphasort);

    for (int i = 0; i < k; i++) {
        size_t l = strlen(ents[i]->d_name);
        if (l > 5 && strcmp(ents[i]->d_name + l - 5, ".json") == 0) {
            char *name = malloc(strlen(sub) + l + 2);
            sprintf(name, "%s/%.*s", sub, (int)(l - 5), ents[i]->d_name);
            *names = realloc(*names, (*n + 1) * sizeof **names);
            (*names)[(*n)++] = name;
        }
        free(ents[i]);
    }
    free(ents);
}

int main(int argc, char **argv)
{
    const char *dir = getenv("CXS_SCENARIOS_DIR") ? getenv("CXS_SCENARIOS_DIR") : CXS_SCENARIOS_DIR;
    const char *only = argc > 1 ? argv[1] : NULL;
    char **names = NULL;
    size_t n = 0, ntests = 0, ncases = 0;
    struct CMUnitTest *tests;
    int rc;

    if (chdir(dir) != 0) {
        fprintf(stderr, "test_scenario: cannot enter %s\n", dir);
        return 1;
    }
    list_cases("good", &names, &n);
    list_cases("bad", &names, &n);
    tests = calloc(n + 3, sizeof *tests);
    if (!only) {
        tests[ntests++] =
            (struct CMUnitTest)cmocka_unit_test(missing_file_is_an_error_without_position);
        tests[ntests++] = (struct CMUnitTest)cmocka_unit_test(text_in_memory_and_names);
        tests[ntests++] = (struct CMUnitTest)cmocka_unit_test(scenario_md_examples_load);
    }
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(only, names[i]) != 0)
            continue;
        tests[ntests++] = (struct CMUnitTest){
            .name = names[i],
            .test_func = strncmp(names[i], "bad/", 4) == 0 ? bad_case : good_case,
            .initial_state = names[i],
        };
        ncases++;
    }
    if (ncases == 0) {
        fprintf(stderr, "test_scenario: no case %s%s in %s: nothing was tested\n",
                only ? "named " : "", only ? only : "", dir);
        rc = 1;
    } else {
        rc = _cmocka_run_group_tests("scenario", tests, ntests, NULL, NULL);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    return rc;
}
