/* svg.h - a small deterministic SVG line-chart writer for the HTML report (html.c): one curve
 * over a log-scaled x axis, with optional "current" and "suggested" marks. Same input, same
 * bytes: every number is printed with a fixed number of decimals. */
#ifndef GLINTEFY_SVG_H
#define GLINTEFY_SVG_H
#include "../base/buf.h"

typedef struct SvgPoint {
    double x, y; /* x > 0 (log scale) */
} SvgPoint;

typedef struct SvgChart {
    int width, height;
    const char *title;     /* short: the accessible name (<title>, aria-label) */
    const char *desc;      /* the data in words (<desc>), or NULL */
    const char *xlabel, *ylabel;
    double ymax;           /* top of the y axis (> 0) */
    int ypercent;          /* y values are percentages (ticks say %) */
    const SvgPoint *pts;
    int npts;
    double current, suggested; /* x of the marks; 0: none */
} SvgChart;

/* Appends <svg class="chart" ...>...</svg> to *b. */
void svg_chart(Buf *b, const SvgChart *c);

/* Appends s with & < > " ' escaped for HTML text and attributes. */
void svg_escape(Buf *b, const char *s);

#endif
