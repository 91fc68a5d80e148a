/* sequence.c - see sequence.h */
#include "sequence.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "hrec.h"
#include "strmap.h"

#define ROW_H   15  /* one row: an event */
#define TOP     38  /* the lanes' names above the first row */
#define LEFT    150 /* the time column */
#define LANE_W  150 /* a user's lane */
#define MOCK_W  300 /* the mock's lane */
#define LABEL_N 22  /* characters of a label */

enum row_kind {
    ROW_EFFECT, /* a ledger entry */
    ROW_ANSWER, /* an attempt's answer, a barrier's release, an advance's answer */
    ROW_SEND,   /* an attempt sent, an arrival at a barrier, an advance sent */
};

struct event {
    enum row_kind kind;
    int64_t at_us;
    size_t i; /* the record (send, answer) or the ledger entry (effect) */
};

struct effect {
    long anchor; /* the answer event (index in the sorted events) it precedes; -1: the top */
    size_t seq;  /* its place in the ledger */
    int caused;  /* 1: anchored by its own request (joined to that request's lane) */
};

struct seq {
    struct hrec *recs;
    size_t nrecs, cap;
    json_t *ledger; /* its entries, in order; NULL: no ledger.jsonl */
    struct event *ev;
    size_t nev;
    struct effect *fx;
    size_t nfx;
    size_t *send_row, *answer_row; /* per record */
    int *lane;                     /* per record */
    int nlanes, setup_lane;        /* users' lanes (the setup's first, if it made records) */
    int users[64];                 /* the user of each lane after the setup's */
    struct strmap named;           /* request ids the violations name */
};

/* ---- reading ------------------------------------------------------------------------------ */

static int read_history(struct seq *q, const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/history.jsonl", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    struct cx_error err;
    while ((len = getline(&line, &size, f)) > 0) {
        if (q->nrecs == q->cap) {
            size_t cap = q->cap ? q->cap * 2 : 256;
            struct hrec *n = realloc(q->recs, cap * sizeof *n);
            if (!n)
                break;
            q->recs = n;
            q->cap = cap;
        }
        if (hrec_parse(line, (size_t)len, &q->recs[q->nrecs], &err) == 0)
            q->nrecs++;
        else
            hrec_free(&q->recs[q->nrecs]);
    }
    free(line);
    fclose(f);
    return 0;
}

static json_t *read_ledger(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/ledger.jsonl", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    json_t *all = json_array();
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    while ((len = getline(&line, &size, f)) > 0) {
        json_t *e = json_loadb(line, (size_t)len, 0, NULL);
        if (json_is_object(e) && json_integer_value(json_object_get(e, "seq")) > 0)
            json_array_append(all, e); /* a RESET line (seq 0) starts nothing here */
        json_decref(e);
    }
    free(line);
    fclose(f);
    return all;
}

/* The requests the violations' examples name. */
static void collect_named(struct seq *q, const json_t *summary)
{
    const char *name;
    const json_t *v, *ex;
    size_t i;
    json_object_foreach((json_t *)json_object_get(summary, "violations"), name, v)
        json_array_foreach(json_object_get(v, "examples"), i, ex)
    {
        const char *rid = json_string_value(json_object_get(ex, "requestId"));
        if (rid)
            strmap_put(&q->named, rid, 1);
    }
}

/* ---- ordering ----------------------------------------------------------------------------- */

