/* lstore.c - see lstore.h */
#include "lstore.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unlinked_file(const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/cxmock-ledger-XXXXXX", dir) >= (int)sizeof path)
        return -1;
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    return fd;
}

int cxm_lstore_open_fd(struct cxm_lstore *s, int fd)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->kind = fd >= 0 ? CXM_LSTORE_FILE : CXM_LSTORE_MEMORY;
    return 0;
}

int cxm_lstore_open(struct cxm_lstore *s, const char *dir)
{
    if (!dir)
        dir = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
    return cxm_lstore_open_fd(s, dir[0] ? unlinked_file(dir) : -1);
}

static void free_lines(struct cxm_lstore *s)
{
    if (s->lines)
        for (size_t i = 0; i < s->n; i++)
            free(s->lines[i]);
    free(s->lines);
    free(s->base);
    s->lines = NULL;
    s->base = NULL;
    s->cursor_seq = 0;
    s->patched = NULL;
    s->total = 0;
    s->n = s->cap = 0;
}

void cxm_lstore_close(struct cxm_lstore *s)
{
    free_lines(s);
    free(s->scratch);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

void cxm_lstore_clear(struct cxm_lstore *s)
{
    free_lines(s);
    s->window_len = 0;
    if (s->kind == CXM_LSTORE_FILE && ftruncate(s->fd, 0) < 0) {
        close(s->fd); /* the old lines stay behind: start a new file */
        s->fd = unlinked_file(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        s->kind = s->fd >= 0 ? CXM_LSTORE_FILE : CXM_LSTORE_MEMORY;
    }
}

static int reserve(struct cxm_lstore *s, size_t more)
{
    if (s->n + more <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < s->n + more)
        cap *= 2;
    if (s->kind == CXM_LSTORE_FILE) {
        uint64_t *base = realloc(s->base, (cap / 64 + 1) * sizeof *base);
        if (!base)
            return -1;
        s->base = base;
    } else {
        char **lines = realloc(s->lines, cap * sizeof *lines);
        if (!lines)
            return -1;
        s->lines = lines;
    }
    s->cap = cap;
    return 0;
}

static int append_memory(struct cxm_lstore *s, const char *batch, size_t len, size_t n)
{
    if (reserve(s, n) < 0)
        return -1;
    for (const char *p = batch, *stop = batch + len; p < stop;) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(stop - p);
        if (!(s->lines[s->n] = strndup(p, l)))
            return -1;
        s->n++;
        p += l + 1;
    }
    return 0;
}

static uint64_t file_end(const struct cxm_lstore *s)
{
    return s->total;
}

static int write_all(int fd, const char *p, size_t len, uint64_t off)
{
    while (len > 0) {
        ssize_t w = pwrite(fd, p, len, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* A write failed: bring the lines the file holds into memory and go on there. */
static int to_memory(struct cxm_lstore *s)
{
    size_t n = s->n;
    uint64_t len = file_end(s);
    char *all = len ? malloc(len) : NULL;
    if (len && (!all || pread(s->fd, all, len, 0) != (ssize_t)len)) {
        free(all);
        return -1;
    }
    free_lines(s);
    close(s->fd);
    s->fd = -1;
    s->kind = CXM_LSTORE_MEMORY;
    s->window_len = 0;
    s->fallbacks++;
    int rc = append_memory(s, all, len, n);
    free(all);
    return rc;
}

int cxm_lstore_append(struct cxm_lstore *s, const char *batch, size_t len, size_t n)
{
    if (s->kind == CXM_LSTORE_MEMORY)
        return append_memory(s, batch, len, n);
    if (reserve(s, n) < 0)
        return -1;
    uint64_t off = file_end(s);
    if (write_all(s->fd, batch, len, off) < 0) {
        if (to_memory(s) < 0)
            return -1;
        return append_memory(s, batch, len, n);
    }
    for (const char *p = batch, *stop = batch + len; p < stop;) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(stop - p);
        if (s->n % 64 == 0)
            s->base[s->n / 64] = off;
        s->n++;
        off += l;
        p += l;
    }
    s->total = off;
    return 0;
}

/* Bytes [start, start + len) of the file, from a window read ahead of them: a scan in seq
 * order (the invariant checks, a page of /__admin/ledger) reads 64 KiB at a time. */
static char *from_file(struct cxm_lstore *s, uint64_t start, uint64_t len)
{
    if (start < s->window_off || start + len > s->window_off + s->window_len) {
        uint64_t want = len > 65536 ? len : 65536;
        if (start + want > file_end(s))
            want = file_end(s) - start;
        if (want > s->scratch_cap) {
            char *grown = realloc(s->scratch, want);
            if (!grown)
                return NULL;
            s->scratch = grown;
            s->scratch_cap = want;
        }
        ssize_t r = pread(s->fd, s->scratch, want, (off_t)start);
        s->window_off = start;
        s->window_len = r > 0 ? (uint64_t)r : 0;
        if (s->window_len < len)
            return NULL;
    }
    return s->scratch + (start - s->window_off);
}

const char *cxm_lstore_get(struct cxm_lstore *s, uint64_t seq)
{
    if (seq < 1 || seq > s->n)
        return NULL;
    if (s->kind == CXM_LSTORE_MEMORY)
        return s->lines[seq - 1];
    if (s->patched) { /* the newline the last read cut its line at, back in the window */
        *s->patched = '\n';
        s->patched = NULL;
    }
    /* The line's block, from its first line's offset to the next block's (or the end); within
     * it, count newlines from the block's start, or from the last line read when that was an
     * earlier one of the same block (a scan in seq order). */
    size_t i = (size_t)(seq - 1), k = i / 64;
    uint64_t start = s->base[k], end = k + 1 < (s->n + 63) / 64 ? s->base[k + 1] : s->total;
    char *block = end > start ? from_file(s, start, end - start) : NULL;
    if (!block)
        return NULL;
    size_t at = 0, first = k * 64;
    if (s->cursor_seq && s->cursor_seq - 1 >= first && s->cursor_seq - 1 <= i &&
        s->cursor_off >= start && s->cursor_off < end) {
        at = (size_t)(s->cursor_off - start);
        first = (size_t)(s->cursor_seq - 1);
    }
    for (size_t j = first; j < i; j++) {
        char *nl = memchr(block + at, '\n', (size_t)(end - start) - at);
        if (!nl)
            return NULL;
        at = (size_t)(nl - block) + 1;
    }
    char *line = block + at, *nl = memchr(line, '\n', (size_t)(end - start) - at);
    if (!nl)
        return NULL;
    s->cursor_seq = seq + 1; /* the next line starts after this one's newline */
    s->cursor_off = start + (uint64_t)(nl - block) + 1;
    *nl = '\0'; /* its newline, until the next read */
    s->patched = nl;
    char head[32];
    int hl = snprintf(head, sizeof head, "{\"seq\":%" PRIu64 ",", seq);
    return strncmp(line, head, (size_t)hl) == 0 ? line : NULL;
}
