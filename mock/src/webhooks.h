/* webhooks.h - event delivery to the tenant's webhooks (CONS-03).
 *
 * One thread delivers, in order, every event a webhook subscribes to, as POST JSON (the event
 * object). A failed delivery (connection error, timeout or non-2xx) is retried with
 * exponential backoff (500 ms doubling, at most 60 s) scheduled on the mock clock; the webhook
 * waits, in order, until then. Webhooks read the same event stream as the long poll, with
 * their own cursor, so a receiver that is down holds up nothing else. Delivery results are
 * counted, not written to the ledger (their timing is the network's, not the simulation's).
 */
#ifndef WEBHOOKS_H
#define WEBHOOKS_H

#include <pthread.h>
#include <jansson.h>

struct cxm_sim;
struct cxm_webhooks;

/* Create for the simulation's tenant and tell the simulation to notify it of new events and of
 * resets (cxm_sim_observe); lock is the lock around the simulation. kick(ctx) wakes the timer
 * thread after a retry is scheduled. Returns NULL if out of memory. */
struct cxm_webhooks *cxm_webhooks_new(struct cxm_sim *s, pthread_mutex_t *lock,
                                      void (*kick)(void *), void *ctx);

/* Start the delivery thread (no-op without webhooks). Returns 0, or -1. */
int cxm_webhooks_start(struct cxm_webhooks *w);

/* With the lock held: [{url, cursor, delivered, failed, lost, waiting}] */
json_t *cxm_webhooks_view(const struct cxm_webhooks *w);

/* Stop and join the thread, then free. Call without the lock. NULL is a no-op. */
void cxm_webhooks_free(struct cxm_webhooks *w);

#endif
