/* test_secrets.c - a value from ${env.*} or --env FILE never reaches an output (issue 15).
 *
 * One real cxload run against the embedded mock, of client/tests/fixtures/env-secrets.json:
 * secrets from the environment and from --env FILE in a path segment and a subject, an
 * X-Idempotency-Key header and an op's key, a body attribute the mock stores and answers back,
 * and the auth sources' client id, client secret and password. Then every file of the run
 * directory, cxload's stdout and stderr, and everything cxreport renders from the run (text,
 * json, junit, html, judge) are searched for each secret value: none may appear, and where a
 * value was used «env:NAME» must stand in its place. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxltest.h"
#include "cxtest.h"

/* The secrets: NAME, value, and whether it comes from the environment (else the --env file). */
static const struct secret {
    const char *name, *value;
    int from_environment;
} secrets[] = {
    {"CXSEC_CLIENT_ID", "cx-integration", 1}, {"CXSEC_CLIENT_SECRET", "cx-integration-secret", 1},
    {"CXSEC_PASSWORD", "ada-pass", 1},        {"CXSEC_PATH", "pathSecret-7f3a9c", 1},
    {"CXSEC_KEY", "keySecret-41d2e8", 0},     {"CXSEC_REF", "bodySecret-93bb10", 0},
};
#define NSECRETS (sizeof secrets / sizeof secrets[0])

/* TEXT (what NAME holds) has no secret value. */
static void holds_no_secret(const char *name, const char *text)
{
    assert_non_null(text);
    for (size_t i = 0; i < NSECRETS; i++) {
        const char *at = strstr(text, secrets[i].value);
        if (!at)
            continue;
        const char *from = at - text > 60 ? at - 60 : text;
        fail_msg("%s holds the value of %s: ...%.140s...", name, secrets[i].name, from);
    }
}

/* TEXT (what NAME holds) shows «env:VAR» where the value was used. */
static void shows(const char *name, const char *text, const char *var)
{
    char mark[64];
    snprintf(mark, sizeof mark, "\u00abenv:%s\u00bb", var);
    if (!strstr(text, mark))
        fail_msg("%s does not show %s: %.300s...", name, mark, text);
}

/* Every file of DIR (recursively) holds no secret; their count. */
static int files_hold_no_secret(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        DIR *sub = opendir(path);
        if (sub) {
            closedir(sub);
            n += files_hold_no_secret(path);
            continue;
        }
        char *text = cxt_read_file(path, NULL);
        holds_no_secret(path, text);
        free(text);
        n++;
    }
    closedir(d);
    return n;
}

/* `cxreport ARGS...`: its exit code, stdout in *OUT (the caller frees it). */
static int cxreport(char **out, const char *const *args)
{
    const char *bin = getenv("CXREPORT_BIN");
    assert_non_null(bin);
    const char *argv[16];
    int n = 0;
    argv[n++] = bin;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char *err = NULL;
    int rc = cxt_run(argv, cxt_scaled_ms(60000), out, &err);
    holds_no_secret("cxreport's stderr", err ? err : "");
    free(err);
    return rc;
}

/* The run's outputs hold no value from the environment or --env FILE, and show «env:NAME»
 * where one was used: history.jsonl's paths, subjects, keys, sent and answered attributes,
 * summary.json's examples and the answer's excerpt, the mock's ledger.jsonl, stdout, and
 * every rendering of cxreport. */
