/* api_interactions.c - interactions and queues: ACC-01 ... ACC-07, REJ-01 ... REJ-04, Q-01, Q-02.
 */
#include "actions.h"
#include "api.h"
#include "routing.h"

#define SCOPE_READ  "interaction:read"
#define SCOPE_WRITE "interaction:write"

void cxm_api_get_interaction(struct cxm *m, const struct cxm_req *rq, char **params,
                             struct cxm_resp *rs)
{
    if (!cxm_require_token(m, rq, SCOPE_READ, rs))
        return;
    long ix = cxm_model_interaction(&m->sim.model, params[0]);
    if (ix < 0 || m->sim.model.ix[ix]->dropped) { /* a dropped interaction is gone (REJ-03) */
        cxm_respond(rs, 404, cxm_err("not_found", "no interaction '%s'", params[0]));
        return;
    }
    cxm_respond(rs, 200, cxm_view_interaction(&m->sim.model, m->sim.model.ix[ix]));
}

typedef int write_fn(struct cxm_sim *, const struct cxm_token *, const char *, json_t *, json_t **);

static void write_call(struct cxm *m, const struct cxm_req *rq, const char *id, struct cxm_resp *rs,
                       write_fn *fn)
{
    const struct cxm_token *tok = cxm_require_token(m, rq, SCOPE_WRITE, rs);
    if (!tok)
        return;
    json_t *body = cxm_req_json(rq, rs);
    if (!body)
        return;
    json_t *out = NULL;
    int status = fn(&m->sim, tok, id, body, &out);
    json_decref(body);
    cxm_respond(rs, status, out);
}

void cxm_api_accept(struct cxm *m, const struct cxm_req *rq, char **params, struct cxm_resp *rs)
{
    write_call(m, rq, params[0], rs, cxm_accept);
}

void cxm_api_reject(struct cxm *m, const struct cxm_req *rq, char **params, struct cxm_resp *rs)
{
    write_call(m, rq, params[0], rs, cxm_reject);
}

static int queue_or_404(struct cxm *m, const char *id, struct cxm_resp *rs)
{
    int q = cxm_model_queue(&m->sim.model, id);
    if (q < 0)
        cxm_respond(rs, 404, cxm_err("not_found", "no queue '%s'", id));
    return q;
}

void cxm_api_get_queue(struct cxm *m, const struct cxm_req *rq, char **params, struct cxm_resp *rs)
{
    int q;
    if (cxm_require_token(m, rq, SCOPE_READ, rs) && (q = queue_or_404(m, params[0], rs)) >= 0)
        cxm_respond(rs, 200, cxm_view_queue(&m->sim, q));
}

void cxm_api_get_queue_stats(struct cxm *m, const struct cxm_req *rq, char **params,
                             struct cxm_resp *rs)
{
    int q;
    if (cxm_require_token(m, rq, SCOPE_READ, rs) && (q = queue_or_404(m, params[0], rs)) >= 0)
        cxm_respond(rs, 200, cxm_view_queue_stats(&m->sim, q));
}
