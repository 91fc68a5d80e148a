/* test_checks.c - each built-in violation check (checks.h) on a hand-made history: the naive
 * pattern is flagged with its name and rule ID, the correct pattern is not. Rules: ACC-05,
 * ACC-06, REJ-03, REJ-04, CONS-01, INJ-05, PRI-04, RATE-01, AUTH-05, AGT-03, REJ-02, INJ-04, and a
 * failed expectation that names its rule (ACC-03).
 *
 * Every history is judged twice: as recorded, and written as history.jsonl lines (hrec_write)
 * and read back (hrec_parse), as `cxreport judge` reads a run; the two verdicts must be equal,
 * so a field a check reads that the line does not carry fails here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "hrec.h"
#include "reconcile.h"
#include "violations.h"

struct h {
    struct hrec r[32];
    size_t n;
};

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Append a record: op, vu, time (ms), status, subject, agent. */
static struct hrec *add(struct h *h, int op, int vu, int64_t at_ms, int status, const char *subject,
                        const char *agent)
{
    struct hrec *r = &h->r[h->n++];
    hrec_init(r);
    r->op = op;
    r->vu = vu;
    r->start_us = r->intended_us = at_ms * 1000 - 500;
    r->end_us = at_ms * 1000;
    r->status = status;
    r->outcome = status >= 200 && status < 300 ? OUT_OK
                 : status == 0                 ? OUT_INDETERMINATE
                                               : OUT_FAIL;
    r->subject = dup(subject);
    r->agent = dup(agent);
    r->opid = (uint64_t)h->n;
    r->path = dup("POST /x");
    return r;
}

/* The verdict on H's records written as lines and read back. */
static json_t *judged_from_lines(struct h *h)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    for (size_t i = 0; i < h->n; i++)
        hrec_write(f, &h->r[i], "t");
    fclose(f);
    struct hrec back[32];
    size_t n = 0;
    struct cx_error err;
    for (char *line = text, *eol; line && *line; line = eol + 1) {
        eol = strchr(line, '\n');
        assert_non_null(eol);
        if (hrec_parse(line, (size_t)(eol - line), &back[n], &err) < 0)
            fail_msg("line %zu: %s: %s: %.*s", n + 1, err.key, err.text, (int)(eol - line), line);
        n++;
    }
    free(text);
    json_t *v = checks_run(back, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        hrec_free(&back[i]);
    return v;
}

static long long count(struct h *h, const char *name)
{
    json_t *again = judged_from_lines(h);
    json_t *v = checks_run(h->r, h->n, NULL, NULL);
    assert_non_null(v);
    assert_non_null(again);
    if (!json_equal(v, again)) {
        char *a = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS),
             *b = json_dumps(again, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("the verdict from history lines differs:\n recorded: %s\n from lines: %s", a, b);
    }
    json_decref(again);
    const json_t *x = json_object_get(v, name);
    assert_non_null(x);
    assert_string_equal(json_string_value(json_object_get(x, "rule")), violation_rule(name));
    long long c = json_integer_value(json_object_get(x, "count"));
    if (c)
        assert_true(json_array_size(json_object_get(x, "examples")) >= 1);
    json_decref(v);
    for (size_t i = 0; i < h->n; i++)
        hrec_free(&h->r[i]);
    h->n = 0;
    return c;
}

