/* shared.c - see shared.h */
#include "shared.h"

#include "loop.h"

void run_wake_all(struct run_shared *rs)
{
    for (int i = 0; rs->wake_fds && i < rs->nthreads; i++) {
        int fd = atomic_load(&rs->wake_fds[i]);
        if (fd >= 0)
            loop_poke(fd);
    }
}
