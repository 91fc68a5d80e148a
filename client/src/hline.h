/* hline.h - the history line of a plain attempt (no op, no check, no failed expectation: most
 * of a load's), formatted by hand into a buffer.
 *
 * hrec_write (judge/src/hrec.c) writes every kind of record through stdio's formatting; most
 * records of a load are plain GETs and POSTs, and their lines are built here instead, byte for
 * byte what hrec_write writes (test_hline checks it on random records). Anything else is left
 * to hrec_write.
 */
#ifndef HLINE_H
#define HLINE_H

#include <stddef.h>

#include "hrec.h"

/* Does R have only what hline_format writes (no op, subject, agent, key, failed expectation,
 * rule, barrier, advance, answer or sent fields)? */
int hline_plain(const struct hrec *r);

/* R's line with the step's latency TAG, newline included, into BUF (SIZE bytes): its length,
 * or 0 if R is not plain or the line does not fit (then hrec_write it). Not NUL-terminated. */
size_t hline_format(char *buf, size_t size, const struct hrec *r, const char *tag);

#endif