/* ACC-05: the loser of the race acts although the accept's answer named the winner. */
static void test_duplicate_accept_acc05(void **state)
{
    struct h h = {0};
    add(&h, HREC_ACCEPT, 1, 10, 200, "i1", "b")->resp_agent = dup("a");
    add(&h, HREC_ACT, 1, 20, 409, "i1", "b");
    assert_int_equal(count(&h, "DUPLICATE_ACCEPT"), 1);
    assert_string_equal(violation_rule("DUPLICATE_ACCEPT"), "ACC-05");
    /* the correct client stops when the answer names someone else; the winner acts */
    add(&h, HREC_ACCEPT, 1, 10, 200, "i1", "b")->resp_agent = dup("a");
    add(&h, HREC_ACCEPT, 0, 10, 200, "i1", "a")->resp_agent = dup("a");
    add(&h, HREC_ACT, 0, 20, 200, "i1", "a");
    assert_int_equal(count(&h, "DUPLICATE_ACCEPT"), 0);
    /* the first-wins refusal (409 naming the owner) acted on anyway: by an act, or a reject */
    add(&h, HREC_ACCEPT, 1, 10, 409, "i1", "b")->resp_agent = dup("a");
    add(&h, HREC_ACT, 1, 20, 409, "i1", "b");
    add(&h, HREC_ACCEPT, 1, 30, 409, "i2", "b")->resp_agent = dup("a");
    add(&h, HREC_REJECT, 1, 40, 409, "i2", "b");
    assert_int_equal(count(&h, "DUPLICATE_ACCEPT"), 2);
    /* offered again after losing (the winner rejected it back): a reject the platform takes
     * (200) is the agent's own decision */
    add(&h, HREC_ACCEPT, 1, 10, 200, "i3", "b")->resp_agent = dup("a");
    add(&h, HREC_REJECT, 1, 40, 200, "i3", "b");
    assert_int_equal(count(&h, "DUPLICATE_ACCEPT"), 0);
    /* a refusal that named nobody is no accept to act on; the owner's own reject is its own */
    add(&h, HREC_ACCEPT, 1, 10, 409, "i1", "b");
    add(&h, HREC_ACT, 1, 20, 409, "i1", "b");
    add(&h, HREC_ACCEPT, 0, 30, 200, "i2", "a")->resp_agent = dup("a");
    add(&h, HREC_REJECT, 0, 40, 200, "i2", "a");
    assert_int_equal(count(&h, "DUPLICATE_ACCEPT"), 0);
}

/* ACC-06: acting after an accept of an interaction that had already ended. */
static void test_phantom_accept_acc06(void **state)
{
    struct h h = {0};
    add(&h, HREC_ACCEPT, 0, 10, 200, "i1", "a")->resp_agent = dup("a");
    add(&h, HREC_READ, 0, 15, 200, "i1", NULL)->resp_state = dup("Ended");
    add(&h, HREC_ACT, 0, 20, 409, "i1", "a");
    assert_int_equal(count(&h, "PHANTOM_ACCEPT"), 1);
    add(&h, HREC_ACCEPT, 0, 10, 200, "i1", "a")->resp_agent = dup("a");
    add(&h, HREC_READ, 0, 15, 200, "i1", NULL)->resp_state = dup("Active");
    add(&h, HREC_ACT, 0, 20, 200, "i1", "a");
    assert_int_equal(count(&h, "PHANTOM_ACCEPT"), 0);
}

/* CONS-01: acting on a read that does not show the accept yet. */
static void test_stale_read_cons01(void **state)
{
    struct h h = {0};
    add(&h, HREC_ACCEPT, 0, 10, 200, "i1", "a")->resp_agent = dup("a");
    add(&h, HREC_READ, 0, 11, 200, "i1", NULL)->resp_state = dup("Ringing");
    add(&h, HREC_ACT, 0, 12, 200, "i1", "a");
    assert_int_equal(count(&h, "STALE_READ"), 1);
    add(&h, HREC_ACCEPT, 0, 10, 200, "i1", "a")->resp_agent = dup("a");
    add(&h, HREC_READ, 0, 11, 200, "i1", NULL)->resp_state = dup("Ringing");
    add(&h, HREC_READ, 0, 400, 200, "i1", NULL)->resp_state = dup("Active");
    add(&h, HREC_ACT, 0, 401, 200, "i1", "a");
    assert_int_equal(count(&h, "STALE_READ"), 0);
}

/* REJ-03: reject with returnToQueue answered 200, then the interaction is gone. */
static void test_silent_drop_rej03(void **state)
{
    struct h h = {0};
    add(&h, HREC_REJECT, 0, 10, 200, "i1", "a")->returned = 1;
    add(&h, HREC_READ, 0, 600, 404, "i1", NULL);
    assert_int_equal(count(&h, "SILENT_DROP"), 1);
    add(&h, HREC_REJECT, 0, 10, 200, "i1", "a")->returned = 1;
    add(&h, HREC_READ, 0, 600, 200, "i1", NULL)->resp_state = dup("Ringing");
    assert_int_equal(count(&h, "SILENT_DROP"), 0);
}

