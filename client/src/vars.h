/* vars.h - what a ${...} reference means for one virtual user, and templates expanded with it.
 *
 *   ${vu} ${iter} ${shard}  the user's global index, its iteration, the run's shard
 *   ${uuid}                 a fresh UUID from the worker's id stream
 *   ${NAME}                 a variable the user extracted this iteration
 *   ${env.NAME}             the environment (and --env FILE)
 *   ${user.NAME}            the user's row of the scenario's users
 *   ${vars.NAME}            the scenario's vars
 *   ${setup.NAME}           what the setup steps extracted
 */
#ifndef VARS_H
#define VARS_H

#include <jansson.h>
#include <stddef.h>

#include "template.h"

struct vu;

/* The value of reference NAME (LEN bytes) for v: a new reference, or NULL if unset. A
 * tpl_lookup (ctx: the user). */
json_t *vars_lookup(void *v, const char *name, size_t len);

/* T expanded for v into a new string; NULL if T is NULL or a reference is unset. */
char *vars_expand(struct vu *v, const struct tpl *t);

/* vars_lookup, but ${env.NAME} (when set) is the text «env:NAME», never its value: what a
 * record shows of a template (redact.h). */
json_t *vars_lookup_shown(void *v, const char *name, size_t len);

/* T expanded for a record: with vars_lookup_shown, then any secret value still in it (one an
 * earlier step extracted, say) shown as «env:NAME» too. NULL as for vars_expand. */
char *vars_expand_shown(struct vu *v, const struct tpl *t);

#endif
