/* test_hrec.c - the history record's line (docs/history.md) and the violation table.
 *
 * A record with every field set is written and read back whole; a record with none set comes
 * back with its absent values absent; malformed lines are refused with where and why; the
 * table's driver names are every violation the driver reports, each with a rule ID
 * (docs/rules.md); a history file read back keeps only what matters to the checks, shifted
 * onto a shared timeline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hrec.h"
#include "judge.h"
#include "violations.h"

static char *line_of(const struct hrec *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    hrec_write(f, r, "tag \"quoted\"");
    fclose(f);
    assert_true(len > 2 && text[len - 1] == '\n');
    return text;
}

static void full(struct hrec *r)
{
    hrec_init(r);
    r->thread = 1;
    r->vu = 7;
    r->step = 3;
    r->iter = 2;
    r->opid = (2ULL << 40) | 5;
    r->attempt = 1;
    r->op = HREC_INJECT;
    r->status = 201;
    r->outcome = OUT_OK;
    r->intended_us = 100;
    r->start_us = 120;
    r->end_us = 980;
    r->retry_after_us = 1500000;
    r->has_idem = 1;
    r->setup = 1;
    r->token = (2ULL << 40) | 1;
    r->subject = strdup("ix-\"1\"\n");
    r->agent = strdup("agent-voice-1");
    r->key = strdup("order-42");
    r->path = strdup("POST /api/v2/routing/contacts");
    r->resp_agent = strdup("agent-voice-2");
    r->resp_state = strdup("Active");
    r->resp_id = strdup("c-9");
    r->resp_priority = 5;
    r->req_priority = 9;
    r->resp_position = 2;
    r->returned = 1;
    r->expect_failed = 1;
    r->why = strdup("status 200");
    r->rule = strdup("INJ-04");
    r->req_reason = strdup("wrong_language");
    r->resp_reason = strdup("Unknown");
    r->req_attrs = json_pack("{ss si}", "string:customerTier", "gold", "number:orderValue", 3);
    r->resp_attrs = json_pack("{ss}", "string:customerTier", "go");
    r->resp_type = strdup("application/json");
    r->resp_body = strdup("{\"error\":\"unknown operationName\"}");
    r->barrier = strdup("ring");
    r->generation = 3;
    r->rank = 1;
    r->advance = 1000;
    snprintf(r->request_id, sizeof r->request_id, "r12");
}

#define SAME_STR(a, b) assert_string_equal((a) ? (a) : "(null)", (b) ? (b) : "(null)")

/* Every field of a record survives its line. */
static void test_round_trip_every_field(void **state)
{
    struct hrec a, b;
    full(&a);
    char *line = line_of(&a);
    struct cx_error err;
    assert_int_equal(hrec_parse(line, strlen(line), &b, &err), 0);
    assert_int_equal(b.thread, a.thread);
    assert_int_equal(b.vu, a.vu);
    assert_int_equal(b.step, a.step);
    assert_int_equal(b.iter, a.iter);
    assert_true(b.opid == a.opid);
    assert_int_equal(b.attempt, a.attempt);
    assert_int_equal(b.op, a.op);
    assert_int_equal(b.status, a.status);
    assert_int_equal(b.outcome, a.outcome);
    assert_int_equal(b.intended_us, a.intended_us);
    assert_int_equal(b.start_us, a.start_us);
    assert_int_equal(b.end_us, a.end_us);
    assert_int_equal(b.retry_after_us, a.retry_after_us);
    assert_int_equal(b.has_idem, 1);
    assert_int_equal(b.setup, 1);
    assert_true(b.token == a.token);
    SAME_STR(b.subject, a.subject);
    SAME_STR(b.agent, a.agent);
    SAME_STR(b.key, a.key);
    SAME_STR(b.path, a.path);
    SAME_STR(b.resp_agent, a.resp_agent);
    SAME_STR(b.resp_state, a.resp_state);
    SAME_STR(b.resp_id, a.resp_id);
    assert_int_equal(b.resp_priority, 5);
    assert_int_equal(b.req_priority, 9);
    assert_int_equal(b.resp_position, 2);
    assert_int_equal(b.returned, 1);
    assert_int_equal(b.expect_failed, 1);
    SAME_STR(b.why, a.why);
    SAME_STR(b.rule, a.rule);
    SAME_STR(b.req_reason, a.req_reason);
    SAME_STR(b.resp_reason, a.resp_reason);
    assert_true(json_equal(b.req_attrs, a.req_attrs));
    assert_true(json_equal(b.resp_attrs, a.resp_attrs));
    assert_string_equal(b.request_id, "r12");
    SAME_STR(b.resp_type, a.resp_type);
    SAME_STR(b.resp_body, a.resp_body);
    SAME_STR(b.barrier, a.barrier);
    assert_int_equal(b.generation, 3);
    assert_int_equal(b.rank, 1);
    assert_int_equal(b.advance, 1000);
    free(line);
    hrec_free(&a);
    hrec_free(&b);
}

