/* mergesat.c - see mergesat.h */
#include "mergesat.h"

#include <math.h>
#include <stdio.h>

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k)); /* 0 if absent or not a number */
}

/* p50, p99 and max of ms-figures objects, each the highest (max exact, the others bounds). */
struct highest {
    double p50, p99, max;
};

static void take_highest(struct highest *h, const json_t *ms)
{
    h->p50 = fmax(h->p50, num(ms, "p50"));
    h->p99 = fmax(h->p99, num(ms, "p99"));
    h->max = fmax(h->max, num(ms, "max"));
}

static json_t *highest_json(const struct highest *h)
{
    return json_pack("{sf sf sf}", "p50", h->p50, "p99", h->p99, "max", h->max);
}

static void merge_connections(json_t *merged, const json_t *const *sum, size_t n, json_t *inexact)
{
    json_int_t limit = 0, waits = 0;
    struct highest w = {0};
    int any = 0, waited = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_object_get(sum[i], "connections");
        if (!json_is_object(c))
            continue;
        any = 1;
        limit += (json_int_t)num(c, "limit");
        waits += (json_int_t)num(c, "waits");
        waited += num(c, "waits") > 0;
        take_highest(&w, json_object_get(c, "waitMs"));
    }
    if (!any)
        return;
    json_object_set_new(
        merged, "connections",
        json_pack("{sI sI so}", "limit", limit, "waits", waits, "waitMs", highest_json(&w)));
    if (waited > 1)
        json_array_append_new(inexact,
                              json_string("connections.waitMs: p50 and p99 are the highest "
                                          "shard's (an upper bound); limit, waits and max are "
                                          "exact"));
}

static json_t *merged_target(const json_t *const *sum, size_t n)
{
    json_int_t workers = 0, saturated = 0;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_object_get(json_object_get(sum[i], "saturation"), "target");
        if (!json_is_object(t))
            continue;
        any = 1;
        workers = (json_int_t)fmax((double)workers, num(t, "workers"));
        saturated += (json_int_t)num(t, "saturatedConnections");
    }
    return any ? json_pack("{sI sI}", "workers", workers, "saturatedConnections", saturated)
               : json_null();
}

static json_t *merged_driver(const json_t *const *sum, size_t n)
{
    json_int_t starts = 0, late = 0;
    struct highest lag = {0};
    double bound = 0;
    int any = 0, behind = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *d = json_object_get(json_object_get(sum[i], "saturation"), "driver");
        if (!json_is_object(d))
            continue;
        any = 1;
        starts += (json_int_t)num(d, "starts");
        late += (json_int_t)num(d, "lateStarts");
        bound = fmax(bound, num(d, "boundMs"));
        behind |= json_is_true(json_object_get(d, "fellBehind"));
        take_highest(&lag, json_object_get(d, "lagMs"));
    }
    return any ? json_pack("{so sI sI sf sb}", "lagMs", highest_json(&lag), "starts", starts,
                           "lateStarts", late, "boundMs", bound, "fellBehind", behind)
               : json_null();
}

static void merge_warnings(json_t *merged, const json_t *const *sum, const char *const *names,
                           size_t n)
{
    json_t *all = json_array();
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *ws = json_object_get(sum[i], "warnings");
        any |= json_is_array(ws);
        size_t k;
        const json_t *w;
        json_array_foreach(ws, k, w)
        {
            char text[2048];
            snprintf(text, sizeof text, "shard %s: %s", names[i], json_string_value(w));
            json_array_append_new(all, json_string(text));
        }
    }
    if (any)
        json_object_set_new(merged, "warnings", all);
    else
        json_decref(all);
}

void merge_saturation(json_t *merged, const json_t *const *sum, const char *const *names, size_t n,
                      json_t *inexact)
{
    merge_connections(merged, sum, n, inexact);
    int any = 0;
    for (size_t i = 0; i < n; i++)
        any |= json_object_get(sum[i], "saturation") != NULL;
    if (any)
        json_object_set_new(
            merged, "saturation",
            json_pack("{so so}", "target", merged_target(sum, n), "driver", merged_driver(sum, n)));
    merge_warnings(merged, sum, names, n);
}
