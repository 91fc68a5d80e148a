/* jsonread.h - the helper layer of the strict JSON loaders (mock/src/sim/tenant.c,
 * client/src/scenario.c).
 *
 * A loader embeds struct jr_ctx as the first member of its own context, parses the text with
 * jr_parse() and checks each object with jr_check_keys() before reading its members with the
 * jr_get_* readers here (and its own for the types only it has). The first problem stops the
 * load: every jr_fail* fills the error with the JSON path of the key, the line and column of the
 * value (jsonpos.h) and the text, sets c->failed and returns -1 for the caller to pass up.
 *
 * The loaders word some errors differently ("expected integer" in the tenant fixture, "expected
 * an integer" in a scenario); struct jr_words holds each loader's wording.
 */
#ifndef JSONREAD_H
#define JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cxerr.h"

/* A JSON path such as "queues[2].ringSeconds"; as long as struct cx_error's key. */
typedef char jr_path_t[sizeof(((struct cx_error *)0)->key)];

/* The flags the readers take: an absent member is an error ("missing required key"), not the
 * default; a string may not be "". Loaders define their own flags above them. */
enum { JR_REQUIRED = 1, JR_NONEMPTY = 2 };

/* How a loader words the errors of jr_check_keys and the readers. */
struct jr_words {
    bool list_allowed;    /* "unknown key (allowed: A, B)" rather than "unknown key" */
    const char *integer;  /* "expected %s", "expected %s >= MIN", "expected %s in [MIN, MAX]" */
    const char *boolean;  /* "expected %s" */
    const char *object;   /* "expected %s" */
    const char *array;    /* "expected %s" */
    const char *string;   /* "expected %s" */
    const char *nonempty; /* "expected %s", for "" where JR_NONEMPTY is set */
    /* An enum member that is not a string: "expected %s"; NULL: "expected one of: A, B", as
     * for a string that names none of them. */
    const char *enum_not_string;
};

/* The state every loader shares: the first member of its own context. */
struct jr_ctx {
    const char *text; /* the source, for locating errors */
    size_t len;
    struct cx_error *err;
    const struct jr_words *words;
    bool failed; /* set by jr_fail* */
};

/* Start loading TEXT (LEN bytes) from file NAME with the loader's WORDS: *c refers to them,
 * *err is cleared and err->file = NAME. Cannot fail. */
void jr_init(struct jr_ctx *c, const char *text, size_t len, const char *name, struct cx_error *err,
             const struct jr_words *words);

/* Parse the text, rejecting duplicate keys. Returns the root (the caller json_decref()s it), or
 * NULL with jansson's line, column and text in the error (key ""). */
json_t *jr_parse(struct jr_ctx *c);

/* ---- paths and errors ---- */

/* PARENT.KEY (KEY alone at the root) into BUF; returns BUF. A path too long for BUF ends in "..."
 * (it then locates at the nearest enclosing element whose path fits). */
const char *jr_member_path(jr_path_t buf, const char *parent, const char *key);

/* PARENT[I] into BUF; returns BUF. Too long: as jr_member_path. */
const char *jr_index_path(jr_path_t buf, const char *parent, size_t i);

/* Locate PATH (its key if WANT_KEY) in the text into *line and *col; a path that is not in the
 * text (a missing key, a name holding '.') is located at its nearest enclosing element that is,
 * 0:0 if none. Returns 1 if PATH itself was found, else 0. */
int jr_locate(const struct jr_ctx *c, const char *path, int want_key, int *line, int *col);

/* Fail at PATH, located at its value (its key if WANT_KEY), with the formatted text. Always
 * returns -1. */
__attribute__((format(printf, 4, 5))) int jr_fail(struct jr_ctx *c, const char *path, int want_key,
                                                  const char *fmt, ...);

/* jr_fail located at byte OFFSET inside the string value at PATH (at the string itself if its
 * first OFFSET bytes hold an escape). Always returns -1. */
__attribute__((format(printf, 4, 5))) int jr_fail_at(struct jr_ctx *c, const char *path,
                                                     size_t offset, const char *fmt, ...);

/* jr_fail at PATH with "out of memory". Always returns -1. */
int jr_fail_oom(struct jr_ctx *c, const char *path);

/* ---- names ---- */

/* "A, B, C" from the NULL-terminated NAMES into LIST (SIZE bytes, cut to fit); returns LIST. */
const char *jr_join(char *list, size_t size, const char *const names[]);

/* The index of S in the NULL-terminated NAMES, or -1. */
int jr_name_index(const char *const names[], const char *s);

/* jr_fail at PATH with "expected one of: A, B, ..." naming NAMES. Always returns -1. */
int jr_fail_enum(struct jr_ctx *c, const char *path, const char *const names[]);

/* ---- members: each reads member KEY of object OBJ at PATH (OBJ NULL: every member absent) ---- */

/* 0 if every key of OBJ is in the NULL-terminated ALLOWED; else -1, failing at the first other
 * key with "unknown key" (and the ALLOWED names if words->list_allowed). */
int jr_check_keys(struct jr_ctx *c, json_t *obj, const char *path, const char *const allowed[]);

/* *v = the member, NULL if absent, and P = its path. Returns 0, or -1 failing with "missing
 * required key" if it is absent and FLAGS has JR_REQUIRED. */
int jr_member(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
              jr_path_t p, json_t **v);

/* An integer in [MIN, MAX] into *out; absent gives DEF. Returns 0, or -1 failing if absent and
 * JR_REQUIRED, not an integer, or out of range. */
int jr_get_int64(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
                 int64_t def, int64_t min, int64_t max, int64_t *out);

/* jr_get_int64 for an int (MIN and MAX within int). */
int jr_get_int(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags, int def,
               int min, int max, int *out);

/* A string copied into *out (malloc'd); absent gives a copy of DEF (NULL: *out NULL). Returns
 * 0, or -1 failing if absent and JR_REQUIRED, not a string, "" with JR_NONEMPTY, or out of
 * memory. */
int jr_get_str(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
               const char *def, char **out);

/* true or false into *out; absent gives DEF. Returns 0, or -1 failing if not a boolean. */
int jr_get_bool(struct jr_ctx *c, json_t *obj, const char *path, const char *key, bool def,
                bool *out);

/* A string that must be one of the NULL-terminated NAMES: *out = its index; absent gives DEF.
 * Returns 0, or -1 failing if absent and JR_REQUIRED, not a string or not one of NAMES. */
int jr_get_enum(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
                const char *const names[], int def, int *out);

/* *out = the member if it is of TYPE (JSON_OBJECT or JSON_ARRAY), NULL if absent. Returns 0, or
 * -1 failing if absent and JR_REQUIRED, or of another type. */
int jr_get_container(struct jr_ctx *c, json_t *obj, const char *path, const char *key, int flags,
                     json_type type, json_t **out);

#endif
