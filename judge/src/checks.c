/* checks.c - violation checks over the run's history (see checks.h).
 *
 * Every check reads the records in completion order. The ones about acting on an interaction
 * (DUPLICATE_ACCEPT, PHANTOM_ACCEPT, STALE_READ) look, for each ACT, at what the same virtual
 * user learned about that subject in the same iteration since its accept: whom the accept's
 * answer named as owner, and the state its last read showed.
 *
 * No check compares every record with every other: link_records first links each record to
 * the few others its checks need (the next attempt of its operation, the next read of its
 * subject, the accept an act follows, ...) with hash maps in a pass or two, so the checks cost
 * about what sorting the history costs (ci/bench-checks).
 */
#include "checks.h"

#include <stdlib.h>
#include <string.h>

#include "violations.h"
#include "strmap.h"

static int by_end(const void *a, const void *b)
{
    const struct hrec *x = a, *y = b;
    if (x->end_us != y->end_us)
        return x->end_us < y->end_us ? -1 : 1;
    return x->opid < y->opid ? -1 : x->opid > y->opid;
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* What a record is linked to (an index in completion order, or -1), computed once by
 * link_records so that no check compares every record with every other. A new field must be
 * added to link_records' "none" too (an index of 0 would mean the first record). */
struct link {
    long next_op;    /* the next record of the same logical operation */
    long next_read;  /* the next READ of the record's subject */
    long id_read;    /* INJECT: the first READ of the contact its answer created */
    long accept;     /* ACT: the same user's last OK ACCEPT of the subject, this iteration */
    long seen;       /* ACT: that user's last 200 READ of the subject since that accept */
    long pos_before; /* PRIORITY: the last READ of the subject with a queue position, before */
    long pos_after;  /* PRIORITY: the last READ of the subject with a queue position, after */
    long fetch;      /* a request with a token: the fetch of that token */
    long next_fetch; /* TOKEN: the next fetch of a token for the same client id */
};

struct ctx {
    json_t *out;
    const char *(*step_name)(void *, int);
    void *sctx;
    struct link *l; /* one per record */
};

/* Count one finding of NAME, keeping R and a sentence as an example. */
static void flag(struct ctx *c, enum violation which, const struct hrec *r, const char *what)
{
    const char *name = violation_table[which].name;
    json_t *v = json_object_get(c->out, name);
    json_object_set_new(v, "count",
                        json_integer(json_integer_value(json_object_get(v, "count")) + 1));
    if (r->rule && which == V_EXPECT_FAILED) { /* counted per rule too */
        json_t *by = json_object_get(v, "rules");
        if (!by)
            json_object_set_new(v, "rules", by = json_object());
        json_object_set_new(by, r->rule,
                            json_integer(json_integer_value(json_object_get(by, r->rule)) + 1));
    }
    json_t *ex = json_object_get(v, "examples");
    if (json_array_size(ex) >= CHECKS_EXAMPLES)
        return;
    json_t *e = json_pack("{ss si si sI ss* si sf}", "what", what, "vu", r->vu, "thread", r->thread,
                          "iter", (json_int_t)r->iter, "request", r->path, "status", r->status,
                          "atMs", (double)r->end_us / 1000.0);
    if (c->step_name)
        json_object_set_new(e, "step", json_string(c->step_name(c->sctx, r->step)));
    if (r->subject)
        json_object_set_new(e, "subject", json_string(r->subject));
    if (r->request_id[0])
        json_object_set_new(e, "requestId", json_string(r->request_id));
    if (r->rule && which == V_EXPECT_FAILED)
        json_object_set_new(e, "rule", json_string(r->rule));
    if (r->resp_type || r->resp_body) /* what the answer said (a failed expectation's) */
        json_object_set_new(e, "answer",
                            json_pack("{si ss* ss*}", "status", r->status, "contentType",
                                      r->resp_type, "body", r->resp_body));
    json_array_append_new(ex, e);
}

static int ended(const char *state)
{
    return same(state, "Ended") || same(state, "Timeout") || same(state, "Abandoned");
}

/* An accept whose answer named another agent as the owner: lost to first wins. */
static int lost_accept(const struct hrec *acc)
{
    return acc->resp_agent && acc->agent && !same(acc->resp_agent, acc->agent);
}

/* ACT steps (and rejects): was the actor the owner, and did it know the state it acted on? */
static void check_acts(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((r[i].op != HREC_ACT && r[i].op != HREC_REJECT) || !r[i].subject)
            continue;
        if (r[i].op == HREC_REJECT && r[i].outcome == OUT_OK)
            continue; /* the platform took it: the interaction was offered to this agent again */
        if (c->l[i].accept < 0)
            continue;
        const struct hrec *acc = &r[c->l[i].accept];
        const struct hrec *read = c->l[i].seen >= 0 ? &r[c->l[i].seen] : NULL;
        char what[512];
        if (lost_accept(acc)) {
            snprintf(what, sizeof what,
                     "%s %s %s as its owner, but the accept's answer (%d) named %s (first wins)",
                     acc->agent, r[i].op == HREC_REJECT ? "rejected" : "acted on", r[i].subject,
                     acc->status, acc->resp_agent);
            flag(c, V_DUPLICATE_ACCEPT, &r[i], what);
        } else if (r[i].op == HREC_REJECT) {
            continue; /* a reject after a won accept is the owner's own decision */
        } else if (ended(acc->resp_state) || (read && ended(read->resp_state))) {
            snprintf(what, sizeof what,
                     "%s acted on %s after an accept that answered 200, but it had already "
                     "ended (%s): attached for audit, no media",
                     acc->agent ? acc->agent : "the agent", r[i].subject,
                     read && read->resp_state ? read->resp_state : acc->resp_state);
            flag(c, V_PHANTOM_ACCEPT, &r[i], what);
        } else if (read && read->resp_state && !same(read->resp_state, "Active")) {
            snprintf(what, sizeof what,
                     "acted on %s after reading state %s: the accept was not visible yet "
                     "(eventual consistency)",
                     r[i].subject, read->resp_state);
            flag(c, V_STALE_READ, &r[i], what);
        }
    }
}

