/* scopes.c - see scopes.h */
#include "scopes.h"

#include <stdio.h>
#include <string.h>

const char *const cxm_seed_scopes[] = {
    "interaction:read",
    "interaction:write",
    "agent:control", /* 000 */
    "routing:contacts:write",
    "routing:queues:read",
    "contacts:attributes:read",
    "oauth:client:manage", /* 001 */
    "routing:contact:read",
    "routing:contact:write",
    "routing:queue:read", /* 002 */
    "users:state:view",
    "users:state:write",
    "schedules:view",
    "breaks:view", /* 003 */
    NULL,
};

int cxm_scope_known(const char *name)
{
    for (const char *const *s = cxm_seed_scopes; *s; s++)
        if (strcmp(*s, name) == 0)
            return 1;
    return 0;
}

/* Append TEXT to OUT (AT bytes used) after SEP when not the first. */
static void append(char *out, size_t size, size_t *at, const char *sep, const char *text,
                   size_t len)
{
    int n = snprintf(out + *at, size - *at, "%s%.*s", *at ? sep : "", (int)len, text);
    if (n > 0)
        *at += (size_t)n < size - *at ? (size_t)n : size - *at - 1;
}

/* One need (alternatives separated by '|', LEN bytes at NEED) as "x or y" into OUT. */
static void describe_need(const char *need, size_t len, char *out, size_t size, size_t *at,
                          const char *sep)
{
    int first = 1;
    for (const char *p = need; p < need + len;) {
        size_t n = strcspn(p, "|");
        if (n > (size_t)(need + len - p))
            n = (size_t)(need + len - p);
        append(out, size, at, first ? sep : " or ", p, n);
        first = 0;
        p += n + 1;
    }
}

int cxm_scope_missing(const char *spec, int (*holds)(void *ctx, const char *name), void *ctx,
                      char *missing, size_t size)
{
    int count = 0;
    size_t at = 0;
    missing[0] = '\0';
    for (const char *p = spec; *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        if (!len)
            break;
        int met = 0;
        for (const char *q = p; q < p + len && !met;) {
            size_t n = strcspn(q, "|");
            if (n > (size_t)(p + len - q))
                n = (size_t)(p + len - q);
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)n, q);
            met = holds(ctx, name);
            q += n + 1;
        }
        if (!met) {
            describe_need(p, len, missing, size, &at, " and ");
            count++;
        }
        p += len;
    }
    return count;
}

void cxm_scope_describe(const char *spec, char *out, size_t size)
{
    size_t at = 0;
    out[0] = '\0';
    for (const char *p = spec; *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " ");
        if (!len)
            break;
        describe_need(p, len, out, size, &at, " and ");
        p += len;
    }
}

void cxm_scope_primary(const char *spec, char *out, size_t size)
{
    size_t at = 0;
    out[0] = '\0';
    for (const char *p = spec; *p;) {
        p += strspn(p, " ");
        size_t len = strcspn(p, " "), first = strcspn(p, "|");
        if (!len)
            break;
        append(out, size, &at, " ", p, first < len ? first : len);
        p += len;
    }
}
