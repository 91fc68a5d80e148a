/* jsonw.c - see jsonw.h */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

enum order { INSERTION, SORTED };

static int append(struct cx_buf *b, const json_t *v, enum order order);

int cx_json_append_string(struct cx_buf *b, const char *s, size_t len)
{
    cx_buf_add(b, "\"", 1);
    const char *run = s;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20)
            return -1;
        if (c == '"' || c == '\\') {
            cx_buf_add(b, run, (size_t)(s + i - run));
            cx_buf_add(b, c == '"' ? "\\\"" : "\\\\", 2);
            run = s + i + 1;
        }
    }
    cx_buf_add(b, run, (size_t)(s + len - run));
    cx_buf_add(b, "\"", 1);
    return 0;
}

void cx_json_append_int(struct cx_buf *b, long long v)
{
    char digits[24], *p = digits + sizeof digits;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    cx_buf_add(b, p, (size_t)(digits + sizeof digits - p));
}

static void member_key(struct cx_buf *b, const char *key)
{
    cx_buf_add(b, ",\"", 2);
    cx_buf_adds(b, key);
    cx_buf_add(b, "\":", 2);
}

int cx_json_member_str(struct cx_buf *b, const char *key, const char *v)
{
    member_key(b, key);
    if (v)
        return cx_json_append_string(b, v, strlen(v));
    cx_buf_add(b, "null", 4);
    return 0;
}

void cx_json_member_int(struct cx_buf *b, const char *key, long long v)
{
    member_key(b, key);
    cx_json_append_int(b, v);
}

static int append_member(struct cx_buf *b, int first, const char *key, size_t klen,
                         const json_t *member, enum order order)
{
    if (!first)
        cx_buf_add(b, ",", 1);
    if (cx_json_append_string(b, key, klen) < 0)
        return -1;
    cx_buf_add(b, ":", 1);
    return append(b, member, order);
}

static int append_object(struct cx_buf *b, const json_t *v)
{
    const char *key;
    size_t klen;
    json_t *member;
    int first = 1;
    cx_buf_add(b, "{", 1);
    json_object_keylen_foreach((json_t *)v, key, klen, member)
    {
        if (append_member(b, first, key, klen, member, INSERTION) < 0)
            return -1;
        first = 0;
    }
    cx_buf_add(b, "}", 1);
    return 0;
}

struct key {
    const char *s;
    size_t len;
};

/* jansson's JSON_SORT_KEYS order (dump.c): the bytes, then the shorter first. */
static int key_order(const void *pa, const void *pb)
{
    const struct key *a = pa, *b = pb;
    int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int append_sorted_object(struct cx_buf *b, const json_t *v)
{
    struct key few[16], *keys = few;
    size_t n = json_object_size(v), i = 0;
    if (n > sizeof few / sizeof *few && !(keys = malloc(n * sizeof *keys)))
        return -1;
    const char *key;
    size_t klen;
    json_t *member;
    json_object_keylen_foreach((json_t *)v, key, klen, member) keys[i++] = (struct key){key, klen};
    qsort(keys, n, sizeof *keys, key_order);
    int rc = 0;
    cx_buf_add(b, "{", 1);
    for (i = 0; i < n && rc == 0; i++)
        rc = append_member(b, i == 0, keys[i].s, keys[i].len,
                           json_object_getn(v, keys[i].s, keys[i].len), SORTED);
    cx_buf_add(b, "}", 1);
    if (keys != few)
        free(keys);
    return rc;
}

static int append_array(struct cx_buf *b, const json_t *v, enum order order)
{
    cx_buf_add(b, "[", 1);
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (i)
            cx_buf_add(b, ",", 1);
        if (append(b, json_array_get(v, i), order) < 0)
            return -1;
    }
    cx_buf_add(b, "]", 1);
    return 0;
}

int cx_json_append(struct cx_buf *b, const json_t *v)
{
    return append(b, v, INSERTION);
}

int cx_json_append_sorted(struct cx_buf *b, const json_t *v)
{
    return append(b, v, SORTED);
}

static int append(struct cx_buf *b, const json_t *v, enum order order)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return order == SORTED ? append_sorted_object(b, v) : append_object(b, v);
    case JSON_ARRAY:
        return append_array(b, v, order);
    case JSON_STRING:
        return cx_json_append_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        cx_json_append_int(b, json_integer_value(v));
        return 0;
    case JSON_TRUE:
        cx_buf_add(b, "true", 4);
        return 0;
    case JSON_FALSE:
        cx_buf_add(b, "false", 5);
        return 0;
    case JSON_NULL:
        cx_buf_add(b, "null", 4);
        return 0;
    default: /* reals: jansson's formatting */
        return -1;
    }
}

char *cx_json_dumps(const json_t *v)
{
    struct cx_buf b;
    cx_buf_init(&b);
    if ((json_is_object(v) || json_is_array(v)) && cx_json_append(&b, v) == 0)
        return cx_buf_take(&b);
    cx_buf_free(&b);
    return v ? json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
}
