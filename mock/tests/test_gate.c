/* test_gate.c - `cxmock gate` judging outside programs (DESIGN: cxmock gate; docs/rules.md,
 * "What cxmock gate sees"): the Python examples as the users wrote them, the naive one
 * caught for DUPLICATE_CONTACT (INJ-05), RETRY_STORM (RATE-01), DUPLICATE_ACCEPT (ACC-05) and
 * SILENT_DROP (REJ-03) with exit 99, the correct one passing with 0; a COMMAND that fails or
 * hangs (3), bad usage (1), a thresholds file, and the run directory cxreport reads back.
 * Each run is a real cxmock process with its own mock on a free loopback port. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cxtest.h"

struct run {
    char dir[256], out[300];
    char *stdout_text, *stderr_text;
    int rc;
};

/* cxmock gate --out DIR/out ARGS... within SECS (scaled). */
static void gate(struct run *r, const char *const *args, long secs)
{
    memset(r, 0, sizeof *r);
    assert_int_equal(cxt_tmpdir(r->dir, sizeof r->dir, "cxgate"), 0);
    snprintf(r->out, sizeof r->out, "%s/out", r->dir);
    const char *argv[32] = {getenv("CXMOCK_BIN"), "gate", "--out", r->out};
    int n = 4;
    for (; *args && n < 31; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    r->rc = cxt_run(argv, secs * 1000, &r->stdout_text, &r->stderr_text);
}

static void done(struct run *r)
{
    free(r->stdout_text);
    free(r->stderr_text);
    cxt_rmrf(r->dir);
}

static json_t *summary(const struct run *r)
{
    char path[400];
    snprintf(path, sizeof path, "%s/summary.json", r->out);
    json_error_t e;
    json_t *s = json_load_file(path, 0, &e);
    if (!s)
        fail_msg("%s: %s\nstderr: %s", path, e.text, r->stderr_text);
    return s;
}

static long long count(const json_t *s, const char *name)
{
    return json_integer_value(
        json_object_get(json_object_get(json_object_get(s, "violations"), name), "count"));
}

static char *example(const char *rel)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/examples/python/%s", getenv("CXM_SOURCE_DIR"), rel);
    return path;
}

/* The naive integration: exit 99, the four mistakes named with their rule IDs, examples naming
 * an interaction id and a request id; every file of a run written. */
static void test_naive_example_fails_the_gate(void **state)
{
    (void)state;
    struct run r;
    gate(&r, (const char *[]){"--", "python3", example("naive.py"), NULL}, 120);
    if (r.rc != 99)
        fail_msg("exit %d\nstdout: %s\nstderr: %s", r.rc, r.stdout_text, r.stderr_text);
    static const char *const caught[][2] = {{"DUPLICATE_CONTACT", "INJ-05"},
                                            {"RETRY_STORM", "RATE-01"},
                                            {"DUPLICATE_ACCEPT", "ACC-05"},
                                            {"SILENT_DROP", "REJ-03"}};
    json_t *s = summary(&r);
    for (size_t i = 0; i < 4; i++) {
        char named[64];
        snprintf(named, sizeof named, "%s (%s)", caught[i][0], caught[i][1]);
        if (count(s, caught[i][0]) < 1 || !strstr(r.stdout_text, named))
            fail_msg("%s not caught:\n%s", named, r.stdout_text);
    }
    const json_t *ex = json_array_get(
        json_object_get(json_object_get(json_object_get(s, "violations"), "SILENT_DROP"),
                        "examples"),
        0);
    assert_non_null(json_string_value(json_object_get(ex, "subject")));
    assert_non_null(json_string_value(json_object_get(ex, "requestId")));
    assert_int_equal(json_integer_value(json_object_get(s, "exitCode")), 99);
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "command"), "end")),
                        "exited");
    json_decref(s);
    static const char *const files[] = {"junit.xml", "history.jsonl", "ledger.jsonl",
                                        "latency.hlog", "report.html"};
    for (size_t i = 0; i < 5; i++) {
        char path[400];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", r.out, files[i]);
        char *text = cxt_read_file(path, &len);
        if (!text || len == 0)
            fail_msg("%s missing or empty", path);
        free(text);
    }
    /* cxreport reads it as a run, and judges it again from the history to the same counts */
    const char *text[] = {getenv("CXREPORT_BIN"), "text", r.out, NULL};
    char *out = NULL;
    assert_int_equal(cxt_run(text, 60000, &out, NULL), 0);
    assert_non_null(strstr(out, "DUPLICATE_ACCEPT (ACC-05)"));
    free(out);
    const char *judge[] = {getenv("CXREPORT_BIN"), "judge", r.out, NULL};
    assert_int_equal(cxt_run(judge, 60000, &out, NULL), 99);
    if (!strstr(out, "judged again from history.jsonl: the violation counts recorded"))
        fail_msg("re-judged differently:\n%s", out);
    free(out);
    done(&r);
}