static int by_time(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    if (x->at_us != y->at_us)
        return x->at_us < y->at_us ? -1 : 1;
    if (x->kind != y->kind) /* an answer before a send at one instant: a user's next send */
        return x->kind < y->kind ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int by_anchor(const void *a, const void *b)
{
    const struct effect *x = a, *y = b;
    if (x->anchor != y->anchor)
        return x->anchor < y->anchor ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every record's send and answer, in the order they happened. */
static int order_events(struct seq *q)
{
    if (!(q->ev = calloc(2 * q->nrecs + 1, sizeof *q->ev)))
        return -1;
    for (size_t i = 0; i < q->nrecs; i++) {
        q->ev[q->nev++] = (struct event){ROW_SEND, q->recs[i].start_us, i};
        q->ev[q->nev++] = (struct event){ROW_ANSWER, q->recs[i].end_us, i};
    }
    qsort(q->ev, q->nev, sizeof *q->ev, by_time);
    return 0;
}

/* Each ledger entry before the answer of the request that caused it; one of no request after
 * the entry before it. */
static int anchor_effects(struct seq *q)
{
    size_t n = json_array_size(q->ledger);
    struct strmap answers; /* request id -> its answer's event */
    strmap_init(&answers);
    for (size_t k = 0; k < q->nev; k++)
        if (q->ev[k].kind == ROW_ANSWER && q->recs[q->ev[k].i].request_id[0])
            strmap_put(&answers, q->recs[q->ev[k].i].request_id, (int64_t)k);
    if (!(q->fx = calloc(n + 1, sizeof *q->fx))) {
        strmap_free(&answers);
        return -1;
    }
    long prev = -1;
    for (size_t j = 0; j < n; j++) {
        const char *req = json_string_value(json_object_get(json_array_get(q->ledger, j), "req"));
        int64_t k;
        int caused = req && strmap_get(&answers, req, &k);
        q->fx[q->nfx++] = (struct effect){caused ? (long)k : prev, j, caused};
        prev = q->fx[q->nfx - 1].anchor;
    }
    strmap_free(&answers);
    qsort(q->fx, q->nfx, sizeof *q->fx, by_anchor);
    return 0;
}

/* The lane of each record: the setup's, then one per user in ascending order. */
static void assign_lanes(struct seq *q)
{
    int has_setup = 0;
    for (size_t i = 0; i < q->nrecs; i++)
        has_setup |= q->recs[i].setup;
    q->setup_lane = has_setup ? 0 : -1;
    q->nlanes = has_setup;
    for (size_t i = 0; i < q->nrecs; i++) {
        const struct hrec *r = &q->recs[i];
        if (r->setup) {
            q->lane[i] = 0;
            continue;
        }
        int l = has_setup;
        while (l < q->nlanes && q->users[l - has_setup] < r->vu)
            l++;
        if (l == q->nlanes || q->users[l - has_setup] != r->vu) {
            if (q->nlanes - has_setup == 64) { /* more users than lanes: the last one takes
                                                * the rest */
                q->lane[i] = q->nlanes - 1;
                continue;
            }
            memmove(&q->users[l - has_setup + 1], &q->users[l - has_setup],
                    (size_t)(q->nlanes - l) * sizeof q->users[0]);
            q->users[l - has_setup] = r->vu;
            q->nlanes++;
        }
    }
    for (size_t i = 0; i < q->nrecs; i++) /* the lanes settled: each record's own */
        if (!q->recs[i].setup) {
            int l = has_setup;
            while (l < q->nlanes - 1 && q->users[l - has_setup] != q->recs[i].vu)
                l++;
            q->lane[i] = l;
        }
}

/* ---- drawing ------------------------------------------------------------------------------ */

static double lane_x(const struct seq *q, int lane)
{
    return lane < q->nlanes ? LEFT + LANE_W * (lane + 0.5) : LEFT + LANE_W * q->nlanes + 12;
}

static double row_y(size_t row)
{
    return TOP + ROW_H * (double)row + ROW_H * 0.7;
}

/* At most LABEL_N characters of S (whole UTF-8 characters), escaped. */
static void label(FILE *f, const char *s)
{
    char buf[4 * LABEL_N + 4];
    size_t n = 0, chars = 0;
    for (; s[n] && chars < LABEL_N && n + 4 < sizeof buf; chars++) {
        size_t len = 1;
        while (((unsigned char)s[n + len] & 0xC0) == 0x80)
            len++;
        n += len;
    }
    memcpy(buf, s, n);
    strcpy(buf + n, s[n] ? "…" : "");
    esc_html(f, buf);
}

static const char *what_it_was(const struct hrec *r)
{
    switch (r->op) {
    case HREC_NONE:
        return r->path ? r->path : "request";
    case HREC_BARRIER:
        return r->barrier ? r->barrier : "barrier";
    default:
        return hrec_op_name(r->op);
    }
}

static int is_named(const struct seq *q, const struct hrec *r)
{
    return (r->request_id[0] && strmap_get(&q->named, r->request_id, NULL)) ||
           (r->op == HREC_BARRIER && r->outcome == OUT_FAIL);
}

/* One record: its bar from send to answer, what it was at the send, what came back at the
 * answer. */
static void draw_record(FILE *f, const struct seq *q, size_t i)
{
    const struct hrec *r = &q->recs[i];
    double x = lane_x(q, q->lane[i]), y0 = row_y(q->send_row[i]) - ROW_H * 0.55,
           y1 = row_y(q->answer_row[i]) + 2;
    const char *cls = r->outcome == OUT_OK ? "ok" : r->outcome == OUT_FAIL ? "failed" : "indet";
    fprintf(f, "<g class=\"op %s%s\"><title>", cls, is_named(q, r) ? " named" : "");
    esc_html(f, r->path ? r->path : what_it_was(r));
    fprintf(f, " (user %d, iteration %lld): %.3f to %.3f ms", r->vu, (long long)r->iter,
            (double)r->start_us / 1000.0, (double)r->end_us / 1000.0);
    if (r->request_id[0])
        fprintf(f, ", request %s", r->request_id);
    fprintf(f, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"%.1f\" rx=\"2\"/>", x - 4,
            y0, y1 - y0 > 3 ? y1 - y0 : 3);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 8, row_y(q->send_row[i]));
    label(f, what_it_was(r));
    fputs("</text>", f);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 8, row_y(q->answer_row[i]));
    if (r->op == HREC_BARRIER && r->outcome == OUT_OK && r->rank >= 0)
        fprintf(f, "released, went %d%s", r->rank + 1,
                r->rank == 0   ? "st"
                : r->rank == 1 ? "nd"
                : r->rank == 2 ? "rd"
                               : "th");
    else if (r->op == HREC_BARRIER)
        fputs(r->outcome == OUT_OK ? "released" : "never filled", f);
    else if (r->op == HREC_ADVANCE)
        fprintf(f, "+%lld ms: %d", (long long)r->advance, r->status);
    else
        fprintf(f, "→ %d", r->status);
    fputs("</text></g>\n", f);
}

