/* rundir.c - a run directory read back (see rundir.h). */
#include "rundir.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hlog.h"
#include "jsonpos.h"
#include "slurp.h"

#define SUMMARY_MAX_BYTES ((size_t)256 << 20) /* 256 MiB: far above any summary cxload writes */

/* ---- the summary's shape ---------------------------------------------------------------- */

struct checker {
    const char *text;
    size_t len;
    const char *path;
    struct cx_error *err;
};

enum want { W_OBJECT, W_ARRAY, W_NUMBER, W_STRING, W_BOOL };

static const char *const want_names[] = {"an object", "an array", "a number", "a string",
                                         "true or false"};

static int is(const json_t *v, enum want w)
{
    switch (w) {
    case W_OBJECT:
        return json_is_object(v);
    case W_ARRAY:
        return json_is_array(v);
    case W_NUMBER:
        return json_is_number(v);
    case W_STRING:
        return json_is_string(v);
    case W_BOOL:
        return json_is_boolean(v);
    }
    return 0;
}

/* Report KEY (a jsonpos path) as bad: located at KEY's value, or at its parent's when KEY is
 * missing (or cannot be found, e.g. a key holding a '.'), or unlocated. Returns -1. */
static int bad(const struct checker *c, const char *key, const char *what)
{
    char at[512];
    int line = 0, col = 0;
    snprintf(at, sizeof at, "%s", key);
    while (jsonpos_locate(c->text, c->len, at, 0, &line, &col) < 0) {
        char *cut = strrchr(at, '.'), *br = strrchr(at, '[');
        if (br > cut)
            cut = br;
        if (!at[0]) {
            line = col = 0;
            break;
        }
        *(cut ? cut : at) = '\0'; /* the parent; the root last */
    }
    return cx_error_at(c->err, c->path, line > 0 ? line : -1, line > 0 ? col : -1, key, "%s", what);
}

/* Member NAME of O (at path BASE) must be of kind W; if REQUIRED, present. */
static int member(const struct checker *c, const json_t *o, const char *base, const char *name,
                  enum want w, int required)
{
    char key[512], what[96];
    if (snprintf(key, sizeof key, "%s%s%s", base, base[0] ? "." : "", name) >= (int)sizeof key)
        memcpy(key + sizeof key - 4, "...", 4); /* a path too long to show whole */
    const json_t *v = json_object_get(o, name);
    if (!v) {
        if (!required)
            return 0;
        snprintf(what, sizeof what, "missing (expected %s)", want_names[w]);
        return bad(c, key, what);
    }
    if (!is(v, w)) {
        snprintf(what, sizeof what, "expected %s", want_names[w]);
        return bad(c, key, what);
    }
    return 0;
}

/* Every member of O (at BASE) must be a number, except the object members named in OBJECTS
 * (each then checked the same way). */
static int numbers(const struct checker *c, const json_t *o, const char *base,
                   const char *const *objects)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        char key[512];
        snprintf(key, sizeof key, "%s.%s", base, k);
        int sub = 0;
        for (size_t i = 0; objects && objects[i]; i++)
            sub |= strcmp(objects[i], k) == 0;
        if (sub && json_is_object(v)) {
            if (numbers(c, v, key, NULL) < 0)
                return -1;
        } else if (!json_is_number(v)) {
            return bad(c, key, sub ? "expected an object" : "expected a number");
        }
    }
    return 0;
}

/* STATS of a tag or of every request: numbers, "uncorrected" an object of numbers. */
static int stats(const struct checker *c, const json_t *o, const char *key)
{
    static const char *const sub[] = {"uncorrected", NULL};
    if (!json_is_object(o))
        return bad(c, key, "expected an object");
    if (member(c, o, key, "count", W_NUMBER, 1) < 0)
        return -1;
    return numbers(c, o, key, sub);
}

static int check_latency(const struct checker *c, const json_t *lat)
{
    if (member(c, lat, "latency", "all", W_OBJECT, 0) < 0 ||
        member(c, lat, "latency", "tags", W_OBJECT, 0) < 0)
        return -1;
    if (json_object_get(lat, "all") && stats(c, json_object_get(lat, "all"), "latency.all") < 0)
        return -1;
    const char *tag;
    const json_t *v;
    json_object_foreach(json_object_get(lat, "tags"), tag, v)
    {
        char key[512];
        snprintf(key, sizeof key, "latency.tags.%s", tag);
        if (stats(c, v, key) < 0)
            return -1;
    }
    return 0;
}

