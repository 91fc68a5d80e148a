/* sim_links_alone.c - the simulation is a library of its own (mock/CMakeLists.txt): linked whole
 * with jansson, common and libm and nothing else, it builds, and it runs a tenant on the manual
 * clock: a contact arrives, rings, and its ring expires, with no sockets and no threads. */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "sim.h"

static int fail(const char *what)
{
    fprintf(stderr, "sim_links_alone: %s\n", what);
    return 1;
}

int main(void)
{
    struct cxm_tenant *t;
    struct cx_error e;
    if (cxm_tenant_load_default(&t, &e) < 0)
        return fail("the default tenant does not load");
    struct cxm_sim s;
    if (cxm_sim_init(&s, t, 1, CXM_CLOCK_MANUAL, 1, NULL, &e) < 0)
        return fail(e.text);
    json_t *body = json_pack("{ss ss}", "channel", "voice", "queueId", "q-overflow"), *out = NULL;
    cxm_sim_begin_request(&s);
    int status = cxm_admin_create_interaction(&s, body, &out);
    json_decref(body);
    json_decref(out);
    size_t before = s.ledger.n;
    cxm_clock_advance(&s.clock, 10 * 1000); /* q-overflow rings for 10 s */
    int ran = cxm_sim_run_due(&s);
    size_t after = s.ledger.n;
    cxm_sim_free(&s);
    cxm_tenant_free(t);
    if (status != 201)
        return fail("the contact was not created");
    if (ran < 1 || after <= before)
        return fail("the ring timer did not run");
    printf("ok: %d event(s) ran, %zu ledger entries\n", ran, after);
    return 0;
}
