"""Fills DIR (default build/fuzz-corpus) with a seed corpus for `make fuzz`: a few hundred
small standard-library files, the golden test inputs and the saved fuzz regressions.
Files already in DIR (what the fuzzer found before) are kept."""
import hashlib
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "lib"))
import testlib  # noqa: E402

MAX_BYTES = 8 * 1024
MAX_STDLIB = 400


def add(src, dst_dir):
    with open(src, "rb") as fp:
        data = fp.read()
    name = hashlib.sha1(data).hexdigest()
    dst = os.path.join(dst_dir, name)
    if not os.path.exists(dst):
        shutil.copyfile(src, dst)
        return 1
    return 0


def main(dst):
    os.makedirs(dst, exist_ok=True)
    top = testlib.stdlib_dir()
    small = [r for r in testlib.stdlib_files() if os.path.getsize(os.path.join(top, r)) <= MAX_BYTES]
    step = max(1, len(small) // MAX_STDLIB)
    added = sum(add(os.path.join(top, r), dst) for r in small[::step][:MAX_STDLIB])
    for sub in ("tests/golden", "tests/fuzz-regressions"):
        for d, _, files in os.walk(os.path.join(testlib.ROOT, sub)):
            for f in files:
                if sub.endswith("regressions") and f == "README.md":
                    continue
                if sub.endswith("golden") and not f.endswith(".py"):
                    continue
                added += add(os.path.join(d, f), dst)
    print("  SEED    %s: %d files (%d new)" % (dst, len(os.listdir(dst)), added))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(testlib.ROOT, "build", "fuzz-corpus"))
