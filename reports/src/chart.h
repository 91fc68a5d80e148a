/* chart.h - a line chart as inline SVG: axes with round-number ticks, a grid, lines, a legend.
 *
 * The HTML report (html.h) draws every chart with this: latency percentile curves on a log
 * scale of 1 / (1 - percentile), as HdrHistogram's plotter does (the caller maps its x values
 * and gives the ticks), and counts per second over the run (the caller gives step lines as
 * pairs of points). The SVG needs no script, font or style sheet: it sizes itself to its
 * container through its viewBox.
 */
#ifndef CHART_H
#define CHART_H

#include <stddef.h>
#include <stdio.h>

struct chart_line {
    const char *name;    /* legend entry (escaped here); NULL: not in the legend */
    const char *color;   /* a CSS colour, e.g. "#2f6fde" (written as is) */
    const double *x, *y; /* n points, in drawing order */
    size_t n;
    int dashed;              /* 1: a dashed line */
    int dots;                /* 1: a dot at each point */
    int no_line;             /* 1: dots only */
    const char *const *tips; /* NULL, or n tooltips (escaped here), one per dot */
};

struct chart_tick {
    double at;
    const char *label; /* escaped here */
};

struct chart {
    const char *attrs;  /* more attributes of the <svg> element, written as is (the caller
                         * escapes them), e.g. "class=\"chart latency\" data-tag=\"accept\"" */
    const char *title;  /* escaped here */
    const char *xlabel; /* escaped here */
    const char *ylabel; /* escaped here */
    double xmin, xmax;  /* the x range (xmax > xmin); y runs from 0 to a round number above
                         * the highest point */
    const struct chart_tick *xticks; /* NULL: round numbers */
    size_t nxticks;
    const char *empty; /* shown instead of lines when no line has a point (escaped here) */
};

/* Write C with LINES as one <svg> element. Points outside the x range are clipped to it.
 * Returns 0, or -1 if writing to F failed. */
int chart_svg(FILE *f, const struct chart *c, const struct chart_line *lines, size_t nlines);

#endif
