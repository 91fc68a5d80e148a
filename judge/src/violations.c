/* violations.c - see violations.h */
#include "violations.h"

#include <string.h>

const struct violation_info violation_table[V_COUNT] = {
#define V(name, rule, seen, meaning) {#name, rule, seen, meaning},
#include "violations.def"
#undef V
};

const char *const violation_driver_names[] = {
#define V(name, rule, seen, meaning) ((seen)&VS_DRIVER) ? #name : NULL,
#include "violations.def"
#undef V
    NULL};

int violation_find(const char *name)
{
    for (int i = 0; name && i < V_COUNT; i++)
        if (strcmp(violation_table[i].name, name) == 0)
            return i;
    return -1;
}

const char *violation_rule(const char *name)
{
    int i = violation_find(name);
    return i < 0 ? "" : violation_table[i].rule;
}
