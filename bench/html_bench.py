"""`make bench`: the HTML report (cache/report.html) of a generated repository of 5,000
functions (50 modules x 100; every 10th with an lru_cache, so 500 cached functions with a hazard
and source lines each, 5,000 rows of candidates): the page's size, the time `review cache` spends
writing it (with vs --no-html), and the time headless Chromium takes to load and lay it out
(--dump-dom), next to the same for an empty page in the same run. Best of N.

Usage: python3 bench/html_bench.py [--binary build/glintefy] [--runs 3]"""
import argparse
import os
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_repo(d):
    os.makedirs(os.path.join(d, "pkg"))
    open(os.path.join(d, "pkg", "__init__.py"), "w").close()
    for f in range(50):
        with open(os.path.join(d, "pkg", "m%02d.py" % f), "w") as fp:
            fp.write("import functools\n\n")
            for k in range(100):
                if k % 10 == 0:
                    fp.write("@functools.lru_cache(maxsize=%d)\n" % (32 * (k % 3 + 1)))
                fp.write("def f%d_%d(x, y=0):\n    s = 0\n    for i in range(x):\n        s += i * y\n"
                         "    return s + len(str(x))\n\n" % (f, k))


def best(runs, fn):
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "glintefy"))
    ap.add_argument("--runs", type=int, default=3)
    o = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="glintefy-html-bench-")
    try:
        repo = os.path.join(tmp, "repo")
        make_repo(repo)
        run = lambda *a: subprocess.run([o.binary, "review", "--repo", repo, "cache", "-q"] + list(a), check=True)
        with_html = best(o.runs, run)
        without = best(o.runs, lambda: run("--no-html"))
        run()
        page = os.path.join(repo, "LLM-CONTEXT", "glintefy", "review", "cache", "report.html")
        size = os.path.getsize(page)
        print("html bench: 5,000 functions, 500 caches: report.html %.2f MB; review cache %.3f s, %.3f s with --no-html "
              "(best of %d)" % (size / 1e6, with_html, without, o.runs))
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            print("html bench: render time SKIPPED: chromium not installed (make deps installs it)")
            return
        empty = os.path.join(tmp, "empty.html")
        with open(empty, "w") as fp:
            fp.write("<!DOCTYPE html><title>x</title>")
        load = lambda p: subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                                         "--user-data-dir=" + os.path.join(tmp, "prof"), "--dump-dom", "file://" + p],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        t_page = best(o.runs, lambda: load(page))
        t_empty = best(o.runs, lambda: load(empty))
        print("html bench: headless Chromium load + layout + DOM dump: %.2f s for the report, %.2f s for an empty page "
              "(difference %.2f s; best of %d)" % (t_page, t_empty, t_page - t_empty, o.runs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
