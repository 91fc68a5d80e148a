/* routing.c - see routing.h */
#include "routing.h"

#include <stdlib.h>
#include <string.h>

static void ring_expired(struct cxm_sim *s, const struct cxm_event *ev);
static void teardown(struct cxm_sim *s, const struct cxm_event *ev);

static const struct cxm_event_type ring_expired_event = {"ring expired", ring_expired, NULL};
static const struct cxm_event_type teardown_event = {"teardown", teardown, NULL};

static int eligible(const struct cxm_sim *s, const struct cxm_interaction *x, int a)
{
    const struct cxm_agent *ag = &s->model.agents[a];
    return ag->state == CXM_AGENT_READY && ag->ringing < 0 && ag->active == 0 &&
           cxm_agent_has_channel(ag, x->channel) &&
           cxm_agent_serves(ag, &s->model.queues[x->queue]) && !cxm_rejected_by(x, a) &&
           x->pending_owner != a;
}

void cxm_set_state(struct cxm_sim *s, long ix, enum cxm_istate to, const char *cause)
{
    struct cxm_interaction *x = s->model.ix[ix];
    if (x->state == to)
        return;
    enum cxm_istate from = x->state;
    x->state = to;
    if (to == CXM_IS_ENDED)
        cxm_model_ended(&s->model, ix); /* forgotten once enough have ended after it */
    if (to == CXM_IS_QUEUED && x->in_queue)
        cxm_queue_recheck(&s->model, ix); /* routable again */
    const char *agent = x->agent >= 0 ? s->model.agents[x->agent].def->id : NULL;
    cxm_sim_record(s, "STATE",
                   json_pack("{ss ss ss so ss}", "interactionId", x->id, "from",
                             cxm_istate_name(from), "to", cxm_istate_name(to), "agentId",
                             agent ? json_string(agent) : json_null(), "cause", cause));
    char at[32];
    cxm_time_iso(s->now, at);
    cxm_sim_emit(s, "interaction.state.changed",
                 json_pack("{ss ss ss so ss}", "interactionId", x->id, "previousState",
                           cxm_istate_name(from), "currentState", cxm_istate_name(to), "agentId",
                           agent ? json_string(agent) : json_null(), "at", at));
}

void cxm_stop_ringing(struct cxm_sim *s, long ix)
{
    struct cxm_interaction *x = s->model.ix[ix];
    for (int i = 0; i < x->nringing; i++)
        s->model.agents[x->ringing[i]].ringing = -1;
    x->nringing = 0;
    x->ring_timer = 0;
}

/* Ring every eligible agent for x; returns how many. Starts ring number ring_count + 1. */
static int ring(struct cxm_sim *s, long ix)
{
    struct cxm_interaction *x = s->model.ix[ix];
    if (!x->ringing) {
        x->ringing = malloc((s->model.nagents ? s->model.nagents : 1) * sizeof *x->ringing);
        if (!x->ringing)
            return 0;
    }
    x->nringing = 0;
    for (size_t a = 0; a < s->model.nagents; a++)
        if (eligible(s, x, (int)a))
            x->ringing[x->nringing++] = (int)a;
    if (x->nringing == 0)
        return 0;
    json_t *names = json_array();
    for (int i = 0; i < x->nringing; i++) {
        s->model.agents[x->ringing[i]].ringing = ix;
        json_array_append_new(names, json_string(s->model.agents[x->ringing[i]].def->id));
    }
    if (++x->ring_count == s->model.queues[x->queue].def->max_rings && x->in_queue)
        s->model.queues[x->queue].at_last_ring++; /* its ring budget is spent now */
    int64_t due = s->now + (int64_t)s->model.queues[x->queue].def->ring_seconds * 1000;
    x->ring_timer = cxm_sched_add(&s->sched, due, &ring_expired_event, ix, NULL);
    cxm_sim_record(s, "RINGING",
                   json_pack("{ss si so sI}", "interactionId", x->id, "ring", x->ring_count,
                             "agents", names, "untilT", (json_int_t)due));
    cxm_set_state(s, ix, CXM_IS_RINGING, "route");
    return x->nringing;
}

static int agent_free(const struct cxm_agent *ag)
{
    return ag->state == CXM_AGENT_READY && ag->ringing < 0 && ag->active == 0;
}

/* A digest of the free agents that serve QUEUE (0: none). Who is free and whom they serve is
 * all of an agent that decides whether it can ring for a member. */
static uint64_t free_agents(const struct cxm_sim *s, const struct cxm_queue *queue)
{
    uint64_t h = 0;
    for (size_t a = 0; a < s->model.nagents; a++) {
        const struct cxm_agent *ag = &s->model.agents[a];
        if (agent_free(ag) && cxm_agent_serves(ag, queue))
            h = (h ^ (a + 1)) * 1099511628211ULL + 1;
    }
    return h;
}