static int check_violations(const struct checker *c, const json_t *vs)
{
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)vs, name, v)
    {
        char key[512];
        snprintf(key, sizeof key, "violations.%s", name);
        if (!json_is_object(v))
            return bad(c, key, "expected an object");
        if (member(c, v, key, "count", W_NUMBER, 1) < 0 ||
            member(c, v, key, "rule", W_STRING, 0) < 0 ||
            member(c, v, key, "ledger", W_NUMBER, 0) < 0 ||
            member(c, v, key, "examples", W_ARRAY, 0) < 0)
            return -1;
        size_t i;
        const json_t *ex;
        json_array_foreach(json_object_get(v, "examples"), i, ex)
        {
            char ekey[600];
            snprintf(ekey, sizeof ekey, "%s.examples[%zu]", key, i);
            if (!json_is_object(ex))
                return bad(c, ekey, "expected an object");
            if (member(c, ex, ekey, "what", W_STRING, 0) < 0 ||
                member(c, ex, ekey, "request", W_STRING, 0) < 0)
                return -1;
        }
    }
    return 0;
}

static int check_thresholds(const struct checker *c, const json_t *th)
{
    size_t i;
    const json_t *t;
    json_array_foreach(th, i, t)
    {
        char key[64];
        snprintf(key, sizeof key, "thresholds[%zu]", i);
        if (!json_is_object(t))
            return bad(c, key, "expected an object");
        if (member(c, t, key, "text", W_STRING, 1) < 0 ||
            member(c, t, key, "metric", W_STRING, 1) < 0 ||
            member(c, t, key, "selector", W_STRING, 0) < 0 ||
            member(c, t, key, "stat", W_STRING, 1) < 0 ||
            member(c, t, key, "pct", W_NUMBER, 0) < 0 ||
            member(c, t, key, "cmp", W_STRING, 1) < 0 ||
            member(c, t, key, "value", W_NUMBER, 1) < 0 || member(c, t, key, "ok", W_BOOL, 0) < 0)
            return -1;
        const json_t *a = json_object_get(t, "actual");
        if (a && !json_is_number(a) && !json_is_null(a))
            return bad(c, strcat(key, ".actual"), "expected a number or null");
    }
    return 0;
}

static int check_series(const struct checker *c, const json_t *series)
{
    static const char *const sub[] = {"status", NULL};
    size_t i;
    const json_t *p;
    json_array_foreach(series, i, p)
    {
        char key[64];
        snprintf(key, sizeof key, "series[%zu]", i);
        if (!json_is_object(p))
            return bad(c, key, "expected an object");
        if (member(c, p, key, "startS", W_NUMBER, 1) < 0 ||
            member(c, p, key, "lengthS", W_NUMBER, 1) < 0 || numbers(c, p, key, sub) < 0)
            return -1;
        if (json_number_value(json_object_get(p, "lengthS")) < 0)
            return bad(c, strcat(key, ".lengthS"), "expected a length >= 0");
    }
    return 0;
}

