/* test_lstore.c - the ledger's store (SIM-03): lines read back by seq from an unlinked file, and
 * kept in memory instead, none lost, when the file cannot take them. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "lstore.h"

/* Lines seq from..to as one batch, each {"seq":N,"x":"..."}\n. */
static char *batch(int from, int to, size_t *len)
{
    static char buf[1 << 16];
    size_t n = 0;
    for (int i = from; i <= to; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"seq\":%d,\"x\":\"line %d\"}\n", i, i);
    *len = n;
    return buf;
}

static void append(struct cxm_lstore *s, int from, int to)
{
    size_t len;
    const char *b = batch(from, to, &len);
    assert_int_equal(cxm_lstore_append(s, b, len, (size_t)(to - from + 1)), 0);
}

static void expect_line(struct cxm_lstore *s, int seq)
{
    char want[64];
    snprintf(want, sizeof want, "{\"seq\":%d,\"x\":\"line %d\"}", seq, seq);
    const char *got = cxm_lstore_get(s, (uint64_t)seq);
    assert_non_null(got);
    assert_string_equal(got, want);
}

/* SIM-03: lines come back by seq, in any order, across batches; nothing past the last. */
static void test_SIM_03_file_store_reads_back_by_seq(void **state)
{
    (void)state;
    struct cxm_lstore s;
    assert_int_equal(cxm_lstore_open(&s, NULL), 0);
    assert_int_equal(s.kind, CXM_LSTORE_FILE);
    append(&s, 1, 3);
    append(&s, 4, 4);
    append(&s, 5, 900);
    for (int seq = 900; seq >= 1; seq -= 7)
        expect_line(&s, seq);
    for (int seq = 1; seq <= 900; seq++)
        expect_line(&s, seq);
    assert_null(cxm_lstore_get(&s, 0));
    assert_null(cxm_lstore_get(&s, 901));
    cxm_lstore_clear(&s);
    assert_null(cxm_lstore_get(&s, 1));
    append(&s, 1, 2);
    expect_line(&s, 2);
    cxm_lstore_close(&s);
}

/* Line seq of the random-length set: {"seq":N,"x":"aaa..."} with 1 + (N * 7919) % 3000 x's. */
static void long_line(char *out, size_t size, int seq)
{
    int n = snprintf(out, size, "{\"seq\":%d,\"x\":\"", seq);
    int len = 1 + (seq * 7919) % 3000;
    memset(out + n, 'a' + seq % 26, (size_t)len);
    snprintf(out + n + len, size - (size_t)(n + len), "\"}");
}

/* The store keeps only every 64th line's offset and finds a line by counting newlines in its
 * block: lines of 1 to 3000 bytes (blocks wider than a read-ahead window), read back in a
 * random order, each twice, one after another in a block in both directions, and in a scan. */
static void test_SIM_03_file_store_finds_lines_in_their_block(void **state)
{
    (void)state;
    struct cxm_lstore s;
    assert_int_equal(cxm_lstore_open(&s, NULL), 0);
    assert_int_equal(s.kind, CXM_LSTORE_FILE);
    enum { N = 3000 };
    static char line[3100], batch_buf[1 << 20];
    size_t used = 0, lines = 0;
    for (int seq = 1; seq <= N; seq++) {
        long_line(line, sizeof line, seq);
        used += (size_t)snprintf(batch_buf + used, sizeof batch_buf - used, "%s\n", line);
        if (++lines == 37 || seq == N) { /* batches that do not line up with the blocks */
            assert_int_equal(cxm_lstore_append(&s, batch_buf, used, lines), 0);
            used = lines = 0;
        }
    }
    unsigned r = 15;
    for (int k = 0; k < 4000; k++) {
        r = r * 1103515245u + 12345u;
        int seq = 1 + (int)((r >> 8) % N);
        int order[] = {seq, seq, seq > 1 ? seq - 1 : seq, seq < N ? seq + 1 : seq};
        for (size_t j = 0; j < 4; j++) {
            long_line(line, sizeof line, order[j]);
            const char *got = cxm_lstore_get(&s, (uint64_t)order[j]);
            if (!got || strcmp(got, line) != 0)
                fail_msg("line %d read back wrong (after %d)", order[j], seq);
        }
    }
    for (int seq = 1; seq <= N; seq++) {
        long_line(line, sizeof line, seq);
        assert_string_equal(cxm_lstore_get(&s, (uint64_t)seq), line);
    }
    cxm_lstore_close(&s);
}

/* A store that cannot have a file (dir "") holds its lines in memory. */
static void test_SIM_03_memory_store(void **state)
{
    (void)state;
    struct cxm_lstore s;
    assert_int_equal(cxm_lstore_open(&s, ""), 0);
    assert_int_equal(s.kind, CXM_LSTORE_MEMORY);
    append(&s, 1, 50);
    expect_line(&s, 1);
    expect_line(&s, 50);
    assert_null(cxm_lstore_get(&s, 51));
    cxm_lstore_close(&s);
}

/* A full disk: the first write fails (/dev/full), the store goes on in memory. */
static void test_SIM_03_full_disk_keeps_lines_in_memory(void **state)
{
    (void)state;
    struct cxm_lstore s;
    int fd = open("/dev/full", O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(cxm_lstore_open_fd(&s, fd), 0);
    append(&s, 1, 10);
    assert_int_equal(s.kind, CXM_LSTORE_MEMORY);
    assert_int_equal(s.fallbacks, 1);
    for (int seq = 1; seq <= 10; seq++)
        expect_line(&s, seq);
    cxm_lstore_close(&s);
}

/* The file fills up after some lines (a file size limit): those it held are brought into
 * memory with the batch that failed, and every line still reads back. */
static void test_SIM_03_disk_filling_mid_run(void **state)
{
    (void)state;
    struct cxm_lstore s;
    assert_int_equal(cxm_lstore_open(&s, NULL), 0);
    append(&s, 1, 100); /* about 2.5 KB */
    struct rlimit old, small = {4096, 4096};
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    append(&s, 101, 300); /* crosses 4 KB */
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, was);
    assert_int_equal(s.kind, CXM_LSTORE_MEMORY);
    append(&s, 301, 310);
    for (int seq = 1; seq <= 310; seq++)
        expect_line(&s, seq);
    cxm_lstore_close(&s);
}

/* A line that is not the one its offset should hold (the file changed under the mock) reads
 * as absent, never as another entry. */
static void test_SIM_03_foreign_bytes_read_as_absent(void **state)
{
    (void)state;
    struct cxm_lstore s;
    assert_int_equal(cxm_lstore_open(&s, NULL), 0);
    append(&s, 1, 3);
    assert_int_equal(pwrite(s.fd, "{\"seq\":9", 8, 0), 8);
    s.window_len = 0; /* drop what was read ahead */
    assert_null(cxm_lstore_get(&s, 1));
    expect_line(&s, 2);
    cxm_lstore_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_SIM_03_file_store_reads_back_by_seq),
        cmocka_unit_test(test_SIM_03_file_store_finds_lines_in_their_block),
        cmocka_unit_test(test_SIM_03_memory_store),
        cmocka_unit_test(test_SIM_03_full_disk_keeps_lines_in_memory),
        cmocka_unit_test(test_SIM_03_disk_filling_mid_run),
        cmocka_unit_test(test_SIM_03_foreign_bytes_read_as_absent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
