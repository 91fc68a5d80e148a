/* test_tenant.c - the tenant loader: the built-in default, defaults, files, and a table of bad
 * fixtures, each run as its own test and checked for file:line:column, key and text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tenant.h"

/* ---- bad fixtures: the first error each must report ---- */

struct bad_case {
    const char *name;
    const char *json;
    const char *key; /* "" for a syntax error */
    int line, column;
    const char *text; /* a substring of the error text */
};

static const struct bad_case bad_cases[] = {
    {"syntax_error",
     "{\n"
     "  \"tenant\": \"x\",\n"
     "  \"clients\": [,]\n"
     "}\n",
     "", 3, 15, "unexpected token"},
    {"duplicate_json_key",
     "{\n"
     "  \"tenant\": \"x\",\n"
     "  \"tenant\": \"y\"\n"
     "}\n",
     "", 3, 10, "duplicate object key"},
    {"root_not_object", "[]", "", 1, 1, "expected object"},
    {"unknown_key_top",
     "{\n"
     "  \"tenant\": \"x\",\n"
     "  \"tokenTTL\": 5\n"
     "}\n",
     "tokenTTL", 3, 3, "unknown key"},
    {"unknown_key_nested",
     "{\n"
     "  \"queues\": [\n"
     "    {\"id\": \"q1\", \"ringSecs\": 5}\n"
     "  ]\n"
     "}\n",
     "queues[0].ringSecs", 3, 18, "unknown key"},
    {"unknown_key_in_thresholds",
     "{\"queues\": [{\"id\": \"q1\",\n"
     "  \"thresholds\": {\"abandonRate\": 0.1, \"sla\": 1}}]}\n",
     "queues[0].thresholds.sla", 2, 38, "unknown key"},
    {"unknown_key_with_dot_located_at_parent",
     "{\n"
     "  \"limits\": {\"a.b\": 1}\n"
     "}\n",
     "limits.a.b", 2, 13, "unknown key"},
    {"wrong_type_integer",
     "{\n"
     "  \"tokenTtlSeconds\": \"3600\"\n"
     "}\n",
     "tokenTtlSeconds", 2, 22, "expected integer"},
    {"wrong_type_real_for_integer", "{\"queues\": [{\"id\": \"q1\", \"maxRings\": 2.0}]}",
     "queues[0].maxRings", 1, 38, "expected integer"},
    {"wrong_type_string",
     "{\n"
     "  \"patchAssigned\": 409\n"
     "}\n",
     "patchAssigned", 2, 20, "expected string"},
    {"wrong_type_boolean", "{\"agents\": [{\"id\": \"a1\", \"scheduled\": \"no\"}]}",
     "agents[0].scheduled", 1, 39, "expected boolean"},
    {"wrong_type_array",
     "{\n"
     "  \"faults\": {}\n"
     "}\n",
     "faults", 2, 13, "expected array"},
    {"wrong_type_object", "{\"consistency\": [200, 500]}", "consistency", 1, 17, "expected object"},
    {"list_element_not_object", "{\"agents\": [\n  {\"id\": \"a1\"},\n  \"a2\"\n]}", "agents[1]", 3,
     3, "expected object"},
    {"scope_not_string",
     "{\"clients\": [{\"clientId\": \"c\", \"clientSecret\": \"s\",\n"
     "  \"scopes\": [\"a\", 7]}]}",
     "clients[0].scopes[1]", 2, 19, "expected string"},
    {"out_of_range_ring_seconds",
     "{\n"
     "  \"queues\": [\n"
     "    {\"id\": \"q1\"},\n"
     "    {\"id\": \"q2\",\n"
     "     \"ringSeconds\": 0}\n"
     "  ]\n"
     "}\n",
     "queues[1].ringSeconds", 5, 21, "expected integer >= 1"},
    {"out_of_range_ttl", "{\"tokenTtlSeconds\": 0}", "tokenTtlSeconds", 1, 21,
     "expected integer >= 1"},
    {"out_of_range_per_min",
     "{\"clients\": [{\"clientId\": \"c\", \"clientSecret\": \"s\", \"perMin\": -1}]}",
     "clients[0].perMin", 1, 63, "expected integer >= 0"},
    {"out_of_range_too_big_for_int", "{\"teardownMs\": 4294967296}", "teardownMs", 1, 16,
     "expected integer >= 0"},
    {"out_of_range_threshold",
     "{\"queues\": [{\"id\": \"q1\",\n"
     "  \"thresholds\": {\"abandonRate\": 1.5}}]}",
     "queues[0].thresholds.abandonRate", 2, 33, "expected number in [0, 1]"},
    {"consistency_min_above_max",
     "{\n"
     "  \"consistency\": {\"minMs\": 600,\n"
     "                  \"maxMs\": 100}\n"
     "}\n",
     "consistency.maxMs", 3, 28, "expected minMs <= maxMs"},
    {"consistency_min_above_default_max", "{\"consistency\": {\"minMs\": 600}}",
     "consistency.minMs", 1, 27, "expected minMs <= maxMs (600 > 500)"},
    {"bad_enum_state",
     "{\n"
     "  \"agents\": [\n"
     "    {\"id\": \"a1\", \"state\": \"BUSY\"}\n"
     "  ]\n"
     "}\n",
     "agents[0].state", 3, 27, "expected one of: READY, NOT_READY, PAUSED, IDLE, LOGGED_OUT"},
    {"bad_enum_channel", "{\"agents\": [{\"id\": \"a1\", \"channels\": [\"voice\", \"fax\"]}]}",
     "agents[0].channels[1]", 1, 48, "expected one of: voice, chat, sms, email"},
    {"bad_enum_sorting", "{\"queues\": [{\"id\": \"q1\", \"sortingStrategy\": \"fifo\"}]}",
     "queues[0].sortingStrategy", 1, 45, "expected one of: Priority, FIFO, LIFO, Custom"},
    {"bad_enum_rotation",
     "{\"clients\": [{\"clientId\": \"c\", \"clientSecret\": \"s\", \"rotation\": \"never\"}]}",
     "clients[0].rotation", 1, 65, "keep, revoke-previous"},
    {"bad_enum_patch_assigned", "{\"patchAssigned\": \"412\"}", "patchAssigned", 1, 19,
     "409, ignore"},
    {"bad_enum_overflow_action", "{\"queues\": [{\"id\": \"q1\", \"overflowAction\": \"bounce\"}]}",
     "queues[0].overflowAction", 1, 44, "drop, fallback"},
    {"missing_client_secret",
     "{\n"
     "  \"clients\": [\n"
     "    {\"clientId\": \"c1\"}\n"
     "  ]\n"
     "}\n",
     "clients[0].clientSecret", 3, 5, "missing required key"},
    {"missing_agent_id", "{\"agents\": [\n  {\"email\": \"a@b\"}]}", "agents[0].id", 2, 3,
     "missing required key"},
    {"missing_attribute_key", "{\"attributes\": [{\"maxLength\": 3}]}", "attributes[0].key", 1, 17,
     "missing required key"},
    {"missing_webhook_url", "{\"webhooks\": [{\"events\": []}]}", "webhooks[0].url", 1, 15,
     "missing required key"},
    {"empty_queue_id", "{\"queues\": [{\"id\": \"\"}]}", "queues[0].id", 1, 20,
     "expected non-empty string"},
    {"attribute_without_type_prefix", "{\"attributes\": [{\"key\": \"externalSource\"}]}",
     "attributes[0].key", 1, 25, "expected string:, number:, boolean: or date:"},
    {"attribute_prefix_without_name", "{\"attributes\": [{\"key\": \"number:\"}]}",
     "attributes[0].key", 1, 25, "followed by a name"},
    {"duplicate_queue_id",
     "{\n"
     "  \"queues\": [\n"
     "    {\"id\": \"q1\"},\n"
     "    {\"id\": \"q1\"}\n"
     "  ]\n"
     "}\n",
     "queues[1].id", 4, 12, "duplicate id \"q1\""},
    {"duplicate_client_id",
     "{\"clients\": [{\"clientId\": \"c\", \"clientSecret\": \"s\"},\n"
     "              {\"clientId\": \"c\", \"clientSecret\": \"t\"}]}",
     "clients[1].clientId", 2, 28, "duplicate id \"c\""},
    {"duplicate_agent_id", "{\"agents\": [{\"id\": \"a\"}, {\"id\": \"b\"}, {\"id\": \"a\"}]}",
     "agents[2].id", 1, 46, "duplicate id \"a\""},
    {"dangling_fallback_queue_id",
     "{\n"
     "  \"queues\": [\n"
     "    {\"id\": \"q1\", \"overflowAction\": \"fallback\",\n"
     "     \"fallbackQueueId\": \"q9\"}\n"
     "  ]\n"
     "}\n",
     "queues[0].fallbackQueueId", 4, 25, "unknown queue \"q9\""},
    {"fallback_to_itself", "{\"queues\": [{\"id\": \"q1\", \"fallbackQueueId\": \"q1\"}]}",
     "queues[0].fallbackQueueId", 1, 45, "another queue"},
    {"fallback_without_fallback_queue_id",
     "{\n"
     "  \"queues\": [\n"
     "    {\"id\": \"q1\"},\n"
     "    {\"id\": \"q2\", \"overflowAction\": \"fallback\"}\n"
     "  ]\n"
     "}\n",
     "queues[1].fallbackQueueId", 4, 5, "missing required key"},
    {"agent_unknown_queue",
     "{\"queues\": [{\"id\": \"q1\"}],\n"
     " \"agents\": [{\"id\": \"a1\", \"queues\": [\"q1\", \"q2\"]}]}",
     "agents[0].queues[1]", 2, 43, "unknown queue \"q2\""},
};

