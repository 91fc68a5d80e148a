/* chart.c - SVG line charts (see chart.h). */
#include "chart.h"

#include <math.h>
#include <string.h>

#include "escape.h"

#define W        560.0 /* viewBox width and height */
#define H        300.0
#define LEFT     62.0 /* plot area: x from LEFT to W - RIGHT, y from top to H - BOTTOM */
#define RIGHT    30.0
#define BOTTOM   46.0
#define TITLE_Y  20.0
#define LEGEND_Y 40.0
#define ROW      16.0 /* legend row height */
#define CHAR_W   6.6  /* rough width of a 12 px character, for laying out the legend */

/* A round step near RANGE / TARGET: 1, 2, 2.5 or 5 times a power of ten. */
static double nice_step(double range, int target)
{
    if (!(range > 0) || !isfinite(range))
        return 1;
    double raw = range / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

/* Decimals that print every multiple of STEP exactly. */
static int decimals(double step)
{
    int d = 0;
    while (d < 6 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6 * step * pow(10, d))
        d++;
    return d;
}

struct frame {
    double top, x0, x1, y0, y1; /* plot area in SVG units */
    double xmin, xmax, ymax;
};

static double px(const struct frame *fr, double x)
{
    if (x < fr->xmin)
        x = fr->xmin;
    if (x > fr->xmax)
        x = fr->xmax;
    return fr->x0 + (x - fr->xmin) / (fr->xmax - fr->xmin) * (fr->x1 - fr->x0);
}

static double py(const struct frame *fr, double y)
{
    if (y < 0)
        y = 0;
    return fr->y1 - y / fr->ymax * (fr->y1 - fr->y0);
}

/* Legend rows needed for the named lines, and (with F) the legend itself. */
static int legend(FILE *f, const struct chart_line *lines, size_t n)
{
    double x = LEFT, y = LEGEND_Y;
    int rows = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lines[i].name)
            continue;
        double w = 26 + CHAR_W * (double)strlen(lines[i].name) + 14;
        if (rows == 0)
            rows = 1;
        else if (x + w > W - RIGHT) {
            x = LEFT;
            y += ROW;
            rows++;
        }
        if (f) {
            if (lines[i].no_line)
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>", x + 10, y - 4,
                        lines[i].color);
            else
                fprintf(f,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        "stroke-width=\"2.5\"%s/>",
                        x, y - 4, x + 20, y - 4, lines[i].color,
                        lines[i].dashed ? " stroke-dasharray=\"6 4\"" : "");
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">", x + 26, y);
            esc_html(f, lines[i].name);
            fputs("</text>", f);
        }
        x += w;
    }
    return rows;
}

static void axes(FILE *f, const struct chart *c, const struct frame *fr)
{
    /* y: 0 .. ymax in round steps, with grid lines */
    double step = nice_step(fr->ymax, 5);
    int d = decimals(step);
    for (int i = 0; i * step <= fr->ymax * (1 + 1e-9); i++) {
        double v = i * step, y = py(fr, v);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%.*f</text>\n",
                fr->x0, y, fr->x1, y, fr->x0 - 6, y + 4, d, v);
    }
    /* x: the caller's ticks, or round numbers */
    if (c->xticks) {
        for (size_t i = 0; i < c->nxticks; i++) {
            double x = px(fr, c->xticks[i].at);
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tick\">",
                    x, fr->y0, x, fr->y1, x, fr->y1 + 16);
            esc_html(f, c->xticks[i].label);
            fputs("</text>\n", f);
        }
    } else {
        double xs = nice_step(fr->xmax - fr->xmin, 6);
        int xd = decimals(xs);
        for (double v = ceil(fr->xmin / xs - 1e-9) * xs; v <= fr->xmax * (1 + 1e-9) + 1e-12;
             v += xs) {
            double x = px(fr, v);
            if (fabs(v) < xs * 1e-9)
                v = 0; /* not "-0.0" */
            fprintf(
                f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tick\">%.*f</text>\n",
                x, fr->y0, x, fr->y1, x, fr->y1 + 16, xd, v);
        }
    }
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>"
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
            fr->x0, fr->y1, fr->x1, fr->y1, fr->x0, fr->y0, fr->x0, fr->y1);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"label\">",
            (fr->x0 + fr->x1) / 2, H - 8);
    esc_html(f, c->xlabel);
    fprintf(f,
            "</text><text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" class=\"label\" "
            "transform=\"rotate(-90 14 %.1f)\">",
            (fr->y0 + fr->y1) / 2, (fr->y0 + fr->y1) / 2);
    esc_html(f, c->ylabel);
    fputs("</text>\n", f);
}

static void line(FILE *f, const struct frame *fr, const struct chart_line *l)
{
    if (!l->no_line && l->n > 0) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", l->color,
                l->dashed ? " stroke-dasharray=\"6 4\"" : "");
        for (size_t i = 0; i < l->n; i++)
            fprintf(f, "%s%.1f,%.1f", i ? " " : "", px(fr, l->x[i]), py(fr, l->y[i]));
        fputs("\"/>\n", f);
    }
    if (l->dots || l->no_line)
        for (size_t i = 0; i < l->n; i++) {
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\">", px(fr, l->x[i]),
                    py(fr, l->y[i]), l->color);
            if (l->tips) {
                fputs("<title>", f);
                esc_html(f, l->tips[i]);
                fputs("</title>", f);
            }
            fputs("</circle>\n", f);
        }
}

int chart_svg(FILE *f, const struct chart *c, const struct chart_line *lines, size_t nlines)
{
    struct frame fr = {0};
    int rows = legend(NULL, lines, nlines);
    fr.top = LEGEND_Y + (rows > 0 ? rows - 1 : 0) * ROW + 16;
    fr.x0 = LEFT;
    fr.x1 = W - RIGHT;
    fr.y0 = fr.top;
    fr.y1 = H - BOTTOM;
    fr.xmin = c->xmin;
    fr.xmax = c->xmax > c->xmin ? c->xmax : c->xmin + 1;
    size_t points = 0;
    double ymax = 0;
    for (size_t i = 0; i < nlines; i++)
        for (size_t k = 0; k < lines[i].n; k++, points++)
            if (isfinite(lines[i].y[k]) && lines[i].y[k] > ymax)
                ymax = lines[i].y[k];
    double step = nice_step(ymax > 0 ? ymax * 1.05 : 1, 5);
    fr.ymax = ymax > 0 ? ceil(ymax * 1.05 / step) * step : 1;

    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\"%s%s>"
            "<title>",
            W, H, c->attrs ? " " : "", c->attrs ? c->attrs : "");
    esc_html(f, c->title);
    fprintf(f, "</title>\n<text x=\"%.1f\" y=\"%.1f\" class=\"title\">", LEFT, TITLE_Y);
    esc_html(f, c->title);
    fputs("</text>\n", f);
    legend(f, lines, nlines);
    fputc('\n', f);
    axes(f, c, &fr);
    if (points == 0) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"empty\">",
                (fr.x0 + fr.x1) / 2, (fr.y0 + fr.y1) / 2);
        esc_html(f, c->empty ? c->empty : "no data");
        fputs("</text>\n", f);
    }
    for (int dashed = 0; dashed < 2; dashed++) /* dashed lines on top, where they show */
        for (size_t i = 0; i < nlines; i++)
            if (!!lines[i].dashed == dashed)
                line(f, &fr, &lines[i]);
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
