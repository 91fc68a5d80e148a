/* saturation.c - see saturation.h */
#include "saturation.h"

#include <stdio.h>

#include "hist.h"

void saturation_before(struct saturation *s, const struct target *t, int probe)
{
    s->probed = probe && target_mock_workers(t, &s->before) == 0;
}

void saturation_after(struct saturation *s, const struct target *t)
{
    s->after_ok = s->probed && target_mock_workers(t, &s->after) == 0;
}

static json_t *ms_stats(const struct cx_hist *h)
{
    return json_pack("{sf sf sf}", "p50", cx_hist_percentile(h, 50) / 1000.0, "p99",
                     cx_hist_percentile(h, 99) / 1000.0, "max", cx_hist_max(h) / 1000.0);
}

/* The target's part: its workers and the connections that found them all busy, or null. */
static json_t *target_part(const struct saturation *s)
{
    if (!s->after_ok)
        return json_null();
    long held = s->after.saturated - s->before.saturated;
    return json_pack("{sI sI}", "workers", (json_int_t)s->after.workers, "saturatedConnections",
                     (json_int_t)(held > 0 ? held : 0));
}

static int fell_behind(const struct stats *all)
{
    int64_t starts = cx_hist_count(all->lag);
    return starts > 0 && (double)all->lag_over > SAT_LAG_SHARE * (double)starts;
}

static json_t *driver_part(const struct stats *all)
{
    return json_pack("{so sI sI sf sb}", "lagMs", ms_stats(all->lag), "starts",
                     (json_int_t)cx_hist_count(all->lag), "lateStarts", (json_int_t)all->lag_over,
                     "boundMs", SAT_LAG_BOUND_US / 1000.0, "fellBehind", fell_behind(all));
}

static void warn_target(json_t *warnings, const json_t *target, const struct run_shared *rs)
{
    json_int_t held = json_integer_value(json_object_get(target, "saturatedConnections"));
    if (held <= 0)
        return;
    char text[600];
    snprintf(text, sizeof text,
             "the target held connections waiting for a worker: %lld opened while all %lld of "
             "its worker threads were busy, so their requests waited in its queue and that wait "
             "is in their latency; give it a worker per connection (cxmock --threads, at least "
             "%d here) or open fewer (--connections)",
             (long long)held, (long long)json_integer_value(json_object_get(target, "workers")),
             rs->connections + 1);
    json_array_append_new(warnings, json_string(text));
}

static void warn_driver(json_t *warnings, const struct stats *all)
{
    if (!fell_behind(all))
        return;
    int64_t starts = cx_hist_count(all->lag);
    char text[600];
    snprintf(text, sizeof text,
             "the driver fell behind: %lld of the %lld timers and arrivals its loops started "
             "(%.1f %%) began more than %d ms after they were due (p99 %.1f ms, max %.1f ms), so "
             "the latencies hold the driver's own delay too; give it more --threads, a machine "
             "of its own, or fewer virtual users per process (--shard)",
             (long long)all->lag_over, (long long)starts, 100.0 * (double)all->lag_over / starts,
             SAT_LAG_BOUND_US / 1000, cx_hist_percentile(all->lag, 99) / 1000.0,
             cx_hist_max(all->lag) / 1000.0);
    json_array_append_new(warnings, json_string(text));
}

void saturation_summarize(json_t *summary, const struct saturation *s, const struct run_shared *rs,
                          const struct stats *all)
{
    json_t *target = target_part(s), *warnings = json_array();
    warn_target(warnings, target, rs);
    warn_driver(warnings, all);
    json_object_set_new(summary, "saturation",
                        json_pack("{so so}", "target", target, "driver", driver_part(all)));
    json_object_set_new(summary, "warnings", warnings);
}

void saturation_print_warnings(FILE *f, const json_t *summary)
{
    size_t i;
    const json_t *w;
    json_array_foreach(json_object_get(summary, "warnings"), i, w)
        fprintf(f, "cxload: warning: %s\n", json_string_value(w));
}
