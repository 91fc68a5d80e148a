/* cond.h - a scenario condition (an if's "if", a poll's "until", a request's "expect" json)
 * judged against a virtual user's last answer and variables. */
#ifndef COND_H
#define COND_H

#include "scenario.h"

struct vu;

/* Does c hold for v now? A reference that is unset makes an equality false. */
int cond_holds(struct vu *v, const struct scn_cond *c);

#endif
