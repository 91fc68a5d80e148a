/* ledger.c - see ledger.h */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "jsonw.h"

int cxm_ledger_open(struct cxm_ledger *l, const char *path, struct cx_error *err)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    if (path && (l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        cx_error_at(err, path, -1, -1, "", "%s", strerror(errno));
        return -1;
    }
    if (cxm_lstore_open(&l->store, NULL) < 0) {
        if (l->fd >= 0)
            close(l->fd);
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
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    pthread_mutex_destroy(&l->out_lock);
    pthread_mutex_destroy(&l->flush_lock);
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

/* Append the whole batch to the file, retrying short writes. */
static void write_file(struct cxm_ledger *l, const char *p, size_t len)
{
    while (l->fd >= 0 && len > 0) {
        ssize_t w = write(l->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (__atomic_fetch_add(&l->write_errors, 1, __ATOMIC_RELAXED) == 0)
                fprintf(stderr, "cxmock: ledger write failed: %s\n", strerror(errno));
            return;
        }
        p += w;
        len -= (size_t)w;
    }
}

/* The lines written to the file, on their way to the store: kept until a read needs them or
 * STORE_BATCH bytes gather, so the store costs one write per many groups. Under flush_lock. */
#define STORE_BATCH (1 << 20)

static void store_unstored(struct cxm_ledger *l)
{
    if (!l->unstored.len)
        return;
    if (cxm_lstore_append(&l->store, l->unstored.data, l->unstored.len, l->unstored_lines) < 0 &&
        __atomic_fetch_add(&l->write_errors, 1, __ATOMIC_RELAXED) == 0)
        fprintf(stderr, "cxmock: ledger store: out of memory\n");
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
            write_file(l, batch.data, batch.len);
            cx_buf_add(&l->unstored, batch.data, batch.len);
            l->unstored_lines += lines;
            if (l->unstored.oom) { /* no room to gather: store them now, as they are */
                cx_buf_free(&l->unstored);
                l->unstored_lines = 0;
                if (cxm_lstore_append(&l->store, batch.data, batch.len, lines) < 0 &&
                    __atomic_fetch_add(&l->write_errors, 1, __ATOMIC_RELAXED) == 0)
                    fprintf(stderr, "cxmock: ledger store: out of memory\n");
            } else if (l->unstored.len >= STORE_BATCH) {
                store_unstored(l);
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
        cx_buf_addf(
            b, "{\"seq\":%" PRIu64 ",\"t\":%" PRId64 ",\"at\":\"%s\",\"type\":\"%s\",\"req\":", seq,
            t, at, type);
        if (req)
            cx_buf_addf(b, "\"%s\"", req);
        else
            cx_buf_adds(b, "null");
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

uint64_t cxm_ledger_add(struct cxm_ledger *l, int64_t t, const char *type, const char *req,
                        json_t *fields)
{
    uint64_t seq = 0;
    if (render(&l->line, l->n + 1, t, type, req, fields) == 0 && add_line(l, &l->line) == 0) {
        seq = ++l->n;
        count_type(l, type);
    }
    json_decref(fields);
    return seq;
}

void cxm_ledger_reset(struct cxm_ledger *l, int64_t t, uint64_t seed)
{
    cxm_ledger_sync(l, l->added);
    pthread_mutex_lock(&l->flush_lock);
    store_unstored(l);
    cxm_lstore_clear(&l->store);
    pthread_mutex_unlock(&l->flush_lock);
    l->n = 0;
    json_t *fields = json_pack("{sI}", "seed", (json_int_t)seed);
    int rendered = render(&l->line, 0, t, "RESET", NULL, fields);
    json_decref(fields);
    if (rendered == 0) { /* to the file only: the store holds this run's entries */
        pthread_mutex_lock(&l->flush_lock);
        write_file(l, l->line.data, l->line.len);
        pthread_mutex_unlock(&l->flush_lock);
    }
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
