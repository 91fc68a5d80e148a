/* jsonread.c - the helper layer of the strict JSON loaders (see jsonread.h). */
#include "jsonread.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsonpos.h"

void jr_init(struct jr_ctx *c, const char *text, size_t len, const char *name, struct cx_error *err,
             const struct jr_words *words)
{
    *c = (struct jr_ctx){.text = text, .len = len, .err = err, .words = words};
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", name);
}

json_t *jr_parse(struct jr_ctx *c)
{
    struct cx_error *err = c->err;
    json_error_t jerr;
    json_t *root = json_loadb(c->text, c->len, JSON_REJECT_DUPLICATES, &jerr);

    if (!root) {
        err->line = jerr.line < 0 ? 0 : jerr.line;
        err->column = jerr.column < 0 ? 0 : jerr.column;
        snprintf(err->text, sizeof err->text, "%s", jerr.text);
    }
    return root;
}

/* ---- paths ---- */

/* BUF after snprintf wrote N bytes into it, marked "..." if they did not fit. */
static const char *path_done(jr_path_t buf, int n)
{
    if (n >= (int)sizeof(jr_path_t))
        memcpy(buf + sizeof(jr_path_t) - 4, "...", 4);
    return buf;
}

const char *jr_member_path(jr_path_t buf, const char *parent, const char *key)
{
    return path_done(buf,
                     snprintf(buf, sizeof(jr_path_t), "%s%s%s", parent, *parent ? "." : "", key));
}

const char *jr_index_path(jr_path_t buf, const char *parent, size_t i)
{
    return path_done(buf, snprintf(buf, sizeof(jr_path_t), "%s[%zu]", parent, i));
}

/* ---- errors ---- */

int jr_locate(const struct jr_ctx *c, const char *path, int want_key, int *line, int *col)
{
    jr_path_t where;
    int exact = 1;

    *line = *col = 0;
    snprintf(where, sizeof where, "%s", path);
    while (jsonpos_locate(c->text, c->len, where, want_key, line, col) != 0 && where[0]) {
        char *cut = where + strlen(where);
        while (cut > where && *cut != '.' && *cut != '[')
            cut--;
        *cut = '\0';
        want_key = 0;
        exact = 0;
    }
    return exact;
}

/* If a JSON string starts at LINE:*COL and its first OFFSET bytes hold no escape, move *COL to
 * its byte OFFSET (best effort: with escapes the decoded offset would not match the source). */
static void shift_into_string(const struct jr_ctx *c, int line, int *col, size_t offset)
{
    const char *p = c->text, *end = c->text + c->len;

    for (int l = 1; p < end && l < line; p++)
        if (*p == '\n')
            l++;
    if (*col < 1 || (size_t)(end - p) <= (size_t)*col - 1)
        return;
    p += *col - 1;
    if (*p != '"')
        return;
    for (size_t i = 1; i <= offset; i++)
        if (p + i >= end || p[i] == '\\' || p[i] == '"')
            return;
    *col += 1 + (int)offset;
}

/* Fill the error for PATH, located at the value (at the key if WANT_KEY; at byte OFFSET inside
 * the string value if OFFSET >= 0), with the formatted text. Always returns -1. */
__attribute__((format(printf, 5, 0))) static int
vfail(struct jr_ctx *c, const char *path, int want_key, long offset, const char *fmt, va_list ap)
{
    struct cx_error *e = c->err;

    snprintf(e->key, sizeof e->key, "%s", path);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    c->failed = true;
    if (jr_locate(c, path, want_key, &e->line, &e->column) && offset >= 0)
        shift_into_string(c, e->line, &e->column, (size_t)offset);
    return -1;
}

int jr_fail(struct jr_ctx *c, const char *path, int want_key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(c, path, want_key, -1, fmt, ap);
    va_end(ap);
    return -1;
}

int jr_fail_at(struct jr_ctx *c, const char *path, size_t offset, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(c, path, 0, (long)offset, fmt, ap);
    va_end(ap);
    return -1;
}

int jr_fail_oom(struct jr_ctx *c, const char *path)
{
    return jr_fail(c, path, 0, "out of memory");
}

/* ---- names ---- */