/* An empty record's absent values stay absent (-1, NULL), and it does not matter to a check. */
static void test_round_trip_absent_fields(void **state)
{
    struct hrec a, b;
    hrec_init(&a);
    a.status = 200;
    char *line = line_of(&a);
    struct cx_error err;
    assert_null(strstr(line, "\"answer\""));
    assert_null(strstr(line, "\"sent\""));
    assert_null(strstr(line, "\"op\""));
    assert_int_equal(hrec_parse(line, strlen(line), &b, &err), 0);
    assert_int_equal(b.op, HREC_NONE);
    assert_int_equal(b.retry_after_us, -1);
    assert_int_equal(b.resp_priority, -1);
    assert_int_equal(b.req_priority, -1);
    assert_int_equal(b.resp_position, -1);
    assert_int_equal(b.generation, -1);
    assert_int_equal(b.rank, -1);
    assert_int_equal(b.advance, -1);
    assert_null(b.resp_body);
    assert_null(b.barrier);
    assert_null(b.subject);
    assert_null(b.req_attrs);
    assert_int_equal(b.expect_failed, 0);
    assert_false(hrec_matters(&b));
    b.status = 429;
    assert_true(hrec_matters(&b));
    free(line);
    hrec_free(&b);
}

/* A line that is not a record says where and why. */
static void test_malformed_lines(void **state)
{
    static const char *const bad[][2] = {
        {"{\"vu\": 1,", "string or"}, /* jansson's error, at column 9 */
        {"[1, 2]", "not a JSON object"},
        {"{\"thread\":0,\"vu\":0,\"iter\":0,\"step\":0,\"opid\":1,\"attempt\":0,\"status\":200,"
         "\"startUs\":1,\"outcome\":\"ok\"}",
         "endUs"},
        {"{\"thread\":0,\"vu\":0,\"iter\":0,\"step\":0,\"opid\":1,\"attempt\":0,\"status\":200,"
         "\"startUs\":1,\"endUs\":2,\"outcome\":\"maybe\"}",
         "outcome"},
        {"{\"thread\":0,\"vu\":0,\"iter\":0,\"step\":0,\"opid\":1,\"attempt\":0,\"status\":200,"
         "\"startUs\":1,\"endUs\":2,\"outcome\":\"ok\",\"op\":\"dance\"}",
         "op"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hrec r;
        struct cx_error e;
        char err[1400];
        assert_int_equal(hrec_parse(bad[i][0], strlen(bad[i][0]), &r, &e), -1);
        cx_error_format(&e, err, sizeof err);
        if (!strstr(err, bad[i][1]))
            fail_msg("line %zu: expected \"%s\" in the error, got \"%s\"", i, bad[i][1], err);
        hrec_free(&r);
    }
}

/* Op names both ways; a scenario's ops are the step ops, not "token". */
static void test_op_names(void **state)
{
    for (int op = HREC_NONE; op < HREC_OPS; op++)
        assert_int_equal(hrec_op_parse(hrec_op_name((enum hrec_op)op)), op);
    assert_int_equal(hrec_op_parse("dance"), -1);
    assert_string_equal(hrec_step_op_names[HREC_ACCEPT - 1], "accept");
    assert_string_equal(hrec_step_op_names[HREC_ACT - 1], "act");
    assert_null(hrec_step_op_names[HREC_TOKEN - 1]);
}

/* The one table: every violation the driver reports is a driver name, each with a rule ID;
 * the mock's SIM-04 names are in it too (SIM-04). */
static void test_violation_table(void **state)
{
    int drivers = 0;
    for (int i = 0; i < V_COUNT; i++) {
        const struct violation_info *v = &violation_table[i];
        assert_true(v->rule[0] && v->meaning[0]);
        assert_int_equal(violation_find(v->name), i);
        if (v->seen_by & VS_DRIVER) {
            assert_non_null(violation_driver_names[drivers]);
            assert_string_equal(violation_driver_names[drivers], v->name);
            drivers++;
        }
        if (v->seen_by & VS_RECONCILED)
            assert_true((v->seen_by & VS_DRIVER) && (v->seen_by & VS_MOCK));
    }
    assert_null(violation_driver_names[drivers]);
    static const char *const mock_names[] = {"DUAL_ATTACH", "SILENT_DROP", "PHANTOM_ACCEPT",
                                             "DUPLICATE_CONTACT", "LOST_CONTACT"};
    for (size_t i = 0; i < sizeof mock_names / sizeof mock_names[0]; i++) {
        int v = violation_find(mock_names[i]);
        assert_true(v >= 0);
        assert_true(violation_table[v].seen_by & VS_MOCK);
    }
    assert_string_equal(violation_rule("SILENT_DROP"), "REJ-03");
    assert_string_equal(violation_rule("NOPE"), "");
}

/* A history file read back: only the records that matter, shifted; a bad line is located. */
static void test_read_history_file(void **state)
{
    char path[] = "/tmp/cxj-history-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    struct hrec r;
    full(&r);
    hrec_write(f, &r, "inject");
    hrec_free(&r);
    hrec_init(&r);
    r.status = 200; /* a plain GET: does not matter to a check */
    hrec_write(f, &r, "read");
    fputs("\n", f);
    fclose(f);
    struct judge_records rs = {0};
    struct cx_error e;
    char err[1400];
    assert_int_equal(judge_read_history(&rs, path, 1000, &e), 0);
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.v[0].end_us, 1980);
    assert_string_equal(rs.v[0].key, "order-42");
    f = fopen(path, "a");
    fputs("{\"vu\":\n", f);
    fclose(f);
    assert_int_equal(judge_read_history(&rs, path, 0, &e), -1);
    cx_error_format(&e, err, sizeof err);
    if (!strstr(err, ":4:"))
        fail_msg("expected line 4 in \"%s\"", err);
    judge_records_free(&rs);
    assert_int_equal(judge_read_history(&rs, "/nonexistent/history.jsonl", 0, &e), -1);
    cx_error_format(&e, err, sizeof err);
    assert_string_equal(err, "/nonexistent/history.jsonl: No such file or directory");
    unlink(path);
}

