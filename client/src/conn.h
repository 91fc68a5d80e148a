/* conn.h - a virtual user's turn at one of its worker's connections (pool.h): taken for each
 * transfer (a request, a token fetch, a clock advance), given back the moment it ends.
 *
 * A user that finds every connection lent waits in line (VU_WAIT_CONN) with its intended start
 * unchanged, so the wait is inside its corrected latency and outside the uncorrected one (which
 * times from the send); each wait is counted, and how long it lasted recorded (stats.h). A
 * connection given back while users wait goes to the first in line, whose timer is set for now:
 * the worker then calls steps_timer, and the user goes on with what it waited for.
 */
#ifndef CONN_H
#define CONN_H

#include "vu.h"

/* v holds a connection for a transfer: returns 1 (its exchange's easy handle is set; at once if
 * it held one already), or 0: v waits in line, FOR what it then goes on with. */
int conn_take(struct vu *v, enum vu_conn_for why);

/* v's transfer ended, or will not happen: its connection, if it holds one, goes back, to the
 * first user in line if any (woken now). */
void conn_give_back(struct vu *v);

/* v's turn in line came (its timer fired in VU_WAIT_CONN): it holds the connection it was given
 * and the wait is recorded. */
void conn_granted(struct vu *v);

/* The run is over: v leaves the line, or gives back a connection it was given and never used. */
void conn_forget(struct vu *v);

#endif