/* "LINE:COLUMN", so a failure prints both positions readably. */
static const char *pos(char *buf, size_t size, int line, int column)
{
    snprintf(buf, size, "%d:%d", line, column);
    return buf;
}

static void assert_has_text(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("error text \"%s\" does not contain \"%s\"", text, want);
}

static void run_bad_case(void **state)
{
    const struct bad_case *c = *state;
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    char got[32], want[32];

    assert_int_equal(cxm_tenant_parse(c->json, strlen(c->json), "bad.json", &t, &e), -1);
    assert_null(t);
    assert_string_equal(e.file, "bad.json");
    assert_string_equal(e.key, c->key);
    assert_string_equal(pos(got, sizeof got, e.line, e.column),
                        pos(want, sizeof want, c->line, c->column));
    assert_has_text(e.text, c->text);
}

/* A key path longer than cx_error.key ends in "..." and is located at the enclosing object. */
static void long_key_is_truncated(void **state)
{
    char json[400], name[201];
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    size_t n;

    (void)state;
    memset(name, 'k', 200);
    name[200] = '\0';
    snprintf(json, sizeof json, "{\n  \"limits\": {\"%s\": 1}}", name);
    assert_int_equal(cxm_tenant_parse(json, strlen(json), "long.json", &t, &e), -1);
    n = strlen(e.key);
    assert_int_equal(n, sizeof e.key - 1);
    assert_string_equal(e.key + n - 3, "...");
    assert_int_equal(strncmp(e.key, "limits.kkk", 10), 0);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.column, 13);
    assert_string_equal(e.text, "unknown key");
}