static void test_SECRETS_env_values_redacted(void **state)
{
    (void)state;
    char sc[512], envdir[256], envfile[320];
    cxl_path_of(sc, sizeof sc, "client/tests/fixtures/env-secrets.json");
    assert_int_equal(cxt_tmpdir(envdir, sizeof envdir, "cxload-secrets"), 0);
    snprintf(envfile, sizeof envfile, "%s/secrets.env", envdir);
    char file[1024] = "# secrets of the test, one a line\n";
    for (size_t i = 0; i < NSECRETS; i++) {
        if (secrets[i].from_environment)
            assert_int_equal(setenv(secrets[i].name, secrets[i].value, 1), 0);
        else
            snprintf(file + strlen(file), sizeof file - strlen(file), "%s=\"%s\"\n",
                     secrets[i].name, secrets[i].value);
    }
    assert_int_equal(cxt_write_file(envfile, file), 0);

    struct proc p;
    const char *args[] = {"run", sc, "--out", "@OUT", "--env", envfile, NULL};
    int rc = cxl_run(&p, args, 60);
    char *out = cxl_slurp(&p, "stdout"), *err = cxl_slurp(&p, "stderr");
    if (rc != 0)
        fail_msg("cxload exited %d:\n%s\n%s", rc, out ? out : "", err ? err : "");

    /* What the run did: each secret was used (the mock saw the key, the attribute came back). */
    json_t *s = cxl_summary(&p);
    assert_int_equal(cxl_num(s, "status", "201"), 2);
    assert_int_equal(cxl_violations(s, "EXPECT_FAILED"), 2);
    json_decref(s);

    holds_no_secret("stdout", out);
    holds_no_secret("stderr", err);
    shows("stdout", out, "CXSEC_PATH");
    free(out);
    free(err);
    char *h = cxl_slurp(&p, "out/history.jsonl");
    assert_non_null(h);
    shows("history.jsonl", h, "CXSEC_PATH"); /* the path, the subject, the answer's excerpt */
    shows("history.jsonl", h, "CXSEC_KEY");  /* the inject's key */
    shows("history.jsonl", h, "CXSEC_REF");  /* the attribute sent, and read back */
    assert_non_null(
        strstr(h, "\"request\":\"GET /api/v2/routing/contacts/\u00abenv:CXSEC_PATH\u00bb\""));
    assert_non_null(strstr(h, "\"subject\":\"\u00abenv:CXSEC_PATH\u00bb\""));
    assert_non_null(strstr(h, "\"key\":\"\u00abenv:CXSEC_KEY\u00bb-1\""));
    assert_non_null(strstr(h, "\"sent\":{\"attributes\":{\"string:externalSource\":"
                              "\"\u00abenv:CXSEC_REF\u00bb\"}}"));
    assert_non_null(strstr(h, "no contact '\u00abenv:CXSEC_PATH\u00bb'"));
    free(h);
    char *sum = cxl_slurp(&p, "out/summary.json");
    shows("summary.json", sum, "CXSEC_PATH");
    free(sum);
    char *ledger = cxl_slurp(&p, "out/ledger.jsonl");
    assert_non_null(ledger);
    shows("ledger.jsonl", ledger, "CXSEC_KEY");       /* the idempotency key the mock kept */
    shows("ledger.jsonl", ledger, "CXSEC_CLIENT_ID"); /* the client its tokens went to */
    free(ledger);

    /* cxreport's renderings, and the run judged again from its history: the same verdict. */
    char dir[400], html[400], rejudged[400];
    snprintf(dir, sizeof dir, "%s/out", p.dir);
    snprintf(html, sizeof html, "%s/out/report.html", p.dir);
    snprintf(rejudged, sizeof rejudged, "%s/rejudged", p.dir);
    const char *formats[] = {"text", "json", "junit"}; /* JUnit names no request */
    for (int i = 0; i < 3; i++) {
        char *r = NULL;
        assert_int_equal(cxreport(&r, (const char *[]){formats[i], dir, NULL}), 0);
        holds_no_secret(formats[i], r);
        if (i < 2)
            shows(formats[i], r, "CXSEC_PATH");
        free(r);
    }
    char *r = NULL;
    assert_int_equal(cxreport(&r, (const char *[]){"html", dir, "--out", html, NULL}), 0);
    free(r);
    char *page = cxt_read_file(html, NULL);
    assert_non_null(page);
    shows("report.html", page, "CXSEC_PATH");
    shows("report.html", page, "CXSEC_KEY"); /* the sequence view's ledger entries */
    free(page);
    assert_int_equal(cxreport(&r, (const char *[]){"judge", dir, "--out", rejudged, NULL}), 0);
    holds_no_secret("cxreport judge", r);
    shows("cxreport judge", r, "CXSEC_PATH");
    free(r);

    assert_true(files_hold_no_secret(p.dir) >= 9); /* out/ (and report.html), rejudged/ */
    cxl_cleanup(&p);
    cxt_rmrf(envdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_SECRETS_env_values_redacted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
