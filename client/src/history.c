/* history.c - per-worker operation log and records (see history.h). */
#include "history.h"

#include <stdlib.h>
#include <string.h>

int history_open(struct history *h, const char *path)
{
    memset(h, 0, sizeof *h);
    if (path && !(h->f = fopen(path, "w")))
        return -1;
    return 0;
}

static void rec_free(struct hrec *r)
{
    free(r->subject);
    free(r->agent);
    free(r->key);
    free(r->path);
    free(r->resp_agent);
    free(r->resp_state);
    free(r->resp_id);
    free(r->why);
    free(r->req_reason);
    free(r->resp_reason);
    json_decref(r->req_attrs);
    json_decref(r->resp_attrs);
}

static const char *const outcome_names[] = {"ok", "fail", "indeterminate"};

/* S as a JSON string. */
static void put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void put_field(FILE *f, const char *name, const char *value)
{
    if (!value)
        return;
    fprintf(f, ",\"%s\":", name);
    put_str(f, value);
}

/* One line per attempt, written by hand: this runs for every request of a load test. */
static void write_line(FILE *f, const struct hrec *r, const char *tag)
{
    fprintf(f,
            "{\"thread\":%d,\"vu\":%d,\"iter\":%lld,\"step\":%d,\"opid\":%llu,"
            "\"attempt\":%d,\"tag\":",
            r->thread, r->vu, (long long)r->iter, r->step, (unsigned long long)r->opid, r->attempt);
    put_str(f, tag ? tag : "");
    fprintf(f, ",\"outcome\":\"%s\",\"status\":%d,\"request\":", outcome_names[r->outcome],
            r->status);
    put_str(f, r->path ? r->path : "");
    fprintf(f, ",\"intendedUs\":%lld,\"startUs\":%lld,\"endUs\":%lld", (long long)r->intended_us,
            (long long)r->start_us, (long long)r->end_us);
    put_field(f, "subject", r->subject);
    put_field(f, "agent", r->agent);
    put_field(f, "key", r->op != HREC_TOKEN ? r->key : NULL);
    put_field(f, "requestId", r->request_id[0] ? r->request_id : NULL);
    put_field(f, "expectFailed", r->why);
    if (r->retry_after_us >= 0)
        fprintf(f, ",\"retryAfterUs\":%lld", (long long)r->retry_after_us);
    fputs("}\n", f);
}

int history_add(struct history *h, struct hrec *r, const char *tag, int keep)
{
    if (h->f)
        write_line(h->f, r, tag);
    if (!keep) {
        rec_free(r);
        return 0;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        struct hrec *n = realloc(h->recs, cap * sizeof *n);
        if (!n) {
            rec_free(r);
            return -1;
        }
        h->recs = n;
        h->cap = cap;
    }
    h->recs[h->n++] = *r;
    return 0;
}

void history_close(struct history *h)
{
    if (h->f)
        fclose(h->f);
    h->f = NULL;
}

void history_free(struct history *h)
{
    history_close(h);
    for (size_t i = 0; i < h->n; i++)
        rec_free(&h->recs[i]);
    free(h->recs);
    memset(h, 0, sizeof *h);
}
