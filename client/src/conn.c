/* conn.c - see conn.h */
#include "conn.h"

#include <stddef.h>

#include "wstate.h"

static struct vu *owner_of(struct pool_wait *w)
{
    return (struct vu *)((char *)w - offsetof(struct vu, conn));
}

int conn_take(struct vu *v, enum vu_conn_for why)
{
    struct wstate *ws = v->ws;
    if (v->x.easy)
        return 1;
    if ((v->x.easy = pool_take(&ws->pool)))
        return 1;
    v->state = VU_WAIT_CONN;
    v->conn_for = why;
    pool_enqueue(&ws->pool, &v->conn, mono_us());
    ws_stats(ws)->conn_waits++;
    return 0;
}

void conn_give_back(struct vu *v)
{
    struct wstate *ws = v->ws;
    if (!v->x.easy)
        return;
    struct pool_wait *w = pool_give(&ws->pool, exchange_release(&v->x));
    if (w)
        loop_timer_set(&ws->loop, &owner_of(w)->timer, mono_us());
}

void conn_granted(struct vu *v)
{
    v->x.easy = v->conn.granted;
    v->conn.granted = NULL;
    cx_hist_record(ws_stats(v->ws)->conn_wait, mono_us() - v->conn.since);
}

void conn_forget(struct vu *v)
{
    if (v->conn.granted) {
        v->x.easy = v->conn.granted;
        v->conn.granted = NULL;
    }
    pool_leave(&v->ws->pool, &v->conn);
    conn_give_back(v);
}
