/* fuzz_tenant.c - the tenant fixture loader (tenant.c) on any bytes: it either returns a tenant
 * or fails with a located error (fuzzerr.h), never crashes or leaks; and a fixture that loads
 * starts a simulation and resets it (a loader that let through what the model cannot hold
 * would crash there). Seeds: the built-in tenants and the tests' good and bad fixtures. */
#include "fuzzerr.h"
#include "sim.h"
#include "tenant.h"

#define NAME "fuzz.json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cx_error err = {0};
    struct cxm_tenant *t = NULL;
    const char *text = (const char *)data;
    if (cxm_tenant_parse(text, size, NAME, &t, &err) < 0) {
        CX_FUZZ_CHECK(t == NULL, "a failed load returned a tenant");
        cx_fuzz_check_error(&err, NAME, text, size);
        return 0;
    }
    CX_FUZZ_CHECK(t != NULL, "a load that succeeded returned no tenant");
    struct cxm_sim sim;
    struct cx_error serr = {0};
    if (cxm_sim_init(&sim, t, 1, CXM_CLOCK_MANUAL, 1.0, NULL, &serr) == 0) {
        CX_FUZZ_CHECK(cxm_sim_reset(&sim, 2) == 0, "a loaded tenant's simulation cannot reset");
        cxm_sim_free(&sim);
    } else {
        CX_FUZZ_CHECK(serr.text[0] != '\0', "a simulation that failed to start says no why");
    }
    cxm_tenant_free(t);
    return 0;
}
