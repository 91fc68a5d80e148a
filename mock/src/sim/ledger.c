/* ledger.c - see ledger.h */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

int cxm_ledger_open(struct cxm_ledger *l, const char *path, struct cx_error *err)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    if (!path)
        return 0;
    l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (l->fd < 0) {
        cx_error_at(err, path, -1, -1, "", "%s", strerror(errno));
        return -1;
    }
    return 0;
}

static void drop_lines(struct cxm_ledger *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->lines[i]);
    free(l->lines);
    l->lines = NULL;
    l->n = l->cap = 0;
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

void cxm_ledger_close(struct cxm_ledger *l)
{
    drop_lines(l);
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
}

static void write_line(struct cxm_ledger *l, const char *line)
{
    if (l->fd < 0)
        return;
    size_t len = strlen(line);
    /* One write per line (with its newline) so a crash never leaves half a line behind a
     * complete one; a short write is retried. */
    char *withnl = malloc(len + 1);
    if (!withnl) {
        l->write_errors++;
        return;
    }
    memcpy(withnl, line, len);
    withnl[len] = '\n';
    size_t off = 0;
    while (off < len + 1) {
        ssize_t w = write(l->fd, withnl + off, len + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (l->write_errors++ == 0)
                fprintf(stderr, "cxmock: ledger write failed: %s\n", strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    free(withnl);
}

static char *render(uint64_t seq, int64_t t, const char *type, const char *req, json_t *fields)
{
    char at[32];
    cxm_time_iso(t, at);
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer((json_int_t)seq));
    json_object_set_new(o, "t", json_integer(t));
    json_object_set_new(o, "at", json_string(at));
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "req", req ? json_string(req) : json_null());
    if (fields)
        json_object_update(o, fields);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    return s;
}

uint64_t cxm_ledger_add(struct cxm_ledger *l, int64_t t, const char *type, const char *req,
                        json_t *fields)
{
    uint64_t seq = 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        char **lines = realloc(l->lines, cap * sizeof *lines);
        if (!lines)
            goto out;
        l->lines = lines;
        l->cap = cap;
    }
    char *s = render(l->n + 1, t, type, req, fields);
    if (!s)
        goto out;
    write_line(l, s);
    l->lines[l->n++] = s;
    count_type(l, type);
    seq = l->n;
out:
    json_decref(fields);
    return seq;
}

void cxm_ledger_reset(struct cxm_ledger *l, int64_t t, uint64_t seed)
{
    drop_lines(l);
    json_t *fields = json_pack("{sI}", "seed", (json_int_t)seed);
    char *s = render(0, t, "RESET", NULL, fields);
    json_decref(fields);
    if (s)
        write_line(l, s);
    free(s);
}

const char *cxm_ledger_get(const struct cxm_ledger *l, uint64_t seq)
{
    return seq >= 1 && seq <= l->n ? l->lines[seq - 1] : NULL;
}
