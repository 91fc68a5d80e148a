/* tenant.h - the tenant fixture: clients, agents, queues and the knobs of every rule.
 *
 * Loaded from JSON (the keys mock/tenants/default.json uses; the README's "The default tenant")
 * or from the built-in default (that file, compiled in). The loader is strict: an unknown key, a
 * wrong type, an out-of-range number or a dangling reference (fallbackQueueId, agent queue) is an
 * error that names file:line:column and the key, and nothing is loaded. The structure is immutable
 * once loaded; the simulation copies what it changes at run time.
 */
#ifndef TENANT_H
#define TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "clock.h"
#include "cxerr.h"
#include "groups.h"

/* Channels as a bit set: an agent holds several, an interaction has one. */
enum cxm_channel {
    CXM_CH_VOICE = 1 << 0,
    CXM_CH_CHAT = 1 << 1,
    CXM_CH_SMS = 1 << 2,
    CXM_CH_EMAIL = 1 << 3,
};
#define CXM_CH_DIGITAL (CXM_CH_CHAT | CXM_CH_SMS | CXM_CH_EMAIL)

enum cxm_agent_state {
    CXM_AGENT_READY,
    CXM_AGENT_NOT_READY,
    CXM_AGENT_PAUSED,
    CXM_AGENT_IDLE,
    CXM_AGENT_LOGGED_OUT,
};

enum cxm_sorting { CXM_SORT_PRIORITY, CXM_SORT_FIFO, CXM_SORT_LIFO, CXM_SORT_CUSTOM };
enum cxm_overflow_action { CXM_OVERFLOW_DROP, CXM_OVERFLOW_FALLBACK };
/* What an injection into a queue at its maxCapacity gets (INJ-06; 001 §3 and edge case 1). */
enum cxm_at_capacity {
    CXM_CAPACITY_409,     /* 409: refused, nothing created (001 §3) */
    CXM_CAPACITY_ABANDON, /* 201, then abandoned at once (001 edge case 1) */
};
enum cxm_rotation { CXM_ROTATION_KEEP, CXM_ROTATION_REVOKE_PREVIOUS };

/* "scopeAliases": a name of the fixture's that stands for seed scope names (AUTH-07). */
struct cxm_scope_alias {
    char *alias;
    char **scopes; /* the seed names it grants */
    size_t nscopes;
};

struct cxm_client {
    char *id;
    char *secret;
    char **scopes; /* granted scopes: seed names (scopes.h) or aliases */
    size_t nscopes;
    int per_min;                   /* "perMin", default 120: the routing group's limit (RATE-01) */
    int group_per_min[CXM_GROUPS]; /* "limits": {"routing": N, ...}; 0 = no limit; routing
                                      defaults to perMin, the others to 0 */
    int token_ttl_s;               /* "tokenTtlSeconds", default: the tenant's */
    enum cxm_rotation rotation;    /* "rotation", default keep (AUTH-05) */
};

/* A span of mock time, in seconds from the mock's start (its origin, or the last reset). */
struct cxm_span {
    int64_t start_s, end_s; /* [start, end) */
};

struct cxm_agent_def {
    char *id;
    char *email;
    char *password;
    enum cxm_agent_state state; /* "state", default READY */
    unsigned channels;          /* "channels": bit set of enum cxm_channel, default voice */
    bool scheduled;             /* "scheduled", default true */
    bool mandatory_break;       /* "mandatoryBreak", default false */
    char **queues;              /* "queues": ids the agent serves; none = every queue */
    size_t nqueues;
    char **skills; /* "skills": what it is skilled in (INJ-02); NULL: not declared,
                    * any skill (fixtures from before skills) */
    size_t nskills;
    bool has_shift; /* "shift": {"startSeconds", "endSeconds"}: scheduled only then */
    struct cxm_span shift;
    struct cxm_span *breaks; /* "breaks": [{"startSeconds", "endSeconds"}]: mandatory breaks
                              * due in these windows (AGT-02, 003) */
    size_t nbreaks;
};

struct cxm_queue_def {
    char *id;
    char *name;                               /* default: the id */
    enum cxm_sorting sorting;                 /* "sortingStrategy", default FIFO */
    int max_rings;                            /* "maxRings", default 3, >= 1 */
    int ring_seconds;                         /* "ringSeconds", default 20, >= 1 */
    int overflow_depth;                       /* "overflowDepth", 0 = never by depth */
    int max_wait_seconds;                     /* "maxWaitSeconds", 0 = never by wait */
    int max_capacity;                         /* "maxCapacity", 0 = unbounded (INJ-06) */
    enum cxm_at_capacity at_capacity;         /* "atCapacity": "409" (default) or "abandon" */
    enum cxm_overflow_action overflow_action; /* "overflowAction", default drop */
    char *fallback_queue_id; /* "fallbackQueueId": required with fallback, must exist */
    bool has_abandon_rate;   /* "thresholds": {"abandonRate", "serviceLevel"} */
    double abandon_rate;
    bool has_service_level;
    double service_level;
    int service_level_seconds; /* "serviceLevelSeconds": answered within this counts, default 20 */
    char **skills;             /* "skills": what skillIds route here (INJ-01) */
    size_t nskills;
};