/* A ledger entry in the mock's lane: its type and what it names. */
static void draw_effect(FILE *f, const struct seq *q, const struct effect *e, size_t row)
{
    const json_t *x = json_array_get(q->ledger, e->seq);
    const char *type = json_string_value(json_object_get(x, "type"));
    const char *req = json_string_value(json_object_get(x, "req"));
    int named = req && strmap_get(&q->named, req, NULL);
    double y = row_y(row), mx = lane_x(q, q->nlanes);
    fprintf(f, "<g class=\"effect%s\"><title>", named ? " named" : "");
    char *text = json_dumps(x, JSON_COMPACT | JSON_PRESERVE_ORDER);
    esc_html(f, text);
    free(text);
    fputs("</title>", f);
    if (e->caused) {
        size_t rec = q->ev[e->anchor].i;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                lane_x(q, q->lane[rec]) + 4, y - 4, mx - 4, y - 4);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", mx, y);
    esc_html(f, type ? type : "?");
    static const char *const details[] = {"outcome", "agentId", "to", "queueId", NULL};
    for (const char *const *d = details; *d; d++) {
        const char *v = json_string_value(json_object_get(x, *d));
        if (v) {
            fputs(" ", f);
            label(f, v);
        }
    }
    fputs("</text></g>\n", f);
}

/* The time column of ROW: the driver's ms from the run's start, and (WITH_MOCK) the mock
 * time of an effect. */
static void draw_time(FILE *f, size_t row, int64_t at_us, int64_t mock_ms, int with_mock)
{
    fprintf(f, "<text class=\"t\" x=\"6\" y=\"%.1f\">%.2f ms", row_y(row), (double)at_us / 1000.0);
    if (with_mock)
        fprintf(f, " · mock +%lld ms", (long long)mock_ms);
    fputs("</text>\n", f);
}

/* The time column's state: the first effect's mock time (the origin of the others), the
 * driver's time of the last event. */
struct clock_col {
    int64_t mock0, at_us;
};

/* An effect's row, with its time on the mock's clock (an effect that applies later, such as
 * an eventually consistent write, carries the time it applies at). */
static void effect_row(FILE *f, const struct seq *q, const struct effect *e, size_t row,
                       struct clock_col *c)
{
    int64_t t = json_integer_value(json_object_get(json_array_get(q->ledger, e->seq), "t"));
    if (c->mock0 < 0)
        c->mock0 = t;
    draw_time(f, row, c->at_us, t - c->mock0, 1);
    draw_effect(f, q, e, row);
}

static const char seq_css[] =
    "<style>svg.sequence text{font-size:11px;fill:#3d4556}"
    "svg.sequence text.t{fill:#8a93a3}svg.sequence text.lane{font-weight:600;font-size:12px}"
    "svg.sequence line.lane{stroke:#dde1e7}"
    "svg.sequence .op rect{fill:#2f6fde}svg.sequence .failed rect{fill:#c0262d}"
    "svg.sequence .indet rect{fill:#d9822b}"
    "svg.sequence .named text{fill:#c0262d;font-weight:700}"
    "svg.sequence .named rect{stroke:#c0262d;stroke-width:2}"
    "svg.sequence .effect line{stroke:#9aa2b1;stroke-dasharray:3 3}"
    "svg.sequence .effect.named line{stroke:#c0262d}</style>\n";

