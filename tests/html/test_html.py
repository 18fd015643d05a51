"""cache/report.html (src/report/html.c, svg.c): written by `review cache` on the example project
with traces; self-contained (nothing from the network); one chart per action and two per cached
or traced function with a curve; deterministic apart from the time it was written; --html PATH and
--no-html. Then loaded in headless Chromium (installed by `make deps`): no console message, the
expected number of charts in the DOM after the script ran, and a screenshot in
build/report-screenshot.png (docs/report-screenshot.png with GLINTEFY_UPDATE_SCREENSHOT=1). Without chromium the browser part is reported as skipped.
Called by tests/check.py (suite "html")."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join("LLM-CONTEXT", "glintefy", "review", "cache")


def ck(s, cond, what):
    return s.check(cond, what.split("\n")[0], what)


def run(binary, args, cwd):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"), GLINTEFY_BIN=binary)
    return subprocess.run([binary] + args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def expected_charts(out):
    recs = json.load(open(os.path.join(out, "cache_recommendations.json")))["recommendations"]
    ana = json.load(open(os.path.join(out, "cache_analysis.json")))
    cands = json.load(open(os.path.join(out, "cache_candidates.json")))["candidates"]
    n = sum(1 for r in recs if r.get("evidence", {}).get("curve"))
    n += 2 * sum(1 for x in ana["existing_caches"] if x.get("evidence", {}).get("curve"))
    n += 2 * sum(1 for c in cands if c.get("trace", {}).get("evidence", {}).get("curve"))
    return n


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def browser(exe, args, url, tmp):
    """Runs headless Chromium on url; returns (stdout, the console lines it logged)."""
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
           "--v=0", "--user-data-dir=" + os.path.join(tmp, "chromium-profile")] + args + [url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    return r.stdout, [l for l in r.stderr.splitlines() if ":CONSOLE" in l]


def test_report(s, binary, tmp):
    repo = os.path.join(tmp, "shop-repo")
    shutil.copytree(os.path.join(ROOT, "examples", "shop"), os.path.join(repo, "shop"))
    shutil.copy(os.path.join(ROOT, "examples", "workload.py"), repo)
    r = run(binary, ["review", "profile", "--", sys.executable, "workload.py", "300"], repo)
    ck(s, r.returncode == 0, "review profile: %s" % r.stderr[-500:])
    r = run(binary, ["review", "cache"], repo)
    out = os.path.join(repo, OUT)
    page_path = os.path.join(out, "report.html")
    ck(s, r.returncode == 0 and os.path.exists(page_path), "review cache writes report.html: %s" % r.stderr[-500:])
    ck(s, "report.html" in r.stderr, "the text run names the report")
    page = open(page_path, encoding="utf-8").read()
    ck(s, not re.search(r'(src|href)\s*=\s*"(https?:)?//', page) and "<link" not in page and "@import" not in page
       and "url(" not in page, "nothing from the network")
    ck(s, "<script src" not in page, "no external script")
    want = expected_charts(out)
    ck(s, want >= 10, "the example has curves to draw (%d charts)" % want)
    ck(s, page.count('<svg class="chart"') == want, "charts in the page: %d, expected %d" % (page.count('<svg class="chart"'), want))
    svgs = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
    ck(s, all("<title>" in x and "<desc>" in x and 'role="img"' in x and "aria-label=" in x for x in svgs),
       "every chart has a text alternative")
    # the marks: a chart marks the current/suggested size exactly when its function has one (its
    # text alternative says so); the example's charts have at least one of them
    ck(s, all(("Current size" in x) == ('class="cur"' in x) and ("Suggested size" in x) == ('class="sug"' in x)
              for x in svgs if "Miss ratio" in x), "marks match the sizes stated in the text alternative")
    ck(s, sum('class="cur"' in x or 'class="sug"' in x for x in svgs) >= want // 2, "most charts mark a size")
    for needle in ("tax_rate", "shipping_cost", "C202", "order_key", "Rejected candidates", 'class="sortable"',
                   "self.items[sku]"):
        ck(s, needle in page, "the report shows %s" % needle)
    ck(s, page.index('id="actions"') < page.index('id="existing"') < page.index('id="rejected"'), "actions come first")
    # deterministic: a second run gives the same page but for the time it was written
    r = run(binary, ["review", "cache", "-q"], repo)
    again = open(page_path, encoding="utf-8").read()
    strip = lambda t: re.sub(r"report written</td><td>[^<]*", "", t)
    ck(s, strip(page) == strip(again), "the same analysis gives the same page")
    other = os.path.join(tmp, "elsewhere.html")
    r = run(binary, ["review", "cache", "-q", "--html", other], repo)
    ck(s, r.returncode == 0 and os.path.exists(other), "--html PATH")
    os.remove(page_path)
    r = run(binary, ["review", "cache", "-q", "--no-html"], repo)
    ck(s, r.returncode == 0 and not os.path.exists(page_path), "--no-html")
    r = run(binary, ["review", "cache", "-q"], repo)
    return page_path, want


def test_browser(s, page_path, want, tmp):
    exe = chromium()
    if not exe:
        s.notes.append("browser checks SKIPPED: chromium not installed (make deps installs it)")
        print("SKIP html: chromium not installed: the report was not loaded in a browser")
        return
    # the console check itself: a page with an error must be caught
    ctl = os.path.join(tmp, "control.html")
    with open(ctl, "w") as f:
        f.write("<html><body><script>console.error('control'); nope();</script></body></html>")
    _, console = browser(exe, ["--dump-dom"], "file://" + ctl, tmp)
    ck(s, len(console) >= 2, "console messages are seen (control page): %s" % console)
    dom, console = browser(exe, ["--dump-dom"], "file://" + page_path, tmp)
    ck(s, not console, "no console message loading the report: %s" % console[:5])
    ck(s, dom.count('<svg class="chart"') == want, "charts in the DOM: %d, expected %d" % (dom.count('<svg class="chart"'), want))
    ck(s, 'tabindex="0"' in dom, "the sorting script ran (headers focusable)")
    # build/ keeps the latest one; the committed docs/ picture changes only when asked
    # (GLINTEFY_UPDATE_SCREENSHOT=1), so that a test run leaves the work tree clean
    shot = os.path.join(ROOT, "docs" if os.environ.get("GLINTEFY_UPDATE_SCREENSHOT") else "build", "report-screenshot.png")
    tmpshot = os.path.join(tmp, "shot.png")
    browser(exe, ["--window-size=1100,2200", "--screenshot=" + tmpshot], "file://" + page_path, tmp)
    ok = os.path.exists(tmpshot) and open(tmpshot, "rb").read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(tmpshot) > 20000
    ck(s, ok, "a screenshot was taken")
    if ok:
        os.makedirs(os.path.dirname(shot), exist_ok=True)
        shutil.copy(tmpshot, shot)


def test_large_repo(s, binary, tmp):
    """Past 20,000 functions the page (read back from the per-function lists) is written only
    when asked for: on the standard library it took three times the whole analysis. A page of an
    earlier run is removed, and the run says why there is none."""
    repo = os.path.join(tmp, "large")
    os.makedirs(repo)
    with open(os.path.join(repo, "many.py"), "w") as f:
        f.write("".join("def f%d(x):\n    return x + %d\n" % (i, i) for i in range(20001)))
    out = os.path.join(repo, "LLM-CONTEXT", "glintefy", "review", "cache")
    os.makedirs(out)
    with open(os.path.join(out, "report.html"), "w") as f:
        f.write("stale")
    r = run(binary, ["review", "cache"], repo)
    ck(s, r.returncode == 0 and not os.path.exists(os.path.join(out, "report.html"))
       and "report.html not written: 20001 functions" in r.stderr, "large repository: no page by default, said why: %r"
       % r.stderr[-300:])
    page = os.path.join(tmp, "large.html")
    r = run(binary, ["review", "cache", "-q", "--html", page], repo)
    ck(s, r.returncode == 0 and os.path.getsize(page) > 1000, "large repository: --html PATH writes it")


def run_all(s, binary):
    binary = os.path.join(ROOT, binary)
    tmp = tempfile.mkdtemp(prefix="glintefy-html-")
    try:
        page_path, want = test_report(s, binary, tmp)
        test_browser(s, page_path, want, tmp)
        test_large_repo(s, binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
