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
from typing import Any

from accord.screening.score import compare
from bench.metrics import f1

#: The benchmark's FollowTheMoney schemata, as the register's kinds of subject.
KINDS = {"Person": "person", "Organization": "organization", "Company": "organization"}
KINDS["LegalEntity"] = "organization"
CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "name-bench-cases.csv"


def logic_v2(interpreter: str, threshold: float) -> dict[str, Any]:
    """The logic-v2 figures of bench/logic_v2.py, run by ``interpreter`` ({} without one)."""
    import json
    import subprocess

    if not interpreter or not Path(interpreter).exists():
        return {}
    script = Path(__file__).resolve().parent / "logic_v2.py"
    done = subprocess.run(
        [interpreter, str(script), "--threshold", str(threshold)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"logic-v2 failed: {done.stderr.strip()[-300:]}")
        return {}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def examples(baseline: dict[str, Any]) -> None:
    """The issue's cross-script examples and start-up cost, Accord beside logic-v2."""
    import resource
    import subprocess
    import sys

    probe = (
        "import time; t = time.perf_counter(); from accord.screening.score import compare; "
        "compare('Xi Jinping', '习近平', 'person'); print(time.perf_counter() - t)"
    )
    first = float(
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout
    )
    accord = {
        "Xi Jinping / 习近平": compare("Xi Jinping", "习近平", "person").score,
        "Jabhat al-Nusra / Джебхат ан-Нусра": compare(
            "Jabhat al-Nusra", "Джебхат ан-Нусра", "organization"
        ).score,
    }
    print("\n| | Accord | logic-v2 |\n|---|---|---|")
    theirs = baseline.get("examples", {})
    for pair, value in accord.items():
        other = theirs.get(pair)
        print(f"| {pair} | {value:.2f} | {'' if other is None else f'{other:.2f}'} |")
    print(
        f"| first score in a new process (imports and warm-up) | {first:.2f} s "
        f"| {baseline.get('warm_up_s', '')} s |"
    )
    print(
        f"| pairs/s (public benchmark) | see above | {baseline.get('pairs_per_s', '')} |\n"
        f"| peak memory | {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB "
        f"| {baseline.get('peak_rss_mib', '')} MiB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--sizes", default="10000,100000", help="register sizes for speed")
    parser.add_argument(
        "--logic-v2", default="", help="an interpreter with nomenklatura, for the baseline"
    )
    parser.add_argument(
        "--record", type=Path, help="write every labelled and benchmark query's result here"
    )
    parser.add_argument(
        "--check", type=Path, help="compare every such result with the ones recorded here"
    )
    args = parser.parse_args()
    if args.record or args.check:
        outputs(args.record, args.check)
        return
    baseline = logic_v2(args.logic_v2, args.threshold)
    rows = list(csv.DictReader(CASES.open(encoding="utf-8")))
    start = time.perf_counter()
    scores = [
        (compare(r["name1"], r["name2"], KINDS.get(r["schema"])).score, r["is_match"] == "true")
        for r in rows
    ]
    rate = len(rows) / (time.perf_counter() - start)
    p, r, f = f1(scores, args.threshold)
    best = max((f1(scores, t / 100) + (t / 100,) for t in range(30, 100)), key=lambda x: x[2])
    print(f"name-bench-cases: {len(rows)} pairs, {rate:,.0f} pairs/s on one core")
    measured = baseline.get("at_threshold", {}).get("f1")
    shown = f"{measured:.3f} (this run)" if measured is not None else "not run"
    print(
        "| threshold | precision | recall | F1 | logic-v2 F1 (anchor 0.796) |\n"
        "|---|---|---|---|---|"
    )
    print(f"| {args.threshold:.2f} | {p:.3f} | {r:.3f} | {f:.3f} | {shown} |")
    best_v2 = baseline.get("best", {}).get("f1")
    best_shown = f"{best_v2:.3f}" if best_v2 is not None else ""
    print(f"| best {best[3]:.2f} | {best[0]:.3f} | {best[1]:.3f} | {best[2]:.3f} | {best_shown} |")
    examples(baseline)
    labelled(args.threshold)
    speed([int(size) for size in args.sizes.split(",") if size])
    memory_alone(100_000)
    first_answer(100_000)


SYLLABLES = (
    "ab",
    "al",
    "an",
    "ar",
    "ba",
    "da",
    "di",
    "el",
    "fa",
    "ha",
    "hu",
    "ib",
    "ja",
    "ka",
    "ki",
    "la",
    "ma",
    "mu",
    "na",
    "ni",
    "or",
    "ra",
    "ri",
    "sa",
    "se",
    "ta",
    "tu",
    "ul",
    "va",
    "ya",
    "za",
    "zo",
    "ko",
    "lo",
    "po",
    "go",
    "ne",
    "ve",
    "mi",
    "so",
)


def synthetic_names(count: int, seed: int = 5) -> list[str]:
    import random

    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()

    return [" ".join(word() for _ in range(rng.randint(2, 4))) for _ in range(count)]


def typo(name: str, seed: int) -> str:
    import random

    rng = random.Random(seed)
    chars = list(name)
    position = rng.randrange(1, len(chars) - 1)
    chars[position] = rng.choice("aeiouklmnrst")
    return "".join(chars)


def speed(sizes: list[int], queries: int = 2000, rounds: int = 3) -> None:
    """Index build, queries per second (median of ``rounds`` fresh sets of queries, each a
    typo of a register name), how often the right name comes first, beside rapidfuzz's brute
    force over every name measured in the same run, and the peak memory."""
    import resource
    import statistics

    from rapidfuzz import fuzz, process

    from accord.screening.index import ScreeningIndex, Subject
    from accord.screening.service import Query, screen

    print(
        "\n| register names | index build | queries/s (top 5, one core) | right name first "
        "| brute force rapidfuzz queries/s (right first) | RSS after build |\n"
        "|---|---|---|---|---|---|"
    )
    for size in sizes:
        names = synthetic_names(size)
        start = time.perf_counter()
        index = ScreeningIndex()
        index.add_many((i, i, name, "organization") for i, name in enumerate(names, start=1))
        index.subjects = {i: Subject(n, "organization", {}) for i, n in enumerate(names, start=1)}
        build = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rates, right = [], 0
        for round_ in range(rounds):
            targets = [(i * 7919 + round_ * 104729) % size for i in range(queries)]
            asked = [typo(names[t], i + round_ * queries) for i, t in enumerate(targets)]
            start = time.perf_counter()
            for n, (target, name) in enumerate(zip(targets, asked, strict=True)):
                matches = screen(index, Query(str(n), name))["matches"]
                right += bool(matches) and matches[0]["subject_id"] == target + 1
            rates.append(queries / (time.perf_counter() - start))
        sample = list(range(40))
        start = time.perf_counter()
        brute_right = 0
        for i in sample:
            target = (i * 7919) % size
            found = process.extract(typo(names[target], i), names, scorer=fuzz.WRatio, limit=5)
            brute_right += found[0][2] == target
        brute = len(sample) / (time.perf_counter() - start)
        print(
            f"| {size:,} | {build:.2f} s | {statistics.median(rates):,.0f} "
            f"| {right / (queries * rounds):.1%} | {brute:,.1f} ({brute_right / len(sample):.0%}) "
            f"| {rss:.0f} MiB |",
            flush=True,
        )


def memory_alone(size: int) -> None:
    """Peak resident memory of a process that builds the index of ``size`` names and nothing
    else (the benchmark's own process also holds the other indexes it built)."""
    import subprocess
    import sys

    code = (
        "import resource, time\n"
        "from bench.screening import synthetic_names\n"
        "from accord.screening.index import ScreeningIndex, Subject\n"
        f"names = synthetic_names({size})\n"
        "start = time.perf_counter()\n"
        "index = ScreeningIndex()\n"
        "index.add_many((i, i, n, 'organization') for i, n in enumerate(names, start=1))\n"
        "index.subjects = {i: Subject(n, 'organization', {}) for i, n in enumerate(names, 1)}\n"
        "build = time.perf_counter() - start\n"
        # VmHWM is this process's own peak; ru_maxrss would keep the parent's across exec.
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
        "rss = int(peak[0].split()[1]) / 1024 if peak else "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(f'{build:.2f} {rss:.0f}')\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    build, rss = done.stdout.split()
    print(f"\nindex of {size:,} names built alone: {build} s, peak RSS {rss} MiB")


def first_answer(size: int, runs: int = 3) -> None:
    """Seconds from starting `accord screen NAME` to its answer, on a register of ``size``
    synthetic names (written straight into the register tables: the importer's own speed
    is measured elsewhere): with no snapshot (the index built from the names), and with the
    snapshot the previous run left in the cache (as after any `accord register import`)."""
    import os
    import statistics
    import subprocess
    import sys
    import tempfile

    from sqlalchemy import insert

    from accord.store.engine import make_engine, migrate
    from accord.store.schema import (
        register_imports,
        register_names,
        register_records,
        register_subjects,
    )

    folder = Path(tempfile.mkdtemp(prefix="accord-first-"))
    url = f"sqlite:///{folder / 'register.db'}"
    engine = make_engine(url, sqlite_synchronous="OFF")
    migrate(engine)
    names = synthetic_names(size)
    at = "2026-11-26T00:00:00Z"
    with engine.begin() as connection:
        connection.execute(
            insert(register_imports),
            [
                {
                    "id": 1,
                    "kind": "csv:KZ",
                    "file_name": "synthetic.csv",
                    "sha256": "0" * 64,
                    "at": at,
                    "report": "{}",
                }
            ],
        )
        connection.execute(
            insert(register_subjects),
            [
                {"id": i, "kind": "organization", "name": n, "details": "{}", "created_at": at}
                for i, n in enumerate(names, 1)
            ],
        )
        connection.execute(
            insert(register_records),
            [
                {
                    "id": i,
                    "source": "csv:KZ",
                    "record_key": str(i),
                    "subject_id": i,
                    "payload": "{}",
                    "first_import_id": 1,
                    "last_import_id": 1,
                }
                for i in range(1, size + 1)
            ],
        )
        connection.execute(
            insert(register_names),
            [
                {
                    "id": i,
                    "subject_id": i,
                    "record_id": i,
                    "name": n,
                    "quality": "primary",
                    "script": "Latin",
                }
                for i, n in enumerate(names, 1)
            ],
        )
    engine.dispose()
    env = {**os.environ, "ACCORD_CACHE_DIR": str(folder / "cache")}
    accord = str(Path(sys.executable).parent / "accord")
    command = [accord, "--db", url, "screen", typo(names[7], 1)]

    def timed() -> float:
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        return time.perf_counter() - start

    cold = []
    for _ in range(runs):
        for stale in (folder / "cache").glob("accord/screening-*"):
            stale.unlink()
        cold.append(timed())
    warm = [timed() for _ in range(runs)]
    print(
        f"\nfirst answer, `accord screen NAME` from process start, {size:,} register names: "
        f"{statistics.median(warm):.2f} s with the snapshot (runs: "
        f"{', '.join(f'{t:.2f}' for t in warm)}); {statistics.median(cold):.2f} s without it "
        f"(building the index; runs: {', '.join(f'{t:.2f}' for t in cold)})"
    )


def labelled(threshold: float) -> None:
    """Recall and precision on the set built from the UN list (bench/labelled.py): a match on
    the right entry is a true positive; a match on any other entry, or on the entry a hard
    negative was derived from, is a false positive."""
    import tempfile

    from accord.register.importer import import_list, read_list
    from accord.screening.index import ScreeningIndex
    from accord.screening.service import Query, screen
    from accord.store.engine import make_engine, migrate

    root = Path(__file__).resolve().parent.parent
    source = root / "demo-data" / "consolidated-2025-08-02.xml"
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/l.db", sqlite_synchronous="OFF")
    migrate(engine)
    listed = read_list("un-xml", source)
    with engine.begin() as connection:
        import_list(connection, listed)
    index = ScreeningIndex()
    with engine.connect() as connection:
        index.refresh(connection)
    rows = list(csv.DictReader((root / "tests" / "data" / "screening-labelled.csv").open()))
    scored = []  # (score, correct) for every candidate returned; positives total
    positives = sum(1 for row in rows if row["expected"])
    for row in rows:
        result = screen(index, Query("q", row["query"]), threshold=0.0, limit=5)
        for match in result["matches"]:
            wanted = {row["expected"], *row["also"].split()} - {""}
            right = bool(wanted & set(match["references"]))
            scored.append((match["score"], bool(right)))

    def at(cut: float) -> tuple[float, float]:
        tp = sum(1 for s, ok in scored if s >= cut and ok)
        fp = sum(1 for s, ok in scored if s >= cut and not ok)
        return (tp / (tp + fp) if tp + fp else 1.0), tp / positives

    print("\n| labelled set (UN list) | threshold | precision | recall |\n|---|---|---|---|")
    for cut in sorted({threshold, *[t / 100 for t in range(50, 100, 5)]}):
        precision, recall = at(cut)
        print(f"| {len(rows)} queries | {cut:.2f} | {precision:.3f} | {recall:.3f} |")
    # The operating point the target names: the best recall where precision is >= 0.95.
    grid = [(cut / 100, *at(cut / 100)) for cut in range(50, 100)]
    eligible = [g for g in grid if g[1] >= 0.95]
    if eligible:
        cut, precision, recall = max(eligible, key=lambda g: (g[2], -g[0]))
        print(f"| best recall at precision >= 0.95 | {cut:.2f} | {precision:.3f} | {recall:.3f} |")


def outputs(record: Path | None, check: Path | None) -> None:
    """Every result the benchmarks read, as JSON lines: the labelled UN-list and cross-lingual
    queries against the UN list, the public name benchmark's pair scores, and the speed
    benchmark's typo queries at 100,000 names (top 5, with explanations). Written with
    ``record``; with ``check``, compared line by line with a recording (a speed change must
    change none). Run with ``PYTHONHASHSEED=0``: the index breaks ties by set order."""
    import json
    import sys

    from accord.screening.index import ScreeningIndex, Subject
    from accord.screening.service import Query, screen
    from bench.crosslingual import register_index
    from bench.crosslingual import rows as crosslingual_rows

    lines: list[str] = []
    index = register_index()
    root = Path(__file__).resolve().parent.parent
    own = list(csv.DictReader((root / "tests" / "data" / "screening-labelled.csv").open()))
    for row in own + crosslingual_rows():
        result = screen(index, Query("q", row["query"]), threshold=0.0, limit=5)
        lines.append(json.dumps(["labelled", row["query"], result], ensure_ascii=False))
    for r in csv.DictReader(CASES.open(encoding="utf-8")):
        score = compare(r["name1"], r["name2"], KINDS.get(r["schema"]))
        lines.append(json.dumps(["pair", r["name1"], r["name2"], score.score, score.explanation()]))
    size = 100_000
    names = synthetic_names(size)
    index = ScreeningIndex()
    index.add_many((i, i, name, "organization") for i, name in enumerate(names, start=1))
    index.subjects = {i: Subject(n, "organization", {}) for i, n in enumerate(names, start=1)}
    for round_ in range(3):
        for i in range(2000):
            name = typo(names[(i * 7919 + round_ * 104729) % size], i + round_ * 2000)
            lines.append(json.dumps(["speed", name, screen(index, Query(str(i), name))]))
    if record is not None:
        record.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} results recorded in {record}")
    if check is not None:
        before = check.read_text(encoding="utf-8").splitlines()
        differ = [a for a, b in zip(before, lines, strict=False) if a != b]
        if differ or len(before) != len(lines):
            print(f"{len(differ)} of {len(lines)} results differ ({len(before)} recorded)")
            for line in differ[:20]:
                print("  " + line[:200])
            sys.exit(1)
        print(f"all {len(lines)} results identical")


if __name__ == "__main__":
    main()
