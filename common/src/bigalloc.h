/* bigalloc.h - how a process that grows big tables (a mock a million contacts deep) sets up
 * glibc's allocator. By default an allocation of 128 KB or more is mapped on its own, but each
 * free of one raises that threshold (up to 32 MB), after which a table of a few megabytes lives
 * in the heap and a realloc that doubles it copies it. Measured: a 114 ms request at 2 097 152
 * contacts (mock/bench/dispatch.c) while the model's, the checks' and the store's tables
 * doubled. With the threshold fixed at 1 MB a big table stays mapped and realloc remaps its
 * pages instead (mremap(2)); the trim threshold is raised with it so that the heap's top is not
 * given back and taken again on every free.
 */
#ifndef CX_BIGALLOC_H
#define CX_BIGALLOC_H

#include <malloc.h>

static inline void cx_bigalloc_setup(void)
{
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

#endif
