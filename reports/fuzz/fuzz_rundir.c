/* fuzz_rundir.c - the run-directory reader (rundir.c: rundir_load, rundir_check_summary, and
 * cx_hlog_read below it) on any bytes, and what cxreport does with a run that passed it. The
 * input is a run directory's files separated by NUL bytes, in this order (the ones missing
 * are absent from the directory):
 *
 *     summary.json NUL latency.hlog NUL history.jsonl NUL ledger.jsonl
 *
 * written to a scratch directory and read back as `cxreport html` reads it (RUNDIR_HLOG).
 * Invariants: a failed load fails with a message and no run; a run that loads has a JSON
 * object as its summary and a histogram for every tag its log holds (and for ""), and its
 * summary, whose shape rundir_check_summary passed, renders as text, JUnit and HTML (with the
 * sequence view of the history and the ledger) without a crash: the check promises the
 * renderers what they read. Seeds: the tests' run directories (reports/tests/data), joined.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "html.h"
#include "report.h"
#include "rundir.h"

static const char *const files[] = {"summary.json", "latency.hlog", "history.jsonl",
                                    "ledger.jsonl"};
#define NFILES (sizeof files / sizeof files[0])

static char dir[64];
static FILE *devnull;

static void remove_dir(void)
{
    char path[128];
    for (size_t i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The scratch directory (made once, removed at exit) and /dev/null, or abort. */
static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/fuzz_rundir.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (!mkdtemp(dir) || !(devnull = fopen("/dev/null", "w"))) {
        fprintf(stderr, "fuzz_rundir: %s: %s\n", dir, strerror(errno));
        abort();
    }
    atexit(remove_dir);
}

/* Write file i of the run (n bytes), or remove it when absent (data NULL). */
static void put(size_t i, const uint8_t *data, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    if (!data) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    CX_FUZZ_CHECK(f && fwrite(data, 1, n, f) == n && fclose(f) == 0, "cannot write %s", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull)
        setup();
    const uint8_t *s = data, *end = data + size;
    for (size_t i = 0; i < NFILES; i++) {
        if (!s) {
            put(i, NULL, 0);
            continue;
        }
        const uint8_t *nul = memchr(s, '\0', (size_t)(end - s));
        put(i, s, (size_t)((nul ? nul : end) - s));
        s = nul ? nul + 1 : NULL;
    }
    struct cx_error err = {0};
    struct rundir *r = NULL;
    if (rundir_load(dir, RUNDIR_HLOG, &r, &err) < 0) {
        CX_FUZZ_CHECK(r == NULL, "a failed load returned a run");
        CX_FUZZ_CHECK(err.text[0] != '\0', "a failed load says no why");
        return 0;
    }
    CX_FUZZ_CHECK(json_is_object(r->summary), "a loaded run's summary is not an object");
    CX_FUZZ_CHECK(rundir_hist(r, "") != NULL, "a loaded run has no histogram of every request");
    for (size_t i = 0; i < r->ntags; i++) /* "" names every request, not a tag */
        CX_FUZZ_CHECK(!r->tags[i].name[0] || rundir_hist(r, r->tags[i].name) == r->tags[i].h,
                      "tag '%s' not found", r->tags[i].name);
    report_text(devnull, r->summary);
    report_junit(devnull, r->summary);
    report_html(devnull, r->summary, rundir_hist_for, r, r->dir);
    rundir_free(r);
    return 0;
}
