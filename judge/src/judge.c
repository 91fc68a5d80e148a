/* judge.c - see judge.h */
#include "judge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "reconcile.h"

int judge_records_keep(struct judge_records *rs, struct hrec *r)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 1024;
        struct hrec *v = realloc(rs->v, cap * sizeof *v);
        if (!v)
            return -1;
        rs->v = v;
        rs->cap = cap;
    }
    rs->v[rs->n++] = *r;
    return 0;
}

int judge_read_history(struct judge_records *rs, const char *path, int64_t shift_us,
                       struct cx_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cx_error_at(err, path, -1, -1, "", "%s", strerror(errno));
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    int rc = 0;
    for (long lineno = 1; (len = getline(&line, &size, f)) >= 0; lineno++) {
        if (len <= 1)
            continue; /* a blank line */
        struct hrec r;
        if (hrec_parse(line, (size_t)len, &r, err) < 0) {
            snprintf(err->file, sizeof err->file, "%s", path);
            err->line = (int)lineno;
            rc = -1;
            break;
        }
        if (!hrec_matters(&r)) {
            hrec_free(&r);
            continue;
        }
        r.intended_us += shift_us;
        r.start_us += shift_us;
        r.end_us += shift_us;
        if (judge_records_keep(rs, &r) < 0) {
            hrec_free(&r);
            rc = cx_error_at(err, path, (int)lineno, 1, "", "out of memory");
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = cx_error_at(err, path, -1, -1, "", "%s", strerror(errno));
    free(line);
    fclose(f);
    return rc;
}

void judge_records_free(struct judge_records *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        hrec_free(&rs->v[i]);
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

void judge_add_mock(json_t **acc, const json_t *answer, int same_mock)
{
    const json_t *checks = json_object_get(answer, "checks");
    if (!json_is_object(checks))
        return;
    if (!*acc && !(*acc = json_pack("{s{}}", "checks")))
        return;
    json_t *into = json_object_get(*acc, "checks");
    const char *name;
    const json_t *c;
    json_object_foreach((json_t *)checks, name, c)
    {
        json_t *d = json_object_get(into, name);
        if (!d) {
            json_object_set_new(into, name, json_deep_copy(c));
            continue;
        }
        json_int_t a = json_integer_value(json_object_get(d, "count"));
        json_int_t b = json_integer_value(json_object_get(c, "count"));
        json_object_set_new(d, "count", json_integer(same_mock ? (a > b ? a : b) : a + b));
        if (same_mock) { /* one mock: the answer that saw more holds the other's examples */
            if (b > a)
                json_object_set(d, "examples", json_object_get(c, "examples"));
            continue;
        }
        json_t *ex = json_object_get(d, "examples");
        size_t k;
        const json_t *e;
        json_array_foreach(json_object_get(c, "examples"), k, e)
        {
            if (json_array_size(ex) >= CHECKS_EXAMPLES)
                break;
            json_array_append(ex, (json_t *)e);
        }
    }
}

static const char *step_name(void *ctx, int i)
{
    const char *name = json_string_value(json_array_get(ctx, i >= 0 ? (size_t)i : SIZE_MAX));
    return name ? name : "?";
}

json_t *judge_verdict(struct hrec *recs, size_t n, const json_t *steps, const json_t *mock,
                      json_t **reconciliation)
{
    json_t *v = checks_run(recs, n, steps ? step_name : NULL, (void *)steps);
    if (reconciliation)
        *reconciliation = NULL;
    if (v && mock) {
        json_t *diffs = checks_reconcile(v, mock);
        if (reconciliation)
            *reconciliation = diffs;
        else
            json_decref(diffs);
    }
    return v;
}