int rundir_check_summary(const json_t *s, const char *text, size_t len, const char *path,
                         struct cx_error *err)
{
    static const struct {
        const char *name;
        enum want want;
        int required;
    } top[] = {
        {"scenario", W_STRING, 1},   {"file", W_STRING, 0},      {"target", W_STRING, 0},
        {"seed", W_NUMBER, 0},       {"threads", W_NUMBER, 0},   {"shard", W_STRING, 0},
        {"clock", W_STRING, 0},      {"startedAt", W_STRING, 0}, {"wallSeconds", W_NUMBER, 1},
        {"simSeconds", W_NUMBER, 0}, {"requests", W_OBJECT, 1},  {"status", W_OBJECT, 1},
        {"iterations", W_OBJECT, 1}, {"latency", W_OBJECT, 1},   {"violations", W_OBJECT, 0},
        {"thresholds", W_ARRAY, 0},  {"series", W_ARRAY, 0},     {"reconciliation", W_ARRAY, 0},
        {"passed", W_BOOL, 0},       {"exitCode", W_NUMBER, 0},  {"interrupted", W_BOOL, 0},
    };
    struct checker c = {text, len, path, err};
    if (!json_is_object(s))
        return bad(&c, "", "expected an object (a summary.json written by cxload)");
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        if (member(&c, s, "", top[i].name, top[i].want, top[i].required) < 0)
            return -1;
    const json_t *req = json_object_get(s, "requests");
    if (member(&c, req, "requests", "count", W_NUMBER, 1) < 0 ||
        member(&c, req, "requests", "failed", W_NUMBER, 1) < 0 ||
        member(&c, req, "requests", "ratePerS", W_NUMBER, 1) < 0 ||
        numbers(&c, req, "requests", NULL) < 0 ||
        numbers(&c, json_object_get(s, "status"), "status", NULL) < 0 ||
        numbers(&c, json_object_get(s, "iterations"), "iterations", NULL) < 0 ||
        check_latency(&c, json_object_get(s, "latency")) < 0 ||
        check_violations(&c, json_object_get(s, "violations")) < 0 ||
        check_thresholds(&c, json_object_get(s, "thresholds")) < 0 ||
        check_series(&c, json_object_get(s, "series")) < 0)
        return -1;
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(s, "reconciliation"), i, r)
    {
        if (!json_is_string(r)) {
            char key[64];
            snprintf(key, sizeof key, "reconciliation[%zu]", i);
            return bad(&c, key, "expected a string");
        }
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------------------------ */

static int load_summary(struct rundir *r, struct cx_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", r->dir);
    char *text = NULL;
    size_t len = 0;
    struct cx_error e;
    if (cx_slurp(path, SUMMARY_MAX_BYTES, &text, &len, &e) < 0) {
        cx_error_set(err, "%s: %s", path, e.text);
        return -1;
    }
    json_error_t je;
    r->summary = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    int rc = 0;
    if (!r->summary) {
        cx_error_set(err, "%s:%d:%d: not JSON: %s", path, je.line, je.column, je.text);
        rc = -1;
    } else {
        rc = rundir_check_summary(r->summary, text, len, path, err);
    }
    free(text);
    return rc;
}

static struct cx_hist *tag_hist(struct rundir *r, const char *tag)
{
    for (size_t i = 0; i < r->ntags; i++)
        if (strcmp(r->tags[i].name, tag) == 0)
            return r->tags[i].h;
    struct rundir_tag *grown = realloc(r->tags, (r->ntags + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    r->tags = grown;
    struct rundir_tag *t = &r->tags[r->ntags];
    if (!(t->name = strdup(tag)))
        return NULL;
    if (cx_hist_new(&t->h) < 0) {
        free(t->name);
        return NULL;
    }
    r->ntags++;
    return t->h;
}

struct reading {
    struct rundir *r;
    struct cx_hist *untagged;
    int has_untagged, oom;
};

static int on_interval(void *ctx, const char *tag, double start_s, double length_s,
                       struct cx_hist *h)
{
    struct reading *rd = ctx;
    struct cx_hist *dst = tag ? tag_hist(rd->r, tag) : rd->untagged;
    rd->has_untagged |= !tag;
    if (!dst) {
        rd->oom = 1;
        return 1;
    }
    cx_hist_add(dst, h);
    return 0;
}

static int load_hlog(struct rundir *r, struct cx_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/latency.hlog", r->dir);
    struct reading rd = {r, NULL, 0, 0};
    if (cx_hist_new(&r->all) < 0 || cx_hist_new(&rd.untagged) < 0) {
        cx_error_set(err, "%s: out of memory", path);
        cx_hist_free(rd.untagged);
        return -1;
    }
    int rc = cx_hlog_read(path, on_interval, &rd, err);
    if (rc != 0) {
        if (rd.oom)
            cx_error_at(err, path, -1, -1, "", "out of memory");
        cx_hist_free(rd.untagged);
        return -1;
    }
    /* every request: the untagged lines (cxload's add up every tag, also one it could not log
     * under its own name), else the tags added up */
    if (rd.has_untagged)
        cx_hist_add(r->all, rd.untagged);
    else
        for (size_t i = 0; i < r->ntags; i++)
            cx_hist_add(r->all, r->tags[i].h);
    cx_hist_free(rd.untagged);
    return 0;
}

int rundir_load(const char *dir, int flags, struct rundir **out, struct cx_error *err)
{
    struct stat st;
    if (stat(dir, &st) < 0) {
        cx_error_set(err, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        cx_error_set(err, "%s: not a directory (expected a run directory written by cxload)", dir);
        return -1;
    }
    struct rundir *r = calloc(1, sizeof *r);
    if (!r || !(r->dir = strdup(dir))) {
        free(r);
        cx_error_set(err, "%s: out of memory", dir);
        return -1;
    }
    if (load_summary(r, err) < 0 || ((flags & RUNDIR_HLOG) && load_hlog(r, err) < 0)) {
        rundir_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

void rundir_free(struct rundir *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ntags; i++) {
        free(r->tags[i].name);
        cx_hist_free(r->tags[i].h);
    }
    free(r->tags);
    cx_hist_free(r->all);
    json_decref(r->summary);
    free(r->dir);
    free(r);
}

const struct cx_hist *rundir_hist(const struct rundir *r, const char *tag)
{
    if (!tag[0])
        return r->all;
    char logged[1024];
    cx_hlog_tag(tag, logged, sizeof logged);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < r->ntags; i++)
            if (strcmp(r->tags[i].name, pass ? logged : tag) == 0)
                return r->tags[i].h;
    return NULL;
}

const struct cx_hist *rundir_hist_for(void *ctx, const char *tag)
{
    return rundir_hist(ctx, tag);
}
