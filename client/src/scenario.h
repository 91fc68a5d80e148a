/* scenario.h - a scenario file, parsed and checked: what virtual users do and how load arrives.
 *
 * The format is documented in client/SCENARIO.md and in `cxload --help`. scn_load() reads the
 * whole file, checks every key and value, and either returns a complete scenario or an error
 * located at FILE:LINE:COLUMN (struct cx_error): nothing half-checked ever runs. The scenario
 * is immutable once loaded and shared read-only by every worker thread.
 *
 * Strings that may hold ${...} references are kept as templates (struct tpl, template.h) and
 * expanded per request by the worker that sends it.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cxerr.h"
#include "hrec.h"
#include "template.h"
#include "thresholds.h"

/* ---- load models ------------------------------------------------------------------------ */

enum scn_model {
    SCN_CLOSED,  /* vus virtual users loop: iterations each, or until duration */
    SCN_OPEN,    /* iterations start at a constant arrival rate for duration */
    SCN_RAMPING, /* arrival rate moves linearly from stage to stage */
};

enum scn_spacing { SCN_UNIFORM, SCN_POISSON };

struct scn_stage {
    int64_t duration_us;
    double rate; /* target arrivals per second at the end of the stage */
};

struct scn_load {
    enum scn_model model;
    int vus;            /* closed: virtual users; open/ramping: at most this many at once */
    int64_t iterations; /* closed: per virtual user; 0 = until duration */
    int64_t duration_us;
    double rate;       /* open: arrivals per second */
    double start_rate; /* ramping: the rate at time 0 */
    enum scn_spacing spacing;
    struct scn_stage *stages;
    size_t nstages;
};

/* ---- auth ------------------------------------------------------------------------------- */

enum scn_grant { SCN_CLIENT_CREDENTIALS, SCN_PASSWORD };
enum scn_cache { SCN_CACHE_WORKER, SCN_CACHE_VU, SCN_CACHE_SHARED };

struct scn_auth {
    char *name; /* the key under "auth": steps name it in "auth" */
    enum scn_grant grant;
    enum scn_cache cache;
    struct tpl *token_path; /* default "/oauth/token" */
    struct tpl *client_id, *client_secret, *username, *password, *scope; /* NULL = absent */
};

/* ---- client policy ---------------------------------------------------------------------- */

struct scn_policy {
    int retries;            /* extra attempts after the first; 0 = none */
    int retry_on[16];       /* statuses that are retried; 0-terminated; -1 means "timeout/reset" */
    int64_t base_us;        /* first backoff */
    int64_t cap_us;         /* largest backoff */
    int exponential;        /* 1: base * 2^n; 0: base * (n+1) (linear) */
    int jitter;             /* 1: full jitter, uniform in [0, backoff] */
    int honour_retry_after; /* 1: wait at least Retry-After before retrying a 429/503 */
    double rate_cap;        /* requests per second over the whole run; 0 = none */
    int64_t timeout_us;     /* per attempt */
    const char *idempotency_header; /* e.g. "X-Idempotency-Key"; header sent by steps that ask */
};

/* ---- steps -------------------------------------------------------------------------------- */

enum scn_step_kind {
    SCN_REQUEST,
    SCN_POLL,    /* a request repeated until a condition holds, with backoff and a deadline */
    SCN_THINK,   /* wait think_min_us..think_max_us (uniform) */
    SCN_BARRIER, /* wait until barrier_count virtual users are here, then all go at once */
    SCN_IF,      /* then or else steps, on a condition */
    SCN_ADVANCE, /* move the mock's manual clock: POST /__admin/clock {"advanceMs"} */
    SCN_END,     /* end this iteration */
};

/* A condition on the last response or a variable. */
enum scn_cond_kind {
    SCN_COND_STATUS,     /* last status == status (or within the list) */
    SCN_COND_EQUALS,     /* var (template) == value (template) */
    SCN_COND_NOT_EQUALS, /* var != value */
    SCN_COND_EXISTS,     /* var is set */
    SCN_COND_JSON,       /* extraction path of the last body == value (template) */
};

struct scn_cond {
    enum scn_cond_kind kind;
    int statuses[16]; /* 0-terminated */
    struct tpl *left; /* EQUALS/NOT_EQUALS: the left side, e.g. "${owner}" */
    char *var;        /* EXISTS: a variable name */
    char *path;       /* JSON: an extraction path, e.g. "$.state" */
    struct tpl *value;
};

struct scn_header {
    char *name;
    struct tpl *value;
};

struct scn_extract {
    char *var;  /* the variable set */
    char *from; /* "$.a.b[0]" a JSON path into the body, "header:Name", or "status" */
};

struct scn_step;

struct scn_request {
    char *method;
    struct tpl *path; /* may carry a query string */
    struct scn_header *headers;
    size_t nheaders;
    json_t *body;    /* NULL = no body; strings inside are templates, expanded per request */
    char *auth;      /* the auth source's name; NULL = no Authorization header */
    int idempotency; /* 1: send an idempotency key, one per logical operation (kept on retries) */
    char *idempotency_header; /* NULL = policy.idempotency_header */
    int retry;                /* 1: the policy's retries apply (default); 0: single attempt */
    int64_t timeout_us;       /* 0 = the policy's */
    struct scn_extract *extracts;
    size_t nextracts;
    int expect_status[16];        /* 0-terminated; empty = any 2xx */
    struct scn_cond *expect_json; /* SCN_COND_JSON conditions that must hold */
    size_t nexpect_json;
    /* for the violation checks */
    enum hrec_op op;     /* what the step means to the violation checks (hrec.h) */
    struct tpl *subject; /* the interaction or contact the request is about */
    struct tpl *agent;   /* the agent acting */
    struct tpl *key;     /* INJECT: the business key of the logical operation */
    char *rule;          /* the rule ID (docs/rules.md) a failed expectation reports, or NULL */
};

