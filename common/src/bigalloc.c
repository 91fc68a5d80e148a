/* bigalloc.c - see bigalloc.h */
#include "bigalloc.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAPPED_FROM (2u << 20)

void *cx_table_alloc(size_t bytes)
{
    if (bytes < MAPPED_FROM)
        return calloc(1, bytes ? bytes : 1);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void cx_table_free(void *table, size_t bytes)
{
    if (!table)
        return;
    if (bytes < MAPPED_FROM)
        free(table);
    else
        munmap(table, bytes);
}

void cx_table_prefault(void *table, size_t bytes, size_t *done, size_t step)
{
    if (bytes < MAPPED_FROM) { /* calloc'd: the allocator's pages, already written */
        *done = bytes;
        return;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t from = *done, to = from + step < bytes ? from + step : bytes;
    to = (to + page - 1) / page * page; /* whole pages: a mapping is page-aligned */
    if (to > bytes)
        to = bytes;
    if (from >= to)
        return;
#ifdef MADV_POPULATE_WRITE
    if (madvise((char *)table + from, to - from, MADV_POPULATE_WRITE) == 0) {
        *done = to;
        return;
    }
#endif
    for (size_t at = from; at < to; at += page) { /* a kernel before 5.14: write what is there */
        volatile char *c = (char *)table + at;
        *c = *c;
    }
    *done = to;
}
