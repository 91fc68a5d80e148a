/* webhooks.c - see webhooks.h */
#include "webhooks.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS   60000

struct hook {
    const struct cxm_webhook_def *def;
    uint64_t cursor;   /* last event delivered or skipped */
    unsigned attempts; /* consecutive failures */
    bool waiting;      /* in backoff until its retry event runs */
    unsigned long delivered, failed, lost;
};

struct cxm_webhooks {
    struct cxm_sim *sim;
    pthread_mutex_t *lock;
    pthread_cond_t cond;
    void (*kick)(void *);
    void *kick_ctx;
    struct hook *hooks;
    size_t n;
    pthread_t thread;
    bool started, stopping;
    unsigned epoch; /* bumped by reset: a delivery in flight across a reset is discarded */
};

static void notify(void *ctx);
static void reset(void *ctx);
static void retry_due(struct cxm_sim *s, const struct cxm_event *ev);

/* The simulation tells the webhooks of new events and of a reset. */
static const struct cxm_sim_observer observer = {notify, reset};

/* A hook's backoff is over (arg: the hook's index; data: the webhooks, not owned). */
static const struct cxm_event_type retry_event = {"webhook retry", retry_due, NULL};

struct cxm_webhooks *cxm_webhooks_new(struct cxm_sim *s, pthread_mutex_t *lock,
                                      void (*kick)(void *), void *ctx)
{
    struct cxm_webhooks *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->hooks = calloc(s->tenant->nwebhooks ? s->tenant->nwebhooks : 1, sizeof *w->hooks);
    if (!w->hooks) {
        free(w);
        return NULL;
    }
    w->sim = s;
    w->lock = lock;
    w->kick = kick;
    w->kick_ctx = ctx;
    w->n = s->tenant->nwebhooks;
    for (size_t i = 0; i < w->n; i++)
        w->hooks[i].def = &s->tenant->webhooks[i];
    pthread_cond_init(&w->cond, NULL);
    if (w->n > 0 && cxm_sim_observe(s, &observer, w) < 0) {
        cxm_webhooks_free(w);
        return NULL;
    }
    return w;
}

static bool wants(const struct hook *h, const char *type)
{
    if (h->def->nevents == 0)
        return true;
    for (size_t i = 0; i < h->def->nevents; i++)
        if (strcmp(h->def->events[i], type) == 0)
            return true;
    return false;
}

/* With the lock held: the next event some hook should deliver. Skips unwanted events and
 * counts events that fell out of retention as lost. Returns the hook index or -1. */
static long next_job(struct cxm_webhooks *w, uint64_t *cursor, char **body)
{
    const struct cxm_events *ev = &w->sim->events;
    for (size_t i = 0; i < w->n; i++) {
        struct hook *h = &w->hooks[i];
        if (h->waiting)
            continue;
        if (h->cursor + 1 < ev->first) {
            h->lost += ev->first - h->cursor - 1;
            h->cursor = ev->first - 1;
        }
        while (h->cursor < cxm_events_last(ev)) {
            const char *type;
            const char *text = cxm_events_get(ev, h->cursor + 1, &type);
            if (wants(h, type)) {
                *cursor = h->cursor + 1;
                *body = strdup(text);
                return *body ? (long)i : -1;
            }
            h->cursor++;
        }
    }
    return -1;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    return size * n;
}

static bool post(CURL *curl, const char *url, const char *body)
{
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    long status = 0;
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    return rc == CURLE_OK && status >= 200 && status < 300;
}

static void *deliver(void *arg)
{
    struct cxm_webhooks *w = arg;
    CURL *curl = curl_easy_init();
    pthread_mutex_lock(w->lock);
    while (!w->stopping) {
        uint64_t cursor;
        char *body = NULL;
        long i = next_job(w, &cursor, &body);
        if (i < 0) {
            pthread_cond_wait(&w->cond, w->lock);
            continue;
        }
        unsigned epoch = w->epoch;
        const char *url = w->hooks[i].def->url;
        pthread_mutex_unlock(w->lock);
        bool ok = curl && post(curl, url, body);
        free(body);
        pthread_mutex_lock(w->lock);
        if (epoch != w->epoch)
            continue;
        struct hook *h = &w->hooks[i];
        if (ok) {
            h->cursor = cursor;
            h->attempts = 0;
            h->delivered++;
            continue;
        }
        h->failed++;
        h->attempts++;
        int64_t backoff = BACKOFF_FIRST_MS;
        for (unsigned k = 1; k < h->attempts && backoff < BACKOFF_MAX_MS; k++)
            backoff *= 2;
        if (backoff > BACKOFF_MAX_MS)
            backoff = BACKOFF_MAX_MS;
        h->waiting = true;
        int64_t now = cxm_clock_now(&w->sim->clock);
        cxm_sched_add(&w->sim->sched, now + backoff, &retry_event, i, w);
        if (w->kick)
            w->kick(w->kick_ctx);
    }
    pthread_mutex_unlock(w->lock);
    curl_easy_cleanup(curl);
    return NULL;
}

int cxm_webhooks_start(struct cxm_webhooks *w)
{
    if (w->n == 0)
        return 0;
    if (pthread_create(&w->thread, NULL, deliver, w) != 0)
        return -1;
    w->started = true;
    return 0;
}

static void notify(void *ctx)
{
    struct cxm_webhooks *w = ctx;
    pthread_cond_signal(&w->cond);
}

static void retry_due(struct cxm_sim *s, const struct cxm_event *ev)
{
    struct cxm_webhooks *w = ev->data;
    if ((size_t)ev->arg < w->n)
        w->hooks[ev->arg].waiting = false;
    pthread_cond_signal(&w->cond);
}

/* Every hook starts again from the first event; a delivery in flight is discarded. */
static void reset(void *ctx)
{
    struct cxm_webhooks *w = ctx;
    for (size_t i = 0; i < w->n; i++) {
        const struct cxm_webhook_def *def = w->hooks[i].def;
        memset(&w->hooks[i], 0, sizeof w->hooks[i]);
        w->hooks[i].def = def;
    }
    w->epoch++;
}

json_t *cxm_webhooks_view(const struct cxm_webhooks *w)
{
    json_t *a = json_array();
    for (size_t i = 0; i < w->n; i++) {
        const struct hook *h = &w->hooks[i];
        json_array_append_new(
            a, json_pack("{ss sI sI sI sI sb}", "url", h->def->url, "cursor", (json_int_t)h->cursor,
                         "delivered", (json_int_t)h->delivered, "failed", (json_int_t)h->failed,
                         "lost", (json_int_t)h->lost, "waiting", h->waiting));
    }
    return a;
}

void cxm_webhooks_free(struct cxm_webhooks *w)
{
    if (!w)
        return;
    if (w->started) {
        pthread_mutex_lock(w->lock);
        w->stopping = true;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(w->lock);
        pthread_join(w->thread, NULL);
    }
    pthread_cond_destroy(&w->cond);
    free(w->hooks);
    free(w);
}
