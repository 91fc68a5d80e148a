/* ledger.c - see ledger.h */
#include "ledger.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "jsonw.h"
#include "osrandom.h"
#include "version.h"

const char *const cxm_ledger_failure_names[CXM_LEDGER_FAILURES] = {"build", "write", "fsync",
                                                                   "store"};

/* Break the ledger (sticky): the first failure names the reason; every failure is counted.
 * from: the first entry (counted as `added`) that may not be recorded. */
__attribute__((format(printf, 4, 5))) static void
breaks(struct cxm_ledger *l, enum cxm_ledger_failure kind, uint64_t from, const char *fmt, ...)
{
    __atomic_fetch_add(&l->failures[kind], 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&l->health_lock);
    if (l->health == CXM_LEDGER_WHOLE) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(l->broken_reason, sizeof l->broken_reason, fmt, ap);
        va_end(ap);
        l->broken_from = from;
        __atomic_store_n(&l->health, CXM_LEDGER_BROKEN, __ATOMIC_RELEASE);
        fprintf(stderr, "cxmock: the ledger is broken: %s; requests are refused from now on\n",
                l->broken_reason);
    } else if (from < l->broken_from) {
        l->broken_from = from;
    }
    pthread_mutex_unlock(&l->health_lock);
}

bool cxm_ledger_broken(struct cxm_ledger *l, char *reason, size_t size)
{
    if (__atomic_load_n(&l->health, __ATOMIC_ACQUIRE) == CXM_LEDGER_WHOLE)
        return false;
    if (reason) {
        pthread_mutex_lock(&l->health_lock);
        snprintf(reason, size, "%s", l->broken_reason);
        pthread_mutex_unlock(&l->health_lock);
    }
    return true;
}

bool cxm_ledger_lost(struct cxm_ledger *l, uint64_t after, uint64_t upto)
{
    if (upto <= after || __atomic_load_n(&l->health, __ATOMIC_ACQUIRE) == CXM_LEDGER_WHOLE)
        return false;
    pthread_mutex_lock(&l->health_lock);
    bool lost = l->broken_from <= upto;
    pthread_mutex_unlock(&l->health_lock);
    return lost;
}

/* The file's syncer found an fdatasync failed (lfile.h). */
static void file_failed(void *ctx, uint64_t from, int errnum)
{
    breaks(ctx, CXM_LEDGER_FAIL_FSYNC, from, "ledger fdatasync failed: %s", strerror(errnum));
}

int cxm_ledger_open(struct cxm_ledger *l, const struct cxm_ledger_options *o, struct cx_error *err)
{
    memset(l, 0, sizeof *l);
    l->file.fd = -1;
    pthread_mutex_init(&l->health_lock, NULL);
    if (o && o->path && cxm_lfile_open(&l->file, o->path, o->fsync, file_failed, l, err) < 0) {
        pthread_mutex_destroy(&l->health_lock);
        return -1;
    }
    if (cxm_lstore_open(&l->store, NULL) < 0) {
        cxm_lfile_close(&l->file);
        pthread_mutex_destroy(&l->health_lock);
        return cx_error_set(err, "out of memory");
    }
    pthread_mutex_init(&l->out_lock, NULL);
    pthread_mutex_init(&l->flush_lock, NULL);
    cx_buf_init(&l->pending);
    cx_buf_init(&l->unstored);
    cx_buf_init(&l->line);
    return 0;
}

void cxm_ledger_close(struct cxm_ledger *l)
{
    cxm_ledger_sync(l, l->added);
    cxm_lfile_close(&l->file); /* its syncer syncs what was written first */
    cxm_lstore_close(&l->store);
    cx_buf_free(&l->pending);
    cx_buf_free(&l->unstored);
    cx_buf_free(&l->line);
    for (size_t i = 0; i < l->ntypes; i++)
        free(l->types[i]);
    free(l->types);
    free(l->type_counts);
    l->types = NULL;
    l->type_counts = NULL;
    l->ntypes = 0;
    pthread_mutex_destroy(&l->out_lock);
    pthread_mutex_destroy(&l->flush_lock);
    pthread_mutex_destroy(&l->health_lock);
}

