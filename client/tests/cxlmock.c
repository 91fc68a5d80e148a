/* cxlmock.c - see cxlmock.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "cxlmock.h"

struct cxm *cxl_mock(int threads, const char *admin_token, char *url, size_t size)
{
    struct cxm_options mo;
    cxm_options_default(&mo);
    mo.port = 0;
    if (threads > 0)
        mo.threads = threads;
    mo.admin_token = admin_token;
    struct cxm *mock = NULL;
    struct cx_error err;
    assert_int_equal(cxm_create(&mo, &mock, &err), 0);
    assert_int_equal(cxm_start(mock, &err), 0);
    snprintf(url, size, "http://127.0.0.1:%d", cxm_port(mock));
    return mock;
}
