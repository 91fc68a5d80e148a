/* model.h - the tenant's live state: agents, queues and interactions.
 *
 * Plain data plus lookups and the JSON views the API returns (ACC-07, Q-01, Q-02). What changes
 * this state, and when, is routing.c (rings, timers) and actions.c (client writes).
 */
#ifndef MODEL_H
#define MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "strmap.h"
#include "tenant.h"

enum cxm_istate {
    CXM_IS_QUEUED,
    CXM_IS_RINGING,
    CXM_IS_ACTIVE,
    CXM_IS_ENDED,
    CXM_IS_TIMEOUT,
};

/* How an interaction left routing, where the state alone does not say (PRI-01). */
enum cxm_rstatus {
    CXM_RS_NONE,
    CXM_RS_WRAPPED,   /* completed by its agent */
    CXM_RS_ABANDONED, /* ABANDONED_ON_INGEST, ring timeout, customer hung up while waiting */
    CXM_RS_FAILED,    /* no agent of the tenant can ever take it */
};

struct cxm_agent {
    const struct cxm_agent_def *def;
    enum cxm_agent_state state;
    bool scheduled;
    bool mandatory_break;
    long ringing;    /* index of the interaction ringing this agent, or -1 */
    char reason[16]; /* the reason code of its last state write through the API ("": none) */
    int active;      /* Active interactions this agent owns */
};

struct cxm_queue {
    const struct cxm_queue_def *def;
    int forced;    /* -1: status computed; 0: forced Normal; 1: forced Overflow */
    long *members; /* waiting interactions (Queued or Ringing), in the queue's order; a window
                    * of buf (model.c), so members[i] for i < nmembers is all a reader needs */
    size_t nmembers;
    long *buf;
    size_t head, capmembers;
    size_t at_last_ring; /* members whose ring count reached the queue's maxRings */
    /* What routing (routing.c) knows of it: after a pass that left free agents unused, the
     * digest of the free agents that serve it ("settled"), and the members that may have
     * become routable since (joined, or back to Queued), each once. */
    bool settled;
    uint64_t settled_agents;
    long *recheck;
    size_t nrecheck, caprecheck;
    /* Outcomes for the queue's thresholds (INJ-06): */
    uint64_t answered, answered_in_sl, abandoned;
    double forced_abandon_rate, forced_service_level; /* < 0: computed */
};

#define CXM_PATCHES_PER_CYCLE 32 /* PATCHes of one contact one cycle weighs (more are ignored) */

struct cxm_interaction {
    char id[37];
    unsigned channel;  /* one enum cxm_channel bit */
    char *external_id; /* may be NULL */
    int queue;         /* index into the model's queues */
    enum cxm_istate state;
    int agent;         /* owner (applied), or -1 */
    int pending_owner; /* owner of an acknowledged accept not yet applied (ACC-05), or -1 */
    int ring_count;    /* rings started in the current ring cycle (ACC-06) */
    int max_rings;
    uint64_t ring_timer; /* id of the live ring timer event, 0 if none */
    int *ringing;        /* ring group: agent indexes (ACC-04) */
    int nringing;
    unsigned char *rejected_by; /* bit per agent: agents who rejected it (REJ-01, REJ-04) */
    char *reject_reason;        /* as stored (REJ-02), or NULL */
    json_t *metadata;           /* from the last accept or reject, or NULL */
    int64_t created;            /* mock ms */
    int64_t queued_at;          /* when it last entered its queue */
    uint64_t order;             /* arrival order: FIFO and LIFO sort by it alone */
    int64_t apply_after;        /* due time of its latest scheduled write: writes apply in order */
    /* Routing injection and priority (INJ-01, PRI-01 ... PRI-05): */
    int priority;      /* applied priority, as it was given: 0-999 at injection (001), 1-10 by a
                        * PATCH (002) */
    int rank;          /* that priority on one scale, 0-999: routing orders by this (PRI-04) */
    uint64_t sort_seq; /* place among equal priorities (Priority and Custom queues); a
                        * re-evaluation moves it to the back */
    int *pending;      /* priorities PATCHed since the last evaluation cycle, in order: each
                        * re-evaluates once there (CXM_PATCHES_PER_CYCLE slots, made at the first) */
    int npending;
    json_t *contact;    /* injected fields: type, from, to, callbackNumber, wrapUpCode (or NULL:
                         * none) */
    json_t *attributes; /* as stored after the schema (INJ-04); NULL: none (an admin-made
                         * interaction); never changed once stored (empty: a shared {}) */
    json_t *ignored_attributes; /* unregistered keys: accepted, kept, ignored by routing; NULL:
                                 * none */
    json_t *user_data;          /* GWS-02 UpdateUserData / AttachUserData / DeleteUserData */
    char *workbin;              /* parked by PlaceInWorkbin, or NULL */
    json_t *transcript;         /* chat, SMS: messages sent by PUT, or NULL (GWS-01) */
    json_t *draft;              /* email: the reply drafted by PUT {subject, body}, or NULL */
    enum cxm_rstatus rstatus;   /* how it ended, for routingStatus (PRI-01) */
    bool dropped;               /* silently dropped: gone from the public API (REJ-03) */
    bool in_queue;              /* one of its queue's members (Queued or Ringing) */
    bool recheck;               /* in its queue's recheck list */
};