static void count_type(struct cxm_ledger *l, const char *type)
{
    for (size_t i = 0; i < l->ntypes; i++) {
        if (strcmp(l->types[i], type) == 0) {
            l->type_counts[i]++;
            return;
        }
    }
    char **types = realloc(l->types, (l->ntypes + 1) * sizeof *types);
    if (types)
        l->types = types;
    uint64_t *counts = realloc(l->type_counts, (l->ntypes + 1) * sizeof *counts);
    if (counts)
        l->type_counts = counts;
    char *copy = strdup(type);
    if (!types || !counts || !copy) {
        free(copy);
        return;
    }
    l->types[l->ntypes] = copy;
    l->type_counts[l->ntypes++] = 1;
}

/* Append a batch of whole lines (the last the upto-th entry) to the file, if any; a failure
 * breaks the ledger from the batch's first entry on. */
static int write_file(struct cxm_ledger *l, const char *p, size_t len, size_t lines, uint64_t upto)
{
    const char *what;
    if (l->file.fd < 0 || cxm_lfile_append(&l->file, p, len, upto, &what) == 0)
        return 0;
    breaks(l, strcmp(what, "fsync") == 0 ? CXM_LEDGER_FAIL_FSYNC : CXM_LEDGER_FAIL_WRITE,
           upto - lines + 1, "ledger %s failed: %s", what, strerror(errno));
    return -1;
}

/* The lines written to the file, on their way to the store: kept until a read needs them or
 * STORE_BATCH bytes gather, so the store costs one write per many groups. Under flush_lock. */
#define STORE_BATCH (1 << 20)

/* Append lines (the last of them the upto-th entry added) to the store. */
static void store_lines(struct cxm_ledger *l, const char *p, size_t len, size_t lines,
                        uint64_t upto)
{
    if (cxm_lstore_append(&l->store, p, len, lines) < 0)
        breaks(l, CXM_LEDGER_FAIL_STORE, upto - lines + 1, "ledger store: out of memory");
}

static void store_unstored(struct cxm_ledger *l)
{
    if (!l->unstored.len)
        return;
    store_lines(l, l->unstored.data, l->unstored.len, l->unstored_lines, l->written);
    l->unstored.len = 0;
    l->unstored_lines = 0;
}

void cxm_ledger_sync(struct cxm_ledger *l, uint64_t upto)
{
    if (__atomic_load_n(&l->written, __ATOMIC_ACQUIRE) >= upto)
        return;
    pthread_mutex_lock(&l->flush_lock);
    if (l->written < upto) {
        pthread_mutex_lock(&l->out_lock);
        struct cx_buf batch = l->pending;
        size_t lines = l->pending_lines;
        uint64_t last = l->added;
        cx_buf_init(&l->pending);
        l->pending_lines = 0;
        pthread_mutex_unlock(&l->out_lock);
        if (batch.len) {
            write_file(l, batch.data, batch.len, lines, last);
            if (l->unstored.len + batch.len > STORE_BATCH)
                store_unstored(l); /* the lines before this batch: they end at l->written */
            cx_buf_add(&l->unstored, batch.data, batch.len);
            l->unstored_lines += lines;
            if (l->unstored.oom) { /* no room to gather: the earlier lines (intact), then these */
                l->unstored.oom = 0;
                l->unstored_lines -= lines;
                store_unstored(l);
                store_lines(l, batch.data, batch.len, lines, last);
            }
        }
        cx_buf_free(&batch);
        __atomic_store_n(&l->written, last, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&l->flush_lock);
}

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

static const char *const fixed_keys[] = {"seq", "t", "at", "type", "req"};

/* The entry built as one object: fields whose keys collide with a fixed key take its place. */
static char *render_tree(uint64_t seq, int64_t t, const char *at, const char *type, const char *req,
                         json_t *fields)
{
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer((json_int_t)seq));
    json_object_set_new(o, "t", json_integer(t));
    json_object_set_new(o, "at", json_string(at));
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "req", req ? json_string(req) : json_null());
    if (fields)
        json_object_update(o, fields);
    char *s = json_dumps(o, DUMP_FLAGS);
    json_decref(o);
    return s;
}