/* Two gates merged by cxreport: each had its own mock, so every count adds (no operation of one
 * is taken for a retry of the other's). */
static void test_two_gates_merge_exactly(void **state)
{
    (void)state;
    struct run a, b;
    gate(&a, (const char *[]){"--quiet", "--", "python3", example("naive.py"), NULL}, 120);
    gate(&b, (const char *[]){"--quiet", "--", "python3", example("naive.py"), NULL}, 120);
    assert_int_equal(a.rc, 99);
    assert_int_equal(b.rc, 99);
    struct run m = a;
    snprintf(m.out, sizeof m.out, "%s/merged", a.dir);
    const char *argv[] = {getenv("CXREPORT_BIN"), "merge", a.out, b.out, "--out", m.out, NULL};
    assert_int_equal(cxt_run(argv, 60000, NULL, NULL), 99);
    json_t *sa = summary(&a), *sb = summary(&b);
    json_t *sm = summary(&m);
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(sm, "violations"), name, v)
    {
        long long want = count(sa, name) + count(sb, name);
        if (count(sm, name) != want)
            fail_msg("%s: merged %lld, the two gates %lld", name, count(sm, name), want);
    }
    assert_true(count(sm, "DUPLICATE_CONTACT") == 2);
    json_decref(sa);
    json_decref(sb);
    json_decref(sm);
    done(&a);
    done(&b);
}

static int exists(void *path)
{
    return access(path, F_OK) == 0;
}

/* An interrupted gate stops COMMAND's process group, still judges what was seen, exits 3. */
static void test_interrupt_stops_the_command(void **state)
{
    (void)state;
    char dir[256], out[300];
    assert_int_equal(cxt_tmpdir(dir, sizeof dir, "cxgate-int"), 0);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *argv[] = {getenv("CXMOCK_BIN"), "gate", "--out", out, "--", "sleep", "60", NULL};
    struct cxt_proc p;
    struct cxt_stream o = {CXT_PIPE, NULL}, e = {CXT_PIPE, NULL};
    assert_int_equal(cxt_spawn(&p, argv, o, e), 0);
    char started[400];
    snprintf(started, sizeof started, "%s/history.jsonl", out);
    assert_true(cxt_wait_for(exists, started, 10000)); /* the gate is under way */
    int rc = cxt_stop(&p, SIGINT, 30000);
    struct run r = {.rc = rc};
    snprintf(r.dir, sizeof r.dir, "%s", dir);
    snprintf(r.out, sizeof r.out, "%s", out);
    json_t *s = summary(&r);
    assert_int_equal(rc, 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "command"), "end")),
                        "interrupted");
    assert_true(json_real_value(json_object_get(json_object_get(s, "command"), "seconds")) < 30);
    json_decref(s);
    cxt_rmrf(dir);
}

/* The correct integration: exit 0, no violation, on the real and on a scaled clock. */
static void test_correct_example_passes_the_gate(void **state)
{
    (void)state;
    static const char *const clocks[] = {"real", "scaled:60"};
    for (size_t i = 0; i < 2; i++) {
        struct run r;
        gate(&r,
             (const char *[]){"--clock", clocks[i], "--", "python3", example("correct.py"), NULL},
             120);
        if (r.rc != 0)
            fail_msg("--clock %s: exit %d\nstdout: %s\nstderr: %s", clocks[i], r.rc, r.stdout_text,
                     r.stderr_text);
        json_t *s = summary(&r);
        assert_true(json_is_true(json_object_get(s, "passed")));
        const char *name;
        json_t *v;
        json_object_foreach(json_object_get(s, "violations"), name, v)
        {
            if (json_integer_value(json_object_get(v, "count")))
                fail_msg("--clock %s: %s counted", clocks[i], name);
        }
        json_decref(s);
        done(&r);
    }
}

