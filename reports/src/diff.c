/* diff.c - a run against a baseline (see diff.h). */
#include "diff.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9

enum sense { UP_IS_BAD, DOWN_IS_BAD, NOT_JUDGED };

struct differ {
    FILE *f;
    double tol;
    int regressions;
    char *why; /* the regressions, one line each (open_memstream) */
    size_t whylen;
    FILE *w;
};

/* The change from A to B as text: relative, or "from 0". */
static void change(char *buf, size_t size, double a, double b)
{
    if (fabs(a) < EPS)
        snprintf(buf, size, fabs(b) < EPS ? "+0.0%%" : "from 0");
    else
        snprintf(buf, size, "%+.1f%%", 100.0 * (b - a) / a);
}

/* Is the move from A to B worse than the tolerance allows? */
static int worse(const struct differ *d, enum sense sense, double a, double b)
{
    if (sense == UP_IS_BAD)
        return fabs(a) < EPS ? b > EPS : (b - a) / a > d->tol + EPS;
    if (sense == DOWN_IS_BAD)
        return fabs(a) < EPS ? 0 : (a - b) / a > d->tol + EPS;
    return 0;
}

/* One row: NAME, the two values with DECIMALS decimals and UNIT, the change, the verdict. */
static void row(struct differ *d, const char *name, int decimals, const char *unit, double a,
                double b, enum sense sense)
{
    char va[64], vb[64], ch[64];
    snprintf(va, sizeof va, "%.*f", decimals, a);
    snprintf(vb, sizeof vb, "%.*f", decimals, b);
    change(ch, sizeof ch, a, b);
    int bad = worse(d, sense, a, b);
    fprintf(d->f, "  %-44s %12s %12s %10s%s\n", name, va, vb, ch,
            bad                   ? "  REGRESSION"
            : sense == NOT_JUDGED ? "  (not judged)"
                                  : "");
    if (bad) {
        d->regressions++;
        fprintf(d->w, "  %s: %s -> %s%s (%s)\n", name, va, vb, unit, ch);
    }
}

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static void latency_rows(struct differ *d, const char *label, const json_t *a, const json_t *b)
{
    static const char *const stats[] = {"p50", "p90", "p99", "max"};
    for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++) {
        char name[512];
        snprintf(name, sizeof name, "%s %s ms", label, stats[i]);
        row(d, name, 3, " ms", num(a, stats[i]), num(b, stats[i]),
            strcmp(stats[i], "max") == 0 ? NOT_JUDGED : UP_IS_BAD);
    }
}

static void latency(struct differ *d, const json_t *base, const json_t *run)
{
    const json_t *ta = json_object_get(json_object_get(base, "latency"), "tags");
    const json_t *tb = json_object_get(json_object_get(run, "latency"), "tags");
    const char *tag;
    const json_t *sa;
    json_object_foreach((json_t *)ta, tag, sa)
    {
        char label[400];
        snprintf(label, sizeof label, "latency{%s}", tag);
        const json_t *sb = json_object_get(tb, tag);
        if (sb) {
            latency_rows(d, label, sa, sb);
        } else {
            fprintf(d->f, "  %-44s %12.0f %12s %10s  REGRESSION\n", label, num(sa, "count"),
                    "missing", "");
            fprintf(d->w, "  %s: the run has no such tag (the baseline made %.0f requests)\n",
                    label, num(sa, "count"));
            d->regressions++;
        }
    }
    const json_t *sb;
    json_object_foreach((json_t *)tb, tag, sb)
    {
        if (json_object_get(ta, tag))
            continue;
        char label[400];
        snprintf(label, sizeof label, "latency{%s}", tag);
        fprintf(d->f, "  %-44s %12s %12.0f %10s  (new tag, not judged)\n", label, "-",
                num(sb, "count"), "");
    }
    const json_t *aa = json_object_get(json_object_get(base, "latency"), "all");
    const json_t *ab = json_object_get(json_object_get(run, "latency"), "all");
    if (aa && ab)
        latency_rows(d, "latency (all)", aa, ab);
}

static double error_rate(const json_t *s)
{
    const json_t *r = json_object_get(s, "requests");
    return num(r, "count") > 0 ? num(r, "failed") / num(r, "count") : 0;
}

static void violation_row(struct differ *d, const char *name, const json_t *va, const json_t *vb)
{
    double a = num(va, "count"), b = num(vb, "count");
    if (a == 0 && b == 0)
        return;
    const char *rule = json_string_value(json_object_get(va ? va : vb, "rule"));
    char label[400];
    snprintf(label, sizeof label, "violations{%s}%s%s%s", name, rule ? " (" : "", rule ? rule : "",
             rule ? ")" : "");
    int bad = b > a;
    fprintf(d->f, "  %-44s %12.0f %12.0f %+10.0f%s\n", label, a, b, b - a,
            bad ? "  REGRESSION" : "");
    if (bad) {
        d->regressions++;
        fprintf(d->w, "  %s: %.0f -> %.0f\n", label, a, b);
    }
}

static void violations(struct differ *d, const json_t *base, const json_t *run)
{
    const json_t *va = json_object_get(base, "violations"),
                 *vb = json_object_get(run, "violations");
    size_t quiet = 0;
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)va, name, v)
    {
        quiet += num(v, "count") == 0 && num(json_object_get(vb, name), "count") == 0;
        violation_row(d, name, v, json_object_get(vb, name));
    }
    json_object_foreach((json_t *)vb, name, v)
    {
        if (json_object_get(va, name))
            continue;
        quiet += num(v, "count") == 0;
        violation_row(d, name, NULL, v);
    }
    if (quiet)
        fprintf(d->f, "  (%zu more violation check%s: 0 in both)\n", quiet, quiet == 1 ? "" : "s");
}

int diff_summaries(FILE *f, const json_t *base, const json_t *run, const char *base_name,
                   const char *run_name, double tolerance)
{
    struct differ d = {f, tolerance, 0, NULL, 0, NULL};
    if (!(d.w = open_memstream(&d.why, &d.whylen)))
        return -1;
    const char *sa = json_string_value(json_object_get(base, "scenario"));
    const char *sb = json_string_value(json_object_get(run, "scenario"));
    fprintf(f, "baseline %s (%s)\nrun      %s (%s)\n", base_name, sa ? sa : "?", run_name,
            sb ? sb : "?");
    if (sa && sb && strcmp(sa, sb) != 0)
        fprintf(f, "note: the runs are of different scenarios\n");
    fprintf(f, "tolerance %g%%\n\n  %-44s %12s %12s %10s\n", 100 * tolerance, "", "baseline", "run",
            "change");
    latency(&d, base, run);
    row(&d, "requests/s", 1, "/s", num(json_object_get(base, "requests"), "ratePerS"),
        num(json_object_get(run, "requests"), "ratePerS"), DOWN_IS_BAD);
    row(&d, "error rate (failed / requests) %", 2, " %", 100 * error_rate(base),
        100 * error_rate(run), UP_IS_BAD);
    violations(&d, base, run);
    fclose(d.w);
    if (d.regressions)
        fprintf(f, "\n%d regression%s (tolerance %g%%):\n%s", d.regressions,
                d.regressions == 1 ? "" : "s", 100 * tolerance, d.why ? d.why : "");
    else
        fprintf(f, "\nno regression (tolerance %g%%)\n", 100 * tolerance);
    free(d.why);
    return ferror(f) ? -1 : d.regressions;
}

int diff_parse_tolerance(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v < 0 || v >= 10000)
        return -1;
    if (*end == '%')
        end++;
    if (*end != '\0')
        return -1;
    *out = v / 100.0;
    return 0;
}