const char *jr_join(char *list, size_t size, const char *const names[])
{
    size_t n = 0;

    list[0] = '\0';
    for (int i = 0; names[i] && n < size; i++)
        n += (size_t)snprintf(list + n, size - n, "%s%s", i ? ", " : "", names[i]);
    return list;
}

int jr_name_index(const char *const names[], const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

int jr_fail_enum(struct jr_ctx *c, const char *path, const char *const names[])
{
    char list[240];

    return jr_fail(c, path, 0, "expected one of: %s", jr_join(list, sizeof list, names));
}

/* ---- members ---- */

int jr_check_keys(struct jr_ctx *c, json_t *obj, const char *path, const char *const allowed[])
{
    char list[240];
    jr_path_t p;

    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
        const char *key = json_object_iter_key(it);
        if (jr_name_index(allowed, key) >= 0)
            continue;
        jr_member_path(p, path, key);
        if (c->words->list_allowed)
            return jr_fail(c, p, 1, "unknown key (allowed: %s)",
                           jr_join(list, sizeof list, allowed));
        return jr_fail(c, p, 1, "unknown key");
    }
    return 0;
}

int jr_member(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
              jr_path_t p, json_t **v)
{
    *v = json_object_get(obj, key);
    jr_member_path(p, path, key);
    if (!*v && (flags & JR_REQUIRED))
        return jr_fail(c, p, 0, "missing required key");
    return 0;
}

int jr_get_int64(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
                 int64_t def, int64_t min, int64_t max, int64_t *out)
{
    const char *what = c->words->integer;
    json_int_t n;
    jr_path_t p;
    json_t *v;

    if (jr_member(c, obj, path, key, flags, p, &v) != 0)
        return -1;
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v))
        return jr_fail(c, p, 0, "expected %s", what);
    n = json_integer_value(v);
    if (n < min || n > max) {
        if (max == INT64_MAX || max == INT_MAX)
            return jr_fail(c, p, 0, "expected %s >= %" PRId64, what, min);
        return jr_fail(c, p, 0, "expected %s in [%" PRId64 ", %" PRId64 "]", what, min, max);
    }
    *out = n;
    return 0;
}

int jr_get_int(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags, int def,
               int min, int max, int *out)
{
    int64_t n = def;

    if (jr_get_int64(c, obj, path, key, flags, def, min, max, &n) != 0)
        return -1;
    *out = (int)n;
    return 0;
}

int jr_get_str(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
               const char *def, char **out)
{
    const char *s = def;
    jr_path_t p;
    json_t *v;

    if (jr_member(c, obj, path, key, flags, p, &v) != 0)
        return -1;
    if (v && !json_is_string(v))
        return jr_fail(c, p, 0, "expected %s", c->words->string);
    if (v)
        s = json_string_value(v);
    if ((flags & JR_NONEMPTY) && s && !*s)
        return jr_fail(c, p, 0, "expected %s", c->words->nonempty);
    *out = NULL;
    if (s && !(*out = strdup(s)))
        return jr_fail_oom(c, p);
    return 0;
}

int jr_get_bool(struct jr_ctx *c, json_t *obj, const char *path, const char *key, bool def,
                bool *out)
{
    jr_path_t p;
    json_t *v;

    jr_member(c, obj, path, key, 0, p, &v);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return jr_fail(c, p, 0, "expected %s", c->words->boolean);
    *out = json_is_true(v);
    return 0;
}

int jr_get_enum(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
                const char *const names[], int def, int *out)
{
    jr_path_t p;
    json_t *v;

    if (jr_member(c, obj, path, key, flags, p, &v) != 0)
        return -1;
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_string(v) && c->words->enum_not_string)
        return jr_fail(c, p, 0, "expected %s", c->words->enum_not_string);
    if (!json_is_string(v) || (*out = jr_name_index(names, json_string_value(v))) < 0)
        return jr_fail_enum(c, p, names);
    return 0;
}

int jr_get_container(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
                     json_type type, json_t **out)
{
    jr_path_t p;

    if (jr_member(c, obj, path, key, flags, p, out) != 0)
        return -1;
    if (*out && json_typeof(*out) != type)
        return jr_fail(c, p, 0, "expected %s",
                       type == JSON_OBJECT ? c->words->object : c->words->array);
    return 0;
}
