/* clock.h - the mock's one clock (SIM-01).
 *
 * Mock time is milliseconds since the Unix epoch. Three modes:
 *   real      - follows the wall clock from the moment the mock starts;
 *   scaled:X  - runs X times faster than the wall clock (TTLs, windows, ring timers and
 *               consistency delays all shrink together);
 *   manual    - starts at CXM_MANUAL_EPOCH_MS and moves only when told (POST /__admin/clock),
 *               so a run is reproducible to the millisecond.
 * Not thread-safe: the mock reads and moves it under its lock.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

#define CXM_MANUAL_EPOCH_MS 1767225600000LL /* 2026-01-01T00:00:00Z */

/* The clock's bounds. Mock time never passes CXM_CLOCK_MAX_MS, the last millisecond a four-digit
 * ISO 8601 year names: there it stops (saturates) instead of overflowing, and every sum of mock
 * time and a tenant's durations (at most INT_MAX seconds each) still fits an int64_t. A scale is
 * CXM_CLOCK_MIN_SCALE to CXM_CLOCK_MAX_SCALE, so wall and mock durations convert without
 * overflow either. */
#define CXM_CLOCK_MAX_MS    253402300799999LL /* 9999-12-31T23:59:59.999Z */
#define CXM_CLOCK_MIN_SCALE 0.001
#define CXM_CLOCK_MAX_SCALE 1000000.0

enum cxm_clock_mode { CXM_CLOCK_REAL, CXM_CLOCK_SCALED, CXM_CLOCK_MANUAL };

/* SIM-06: the time the durations the mock tells a client (Retry-After, retryAfterMs,
 * expires_in) and the waits a client asks for (a long poll's timeout) are in. WALL, the
 * default: the client's wall time, so an unmodified program behaves on a scaled clock as it
 * would against the platform; MOCK: mock time, as the simulation counts it. The same on a real
 * clock; on a manual one, where mock time has no wall rate, always mock time. */
enum cxm_told { CXM_TOLD_WALL, CXM_TOLD_MOCK };

struct cxm_clock {
    enum cxm_clock_mode mode;
    enum cxm_told told;
    double scale;      /* 1 in real mode */
    int64_t base_ms;   /* mock time at the anchor */
    int64_t anchor_ns; /* CLOCK_MONOTONIC at the anchor (real, scaled) */
};

/* Is SCALE within CXM_CLOCK_MIN_SCALE..CXM_CLOCK_MAX_SCALE? (NaN is not.) */
int cxm_clock_scale_ok(double scale);

/* Parse "real", "scaled:X" (X a plain decimal, CXM_CLOCK_MIN_SCALE..CXM_CLOCK_MAX_SCALE) or
 * "manual". Returns 0, or -1 if malformed or out of range. */
int cxm_clock_parse(const char *spec, enum cxm_clock_mode *mode, double *scale);

/* Start a clock: real and scaled anchor at the wall clock's now, manual at the epoch above. */
void cxm_clock_init(struct cxm_clock *c, enum cxm_clock_mode mode, double scale);

/* Mock time now, in ms since the Unix epoch; never past CXM_CLOCK_MAX_MS. */
int64_t cxm_clock_now(const struct cxm_clock *c);

/* How far the clock can still move: CXM_CLOCK_MAX_MS less now (0 at the end). */
int64_t cxm_clock_headroom_ms(const struct cxm_clock *c);

/* Manual mode: move forward by ms >= 0, stopping at CXM_CLOCK_MAX_MS. Returns 0, or -1 if not
 * manual or ms < 0. */
int cxm_clock_advance(struct cxm_clock *c, int64_t ms);

/* Real or scaled mode: change the speed from now on without a jump (scale 1 = real).
 * Returns 0, or -1 in manual mode or for a scale out of range (cxm_clock_scale_ok). */
int cxm_clock_set_scale(struct cxm_clock *c, double scale);

/* Wall-clock nanoseconds until mock time reaches at_ms (0 if already there); -1 in manual
 * mode, where time never moves by itself. */
int64_t cxm_clock_wall_ns_until(const struct cxm_clock *c, int64_t at_ms);

/* Parse "wall" or "mock". Returns 0, or -1 if it is neither. */
int cxm_told_parse(const char *spec, enum cxm_told *told);

/* A wait of MS mock milliseconds as the client is told it (SIM-06): in wall ms on a scaled
 * clock telling wall time, rounded up, so a client that waits exactly that long is admitted;
 * else MS. */
int64_t cxm_clock_told_wait_ms(const struct cxm_clock *c, int64_t ms);

/* A lifetime of S mock seconds as the client is told it (SIM-06): in wall seconds on a scaled
 * clock telling wall time, rounded down but at least 1, so a client that renews at its end is
 * not late; else S. */
int64_t cxm_clock_told_lifetime_s(const struct cxm_clock *c, int64_t s);

/* A wait of S seconds that a client asks for (a long poll's timeout), as wall nanoseconds: S
 * wall seconds when the clock tells wall time, else S mock seconds (S / scale wall ones). */
int64_t cxm_clock_asked_wait_ns(const struct cxm_clock *c, int64_t s);

/* "real", "scaled:X" or "manual" into buf. */
void cxm_clock_describe(const struct cxm_clock *c, char *buf, unsigned long size);

/* Format mock time as ISO 8601 UTC with milliseconds: "2026-01-01T00:00:00.000Z" (25 bytes). */
void cxm_time_iso(int64_t ms, char out[32]);

#endif
