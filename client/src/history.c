/* history.c - per-worker operation log and records (see history.h). */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "hline.h"

int history_open(struct history *h, const char *path)
{
    memset(h, 0, sizeof *h);
    if (path && !(h->f = fopen(path, "w")))
        return -1;
    if (h->f && (h->buf = malloc(HISTORY_BUFFER)))
        setvbuf(h->f, h->buf, _IOFBF, HISTORY_BUFFER); /* else stdio's own, smaller */
    return 0;
}

/* R's line: a plain one built by hand, any other by hrec_write. */
static void write_line(FILE *f, const struct hrec *r, const char *tag)
{
    char line[2048];
    size_t n = hline_format(line, sizeof line, r, tag);
    if (n)
        fwrite(line, 1, n, f);
    else
        hrec_write(f, r, tag);
}

int history_add(struct history *h, struct hrec *r, const char *tag)
{
    if (h->f)
        write_line(h->f, r, tag);
    if (!hrec_matters(r)) {
        hrec_free(r);
        return 0;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        struct hrec *n = realloc(h->recs, cap * sizeof *n);
        if (!n) {
            hrec_free(r);
            return -1;
        }
        h->recs = n;
        h->cap = cap;
    }
    h->recs[h->n++] = *r;
    return 0;
}

int history_flush(struct history *h)
{
    return h->f ? fflush(h->f) : 0;
}

void history_close(struct history *h)
{
    if (h->f)
        fclose(h->f);
    h->f = NULL;
    free(h->buf);
    h->buf = NULL;
}

void history_free(struct history *h)
{
    history_close(h);
    for (size_t i = 0; i < h->n; i++)
        hrec_free(&h->recs[i]);
    free(h->recs);
    memset(h, 0, sizeof *h);
}
