/* violations.h - the violations the harness reports: one table (violations.def) of names,
 * rule IDs, who sees them and what they mean, shared by the scenario loader (threshold
 * selectors), the checks, the reconciliation with the mock's ledger, the reports and --help.
 */
#ifndef VIOLATIONS_H
#define VIOLATIONS_H

#include <stddef.h>

enum violation_seen_by {
    VS_DRIVER = 1,     /* the driver's checks over a run's history */
    VS_MOCK = 2,       /* the mock's invariants over its ledger (SIM-04) */
    VS_RECONCILED = 4, /* seen by both, the mock's count ground truth for the driver's */
    VS_FATAL = 8,      /* the run did not test what it says: it fails, whatever the thresholds */
};

enum violation {
#define V(name, rule, seen, meaning) V_##name,
#include "violations.def"
#undef V
    V_COUNT
};

struct violation_info {
    const char *name;
    const char *rule;
    unsigned seen_by; /* enum violation_seen_by bits */
    const char *meaning;
};

extern const struct violation_info violation_table[V_COUNT];

/* The driver's names in report order, NULL-terminated (threshold selectors accept these). */
extern const char *const violation_driver_names[];

/* The violation named NAME, or -1. */
int violation_find(const char *name);

/* The rule ID of violation NAME, or "" if there is none of that name. */
const char *violation_rule(const char *name);

#endif
