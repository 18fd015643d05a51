/* svg.c - the line charts of the HTML report (svg.h). Readable in greyscale: the curve is a
 * solid line with dots, the current size a dashed line, the suggested size a dotted one, and
 * each mark is labelled in words. */
#include "svg.h"
#include <math.h>
#include <stdio.h>

void svg_escape(Buf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_putc(b, *s);
        }
    }
}

/* A tick label: sizes as 1, 10, 1k, 10k, 1M. */
static void size_label(char *out, size_t n, double v) {
    if (v >= 1e6) snprintf(out, n, "%gM", v / 1e6);
    else if (v >= 1e3) snprintf(out, n, "%gk", v / 1e3);
    else snprintf(out, n, "%g", v);
}

static void y_label(char *out, size_t n, double v, int percent) {
    if (percent) snprintf(out, n, "%.0f%%", v);
    else if (v == 0) snprintf(out, n, "0 s");
    else if (v >= 1) snprintf(out, n, "%.3g s", v);
    else if (v >= 1e-3) snprintf(out, n, "%.3g ms", v * 1e3);
    else snprintf(out, n, "%.3g us", v * 1e6);
}

void svg_chart(Buf *b, const SvgChart *c) {
    const double L = 46, R = 10, T = 10, B = 30; /* margins */
    double w = c->width - L - R, h = c->height - T - B;
    double xmax = 1;
    for (int i = 0; i < c->npts; i++)
        if (c->pts[i].x > xmax) xmax = c->pts[i].x;
    if (c->current > xmax) xmax = c->current;
    if (c->suggested > xmax) xmax = c->suggested;
    double lx = log10(xmax) > 0 ? log10(xmax) : 1;
    double ymax = c->ymax > 0 ? c->ymax : 1;
#define PX(x) (L + (log10((x) < 1 ? 1 : (x)) / lx) * w)
#define PY(y) (T + h - ((y) < 0 ? 0 : (y) > ymax ? ymax : (y)) / ymax * h)
    buf_printf(b, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" aria-label=\"", c->width,
               c->height, c->width, c->height);
    svg_escape(b, c->title);
    buf_puts(b, "\"><title>");
    svg_escape(b, c->title);
    buf_puts(b, "</title>");
    if (c->desc) {
        buf_puts(b, "<desc>");
        svg_escape(b, c->desc);
        buf_puts(b, "</desc>");
    }
    /* axes and ticks */
    buf_printf(b, "<path class=\"axis\" d=\"M%.1f %.1fV%.1fH%.1f\"/>", L, T, T + h, L + w);
    for (double t = 1; t <= xmax * 1.0001; t *= 10) {
        char lab[32];
        size_label(lab, sizeof lab, t);
        buf_printf(b, "<path class=\"grid\" d=\"M%.1f %.1fV%.1f\"/><text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                   PX(t), T, T + h, PX(t), T + h + 12, lab);
    }
    for (int k = 0; k <= 2; k++) {
        double v = ymax * k / 2;
        char lab[32];
        y_label(lab, sizeof lab, v, c->ypercent);
        buf_printf(b, "<path class=\"grid\" d=\"M%.1f %.1fH%.1f\"/><text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                   L, PY(v), L + w, L - 4, PY(v) + 3, lab);
    }
    if (c->xlabel) {
        buf_printf(b, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", L + w / 2, (double)c->height - 4);
        svg_escape(b, c->xlabel);
        buf_puts(b, "</text>");
    }
    if (c->ylabel) {
        buf_printf(b, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\">", L + 4, T + 9);
        svg_escape(b, c->ylabel);
        buf_puts(b, "</text>");
    }
    /* marks; a label near the right edge goes to the left of its line */
    const struct { double x; const char *cls, *text; double y; } mk[2] = {
        {c->current, "cur", "current", T + h - 4}, {c->suggested, "sug", "suggested", T + 18}};
    for (int k = 0; k < 2; k++) {
        if (mk[k].x <= 0) continue;
        double x = PX(mk[k].x);
        int left = x > L + w * 0.7;
        buf_printf(b, "<path class=\"%s\" d=\"M%.1f %.1fV%.1f\"/><text class=\"mk\" x=\"%.1f\" y=\"%.1f\"%s>%s</text>",
                   mk[k].cls, x, T, T + h, left ? x - 3 : x + 3, mk[k].y, left ? " text-anchor=\"end\"" : "", mk[k].text);
    }
    /* the curve */
    if (c->npts) {
        buf_puts(b, "<polyline class=\"curve\" points=\"");
        for (int i = 0; i < c->npts; i++)
            buf_printf(b, "%s%.1f,%.1f", i ? " " : "", PX(c->pts[i].x), PY(c->pts[i].y));
        buf_puts(b, "\"/>");
        for (int i = 0; i < c->npts; i++)
            buf_printf(b, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\"/>", PX(c->pts[i].x), PY(c->pts[i].y));
    }
#undef PX
#undef PY
    buf_puts(b, "</svg>");
}