/* A reject that returned the interaction to its queue, then a read that no longer finds it. */
static void check_silent_drop(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].op != HREC_REJECT || !r[i].returned || r[i].outcome != OUT_OK)
            continue;
        long j = c->l[i].next_read;
        if (j >= 0 && r[j].status == 404) {
            char what[512];
            snprintf(what, sizeof what,
                     "reject of %s with returnToQueue answered %d, then a read found nothing "
                     "(404): the queue was overflowing and dropped it",
                     r[i].subject, r[i].status);
            flag(c, V_SILENT_DROP, &r[i], what);
        }
    }
}

/* A reject sent more than once for one decision: retries of a reject without dedup. An
 * idempotency key changes nothing: the platform ignores keys on rejects and applies every one
 * that reaches it (REJ-04). */
static void check_duplicate_reject(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].op != HREC_REJECT || r[i].attempt != 0)
            continue;
        int reached = 0;
        const struct hrec *last = NULL;
        for (long j = (long)i; j >= 0; j = c->l[j].next_op)
            if (r[j].op == HREC_REJECT && (r[j].outcome != OUT_FAIL || r[j].status >= 500)) {
                reached++; /* answered, or may have been applied */
                last = &r[j];
            }
        if (reached >= 2) {
            char what[512];
            snprintf(what, sizeof what,
                     "reject of %s reached the platform %d times for one decision: each one is "
                     "applied again",
                     r[i].subject ? r[i].subject : "?", reached);
            flag(c, V_DUPLICATE_REJECT, last, what);
        }
    }
}

/* An answer that leaves the contact's fate open to the client: throttled (429), a server error
 * (5xx) or none at all. A 4xx refusal (400, 409) is the platform saying no, which the client
 * was told; only a contact left in doubt is lost. */
static int unanswered(const struct hrec *r)
{
    return r->status == 0 || r->status == 429 || r->status >= 500;
}

