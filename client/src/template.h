/* template.h - strings with ${...} references, compiled once and expanded per request.
 *
 * A scenario's paths, header values, bodies and auth fields may hold references: ${vu},
 * ${iter}, ${uuid}, ${env.NAME}, ${user.NAME}, ${vars.NAME}, ${setup.NAME} and ${NAME} (a value
 * an earlier step extracted). "$${" stands for a literal "${"; any other '$' is literal. A name
 * is [A-Za-z_][A-Za-z0-9_.-]*. This module knows only the syntax: what a name means is the
 * caller's lookup function (the engine's), and which names are allowed is the scenario
 * checker's.
 *
 * A compiled template is immutable: worker threads share it and expand it concurrently, each
 * with its own lookup context and output buffer.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cxerr.h"

#include "buf.h"

struct tpl; /* a compiled template: literal and reference segments */

/* Compile TEXT. Returns 0 and a template in *out, or -1 with a message in ERR (ERRSZ bytes) and
 * *err_offset = the byte offset of the problem in TEXT: the "${" of an unterminated reference or
 * of an empty name, or the first bad character of an invalid name. Out of memory gives -1,
 * "out of memory" and offset 0. */
int tpl_compile(const char *text, struct tpl **out, struct cx_error *err, size_t *err_offset);

/* Free T (NULL is fine). */
void tpl_free(struct tpl *t);

/* The text as written, escapes included. */
const char *tpl_source(const struct tpl *t);

/* 1 if T has no references (its expansion is its text with "$${" read as "${"), else 0. */
int tpl_is_constant(const struct tpl *t);

/* The name if T is exactly "${name}", else NULL. */
const char *tpl_single_ref(const struct tpl *t);

/* The references in order of appearance (repeats included), for the checker: tpl_ref(t, i) is
 * the i-th name, i < tpl_nrefs(t); tpl_ref_offset(t, i) is the byte offset of its "${" in
 * tpl_source(t). */
size_t tpl_nrefs(const struct tpl *t);
const char *tpl_ref(const struct tpl *t, size_t i);
size_t tpl_ref_offset(const struct tpl *t, size_t i);

/* The resolver: return a NEW json reference for NAME (LEN bytes, not NUL-terminated; in
 * practice NAME[LEN] is always '\0'), or NULL if it is not set. */
typedef json_t *(*tpl_lookup)(void *ctx, const char *name, size_t len);

/* Expand T into OUT (appended). Strings are inserted as their text, integers, reals, booleans
 * and null as their JSON text ("3", "2.5", "true", "null"), objects and arrays as compact JSON.
 * Returns 0; or -1 with *missing = a malloc'd copy of the first unset name (the caller frees
 * it); or -1 with *missing = NULL if memory ran out (OUT's oom flag is then set). On -1, OUT may
 * hold part of the expansion. */
int tpl_expand(const struct tpl *t, tpl_lookup lookup, void *ctx, struct cx_buf *out,
               char **missing);

/* Append V to OUT as tpl_expand inserts a value: a string's text; an integer's, real's, boolean's
 * or null's JSON text (a real in the fewest digits that read back exactly, "2.5", "3.0"); an
 * object's or array's compact JSON. Conditions compare values this way: {"$.n": 3} holds when
 * the extracted value's text is "3". Returns 0, or -1 if out of memory. */
int tpl_value_text(const json_t *v, struct cx_buf *out);

/* Deep-copy BODY, expanding every string as a template (compiled on the fly); a string that is
 * exactly "${name}" becomes name's JSON value with its own type (so "${count}" can become 3).
 * Object keys are not expanded. Returns the new value (the caller owns it); or NULL with
 * *missing = a malloc'd copy of the first unset name, or of the text of a string that is not a
 * valid template; or NULL with *missing = NULL if memory ran out. */
json_t *tpl_expand_json(const json_t *body, tpl_lookup lookup, void *ctx, char **missing);

/* Write a random version 4 UUID ("xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", lowercase, NUL-
 * terminated) into OUT, drawing from the caller's splitmix64 STATE (any value; advanced by two
 * draws). No global state: give each thread its own STATE, seeded differently. Cannot fail. */
void tpl_uuid4(char out[37], uint64_t *state);

#endif
