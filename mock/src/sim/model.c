/* model.c - see model.h */
#include "model.h"

#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"

int cxm_model_init(struct cxm_model *m, const struct cxm_tenant *t)
{
    memset(m, 0, sizeof *m);
    m->tenant = t;
    m->per_page = (size_t)sysconf(_SC_PAGESIZE) / sizeof *m->ix;
    strmap_init_borrowed(&m->ix_by_id); /* keys: the interactions' own ids */
    m->agents = calloc(t->nagents ? t->nagents : 1, sizeof *m->agents);
    m->queues = calloc(t->nqueues ? t->nqueues : 1, sizeof *m->queues);
    if (!m->agents || !m->queues) {
        cxm_model_free(m);
        return -1;
    }
    m->nagents = t->nagents;
    m->nqueues = t->nqueues;
    for (size_t i = 0; i < t->nagents; i++) {
        struct cxm_agent *a = &m->agents[i];
        a->def = &t->agents[i];
        a->state = a->def->state;
        a->scheduled = a->def->scheduled;
        a->mandatory_break = a->def->mandatory_break;
        a->ringing = -1;
    }
    for (size_t i = 0; i < t->nqueues; i++) {
        m->queues[i].def = &t->queues[i];
        m->queues[i].forced = -1;
        m->queues[i].forced_abandon_rate = m->queues[i].forced_service_level = -1;
    }
    return 0;
}

static json_t *empty_object;
static pthread_once_t empty_once = PTHREAD_ONCE_INIT;

static void make_empty_object(void)
{
    empty_object = json_object();
}

json_t *cxm_empty_object(void)
{
    pthread_once(&empty_once, make_empty_object);
    return json_incref(empty_object);
}

static void free_interaction(struct cxm_interaction *x)
{
    free(x->pending);
    free(x->external_id);
    free(x->ringing);
    free(x->rejected_by);
    free(x->reject_reason);
    json_decref(x->metadata);
    json_decref(x->contact);
    json_decref(x->attributes);
    json_decref(x->ignored_attributes);
    json_decref(x->transcript);
    json_decref(x->draft);
    json_decref(x->user_data);
    free(x->workbin);
    free(x);
}

void cxm_model_free(struct cxm_model *m)
{
    for (size_t i = 0; i < m->nix; i++)
        if (m->ix[i])
            free_interaction(m->ix[i]);
    if (m->ix)
        munmap(m->ix, m->capix * sizeof *m->ix);
    free(m->live);
    free(m->ended);
    for (size_t i = 0; i < m->nqueues; i++) {
        free(m->queues[i].buf);
        free(m->queues[i].recheck);
    }
    free(m->queues);
    free(m->agents);
    strmap_free(&m->ix_by_id);
    memset(m, 0, sizeof *m);
}

int cxm_model_ended(struct cxm_model *m, long ix)
{
    if (m->nended == m->capended) { /* grow the ring, oldest first again */
        size_t cap = m->capended ? m->capended * 2 : 256;
        long *r = malloc(cap * sizeof *r);
        if (!r)
            return -1;
        for (size_t i = 0; i < m->nended; i++)
            r[i] = m->ended[(m->ended_head + i) % m->capended];
        free(m->ended);
        m->ended = r;
        m->ended_head = 0;
        m->capended = cap;
    }
    m->ended[(m->ended_head + m->nended++) % m->capended] = ix;
    return 0;
}

/* Nothing can still touch it (cxm_model_ended's list). */
static bool forgettable(const struct cxm_interaction *x, int64_t now)
{
    return x->state == CXM_IS_ENDED && !x->in_queue && x->ring_timer == 0 && x->npending == 0 &&
           x->apply_after <= now;
}

static void unlist_recheck(struct cxm_model *m, long ix)
{
    struct cxm_queue *q = &m->queues[m->ix[ix]->queue];
    size_t n = 0;
    for (size_t i = 0; i < q->nrecheck; i++)
        if (q->recheck[i] != ix)
            q->recheck[n++] = q->recheck[i];
    q->nrecheck = n;
}