struct scn_poll {
    struct scn_cond *until; /* all must hold */
    size_t nuntil;
    int64_t interval_us;
    double backoff; /* interval multiplier after each try (>= 1) */
    int64_t max_interval_us;
    int64_t deadline_us;
};

/* Step lists nest at most this deep: "steps" (or "setup") is the first level, an if's branch
 * in it the second. The loader refuses a deeper one; a virtual user's stack holds this many. */
#define SCN_MAX_DEPTH 16

struct scn_step {
    enum scn_step_kind kind;
    char *name;             /* for reports: defaults to "METHOD path-template" for requests */
    char *tag;              /* the latency tag: defaults to name */
    int line, column;       /* where the step starts in the file, for messages */
    struct scn_request req; /* REQUEST, POLL */
    struct scn_poll poll;   /* POLL */
    int64_t think_min_us, think_max_us;
    char *barrier; /* BARRIER: its name */
    int barrier_count;
    size_t barrier_index; /* BARRIER: index into scenario->barriers */
    struct scn_cond cond; /* IF */
    struct scn_step *then_steps, *else_steps;
    size_t nthen, nelse;
    int64_t advance_us; /* ADVANCE */
};

/* ---- thresholds ------------------------------------------------------------------------- */

enum scn_metric { /* the threshold language's (thresholds.h) */
                  SCN_M_LATENCY =
                      TH_LATENCY, /* selector: a tag or "" for all; stat: p(N), avg, max, min */
                  SCN_M_VIOLATION =
                      TH_VIOLATIONS, /* selector: a violation name or "" for all; stat: count */
                  SCN_M_ERRORS = TH_ERRORS,     /* stat: rate (failed / all) or count */
                  SCN_M_ACHIEVED = TH_OFFERED,  /* stat: ratio of achieved to offered starts */
                  SCN_M_REQUESTS = TH_REQUESTS, /* stat: count or rate (per second) */
};

enum scn_cmp {
    SCN_LT = TH_LT,
    SCN_LE = TH_LE,
    SCN_GT = TH_GT,
    SCN_GE = TH_GE,
    SCN_EQ = TH_EQ,
    SCN_NE = TH_NE
};

struct scn_threshold {
    char *text; /* as written, e.g. "latency{accept}: p(99)<300" */
    enum scn_metric metric;
    char *selector;
    char stat[16]; /* "p", "avg", "max", "min", "count", "rate", "achieved" */
    double pct;    /* for "p" */
    enum scn_cmp cmp;
    double value; /* latency in ms */
};

/* The most connections a scenario or --connections may ask for. */
#define SCN_MAX_CONNECTIONS 65536

/* ---- the scenario ------------------------------------------------------------------------ */

struct scn_user {
    json_t *vars; /* object: ${user.NAME} */
};

enum scn_client_time { SCN_TIME_WALL, SCN_TIME_MOCK }; /* "wall" (default), "mock" */

struct scenario {
    char *path; /* as given */
    char *name;
    char *description;
    char *clock; /* "real", "scaled:X", "manual" or NULL (the mock's default) */
    enum scn_client_time client_time; /* "clientTime": the time a scaled mock's Retry-After
                                       * and expires_in are in (SIM-06); the embedded mock is
                                       * told the same */
    char *tenant;     /* fixture path for the embedded mock, resolved against the file's folder */
    int64_t seed;     /* -1 = not given */
    int connections;  /* connections to the target at most, the whole run's (shared among its
                       * shards and threads); 0 = not given (64 per worker thread) */
    json_t *vars;     /* object: ${vars.NAME} */
    json_t *env_refs; /* object: every NAME of ${env.NAME} the scenario uses (values: true) */
    struct scn_user *users;
    size_t nusers;
    struct scn_load load;
    struct scn_auth *auths;
    size_t nauths;
    struct scn_policy policy;
    struct scn_step *setup; /* run once, by one virtual user, before the load */
    size_t nsetup;
    struct scn_step *steps;
    size_t nsteps;
    struct scn_threshold *thresholds;
    size_t nthresholds;
    char **barriers;     /* distinct barrier names */
    int *barrier_counts; /* the users each one waits for (every use agrees) */
    size_t nbarriers;
    char **tags; /* distinct step tags, in order of first appearance */
    size_t ntags;
};

/* Parse and check PATH. Returns 0 and a scenario in *out, or -1 with *err filled
 * (FILE:LINE:COLUMN, the bad key's path and what was expected). */
int scn_load(const char *path, struct scenario **out, struct cx_error *err);

/* The same from text in memory; NAME is used in error messages and to resolve "tenant". */
int scn_load_text(const char *name, const char *text, size_t len, struct scenario **out,
                  struct cx_error *err);

void scn_free(struct scenario *s);

/* The index of TAG in s->tags, or -1. */
int scn_tag_index(const struct scenario *s, const char *tag);

#endif
