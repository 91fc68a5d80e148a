/* reconcile.c - see reconcile.h */
#include "reconcile.h"

#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "violations.h"

/* A ledger entry as an example: what happened, to which interaction, caused by which request. */
json_t *checks_ledger_example(const json_t *e)
{
    const char *type = json_string_value(json_object_get(e, "type"));
    const char *id = json_string_value(json_object_get(e, "interactionId"));
    const char *req = json_string_value(json_object_get(e, "req"));
    char what[512];
    snprintf(what, sizeof what, "the mock's ledger: %s of interaction %s, caused by request %s",
             type ? type : "an entry", id ? id : "?", req ? req : "? (a timer)");
    json_t *x = json_pack("{ss sO}", "what", what, "ledger", e);
    if (id)
        json_object_set_new(x, "subject", json_string(id));
    if (req)
        json_object_set_new(x, "requestId", json_string(req));
    return x;
}

/* The examples of the mock's check L into INTO, as examples, up to CHECKS_EXAMPLES in all. */
static void add_ledger_examples(json_t *into, const json_t *l)
{
    size_t k;
    const json_t *e;
    json_array_foreach(json_object_get(l, "examples"), k, e)
    {
        if (json_array_size(into) >= CHECKS_EXAMPLES)
            break;
        json_array_append_new(into, checks_ledger_example(e));
    }
}

json_t *checks_reconcile(json_t *v, const json_t *ledger)
{
    /* The mock's SIM-04 counts that are ground truth for the driver's of the same name
     * (VS_RECONCILED). DUAL_ATTACH is not DUPLICATE_ACCEPT: the mock's first-wins accept never
     * attaches two agents; a duplicate accept is the client's wrong belief, which only the
     * client sees. The mock's LOST_CONTACT means something else than the driver's. */
    json_t *diffs = json_array();
    const json_t *checks = json_object_get(ledger, "checks");
    if (!checks)
        checks = ledger;
    for (int i = 0; i < V_COUNT; i++) {
        if (!(violation_table[i].seen_by & VS_RECONCILED))
            continue;
        const char *name = violation_table[i].name;
        const json_t *l = json_object_get(checks, name);
        json_t *mine = json_object_get(v, name);
        if (!l || !mine)
            continue;
        json_int_t lc = json_integer_value(json_object_get(l, "count"));
        json_int_t cc = json_integer_value(json_object_get(mine, "count"));
        json_object_set_new(mine, "ledger", json_integer(lc));
        if (lc > cc) {
            json_object_set_new(mine, "client", json_integer(cc)); /* what the checks saw */
            json_object_set_new(mine, "count", json_integer(lc));
            add_ledger_examples(json_object_get(mine, "examples"), l);
        }
        if (lc != cc) {
            char text[512];
            snprintf(text, sizeof text,
                     "%s: the client saw %lld, the mock's ledger (%s) records %lld%s", name,
                     (long long)cc, name, (long long)lc,
                     lc > cc ? ": the client did not notice what happened" : "");
            json_array_append_new(diffs, json_string(text));
        }
    }
    return diffs;
}

/* Violation NAME of V set to the ledger's count L, with L's examples. */
static void take_ledger(json_t *v, const char *name, const char *rule, const json_t *l)
{
    json_t *ex = json_array();
    add_ledger_examples(ex, l);
    json_int_t count = json_integer_value(json_object_get(l, "count"));
    json_object_set_new(
        v, name,
        json_pack("{ss sI sI so}", "rule", rule, "count", count, "ledger", count, "examples", ex));
}

/* MINE back to the checks' own count and examples, where the ledger's had raised it. */
static void client_count(json_t *mine)
{
    const json_t *cc = json_object_get(mine, "client");
    if (!cc)
        return;
    json_object_set(mine, "count", (json_t *)cc);
    json_t *ex = json_object_get(mine, "examples"), *kept = json_array();
    size_t k;
    json_t *e;
    json_array_foreach(ex, k, e)
    {
        if (!json_object_get(e, "ledger"))
            json_array_append(kept, e);
    }
    json_object_set_new(mine, "examples", kept);
    json_object_del(mine, "client");
}

void checks_judge_as_platform(json_t *v, const json_t *ledger)
{
    const json_t *checks = json_object_get(ledger, "checks");
    for (int i = 0; i < V_COUNT; i++) {
        const struct violation_info *vi = &violation_table[i];
        const json_t *l = json_object_get(checks, vi->name);
        json_t *mine = json_object_get(v, vi->name);
        if (!l)
            continue;
        if (!(vi->seen_by & VS_DRIVER)) { /* the mock's own: DUAL_ATTACH */
            take_ledger(v, vi->name, vi->rule, l);
            continue;
        }
        if (!(vi->seen_by & VS_RECONCILED) || !mine)
            continue;
        if (i == V_PHANTOM_ACCEPT) { /* a phantom accept is the platform's race; acting on it is
                                      * the client's mistake: the checks' count stands */
            client_count(mine);
            continue;
        }
        /* ground truth both ways: a retry that never reached the handler is no duplicate */
        if (json_integer_value(json_object_get(mine, "count")) !=
            json_integer_value(json_object_get(l, "count")))
            take_ledger(v, vi->name, vi->rule, l);
    }
}