static void clear_recheck(struct cxm_sim *s, struct cxm_queue *queue)
{
    for (size_t i = 0; i < queue->nrecheck; i++)
        s->model.ix[queue->recheck[i]]->recheck = false;
    queue->nrecheck = 0;
}

/* Ring for member IX if it waits: Queued, no accept pending. Returns how many agents rang. */
static int offer(struct cxm_sim *s, long ix)
{
    struct cxm_interaction *x = s->model.ix[ix];
    return x->state == CXM_IS_QUEUED && x->pending_owner < 0 ? ring(s, ix) : 0;
}

static int by_queue_order(const void *a, const void *b, void *model)
{
    const struct cxm_model *m = model;
    long x = *(const long *)a, y = *(const long *)b;
    size_t px = cxm_queue_position(m, m->ix[x]->queue, x);
    size_t py = cxm_queue_position(m, m->ix[y]->queue, y);
    return px < py ? -1 : px > py;
}

/* The listed members that may have become routable, in the queue's order (so the first in
 * line is offered first, as a full pass would). The list is sorted in place: it is cleared
 * after the pass. */
static void offer_rechecked(struct cxm_sim *s, int q)
{
    struct cxm_queue *queue = &s->model.queues[q];
    size_t n = 0;
    for (size_t i = 0; i < queue->nrecheck; i++) { /* those still waiting in this queue */
        long ix = queue->recheck[i];
        const struct cxm_interaction *x = s->model.ix[ix];
        if (x->in_queue && x->queue == q)
            queue->recheck[n++] = ix;
        else
            s->model.ix[ix]->recheck = false;
    }
    queue->nrecheck = n;
    if (n > 1)
        qsort_r(queue->recheck, n, sizeof *queue->recheck, by_queue_order, &s->model);
    for (size_t i = 0; i < n; i++)
        if (offer(s, queue->recheck[i]) && !free_agents(s, queue))
            break;
}

/* Route queue Q: offer its waiting members, in order, to the free agents that serve it. A
 * queue whose free agents are the same as after its last pass, which left them unused, needs
 * only the members that changed since; any other needs every member, until its free agents
 * are gone. Either way it rings what the full pass would ring, in the same order. */
static void route_queue(struct cxm_sim *s, int q)
{
    struct cxm_queue *queue = &s->model.queues[q];
    uint64_t agents = free_agents(s, queue);
    if (agents && queue->settled && queue->settled_agents == agents) {
        offer_rechecked(s, q);
    } else if (agents) {
        for (size_t i = 0; i < queue->nmembers; i++)
            if (offer(s, queue->members[i]) && !free_agents(s, queue))
                break; /* its free agents are gone: asked only when one rang */
    }
    clear_recheck(s, queue);
    queue->settled = true;
    queue->settled_agents = free_agents(s, queue);
}

static int any_agent_free(const struct cxm_sim *s)
{
    for (size_t a = 0; a < s->model.nagents; a++)
        if (agent_free(&s->model.agents[a]))
            return 1;
    return 0;
}

void cxm_route(struct cxm_sim *s)
{
    for (size_t q = 0; q < s->model.nqueues && any_agent_free(s); q++)
        route_queue(s, (int)q);
}

void cxm_enqueue(struct cxm_sim *s, long ix, int q, const char *cause)
{
    struct cxm_interaction *x = s->model.ix[ix];
    cxm_stop_ringing(s, ix);
    if (x->queue != q)
        cxm_queue_leave(&s->model, x->queue, ix);
    x->queue = q;
    cxm_queue_leave(&s->model, q, ix); /* a new ring cycle: it joins again, by its order */
    x->max_rings = s->model.queues[q].def->max_rings;
    x->ring_count = 0;
    x->queued_at = s->now;
    cxm_queue_join(&s->model, q, ix);
    cxm_set_state(s, ix, CXM_IS_QUEUED, cause);
}

void cxm_agent_stop_ringing(struct cxm_sim *s, int agent)
{
    long ix = s->model.agents[agent].ringing;
    if (ix < 0)
        return;
    struct cxm_interaction *x = s->model.ix[ix];
    s->model.agents[agent].ringing = -1;
    for (int i = 0; i < x->nringing; i++) {
        if (x->ringing[i] == agent) {
            x->ringing[i] = x->ringing[--x->nringing];
            break;
        }
    }
    if (x->nringing == 0 && x->state == CXM_IS_RINGING) {
        x->ring_timer = 0;
        cxm_set_state(s, ix, CXM_IS_QUEUED, "ring_group_empty");
    }
}