/* The rows, in order: effects before the answers they precede. */
static void draw(FILE *f, struct seq *q)
{
    size_t nrows = q->nev + q->nfx, row = 0, fx = 0;
    double width = LEFT + LANE_W * q->nlanes + MOCK_W, height = TOP + ROW_H * (double)nrows + 8;
    fprintf(f,
            "<div class=\"card\" style=\"max-height:900px;overflow:auto\">"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart sequence\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n%s",
            width, height, width, height, seq_css);
    for (int l = 0; l <= q->nlanes; l++) {
        double x = lane_x(q, l);
        fprintf(f, "<text class=\"lane\" x=\"%.1f\" y=\"20\">", l < q->nlanes ? x - 30 : x);
        if (l == q->setup_lane)
            fputs("setup", f);
        else if (l < q->nlanes)
            fprintf(f, "user %d", q->users[l - (q->setup_lane == 0)]);
        else
            fputs(q->ledger ? "mock ledger" : "mock ledger (no ledger.jsonl)", f);
        fputs("</text>", f);
        if (l < q->nlanes)
            fprintf(f, "<line class=\"lane\" x1=\"%.1f\" y1=\"26\" x2=\"%.1f\" y2=\"%.0f\"/>\n", x,
                    x, height);
    }
    struct clock_col c = {-1, 0};
    while (fx < q->nfx && q->fx[fx].anchor < 0) /* effects before any request of the run */
        effect_row(f, q, &q->fx[fx++], row++, &c);
    for (size_t k = 0; k < q->nev; k++) {
        while (fx < q->nfx && q->fx[fx].anchor == (long)k)
            effect_row(f, q, &q->fx[fx++], row++, &c);
        const struct event *e = &q->ev[k];
        c.at_us = e->at_us;
        draw_time(f, row, c.at_us, 0, 0);
        if (e->kind == ROW_SEND)
            q->send_row[e->i] = row;
        else
            q->answer_row[e->i] = row;
        row++;
    }
    for (size_t i = 0; i < q->nrecs; i++)
        draw_record(f, q, i);
    fputs("</svg></div>\n", f);
}

static void seq_free(struct seq *q)
{
    for (size_t i = 0; i < q->nrecs; i++)
        hrec_free(&q->recs[i]);
    free(q->recs);
    json_decref(q->ledger);
    free(q->ev);
    free(q->fx);
    free(q->send_row);
    free(q->answer_row);
    free(q->lane);
    strmap_free(&q->named);
}

void seq_html(FILE *f, const char *dir, const json_t *summary)
{
    if (!dir)
        return;
    struct seq q;
    memset(&q, 0, sizeof q);
    strmap_init(&q.named);
    if (read_history(&q, dir) < 0 || q.nrecs == 0) {
        seq_free(&q);
        return;
    }
    fputs("<h2>Sequence</h2>\n", f);
    if (q.nrecs > SEQ_MAX_ATTEMPTS) {
        fprintf(f,
                "<p class=\"note\">%zu history lines: the sequence view is drawn for runs of at "
                "most %d (a race, not a load test).</p>\n",
                q.nrecs, SEQ_MAX_ATTEMPTS);
        seq_free(&q);
        return;
    }
    q.ledger = read_ledger(dir);
    collect_named(&q, summary);
    q.send_row = calloc(q.nrecs, sizeof *q.send_row);
    q.answer_row = calloc(q.nrecs, sizeof *q.answer_row);
    q.lane = calloc(q.nrecs, sizeof *q.lane);
    if (!q.send_row || !q.answer_row || !q.lane || order_events(&q) < 0 || anchor_effects(&q) < 0) {
        fputs("<p class=\"note\">out of memory drawing the sequence</p>\n", f);
        seq_free(&q);
        return;
    }
    assign_lanes(&q);
    fputs("<p class=\"note\">Each user's attempts, barrier waits and clock advances, from send "
          "to answer, in the order they happened; the mock's ledger effects beside the answer of "
          "the request that caused them. In red: what a violation names.</p>\n",
          f);
    draw(f, &q);
    seq_free(&q);
}
