/* escape.c - HTML escaping (see escape.h). */
#include "escape.h"

void esc_html(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if (((unsigned char)*s >= 0x20 && *s != 0x7f) || *s == '\n' || *s == '\t')
                fputc(*s, f);
        }
    }
}
