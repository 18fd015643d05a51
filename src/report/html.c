/* html.c - report.html (html.h). Everything it shows is read here, in one place, from the JSON
 * files of the analysis: that is the report's only interface to the rest of glintefy. */
#include "html.h"
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "../base/buf.h"
#include "../base/fileio.h"
#include "../base/xalloc.h"
#include "svg.h"

/* Rows per rejection reason: the stdlib has 58,000 rejected functions; their list is in
 * cache_candidates.json, the page keeps the best-scored of each reason. */
enum { HTML_MAX_REJECTED_ROWS = 1000 };

/* ---- the data: accessors over the analysis' JSON files -------------------------------------- */

typedef struct Data {
    json_t *analysis, *candidates, *recs, *command;
    char repo_abs[PATH_MAX];
    const char *perfdir;
    int charts;
} Data;

static json_t *load(const char *dir, const char *name) {
    Buf p = {0};
    buf_printf(&p, "%s/%s", dir, name);
    char *text;
    size_t n;
    json_t *j = NULL;
    if (file_read_all(p.data, &text, &n) == 0) { /* json_load_file reads by getc: 3x slower on 40 MB */
        j = json_loadb(text, n, 0, NULL);
        free(text);
    }
    buf_free(&p);
    return j;
}
static const char *js(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static double jd(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }
static int jhas(json_t *o, const char *k) { return json_object_get(o, k) != NULL && !json_is_null(json_object_get(o, k)); }

/* ---- pieces ---------------------------------------------------------------------------------- */

static void esc(Buf *b, const char *s) { svg_escape(b, s ? s : ""); }

/* A link to file:line: the file itself (file:// URL; browsers do not open a line). */
static void loc_link(Data *d, Buf *b, const char *file, long line) {
    buf_puts(b, "<a class=\"loc\" href=\"file://");
    const char *parts[2] = {d->repo_abs, file ? file : ""};
    for (int k = 0; k < 2; k++) {
        for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++) {
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/-_.~", *p))
                buf_putc(b, (char)*p);
            else
                buf_printf(b, "%%%02X", *p);
        }
        if (k == 0) buf_putc(b, '/');
    }
    buf_puts(b, "\">");
    esc(b, file);
    buf_printf(b, ":%ld</a>", line);
}

static void size_str(json_t *v, char *out, size_t n) {
    if (json_is_integer(v)) snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v)) snprintf(out, n, "%s", json_string_value(v));
    else snprintf(out, n, "-");
}

/* x of a size on the chart: "unbounded" is the number of distinct keys (where the curve ends). */
static double size_x(json_t *v, json_t *ev) {
    if (json_is_integer(v)) return (double)json_integer_value(v);
    if (json_is_string(v) && !strcmp(json_string_value(v), "unbounded")) {
        double k = jd(ev, "distinct_keys");
        json_t *c = json_object_get(ev, "curve");
        size_t n = json_array_size(c);
        if (n) {
            double last = jd(json_array_get(c, n - 1), "size");
            if (last > k) k = last;
        }
        return k > 0 ? k : 1;
    }
    return 0;
}

/* The two curves of an evidence object (docs/curves.md): miss ratio and time saved over size.
 * small: the miss-ratio chart only, smaller (the action list). */