/* A ring ran out unanswered (ACC-06): ring again, or time out after maxRings. */
static void ring_expired(struct cxm_sim *s, const struct cxm_event *ev)
{
    long ix = (long)ev->arg;
    struct cxm_interaction *x = s->model.ix[ix];
    if (!x || x->ring_timer != ev->id || x->state != CXM_IS_RINGING)
        return; /* answered, rejected, re-rung or ended and forgotten since: a stale timer */
    cxm_stop_ringing(s, ix);
    cxm_sim_record(s, "RING_EXPIRED",
                   json_pack("{ss si si}", "interactionId", x->id, "ring", x->ring_count,
                             "maxRings", x->max_rings));
    if (x->ring_count >= x->max_rings) {
        cxm_queue_leave(&s->model, x->queue, ix);
        cxm_note_abandoned(s, ix);
        cxm_set_state(s, ix, CXM_IS_TIMEOUT, "ring_timeout");
        cxm_sched_add(&s->sched, s->now + s->tenant->teardown_ms, &teardown_event, ix, NULL);
    } else if (ring(s, ix) == 0) {
        cxm_set_state(s, ix, CXM_IS_QUEUED, "no_agent");
    }
    cxm_route(s);
}

void cxm_note_answered(struct cxm_sim *s, long ix)
{
    const struct cxm_interaction *x = s->model.ix[ix];
    struct cxm_queue *q = &s->model.queues[x->queue];
    q->answered++;
    if (s->now - x->created <= (int64_t)q->def->service_level_seconds * 1000)
        q->answered_in_sl++;
}

void cxm_note_abandoned(struct cxm_sim *s, long ix)
{
    struct cxm_interaction *x = s->model.ix[ix];
    s->model.queues[x->queue].abandoned++;
    x->rstatus = CXM_RS_ABANDONED;
}

/* teardownMs after a Timeout: Ended (ACC-06). */
static void teardown(struct cxm_sim *s, const struct cxm_event *ev)
{
    long ix = (long)ev->arg;
    if (s->model.ix[ix] && s->model.ix[ix]->state == CXM_IS_TIMEOUT)
        cxm_set_state(s, ix, CXM_IS_ENDED, "teardown");
}

static int64_t oldest_wait_ms(const struct cxm_sim *s, int q)
{
    const struct cxm_queue *queue = &s->model.queues[q];
    int64_t oldest = 0;
    for (size_t i = 0; i < queue->nmembers; i++) {
        int64_t w = s->now - s->model.ix[queue->members[i]]->queued_at;
        if (w > oldest)
            oldest = w;
    }
    return oldest;
}

int cxm_queue_overflowing(const struct cxm_sim *s, int q)
{
    const struct cxm_queue *queue = &s->model.queues[q];
    if (queue->forced >= 0)
        return queue->forced;
    const struct cxm_queue_def *d = queue->def;
    if (d->overflow_depth > 0 && queue->nmembers >= (size_t)d->overflow_depth)
        return 1;
    if (d->max_wait_seconds > 0 && oldest_wait_ms(s, q) >= (int64_t)d->max_wait_seconds * 1000)
        return 1;
    /* 000 §3: "exceeds its maxWait or maxRings": a member on its last ring */
    return s->tenant->overflow_on_last_ring && queue->at_last_ring > 0;
}

json_t *cxm_view_queue(const struct cxm_sim *s, int q)
{
    const struct cxm_queue_def *d = s->model.queues[q].def;
    return json_pack("{ss ss ss sI sI ss si ss so}", "id", d->id, "name", d->name, "status",
                     cxm_queue_overflowing(s, q) ? "Overflow" : "Normal", "depth",
                     (json_int_t)s->model.queues[q].nmembers, "oldestWaitSeconds",
                     (json_int_t)(oldest_wait_ms(s, q) / 1000), "sortingStrategy",
                     cxm_sorting_name(d->sorting), "maxRings", d->max_rings, "overflowAction",
                     d->overflow_action == CXM_OVERFLOW_DROP ? "drop" : "fallback",
                     "fallbackQueueId",
                     d->fallback_queue_id ? json_string(d->fallback_queue_id) : json_null());
}

json_t *cxm_view_queue_stats(const struct cxm_sim *s, int q)
{
    const struct cxm_queue *queue = &s->model.queues[q];
    int current_rings = 0, ringing = 0, waiting = 0, active_agents = 0;
    for (size_t i = 0; i < queue->nmembers; i++) {
        const struct cxm_interaction *x = s->model.ix[queue->members[i]];
        if (x->state == CXM_IS_RINGING) {
            ringing++;
            if (x->ring_count > current_rings)
                current_rings = x->ring_count;
        } else {
            waiting++;
        }
    }
    for (size_t a = 0; a < s->model.nagents; a++)
        if (s->model.agents[a].state == CXM_AGENT_READY &&
            cxm_agent_serves(&s->model.agents[a], queue))
            active_agents++;
    return json_pack("{si si si si si}", "currentRings", current_rings, "maxRings",
                     queue->def->max_rings, "ringing", ringing, "waiting", waiting, "activeAgents",
                     active_agents);
}
