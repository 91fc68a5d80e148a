/* template.c - ${...} templates: compile, expand, expand inside JSON, fresh UUIDs (see template.h).
 *
 * A template is an array of segments, each a literal (escapes already resolved) or a reference
 * name; every segment is NUL-terminated so lookups may treat names as C strings. Expansion walks
 * the segments into a cx_buf and never allocates apart from the buffer's growth and the JSON
 * text of non-string values.
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prng.h"

struct seg {
    char *text; /* the literal, or the reference's name */
    size_t len;
    size_t offset; /* of the reference's "${" in the source */
    int ref;
};

struct tpl {
    char *src;
    struct seg *segs;
    size_t nsegs;
    size_t *refs; /* indexes into segs of the references, in order */
    size_t nrefs;
};

/* [A-Za-z_]: a reference name's first character. */
static int name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

/* [A-Za-z0-9_.-]: a reference name's other characters. */
static int name_char(char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* Append a segment (TEXT copied, LEN bytes) to T. Returns 0, or -1 if out of memory. */
static int add_seg(struct tpl *t, const char *text, size_t len, int ref, size_t offset)
{
    struct seg *segs = realloc(t->segs, (t->nsegs + 1) * sizeof *segs);
    char *copy;

    if (!segs)
        return -1;
    t->segs = segs;
    if (!(copy = malloc(len + 1)))
        return -1;
    memcpy(copy, text, len);
    copy[len] = '\0';
    segs[t->nsegs++] = (struct seg){copy, len, offset, ref};
    return 0;
}

/* Append the literal collected in LIT (if any) to T and reset LIT. Returns 0, or -1 if out of
 * memory (also if LIT ran out earlier). */
static int flush_literal(struct tpl *t, struct cx_buf *lit)
{
    int rc = 0;

    if (lit->oom)
        return -1;
    if (lit->len > 0)
        rc = add_seg(t, lit->data, lit->len, 0, 0);
    lit->len = 0;
    return rc;
}

/* Describe character C for a message: 'x', or \xNN when it is not printable ASCII. */
static void describe_char(char c, char *out, size_t size)
{
    unsigned char u = (unsigned char)c;

    if (u >= 0x20 && u < 0x7f)
        snprintf(out, size, "'%c'", c);
    else
        snprintf(out, size, "\\x%02X", u);
}

/* See template.h. */
int tpl_compile(const char *text, struct tpl **out, struct cx_error *err, size_t *err_offset)
{
    struct tpl *t = calloc(1, sizeof *t);
    struct cx_buf lit;
    size_t i = 0, off = 0;
    char what[8];

    cx_buf_init(&lit);
    if (!t || !(t->src = strdup(text)))
        goto oom;
    while (text[i]) {
        size_t start = i, j;

        if (text[i] == '$' && text[i + 1] == '$' && text[i + 2] == '{') {
            cx_buf_add(&lit, "${", 2);
            i += 3;
            continue;
        }
        if (text[i] != '$' || text[i + 1] != '{') {
            cx_buf_add(&lit, text + i, 1);
            i++;
            continue;
        }
        j = i + 2;
        if (text[j] == '}') {
            cx_error_set(err, "empty reference \"${}\"");
            off = start;
            goto bad;
        }
        if (text[j] && !name_start(text[j])) {
            describe_char(text[j], what, sizeof what);
            cx_error_set(err,
                         "invalid character %s in a reference (a name is [A-Za-z_][A-Za-z0-9_.-]*)",
                         what);
            off = j;
            goto bad;
        }
        while (name_char(text[j]))
            j++;
        if (!text[j]) {
            cx_error_set(err, "unterminated \"${\": expected a name and \"}\"");
            off = start;
            goto bad;
        }
        if (text[j] != '}') {
            describe_char(text[j], what, sizeof what);
            cx_error_set(err,
                         "invalid character %s in a reference (a name is [A-Za-z_][A-Za-z0-9_.-]*)",
                         what);
            off = j;
            goto bad;
        }
        if (flush_literal(t, &lit) != 0 || add_seg(t, text + i + 2, j - i - 2, 1, start) != 0)
            goto oom;
        t->nrefs++;
        i = j + 1;
    }
    if (flush_literal(t, &lit) != 0)
        goto oom;
    if (t->nrefs && !(t->refs = malloc(t->nrefs * sizeof *t->refs)))
        goto oom;
    for (size_t k = 0, n = 0; k < t->nsegs; k++)
        if (t->segs[k].ref)
            t->refs[n++] = k;
    cx_buf_free(&lit);
    *out = t;
    return 0;

oom:
    cx_error_set(err, "out of memory");
    off = 0;
bad:
    *err_offset = off;
    cx_buf_free(&lit);
    tpl_free(t);
    return -1;
}

/* See template.h. */
void tpl_free(struct tpl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nsegs; i++)
        free(t->segs[i].text);
    free(t->segs);
    free(t->refs);
    free(t->src);
    free(t);
}

/* See template.h. */
const char *tpl_source(const struct tpl *t)
{
    return t->src;
}

