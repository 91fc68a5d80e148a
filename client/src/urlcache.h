/* urlcache.h - one worker's parsed URLs of its steps whose path has no references, so libcurl
 * does not parse the same URL again for each of their requests.
 *
 * libcurl parses a request's URL (CURLOPT_URL) at the start of every transfer; handed a parsed
 * one (CURLOPT_CURLU) it copies it instead, which saves about a sixth of its work per request
 * (curl 7.88, measured with callgrind). A step whose path is constant has one URL for the whole
 * run: it is parsed once here, when first asked for, and kept until the worker ends. The handles
 * are only read by libcurl (it copies one at the start of each transfer), so one is shared by
 * every transfer of its step on this thread. Nothing here is shared between threads.
 */
#ifndef URLCACHE_H
#define URLCACHE_H

#include <curl/curl.h>
#include <stddef.h>

struct urlcache {
    CURLU **parsed; /* by step index, NULL until first asked for */
    size_t n;
};

/* A cache for N steps, nothing parsed yet. 0, or -1 out of memory (urlcache_free is safe). */
int urlcache_init(struct urlcache *c, size_t n);

/* Free every parsed URL: after the last transfer that used one is done, and its easy handle
 * cleaned up or given another URL. */
void urlcache_free(struct urlcache *c);

/* Step STEP's URL, the constant text URL, parsed (on the first call) as CURLOPT_URL parses it.
 * NULL if STEP is out of range or it does not parse: then let libcurl have the text. */
CURLU *urlcache_get(struct urlcache *c, size_t step, const char *url);

#endif