struct cxm_attr_def {
    char *key;      /* with its type prefix, e.g. "string:externalSource" */
    int max_length; /* "maxLength", default 255 */
};

struct cxm_webhook_def {
    char *url;
    char **events; /* event types delivered; none = all */
    size_t nevents;
};

struct cxm_tenant {
    char *name;             /* "tenant" */
    int token_ttl_s;        /* "tokenTtlSeconds", default 3600 */
    int consistency_min_ms; /* "consistency": {"minMs", "maxMs"}, default 200..500 */
    int consistency_max_ms;
    int evaluation_interval_ms; /* "evaluationIntervalMs", default 1000 */
    int idempotency_ttl_s;      /* "idempotencyTtlSeconds", default 86400 */
    bool patch_assigned_ignore; /* "patchAssigned": "409" (default) or "ignore" */
    bool overflow_on_last_ring; /* "overflowOnLastRing", default true: a queue is Overflow
                                 * while a member rings its last ring (000 §3's maxRings), as
                                 * well as by depth and wait */
    bool priority_raw;          /* "priorityMapping": "scaled" (default: a PATCH's 1-10 ranks
                                 * as (p - 1) * 111 on the injection's 0-999) or "raw" (as the
                                 * number it is) */
    bool idempotency_either;    /* "idempotencyHeaders": "seed" (default: X-Idempotency-Key on
                                 * injection, Idempotency-Key on PATCH, the other ignored) or
                                 * "either" (both on both) */
    enum cxm_told client_time;  /* "clientTime": "wall" (default) or "mock": the time the
                                 * durations told to clients are in on a scaled clock (SIM-06) */
    int tenant_per_min;         /* "limits": {"tenantPerMin"} default 0 = none */
    int agent_state_per_min;    /* "limits": {"agentStatePerMin"} default 100 */
    int teardown_ms;            /* "teardownMs": Timeout -> Ended, default 1000 */
    int event_retention;        /* "eventRetention": events kept for long poll, default 100000 */
    int idempotency_max_keys;   /* "idempotencyMaxKeys": bound of the key store, default 1000000 */
    int ended_retention; /* "endedRetention": ended interactions kept, default 1000000 (model.h) */

    struct cxm_scope_alias *aliases; /* "scopeAliases" */
    size_t naliases;
    struct cxm_client *clients;
    size_t nclients;
    struct cxm_agent_def *agents;
    size_t nagents;
    struct cxm_queue_def *queues;
    size_t nqueues;
    char **dispositions;
    size_t ndispositions;
    struct cxm_attr_def *attributes;
    size_t nattributes;
    struct cxm_webhook_def *webhooks;
    size_t nwebhooks;
    json_t *faults;  /* "faults": kept as given (an array); validated by the fault module */
    char digest[32]; /* "fnv1a64:" and 16 hex digits of the fixture's text (the START line) */
};

/* Parse a fixture from TEXT (LEN bytes); NAME is used in errors (a file name or "<builtin>").
 * On success returns 0 and stores a new tenant in *out (free with cxm_tenant_free). On error
 * returns -1, fills *err with file:line:column, key and text, and leaves *out untouched. */
int cxm_tenant_parse(const char *text, size_t len, const char *name, struct cxm_tenant **out,
                     struct cx_error *err);

/* Read and parse the fixture file PATH; as cxm_tenant_parse, with an unreadable file reported
 * as PATH:0:0. */
int cxm_tenant_load_file(const char *path, struct cxm_tenant **out, struct cx_error *err);

/* Parse the built-in default tenant (mock/tenants/default.json). Returns 0, or -1 with *err. */
int cxm_tenant_load_default(struct cxm_tenant **out, struct cx_error *err);

/* Free a tenant and everything it owns. NULL is a no-op. */
void cxm_tenant_free(struct cxm_tenant *t);

/* Lookups; NULL or -1 if absent. */
const struct cxm_queue_def *cxm_tenant_queue(const struct cxm_tenant *t, const char *id);
const struct cxm_scope_alias *cxm_tenant_alias(const struct cxm_tenant *t, const char *name);
int cxm_tenant_queue_index(const struct cxm_tenant *t, const char *id);

/* Names of enum values as they appear in JSON and the API; parse returns -1 if unknown. */
const char *cxm_channel_name(unsigned channel); /* one bit */
int cxm_channel_parse(const char *s);
const char *cxm_agent_state_name(enum cxm_agent_state s);
int cxm_agent_state_parse(const char *s);
const char *cxm_sorting_name(enum cxm_sorting s);

#endif