/* The checks the examples do not reach, each made once by mock/tests/gate/checks.py: the gate
 * reads a revoked bearer's 401 (AUTH-05), an injection left in doubt (INJ-05), a refused state
 * write (AGT-03), a reason stored as Unknown (REJ-02) and a reject applied twice (REJ-04). */
static void test_each_check_from_the_mock_side(void **state)
{
    (void)state;
    char script[600];
    snprintf(script, sizeof script, "%s/mock/tests/gate/checks.py", getenv("CXM_SOURCE_DIR"));
    struct run r;
    gate(&r, (const char *[]){"--", "python3", script, NULL}, 120);
    if (r.rc != 99)
        fail_msg("exit %d\nstdout: %s\nstderr: %s", r.rc, r.stdout_text, r.stderr_text);
    static const char *const caught[] = {"AUTH_CASCADE", "LOST_CONTACT", "POLICY_VIOLATION",
                                         "UNKNOWN_DISPOSITION", "DUPLICATE_REJECT"};
    json_t *s = summary(&r);
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
        if (count(s, caught[i]) != 1)
            fail_msg("%s counted %lld, not 1:\n%s", caught[i], count(s, caught[i]), r.stdout_text);
    assert_int_equal(count(s, "DUPLICATE_CONTACT"), 0);
    assert_int_equal(count(s, "RETRY_STORM"), 0);
    json_decref(s);
    done(&r);
}

/* A correct program doing what a careless judge could misread (mock/tests/gate/careful.py, on a
 * tenant that takes either idempotency header, INJ-05): routes without an id, a lost accept and
 * a later decline of the same call offered again (ACC-05), a 429 waited out to its exact
 * retryAfterMs (RATE-01), a reject resent after a reset the mock never saw (REJ-04), and two
 * contacts with their own Idempotency-Key each. Nothing is a violation. */
static void test_careful_program_passes(void **state)
{
    (void)state;
    char dir[256], tenant[300], script[600], src[600];
    assert_int_equal(cxt_tmpdir(dir, sizeof dir, "cxgate-t"), 0);
    snprintf(src, sizeof src, "%s/mock/tenants/default.json", getenv("CXM_SOURCE_DIR"));
    json_t *t = json_load_file(src, 0, NULL);
    assert_non_null(t);
    json_object_set_new(t, "idempotencyHeaders", json_string("either"));
    snprintf(tenant, sizeof tenant, "%s/either.json", dir);
    assert_int_equal(json_dump_file(t, tenant, 0), 0);
    json_decref(t);
    snprintf(script, sizeof script, "%s/mock/tests/gate/careful.py", getenv("CXM_SOURCE_DIR"));
    struct run r;
    gate(
        &r,
        (const char *[]){"--tenant", tenant, "--clock", "scaled:60", "--", "python3", script, NULL},
        120);
    if (r.rc != 0)
        fail_msg("exit %d\nstdout: %s\nstderr: %s", r.rc, r.stdout_text, r.stderr_text);
    done(&r);
    cxt_rmrf(dir);
}

/* What COMMAND inherits: not the history's file descriptor; the terminal, when the gate has it
 * (a program that sets it is not stopped by SIGTTOU); and an ignored SIGCHLD inherited by the
 * gate does not hide COMMAND's end. */
