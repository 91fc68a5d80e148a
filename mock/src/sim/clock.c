/* clock.c - see clock.h */
#include "clock.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* D as an int64_t, saturated at the type's ends (NaN as 0). */
static int64_t sat_i64(double d)
{
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return d == d ? (int64_t)d : 0;
}

int cxm_clock_scale_ok(double scale)
{
    return scale >= CXM_CLOCK_MIN_SCALE && scale <= CXM_CLOCK_MAX_SCALE;
}

int cxm_clock_parse(const char *spec, enum cxm_clock_mode *mode, double *scale)
{
    if (strcmp(spec, "real") == 0) {
        *mode = CXM_CLOCK_REAL;
        *scale = 1.0;
        return 0;
    }
    if (strcmp(spec, "manual") == 0) {
        *mode = CXM_CLOCK_MANUAL;
        *scale = 0.0;
        return 0;
    }
    if (strncmp(spec, "scaled:", 7) == 0 && spec[7]) {
        /* A plain decimal (strtod alone would take a sign, white space, hex, inf and nan). */
        const char *x_text = spec + 7;
        if (!((*x_text >= '0' && *x_text <= '9') || *x_text == '.') ||
            strspn(x_text, "0123456789.eE+-") != strlen(x_text))
            return -1;
        char *end;
        errno = 0;
        double x = strtod(x_text, &end);
        if (*end || errno || !cxm_clock_scale_ok(x))
            return -1;
        *mode = CXM_CLOCK_SCALED;
        *scale = x;
        return 0;
    }
    return -1;
}

void cxm_clock_init(struct cxm_clock *c, enum cxm_clock_mode mode, double scale)
{
    c->mode = mode;
    c->scale = mode == CXM_CLOCK_REAL ? 1.0 : scale;
    c->anchor_ns = mono_ns();
    c->base_ms = mode == CXM_CLOCK_MANUAL ? CXM_MANUAL_EPOCH_MS : wall_ms();
}

int64_t cxm_clock_now(const struct cxm_clock *c)
{
    if (c->mode == CXM_CLOCK_MANUAL)
        return c->base_ms;
    double elapsed_ms = (double)(mono_ns() - c->anchor_ns) / 1e6 * c->scale;
    if (!(elapsed_ms < (double)(CXM_CLOCK_MAX_MS - c->base_ms)))
        return CXM_CLOCK_MAX_MS; /* the end of the clock: it stops there */
    return c->base_ms + (int64_t)elapsed_ms;
}

int64_t cxm_clock_headroom_ms(const struct cxm_clock *c)
{
    int64_t now = cxm_clock_now(c);
    return now < CXM_CLOCK_MAX_MS ? CXM_CLOCK_MAX_MS - now : 0;
}

int cxm_clock_advance(struct cxm_clock *c, int64_t ms)
{
    if (c->mode != CXM_CLOCK_MANUAL || ms < 0)
        return -1;
    c->base_ms = ms < CXM_CLOCK_MAX_MS - c->base_ms ? c->base_ms + ms : CXM_CLOCK_MAX_MS;
    return 0;
}

int cxm_clock_set_scale(struct cxm_clock *c, double scale)
{
    if (c->mode == CXM_CLOCK_MANUAL || !cxm_clock_scale_ok(scale))
        return -1;
    int64_t now = cxm_clock_now(c);
    c->base_ms = now;
    c->anchor_ns = mono_ns();
    c->scale = scale;
    c->mode = scale == 1.0 ? CXM_CLOCK_REAL : CXM_CLOCK_SCALED;
    return 0;
}

int64_t cxm_clock_wall_ns_until(const struct cxm_clock *c, int64_t at_ms)
{
    if (c->mode == CXM_CLOCK_MANUAL)
        return -1;
    int64_t now = cxm_clock_now(c);
    if (at_ms <= now)
        return 0;
    return sat_i64((double)(at_ms - now) * 1e6 / c->scale); /* at_ms > now >= 0: no overflow */
}

int cxm_told_parse(const char *spec, enum cxm_told *told)
{
    if (strcmp(spec, "wall") == 0)
        *told = CXM_TOLD_WALL;
    else if (strcmp(spec, "mock") == 0)
        *told = CXM_TOLD_MOCK;
    else
        return -1;
    return 0;
}

/* Does the clock tell its clients wall time that differs from mock time? */
static int tells_wall(const struct cxm_clock *c)
{
    return c->told == CXM_TOLD_WALL && c->mode == CXM_CLOCK_SCALED;
}

int64_t cxm_clock_told_wait_ms(const struct cxm_clock *c, int64_t ms)
{
    return tells_wall(c) ? sat_i64(ceil((double)ms / c->scale)) : ms;
}

int64_t cxm_clock_told_lifetime_s(const struct cxm_clock *c, int64_t s)
{
    if (!tells_wall(c))
        return s;
    int64_t wall = sat_i64(floor((double)s / c->scale));
    return wall < 1 ? 1 : wall;
}

int64_t cxm_clock_asked_wait_ns(const struct cxm_clock *c, int64_t s)
{
    double ns = (double)s * 1e9;
    return sat_i64(c->told == CXM_TOLD_MOCK && c->mode == CXM_CLOCK_SCALED ? ns / c->scale : ns);
}

void cxm_clock_describe(const struct cxm_clock *c, char *buf, unsigned long size)
{
    if (c->mode == CXM_CLOCK_MANUAL)
        snprintf(buf, size, "manual");
    else if (c->mode == CXM_CLOCK_REAL)
        snprintf(buf, size, "real");
    else
        snprintf(buf, size, "scaled:%g", c->scale);
}

void cxm_time_iso(int64_t ms, char out[32])
{
    /* Every ledger line and most answers carry one: the date and time of the last second
     * formatted are kept per thread, so most calls only print the milliseconds. */
    static __thread int64_t last_s = -1;
    static __thread char last[20];
    time_t s = (time_t)(ms / 1000);
    if (ms >= 0 && (int64_t)s == last_s) {
        memcpy(out, last, 19);
        int f = (int)(ms % 1000);
        out[19] = '.';
        out[20] = (char)('0' + f / 100);
        out[21] = (char)('0' + f / 10 % 10);
        out[22] = (char)('0' + f % 10);
        out[23] = 'Z';
        out[24] = '\0';
        return;
    }
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
    if (ms >= 0 && n == 19) {
        memcpy(last, out, 19);
        last_s = (int64_t)s;
    }
}