/* Page p of the index has had all its slots handed out and all of them forgotten: give it back
 * to the kernel, which reads it as zeros, NULL again. So forgotten contacts cost the index
 * nothing, even while its oldest page keeps one that never leaves (a soak forgets some 2 000
 * contacts a second, 8 bytes each). */
static void release_page(struct cxm_model *m, size_t p)
{
    if (m->live[p] == 0 && (p + 1) * m->per_page <= m->nix &&
        madvise(m->ix + p * m->per_page, m->per_page * sizeof *m->ix, MADV_DONTNEED) == 0)
        m->pages_released++;
}

/* Room for one more slot: the index is a private mapping grown by mremap (its pages, handed
 * back or not, move along), with a live count per page. */
static int grow_index(struct cxm_model *m)
{
    size_t cap = m->capix ? m->capix * 2 : m->per_page;
    uint16_t *live = realloc(m->live, cap / m->per_page * sizeof *live);
    if (!live)
        return -1;
    m->live = live;
    memset(live + m->capix / m->per_page, 0, (cap - m->capix) / m->per_page * sizeof *live);
    void *p = m->ix ? mremap(m->ix, m->capix * sizeof *m->ix, cap * sizeof *m->ix, MREMAP_MAYMOVE)
                    : mmap(NULL, cap * sizeof *m->ix, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1; /* live is longer than needed: harmless */
    m->ix = p;
    m->capix = cap;
    return 0;
}

static void forget_oldest(struct cxm_model *m, size_t keep, int64_t now)
{
    while (m->nended > keep) {
        long ix = m->ended[m->ended_head];
        struct cxm_interaction *x = m->ix[ix];
        if (x && x->state == CXM_IS_ENDED && !forgettable(x, now))
            return; /* the oldest is still settling: later */
        m->ended_head = (m->ended_head + 1) % m->capended;
        m->nended--;
        if (!x || x->state != CXM_IS_ENDED)
            continue; /* forgotten already, or live again: listed anew when it ends */
        if (x->recheck)
            unlist_recheck(m, ix);
        strmap_del(&m->ix_by_id, x->id); /* before the id it borrows is freed */
        free_interaction(x);
        m->ix[ix] = NULL;
        m->forgotten++;
        size_t page = (size_t)ix / m->per_page;
        m->live[page]--;
        release_page(m, page);
    }
}

void cxm_model_forget_ended(struct cxm_model *m, size_t keep, int64_t now)
{
    forget_oldest(m, keep, now);
}

int cxm_model_agent(const struct cxm_model *m, const char *id)
{
    for (size_t i = 0; i < m->nagents; i++)
        if (strcmp(m->agents[i].def->id, id) == 0)
            return (int)i;
    return -1;
}

int cxm_model_agent_by_email(const struct cxm_model *m, const char *email)
{
    for (size_t i = 0; i < m->nagents; i++)
        if (m->agents[i].def->email && strcmp(m->agents[i].def->email, email) == 0)
            return (int)i;
    return -1;
}

int cxm_model_queue(const struct cxm_model *m, const char *id)
{
    for (size_t i = 0; i < m->nqueues; i++)
        if (strcmp(m->queues[i].def->id, id) == 0)
            return (int)i;
    return -1;
}

long cxm_model_interaction(const struct cxm_model *m, const char *id)
{
    int64_t v;
    return strmap_get(&m->ix_by_id, id, &v) ? (long)v : -1;
}

long cxm_model_add_interaction(struct cxm_model *m, const char *id, unsigned channel,
                               const char *external_id, int queue, int64_t now)
{
    if (m->nix == m->capix && grow_index(m) < 0)
        return -1;
    struct cxm_interaction *x = calloc(1, sizeof *x);
    if (!x)
        return -1;
    x->rejected_by = calloc(m->nagents / 8 + 1, 1);
    x->external_id = external_id ? strdup(external_id) : NULL;
    long index = (long)m->nix;
    snprintf(x->id, sizeof x->id, "%s", id);
    if (!x->rejected_by || (external_id && !x->external_id) ||
        strmap_put(&m->ix_by_id, x->id, index) < 0) {
        free_interaction(x);
        return -1;
    }
    x->channel = channel;
    x->queue = queue;
    x->state = CXM_IS_QUEUED;
    x->agent = x->pending_owner = -1;
    x->max_rings = m->queues[queue].def->max_rings;
    x->created = x->queued_at = now;
    x->order = x->sort_seq = m->next_order++;
    m->live[m->nix / m->per_page]++;
    m->ix[m->nix++] = x;
    if (m->nix % m->per_page == 1 && m->nix > 1)
        release_page(m, m->nix / m->per_page - 1); /* the page before, now handed out whole */
    return index;
}

const char *cxm_istate_name(enum cxm_istate s)
{
    static const char *const names[] = {"Queued", "Ringing", "Active", "Ended", "Timeout"};
    return names[s];
}

const char *cxm_routing_status(const struct cxm_interaction *x)
{
    switch (x->rstatus) {
    case CXM_RS_WRAPPED:
        return "wrapped";
    case CXM_RS_ABANDONED:
        return "abandoned";
    case CXM_RS_FAILED:
        return "failed";
    case CXM_RS_NONE:
        break;
    }
    if (x->pending_owner >= 0)
        return "assigned";
    switch (x->state) {
    case CXM_IS_QUEUED:
        return x->workbin ? "waiting" : "queued";
    case CXM_IS_RINGING:
        return "waiting";
    case CXM_IS_ACTIVE:
        return "connected";
    case CXM_IS_TIMEOUT:
        return "abandoned";
    case CXM_IS_ENDED:
    default:
        return "closed";
    }
}

int cxm_agent_has_channel(const struct cxm_agent *a, unsigned channel)
{
    return (a->def->channels & channel) != 0;
}

/* Whether agent A holds every skill queue Q asks of its agents (INJ-02). An agent whose fixture
 * declares no skills holds them all. */
static int skilled_for(const struct cxm_agent *a, const struct cxm_queue *q)
{
    if (!a->def->skills)
        return 1;
    for (size_t k = 0; k < q->def->nskills; k++) {
        size_t i = 0;
        while (i < a->def->nskills && strcmp(a->def->skills[i], q->def->skills[k]) != 0)
            i++;
        if (i == a->def->nskills)
            return 0;
    }
    return 1;
}

int cxm_agent_serves(const struct cxm_agent *a, const struct cxm_queue *q)
{
    if (!skilled_for(a, q))
        return 0;
    if (a->def->nqueues == 0)
        return 1;
    for (size_t i = 0; i < a->def->nqueues; i++)
        if (strcmp(a->def->queues[i], q->def->id) == 0)
            return 1;
    return 0;
}

int cxm_rejected_by(const struct cxm_interaction *x, int agent)
{
    return (x->rejected_by[agent / 8] >> (agent % 8)) & 1;
}

void cxm_set_rejected_by(struct cxm_interaction *x, int agent)
{
    x->rejected_by[agent / 8] |= (unsigned char)(1u << (agent % 8));
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *cxm_view_interaction(const struct cxm_model *m, const struct cxm_interaction *x)
{
    json_t *ringing = json_array();
    for (int i = 0; i < x->nringing; i++)
        json_array_append_new(ringing, json_string(m->agents[x->ringing[i]].def->id));
    char created[32];
    cxm_time_iso(x->created, created);
    json_t *v = json_pack(
        "{ss ss ss so ss so so si si so so ss}", "id", x->id, "state", cxm_istate_name(x->state),
        "channelType", cxm_channel_name(x->channel), "externalId", string_or_null(x->external_id),
        "queueId", m->queues[x->queue].def->id, "agentId",
        string_or_null(x->agent >= 0 ? m->agents[x->agent].def->id : NULL), "ringingAgents",
        ringing, "ringCount", x->ring_count, "maxRings", x->max_rings, "rejectReason",
        string_or_null(x->reject_reason), "metadata",
        x->metadata ? json_incref(x->metadata) : json_null(), "createdTime", created);
    if (v && x->contact && json_object_size(x->contact))
        json_object_set(v, "contact", x->contact);
    if (v && x->attributes)
        json_object_set(v, "attributes", x->attributes);
    if (v && x->user_data)
        json_object_set(v, "userData", x->user_data);
    if (v && x->workbin)
        json_object_set_new(v, "workbin", json_string(x->workbin));
    if (v && x->transcript)
        json_object_set(v, "transcript", x->transcript);
    if (v && x->draft)
        json_object_set(v, "draft", x->draft);
    return v;
}

/* A JSON string (or null) for s. */
static void add_string(struct cx_buf *b, const char *s)
{
    if (!s) {
        cx_buf_adds(b, "null");
        return;
    }
    cx_buf_adds(b, "\"");
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        cx_buf_add(b, run, (size_t)(s - run));
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                                      : NULL;
        if (esc) /* as jansson writes them */
            cx_buf_adds(b, esc);
        else
            cx_buf_addf(b, "\\u%04x", c);
        run = s + 1;
    }
    cx_buf_add(b, run, (size_t)(s - run));
    cx_buf_adds(b, "\"");
}

static void add_json(struct cx_buf *b, const json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    cx_buf_adds(b, text ? text : "null");
    free(text);
}

char *cxm_render_interaction(const struct cxm_model *m, const struct cxm_interaction *x)
{
    struct cx_buf b;
    cx_buf_init(&b);
    char created[32];
    cxm_time_iso(x->created, created);
    cx_buf_addf(&b, "{\"id\":\"%s\",\"state\":\"%s\",\"channelType\":\"%s\",\"externalId\":", x->id,
                cxm_istate_name(x->state), cxm_channel_name(x->channel));
    add_string(&b, x->external_id);
    cx_buf_adds(&b, ",\"queueId\":");
    add_string(&b, m->queues[x->queue].def->id);
    cx_buf_adds(&b, ",\"agentId\":");
    add_string(&b, x->agent >= 0 ? m->agents[x->agent].def->id : NULL);
    cx_buf_adds(&b, ",\"ringingAgents\":[");
    for (int i = 0; i < x->nringing; i++) {
        if (i)
            cx_buf_adds(&b, ",");
        add_string(&b, m->agents[x->ringing[i]].def->id);
    }
    cx_buf_addf(&b, "],\"ringCount\":%d,\"maxRings\":%d,\"rejectReason\":", x->ring_count,
                x->max_rings);
    add_string(&b, x->reject_reason);
    cx_buf_adds(&b, ",\"metadata\":");
    add_json(&b, x->metadata);
    cx_buf_addf(&b, ",\"createdTime\":\"%s\"", created);
    if (x->contact && json_object_size(x->contact)) { /* a routing-API contact's fields */
        cx_buf_adds(&b, ",\"contact\":");
        add_json(&b, x->contact);
    }
    if (x->attributes) {
        cx_buf_adds(&b, ",\"attributes\":");
        add_json(&b, x->attributes);
    }
    if (x->user_data) {
        cx_buf_adds(&b, ",\"userData\":");
        add_json(&b, x->user_data);
    }
    if (x->workbin) {
        cx_buf_adds(&b, ",\"workbin\":");
        add_string(&b, x->workbin);
    }
    if (x->transcript) {
        cx_buf_adds(&b, ",\"transcript\":");
        add_json(&b, x->transcript);
    }
    if (x->draft) {
        cx_buf_adds(&b, ",\"draft\":");
        add_json(&b, x->draft);
    }
    cx_buf_adds(&b, "}");
    return cx_buf_take(&b);
}

json_t *cxm_view_agent(const struct cxm_model *m, const struct cxm_agent *a)
{
    json_t *channels = json_array();
    for (unsigned bit = 1; bit <= CXM_CH_EMAIL; bit <<= 1)
        if (a->def->channels & bit)
            json_array_append_new(channels, json_string(cxm_channel_name(bit)));
    json_t *ringing = a->ringing >= 0 ? json_string(m->ix[a->ringing]->id) : json_null();
    return json_pack("{ss ss so sb sb so si}", "id", a->def->id, "state",
                     cxm_agent_state_name(a->state), "channels", channels, "scheduled",
                     a->scheduled, "mandatoryBreak", a->mandatory_break, "ringingFor", ringing,
                     "activeInteractions", a->active);
}