static void curve_charts(Data *d, Buf *b, json_t *ev, const char *name, int small) {
    json_t *curve = json_object_get(ev, "curve");
    size_t n = json_array_size(curve);
    if (!n) return;
    SvgPoint *miss = xcalloc(n, sizeof *miss), *save = xcalloc(n, sizeof *save);
    double smax = 0;
    Buf dm = {0}, ds = {0};
    buf_printf(&dm, "Miss ratio by cache size for %s:", name);
    buf_printf(&ds, "Time saved by cache size for %s:", name);
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(curve, i);
        miss[i].x = save[i].x = jd(p, "size");
        miss[i].y = 100.0 - jd(p, "hit_rate_percent");
        save[i].y = jd(p, "saving_s");
        if (save[i].y > smax) smax = save[i].y;
        buf_printf(&dm, "%s size %.0f: %.1f%%", i ? "," : "", miss[i].x, miss[i].y);
        buf_printf(&ds, "%s size %.0f: %.6f s", i ? "," : "", save[i].x, save[i].y);
    }
    json_t *cur = json_object_get(ev, "current_maxsize"), *sug = json_object_get(ev, "suggested_maxsize");
    char cs[32], ss[32];
    size_str(cur, cs, sizeof cs);
    size_str(sug, ss, sizeof ss);
    if (jhas(ev, "current_maxsize")) buf_printf(&dm, ". Current size %s", cs);
    if (jhas(ev, "suggested_maxsize")) buf_printf(&dm, ". Suggested size %s", ss);
    buf_putc(&dm, '.');
    Buf t = {0};
    buf_printf(&t, "Miss ratio of %s by cache size", name);
    SvgChart c = {.width = small ? 300 : 340, .height = small ? 120 : 170, .title = t.data, .desc = dm.data,
                  .xlabel = "cache size (log scale)", .ylabel = "miss ratio", .ymax = 100, .ypercent = 1, .pts = miss,
                  .npts = (int)n, .current = size_x(cur, ev), .suggested = size_x(sug, ev)};
    buf_puts(b, "<figure class=\"charts\">");
    svg_chart(b, &c);
    d->charts++;
    if (!small) {
        t.len = 0;
        buf_printf(&t, "Time saved by a cache for %s, by cache size", name);
        c.title = t.data;
        c.desc = ds.data;
        c.ylabel = "time saved";
        c.ypercent = 0;
        c.ymax = smax > 0 ? smax * 1.1 : 1e-6;
        c.pts = save;
        svg_chart(b, &c);
        d->charts++;
    }
    buf_puts(b, "</figure>");
    buf_free(&t);
    buf_free(&dm);
    buf_free(&ds);
    free(miss);
    free(save);
}

/* hits/misses, distinct keys, time per call of an evidence object */
static void evidence_facts(Buf *b, json_t *ev) {
    if (!ev) return;
    buf_puts(b, "<dl class=\"facts\">");
    if (jhas(ev, "calls")) buf_printf(b, "<dt>calls</dt><dd>%.0f</dd>", jd(ev, "calls"));
    buf_printf(b, "<dt>hits / misses</dt><dd>%.0f / %.0f (%.1f%%)</dd>", jd(ev, "hits"), jd(ev, "misses"),
               jd(ev, "hit_rate_percent"));
    if (jhas(ev, "distinct_keys")) buf_printf(b, "<dt>distinct keys</dt><dd>%.0f</dd>", jd(ev, "distinct_keys"));
    if (jhas(ev, "time_per_call_s")) buf_printf(b, "<dt>time per call</dt><dd>%.3g s</dd>", jd(ev, "time_per_call_s"));
    char s[32];
    if (jhas(ev, "current_maxsize")) {
        size_str(json_object_get(ev, "current_maxsize"), s, sizeof s);
        buf_printf(b, "<dt>current size</dt><dd>%s</dd>", s);
    }
    if (jhas(ev, "suggested_maxsize")) {
        size_str(json_object_get(ev, "suggested_maxsize"), s, sizeof s);
        buf_printf(b, "<dt>suggested size</dt><dd>%s</dd>", s);
    }
    if (jhas(ev, "expected_saving_s"))
        buf_printf(b, "<dt>expected saving</dt><dd>%.3f s (%.1f%% of the run)</dd>", jd(ev, "expected_saving_s"),
                   jd(ev, "expected_saving_percent_of_run"));
    buf_puts(b, "</dl>");
}