/* Mock answers: counts add across separate mocks, the larger is kept for one mock. */
static void test_mock_answers_combine(void **state)
{
    json_t *a = json_pack("{s{s{si s[{si}]}}}", "checks", "SILENT_DROP", "count", 2, "examples",
                          "seq", 1),
           *b = json_pack("{s{s{si s[{si}{si}{si}]}}}", "checks", "SILENT_DROP", "count", 3,
                          "examples", "seq", 1, "seq", 2, "seq", 3);
    json_t *sum = NULL, *max = NULL;
    judge_add_mock(&sum, a, 0);
    judge_add_mock(&sum, b, 0);
    judge_add_mock(&max, a, 1);
    judge_add_mock(&max, b, 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(sum, "checks"), "SILENT_DROP"), "count")),
                     5);
    json_t *m = json_object_get(json_object_get(max, "checks"), "SILENT_DROP");
    assert_int_equal(json_integer_value(json_object_get(m, "count")), 3);
    assert_int_equal(json_array_size(json_object_get(m, "examples")), 3);
    json_decref(a);
    json_decref(b);
    json_decref(sum);
    json_decref(max);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_field),
        cmocka_unit_test(test_round_trip_absent_fields),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_op_names),
        cmocka_unit_test(test_violation_table),
        cmocka_unit_test(test_read_history_file),
        cmocka_unit_test(test_mock_answers_combine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
