/* hline.c - see hline.h; the line format is docs/history.md. */
#include "hline.h"

#include <string.h>

static const char *const outcome_names[] = {"ok", "fail", "indeterminate"};

int hline_plain(const struct hrec *r)
{
    return r->op == HREC_NONE && !r->subject && !r->agent && !r->key && !r->expect_failed &&
           !r->rule && !r->barrier && r->generation < 0 && r->rank < 0 && r->advance < 0 &&
           !r->resp_agent && !r->resp_state && !r->resp_id && r->resp_priority < 0 &&
           r->resp_position < 0 && !r->resp_reason && !r->resp_attrs && r->req_priority < 0 &&
           !r->returned && !r->req_reason && !r->req_attrs && !r->resp_type && !r->resp_body &&
           (unsigned)r->outcome < sizeof outcome_names / sizeof *outcome_names;
}

/* The line so far: at most `end`; `at` past it means it did not fit. */
struct out {
    char *at, *end;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->at > o->end || (size_t)(o->end - o->at) < n) {
        o->at = o->end + 1;
        return;
    }
    memcpy(o->at, s, n);
    o->at += n;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* V in decimal, as printf's %llu: two digits a division. */
static void put_u(struct out *o, unsigned long long v)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                "31323334353637383940414243444546474849505152535455565758596061"
                                "62636465666768697071727374757677787980818283848586878889909192"
                                "93949596979899";
    char d[24], *p = d + sizeof d;
    while (v >= 100) {
        const char *two = pairs + 2 * (v % 100);
        v /= 100;
        *--p = two[1];
        *--p = two[0];
    }
    if (v >= 10) {
        *--p = pairs[2 * v + 1];
        *--p = pairs[2 * v];
    } else {
        *--p = (char)('0' + v);
    }
    put(o, p, (size_t)(d + sizeof d - p));
}

/* V in decimal, as printf's %lld. */
static void put_i(struct out *o, long long v)
{
    if (v < 0) {
        put(o, "-", 1);
        put_u(o, 0ULL - (unsigned long long)v);
        return;
    }
    put_u(o, (unsigned long long)v);
}

/* S as a JSON string, escaped as hrec_write escapes: \" \\ and \u00XX below 0x20. */
static void put_str(struct out *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put(o, "\"", 1);
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (; *p; p++) {
        if (*p != '"' && *p != '\\' && *p >= 0x20)
            continue;
        put(o, (const char *)run, (size_t)(p - run));
        run = p + 1;
        if (*p >= 0x20) {
            char e[2] = {'\\', (char)*p};
            put(o, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            put(o, e, 6);
        }
    }
    put(o, (const char *)run, (size_t)(p - run));
    put(o, "\"", 1);
}

size_t hline_format(char *buf, size_t size, const struct hrec *r, const char *tag)
{
    if (!hline_plain(r))
        return 0;
    struct out o = {buf, buf + size};
    puts_(&o, "{\"thread\":");
    put_i(&o, r->thread);
    puts_(&o, ",\"vu\":");
    put_i(&o, r->vu);
    puts_(&o, ",\"iter\":");
    put_i(&o, r->iter);
    puts_(&o, ",\"step\":");
    put_i(&o, r->step);
    puts_(&o, ",\"opid\":");
    put_u(&o, r->opid);
    puts_(&o, ",\"attempt\":");
    put_i(&o, r->attempt);
    puts_(&o, ",\"tag\":");
    put_str(&o, tag ? tag : "");
    puts_(&o, ",\"outcome\":\"");
    puts_(&o, outcome_names[r->outcome]);
    puts_(&o, "\",\"status\":");
    put_i(&o, r->status);
    puts_(&o, ",\"request\":");
    put_str(&o, r->path ? r->path : "");
    puts_(&o, ",\"intendedUs\":");
    put_i(&o, r->intended_us);
    puts_(&o, ",\"startUs\":");
    put_i(&o, r->start_us);
    puts_(&o, ",\"endUs\":");
    put_i(&o, r->end_us);
    if (r->request_id[0]) {
        puts_(&o, ",\"requestId\":");
        put_str(&o, r->request_id);
    }
    if (r->retry_after_us >= 0) {
        puts_(&o, ",\"retryAfterUs\":");
        put_i(&o, r->retry_after_us);
    }
    if (r->has_idem)
        puts_(&o, ",\"idempotencyKey\":true");
    if (r->setup)
        puts_(&o, ",\"setup\":true");
    if (r->token) {
        puts_(&o, ",\"token\":");
        put_u(&o, r->token);
    }
    puts_(&o, "}\n");
    return o.at <= o.end ? (size_t)(o.at - buf) : 0;
}
