/* faults.c - see faults.h */
#include "faults.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"

static int bad(struct cx_error *e, size_t i, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fail at entry I's KEY (NULL: the entry itself): the key "[I].KEY", the text. */
static int bad(struct cx_error *e, size_t i, const char *key, const char *fmt, ...)
{
    char text[sizeof e->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cx_error_set(e, "%s", text);
    snprintf(e->key, sizeof e->key, "[%zu]%s%s", i, key ? "." : "", key ? key : "");
    return -1;
}

/* Optional number member in [lo, hi]; def when absent. */
static int number(json_t *o, const char *key, double lo, double hi, double def, double *out,
                  struct cx_error *e, size_t i)
{
    json_t *v = json_object_get(o, key);
    *out = def;
    if (!v)
        return 0;
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)
        return bad(e, i, key, "expected a number in [%g, %g]", lo, hi);
    *out = json_number_value(v);
    return 0;
}

static int parse_latency(json_t *lat, struct cxm_fault *f, struct cx_error *e, size_t i)
{
    if (!json_is_object(lat))
        return bad(e, i, "latencyMs",
                   "expected {\"fixed\"}, {\"min\",\"max\"} or "
                   "{\"median\",\"sigma\"}");
    const char *key;
    json_t *v;
    json_object_foreach(lat, key, v)
    {
        if (strcmp(key, "fixed") && strcmp(key, "min") && strcmp(key, "max") &&
            strcmp(key, "median") && strcmp(key, "sigma"))
            return bad(e, i, "latencyMs", "unknown key \"%s\"", key);
        if (!json_is_number(v) || json_number_value(v) < 0)
            return bad(e, i, "latencyMs", "\"%s\" must be a number >= 0", key);
    }
    double a, b;
    if (json_object_get(lat, "fixed") && json_object_size(lat) == 1) {
        f->latency = CXM_LAT_FIXED;
        f->lat_a = json_number_value(json_object_get(lat, "fixed"));
    } else if (json_object_get(lat, "min") && json_object_get(lat, "max") &&
               json_object_size(lat) == 2) {
        a = json_number_value(json_object_get(lat, "min"));
        b = json_number_value(json_object_get(lat, "max"));
        if (a > b)
            return bad(e, i, "latencyMs", "min must be <= max");
        f->latency = CXM_LAT_UNIFORM;
        f->lat_a = a;
        f->lat_b = b;
    } else if (json_object_get(lat, "median") && json_object_get(lat, "sigma") &&
               json_object_size(lat) == 2) {
        f->latency = CXM_LAT_LOGNORMAL;
        f->lat_a = json_number_value(json_object_get(lat, "median"));
        f->lat_b = json_number_value(json_object_get(lat, "sigma"));
    } else {
        return bad(e, i, "latencyMs",
                   "expected {\"fixed\"}, {\"min\",\"max\"} or "
                   "{\"median\",\"sigma\"}");
    }
    return 0;
}

static int parse_one(json_t *o, struct cxm_fault *f, struct cx_error *e, size_t i)
{
    static const char *const keys[] = {"group", "status", "rate",   "applied", "latencyMs", "reset",
                                       "hang",  "hangMs", "fromMs", "untilMs", NULL};
    if (!json_is_object(o))
        return bad(e, i, NULL, "expected an object");
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        int known = 0;
        for (const char *const *k = keys; *k; k++)
            known |= strcmp(*k, key) == 0;
        if (!known)
            return bad(e, i, key, "unknown key");
    }
    memset(f, 0, sizeof *f);
    json_t *g = json_object_get(o, "group");
    if (!json_is_string(g))
        return bad(e, i, "group",
                   "expected \"auth\", \"routing\", \"interactions\", \"state\", "
                   "\"gws\" or \"*\"");
    f->group = strcmp(json_string_value(g), "*") == 0 ? -1 : cxm_group_parse(json_string_value(g));
    if (f->group == -1 && strcmp(json_string_value(g), "*") != 0)
        return bad(e, i, "group",
                   "expected \"auth\", \"routing\", \"interactions\", \"state\", "
                   "\"gws\" or \"*\"");
    double status, from, until, hang_ms;
    if (number(o, "status", 0, 599, 0, &status, e, i) ||
        number(o, "rate", 0, 1, 0, &f->rate, e, i) ||
        number(o, "reset", 0, 1, 0, &f->reset, e, i) ||
        number(o, "hangMs", 1, 86400000, 60000, &hang_ms, e, i) ||
        number(o, "fromMs", 0, 9e15, 0, &from, e, i) ||
        number(o, "untilMs", 0, 9e15, 0, &until, e, i))
        return -1;
    f->status = (int)status;
    if (f->status && !json_object_get(o, "rate"))
        f->rate = 1; /* a status alone means always */
    if (f->status && f->status != 500 && f->status != 502 && f->status != 503 && f->status != 504)
        return bad(e, i, "status", "expected 500, 502, 503 or 504");
    if (f->rate > 0 && !f->status)
        return bad(e, i, "status", "a rate needs a status");
    f->from_ms = (int64_t)from;
    f->until_ms = (int64_t)until;
    if (f->until_ms && f->until_ms <= f->from_ms)
        return bad(e, i, "untilMs", "expected untilMs > fromMs");
    f->hang_ms = (int64_t)hang_ms;
    json_t *b;
    if ((b = json_object_get(o, "hang")) && !json_is_boolean(b))
        return bad(e, i, "hang", "expected a boolean");
    f->hang = b && json_is_true(b);
    if ((b = json_object_get(o, "applied")) && !json_is_boolean(b))
        return bad(e, i, "applied", "expected a boolean");
    f->applied = b && json_is_true(b);
    if ((b = json_object_get(o, "latencyMs")) && parse_latency(b, f, e, i))
        return -1;
    return 0;
}