/* Injection: two contacts for one business key; a contact left in doubt, never confirmed. */
static void check_injections(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].op != HREC_INJECT || r[i].attempt != 0)
            continue;
        int confirmed = 0;
        const struct hrec *last = &r[i];
        for (long j = (long)i; j >= 0; j = c->l[j].next_op) {
            confirmed |= r[j].outcome == OUT_OK;
            last = &r[j];
        }
        if (!confirmed && unanswered(last)) {
            char what[512];
            snprintf(what, sizeof what,
                     "contact %s was never confirmed after %d attempts (last status %d)",
                     r[i].key ? r[i].key : "?", last->attempt + 1, last->status);
            flag(c, V_LOST_CONTACT, last, what);
        }
    }
    struct strmap first; /* business key -> its first confirmed injection */
    strmap_init(&first);
    for (size_t i = 0; i < n; i++) {
        if (r[i].op != HREC_INJECT || r[i].outcome != OUT_OK || !r[i].key || !r[i].resp_id)
            continue;
        int64_t j;
        if (!strmap_get(&first, r[i].key, &j)) {
            if (strmap_put(&first, r[i].key, (int64_t)i) < 0)
                break; /* out of memory: the duplicates found so far stand */
        } else if (!same(r[j].resp_id, r[i].resp_id)) {
            char what[512];
            snprintf(what, sizeof what, "business key %s created two contacts: %s and %s", r[i].key,
                     r[j].resp_id, r[i].resp_id);
            flag(c, V_DUPLICATE_CONTACT, &r[i], what);
        }
    }
    strmap_free(&first);
}

/* A priority raise acknowledged, after which the contact's queue position did not improve: the
 * queue ignores priority (FIFO, LIFO) or the client read before the evaluation cycle and gave
 * up. Needs reads with ?expand=queuePosition before and after the change. */
static void check_priority(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].op != HREC_PRIORITY || r[i].outcome != OUT_OK || r[i].req_priority < 0)
            continue;
        const struct hrec *before = c->l[i].pos_before >= 0 ? &r[c->l[i].pos_before] : NULL;
        const struct hrec *after = c->l[i].pos_after >= 0 ? &r[c->l[i].pos_after] : NULL;
        if (before && after && before->resp_position > 1 &&
            after->resp_position >= before->resp_position) {
            char what[512];
            snprintf(what, sizeof what,
                     "priority %d on %s was acknowledged (%d) but its queue position stayed %d "
                     "(was %d)",
                     r[i].req_priority, r[i].subject, r[i].status, after->resp_position,
                     before->resp_position);
            flag(c, V_PRIORITY_NOT_APPLIED, &r[i], what);
        }
    }
}

/* A retry sent sooner than the Retry-After of the 429 before it. */
static void check_retry_storm(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].status != 429 || r[i].retry_after_us < 0)
            continue;
        for (long j = c->l[i].next_op; j >= 0; j = c->l[j].next_op)
            if (r[j].attempt == r[i].attempt + 1) {
                int64_t gap = r[j].start_us - r[i].end_us;
                if (gap + 1000 < r[i].retry_after_us) {
                    char what[512];
                    snprintf(what, sizeof what,
                             "retried %.1f ms after a 429 that said Retry-After %.1f ms",
                             (double)gap / 1000.0, (double)r[i].retry_after_us / 1000.0);
                    flag(c, V_RETRY_STORM, &r[j], what);
                }
                break;
            }
    }
}

/* A token-fetch storm: a fetch refused with 429 after STORM_FETCHES or more fetches by the same
 * user for the same auth source in the STORM_WINDOW_S seconds before it. One refused login
 * after other traffic spent the tenant's window is not a storm. */
#define STORM_FETCHES  2
#define STORM_WINDOW_S 10

static int fetches_before(const struct hrec *r, size_t i)
{
    int n = 0;
    for (size_t j = i;
         j-- > 0 && n < STORM_FETCHES && r[i].end_us - r[j].end_us <= STORM_WINDOW_S * 1000000LL;)
        n += r[j].op == HREC_TOKEN && r[j].vu == r[i].vu && same(r[j].subject, r[i].subject);
    return n;
}

/* A 401 on a token of a client id for which someone else fetched a newer token meanwhile; and a
 * token-fetch storm. */
