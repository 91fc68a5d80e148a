/* cxlmock.h - a cxmock of the test's own, in process, as an outside --target. */
#ifndef CXLMOCK_H
#define CXLMOCK_H

#include <stddef.h>

#include "cxmock.h"

/* A cxmock on a free loopback port with THREADS workers (0: its default) whose admin API wants
 * ADMIN_TOKEN (NULL: none); its base URL into URL. Fails the test if it cannot start. */
struct cxm *cxl_mock(int threads, const char *admin_token, char *url, size_t size);

#endif