struct cxm_model {
    const struct cxm_tenant *tenant;
    struct cxm_agent *agents;
    size_t nagents;
    struct cxm_queue *queues;
    size_t nqueues;
    /* By index, in creation order; NULL: forgotten (a slot is never reused). Mapped memory: a
     * page of it whose slots were all forgotten goes back to the kernel and reads as NULL. */
    struct cxm_interaction **ix;
    size_t nix, capix;
    size_t per_page;       /* slots in a page */
    uint16_t *live;        /* live[p]: slots of page p not forgotten */
    size_t pages_released; /* pages given back (for the tests) */
    struct strmap ix_by_id;
    uint64_t next_order;
    /* Ended interactions in the order they ended (a ring), the oldest forgotten first once
     * more than the fixture's endedRetention have ended (cxm_model_forget_ended). */
    long *ended;
    size_t ended_head, nended, capended;
    uint64_t forgotten;
};

/* The one empty object every contact without attributes shares (a new reference; jansson's
 * reference counts are atomic). Never modify it. */
json_t *cxm_empty_object(void);

/* Build the model of a tenant as its fixture describes it. Returns 0, or -1 if out of memory. */
int cxm_model_init(struct cxm_model *m, const struct cxm_tenant *t);
void cxm_model_free(struct cxm_model *m);

int cxm_model_agent(const struct cxm_model *m, const char *id);             /* index or -1 */
int cxm_model_agent_by_email(const struct cxm_model *m, const char *email); /* index or -1 */
int cxm_model_queue(const struct cxm_model *m, const char *id);             /* index or -1 */
/* Interaction by id, or -1; dropped ones are found too (the caller decides what shows);
 * forgotten ones are not. */
long cxm_model_interaction(const struct cxm_model *m, const char *id);

/* Add a new Queued interaction (not yet in its queue's members). Returns its index, or -1. */
long cxm_model_add_interaction(struct cxm_model *m, const char *id, unsigned channel,
                               const char *external_id, int queue, int64_t now);

/* Memory stays bounded under hours of traffic: interaction IX has just ended, and once more
 * than `keep` (endedRetention) have, the oldest ended are forgotten: freed, their index NULL,
 * their id unknown to the API (404). Only what nothing can still touch is forgotten: Ended,
 * in no queue, no ring timer, no PATCH waiting for its cycle, no write scheduled after now
 * (an accept acknowledged before the end still applies, and its PHANTOM_ACCEPT is recorded).
 * The ledger keeps every entry; the checks read the ledger. Call where no interaction pointer
 * is held (cxm_sim_compact). Returns -1 if out of memory (nothing is forgotten then). */
int cxm_model_ended(struct cxm_model *m, long ix);
void cxm_model_forget_ended(struct cxm_model *m, size_t keep, int64_t now);

/* Queue membership: waiting interactions in routing order. Priority and Custom queues order by
 * priority (highest first), then sort_seq; FIFO by arrival (order); LIFO by arrival, newest
 * first. FIFO and LIFO ignore priority, so a re-evaluation never moves a contact there
 * (PRI-04). join inserts in place; -1 if out of memory. */
int cxm_queue_join(struct cxm_model *m, int q, long ix);
/* Tell routing that member IX of its queue may be routable again (it joined, or is Queued
 * again): the next pass looks at it even if nothing else changed. */
void cxm_queue_recheck(struct cxm_model *m, long ix);
void cxm_queue_leave(struct cxm_model *m, int q, long ix);
/* 1-based position of ix in queue q, or 0 if not a member (PRI-01 queuePosition). */
size_t cxm_queue_position(const struct cxm_model *m, int q, long ix);

const char *cxm_istate_name(enum cxm_istate s);
/* PRI-01 routingStatus: queued, waiting, assigned, connected, wrapped, closed, abandoned, failed.
 */
const char *cxm_routing_status(const struct cxm_interaction *x);
int cxm_agent_has_channel(const struct cxm_agent *a, unsigned channel);
int cxm_agent_serves(const struct cxm_agent *a, const struct cxm_queue *q);
int cxm_rejected_by(const struct cxm_interaction *x, int agent);
void cxm_set_rejected_by(struct cxm_interaction *x, int agent);

/* Views (new references). */
json_t *cxm_view_interaction(const struct cxm_model *m,
                             const struct cxm_interaction *x); /* ACC-07 */
/* The same view as cxm_view_interaction, rendered straight to compact JSON text (malloc'd; NULL
 * if out of memory): the hot GET path, with no JSON tree built under the lock. */
char *cxm_render_interaction(const struct cxm_model *m, const struct cxm_interaction *x);

json_t *cxm_view_agent(const struct cxm_model *m, const struct cxm_agent *a);

#endif
