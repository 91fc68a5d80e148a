/* lstore.h - where the ledger keeps its entries once rendered: lines by seq, read back by the
 * admin API and the invariant checks (SIM-03, SIM-04).
 *
 * A million contacts make a million lines of about 400 bytes; held in memory they would be
 * most of the mock's footprint. So lines go to an unlinked file in TMPDIR (or /tmp) and memory
 * holds an eighth of a byte per line, the offset of every 64th: a read finds its line by counting
 * newlines in its block of 64 (from the last line read, in a scan). Where no such file can be
 * made, or a write to it fails, the store holds the lines in memory instead (CXM_LSTORE_MEMORY),
 * copying back what the file held, so a line is never lost to a full disk. Appends come in batches
 * (the ledger's group commit, ledger.c); reads verify that the line they find starts with its own
 * seq. Not thread-safe: the ledger serialises appends, and reads happen under the mock's lock after
 * the batches before them were appended.
 */
#ifndef LSTORE_H
#define LSTORE_H

#include <stddef.h>
#include <stdint.h>

enum cxm_lstore_kind {
    CXM_LSTORE_FILE,   /* lines in fd, end offsets in memory */
    CXM_LSTORE_MEMORY, /* lines in memory */
};

struct cxm_lstore {
    enum cxm_lstore_kind kind;
    int fd;                          /* CXM_LSTORE_FILE: the unlinked file */
    uint64_t *base;                  /* CXM_LSTORE_FILE: base[k]: the offset of line 64 k + 1 */
    uint64_t cursor_seq, cursor_off; /* CXM_LSTORE_FILE: line cursor_seq starts at cursor_off
                                      * (0: unknown) */
    uint64_t total;                  /* CXM_LSTORE_FILE: bytes in the file */
    char **lines;                    /* CXM_LSTORE_MEMORY: lines[i] = line i + 1, without newline */
    size_t n, cap;                   /* lines stored */
    char *scratch;                   /* CXM_LSTORE_FILE: bytes read ahead, from window_off */
    uint64_t scratch_cap, window_off, window_len;
    char *patched; /* CXM_LSTORE_FILE: the newline in the window the last read made a NUL */
    unsigned long fallbacks; /* switches from file to memory (a write failed) */
};

/* Open a store in an unlinked file under dir (NULL: TMPDIR, else /tmp), or in memory when
 * dir is "" or no file can be made there. Returns 0, or -1 if out of memory. */
int cxm_lstore_open(struct cxm_lstore *s, const char *dir);
/* The same over an open fd (tests: /dev/full); the store owns fd. */
int cxm_lstore_open_fd(struct cxm_lstore *s, int fd);
void cxm_lstore_close(struct cxm_lstore *s);

/* Append a batch of n whole lines, each ending in '\n' (len bytes). Returns 0, or -1 if out of
 * memory (the store then holds the lines before the batch). */
int cxm_lstore_append(struct cxm_lstore *s, const char *batch, size_t len, size_t n);

/* Line seq (1-based) without its newline, valid until the next call on s; NULL if absent. */
const char *cxm_lstore_get(struct cxm_lstore *s, uint64_t seq);

/* Forget every line (a reset): seq restarts at 1. */
void cxm_lstore_clear(struct cxm_lstore *s);

#endif
