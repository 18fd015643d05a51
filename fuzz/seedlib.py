"""What every fuzz seed script (fuzz/seed_*.py) does the same way: read the saved regressions of
a target and write a corpus of inputs, each named by the SHA-1 of its bytes (a file already in
the corpus is kept)."""
import hashlib
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def regressions(*parts):
    """The saved inputs under ROOT/parts..., sorted by name, without their README.md."""
    reg = os.path.join(ROOT, *parts)
    out = []
    for name in sorted(os.listdir(reg)) if os.path.isdir(reg) else []:
        path = os.path.join(reg, name)
        if not name.endswith(".md") and os.path.isfile(path):
            with open(path, "rb") as fp:
                out.append(fp.read())
    return out


def write(dst, items, label):
    """Writes items (bytes) into dst; prints how many there are and how many were new."""
    os.makedirs(dst, exist_ok=True)
    added = 0
    for data in items:
        path = os.path.join(dst, hashlib.sha1(data).hexdigest())
        if not os.path.exists(path):
            with open(path, "wb") as fp:
                fp.write(data)
            added += 1
    print("  SEED    %s: %d inputs (%d new) in %s" % (label, len(items), added, dst))