/* REJ-04: a reject retried without dedup reaches the platform twice. */
static void test_duplicate_reject_rej04(void **state)
{
    struct h h = {0};
    struct hrec *a = add(&h, HREC_REJECT, 0, 10, 503, "i1", "a");
    struct hrec *b = add(&h, HREC_REJECT, 0, 200, 200, "i1", "a");
    b->opid = a->opid;
    b->attempt = 1;
    assert_int_equal(count(&h, "DUPLICATE_REJECT"), 1);
    a = add(&h, HREC_REJECT, 0, 10, 429, "i1", "a"); /* refused: never applied */
    b = add(&h, HREC_REJECT, 0, 200, 200, "i1", "a");
    b->opid = a->opid;
    b->attempt = 1;
    assert_int_equal(count(&h, "DUPLICATE_REJECT"), 0);
    /* a key on the reject changes nothing: the platform ignores it and applies both */
    a = add(&h, HREC_REJECT, 0, 10, 503, "i2", "a");
    b = add(&h, HREC_REJECT, 0, 200, 200, "i2", "a");
    a->has_idem = b->has_idem = 1;
    b->opid = a->opid;
    b->attempt = 1;
    assert_int_equal(count(&h, "DUPLICATE_REJECT"), 1);
}

/* INJ-05: one business key, two contacts; and a contact never confirmed. */
static void test_injection_inj05(void **state)
{
    struct h h = {0};
    struct hrec *a = add(&h, HREC_INJECT, 0, 10, 201, NULL, NULL);
    a->key = dup("k1");
    a->resp_id = dup("c1");
    struct hrec *b = add(&h, HREC_INJECT, 0, 20, 201, NULL, NULL);
    b->key = dup("k1");
    b->resp_id = dup("c2");
    assert_int_equal(count(&h, "DUPLICATE_CONTACT"), 1);
    a = add(&h, HREC_INJECT, 0, 10, 201, NULL, NULL); /* a replayed key: the same id */
    a->key = dup("k1");
    a->resp_id = dup("c1");
    b = add(&h, HREC_INJECT, 0, 20, 201, NULL, NULL);
    b->key = dup("k1");
    b->resp_id = dup("c1");
    assert_int_equal(count(&h, "DUPLICATE_CONTACT"), 0);
    a = add(&h, HREC_INJECT, 0, 10, 0, NULL, NULL);
    a->key = dup("k2");
    b = add(&h, HREC_INJECT, 0, 30, 503, NULL, NULL);
    b->opid = a->opid;
    b->attempt = 1;
    assert_int_equal(count(&h, "LOST_CONTACT"), 1);
    /* throttled, then refused for good (409 at capacity): the client was told, nothing is lost */
    a = add(&h, HREC_INJECT, 0, 10, 429, NULL, NULL);
    a->key = dup("k3");
    b = add(&h, HREC_INJECT, 0, 30, 409, NULL, NULL);
    b->opid = a->opid;
    b->attempt = 1;
    assert_int_equal(count(&h, "LOST_CONTACT"), 0);
    add(&h, HREC_INJECT, 0, 10, 429, NULL, NULL)->key = dup("k4"); /* throttled, not retried */
    assert_int_equal(count(&h, "LOST_CONTACT"), 1);
}

/* PRI-04: a priority raise acknowledged, the queue position unchanged (a FIFO queue). */
static void test_priority_not_applied_pri04(void **state)
{
    struct h h = {0};
    add(&h, HREC_READ, 0, 5, 200, "c1", NULL)->resp_position = 3;
    add(&h, HREC_PRIORITY, 0, 10, 200, "c1", NULL)->req_priority = 8;
    add(&h, HREC_READ, 0, 2000, 200, "c1", NULL)->resp_position = 3;
    assert_int_equal(count(&h, "PRIORITY_NOT_APPLIED"), 1);
    add(&h, HREC_READ, 0, 5, 200, "c1", NULL)->resp_position = 3;
    add(&h, HREC_PRIORITY, 0, 10, 200, "c1", NULL)->req_priority = 8;
    add(&h, HREC_READ, 0, 2000, 200, "c1", NULL)->resp_position = 1;
    assert_int_equal(count(&h, "PRIORITY_NOT_APPLIED"), 0);
}

/* RATE-01: a retry sooner than the 429's Retry-After. */
static void test_retry_storm_rate01(void **state)
{
    struct h h = {0};
    struct hrec *a = add(&h, 0, 0, 10, 429, NULL, NULL);
    a->retry_after_us = 1000000;
    struct hrec *b = add(&h, 0, 0, 111, 201, NULL, NULL);
    b->opid = a->opid;
    b->attempt = 1;
    assert_int_equal(count(&h, "RETRY_STORM"), 1);
    a = add(&h, 0, 0, 10, 429, NULL, NULL);
    a->retry_after_us = 1000000;
    b = add(&h, 0, 0, 1011, 201, NULL, NULL);
    b->opid = a->opid;
    b->attempt = 1;
    assert_int_equal(count(&h, "RETRY_STORM"), 0);
}