/* The source lines around a hazard, the line itself marked. */
static void source_excerpt(Data *d, Buf *b, const char *file, long line) {
    Buf p = {0};
    buf_printf(&p, "%s/%s", d->repo_abs, file);
    char *text;
    size_t n;
    int e = file_read_all(p.data, &text, &n);
    buf_free(&p);
    if (e) return;
    buf_puts(b, "<pre class=\"src\">");
    long ln = 1;
    size_t i = 0;
    while (i < n && ln <= line + 2) {
        size_t j = i;
        while (j < n && text[j] != '\n') j++;
        if (ln >= line - 2) {
            buf_printf(b, "<span class=\"%s\">%s%5ld  ", ln == line ? "hl" : "ln", ln == line ? "&gt;" : " ", ln);
            char *l = xmalloc(j - i + 1);
            memcpy(l, text + i, j - i);
            l[j - i] = 0;
            if (j > i && l[j - i - 1] == '\r') l[j - i - 1] = 0;
            esc(b, l);
            free(l);
            buf_puts(b, "</span>\n");
        }
        i = j + 1;
        ln++;
    }
    buf_puts(b, "</pre>");
    free(text);
}

static void hazards(Data *d, Buf *b, json_t *x) {
    json_t *hz = json_object_get(x, "hazards"), *h;
    size_t i;
    if (!json_array_size(hz)) return;
    buf_puts(b, "<div class=\"hazards\"><h4>Hazards</h4>");
    json_array_foreach(hz, i, h) {
        buf_puts(b, "<p><strong>");
        esc(b, js(h, "code"));
        buf_puts(b, " ");
        esc(b, js(h, "name"));
        buf_puts(b, "</strong> at ");
        loc_link(d, b, js(x, "file"), (long)jd(h, "line"));
        buf_puts(b, ": ");
        esc(b, js(h, "message"));
        if (js(h, "detail")) {
            buf_puts(b, " (");
            esc(b, js(h, "detail"));
            buf_puts(b, ")");
        }
        buf_puts(b, "</p>");
        source_excerpt(d, b, js(x, "file"), (long)jd(h, "line"));
    }
    buf_puts(b, "</div>");
}

static void badge(Buf *b, const char *kind) {
    buf_puts(b, "<span class=\"badge b-");
    esc(b, kind);
    buf_puts(b, "\">");
    esc(b, kind);
    buf_puts(b, "</span>");
}

/* ---- the page -------------------------------------------------------------------------------- */

