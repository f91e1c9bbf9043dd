"""Fail when a Python module is over the hard cap of 800 lines.

Covers the product, the benchmarks, the examples and the tests. The rule (soft cap 400, hard cap
800, split by concept) is in ``docs/contributing.md``; the soft cap stays advisory (reviewers ask
for a split by concept), so it is not checked here.
"""

from __future__ import annotations

import pathlib
import sys

HARD_CAP = 800
ROOTS = ("aim_engine", "controllers", "benchmarks", "examples", "tests")


def main() -> int:
    """Print every module over the cap and return 1 if there is one."""
    top = pathlib.Path(__file__).resolve().parent.parent
    bad = []
    for root in ROOTS:
        for path in sorted((top / root).rglob("*.py")):
            if "generated" in path.parts:
                continue
            n = sum(1 for _ in path.open(encoding="utf-8"))
            if n > HARD_CAP:
                bad.append(f"{path.relative_to(top)}: {n} lines (cap {HARD_CAP})")
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