/* Printable ASCII that JSON needs no escape for: type names and request ids. */
static int plain(const char *s)
{
    for (; s && *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            return 0;
    return 1;
}

/* The fixed keys of an entry whose type and request id need no escaping, up to the closing
 * brace: {"seq":N,"t":T,"at":"...","type":"...","req":"..."|null */
static void render_head(struct cx_buf *b, uint64_t seq, int64_t t, const char *at, const char *type,
                        const char *req)
{
    cx_buf_add(b, "{\"seq\":", 7);
    cx_json_append_int(b, (long long)seq);
    cx_buf_add(b, ",\"t\":", 5);
    cx_json_append_int(b, t);
    cx_buf_add(b, ",\"at\":\"", 7);
    cx_buf_adds(b, at);
    cx_buf_add(b, "\",\"type\":\"", 10);
    cx_buf_adds(b, type);
    cx_buf_add(b, "\",\"req\":", 8);
    if (req) {
        cx_buf_add(b, "\"", 1);
        cx_buf_adds(b, req);
        cx_buf_add(b, "\"", 1);
    } else {
        cx_buf_add(b, "null", 4);
    }
}

/* The entry as one line with its newline, into B (emptied first): the fixed keys printed,
 * then the fields' members (the hot path builds no object and calls no json_dumps). Returns 0,
 * or -1 if out of memory. */
static int render(struct cx_buf *b, uint64_t seq, int64_t t, const char *type, const char *req,
                  json_t *fields)
{
    char at[32];
    cxm_time_iso(t, at);
    int collide = !plain(type) || !plain(req);
    for (size_t i = 0; fields && i < sizeof fixed_keys / sizeof *fixed_keys; i++)
        collide |= json_object_get(fields, fixed_keys[i]) != NULL;
    b->len = 0;
    b->oom = 0;
    cx_buf_reserve(b, 511); /* most lines fit */
    if (!collide) {
        render_head(b, seq, t, at, type, req);
        if (!fields || !json_object_size(fields)) {
            cx_buf_adds(b, "}");
        } else { /* the fields' members, after their opening brace */
            cx_buf_adds(b, ",");
            size_t open = b->len;
            if (cx_json_append(b, fields) < 0) {
                collide = 1; /* what the fast writer declines: all by jansson */
            } else if (!b->oom) {
                memmove(b->data + open, b->data + open + 1, b->len - open - 1); /* its '{' */
                b->data[--b->len] = '\0';
            }
        }
    }
    if (collide) {
        b->len = 0;
        char *body = render_tree(seq, t, at, type, req, fields);
        if (!body)
            b->oom = 1;
        cx_buf_adds(b, body ? body : "");
        free(body);
    }
    cx_buf_adds(b, "\n");
    return b->oom ? -1 : 0;
}

/* Append the rendered line to the lines waiting for the group commit. */
static int add_line(struct cxm_ledger *l, const struct cx_buf *line)
{
    pthread_mutex_lock(&l->out_lock);
    cx_buf_add(&l->pending, line->data, line->len);
    int ok = !l->pending.oom;
    if (ok) {
        l->pending_lines++;
        l->added++;
    }
    pthread_mutex_unlock(&l->out_lock);
    return ok ? 0 : -1;
}

/* The entry rendered into l->line (RENDERED: 0, or -1 if out of memory) joins the group commit
 * as entry n + 1; else the ledger breaks. Returns its seq, or 0. */
static uint64_t queue_line(struct cxm_ledger *l, const char *type, int rendered)
{
    if (rendered == 0 && add_line(l, &l->line) == 0) {
        count_type(l, type);
        return ++l->n;
    }
    breaks(l, CXM_LEDGER_FAIL_BUILD, l->added + 1,
           "a %s entry could not be rendered or queued (out of memory)", type);
    return 0;
}

uint64_t cxm_ledger_add(struct cxm_ledger *l, int64_t t, const char *type, const char *req,
                        json_t *fields)
{
    uint64_t seq = queue_line(l, type, render(&l->line, l->n + 1, t, type, req, fields));
    json_decref(fields);
    return seq;
}

uint64_t cxm_ledger_add_members(struct cxm_ledger *l, int64_t t, const char *type, const char *req,
                                const char *members, size_t len)
{
    struct cx_buf *b = &l->line;
    char at[32];
    cxm_time_iso(t, at);
    b->len = 0;
    b->oom = 0;
    cx_buf_reserve(b, 511);
    render_head(b, l->n + 1, t, at, type, req);
    if (len) {
        cx_buf_add(b, ",", 1);
        cx_buf_add(b, members, len);
    }
    cx_buf_add(b, "}\n", 2);
    return queue_line(l, type, b->oom ? -1 : 0);
}

uint64_t cxm_ledger_add_unbuilt(struct cxm_ledger *l, int64_t t, const char *type, const char *req)
{
    breaks(l, CXM_LEDGER_FAIL_BUILD, l->added + 1,
           "the fields of a %s entry could not be built (out of memory, or a value that is not "
           "UTF-8)",
           type);
    return cxm_ledger_add(l, t, "LEDGER_ERROR", req, json_pack("{ss}", "failed", type));
}

/* A line with seq 0 (START, RESET), to the file only: the store holds a run's entries. */
static int write_marker(struct cxm_ledger *l, int64_t t, const char *type, json_t *fields)
{
    int rc = render(&l->line, 0, t, type, NULL, fields);
    json_decref(fields);
    if (rc < 0) {
        breaks(l, CXM_LEDGER_FAIL_BUILD, l->added + 1, "the %s line could not be rendered", type);
        return -1;
    }
    pthread_mutex_lock(&l->flush_lock);
    rc = write_file(l, l->line.data, l->line.len, 0, l->added);
    pthread_mutex_unlock(&l->flush_lock);
    return rc;
}

int cxm_ledger_start(struct cxm_ledger *l, int64_t t, uint64_t seed, const char *fixture)
{
    if (l->file.fd < 0)
        return 0;
    char run[33], started[32];
    if (cx_os_random_hex(run, 16) < 0) {
        breaks(l, CXM_LEDGER_FAIL_BUILD, l->added + 1, "no run id: getrandom failed: %s",
               strerror(errno));
        return -1;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    cxm_time_iso((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, started);
    return write_marker(l, t, "START",
                        json_pack("{ss sI ss ss ss}", "run", run, "seed", (json_int_t)seed,
                                  "fixture", fixture, "started", started, "version", CX_VERSION));
}

void cxm_ledger_reset(struct cxm_ledger *l, int64_t t, uint64_t seed)
{
    cxm_ledger_sync(l, l->added);
    pthread_mutex_lock(&l->flush_lock);
    store_unstored(l);
    cxm_lstore_clear(&l->store);
    pthread_mutex_unlock(&l->flush_lock);
    l->n = 0;
    write_marker(l, t, "RESET", json_pack("{sI}", "seed", (json_int_t)seed));
}

const char *cxm_ledger_get(struct cxm_ledger *l, uint64_t seq)
{
    cxm_ledger_sync(l, l->added);
    pthread_mutex_lock(&l->flush_lock);
    store_unstored(l);
    const char *line = seq >= 1 && seq <= l->n ? cxm_lstore_get(&l->store, seq) : NULL;
    pthread_mutex_unlock(&l->flush_lock);
    return line;
}