static const char CSS[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#111;background:#fff;margin:0 auto;max-width:1100px;padding:16px 24px}"
    "h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;border-bottom:2px solid #333;padding-bottom:2px;margin-top:28px}"
    "h3{font-size:15px;margin:0 0 4px}h4{font-size:13px;margin:8px 0 2px}"
    "table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top}"
    "th{background:#e6e6e6}table.sortable th{cursor:pointer}th[aria-sort=ascending]::after{content:' \\25B2'}"
    "th[aria-sort=descending]::after{content:' \\25BC'}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".run td:first-child{width:160px;font-weight:600}"
    ".fn{border:1px solid #888;border-radius:4px;padding:8px 12px;margin:10px 0;page-break-inside:avoid}"
    "section.fn{content-visibility:auto;contain-intrinsic-size:auto 420px}"
    ".badge{display:inline-block;font-weight:700;font-size:12px;padding:0 6px;border:2px solid #111;border-radius:3px;margin-right:6px}"
    ".b-ADD_CACHE{background:#111;color:#fff}.b-REMOVE{border-style:dashed}.b-ADJUST_SIZE{border-style:double;border-width:3px}"
    ".b-KEEP,.b-NOT_RECOMMENDED{border-color:#777;color:#444}"
    ".reason{margin:4px 0}.charts{margin:4px 0;display:flex;flex-wrap:wrap;gap:12px}"
    ".chart{background:#fff}.chart .axis{stroke:#111;fill:none}.chart .grid{stroke:#ccc;fill:none}"
    ".chart .tick,.chart .lab,.chart .mk{font-size:10px;fill:#222}.chart .lab{font-weight:600}"
    ".chart .curve{fill:none;stroke:#1a1a8c;stroke-width:2}.chart .pt{fill:#1a1a8c}"
    ".chart .cur{stroke:#000;stroke-width:1.5;stroke-dasharray:6 3}.chart .sug{stroke:#000;stroke-width:2.5;stroke-dasharray:1.5 3}"
    ".facts{display:grid;grid-template-columns:max-content auto;gap:0 12px;margin:4px 0}.facts dt{font-weight:600}.facts dd{margin:0}"
    "pre.src{background:#f3f3f3;border-left:3px solid #555;padding:4px 8px;overflow-x:auto;font-size:12px;margin:2px 0 8px}"
    "pre.src .hl{font-weight:700;text-decoration:underline}"
    ".warn{border:2px solid #111;padding:4px 8px;margin:6px 0}.muted{color:#555}"
    "details{margin:4px 0}summary{cursor:pointer;font-weight:600}a.loc{color:#0645ad}"
    "@media print{body{max-width:none;padding:0}a.loc{color:#000;text-decoration:none}.fn{border-color:#000}}";

static const char SCRIPT[] =
    "document.querySelectorAll('table.sortable th').forEach(function(th){th.tabIndex=0;"
    "var go=function(){var t=th.closest('table'),b=t.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode.children,th),"
    "asc=th.getAttribute('aria-sort')!=='ascending',rows=Array.prototype.slice.call(b.rows);"
    "rows.sort(function(a,c){var x=a.cells[i].getAttribute('data-v'),y=c.cells[i].getAttribute('data-v'),r;"
    "if(x!==null&&y!==null)r=parseFloat(x)-parseFloat(y);else r=a.cells[i].textContent.localeCompare(c.cells[i].textContent);"
    "return asc?r:-r;});rows.forEach(function(r){b.appendChild(r);});"
    "th.parentNode.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');};"
    "th.addEventListener('click',go);th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});});";

static void run_info(Data *d, Buf *b) {
    json_t *rd = json_object_get(d->analysis, "runtime_data"), *counts = json_object_get(d->analysis, "counts");
    buf_puts(b, "<h2 id=\"run\">The run</h2><table class=\"run\"><tbody>");
    buf_puts(b, "<tr><td>repository</td><td>");
    esc(b, d->repo_abs);
    buf_puts(b, "</td></tr><tr><td>command profiled</td><td>");
    json_t *argv = json_object_get(d->command, "argv"), *a;
    size_t i;
    if (json_array_size(argv)) {
        buf_puts(b, "<code>");
        json_array_foreach(argv, i, a) {
            if (i) buf_putc(b, ' ');
            esc(b, json_string_value(a));
        }
        buf_puts(b, "</code> in ");
        esc(b, js(d->command, "cwd"));
    } else
        buf_puts(b, "<span class=\"muted\">none recorded (glintefy review profile -- CMD records it)</span>");
    buf_puts(b, "</td></tr>");
    const char *py = js(d->command, "python");
    buf_puts(b, "<tr><td>Python</td><td>");
    if (py) esc(b, py);
    else buf_puts(b, "<span class=\"muted\">not recorded</span>");
    buf_puts(b, "</td></tr>");
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    buf_printf(b, "<tr><td>report written</td><td>%s</td></tr>", when);
    /* processes: one trace file per traced process */
    Buf tp = {0};
    buf_printf(&tp, "%s/traces", d->perfdir);
    int ntr = (int)jd(d->recs, "traces");
    buf_free(&tp);
    buf_printf(b, "<tr><td>processes traced</td><td>%d (argument-key trace files in perf/traces)</td></tr>", ntr);
    json_t *profs = json_object_get(rd, "profiles"), *pf;
    buf_puts(b, "<tr><td>profile</td><td>");
    if (!json_array_size(profs)) buf_puts(b, "<span class=\"muted\">none</span>");
    json_array_foreach(profs, i, pf) {
        struct stat sb;
        const char *path = json_string_value(pf);
        if (i) buf_puts(b, "<br>");
        esc(b, path);
        if (path && stat(path, &sb) == 0) {
            struct tm mt;
            char ms[64];
            gmtime_r(&sb.st_mtime, &mt);
            strftime(ms, sizeof ms, "%Y-%m-%d %H:%M UTC", &mt);
            buf_printf(b, " (%lld bytes, written %s)", (long long)sb.st_size, ms);
        }
    }
    if (json_array_size(profs))
        buf_printf(b, "; %.0f rows, %.0f joined to functions", jd(rd, "profile_rows"), jd(rd, "profile_rows_joined"));
    buf_puts(b, "</td></tr>");
    if (jhas(d->recs, "run_seconds")) buf_printf(b, "<tr><td>run time</td><td>%.3f s</td></tr>", jd(d->recs, "run_seconds"));
    buf_printf(b, "<tr><td>data</td><td>%s</td></tr>", !strcmp(js(rd, "mode") ? js(rd, "mode") : "", "static") ? "static analysis only" : "measured (profile, cache statistics and/or traces)");
    buf_printf(b, "<tr><td>analysed</td><td>%.0f files (%.0f skipped), %.0f functions (%.0f pure), %.0f existing caches</td></tr>",
               jd(counts, "files"), jd(counts, "files_skipped"), jd(counts, "functions"), jd(counts, "pure"),
               jd(counts, "existing_caches"));
    buf_puts(b, "</tbody></table>");
    json_t *warns = json_object_get(rd, "warnings"), *w;
    json_array_foreach(warns, i, w) {
        buf_puts(b, "<p class=\"warn\" role=\"note\"><strong>Warning:</strong> ");
        esc(b, json_string_value(w));
        buf_puts(b, "</p>");
    }
}

static void actions(Data *d, Buf *b) {
    json_t *recs = json_object_get(d->recs, "recommendations"), *r;
    size_t i;
    buf_printf(b, "<h2 id=\"actions\">Actions (%zu)</h2>", json_array_size(recs));
    if (!json_array_size(recs)) {
        buf_puts(b, "<p>No action: ");
        if (jd(d->recs, "traces") > 0) buf_puts(b, "the measured calls show no cache to add, resize or remove.");
        else buf_puts(b, "actions need measured calls; run <code>glintefy review profile -- CMD</code>, then <code>glintefy review cache</code>.");
        buf_puts(b, "</p>");
        return;
    }
    buf_puts(b, "<p>Apply them with <code>glintefy review cache --diff</code> (a patch to review) or <code>--fix</code>.</p>");
    double total = 0;
    json_array_foreach(recs, i, r) {
        json_t *ev = json_object_get(r, "evidence");
        buf_puts(b, "<article class=\"fn\"><h3>");
        badge(b, js(r, "recommendation"));
        loc_link(d, b, js(r, "file"), (long)jd(r, "line"));
        buf_puts(b, " <code>");
        esc(b, js(r, "qualname"));
        buf_puts(b, "</code>");
        if (js(r, "decorator")) {
            buf_puts(b, " &rarr; <code>");
            esc(b, js(r, "decorator"));
            buf_puts(b, "</code>");
        }
        buf_puts(b, "</h3><p class=\"reason\">");
        esc(b, js(r, "reason"));
        buf_puts(b, "</p>");
        if (jhas(ev, "expected_saving_s")) {
            buf_printf(b, "<p>Expected saving: <strong>%.3f s</strong> (%.1f%% of the run)</p>", jd(ev, "expected_saving_s"),
                       jd(ev, "expected_saving_percent_of_run"));
            if (!strcmp(js(r, "recommendation") ? js(r, "recommendation") : "", "ADD_CACHE")) total += jd(ev, "expected_saving_s");
        }
        curve_charts(d, b, ev, js(r, "qualname") ? js(r, "qualname") : "?", 1);
        buf_puts(b, "</article>");
    }
    if (total > 0) buf_printf(b, "<p>Expected saving of the new caches: <strong>%.3f s</strong></p>", total);
}

/* A function's section up to its charts (the caller adds what follows and closes it): verdict
 * badge, file:line link and qualname from `where`, reason and evidence from `verdict`. */
static void fn_section(Data *d, Buf *b, char kind, size_t i, json_t *where, json_t *verdict) {
    json_t *ev = json_object_get(verdict, "evidence");
    buf_printf(b, "<section class=\"fn\" id=\"%c%zu\"><h3>", kind, i);
    badge(b, js(verdict, "recommendation"));
    loc_link(d, b, js(where, "file"), (long)jd(where, "line"));
    buf_puts(b, " <code>");
    esc(b, js(where, "qualname"));
    buf_puts(b, "</code></h3><p class=\"reason\">");
    esc(b, js(verdict, "reason"));
    buf_puts(b, "</p>");
    evidence_facts(b, ev);
    curve_charts(d, b, ev, js(where, "qualname") ? js(where, "qualname") : "?", 0);
}

static void existing(Data *d, Buf *b) {
    json_t *xs = json_object_get(d->analysis, "existing_caches"), *x;
    size_t i;
    buf_printf(b, "<h2 id=\"existing\">Existing caches (%zu)</h2>", json_array_size(xs));
    if (!json_array_size(xs)) {
        buf_puts(b, "<p>None in the repository.</p>");
        return;
    }
    buf_puts(b, "<table class=\"sortable\"><thead><tr><th>verdict</th><th>location</th><th>function</th><th>decorator</th>"
                "<th>maxsize</th><th>hits</th><th>misses</th><th>hit rate</th><th>hazards</th><th>evidence</th></tr></thead><tbody>");
    json_array_foreach(xs, i, x) {
        json_t *ev = json_object_get(x, "evidence");
        char ms[32];
        size_str(json_object_get(x, "current_maxsize"), ms, sizeof ms);
        buf_puts(b, "<tr><td>");
        esc(b, js(x, "recommendation"));
        buf_puts(b, "</td><td>");
        loc_link(d, b, js(x, "file"), (long)jd(x, "line"));
        buf_printf(b, "</td><td><a href=\"#x%zu\">", i);
        esc(b, js(x, "qualname"));
        buf_puts(b, "</a></td><td>");
        esc(b, js(x, "decorator"));
        buf_printf(b, "</td><td>%s</td><td class=\"n\" data-v=\"%.0f\">%.0f</td><td class=\"n\" data-v=\"%.0f\">%.0f</td>"
                      "<td class=\"n\" data-v=\"%.1f\">%.1f%%</td><td class=\"n\" data-v=\"%zu\">%zu</td><td>",
                   ms, jd(ev, "hits"), jd(ev, "hits"), jd(ev, "misses"), jd(ev, "misses"), jd(ev, "hit_rate_percent"),
                   jd(ev, "hit_rate_percent"), json_array_size(json_object_get(x, "hazards")),
                   json_array_size(json_object_get(x, "hazards")));
        esc(b, js(x, "source"));
        buf_puts(b, "</td></tr>");
    }
    buf_puts(b, "</tbody></table>");
    json_array_foreach(xs, i, x) {
        fn_section(d, b, 'x', i, x, x);
        hazards(d, b, x);
        buf_puts(b, "</section>");
    }
}

static void traced_candidates(Data *d, Buf *b) {
    json_t *cs = json_object_get(d->candidates, "candidates"), *c;
    size_t i, n = 0;
    json_array_foreach(cs, i, c) n += json_object_get(c, "trace") != NULL;
    buf_printf(b, "<h2 id=\"traced\">Traced candidates (%zu)</h2>", n);
    if (!n) {
        buf_puts(b, "<p>No function without a cache was traced.</p>");
        return;
    }
    json_array_foreach(cs, i, c) {
        json_t *t = json_object_get(c, "trace");
        if (!t) continue;
        fn_section(d, b, 't', i, c, t);
        buf_puts(b, "</section>");
    }
}

static void candidate_row(Data *d, Buf *b, json_t *c, int rejected) {
    json_t *p = json_object_get(c, "profile");
    buf_puts(b, "<tr>");
    if (!rejected) buf_printf(b, "<td class=\"n\" data-v=\"%.0f\">%.0f</td>", jd(c, "rank"), jd(c, "rank"));
    buf_puts(b, "<td>");
    loc_link(d, b, js(c, "file"), (long)jd(c, "line"));
    buf_puts(b, "</td><td>");
    esc(b, js(c, "qualname"));
    buf_printf(b, "</td><td class=\"n\" data-v=\"%.2f\">%.2f</td><td class=\"n\" data-v=\"%.0f\">%.0f</td>", jd(c, "score"),
               jd(c, "score"), jd(c, "call_sites"), jd(c, "call_sites"));
    if (p && !json_is_null(p))
        buf_printf(b, "<td class=\"n\" data-v=\"%.0f\">%.0f</td><td class=\"n\" data-v=\"%.6f\">%.4f</td>", jd(p, "calls"),
                   jd(p, "calls"), jd(p, "cumtime"), jd(p, "cumtime"));
    else
        buf_puts(b, "<td class=\"n\" data-v=\"-1\">-</td><td class=\"n\" data-v=\"-1\">-</td>");
    if (rejected) {
        buf_puts(b, "<td>");
        json_t *rs = json_object_get(c, "rejected_because"), *r;
        size_t i;
        json_array_foreach(rs, i, r) {
            if (i) buf_puts(b, "; ");
            esc(b, js(r, "code"));
            if (js(r, "detail")) {
                buf_puts(b, " ");
                esc(b, js(r, "detail"));
            }
        }
        buf_puts(b, "</td>");
    }
    buf_puts(b, "</tr>");
}

static void candidates(Data *d, Buf *b) {
    json_t *cs = json_object_get(d->candidates, "candidates"), *codes = json_object_get(d->candidates, "codes"), *c;
    size_t i, nacc = 0;
    json_array_foreach(cs, i, c) nacc += !strcmp(js(c, "verdict") ? js(c, "verdict") : "", "ADD_CACHE");
    buf_printf(b, "<h2 id=\"candidates\">Candidates for a new cache (%zu of %zu functions)</h2>", nacc, json_array_size(cs));
    if (nacc) {
        buf_puts(b, "<table class=\"sortable\"><thead><tr><th>rank</th><th>location</th><th>function</th><th>score</th>"
                    "<th>call sites</th><th>calls</th><th>cumulative s</th></tr></thead><tbody>");
        json_array_foreach(cs, i, c) if (!strcmp(js(c, "verdict") ? js(c, "verdict") : "", "ADD_CACHE")) candidate_row(d, b, c, 0);
        buf_puts(b, "</tbody></table>");
    }
    /* rejected, grouped by their first reason (looked up once: 58,000 candidates on the stdlib) */
    const char **first = xcalloc(json_array_size(cs) + 1, sizeof *first);
    size_t *count = xcalloc(json_object_size(codes) + 1, sizeof *count);
    json_array_foreach(cs, i, c) first[i] = js(json_array_get(json_object_get(c, "rejected_because"), 0), "code");
    {
        /* each first code once through the hash table, counted per code; then the groups need
         * only the candidates of their code (pointer compares against the key) */
        json_t *idx = json_object();
        const char *k;
        json_t *v;
        size_t ci = 0;
        json_object_foreach(codes, k, v) json_object_set_new(idx, k, json_integer((json_int_t)ci++));
        json_array_foreach(cs, i, c) {
            json_t *at = first[i] ? json_object_get(idx, first[i]) : NULL;
            if (at) count[json_integer_value(at)]++;
            else first[i] = NULL;
        }
        json_decref(idx);
    }
    size_t ci = 0;
    buf_printf(b, "<h2 id=\"rejected\">Rejected candidates (%zu), by reason</h2>", json_array_size(cs) - nacc);
    const char *key;
    json_t *desc;
    json_object_foreach(codes, key, desc) {
        size_t n = count[ci++];
        if (!n) continue;
        buf_puts(b, "<details><summary>");
        esc(b, key);
        buf_puts(b, " ");
        esc(b, js(desc, "name"));
        buf_printf(b, " &mdash; %zu function%s: ", n, n == 1 ? "" : "s");
        esc(b, js(desc, "message"));
        buf_puts(b, "</summary><table class=\"sortable\"><thead><tr><th>location</th><th>function</th><th>score</th>"
                    "<th>call sites</th><th>calls</th><th>cumulative s</th><th>reasons</th></tr></thead><tbody>");
        size_t shown = 0;
        json_array_foreach(cs, i, c) if (first[i] && !strcmp(first[i], key) && shown++ < HTML_MAX_REJECTED_ROWS) candidate_row(d, b, c, 1);
        buf_puts(b, "</tbody></table>");
        if (n > HTML_MAX_REJECTED_ROWS)
            buf_printf(b, "<p class=\"muted\">%zu more in cache_candidates.json (the page lists %d per reason, by rank "
                          "score, so that it stays fast on large repositories)</p>", n - HTML_MAX_REJECTED_ROWS, HTML_MAX_REJECTED_ROWS);
        buf_puts(b, "</details>");
    }
    free(first);
    free(count);
}

int html_write_report(const char *repo, const char *outdir, const char *perfdir, const char *path, HtmlStats *st) {
    Data d = {0};
    d.perfdir = perfdir;
    if (!realpath(repo, d.repo_abs)) snprintf(d.repo_abs, sizeof d.repo_abs, "%s", repo);
    d.analysis = load(outdir, "cache_analysis.json");
    d.candidates = load(outdir, "cache_candidates.json");
    d.recs = load(outdir, "cache_recommendations.json");
    d.command = load(perfdir, "command.json");
    int e = 0;
    if (!d.analysis || !d.candidates || !d.recs) {
        e = EINVAL;
        goto done;
    }
    Buf b = {0};
    buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                 "script-src 'unsafe-inline'; img-src data:\">"
                 "<title>glintefy cache report</title><style>");
    buf_puts(&b, CSS);
    buf_puts(&b, "</style></head><body><h1>glintefy cache report</h1><p class=\"muted\">");
    esc(&b, js(d.analysis, "tool"));
    buf_puts(&b, " &middot; <a href=\"#actions\">actions</a> &middot; <a href=\"#existing\">existing caches</a> &middot; "
                 "<a href=\"#traced\">traced candidates</a> &middot; <a href=\"#candidates\">candidates</a> &middot; "
                 "<a href=\"#rejected\">rejected</a> &middot; charts: miss ratio and time saved over cache size (log "
                 "scale); dashed line: current size, dotted line: suggested size</p>");
    run_info(&d, &b);
    actions(&d, &b);
    existing(&d, &b);
    traced_candidates(&d, &b);
    candidates(&d, &b);
    buf_puts(&b, "<script>");
    buf_puts(&b, SCRIPT);
    buf_puts(&b, "</script></body></html>\n");
    e = file_write_atomic(path, b.data, b.len);
    if (st) {
        st->bytes = b.len;
        st->charts = d.charts;
    }
    buf_free(&b);
done:
    json_decref(d.analysis);
    json_decref(d.candidates);
    json_decref(d.recs);
    json_decref(d.command);
    return e;
}