static void check_auth_cascade(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].op == HREC_TOKEN && r[i].status == 429) {
            int before = fetches_before(r, i);
            if (before >= STORM_FETCHES) {
                char what[512];
                snprintf(what, sizeof what,
                         "token fetch for auth source %s refused (429) after %d or more "
                         "fetches for it in the %d s before: a token-fetch storm (a fetch per "
                         "request, or every worker at once)",
                         r[i].subject ? r[i].subject : "?", before, STORM_WINDOW_S);
                flag(c, V_AUTH_CASCADE, &r[i], what);
            }
            continue;
        }
        if (r[i].status != 401 || !r[i].token)
            continue;
        if (c->l[i].fetch < 0)
            continue;
        const struct hrec *mine = &r[c->l[i].fetch];
        long j = c->l[c->l[i].fetch].next_fetch;
        while (j >= 0 && (r[j].end_us <= mine->end_us || r[j].token == r[i].token))
            j = c->l[j].next_fetch;
        if (j >= 0 && r[j].end_us <= r[i].start_us) {
            char what[512];
            snprintf(what, sizeof what,
                     "401 on a token of auth source %s: virtual user %d fetched a newer token "
                     "for the same client id at %.1f ms, which revoked this one (rotation)",
                     mine->subject ? mine->subject : "?", r[j].vu, (double)r[j].end_us / 1000.0);
            flag(c, V_AUTH_CASCADE, &r[i], what);
        }
    }
}

static void check_simple(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].op == HREC_BARRIER && r[i].outcome == OUT_FAIL) {
            char what[512];
            snprintf(what, sizeof what,
                     "barrier \"%s\" (generation %ld) never filled: the race did not happen",
                     r[i].barrier ? r[i].barrier : "?", r[i].generation);
            flag(c, V_BARRIER_TIMEOUT, &r[i], what);
        }
        if (r[i].op == HREC_STATE && r[i].status == 409) {
            char what[512];
            snprintf(what, sizeof what,
                     "agent state write for %s refused (409): the agent's schedule or break "
                     "policy forbids it",
                     r[i].agent     ? r[i].agent
                     : r[i].subject ? r[i].subject
                                    : "?");
            flag(c, V_POLICY_VIOLATION, &r[i], what);
        }
        if (r[i].expect_failed) {
            char what[512];
            snprintf(what, sizeof what, "%s%sexpected %s; got status %d",
                     r[i].rule ? r[i].rule : "", r[i].rule ? ": " : "", r[i].why ? r[i].why : "?",
                     r[i].status);
            flag(c, V_EXPECT_FAILED, &r[i], what);
        }
    }
}

/* REJ-02: a reject whose rejectReason a later read shows stored as "Unknown" (not among the
 * tenant's dispositions). */
static void check_disposition(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].op != HREC_REJECT || r[i].outcome != OUT_OK || !r[i].req_reason ||
            same(r[i].req_reason, "Unknown"))
            continue;
        long j = c->l[i].next_read;
        while (j >= 0 && !r[j].resp_reason)
            j = c->l[j].next_read;
        if (j >= 0 && same(r[j].resp_reason, "Unknown")) {
            char what[512];
            snprintf(what, sizeof what,
                     "reject of %s gave rejectReason \"%.100s\", stored as \"Unknown\": not one of "
                     "the tenant's dispositions",
                     r[i].subject, r[i].req_reason);
            flag(c, V_UNKNOWN_DISPOSITION, &r[i], what);
        }
    }
}

/* What of SENT a read's STORED attributes lost: keys dropped (not in the registered schema) and
 * strings cut short (over their maxLength). The number of losses, each described in WHAT. */
static int attribute_lost(const json_t *sent, const json_t *stored, char *what, size_t size)
{
    const char *key;
    const json_t *v;
    int lost = 0;
    size_t n = (size_t)snprintf(what, size, "accepted (201), then read back with ");
    json_object_foreach((json_t *)sent, key, v)
    {
        const json_t *got = json_object_get(stored, key);
        const char *sep = lost ? "; " : "";
        if (!got)
            n += (size_t)snprintf(what + n, n < size ? size - n : 0,
                                  "%s\"%.60s\" dropped (not in the registered schema)", sep, key);
        else if (json_is_string(v) && json_is_string(got) &&
                 json_string_length(got) < json_string_length(v))
            n += (size_t)snprintf(what + n, n < size ? size - n : 0,
                                  "%s\"%.60s\" truncated from %zu to %zu bytes", sep, key,
                                  json_string_length(v), json_string_length(got));
        else
            continue;
        lost++;
    }
    return lost;
}

