/* jsonw.h - compact JSON text of a jansson value, without jansson's per-character callbacks.
 *
 * The mock renders a ledger line and a response body per request under its lock; jansson's
 * json_dumps writes through a callback per fragment and was a fifth of that time. This writer
 * appends straight to a buffer and produces exactly json_dumps(v, JSON_COMPACT) for the values
 * it takes: objects (in their order, or with sorted keys), arrays, strings, integers, true, false
 * and null. Reals and strings with control characters it declines, and the caller uses
 * json_dumps. The mock also writes hot lines member by member with its string and integer
 * writers, where building a jansson object first would cost more than the text.
 */
#ifndef JSONW_H
#define JSONW_H

#include <jansson.h>

#include "buf.h"

/* Append v's compact text to b. Returns 0, or -1 if v holds what this writer declines (b may
 * then hold a partial text: truncate it to its old length). */
int cx_json_append(struct cx_buf *b, const json_t *v);

/* The same with every object's members in the order of jansson's JSON_SORT_KEYS (a key's bytes,
 * then the shorter first): json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS). */
int cx_json_append_sorted(struct cx_buf *b, const json_t *v);

/* A string of LEN bytes, quoted and escaped as json_dumps writes it. Returns 0, or -1 for a
 * control character, which this writer declines (b then holds part of the string). */
int cx_json_append_string(struct cx_buf *b, const char *s, size_t len);

/* An integer, as json_dumps writes it (no printf). */
void cx_json_append_int(struct cx_buf *b, long long v);

/* An object written member by member: each call appends ,"KEY":V (the caller drops the first
 * comma, or turns it into the opening brace). KEY is written as it is: a literal that needs no
 * escaping. V NULL is null; a V the string writer declines gives -1. */
int cx_json_member_str(struct cx_buf *b, const char *key, const char *v);
void cx_json_member_int(struct cx_buf *b, const char *key, long long v);

/* json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15)) by the fast path when it can, else by
 * jansson. malloc'd; NULL if out of memory. */
char *cx_json_dumps(const json_t *v);

#endif
