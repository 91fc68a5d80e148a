/* redact.h - the values of the environment that a run must never record or print (issue 15).
 *
 * The secret values are every value of --env FILE and every environment variable the scenario
 * references as ${env.NAME}: wherever cxload records or prints what it sent or was answered,
 * each shows as «env:NAME» instead. Two ways get there:
 *
 *  - by structure: the text a template builds for a record (the request's path, an op's
 *    subject, agent and key) is expanded with ${env.NAME} shown as «env:NAME» (vars.h's
 *    vars_expand_shown), whatever the value's length;
 *  - by value, as a backstop for what no template built (answers, request bodies, values
 *    extracted from answers, the mock's ledger and verdict): a string equal to a value, or
 *    any occurrence of a value of REDACT_MIN bytes or more inside a string. A shorter value
 *    inside a longer string is left, or a value "1" would mangle every number; what the
 *    checks compare (what was sent against what the answer said) goes through the same pass
 *    on both sides, so redacting never makes two equal values differ.
 *
 * Longer values are replaced first (one that holds another is replaced whole), and an
 * «env:NAME» already in the text is kept as it is, so the pass can run twice. Built once per
 * run before the workers start; read-only after, shared by every thread without a lock.
 */
#ifndef REDACT_H
#define REDACT_H

#include <jansson.h>
#include <stddef.h>

#define REDACT_MIN 4 /* bytes: a shorter value is replaced only as a whole string */

/* A value shown: REDACT_OPEN "env:" NAME REDACT_CLOSE, in UTF-8. */
#define REDACT_OPEN  "\xc2\xab" /* « */
#define REDACT_CLOSE "\xc2\xbb" /* » */

struct redact_value {
    char *value, *shown; /* the secret, and «env:NAME» */
    size_t len, shown_len;
};

struct redact {
    struct redact_value *v; /* longest value first */
    size_t n;
};

/* The secret values: ENV's values (the environment, then --env FILE over it) of every name in
 * FILE_NAMES (--env FILE's) and in REFS (the scenario's ${env.NAME}), either may be NULL (an
 * object; its values are ignored). Empty values are no secret. 0, or -1 out of memory. */
int redact_init(struct redact *r, const json_t *env, const json_t *file_names, const json_t *refs);

/* Free what r holds, clearing the secrets' bytes. */
void redact_free(struct redact *r);

/* TEXT (LEN bytes) with the secret values shown as «env:NAME»: a new string (NUL-terminated,
 * its length in *OUT_LEN if not NULL), or NULL when nothing is to be replaced (or out of
 * memory: *OOM set, if not NULL). R may be NULL (nothing to replace). */
char *redact_text(const struct redact *r, const char *text, size_t len, size_t *out_len, int *oom);

/* *S (malloc'd, NULL is fine) redacted in place: freed and replaced if a secret was in it.
 * Out of memory, *S becomes NULL rather than keep a secret. */
void redact_own(const struct redact *r, char **s);

/* Every string value in V (at any depth; object keys are not values) redacted in place. Out of
 * memory, a string that held a secret becomes "". */
void redact_json(const struct redact *r, json_t *v);

/* The JSON-lines file PATH rewritten with every string of every line redacted (a line with no
 * secret is kept byte for byte; one that does not parse has the values replaced as text).
 * 0 (also when PATH does not exist), or -1 with errno. */
int redact_jsonl_file(const struct redact *r, const char *path);

#endif