/* INJ-04: a contact injected with attributes, read back with fewer or shorter ones. */
static void check_attributes(struct ctx *c, struct hrec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].op != HREC_INJECT || r[i].outcome != OUT_OK || !r[i].req_attrs || !r[i].resp_id)
            continue;
        long j = c->l[i].id_read;
        while (j >= 0 && !r[j].resp_attrs)
            j = c->l[j].next_read;
        char what[512];
        if (j >= 0 && attribute_lost(r[i].req_attrs, r[j].resp_attrs, what, sizeof what))
            flag(c, V_ATTRIBUTE_LOSS, &r[i], what);
    }
}

static int by_op(const void *a, const void *b, void *arg)
{
    const struct hrec *r = arg;
    long x = *(const long *)a, y = *(const long *)b;
    if (r[x].opid != r[y].opid)
        return r[x].opid < r[y].opid ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* next_op: the records sorted by operation, each pointing to its successor. */
static int link_ops(struct link *l, const struct hrec *r, size_t n)
{
    long *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < n; i++)
        order[i] = (long)i;
    qsort_r(order, n, sizeof *order, by_op, (void *)r);
    for (size_t k = 0; k < n; k++)
        l[order[k]].next_op =
            k + 1 < n && r[order[k + 1]].opid == r[order[k]].opid ? order[k + 1] : -1;
    free(order);
    return 0;
}

/* next_read and id_read, walking backwards with the next READ of each subject. */
static int link_reads(struct link *l, const struct hrec *r, size_t n)
{
    struct strmap reads;
    int64_t j;
    strmap_init(&reads);
    for (size_t i = n; i-- > 0;) {
        l[i].next_read = r[i].subject && strmap_get(&reads, r[i].subject, &j) ? (long)j : -1;
        if (r[i].op == HREC_INJECT && r[i].resp_id && strmap_get(&reads, r[i].resp_id, &j))
            l[i].id_read = (long)j;
        if (r[i].op == HREC_READ && r[i].subject &&
            strmap_put(&reads, r[i].subject, (int64_t)i) < 0) {
            strmap_free(&reads);
            return -1;
        }
    }
    strmap_free(&reads);
    return 0;
}

/* A key for what one virtual user knows of SUBJECT in iteration ITER, in BUF (SIZE bytes) or,
 * when longer, in a new allocation (freed by the caller if it is not BUF). NULL: out of memory. */
static char *user_key(char *buf, size_t size, int vu, int64_t iter, const char *subject)
{
    int len = snprintf(buf, size, "%d:%lld:%s", vu, (long long)iter, subject);
    if (len < 0)
        return NULL;
    if ((size_t)len < size)
        return buf;
    char *k = malloc((size_t)len + 1);
    if (k)
        snprintf(k, (size_t)len + 1, "%d:%lld:%s", vu, (long long)iter, subject);
    return k;
}

/* accept and seen, walking forwards with each user's last OK accept of each subject in the
 * iteration and its last 200 read since. */
static int link_acts(struct link *l, const struct hrec *r, size_t n)
{
    struct strmap accepts, seen;
    int64_t j;
    int rc = 0;
    strmap_init(&accepts);
    strmap_init(&seen);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int accept = r[i].op == HREC_ACCEPT && (r[i].outcome == OUT_OK || lost_accept(&r[i]));
        int read = r[i].op == HREC_READ && r[i].status == 200;
        if (!r[i].subject || !(accept || read || r[i].op == HREC_ACT || r[i].op == HREC_REJECT))
            continue;
        char buf[256], *key = user_key(buf, sizeof buf, r[i].vu, r[i].iter, r[i].subject);
        if (!key) {
            rc = -1;
            break;
        }
        if (accept) {
            if (strmap_put(&accepts, key, (int64_t)i) < 0 || strmap_put(&seen, key, -1) < 0)
                rc = -1;
        } else if (read) {
            if (strmap_get(&accepts, key, NULL) && strmap_put(&seen, key, (int64_t)i) < 0)
                rc = -1;
        } else {
            l[i].accept = strmap_get(&accepts, key, &j) ? (long)j : -1;
            l[i].seen = l[i].accept >= 0 && strmap_get(&seen, key, &j) ? (long)j : -1;
        }
        if (key != buf)
            free(key);
    }
    strmap_free(&accepts);
    strmap_free(&seen);
    return rc;
}

