/* cond.c - see cond.h */
#include "cond.h"

#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "vars.h"
#include "vu.h"

/* The value at c->path of the last answer equals c->value (a string as its text, anything else
 * as its compact JSON). */
static int json_equals(struct vu *v, const struct scn_cond *c)
{
    json_t *x = extract_eval(c->path, exchange_json(&v->x), v->x.status, exchange_header_cb, &v->x);
    char *want = vars_expand(v, c->value);
    int eq = 0;
    if (x && want) {
        if (json_is_string(x)) {
            eq = strcmp(json_string_value(x), want) == 0;
        } else {
            char *d = json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT);
            eq = d && strcmp(d, want) == 0;
            free(d);
        }
    }
    json_decref(x);
    free(want);
    return eq;
}

int cond_holds(struct vu *v, const struct scn_cond *c)
{
    switch (c->kind) {
    case SCN_COND_STATUS:
        for (int i = 0; i < 16 && c->statuses[i]; i++)
            if (c->statuses[i] == v->x.status)
                return 1;
        return 0;
    case SCN_COND_EXISTS: {
        json_t *x = vars_lookup(v, c->var, strlen(c->var));
        int ok = x && !json_is_null(x);
        json_decref(x);
        return ok;
    }
    case SCN_COND_EQUALS:
    case SCN_COND_NOT_EQUALS: {
        char *a = vars_expand(v, c->left), *b = vars_expand(v, c->value);
        int eq = a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
        return c->kind == SCN_COND_EQUALS ? eq : !eq;
    }
    case SCN_COND_JSON:
        return json_equals(v, c);
    }
    return 0;
}