/* ---- the built-in default (mock/tenants/default.json) ---- */

static void default_tenant(void **state)
{
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    char msg[512];

    (void)state;
    if (cxm_tenant_load_default(&t, &e) != 0) {
        cx_error_format(&e, msg, sizeof msg);
        fail_msg("%s", msg);
    }
    assert_string_equal(t->name, "default");
    assert_int_equal(t->token_ttl_s, 3600);
    assert_int_equal(t->consistency_min_ms, 200);
    assert_int_equal(t->consistency_max_ms, 500);
    assert_int_equal(t->evaluation_interval_ms, 1000);
    assert_int_equal(t->idempotency_ttl_s, 86400);
    assert_false(t->patch_assigned_ignore);
    assert_int_equal(t->tenant_per_min, 6000);
    assert_int_equal(t->agent_state_per_min, 100);
    assert_int_equal(t->teardown_ms, 1000);
    assert_int_equal(t->event_retention, 100000);

    assert_int_equal(t->nclients, 4);
    assert_string_equal(t->clients[0].id, "cx-integration");
    assert_string_equal(t->clients[0].secret, "cx-integration-secret");
    assert_int_equal(t->clients[0].nscopes, 6);
    assert_string_equal(t->clients[0].scopes[5], "agent:state");
    assert_int_equal(t->clients[0].per_min, 120);
    assert_int_equal(t->clients[0].token_ttl_s, 3600);
    assert_int_equal(t->clients[0].rotation, CXM_ROTATION_KEEP);
    assert_int_equal(t->clients[1].rotation, CXM_ROTATION_REVOKE_PREVIOUS);
    assert_int_equal(t->clients[2].token_ttl_s, 60);
    assert_int_equal(t->clients[3].nscopes, 1);
    assert_string_equal(t->clients[3].scopes[0], "interaction:read");

    assert_int_equal(t->nagents, 8);
    assert_string_equal(t->agents[0].id, "agent-voice-1");
    assert_string_equal(t->agents[0].email, "ada@example.test");
    assert_string_equal(t->agents[0].password, "ada-pass");
    assert_int_equal(t->agents[0].state, CXM_AGENT_READY);
    assert_int_equal(t->agents[0].channels, CXM_CH_VOICE | CXM_CH_CHAT);
    assert_int_equal(t->agents[0].nqueues, 0);
    assert_true(t->agents[0].scheduled);
    assert_false(t->agents[0].mandatory_break);
    assert_int_equal(t->agents[2].channels, CXM_CH_DIGITAL);
    assert_int_equal(t->agents[4].state, CXM_AGENT_NOT_READY);
    assert_int_equal(t->agents[4].channels, CXM_CH_VOICE | CXM_CH_DIGITAL);
    assert_int_equal(t->agents[5].state, CXM_AGENT_LOGGED_OUT);
    assert_false(t->agents[6].scheduled);
    assert_true(t->agents[7].mandatory_break);

    assert_int_equal(t->nqueues, 4);
    assert_string_equal(t->queues[0].id, "q-priority");
    assert_string_equal(t->queues[0].name, "Priority support");
    assert_int_equal(t->queues[0].sorting, CXM_SORT_PRIORITY);
    assert_int_equal(t->queues[0].max_rings, 3);
    assert_int_equal(t->queues[0].ring_seconds, 20);
    assert_int_equal(t->queues[0].overflow_depth, 50);
    assert_int_equal(t->queues[0].max_wait_seconds, 600);
    assert_int_equal(t->queues[0].max_capacity, 500);
    assert_int_equal(t->queues[0].overflow_action, CXM_OVERFLOW_DROP);
    assert_null(t->queues[0].fallback_queue_id);
    assert_true(t->queues[0].has_abandon_rate);
    assert_true(t->queues[0].abandon_rate == 0.5);
    assert_true(t->queues[0].has_service_level);
    assert_true(t->queues[0].service_level == 0.2);
    assert_false(t->queues[1].has_abandon_rate);
    assert_int_equal(t->queues[1].sorting, CXM_SORT_FIFO);
    assert_int_equal(t->queues[2].overflow_depth, 2);
    assert_int_equal(t->queues[3].overflow_action, CXM_OVERFLOW_FALLBACK);
    assert_string_equal(t->queues[3].fallback_queue_id, "q-fifo");

    assert_int_equal(t->ndispositions, 4);
    assert_string_equal(t->dispositions[3], "customer_hung_up");
    assert_int_equal(t->nattributes, 5);
    assert_string_equal(t->attributes[0].key, "string:externalSource");
    assert_int_equal(t->attributes[1].max_length, 32);
    assert_string_equal(t->attributes[4].key, "date:callbackAfter");
    assert_int_equal(t->attributes[4].max_length, 255);
    assert_int_equal(t->nwebhooks, 0);
    assert_true(json_is_array(t->faults));
    assert_int_equal(json_array_size(t->faults), 0);

    assert_ptr_equal(cxm_tenant_queue(t, "q-fifo"), &t->queues[1]);
    assert_int_equal(cxm_tenant_queue_index(t, "q-fallback"), 3);
    assert_null(cxm_tenant_queue(t, "q-none"));
    assert_int_equal(cxm_tenant_queue_index(t, "q-none"), -1);
    cxm_tenant_free(t);
}

