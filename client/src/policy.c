/* policy.c - see policy.h */
#include "policy.h"

#include <math.h>
#include <stdio.h>

#include "prng.h"

int policy_retryable(const struct scn_policy *p, int status)
{
    for (int i = 0; i < 16 && p->retry_on[i]; i++)
        if (p->retry_on[i] == (status == 0 ? -1 : status))
            return 1;
    return 0;
}

int64_t policy_backoff(const struct scn_policy *p, int n, uint64_t *rng)
{
    double d = p->exponential ? (double)p->base_us * pow(2, n) : (double)p->base_us * (n + 1);
    if (d > (double)p->cap_us)
        d = (double)p->cap_us;
    if (p->jitter)
        d = d * ((double)(cx_splitmix64(rng) >> 11) / 9007199254740992.0);
    return (int64_t)d;
}

int policy_status_expected(const struct scn_request *rq, int status, char *why, size_t size)
{
    if (!rq->expect_status[0]) {
        if (status >= 200 && status < 300)
            return 1;
        if (why)
            snprintf(why, size, "a 2xx status");
        return 0;
    }
    for (int i = 0; i < 16 && rq->expect_status[i]; i++)
        if (rq->expect_status[i] == status)
            return 1;
    for (size_t i = 0, n = 0; why && rq->expect_status[i] && n < size; i++)
        n += (size_t)snprintf(why + n, size - n, "%s%d",
                              i == 0                     ? "status "
                              : rq->expect_status[i + 1] ? ", "
                                                         : " or ",
                              rq->expect_status[i]);
    return 0;
}
