/* jsonw.c - see jsonw.h */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

static int append_string(struct cx_buf *b, const char *s, size_t len)
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

static void append_integer(struct cx_buf *b, json_int_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" JSON_INTEGER_FORMAT, v);
    cx_buf_add(b, digits, (size_t)n);
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
        if (!first)
            cx_buf_add(b, ",", 1);
        first = 0;
        if (append_string(b, key, klen) < 0)
            return -1;
        cx_buf_add(b, ":", 1);
        if (cx_json_append(b, member) < 0)
            return -1;
    }
    cx_buf_add(b, "}", 1);
    return 0;
}

static int append_array(struct cx_buf *b, const json_t *v)
{
    cx_buf_add(b, "[", 1);
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (i)
            cx_buf_add(b, ",", 1);
        if (cx_json_append(b, json_array_get(v, i)) < 0)
            return -1;
    }
    cx_buf_add(b, "]", 1);
    return 0;
}

int cx_json_append(struct cx_buf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return append_object(b, v);
    case JSON_ARRAY:
        return append_array(b, v);
    case JSON_STRING:
        return append_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        append_integer(b, json_integer_value(v));
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