static void test_what_the_command_inherits(void **state)
{
    (void)state;
    struct run r;
    gate(&r,
         (const char *[]){"--", "sh", "-c",
                          "for f in /proc/$$/fd/*; do readlink \"$f\"; done | grep -q history "
                          "&& exit 1; exit 0",
                          NULL},
         60);
    if (r.rc != 0)
        fail_msg("COMMAND holds the history open: exit %d\n%s", r.rc, r.stderr_text);
    done(&r);

    char dir[256], line[1200];
    assert_int_equal(cxt_tmpdir(dir, sizeof dir, "cxgate-tty"), 0);
    snprintf(line, sizeof line, "%s gate --out %s/out --timeout 20s -- stty sane",
             getenv("CXMOCK_BIN"), dir);
    const char *tty[] = {"/usr/bin/script", "-qec", line, "/dev/null", NULL};
    assert_int_equal(cxt_run(tty, 60000, NULL, NULL), 0);
    snprintf(line, sizeof line, "trap '' CHLD; exec %s gate --out %s/out2 --timeout 20s -- true",
             getenv("CXMOCK_BIN"), dir);
    const char *ign[] = {"/bin/sh", "-c", line, NULL};
    int64_t t0 = cxt_now_ms();
    assert_int_equal(cxt_run(ign, 60000, NULL, NULL), 0);
    assert_true(cxt_now_ms() - t0 < cxt_scaled_ms(15000)); /* not the 20 s timeout */
    cxt_rmrf(dir);
}

/* A COMMAND that fails, hangs or cannot start: exit 3, the outcome in summary.json. */
static void test_command_failures_exit_3(void **state)
{
    (void)state;
    static const struct {
        const char *args[8];
        const char *end;
    } cases[] = {
        {{"--", "sh", "-c", "exit 7", NULL}, "exited"},
        {{"--", "sh", "-c", "kill -SEGV $$", NULL}, "signalled"},
        {{"--timeout", "1s", "--", "sleep", "60", NULL}, "timedOut"},
        {{"--", "/nonexistent/program", NULL}, "notRun"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct run r;
        gate(&r, cases[i].args, 60);
        json_t *s = summary(&r);
        const char *end = json_string_value(json_object_get(json_object_get(s, "command"), "end"));
        if (r.rc != 3 || !end || strcmp(end, cases[i].end) != 0)
            fail_msg("case %zu: exit %d, end %s\n%s", i, r.rc, end ? end : "-", r.stderr_text);
        assert_true(json_is_false(json_object_get(s, "passed")));
        json_decref(s);
        done(&r);
    }
}

/* Usage errors exit 1 with a message; --help documents the environment and the exit codes; a
 * thresholds file holds the gate to its own conditions. */
static void test_usage_and_thresholds(void **state)
{
    (void)state;
    struct run r;
    gate(&r, (const char *[]){NULL}, 30);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.stderr_text, "COMMAND"));
    done(&r);
    gate(&r, (const char *[]){"--clock", "manual", "--", "true", NULL}, 30);
    assert_int_equal(r.rc, 1);
    done(&r);
    gate(&r, (const char *[]){"--help", NULL}, 30);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.stdout_text, "CXMOCK_URL"));
    assert_non_null(strstr(r.stdout_text, "99"));
    done(&r);

    char dir[256], th[300], bad[300];
    assert_int_equal(cxt_tmpdir(dir, sizeof dir, "cxgate-th"), 0);
    snprintf(th, sizeof th, "%s/th.json", dir);
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    assert_int_equal(cxt_write_file(th, "{\"thresholds\": {\"requests\": [\"count>=1\"]}}"), 0);
    assert_int_equal(
        cxt_write_file(bad, "{\"thresholds\": {\"violations{NOPE}\": [\"count==0\"]}}"), 0);
    gate(&r, (const char *[]){"--thresholds", th, "--", "true", NULL}, 30);
    assert_int_equal(r.rc, 99); /* no request at all */
    assert_non_null(strstr(r.stdout_text, "requests: count>=1"));
    done(&r);
    gate(&r, (const char *[]){"--thresholds", bad, "--", "true", NULL}, 30);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.stderr_text, "violations{NOPE}"));
    done(&r);
    cxt_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_naive_example_fails_the_gate),
        cmocka_unit_test(test_correct_example_passes_the_gate),
        cmocka_unit_test(test_each_check_from_the_mock_side),
        cmocka_unit_test(test_careful_program_passes),
        cmocka_unit_test(test_what_the_command_inherits),
        cmocka_unit_test(test_two_gates_merge_exactly),
        cmocka_unit_test(test_interrupt_stops_the_command),
        cmocka_unit_test(test_command_failures_exit_3),
        cmocka_unit_test(test_usage_and_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