/* AUTH-05: a 401 on a token after another user fetched a newer one for the same client. */
static void test_auth_cascade_auth05(void **state)
{
    struct h h = {0};
    struct hrec *t1 = add(&h, HREC_TOKEN, 0, 10, 200, NULL, NULL);
    t1->key = dup("cx-rotating");
    t1->token = 1;
    struct hrec *t2 = add(&h, HREC_TOKEN, 1, 20, 200, NULL, NULL);
    t2->key = dup("cx-rotating");
    t2->token = 2;
    add(&h, 0, 0, 30, 401, NULL, NULL)->token = 1;
    assert_int_equal(count(&h, "AUTH_CASCADE"), 1);
    t1 = add(&h, HREC_TOKEN, 0, 10, 200, NULL, NULL);
    t1->key = dup("cx-rotating");
    t1->token = 1;
    add(&h, 0, 0, 30, 200, NULL, NULL)->token = 1;
    add(&h, 0, 1, 30, 200, NULL, NULL)->token = 1;
    assert_int_equal(count(&h, "AUTH_CASCADE"), 0);
    /* a token-fetch storm: a fetch refused with 429 after two more by the same user within
     * 10 s; the first refusal, after one fetch, is not yet one */
    t1 = add(&h, HREC_TOKEN, 0, 10, 200, "cx-integration", NULL);
    t1->key = dup("#1");
    t1->token = 1;
    add(&h, HREC_TOKEN, 0, 20, 429, "cx-integration", NULL)->key = dup("#1");
    add(&h, HREC_TOKEN, 0, 30, 429, "cx-integration", NULL)->key = dup("#1");
    assert_int_equal(count(&h, "AUTH_CASCADE"), 1);
    /* one login refused after other traffic spent the tenant's window; fetches 10 s apart; other
     * users' fetches: none a storm */
    add(&h, HREC_TOKEN, 0, 10, 200, "cx-integration", NULL)->key = dup("#1");
    add(&h, HREC_TOKEN, 0, 20, 429, "cx-integration", NULL)->key = dup("#1");
    add(&h, HREC_TOKEN, 1, 10, 200, "cx-integration", NULL)->key = dup("#1");
    add(&h, HREC_TOKEN, 2, 15, 200, "cx-integration", NULL)->key = dup("#1");
    add(&h, HREC_TOKEN, 3, 17, 429, "cx-integration", NULL)->key = dup("#1");
    add(&h, HREC_TOKEN, 4, 0, 200, "cx-integration", NULL)->key = dup("#1");
    add(&h, HREC_TOKEN, 4, 10000, 200, "cx-integration", NULL)->key = dup("#1");
    add(&h, HREC_TOKEN, 4, 20001, 429, "cx-integration", NULL)->key = dup("#1");
    assert_int_equal(count(&h, "AUTH_CASCADE"), 0);
}

/* AGT-03: READY during a mandatory break is refused. */
static void test_policy_violation_agt03(void **state)
{
    struct h h = {0};
    add(&h, HREC_STATE, 0, 10, 409, NULL, "agent-on-break");
    assert_int_equal(count(&h, "POLICY_VIOLATION"), 1);
    add(&h, HREC_STATE, 0, 10, 202, NULL, "agent-voice-1");
    assert_int_equal(count(&h, "POLICY_VIOLATION"), 0);
}

/* REJ-02: a rejectReason that is not a disposition reads back as "Unknown". */
static void test_unknown_disposition_rej02(void **state)
{
    struct h h = {0};
    add(&h, HREC_REJECT, 0, 10, 200, "i1", "a")->req_reason = dup("busy");
    add(&h, HREC_READ, 0, 600, 200, "i1", NULL)->resp_reason = dup("Unknown");
    assert_int_equal(count(&h, "UNKNOWN_DISPOSITION"), 1);
    add(&h, HREC_REJECT, 0, 10, 200, "i1", "a")->req_reason = dup("agent_busy");
    add(&h, HREC_READ, 0, 600, 200, "i1", NULL)->resp_reason = dup("agent_busy");
    assert_int_equal(count(&h, "UNKNOWN_DISPOSITION"), 0);
}

