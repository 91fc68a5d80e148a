/* redact.c - see redact.h */
#include "redact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h> /* memmem: _GNU_SOURCE, as every target of the tree */
#include <unistd.h>

#include "buf.h"

/* The JSON text of a string value, its quotes left off (as a ledger line holds it). */
struct json_form {
    char *text;
    size_t len;
};

/* A value's forms as text of a JSON line: inside a string, and a whole string with its
 * quotes. Kept beside the values, in the same order. */
struct redact_forms {
    struct json_form inner, quoted, shown;
};

static int by_length(const void *a, const void *b)
{
    const struct redact_value *x = a, *y = b;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return strcmp(x->shown, y->shown); /* the same order every run */
}

/* Add NAME's value in ENV to R (if set, not empty, and not there already). 0, or -1. */
static int add(struct redact *r, size_t *cap, const json_t *env, const char *name)
{
    const char *val = json_string_value(json_object_get(env, name));
    if (!val || !*val)
        return 0;
    char *shown;
    if (asprintf(&shown, REDACT_OPEN "env:%s" REDACT_CLOSE, name) < 0)
        return -1;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].shown, shown) == 0) {
            free(shown);
            return 0;
        }
    if (r->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct redact_value *nv = realloc(r->v, ncap * sizeof *nv);
        if (!nv) {
            free(shown);
            return -1;
        }
        r->v = nv;
        *cap = ncap;
    }
    struct redact_value *v = &r->v[r->n];
    if (!(v->value = strdup(val))) {
        free(shown);
        return -1;
    }
    v->shown = shown;
    v->len = strlen(val);
    v->shown_len = strlen(shown);
    r->n++;
    return 0;
}

int redact_init(struct redact *r, const json_t *env, const json_t *file_names, const json_t *refs)
{
    memset(r, 0, sizeof *r);
    size_t cap = 0;
    const char *name;
    const json_t *x;
    json_object_foreach((json_t *)file_names, name, x)
    {
        if (add(r, &cap, env, name) < 0)
            return -1;
    }
    json_object_foreach((json_t *)refs, name, x)
    {
        if (add(r, &cap, env, name) < 0)
            return -1;
    }
    if (r->n > 1)
        qsort(r->v, r->n, sizeof *r->v, by_length);
    return 0;
}

void redact_free(struct redact *r)
{
    for (size_t i = 0; i < r->n; i++) {
        memset(r->v[i].value, 0, r->v[i].len); /* a secret does not linger in freed memory */
        free(r->v[i].value);
        free(r->v[i].shown);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* Does TEXT (LEN bytes) begin with S (N bytes)? */
static int starts(const char *text, size_t len, const char *s, size_t n)
{
    return n <= len && memcmp(text, s, n) == 0;
}

/* TEXT with every value of at least REDACT_MIN bytes, in its form FORMS[i].inner (or the
 * value itself when FORMS is NULL), replaced by its shown form; a shown form already there is
 * copied as it is. Into OUT; returns 1 if anything was replaced. */
static int scan(const struct redact *r, const struct redact_forms *forms, const char *text,
                size_t len, struct cx_buf *out)
{
    int changed = 0;
    size_t i = 0, run = 0; /* the bytes from run to i are copied as they are */
    while (i < len) {
        size_t took = 0;
        const char *with = NULL;
        size_t with_len = 0;
        for (size_t k = 0; k < r->n && !took; k++) {
            const struct redact_value *v = &r->v[k];
            const char *shown = forms ? forms[k].shown.text : v->shown;
            size_t shown_len = forms ? forms[k].shown.len : v->shown_len;
            const char *val = forms ? forms[k].inner.text : v->value;
            size_t val_len = forms ? forms[k].inner.len : v->len;
            if (starts(text + i, len - i, shown, shown_len)) {
                took = shown_len; /* redacted already: kept */
            } else if (v->len >= REDACT_MIN && starts(text + i, len - i, val, val_len)) {
                took = val_len;
                with = shown;
                with_len = shown_len;
            }
        }
        if (!with) {
            i += took ? took : 1;
            continue;
        }
        cx_buf_add(out, text + run, i - run);
        cx_buf_add(out, with, with_len);
        i += took;
        run = i;
        changed = 1;
    }
    if (changed)
        cx_buf_add(out, text + run, len - run);
    return changed;
}

/* Does TEXT (LEN bytes) hold a value of at least REDACT_MIN bytes? */
static int holds_long_value(const struct redact *r, const char *text, size_t len)
{
    for (size_t k = 0; k < r->n; k++)
        if (r->v[k].len >= REDACT_MIN && memmem(text, len, r->v[k].value, r->v[k].len))
            return 1;
    return 0;
}

char *redact_text(const struct redact *r, const char *text, size_t len, size_t *out_len, int *oom)
{
    if (oom)
        *oom = 0;
    if (!r || r->n == 0 || !text)
        return NULL;
    for (size_t k = 0; k < r->n; k++)
        if (len == r->v[k].len && memcmp(text, r->v[k].value, len) == 0) {
            char *s = strdup(r->v[k].shown);
            if (!s && oom)
                *oom = 1;
            if (s && out_len)
                *out_len = r->v[k].shown_len;
            return s;
        }
    if (!holds_long_value(r, text, len))
        return NULL;
    struct cx_buf b;
    cx_buf_init(&b);
    if (!scan(r, NULL, text, len, &b)) {
        cx_buf_free(&b);
        return NULL;
    }
    size_t n = b.len;
    char *s = cx_buf_take(&b);
    if (!s && oom)
        *oom = 1;
    if (s && out_len)
        *out_len = n;
    return s;
}

void redact_own(const struct redact *r, char **s)
{
    if (!r || r->n == 0 || !*s)
        return;
    int oom;
    size_t len = strlen(*s);
    char *t = redact_text(r, *s, len, NULL, &oom);
    if (!t && !oom)
        return;
    memset(*s, 0, len);
    free(*s);
    *s = t;
}

void redact_json(const struct redact *r, json_t *v)
{
    if (!r || r->n == 0 || !v)
        return;
    const char *k;
    json_t *m;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_STRING: {
        int oom;
        size_t n = 0;
        char *t = redact_text(r, json_string_value(v), json_string_length(v), &n, &oom);
        if (t)
            json_string_setn_nocheck(v, t, n); /* a value replaced on character boundaries */
        else if (oom)
            json_string_set(v, "");
        free(t);
        break;
    }
    case JSON_OBJECT:
        json_object_foreach(v, k, m) redact_json(r, m);
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, m) redact_json(r, m);
        break;
    default:
        break;
    }
}

