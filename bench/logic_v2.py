"""The logic-v2 baseline: OpenSanctions' nomenklatura matcher, measured as Accord is.

Run by ``make bench-screening`` with its own interpreter (.venv-logic-v2, from
requirements/bench-logic-v2.txt), since nomenklatura is a benchmark-only dependency:

    .venv-logic-v2/bin/python bench/logic_v2.py [--threshold 0.7]

Prints one JSON object: the time to the first score (warm-up), pairs per second, precision,
recall and F1 at the threshold and at the best threshold on the public name benchmark, and
the issue's two cross-script examples. It imports nothing from Accord, only
bench/metrics.py beside it.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import time
from pathlib import Path

from metrics import f1  # bench/metrics.py, beside this script (its own interpreter)

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "name-bench-cases.csv"
SCHEMATA = {"Company", "Organization", "LegalEntity", "Person", "Vessel"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=0.7)
    args = parser.parse_args()
    start = time.perf_counter()
    from followthemoney import model
    from nomenklatura.matching import LogicV2

    config = LogicV2.default_config()

    def entity(schema: str, name: str, key: str) -> object:
        made = model.make_entity(schema if schema in SCHEMATA else "LegalEntity")
        made.id = key
        made.add("name", name)
        return made

    counter = iter(range(10**9))

    def score(schema: str, left: str, right: str) -> float:
        # Unique ids: nomenklatura caches a name's analysis by the entity's id.
        n = next(counter)
        return float(
            LogicV2.compare(
                entity(schema, left, f"q{n}"), entity(schema, right, f"r{n}"), config
            ).score
        )

    examples = {
        "Xi Jinping / 习近平": score("Person", "Xi Jinping", "习近平"),
        "Jabhat al-Nusra / Джебхат ан-Нусра": score(
            "Organization", "Jabhat al-Nusra", "Джебхат ан-Нусра"
        ),
    }
    warm_up = time.perf_counter() - start
    rows = list(csv.DictReader(CASES.open(encoding="utf-8")))
    start = time.perf_counter()
    scored = [(score(r["schema"], r["name1"], r["name2"]), r["is_match"] == "true") for r in rows]
    rate = len(rows) / (time.perf_counter() - start)

    best = max(((t / 100, *f1(scored, t / 100)) for t in range(30, 100)), key=lambda x: x[3])
    print(
        json.dumps(
            {
                "warm_up_s": round(warm_up, 2),
                "pairs_per_s": round(rate, 1),
                "at_threshold": dict(
                    zip(("precision", "recall", "f1"), f1(scored, args.threshold), strict=True)
                ),
                "best": dict(zip(("threshold", "precision", "recall", "f1"), best, strict=True)),
                "examples": examples,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