/* See template.h. */
int tpl_is_constant(const struct tpl *t)
{
    return t->nrefs == 0;
}

/* See template.h. */
const char *tpl_single_ref(const struct tpl *t)
{
    return t->nsegs == 1 && t->segs[0].ref ? t->segs[0].text : NULL;
}

/* See template.h. */
size_t tpl_nrefs(const struct tpl *t)
{
    return t->nrefs;
}

/* See template.h. I must be < tpl_nrefs(t). */
const char *tpl_ref(const struct tpl *t, size_t i)
{
    return t->segs[t->refs[i]].text;
}

/* See template.h. I must be < tpl_nrefs(t). */
size_t tpl_ref_offset(const struct tpl *t, size_t i)
{
    return t->segs[t->refs[i]].offset;
}

/* Append the JSON text of real D: the shortest of %.15g..%.17g that reads back as D, with ".0"
 * added to a whole number as jansson writes it. */
static void add_real(struct cx_buf *out, double d)
{
    char tmp[40];

    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    cx_buf_adds(out, tmp);
    if (!strpbrk(tmp, ".eEn"))
        cx_buf_add(out, ".0", 2);
}

/* See template.h. */
int tpl_value_text(const json_t *v, struct cx_buf *out)
{
    char *dump;

    switch (json_typeof(v)) {
    case JSON_STRING:
        cx_buf_add(out, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        cx_buf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        add_real(out, json_real_value(v));
        break;
    case JSON_TRUE:
        cx_buf_add(out, "true", 4);
        break;
    case JSON_FALSE:
        cx_buf_add(out, "false", 5);
        break;
    case JSON_NULL:
        cx_buf_add(out, "null", 4);
        break;
    default:
        if (!(dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)))
            return -1;
        cx_buf_adds(out, dump);
        free(dump);
        break;
    }
    return out->oom ? -1 : 0;
}

/* See template.h. */
int tpl_expand(const struct tpl *t, tpl_lookup lookup, void *ctx, struct cx_buf *out,
               char **missing)
{
    *missing = NULL;
    for (size_t i = 0; i < t->nsegs; i++) {
        const struct seg *s = &t->segs[i];
        json_t *v;
        int rc;

        if (!s->ref) {
            cx_buf_add(out, s->text, s->len);
            continue;
        }
        if (!(v = lookup(ctx, s->text, s->len))) {
            *missing = strdup(s->text);
            return -1;
        }
        rc = tpl_value_text(v, out);
        json_decref(v);
        if (rc != 0)
            return -1;
    }
    return out->oom ? -1 : 0;
}

/* The expansion of string V (see tpl_expand_json). */
static json_t *expand_string(const json_t *v, tpl_lookup lookup, void *ctx, char **missing)
{
    const char *s = json_string_value(v), *name;
    struct tpl *t = NULL;
    struct cx_buf b;
    json_t *res = NULL;
    struct cx_error err;
    size_t off;

    cx_buf_init(&b);
    if (!strchr(s, '$'))
        return json_stringn(s, json_string_length(v));
    if (tpl_compile(s, &t, &err, &off) != 0) {
        if (strcmp(err.text, "out of memory") != 0)
            *missing = strdup(s);
        return NULL;
    }
    if ((name = tpl_single_ref(t))) {
        if (!(res = lookup(ctx, name, strlen(name))))
            *missing = strdup(name);
    } else if (tpl_expand(t, lookup, ctx, &b, missing) == 0) {
        res = json_stringn(b.data ? b.data : "", b.len);
    }
    cx_buf_free(&b);
    tpl_free(t);
    return res;
}

/* The expansion of V (see tpl_expand_json): a new value, or NULL with *missing set (unset name,
 * bad template) or not (out of memory). */
static json_t *expand_value(const json_t *v, tpl_lookup lookup, void *ctx, char **missing)
{
    json_t *res = NULL, *item;
    const char *key;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_STRING:
        return expand_string(v, lookup, ctx, missing);
    case JSON_OBJECT:
        if (!(res = json_object()))
            return NULL;
        json_object_foreach((json_t *)v, key, item)
        {
            json_t *copy = expand_value(item, lookup, ctx, missing);
            if (!copy || json_object_set_new(res, key, copy) != 0)
                goto error;
        }
        return res;
    case JSON_ARRAY:
        if (!(res = json_array()))
            return NULL;
        json_array_foreach(v, i, item)
        {
            json_t *copy = expand_value(item, lookup, ctx, missing);
            if (!copy || json_array_append_new(res, copy) != 0)
                goto error;
        }
        return res;
    default:
        return json_copy((json_t *)v);
    }
error:
    json_decref(res);
    return NULL;
}

/* See template.h. */
json_t *tpl_expand_json(const json_t *body, tpl_lookup lookup, void *ctx, char **missing)
{
    *missing = NULL;
    return expand_value(body, lookup, ctx, missing);
}

/* See template.h. */
void tpl_uuid4(char out[37], uint64_t *state)
{
    uint64_t hi = cx_splitmix64(state);
    cx_uuid4_format(out, hi, cx_splitmix64(state));
}