/* ---- defaults of every optional key ---- */

static void defaults(void **state)
{
    static const char json[] = "{\"tokenTtlSeconds\": 900,\n"
                               " \"clients\": [{\"clientId\": \"c\", \"clientSecret\": \"s\"}],\n"
                               " \"agents\": [{\"id\": \"a\", \"queues\": [\"q\"]}],\n"
                               " \"queues\": [{\"id\": \"q\"}],\n"
                               " \"attributes\": [{\"key\": \"boolean:vip\"}],\n"
                               " \"webhooks\": [{\"url\": \"http://127.0.0.1:9/h\",\n"
                               "               \"events\": [\"a\", \"b\"]}],\n"
                               " \"faults\": [{\"group\": \"auth\"}]}";
    struct cxm_tenant *t = NULL;
    struct cx_error e;

    (void)state;
    assert_int_equal(cxm_tenant_parse(json, strlen(json), "d.json", &t, &e), 0);
    assert_string_equal(t->name, "default");
    assert_int_equal(t->token_ttl_s, 900);
    assert_int_equal(t->consistency_min_ms, 200);
    assert_int_equal(t->consistency_max_ms, 500);
    assert_int_equal(t->evaluation_interval_ms, 1000);
    assert_int_equal(t->idempotency_ttl_s, 86400);
    assert_false(t->patch_assigned_ignore);
    assert_int_equal(t->tenant_per_min, 0);
    assert_int_equal(t->agent_state_per_min, 100);
    assert_int_equal(t->teardown_ms, 1000);
    assert_int_equal(t->event_retention, 100000);
    assert_int_equal(t->clients[0].per_min, 120);
    assert_int_equal(t->clients[0].token_ttl_s, 900); /* the tenant's */
    assert_int_equal(t->clients[0].rotation, CXM_ROTATION_KEEP);
    assert_int_equal(t->clients[0].nscopes, 0);
    assert_int_equal(t->agents[0].state, CXM_AGENT_READY);
    assert_int_equal(t->agents[0].channels, CXM_CH_VOICE);
    assert_true(t->agents[0].scheduled);
    assert_false(t->agents[0].mandatory_break);
    assert_string_equal(t->agents[0].email, "");
    assert_string_equal(t->agents[0].password, "");
    assert_int_equal(t->agents[0].nqueues, 1);
    assert_string_equal(t->agents[0].queues[0], "q");
    assert_string_equal(t->queues[0].name, "q");
    assert_int_equal(t->queues[0].sorting, CXM_SORT_FIFO);
    assert_int_equal(t->queues[0].max_rings, 3);
    assert_int_equal(t->queues[0].ring_seconds, 20);
    assert_int_equal(t->queues[0].overflow_depth, 0);
    assert_int_equal(t->queues[0].max_wait_seconds, 0);
    assert_int_equal(t->queues[0].max_capacity, 0);
    assert_int_equal(t->queues[0].overflow_action, CXM_OVERFLOW_DROP);
    assert_false(t->queues[0].has_abandon_rate);
    assert_false(t->queues[0].has_service_level);
    assert_int_equal(t->attributes[0].max_length, 255);
    assert_string_equal(t->webhooks[0].url, "http://127.0.0.1:9/h");
    assert_int_equal(t->webhooks[0].nevents, 2);
    assert_string_equal(t->webhooks[0].events[1], "b");
    assert_int_equal(json_array_size(t->faults), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(t->faults, 0), "group")),
                        "auth");
    cxm_tenant_free(t);

    assert_int_equal(cxm_tenant_parse("{}", 2, "e.json", &t, &e), 0);
    assert_int_equal(t->nclients + t->nagents + t->nqueues + t->ndispositions + t->nattributes +
                         t->nwebhooks,
                     0);
    assert_true(json_is_array(t->faults));
    assert_int_equal(json_array_size(t->faults), 0);
    cxm_tenant_free(t);
    cxm_tenant_free(NULL);
}

