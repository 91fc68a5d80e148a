/* test_tenant.c - the tenant loader: the built-in default, defaults, files, and the bad fixtures
 * of tenants/bad (cases as data), each run as its own test and checked for its exact
 * file:line:column, key and text. */
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
#include "tenant.h"

/* ---- bad fixtures: cases as data ----
 *
 * tenants/bad/NAME.json must fail with exactly the first line of tenants/bad/NAME.err as its
 * formatted error (FILE:LINE:COLUMN: KEY: TEXT, FILE as passed: "bad/NAME.json"). Each case is
 * its own test: `test_tenant bad/NAME` runs one, and ctest runs each as tenant_bad_NAME. */

static void run_bad_case(void **state)
{
    const char *name = *state; /* "bad/NAME" */
    char path[300], errpath[300], want[600], got[600];
    snprintf(path, sizeof path, "%s.json", name);
    snprintf(errpath, sizeof errpath, "%s.err", name);
    if (cxt_first_line(errpath, want, sizeof want) < 0)
        fail_msg("%s has no %s with its expected error", path, errpath);
    struct cxm_tenant *t = NULL;
    struct cx_error e;
    if (cxm_tenant_load_file(path, &t, &e) == 0) {
        cxm_tenant_free(t);
        fail_msg("%s loaded; expected: %s", path, want);
    }
    assert_null(t);
    cx_error_format(&e, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  got:  %s\n  want: %s", path, got, want);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bad cases in tenants/bad (the current directory's bad/), as "bad/NAME", sorted. */
static size_t list_bad_cases(char ***out)
{
    DIR *d = opendir("bad");
    size_t n = 0, cap = 0;
    char **names = NULL;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap && !(names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names)))
            break;
        if (asprintf(&names[n], "bad/%.*s", (int)(len - 5), de->d_name) > 0)
            n++;
    }
    if (d)
        closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    *out = names;
    return names ? n : 0;
}

static void assert_has_text(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("error text \"%s\" does not contain \"%s\"", text, want);
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

    assert_int_equal(t->nclients, 8);
    assert_string_equal(t->clients[0].id, "cx-integration");
    assert_string_equal(t->clients[0].secret, "cx-integration-secret");
    assert_int_equal(t->clients[0].nscopes, 14);
    assert_string_equal(t->clients[0].scopes[12], "breaks:view");
    assert_int_equal(t->clients[0].per_min, 120);
    assert_int_equal(t->clients[0].token_ttl_s, 3600);
    assert_int_equal(t->clients[0].rotation, CXM_ROTATION_KEEP);
    assert_int_equal(t->clients[1].rotation, CXM_ROTATION_REVOKE_PREVIOUS);
    assert_int_equal(t->clients[2].token_ttl_s, 60);
    assert_int_equal(t->clients[3].nscopes, 1);
    assert_string_equal(t->clients[3].scopes[0], "interaction:read");

    assert_int_equal(t->nagents, 9);
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
    assert_int_equal(t->agents[0].nskills, 3);
    assert_string_equal(t->agents[0].skills[2], "vip");
    assert_true(t->agents[8].has_shift); /* agent-shift: 0..3600 s, a break at 600..900 s */
    assert_int_equal(t->agents[8].shift.end_s, 3600);
    assert_int_equal(t->agents[8].nbreaks, 1);
    assert_int_equal(t->agents[8].breaks[0].start_s, 600);
    assert_int_equal(t->agents[8].breaks[0].end_s, 900);

    assert_int_equal(t->nqueues, 5);
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

int main(int argc, char **argv)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(default_tenant), cmocka_unit_test(defaults),
        cmocka_unit_test(missing_file),   cmocka_unit_test(file_ok_and_file_error),
        cmocka_unit_test(file_too_large), cmocka_unit_test(error_format),
        cmocka_unit_test(enum_names),     cmocka_unit_test(long_key_is_truncated),
    };
    const char *only = argc > 1 ? argv[1] : NULL;
    if (chdir(CXM_TENANT_CASES) != 0) {
        fprintf(stderr, "test_tenant: cannot enter %s\n", CXM_TENANT_CASES);
        return 1;
    }
    char **names;
    size_t nbad = list_bad_cases(&names), n = 0, ncases = 0;
    struct CMUnitTest *tests = calloc(sizeof fixed / sizeof fixed[0] + nbad + 1, sizeof *tests);
    if (!tests)
        return 1;
    for (size_t i = 0; !only && i < sizeof fixed / sizeof fixed[0]; i++)
        tests[n++] = fixed[i];
    for (size_t i = 0; i < nbad; i++)
        if (!only || strcmp(only, names[i]) == 0) {
            tests[n++] = (struct CMUnitTest){names[i], run_bad_case, NULL, NULL, names[i]};
            ncases++;
        }
    int rc = 1;
    if (ncases == 0)
        fprintf(stderr, "test_tenant: no bad case %s%s in %s/bad: nothing was tested\n",
                only ? "named " : "", only ? only : "", CXM_TENANT_CASES);
    else
        rc = _cmocka_run_group_tests("tenant", tests, n, NULL, NULL);
    for (size_t i = 0; i < nbad; i++)
        free(names[i]);
    free(names);
    free(tests);
    return rc;
}
