/* faults.h - the fault plan (FLT-01): what goes wrong, where, how often, and when.
 *
 * A plan is a JSON array (the fixture's "faults", or PUT /__admin/faults) of
 *   {"group": "routing"|"interactions"|"auth"|"state"|"gws"|"*",
 *    "status": 500|502|503|504, "rate": 0..1,        error instead of an answer
 *    "applied": false,                               true: the request is processed first,
 *                                                    then its answer is lost for the error
 *    "latencyMs": {"fixed": N} | {"min": A, "max": B} | {"median": M, "sigma": S},
 *    "reset": 0..1,                                  the connection is reset, no answer
 *    "hang": false, "hangMs": 60000,                 answer only after hangMs (wall clock)
 *    "fromMs": N, "untilMs": N}                      active window on the mock clock, from
 *                                                    the mock's start (or last reset)
 * Every entry whose group and window match a request applies; each random choice draws from
 * the mock's PRNG (SIM-02). A routing outage window is {"group":"routing","status":503,
 * "rate":1,"fromMs":...,"untilMs":...}.
 */
#ifndef FAULTS_H
#define FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "cxerr.h"
#include "prng.h"

enum cxm_latency { CXM_LAT_NONE, CXM_LAT_FIXED, CXM_LAT_UNIFORM, CXM_LAT_LOGNORMAL };

struct cxm_fault {
    int group; /* enum cxm_group, or -1 for "*" */
    int status;
    double rate;
    bool applied;
    enum cxm_latency latency;
    double lat_a, lat_b; /* fixed: a; uniform: [a, b]; log-normal: median a, sigma b */
    double reset;
    bool hang;
    int64_t hang_ms;
    int64_t from_ms, until_ms; /* until 0: open-ended */
};

struct cxm_faults {
    struct cxm_fault *v;
    size_t n;
};

/* What the plan does to one request. */
struct cxm_fault_effect {
    int status;       /* 0: none; else answer this 5xx */
    bool applied;     /* process the request before answering status */
    int64_t delay_ms; /* added latency, mock ms */
    bool reset;
    int64_t hang_ms; /* 0: no hang; else wall ms before answering */
};

/* Parse and check a plan. Returns 0 and fills *out (free with cxm_faults_free), or -1 with the
 * JSON path of the bad value in err's key ("[2].rate", "" for the plan itself) and what was
 * expected in its text. */
int cxm_faults_parse(json_t *plan, struct cxm_faults *out, struct cx_error *err);
void cxm_faults_free(struct cxm_faults *f);

/* Roll the plan for a request of `group` at `elapsed` ms since the origin. */
void cxm_faults_roll(const struct cxm_faults *f, int group, int64_t elapsed, struct cx_prng *p,
                     struct cxm_fault_effect *e);

#endif
