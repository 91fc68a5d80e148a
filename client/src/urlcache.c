/* urlcache.c - see urlcache.h */
#include "urlcache.h"

#include <stdlib.h>
#include <string.h>

int urlcache_init(struct urlcache *c, size_t n)
{
    memset(c, 0, sizeof *c);
    c->parsed = calloc(n ? n : 1, sizeof *c->parsed);
    if (!c->parsed)
        return -1;
    c->n = n;
    return 0;
}

void urlcache_free(struct urlcache *c)
{
    for (size_t i = 0; c->parsed && i < c->n; i++)
        curl_url_cleanup(c->parsed[i]);
    free(c->parsed);
    memset(c, 0, sizeof *c);
}

CURLU *urlcache_get(struct urlcache *c, size_t step, const char *url)
{
    if (step >= c->n)
        return NULL;
    if (c->parsed[step])
        return c->parsed[step];
    CURLU *u = curl_url();
    /* the flags libcurl's own parse of CURLOPT_URL uses (url.c, parseurlandfillconn) */
    if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME)) {
        curl_url_cleanup(u);
        return NULL;
    }
    c->parsed[step] = u;
    return u;
}