/* INJ-04: an attribute dropped (unregistered) or truncated, found by reading the contact back. */
static void test_attribute_loss_inj04(void **state)
{
    struct h h = {0};
    struct hrec *r = add(&h, HREC_INJECT, 0, 10, 201, NULL, NULL);
    r->resp_id = dup("c1");
    r->req_attrs = json_pack("{ss ss}", "string:customerTier", "platinum-with-a-long-name",
                             "string:crmCase", "42");
    add(&h, HREC_READ, 0, 20, 200, "c1", NULL)->resp_attrs =
        json_pack("{ss}", "string:customerTier", "platinum");
    assert_int_equal(count(&h, "ATTRIBUTE_LOSS"), 1);
    r = add(&h, HREC_INJECT, 0, 10, 201, NULL, NULL);
    r->resp_id = dup("c1");
    r->req_attrs = json_pack("{ss}", "string:customerTier", "gold");
    add(&h, HREC_READ, 0, 20, 200, "c1", NULL)->resp_attrs =
        json_pack("{ss}", "string:customerTier", "gold");
    assert_int_equal(count(&h, "ATTRIBUTE_LOSS"), 0);
}

/* A failed expectation is counted as EXPECT_FAILED; a step's "rule" goes into its example. */
static void test_expect_failed_names_its_rule(void **state)
{
    struct h h = {0};
    struct hrec *r = add(&h, HREC_NONE, 0, 10, 400, NULL, NULL);
    r->expect_failed = 1;
    r->why = dup("status 200");
    r->rule = dup("ACC-03");
    json_t *v = checks_run(h.r, h.n, NULL, NULL);
    const json_t *ex =
        json_array_get(json_object_get(json_object_get(v, "EXPECT_FAILED"), "examples"), 0);
    assert_string_equal(json_string_value(json_object_get(ex, "rule")), "ACC-03");
    assert_non_null(strstr(json_string_value(json_object_get(ex, "what")), "ACC-03: expected"));
    json_decref(v);
    assert_int_equal(count(&h, "EXPECT_FAILED"), 1);
}

/* The checks follow links computed once (link_records); each link keeps the scope the rule
 * has: the same user and iteration for ACC-05/ACC-06/CONS-01, the same client id and time order
 * for AUTH-05, the same contact for PRI-04. */
