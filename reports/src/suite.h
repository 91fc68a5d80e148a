/* suite.h - a conformance suite: many run directories judged together.
 *
 * A suite is a list of cxload run directories, one per scenario (scenarios/<trap>/naive.json and
 * correct.json each make one). A scenario passes when every threshold it declares held: for a
 * naive variant that means the harness reported the violation it was written to show, for a
 * correct variant that it reported none. suite_report writes one text table, one JUnit document
 * (a <testsuite> per run) and one HTML index linking each run's own report.html.
 */
#ifndef SUITE_H
#define SUITE_H

#include <stdio.h>

#include "cxerr.h"

struct suite_opts {
    const char *junit;    /* write the JUnit document here (NULL: do not) */
    const char *html;     /* write the HTML index here (NULL: do not); each run's report.html is
                           * written beside its summary and linked relative to this file */
    const char *title;    /* heading of the HTML index and name of the JUnit document */
    char *const *skipped; /* scenarios not run ("NAME" or "NAME: why"), each a <skipped/> test */
    int nskipped;
};

/* Judge the run directories DIRS[0..N) and write the table to OUT (and the files of O).
 * Returns 0 when every run passed, 99 when one failed its thresholds, or -1 with a one-line
 * message in ERR (a run directory unreadable or malformed, a file not writable). */
int suite_report(FILE *out, char *const *dirs, int n, const struct suite_opts *o,
                 struct cx_error *err);

#endif
