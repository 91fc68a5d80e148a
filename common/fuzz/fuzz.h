/* fuzz.h - what every fuzz target shares.
 *
 * A fuzz target is one file defining LLVMFuzzerTestOneInput. With -DCX_FUZZ=ON (ci/fuzz) it is
 * linked into a libFuzzer program; otherwise replay.c is its main(), and ctest runs it over its
 * regression directory and its seeds, so an input that once crashed it is replayed forever.
 * A target reports a broken invariant with CX_FUZZ_CHECK: both builds see an abort.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* If COND is false, say which invariant broke and where, then abort (a crash to libFuzzer). */
#define CX_FUZZ_CHECK(cond, ...)                                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: ", __FILE__, __LINE__);                      \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
