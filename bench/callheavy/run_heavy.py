"""The call-heavy bench workload: about 1.1 M calls to candidate functions (gcd ~530 k, area 250 k,
norm1 200 k, label 100 k).
Usage: python3 run_heavy.py [SCALE]"""
import sys

from heavy.core import Shape, Vec, area, gcd, label


def main(scale):
    total = 0
    for i in range(1, 60000 * scale):
        total += gcd(i * 7919 % 100003, i % 9973 + 1)
    shapes = [Shape(i % 97, i % 13) for i in range(1000)]
    for _ in range(250 * scale):
        for s in shapes:
            total += area(s)
    vs = [Vec(i, -i) for i in range(1000)]
    for _ in range(200 * scale):
        for v in vs:
            total += v.norm1()
    for i in range(100000 * scale):
        total += len(label(i))
    print(total)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
