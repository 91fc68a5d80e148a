/* lfile.c - see lfile.h */
#include "lfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cxm_ledger_fsync_parse(const char *s, enum cxm_ledger_fsync *out)
{
    static const char *const names[] = {"interval", "always", "never"};
    for (int i = 0; i < 3; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum cxm_ledger_fsync)i;
            return 0;
        }
    }
    return -1;
}

/* The offset just past the last newline of the file (size bytes), reading back from its end. */
static off_t last_line_end(const char *path, off_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    off_t end = size;
    char buf[4096];
    while (fd >= 0 && end > 0) {
        off_t at = end > (off_t)sizeof buf ? end - (off_t)sizeof buf : 0;
        ssize_t n = pread(fd, buf, (size_t)(end - at), at);
        if (n <= 0) {
            end = size; /* unreadable: leave the file as it is */
            break;
        }
        char *nl = memrchr(buf, '\n', (size_t)n);
        if (nl) {
            end = at + (nl - buf) + 1;
            break;
        }
        end = at;
    }
    if (fd >= 0)
        close(fd);
    return end;
}

/* A torn last line is a killed mock's unacknowledged write: cut it off, saying so. */
static void drop_torn_tail(struct cxm_lfile *f, const char *path)
{
    struct stat st;
    f->end = 0;
    if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    f->end = last_line_end(path, st.st_size);
    if (f->end == st.st_size)
        return;
    if (ftruncate(f->fd, f->end) == 0)
        fprintf(stderr,
                "cxmock: %s: cut off a torn last line (%lld bytes): a killed mock wrote it and "
                "never acknowledged it\n",
                path, (long long)(st.st_size - f->end));
    else
        f->end = st.st_size;
}

/* Blocks are reserved past the end ahead of the appends (fallocate, FALLOC_FL_KEEP_SIZE: the
 * size, and so what a reader sees, does not change). An append into blocks the file already
 * has needs no allocation at writeback: measured on ext4 here, appends had waited up to 45 ms
 * behind the interval syncer's fdatasync (a request answered that late), and 0.1-6 ms with the
 * blocks reserved. What is reserved past the end is given back at close, and at the next open
 * after a killed mock. A file system that cannot reserve (or a full disk) just goes without. */
#define RESERVE_STEP ((off_t)16 << 20)

/* Cut the file to its end: blocks past it are freed (ext4 frees none for a hole punched past
 * the size, but does for a truncation to it). */
static void give_back(struct cxm_lfile *f)
{
    if (f->reserving != CXM_RESERVE_OFF && ftruncate(f->fd, f->end) < 0)
        f->reserving = CXM_RESERVE_OFF;
    f->reserved = f->end;
}

static void reserve_ahead(struct cxm_lfile *f, size_t len)
{
    if (f->reserving != CXM_RESERVE_ON || f->end + (off_t)len <= f->reserved)
        return;
    off_t from = f->reserved > f->end ? f->reserved : f->end;
    off_t n = RESERVE_STEP + (off_t)len;
    if (fallocate(f->fd, FALLOC_FL_KEEP_SIZE, from, n) == 0) {
        f->reserved = from + n;
        return;
    }
    give_back(f); /* what a failed call may have reserved, for the lines to come */
    f->reserving = CXM_RESERVE_OFF;
}

/* --ledger-fsync interval: once a second, fdatasync if a batch was appended since the last;
 * once more when told to stop. */
static void *syncer_main(void *arg)
{
    struct cxm_lfile *f = arg;
    uint64_t synced = 0;
    pthread_mutex_lock(&f->sync_lock);
    for (int stop = 0; !stop;) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        while (f->syncer_state == CXM_SYNCER_RUNNING &&
               pthread_cond_timedwait(&f->sync_cond, &f->sync_lock, &until) != ETIMEDOUT)
            ;
        stop = f->syncer_state != CXM_SYNCER_RUNNING;
        pthread_mutex_unlock(&f->sync_lock);
        uint64_t appended = __atomic_load_n(&f->appended, __ATOMIC_ACQUIRE);
        if (appended > synced) {
            if (fdatasync(f->fd) < 0)
                f->failed(f->ctx, synced + 1, errno);
            synced = appended;
        }
        pthread_mutex_lock(&f->sync_lock);
    }
    pthread_mutex_unlock(&f->sync_lock);
    return NULL;
}

int cxm_lfile_open(struct cxm_lfile *f, const char *path, enum cxm_ledger_fsync fsync,
                   cxm_lfile_failed *failed, void *ctx, struct cx_error *err)
{
    memset(f, 0, sizeof *f);
    f->fsync = fsync;
    f->failed = failed;
    f->ctx = ctx;
    if ((f->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        cx_error_at(err, path, -1, -1, "", "%s", strerror(errno));
        return -1;
    }
    drop_torn_tail(f, path);
    struct stat st;
    f->reserving = fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode) ? CXM_RESERVE_ON : CXM_RESERVE_OFF;
    give_back(f); /* a killed mock's reservation */
    pthread_mutex_init(&f->sync_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->sync_cond, &ca);
    pthread_condattr_destroy(&ca);
    if (fsync == CXM_LEDGER_FSYNC_INTERVAL) {
        f->syncer_state = CXM_SYNCER_RUNNING;
        if (pthread_create(&f->syncer, NULL, syncer_main, f) != 0) {
            f->syncer_state = CXM_SYNCER_NONE;
            cxm_lfile_close(f);
            return cx_error_set(err, "%s: cannot start the ledger's syncer thread", path);
        }
    }
    return 0;
}

int cxm_lfile_append(struct cxm_lfile *f, const char *p, size_t len, uint64_t upto,
                     const char **what)
{
    reserve_ahead(f, len);
    for (size_t left = len; left > 0;) {
        ssize_t w = write(f->fd, p + (len - left), left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            if (ftruncate(f->fd, f->end) < 0 && errno != EINVAL)
                fprintf(stderr, "cxmock: cannot cut the ledger back to its last line: %s\n",
                        strerror(errno));
            f->reserved = f->end; /* the truncation freed the blocks past it */
            errno = e;
            *what = "write";
            return -1;
        }
        left -= (size_t)w;
    }
    f->end += (off_t)len; /* the one appender: no lseek(2) per batch */
    __atomic_store_n(&f->appended, upto, __ATOMIC_RELEASE);
    if (f->fsync == CXM_LEDGER_FSYNC_ALWAYS && fdatasync(f->fd) < 0) {
        *what = "fsync";
        return -1;
    }
    return 0;
}

void cxm_lfile_close(struct cxm_lfile *f)
{
    if (f->fd < 0)
        return;
    pthread_mutex_lock(&f->sync_lock);
    int running = f->syncer_state == CXM_SYNCER_RUNNING;
    f->syncer_state = CXM_SYNCER_STOPPING;
    pthread_cond_signal(&f->sync_cond);
    pthread_mutex_unlock(&f->sync_lock);
    if (running)
        pthread_join(f->syncer, NULL);
    give_back(f);
    close(f->fd);
    f->fd = -1;
    pthread_mutex_destroy(&f->sync_lock);
    pthread_cond_destroy(&f->sync_cond);
}
