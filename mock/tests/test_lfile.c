/* test_lfile.c - the ledger's file (SIM-03, lfile.h): blocks reserved ahead of the appends so
 * that an append never waits for the file system to allocate one, with the file's size always
 * its whole lines, and nothing reserved left behind at close or after a killed mock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lfile.h"

static void failed(void *ctx, uint64_t from, int errnum)
{
    (void)ctx;
    fail_msg("the syncer failed from entry %llu: %s", (unsigned long long)from, strerror(errnum));
}

static struct stat stat_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st;
}

/* Bytes the file system holds for the file. */
static long long held(const char *path)
{
    return (long long)stat_of(path).st_blocks * 512;
}

static void append_lines(struct cxm_lfile *f, int n, size_t *total)
{
    char line[128];
    for (int i = 1; i <= n; i++) {
        int len = snprintf(line, sizeof line, "{\"seq\":%d,\"type\":\"CREATED\"}\n", i);
        const char *what = NULL;
        assert_int_equal(cxm_lfile_append(f, line, (size_t)len, (uint64_t)i, &what), 0);
        *total += (size_t)len;
    }
}

static void temp_path(char *path, size_t size)
{
    snprintf(path, size, "%s/cxm-lfile-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

/* While lines come, the file's size is exactly its lines and it holds blocks past them; at
 * close it holds no more than its lines (give or take a block). */
static void test_SIM_03_blocks_reserved_ahead_and_given_back(void **state)
{
    (void)state;
    char path[512];
    temp_path(path, sizeof path);
    struct cxm_lfile f;
    struct cx_error err = {0};
    assert_int_equal(cxm_lfile_open(&f, path, CXM_LEDGER_FSYNC_NEVER, failed, NULL, &err), 0);
    size_t total = 0;
    append_lines(&f, 2000, &total);
    assert_int_equal(stat_of(path).st_size, (off_t)total);
    if (f.reserving != CXM_RESERVE_ON) /* the file system cannot reserve: nothing to see */
        skip();
    assert_true(held(path) >= (long long)total + (8 << 20));
    cxm_lfile_close(&f);
    assert_int_equal(stat_of(path).st_size, (off_t)total);
    assert_true(held(path) <= (long long)total + 65536);
    unlink(path);
}

/* A killed mock leaves its reservation past the end: the next open gives it back, and keeps
 * every line. */
static void test_SIM_03_killed_mock_reservation_given_back_at_open(void **state)
{
    (void)state;
    char path[512];
    temp_path(path, sizeof path);
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    static const char line[] = "{\"seq\":1}\n";
    assert_int_equal(write(fd, line, sizeof line - 1), (ssize_t)(sizeof line - 1));
    int reserved = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 32 << 20) == 0;
    close(fd);
    if (!reserved)
        skip();
    assert_true(held(path) >= 32 << 20);
    struct cxm_lfile f;
    struct cx_error err = {0};
    assert_int_equal(cxm_lfile_open(&f, path, CXM_LEDGER_FSYNC_NEVER, failed, NULL, &err), 0);
    assert_true(held(path) <= 65536);
    assert_int_equal(stat_of(path).st_size, (off_t)(sizeof line - 1));
    cxm_lfile_close(&f);
    unlink(path);
}

/* What is not a regular file reserves nothing and takes the lines all the same. */
static void test_SIM_03_device_reserves_nothing(void **state)
{
    (void)state;
    struct cxm_lfile f;
    struct cx_error err = {0};
    assert_int_equal(cxm_lfile_open(&f, "/dev/null", CXM_LEDGER_FSYNC_NEVER, failed, NULL, &err),
                     0);
    assert_int_equal(f.reserving, CXM_RESERVE_OFF);
    size_t total = 0;
    append_lines(&f, 10, &total);
    cxm_lfile_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_SIM_03_blocks_reserved_ahead_and_given_back),
        cmocka_unit_test(test_SIM_03_killed_mock_reservation_given_back_at_open),
        cmocka_unit_test(test_SIM_03_device_reserves_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
