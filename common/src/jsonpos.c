/* jsonpos.c - find where a value sits in JSON source text.
 *
 * A scanner over text that jansson already accepted: it walks the path one element at a time,
 * skipping sibling values without building anything, and counts lines and columns (bytes) as it
 * goes. On malformed text it gives up (returns -1) rather than guess; it never reads past LEN.
 */
#include "jsonpos.h"

#include <stdint.h>
#include <string.h>

struct scan {
    const char *p, *end;
    int line, col;
};

static void adv(struct scan *s)
{
    if (*s->p == '\n') {
        s->line++;
        s->col = 1;
    } else {
        s->col++;
    }
    s->p++;
}

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        adv(s);
}

/* At an opening quote: move past the closing one (or to the end). */
static void skip_string(struct scan *s)
{
    adv(s);
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\' && s->p + 1 < s->end)
            adv(s);
        adv(s);
    }
    if (s->p < s->end)
        adv(s);
}

/* At a value's first character: move past the value. Containers are skipped by depth. */
static void skip_value(struct scan *s)
{
    int depth = 0;

    if (s->p >= s->end)
        return;
    if (*s->p == '"') {
        skip_string(s);
        return;
    }
    if (*s->p != '{' && *s->p != '[') {
        while (s->p < s->end && !strchr(",]} \t\r\n", *s->p))
            adv(s);
        return;
    }
    do {
        if (*s->p == '"') {
            skip_string(s);
            continue;
        }
        if (*s->p == '{' || *s->p == '[')
            depth++;
        else if (*s->p == '}' || *s->p == ']')
            depth--;
        adv(s);
    } while (depth > 0 && s->p < s->end);
}

/* Four hex digits at P (bounded by END) as a number, or -1. */
static long hex4(const char *p, const char *end)
{
    long v = 0;

    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* At a backslash inside a string: consume the escape and store its UTF-8 bytes in OUT.
 * Returns the byte count (1..4). */
static size_t unescape(struct scan *s, unsigned char out[4])
{
    static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
    long cp;
    char c;

    adv(s); /* the backslash */
    if (s->p >= s->end)
        return 0;
    c = *s->p;
    adv(s);
    if (c != 'u') {
        const char *m = strchr(from, c);
        out[0] = (unsigned char)(m && c ? to[m - from] : c);
        return 1;
    }
    if ((cp = hex4(s->p, s->end)) < 0)
        return 0;
    for (int i = 0; i < 4; i++)
        adv(s);
    if (cp >= 0xD800 && cp < 0xDC00 && s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u') {
        long lo = hex4(s->p + 2, s->end);
        if (lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            for (int i = 0; i < 6; i++)
                adv(s);
        }
    }
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* At a string's opening quote: consume it and say whether its decoded bytes equal NAME[0..N). */
static int string_equals(struct scan *s, const char *name, size_t n)
{
    size_t i = 0;
    int eq = 1;

    adv(s);
    while (s->p < s->end && *s->p != '"') {
        unsigned char buf[4];
        size_t k = 1;

        if (*s->p == '\\') {
            k = unescape(s, buf);
        } else {
            buf[0] = (unsigned char)*s->p;
            adv(s);
        }
        if (i + k > n || memcmp(name + i, buf, k) != 0)
            eq = 0;
        else
            i += k;
    }
    if (s->p < s->end)
        adv(s);
    return eq && i == n;
}

/* At an object: move to the value of member NAME[0..N) and store its key's position in
 * *kline and *kcol. Returns 0, or -1 if S is not at an object or has no such member. */
static int find_member(struct scan *s, const char *name, size_t n, int *kline, int *kcol)
{
    if (s->p >= s->end || *s->p != '{')
        return -1;
    adv(s);
    for (;;) {
        int match;

        skip_ws(s);
        if (s->p >= s->end || *s->p != '"')
            return -1;
        *kline = s->line;
        *kcol = s->col;
        match = string_equals(s, name, n);
        skip_ws(s);
        if (s->p >= s->end || *s->p != ':')
            return -1;
        adv(s);
        skip_ws(s);
        if (match)
            return 0;
        skip_value(s);
        skip_ws(s);
        if (s->p >= s->end || *s->p != ',')
            return -1;
        adv(s);
    }
}

/* At an array: move to element IDX. Returns 0, or -1 if S is not at an array or it is shorter. */
static int find_index(struct scan *s, size_t idx)
{
    if (s->p >= s->end || *s->p != '[')
        return -1;
    adv(s);
    for (size_t i = 0;; i++) {
        skip_ws(s);
        if (s->p >= s->end || *s->p == ']')
            return -1;
        if (i == idx)
            return 0;
        skip_value(s);
        skip_ws(s);
        if (s->p >= s->end || *s->p != ',')
            return -1;
        adv(s);
    }
}

/* See jsonpos.h. A malformed PATH (empty name, "[x]", "a[0]b") is reported as not found. */
int jsonpos_locate(const char *text, size_t len, const char *path, int want_key, int *line,
                   int *column)
{
    struct scan s = {text, text + len, 1, 1};
    int kline = 0, kcol = 0, last_member = 0;
    const char *q = path;

    skip_ws(&s);
    while (*q) {
        if (*q == '[') {
            size_t idx = 0;

            if (*++q < '0' || *q > '9')
                return -1;
            for (; *q >= '0' && *q <= '9'; q++) {
                if (idx > (SIZE_MAX - 9) / 10)
                    return -1;
                idx = idx * 10 + (size_t)(*q - '0');
            }
            if (*q++ != ']' || find_index(&s, idx) != 0)
                return -1;
            last_member = 0;
        } else {
            size_t n;

            if (q != path && *q++ != '.')
                return -1;
            n = strcspn(q, ".[");
            if (n == 0 || find_member(&s, q, n, &kline, &kcol) != 0)
                return -1;
            q += n;
            last_member = 1;
        }
    }
    if (s.p >= s.end)
        return -1;
    *line = want_key && last_member ? kline : s.line;
    *column = want_key && last_member ? kcol : s.col;
    return 0;
}