static void test_links_keep_their_scope(void **state)
{
    struct h h = {0};
    /* CONS-01: a stale read before the accept is not what the actor knew after it */
    add(&h, HREC_READ, 0, 5, 200, "i1", NULL)->resp_state = dup("Ringing");
    add(&h, HREC_ACCEPT, 0, 10, 200, "i1", "a")->resp_agent = dup("a");
    add(&h, HREC_ACT, 0, 20, 200, "i1", "a");
    add(&h, HREC_ACCEPT, 0, 30, 200, "i2", "a")->resp_agent = dup("a");
    add(&h, HREC_READ, 0, 31, 200, "i2", NULL)->resp_state = dup("Ringing");
    add(&h, HREC_ACCEPT, 0, 40, 200, "i2", "a")->resp_agent = dup("a"); /* accepted again */
    add(&h, HREC_ACT, 0, 50, 200, "i2", "a");
    assert_int_equal(count(&h, "STALE_READ"), 0);
    /* ACC-05: an accept of another user, or of the same user in another iteration, or of
     * another interaction, is not this act's */
    add(&h, HREC_ACCEPT, 1, 10, 200, "i1", "b")->resp_agent = dup("a");
    add(&h, HREC_ACT, 0, 20, 200, "i1", "a");
    add(&h, HREC_ACCEPT, 0, 30, 200, "i2", "a")->resp_agent = dup("b");
    add(&h, HREC_ACT, 0, 40, 200, "i1", "a");
    struct hrec *old = add(&h, HREC_ACCEPT, 2, 50, 200, "i3", "c");
    old->resp_agent = dup("d");
    add(&h, HREC_ACT, 2, 60, 200, "i3", "c")->iter = 1;
    assert_int_equal(count(&h, "DUPLICATE_ACCEPT"), 0);
    /* ... and the last accept of the iteration is the one that counts */
    add(&h, HREC_ACCEPT, 0, 10, 200, "i1", "a")->resp_agent = dup("b");
    add(&h, HREC_ACCEPT, 0, 20, 200, "i1", "a")->resp_agent = dup("a");
    add(&h, HREC_ACT, 0, 30, 200, "i1", "a");
    add(&h, HREC_ACCEPT, 1, 40, 200, "i1", "b")->resp_agent = dup("b");
    add(&h, HREC_ACCEPT, 1, 50, 200, "i1", "b")->resp_agent = dup("a");
    add(&h, HREC_ACT, 1, 60, 409, "i1", "b");
    assert_int_equal(count(&h, "DUPLICATE_ACCEPT"), 1);
    /* AUTH-05: a newer token of another client id, or one fetched after the 401 was sent */
    struct hrec *t = add(&h, HREC_TOKEN, 0, 10, 200, NULL, NULL);
    t->key = dup("cx-a");
    t->token = 1;
    t = add(&h, HREC_TOKEN, 1, 20, 200, NULL, NULL);
    t->key = dup("cx-b");
    t->token = 2;
    struct hrec *late = add(&h, 0, 0, 30, 401, NULL, NULL);
    late->token = 1;
    t = add(&h, HREC_TOKEN, 1, 40, 200, NULL, NULL);
    t->key = dup("cx-a");
    t->token = 3;
    assert_int_equal(count(&h, "AUTH_CASCADE"), 0);
    /* PRI-04: positions read of another contact */
    add(&h, HREC_READ, 0, 5, 200, "c2", NULL)->resp_position = 3;
    add(&h, HREC_PRIORITY, 0, 10, 200, "c1", NULL)->req_priority = 8;
    add(&h, HREC_READ, 0, 2000, 200, "c2", NULL)->resp_position = 3;
    add(&h, HREC_READ, 0, 5, 200, "c3", NULL)->resp_position = 3; /* none after: not judged */
    add(&h, HREC_PRIORITY, 0, 10, 200, "c3", NULL)->req_priority = 8;
    assert_int_equal(count(&h, "PRIORITY_NOT_APPLIED"), 0);
    /* ... and of the contact itself: the last read after the change is the one judged */
    add(&h, HREC_READ, 0, 5, 200, "c1", NULL)->resp_position = 3;
    add(&h, HREC_PRIORITY, 0, 10, 200, "c1", NULL)->req_priority = 8;
    add(&h, HREC_READ, 0, 100, 200, "c1", NULL)->resp_position = 1;
    add(&h, HREC_READ, 0, 2000, 200, "c1", NULL)->resp_position = 4;
    assert_int_equal(count(&h, "PRIORITY_NOT_APPLIED"), 1);
}

/* The mock's ledger is ground truth: a silent drop the client never looked for is counted. */
static void test_reconcile_with_ledger(void **state)
{
    struct h h = {0};
    json_t *v = checks_run(h.r, 0, NULL, NULL);
    json_t *ledger = json_loads("{\"entries\": 9, \"checks\": {\"SILENT_DROP\": {\"count\": 2, "
                                "\"examples\": [{\"seq\": 4}]}, \"DUAL_ATTACH\": {\"count\": 0, "
                                "\"examples\": []}}}",
                                0, NULL);
    json_t *diffs = checks_reconcile(v, ledger);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(v, "SILENT_DROP"), "count")), 2);
    assert_int_equal(json_array_size(diffs), 1);
    assert_non_null(strstr(json_string_value(json_array_get(diffs, 0)), "SILENT_DROP"));
    assert_int_equal(checks_total(v), 2);
    json_decref(diffs);
    json_decref(ledger);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_accept_acc05),
        cmocka_unit_test(test_phantom_accept_acc06),
        cmocka_unit_test(test_stale_read_cons01),
        cmocka_unit_test(test_silent_drop_rej03),
        cmocka_unit_test(test_duplicate_reject_rej04),
        cmocka_unit_test(test_injection_inj05),
        cmocka_unit_test(test_priority_not_applied_pri04),
        cmocka_unit_test(test_retry_storm_rate01),
        cmocka_unit_test(test_auth_cascade_auth05),
        cmocka_unit_test(test_policy_violation_agt03),
        cmocka_unit_test(test_unknown_disposition_rej02),
        cmocka_unit_test(test_attribute_loss_inj04),
        cmocka_unit_test(test_expect_failed_names_its_rule),
        cmocka_unit_test(test_links_keep_their_scope),
        cmocka_unit_test(test_reconcile_with_ledger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
