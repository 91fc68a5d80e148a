/* scopes.h - the OAuth scope names of the platform, as the seed documents name them (AUTH-07),
 * and what a route asks of a token.
 *
 * Every name a tenant's client holds is one of these or an alias the fixture declares
 * ("scopeAliases": {"alias": "seed-name" or ["seed-name", ...]}); a token holding an alias
 * holds the names it stands for. A route's need is a spec: names separated by spaces must all
 * be held; alternatives separated by '|' are one need any of which will do
 * ("interaction:write agent:control", "routing:queues:read|routing:queue:read").
 */
#ifndef SCOPES_H
#define SCOPES_H

#include <stddef.h>

/* The seeds' scope names, NULL-terminated (000: interaction:*, agent:control; 001: routing:
 * contacts and queues, contacts:attributes:read, oauth:client:manage; 002: routing:contact:*,
 * routing:queue:read; 003: users:state:*, schedules:view, breaks:view). */
extern const char *const cxm_seed_scopes[];

/* Whether NAME is one of them. */
int cxm_scope_known(const char *name);

/* The needs of SPEC that HOLDS(CTX, NAME) says are not met, as "a and b" ("x or y" for
 * alternatives) into MISSING; returns how many (0: every need is met). */
int cxm_scope_missing(const char *spec, int (*holds)(void *ctx, const char *name), void *ctx,
                      char *missing, size_t size);

/* SPEC for people: "interaction:write and agent:control", "routing:queues:read or
 * routing:queue:read", into OUT. */
void cxm_scope_describe(const char *spec, char *out, size_t size);

/* SPEC with each need's first name only, space-separated (RFC 6750's scope attribute). */
void cxm_scope_primary(const char *spec, char *out, size_t size);

#endif