int cxm_faults_parse(json_t *plan, struct cxm_faults *out, struct cx_error *e)
{
    out->v = NULL;
    out->n = 0;
    if (!json_is_array(plan))
        return cx_error_set(e, "expected an array of faults");
    size_t n = json_array_size(plan);
    if (n == 0)
        return 0;
    out->v = calloc(n, sizeof *out->v);
    if (!out->v)
        return cx_error_set(e, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (parse_one(json_array_get(plan, i), &out->v[i], e, i) < 0) {
            cxm_faults_free(out);
            return -1;
        }
    }
    out->n = n;
    return 0;
}

void cxm_faults_free(struct cxm_faults *f)
{
    free(f->v);
    f->v = NULL;
    f->n = 0;
}

static double normal(struct cx_prng *p)
{
    /* Box-Muller; u1 in (0, 1]. */
    double u1 = 1.0 - cx_prng_unit(p), u2 = cx_prng_unit(p);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void cxm_faults_roll(const struct cxm_faults *f, int group, int64_t elapsed, struct cx_prng *p,
                     struct cxm_fault_effect *e)
{
    memset(e, 0, sizeof *e);
    for (size_t i = 0; i < f->n; i++) {
        const struct cxm_fault *x = &f->v[i];
        if ((x->group != -1 && x->group != group) || elapsed < x->from_ms ||
            (x->until_ms && elapsed >= x->until_ms))
            continue;
        switch (x->latency) {
        case CXM_LAT_NONE:
            break;
        case CXM_LAT_FIXED:
            e->delay_ms += (int64_t)x->lat_a;
            break;
        case CXM_LAT_UNIFORM:
            e->delay_ms += cx_prng_range(p, (int64_t)x->lat_a, (int64_t)x->lat_b);
            break;
        case CXM_LAT_LOGNORMAL:
            e->delay_ms += (int64_t)(x->lat_a * exp(x->lat_b * normal(p)));
            break;
        }
        if (x->reset > 0 && cx_prng_unit(p) < x->reset)
            e->reset = true;
        if (x->hang)
            e->hang_ms = x->hang_ms;
        if (x->status && !e->status && (x->rate >= 1 || cx_prng_unit(p) < x->rate)) {
            e->status = x->status;
            e->applied = x->applied;
        }
    }
}
