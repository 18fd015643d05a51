/* html.h - cache/report.html: the review in one self-contained page (inline CSS, inline SVG
 * charts from svg.c, a few lines of inline script for sorting tables; nothing from the network).
 * It is built from the files the analysis wrote (cache_analysis.json, cache_candidates.json,
 * cache_recommendations.json, perf/command.json) and the sources, read with jansson, so it does
 * not depend on the analysis' structures. Contents: docs/review-cache.md, "The HTML report". */
#ifndef GLINTEFY_HTML_H
#define GLINTEFY_HTML_H
#include <stddef.h>

typedef struct HtmlStats {
    size_t bytes;  /* size of the page */
    int charts;    /* <svg class="chart"> elements in it */
} HtmlStats;

/* Writes the report to path (atomically). repo: the sources; outdir: where the analysis wrote its
 * files; perfdir: review profile's directory. Returns 0 or an errno value (EINVAL when the
 * analysis files cannot be read). */
int html_write_report(const char *repo, const char *outdir, const char *perfdir, const char *path, HtmlStats *st);

#endif
