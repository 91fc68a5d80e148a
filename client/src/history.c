/* history.c - per-worker operation log and records (see history.h). */
#include "history.h"

#include <jansson.h>
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
}

static const char *const outcome_names[] = {"ok", "fail", "indeterminate"};

static void write_line(FILE *f, const struct hrec *r, const char *tag)
{
    json_t *o = json_pack("{si si sI si sI si ss* ss si ss sI sI sI}", "thread", r->thread, "vu",
                          r->vu, "iter", (json_int_t)r->iter, "step", r->step, "opid",
                          (json_int_t)r->opid, "attempt", r->attempt, "tag", tag, "outcome",
                          outcome_names[r->outcome], "status", r->status, "request",
                          r->path ? r->path : "", "intendedUs", (json_int_t)r->intended_us,
                          "startUs", (json_int_t)r->start_us, "endUs", (json_int_t)r->end_us);
    if (!o)
        return;
    if (r->subject)
        json_object_set_new(o, "subject", json_string(r->subject));
    if (r->agent)
        json_object_set_new(o, "agent", json_string(r->agent));
    if (r->key && r->op != HREC_TOKEN)
        json_object_set_new(o, "key", json_string(r->key));
    if (r->request_id[0])
        json_object_set_new(o, "requestId", json_string(r->request_id));
    if (r->why)
        json_object_set_new(o, "expectFailed", json_string(r->why));
    if (r->retry_after_us >= 0)
        json_object_set_new(o, "retryAfterUs", json_integer(r->retry_after_us));
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (line) {
        fputs(line, f);
        fputc('\n', f);
    }
    free(line);
    json_decref(o);
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