/* pos_before and pos_after: the reads of each subject that carried a queue position. */
static int link_positions(struct link *l, const struct hrec *r, size_t n)
{
    struct strmap last;
    int64_t j;
    strmap_init(&last);
    for (size_t i = 0; i < n; i++) {
        if (r[i].op == HREC_PRIORITY && r[i].subject)
            l[i].pos_before = strmap_get(&last, r[i].subject, &j) ? (long)j : -1;
        if (r[i].op == HREC_READ && r[i].subject && r[i].resp_position >= 0 &&
            strmap_put(&last, r[i].subject, (int64_t)i) < 0) {
            strmap_free(&last);
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) /* the last of all, if it came after */
        if (r[i].op == HREC_PRIORITY && r[i].subject && strmap_get(&last, r[i].subject, &j) &&
            j > (int64_t)i)
            l[i].pos_after = (long)j;
    strmap_free(&last);
    return 0;
}

/* fetch (the first fetch of each token serial) and next_fetch (per client id). */
static int link_tokens(struct link *l, const struct hrec *r, size_t n)
{
    struct strmap first, next;
    int64_t j;
    char serial[24];
    int rc = 0;
    strmap_init(&first);
    strmap_init(&next);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (r[i].op != HREC_TOKEN || !r[i].token)
            continue;
        snprintf(serial, sizeof serial, "%llu", (unsigned long long)r[i].token);
        if (!strmap_get(&first, serial, NULL) && strmap_put(&first, serial, (int64_t)i) < 0)
            rc = -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!r[i].token)
            continue;
        snprintf(serial, sizeof serial, "%llu", (unsigned long long)r[i].token);
        l[i].fetch = strmap_get(&first, serial, &j) ? (long)j : -1;
    }
    for (size_t i = n; i-- > 0 && rc == 0;) {
        if (r[i].op != HREC_TOKEN || !r[i].key)
            continue;
        l[i].next_fetch = strmap_get(&next, r[i].key, &j) ? (long)j : -1;
        if (r[i].token && strmap_put(&next, r[i].key, (int64_t)i) < 0)
            rc = -1;
    }
    strmap_free(&first);
    strmap_free(&next);
    return rc;
}

/* C's links over R[0..N) (in completion order). 0, or -1 out of memory. */
static int link_records(struct ctx *c, const struct hrec *r, size_t n)
{
    c->l = malloc((n ? n : 1) * sizeof *c->l);
    if (!c->l)
        return -1;
    static const struct link none = {.next_op = -1,
                                     .next_read = -1,
                                     .id_read = -1,
                                     .accept = -1,
                                     .seen = -1,
                                     .pos_before = -1,
                                     .pos_after = -1,
                                     .fetch = -1,
                                     .next_fetch = -1};
    for (size_t i = 0; i < n; i++)
        c->l[i] = none;
    if (link_ops(c->l, r, n) < 0 || link_reads(c->l, r, n) < 0 || link_acts(c->l, r, n) < 0 ||
        link_positions(c->l, r, n) < 0 || link_tokens(c->l, r, n) < 0)
        return -1;
    return 0;
}

json_t *checks_run(struct hrec *recs, size_t n, const char *(*step_name)(void *ctx, int step),
                   void *ctx)
{
    struct ctx c = {json_object(), step_name, ctx, NULL};
    if (!c.out)
        return NULL;
    for (int i = 0; violation_driver_names[i]; i++)
        json_object_set_new(c.out, violation_driver_names[i],
                            json_pack("{ss si s[]}", "rule",
                                      violation_rule(violation_driver_names[i]), "count", 0,
                                      "examples"));
    if (n)
        qsort(recs, n, sizeof *recs, by_end);
    if (link_records(&c, recs, n) < 0) {
        free(c.l);
        json_decref(c.out);
        return NULL;
    }
    check_acts(&c, recs, n);
    check_silent_drop(&c, recs, n);
    check_duplicate_reject(&c, recs, n);
    check_injections(&c, recs, n);
    check_priority(&c, recs, n);
    check_retry_storm(&c, recs, n);
    check_auth_cascade(&c, recs, n);
    check_disposition(&c, recs, n);
    check_attributes(&c, recs, n);
    check_simple(&c, recs, n);
    free(c.l);
    return c.out;
}

long long checks_total(const json_t *v)
{
    long long t = 0;
    const char *k;
    const json_t *x;
    json_object_foreach((json_t *)v, k, x) t += json_integer_value(json_object_get(x, "count"));
    return t;
}