/* ---- files ---- */

/* Write LEN bytes of TEXT (or a sparse file of LEN bytes if TEXT is NULL) to a new temporary
 * file whose name goes into PATH. */
static void write_temp(char path[64], const char *text, size_t len)
{
    int fd;

    snprintf(path, 64, "/tmp/test_tenant_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    if (text)
        assert_int_equal(write(fd, text, len), (ssize_t)len);
    else
        assert_int_equal(ftruncate(fd, (off_t)len), 0);
    close(fd);
}

static void missing_file(void **state)
{
    static const char path[] = "/nonexistent-dir/tenant.json";
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    char msg[512];

    (void)state;
    assert_int_equal(cxm_tenant_load_file(path, &t, &e), -1);
    assert_null(t);
    assert_string_equal(e.file, path);
    assert_int_equal(e.line, 0);
    assert_int_equal(e.column, 0);
    assert_has_text(e.text, "No such file");
    cx_error_format(&e, msg, sizeof msg);
    assert_string_equal(msg, "/nonexistent-dir/tenant.json:0:0: cannot open: No such file or "
                             "directory");
}

static void file_ok_and_file_error(void **state)
{
    static const char good[] = "{\"tenant\": \"from-file\"}";
    static const char bad[] = "{\n  \"tenant\": 1\n}";
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    char path[64], msg[512], want[600];

    (void)state;
    write_temp(path, good, strlen(good));
    assert_int_equal(cxm_tenant_load_file(path, &t, &e), 0);
    assert_string_equal(t->name, "from-file");
    cxm_tenant_free(t);
    unlink(path);

    t = NULL;
    write_temp(path, bad, strlen(bad));
    assert_int_equal(cxm_tenant_load_file(path, &t, &e), -1);
    assert_null(t);
    cx_error_format(&e, msg, sizeof msg);
    snprintf(want, sizeof want, "%s:2:13: tenant: expected string", path);
    assert_string_equal(msg, want);
    unlink(path);
}

static void file_too_large(void **state)
{
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    char path[64];

    (void)state;
    write_temp(path, NULL, (16u << 20) + 1);
    assert_int_equal(cxm_tenant_load_file(path, &t, &e), -1);
    assert_null(t);
    assert_string_equal(e.file, path);
    assert_has_text(e.text, "larger than 16 MiB");
    unlink(path);
}

/* ---- small pieces ---- */

static void error_format(void **state)
{
    struct cx_error e = {"t.json", 3, 7, "queues[2].ringSeconds", "expected integer >= 1"};
    char buf[512], small[8];

    (void)state;
    cx_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "t.json:3:7: queues[2].ringSeconds: expected integer >= 1");
    e.key[0] = '\0';
    cx_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "t.json:3:7: expected integer >= 1");
    cx_error_format(&e, small, sizeof small);
    assert_string_equal(small, "t.json:");
    cx_error_format(&e, small, 0); /* no-op */
}

