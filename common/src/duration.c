/* duration.c - see duration.h */
#include "duration.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cx_duration_parse(const char *text, double max_s, double *s)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    double unit = strcmp(end, "") == 0 || strcmp(end, "s") == 0 ? 1
                  : strcmp(end, "ms") == 0                      ? 0.001
                  : strcmp(end, "m") == 0                       ? 60
                  : strcmp(end, "h") == 0                       ? 3600
                                                                : -1;
    if (end == text || errno || unit < 0 || !(v > 0) || v * unit > max_s)
        return -1;
    *s = v * unit;
    return 0;
}
