/* excerpt.c - see excerpt.h */
#include "excerpt.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hrec.h"
#include "redact.h"
#include "utf8.h"

#define REDACTED "[redacted]"

static const char *const secret_words[] = {
    "token", "secret", "password", "passwd", "authorization", "apikey", "api_key", "api-key", NULL};

static int names_a_secret(const char *s, size_t len)
{
    for (const char *const *w = secret_words; *w; w++) {
        size_t wl = strlen(*w);
        for (size_t i = 0; i + wl <= len; i++)
            if (strncasecmp(s + i, *w, wl) == 0)
                return 1;
    }
    return 0;
}

/* Replace, in place, the values of members whose names say they hold a secret. */
static void redact_members(json_t *v)
{
    const char *k;
    json_t *m;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, m)
        {
            if (names_a_secret(k, strlen(k)))
                json_object_set_new(v, k, json_string(REDACTED));
            else
                redact_members(m);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, m) redact_members(m);
    }
}

/* TEXT with every occurrence of each secret replaced (a new string, or NULL). */
static char *redact_values(char *text, const char *const *secrets)
{
    for (const char *const *sp = secrets; sp && *sp; sp++) {
        size_t sl = strlen(*sp);
        if (sl < 4)
            continue;
        char *at;
        while ((at = strstr(text, *sp))) {
            size_t before = (size_t)(at - text), after = strlen(at + sl);
            char *n = malloc(before + sizeof REDACTED + after);
            if (!n) {
                free(text);
                return NULL;
            }
            memcpy(n, text, before);
            memcpy(n + before, REDACTED, sizeof REDACTED - 1);
            memcpy(n + before + sizeof REDACTED - 1, at + sl, after + 1);
            free(text);
            text = n;
        }
    }
    return text;
}

/* Cut TEXT to at most HREC_BODY_MAX bytes, on a character boundary, ending "...". */
static void cut(char *text)
{
    size_t len = strlen(text);
    if (len <= HREC_BODY_MAX)
        return;
    size_t at = HREC_BODY_MAX - 3;
    while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80) /* not inside a character */
        at--;
    memcpy(text + at, "...", 4);
}

char *answer_excerpt(const char *body, size_t len, const struct redact *env,
                     const char *const *secrets)
{
    if (!body || len == 0)
        return NULL;
    char *text;
    json_t *j = json_loadb(body, len, JSON_DECODE_ANY, NULL);
    if (j) {
        redact_members(j);
        redact_json(env, j); /* on the values, before JSON escapes them */
        text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        json_decref(j);
    } else if (names_a_secret(body, len)) {
        text = strdup("[withheld: the answer names a token or a secret]");
    } else if ((text = strndup(body, len))) {
        cx_utf8_scrub(text); /* a history line is JSON, and JSON is UTF-8 */
        redact_own(env, &text);
    }
    if (!text || !(text = redact_values(text, secrets)))
        return NULL;
    cut(text);
    return text;
}
