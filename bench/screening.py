"""Screening quality on the public name benchmark (nomenklatura's name_bench cases).

    python -m bench.screening [--threshold 0.7]

Prints precision, recall and F1 at the threshold and at the best threshold, beside the
anchor OpenSanctions logic-v2 F1 0.796 measured the same way (threshold 0.70; see
../shared/data/README.md), and the pairs per second.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from accord.screening.score import compare

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "name-bench-cases.csv"


def f1(scores: list[tuple[float, bool]], threshold: float) -> tuple[float, float, float]:
    tp = sum(1 for s, m in scores if s >= threshold and m)
    fp = sum(1 for s, m in scores if s >= threshold and not m)
    fn = sum(1 for s, m in scores if s < threshold and m)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall)) if tp else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=0.7)
    args = parser.parse_args()
    rows = list(csv.DictReader(CASES.open(encoding="utf-8")))
    start = time.perf_counter()
    scores = [(compare(r["name1"], r["name2"]).score, r["is_match"] == "true") for r in rows]
    rate = len(rows) / (time.perf_counter() - start)
    p, r, f = f1(scores, args.threshold)
    best = max((f1(scores, t / 100) + (t / 100,) for t in range(30, 100)), key=lambda x: x[2])
    print(f"name-bench-cases: {len(rows)} pairs, {rate:,.0f} pairs/s on one core")
    print("| threshold | precision | recall | F1 | logic-v2 F1 (anchor) |\n|---|---|---|---|---|")
    print(f"| {args.threshold:.2f} | {p:.3f} | {r:.3f} | {f:.3f} | 0.796 |")
    print(f"| best {best[3]:.2f} | {best[0]:.3f} | {best[1]:.3f} | {best[2]:.3f} | |")


if __name__ == "__main__":
    main()
