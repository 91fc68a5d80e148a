/* extract.c - values out of a response (see extract.h).
 *
 * One walker serves both the load-time check and the per-response evaluation: it parses the
 * path a step at a time and, when given a body, follows it. Evaluation parses the path again on
 * every call; paths are a few bytes and this keeps the scenario free of compiled state.
 */
#include "extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define MAX_INDEX 999999999 /* nine digits */

static int member_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* An HTTP token character (RFC 9110 tchar). */
static int token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Fill ERR with "FROM: WHAT (character N)" for the problem at P. Always returns -1. */
static int bad(struct cx_error *err, const char *from, const char *p, const char *what)
{
    cx_error_set(err, "\"%.60s%s\": %s (character %zu)", from, strlen(from) > 60 ? "..." : "", what,
                 (size_t)(p - from) + 1);
    return -1;
}

/* The member KEY of NODE, or NULL (also when NODE is NULL or not an object). */
static const json_t *member(const json_t *node, const char *key, size_t len)
{
    return json_is_object(node) ? json_object_getn(node, key, len) : NULL;
}

/* Walk the JSON path FROM ("$..."), following it from BODY when BODY is not NULL; *out is where
 * it leads (NULL if absent). KEY is scratch space for quoted keys. Returns 0, or -1 with ERR
 * filled if FROM is not a valid path. */
static int walk(const char *from, const json_t *body, const json_t **out, struct cx_buf *key,
                struct cx_error *err)
{
    const char *p = from + 1;
    const json_t *node = body;

    while (*p) {
        if (*p == '.') {
            const char *name = ++p;
            while (member_char(*p))
                p++;
            if (p == name)
                return bad(err, from, p,
                           "expected a member name ([A-Za-z0-9_-]+, or [\"any key\"]) after \".\"");
            node = member(node, name, (size_t)(p - name));
        } else if (*p == '[' && p[1] == '"') {
            key->len = 0;
            for (p += 2; *p && *p != '"'; p++) {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                else if (*p == '\\')
                    return bad(err, from, p, "expected \\\" or \\\\ after a backslash");
                cx_buf_add(key, p, 1);
            }
            if (*p != '"' || p[1] != ']')
                return bad(err, from, p, "expected a closing \"] after a quoted key");
            p += 2;
            if (key->oom)
                return bad(err, from, p, "out of memory");
            node = member(node, key->data ? key->data : "", key->len);
        } else if (*p == '[') {
            long idx = 0;
            const char *digits = ++p;
            for (; *p >= '0' && *p <= '9'; p++) {
                if (p - digits >= 9)
                    return bad(err, from, p, "index too large");
                idx = idx * 10 + (*p - '0');
            }
            if (p == digits || *p != ']')
                return bad(err, from, p,
                           "expected a non-negative integer index and \"]\", or [\"key\"]");
            p++;
            node = json_is_array(node) ? json_array_get(node, (size_t)idx) : NULL;
        } else {
            return bad(err, from, p, "expected \".name\", \"[index]\" or [\"key\"]");
        }
    }
    *out = node;
    return 0;
}

/* See extract.h. */
int extract_check(const char *from, struct cx_error *err)
{
    const json_t *unused;
    struct cx_buf key;
    const char *p;
    int rc;

    if (strcmp(from, "status") == 0)
        return 0;
    if (strncmp(from, "header:", 7) == 0) {
        for (p = from + 7; token_char(*p); p++)
            ;
        if (p == from + 7 || *p)
            return bad(err, from, p, "expected a header name (an HTTP token) after header:");
        return 0;
    }
    if (from[0] != '$')
        return bad(err, from, from,
                   "expected \"$\" or \"$.path\" (the body), \"header:Name\" or \"status\"");
    cx_buf_init(&key);
    rc = walk(from, NULL, &unused, &key, err);
    cx_buf_free(&key);
    return rc;
}

/* See extract.h. */
json_t *extract_eval(const char *from, const json_t *body, int status,
                     const char *(*header)(void *ctx, const char *name), void *ctx)
{
    const json_t *node = NULL;
    struct cx_buf key;
    const char *v;

    if (strcmp(from, "status") == 0)
        return json_integer(status);
    if (strncmp(from, "header:", 7) == 0) {
        v = header ? header(ctx, from + 7) : NULL;
        return v ? json_string(v) : NULL;
    }
    if (from[0] != '$' || !body)
        return NULL;
    cx_buf_init(&key);
    if (walk(from, body, &node, &key, NULL) != 0)
        node = NULL;
    cx_buf_free(&key);
    return node ? json_deep_copy(node) : NULL;
}
