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
#include <stddef.h>

static inline void cx_bigalloc_setup(void)
{
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

/* A zeroed table of BYTES (a hash map's slots), freed with cx_table_free and the same size; NULL
 * if out of memory. One of 2 MB or more is its own mapping, whose pages come in as they are
 * first touched. */
void *cx_table_alloc(size_t bytes);
void cx_table_free(void *table, size_t bytes);

/* Fault in, writable, up to STEP more bytes of TABLE from *DONE (advanced) on, contents
 * unchanged. A map that grows one key at a time into a fresh table first reads a slot (the
 * kernel maps its shared zero page there) and then writes it: a second fault, and a TLB
 * shootdown of every core running the process, for each 4 KB page of a table that is 96 MB at
 * 4 M slots. Measured at 700 k contacts over HTTP, those faults were a seventh of the mock's
 * time (clear_page_erms, smp_call_function_many_cond) and injections were a third slower than
 * on an empty mock. Faulted in ahead, a page costs one fault and no shootdown. */
void cx_table_prefault(void *table, size_t bytes, size_t *done, size_t step);

#endif
