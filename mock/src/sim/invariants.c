/* invariants.c - see invariants.h */
#include "invariants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#define MAX_EXAMPLES 5

static const char *const check_names[] = {
    "DUAL_ATTACH",      "SILENT_DROP",  "PHANTOM_ACCEPT",      "DUPLICATE_CONTACT",
    "DUPLICATE_REJECT", "LOST_CONTACT", "UNKNOWN_DISPOSITION", "ATTRIBUTE_LOSS"};
enum {
    DUAL_ATTACH,
    SILENT_DROP,
    PHANTOM_ACCEPT,
    DUPLICATE_CONTACT,
    DUPLICATE_REJECT,
    LOST_CONTACT,
    UNKNOWN_DISPOSITION,
    ATTRIBUTE_LOSS,
    NCHECKS
};

struct track {
    char *attached; /* agent now attached, or NULL */
    int ever_attached;
    int lost_attributes; /* ATTRIBUTE_LOSS already counted for it */
};

struct scan {
    struct strmap index; /* interactionId -> tracks[] */
    struct track *tracks;
    size_t n, cap;
    struct strmap keys; /* externalIds seen */
    json_t *checks[NCHECKS];
};

static struct track *track_of(struct scan *sc, const char *id)
{
    int64_t i;
    if (strmap_get(&sc->index, id, &i))
        return &sc->tracks[i];
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 256;
        struct track *t = realloc(sc->tracks, cap * sizeof *t);
        if (!t)
            return NULL;
        sc->tracks = t;
        sc->cap = cap;
    }
    if (strmap_put(&sc->index, id, (int64_t)sc->n) < 0)
        return NULL;
    memset(&sc->tracks[sc->n], 0, sizeof sc->tracks[0]);
    return &sc->tracks[sc->n++];
}

static void flag(struct scan *sc, int check, json_t *entry)
{
    json_t *c = sc->checks[check];
    json_object_set_new(c, "count",
                        json_integer(json_integer_value(json_object_get(c, "count")) + 1));
    json_t *ex = json_object_get(c, "examples");
    if (json_array_size(ex) < MAX_EXAMPLES)
        json_array_append(ex, entry);
}

/* What names the business contact a CREATED entry made (INJ-05), allocated: its externalId
 * (an inbound contact); else its client's idempotency key, so distinct keys are distinct
 * contacts whatever their bodies; else, with no key, the digest of its body (the same contact
 * sent twice has the same one). NULL if the entry has none (or out of memory). */
static char *contact_key(json_t *e)
{
    const char *ext = json_string_value(json_object_get(e, "externalId"));
    const char *idem = json_string_value(json_object_get(e, "idempotencyKey"));
    const char *digest = json_string_value(json_object_get(e, "businessKey"));
    const char *client = json_string_value(json_object_get(e, "clientId"));
    const char *kind = "external", *a = ext, *b = "";
    if (!ext || !*ext) {
        kind = idem && *idem ? "key" : "body";
        a = idem && *idem ? (client ? client : "") : digest;
        b = idem && *idem ? idem : "";
    }
    if (!a || (!*a && !*b))
        return NULL;
    size_t size = strlen(kind) + strlen(a) + strlen(b) + 3;
    char *key = malloc(size);
    if (key)
        snprintf(key, size, "%s\037%s\037%s", kind, a, b);
    return key;
}

static void scan_entry(struct scan *sc, json_t *e)
{
    const char *type = json_string_value(json_object_get(e, "type"));
    const char *id = json_string_value(json_object_get(e, "interactionId"));
    if (!type || !id)
        return;
    struct track *t = track_of(sc, id);
    if (!t)
        return;
    const char *agent = json_string_value(json_object_get(e, "agentId"));
    if (strcmp(type, "ATTACH") == 0) {
        if (t->attached && agent && strcmp(t->attached, agent) != 0)
            flag(sc, DUAL_ATTACH, e);
        free(t->attached);
        t->attached = agent ? strdup(agent) : NULL;
        t->ever_attached = 1;
    } else if (strcmp(type, "DETACH") == 0) {
        free(t->attached);
        t->attached = NULL;
    } else if (strcmp(type, "DUAL_ATTACH") == 0) {
        flag(sc, DUAL_ATTACH, e);
    } else if (strcmp(type, "SILENT_DROP") == 0) {
        flag(sc, SILENT_DROP, e);
    } else if (strcmp(type, "PHANTOM_ATTACH") == 0) {
        flag(sc, PHANTOM_ACCEPT, e);
    } else if (strcmp(type, "DUPLICATE_REJECT") == 0) {
        flag(sc, DUPLICATE_REJECT, e);
    } else if (strcmp(type, "UNKNOWN_DISPOSITION") == 0) {
        flag(sc, UNKNOWN_DISPOSITION, e);
    } else if (strcmp(type, "IGNORED_ATTRIBUTE") == 0 || strcmp(type, "TRUNCATED_ATTRIBUTE") == 0) {
        if (!t->lost_attributes++) /* once per contact, however many attributes it lost */
            flag(sc, ATTRIBUTE_LOSS, e);
    } else if (strcmp(type, "CREATED") == 0) {
        char *key = contact_key(e);
        if (key && strmap_get(&sc->keys, key, NULL))
            flag(sc, DUPLICATE_CONTACT, e);
        else if (key)
            strmap_put(&sc->keys, key, 1);
        free(key);
    } else if (strcmp(type, "STATE") == 0) {
        const char *to = json_string_value(json_object_get(e, "to"));
        const char *cause = json_string_value(json_object_get(e, "cause"));
        if (to && (strcmp(to, "Ended") == 0 || strcmp(to, "Queued") == 0)) {
            free(t->attached); /* released */
            t->attached = NULL;
        }
        if (to && strcmp(to, "Ended") == 0 && !t->ever_attached &&
            !(cause && strcmp(cause, "admin_end") == 0))
            flag(sc, LOST_CONTACT, e);
    }
}

json_t *cxm_invariants(struct cxm_ledger *l)
{
    struct scan sc;
    memset(&sc, 0, sizeof sc);
    strmap_init(&sc.index);
    strmap_init(&sc.keys);
    json_t *checks = json_object();
    for (int i = 0; i < NCHECKS; i++) {
        sc.checks[i] = json_pack("{si s[]}", "count", 0, "examples");
        json_object_set_new(checks, check_names[i], sc.checks[i]);
    }
    for (size_t seq = 1; seq <= l->n; seq++) {
        const char *line = cxm_ledger_get(l, seq);
        json_t *e = line ? json_loads(line, 0, NULL) : NULL;
        if (e)
            scan_entry(&sc, e);
        json_decref(e);
    }
    for (size_t i = 0; i < sc.n; i++)
        free(sc.tracks[i].attached);
    free(sc.tracks);
    strmap_free(&sc.index);
    strmap_free(&sc.keys);
    return json_pack("{sI so}", "entries", (json_int_t)l->n, "checks", checks);
}
