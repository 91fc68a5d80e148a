/* groups.c - see groups.h */
#include "groups.h"

#include <stddef.h>
#include <string.h>

const char *const cxm_group_names[] = {"auth", "routing", "interactions", "state", "gws", NULL};

const char *cxm_group_name(enum cxm_group g)
{
    return (unsigned)g < CXM_GROUPS ? cxm_group_names[g] : NULL;
}

int cxm_group_parse(const char *s)
{
    for (int g = 0; s && g < CXM_GROUPS; g++)
        if (strcmp(cxm_group_names[g], s) == 0)
            return g;
    return -1;
}