static void enum_names(void **state)
{
    (void)state;
    assert_string_equal(cxm_channel_name(CXM_CH_VOICE), "voice");
    assert_string_equal(cxm_channel_name(CXM_CH_CHAT), "chat");
    assert_string_equal(cxm_channel_name(CXM_CH_SMS), "sms");
    assert_string_equal(cxm_channel_name(CXM_CH_EMAIL), "email");
    assert_null(cxm_channel_name(CXM_CH_VOICE | CXM_CH_CHAT));
    assert_null(cxm_channel_name(0));
    assert_int_equal(cxm_channel_parse("email"), CXM_CH_EMAIL);
    assert_int_equal(cxm_channel_parse("Email"), -1);
    assert_int_equal(cxm_channel_parse(NULL), -1);
    assert_string_equal(cxm_agent_state_name(CXM_AGENT_NOT_READY), "NOT_READY");
    assert_string_equal(cxm_agent_state_name(CXM_AGENT_LOGGED_OUT), "LOGGED_OUT");
    assert_null(cxm_agent_state_name((enum cxm_agent_state)99));
    assert_int_equal(cxm_agent_state_parse("PAUSED"), CXM_AGENT_PAUSED);
    assert_int_equal(cxm_agent_state_parse("IDLE"), CXM_AGENT_IDLE);
    assert_int_equal(cxm_agent_state_parse("ready"), -1);
    assert_string_equal(cxm_sorting_name(CXM_SORT_PRIORITY), "Priority");
    assert_string_equal(cxm_sorting_name(CXM_SORT_LIFO), "LIFO");
    assert_string_equal(cxm_sorting_name(CXM_SORT_CUSTOM), "Custom");
    assert_null(cxm_sorting_name((enum cxm_sorting) - 1));
}

#define NBAD (sizeof bad_cases / sizeof bad_cases[0])

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(default_tenant), cmocka_unit_test(defaults),
        cmocka_unit_test(missing_file),   cmocka_unit_test(file_ok_and_file_error),
        cmocka_unit_test(file_too_large), cmocka_unit_test(error_format),
        cmocka_unit_test(enum_names),     cmocka_unit_test(long_key_is_truncated),
    };
    struct CMUnitTest tests[sizeof fixed / sizeof fixed[0] + NBAD];
    size_t n = 0;

    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        tests[n++] = fixed[i];
    for (size_t i = 0; i < NBAD; i++)
        tests[n++] =
            (struct CMUnitTest){bad_cases[i].name, run_bad_case, NULL, NULL, (void *)&bad_cases[i]};
    return cmocka_run_group_tests_name("tenant", tests, NULL, NULL);
}
