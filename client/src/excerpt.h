/* excerpt.h - what a failed expectation keeps of its answer, so it can be read later (history,
 * summary.json's examples, the reports) without ever keeping a secret.
 *
 * A JSON body keeps its shape with the value of every member whose name says it holds a secret
 * (token, secret, password, authorization, api key: any case, anywhere in the name, at any
 * depth) replaced by "[redacted]". Any other body that names one of those is withheld whole.
 * Every value of the environment no output may show (redact.h: --env FILE's, the scenario's
 * ${env.NAME}s) is then shown as «env:NAME», and every other known secret value left in the
 * text (the auth sources' secrets and passwords from users or vars) is replaced by
 * [redacted]. The result is cut to at most HREC_BODY_MAX bytes on a UTF-8 character boundary,
 * marked "..." when cut.
 */
#ifndef EXCERPT_H
#define EXCERPT_H

#include <stddef.h>

struct redact;

/* The excerpt of BODY (LEN bytes), ENV the environment's values to show as «env:NAME» (NULL:
 * none), SECRETS a NULL-terminated list of other values to redact (empty and short ones,
 * under 4 bytes, are ignored). Allocated; NULL for an empty body or out of memory. */
char *answer_excerpt(const char *body, size_t len, const struct redact *env,
                     const char *const *secrets);

#endif