/* S as the text of a JSON string: with its quotes (QUOTED) or without. 0, or -1. */
static int json_form(const char *s, int quoted, struct json_form *f)
{
    json_t *j = json_string(s);
    char *d = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!d)
        return -1;
    f->len = strlen(d);
    if (!quoted) {
        memmove(d, d + 1, f->len - 2);
        f->len -= 2;
        d[f->len] = '\0';
    }
    f->text = d;
    return 0;
}

static void forms_free(struct redact_forms *forms, size_t n)
{
    for (size_t k = 0; forms && k < n; k++) {
        if (forms[k].inner.text)
            memset(forms[k].inner.text, 0, forms[k].inner.len);
        if (forms[k].quoted.text)
            memset(forms[k].quoted.text, 0, forms[k].quoted.len);
        free(forms[k].inner.text);
        free(forms[k].quoted.text);
        free(forms[k].shown.text);
    }
    free(forms);
}

/* Does LINE hold a value as a JSON line would: inside a string (one of REDACT_MIN bytes or
 * more), or as a whole string? */
static int line_holds(const struct redact *r, const struct redact_forms *forms, const char *line,
                      size_t len)
{
    for (size_t k = 0; k < r->n; k++) {
        const struct json_form *f = r->v[k].len >= REDACT_MIN ? &forms[k].inner : &forms[k].quoted;
        if (memmem(line, len, f->text, f->len))
            return 1;
    }
    return 0;
}

/* LINE (LEN bytes, its newline left off) redacted into OUT. 0, or -1 out of memory. */
static int redact_line(const struct redact *r, const struct redact_forms *forms, const char *line,
                       size_t len, FILE *out)
{
    json_t *j = json_loadb(line, len, JSON_DECODE_ANY, NULL);
    if (j) {
        redact_json(r, j);
        char *d = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
                                    JSON_REAL_PRECISION(15)); /* as the mock writes its lines */
        json_decref(j);
        if (!d)
            return -1;
        fputs(d, out);
        free(d);
        return 0;
    }
    struct cx_buf b; /* not JSON (a torn last line): the values replaced as text */
    cx_buf_init(&b);
    if (scan(r, forms, line, len, &b))
        fwrite(b.data, 1, b.len, out);
    else
        fwrite(line, 1, len, out);
    int rc = b.oom ? -1 : 0;
    cx_buf_free(&b);
    return rc;
}

int redact_jsonl_file(const struct redact *r, const char *path)
{
    if (!r || r->n == 0)
        return 0;
    FILE *in = fopen(path, "r");
    if (!in)
        return errno == ENOENT ? 0 : -1;
    struct redact_forms *forms = calloc(r->n, sizeof *forms);
    int rc = forms ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < r->n; k++)
        if (json_form(r->v[k].value, 0, &forms[k].inner) < 0 ||
            json_form(r->v[k].value, 1, &forms[k].quoted) < 0 ||
            json_form(r->v[k].shown, 0, &forms[k].shown) < 0)
            rc = -1;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.redacting", path);
    FILE *out = rc == 0 ? fopen(tmp, "w") : NULL;
    if (!out)
        rc = -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (rc == 0 && (n = getline(&line, &cap, in)) > 0) {
        size_t len = (size_t)n, nl = line[len - 1] == '\n';
        if (!line_holds(r, forms, line, len - nl))
            fwrite(line, 1, len, out);
        else if (redact_line(r, forms, line, len - nl, out) < 0)
            rc = -1;
        else if (nl)
            fputc('\n', out);
    }
    if (rc == 0 && (ferror(in) || ferror(out)))
        rc = -1;
    if (line)
        memset(line, 0, cap);
    free(line);
    fclose(in);
    forms_free(forms, r->n);
    if (out && fclose(out) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc < 0 && out) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
    }
    return rc;
}
