/* vars.c - see vars.h */
#include "vars.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "redact.h"
#include "wstate.h"

json_t *vars_lookup(void *ctx, const char *name, size_t len)
{
    struct vu *v = ctx;
    char key[256];
    if (len >= sizeof key)
        return NULL;
    memcpy(key, name, len);
    key[len] = '\0';
    if (strcmp(key, "vu") == 0)
        return json_integer(v->index);
    if (strcmp(key, "iter") == 0)
        return json_integer(v->iter);
    if (strcmp(key, "uuid") == 0) {
        char u[37];
        tpl_uuid4(u, &v->ids);
        return json_string(u);
    }
    if (strcmp(key, "shard") == 0)
        return json_integer(v->ws->rs->shard);
    const json_t *src = v->vars;
    const char *k = key;
    if (strncmp(key, "env.", 4) == 0)
        src = v->ws->rs->env, k = key + 4;
    else if (strncmp(key, "user.", 5) == 0)
        src = v->user, k = key + 5;
    else if (strncmp(key, "vars.", 5) == 0)
        src = v->ws->scn->vars, k = key + 5;
    else if (strncmp(key, "setup.", 6) == 0)
        src = v->ws->rs->setup, k = key + 6;
    json_t *val = src ? json_object_get(src, k) : NULL;
    if (!val)
        return NULL;
    /* The scenario's, the setup's and the environment's values are shared by every thread:
     * copy them rather than touch their reference counts (jansson's incref is not safe there). */
    return src == v->vars ? json_incref(val) : json_deep_copy(val);
}

/* T expanded for v with LOOKUP into a new string; NULL if T is NULL or a reference is unset. */
static char *expand_with(struct vu *v, const struct tpl *t, tpl_lookup lookup)
{
    if (!t)
        return NULL;
    struct cx_buf b;
    cx_buf_init(&b);
    char *missing = NULL;
    if (tpl_expand(t, lookup, v, &b, &missing) < 0) {
        free(missing);
        cx_buf_free(&b);
        return NULL;
    }
    return cx_buf_take(&b);
}

char *vars_expand(struct vu *v, const struct tpl *t)
{
    return expand_with(v, t, vars_lookup);
}

json_t *vars_lookup_shown(void *ctx, const char *name, size_t len)
{
    struct vu *v = ctx;
    if (len <= 4 || strncmp(name, "env.", 4) != 0)
        return vars_lookup(ctx, name, len);
    char key[256], shown[300];
    if (len >= sizeof key) /* as vars_lookup: no such name */
        return NULL;
    memcpy(key, name + 4, len - 4);
    key[len - 4] = '\0';
    if (!json_object_get(v->ws->rs->env, key)) /* unset: as vars_lookup */
        return NULL;
    snprintf(shown, sizeof shown, REDACT_OPEN "env:%s" REDACT_CLOSE, key);
    return json_string(shown);
}

char *vars_expand_shown(struct vu *v, const struct tpl *t)
{
    char *s = expand_with(v, t, vars_lookup_shown);
    redact_own(v->ws->rs->redact, &s);
    return s;
}
