"""Batch screening of a manifest (`accord screen --file`): one worker against several.

    python -m bench.manifest [--rows 20000] [--runs 3] [--workers 1,2]
    python -m bench.manifest --memory --rows 1000000   # the CLI as a process, peak memory

The register is the demo UN list (demo-data/consolidated-2025-08-02.xml) imported into a
fresh SQLite store, as the tests do. The manifest: seeded rows, about two in three a typo of
a register name (some with a type, a birth date or a nationality), the rest synthetic names
(bench.screening.synthetic_names), and one row in a hundred bad (no name, a field too many,
an unterminated quote), so that the error path is timed too.

Default: each run in a fresh process (no run inherits caches another warmed) loads the
index from its snapshot, as the CLI does, then times `Batch` from its making (counting and
hashing the manifest, forking the workers) to its last row written; runs of each worker
count interleaved, median of ``--runs``; the outputs of every run must be the
same bytes. ``--memory``: `accord screen --file` as a process, with the peak resident
memory of the parent and its workers, summed, sampled every 0.2 s (RSS counts the pages the
workers share with the parent once per process; PSS shares them out).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UN_LIST = ROOT / "demo-data" / "consolidated-2025-08-02.xml"


def register(folder: Path) -> str:
    """A fresh SQLite store holding the demo UN list; its URL."""
    from accord.register.importer import import_list, read_list
    from accord.store.engine import make_engine, migrate

    url = f"sqlite:///{folder / 'register.db'}"
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        import_list(connection, read_list("un-xml", UN_LIST))
    engine.dispose()
    return url


def write_manifest(path: Path, rows: int, names: list[str], seed: int = 13) -> None:
    from bench.screening import synthetic_names, typo

    rng = random.Random(seed)
    invented = synthetic_names(5000, seed=seed)
    kinds = ("", "", "Person", "Organization")
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,name,type,birth_date,nationality\n")
        for n in range(1, rows + 1):
            draw = rng.random()
            if draw < 0.01:
                handle.write(rng.choice((f"{n},,,,\n", f"{n},a,b,c,d,e\n", f'{n},"Open\n')))
                continue
            if draw < 0.67:
                name = rng.choice(names)
                name = typo(name, n) if len(name) > 3 and rng.random() < 0.7 else name
            else:
                name = rng.choice(invented)
            born = f"19{rng.randint(40, 99)}" if rng.random() < 0.2 else ""
            nation = rng.choice(("", "", "", "Afghanistan", "Iraq", "Syria"))
            name = name.replace('"', "")
            handle.write(f'{n},"{name}",{rng.choice(kinds)},{born},{nation}\n')


CHILD = """
import resource, sys, time
from pathlib import Path
from accord.screening.batch import Batch, Options
from accord.screening.snapshot import open_index
from accord.store.engine import make_engine
url, manifest, out, workers = sys.argv[1:]
engine = make_engine(url)
with engine.connect() as connection:
    index = open_index(connection)
start = time.perf_counter()
batch = Batch(index, Path(manifest), Path(out), Options(0.7, 5, False), workers=int(workers))
with batch:
    batch.run(lambda rows: None, lambda count: None)
took = time.perf_counter() - start
cpu = sum(
    r.ru_utime + r.ru_stime
    for r in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
)
print(took, cpu)
"""


def timed_runs(url: str, manifest: Path, workers: list[int], runs: int) -> None:
    """Each run in a fresh process (so that no run inherits the caches another warmed):
    the index from its snapshot, then the Batch timed, from its making to its last row."""
    rows = sum(1 for _ in manifest.open(encoding="utf-8")) - 1
    times: dict[int, list[float]] = {w: [] for w in workers}
    cpu: dict[int, list[float]] = {w: [] for w in workers}
    digests: set[str] = set()
    out = manifest.with_name("out.jsonl")
    for _ in range(runs):
        for count in workers:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, url, str(manifest), str(out), str(count)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
                # Ties between candidates are broken by set order, which follows the hash
                # seed: one seed for every run, so that their outputs can be compared.
                env={**os.environ, "PYTHONHASHSEED": "0"},
            )
            took, used = done.stdout.split()[-2:]
            times[count].append(float(took))
            cpu[count].append(float(used))
            digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
            print(f"  {count} worker(s): {times[count][-1]:.2f} s", file=sys.stderr, flush=True)
    assert len(digests) == 1, "the outputs differ between runs"
    base = statistics.median(times[workers[0]])
    print(
        f"\n{rows:,} rows, register of the UN list, median of {runs} runs of each, "
        "interleaved, each in a fresh process; outputs identical across runs and worker counts\n"
    )
    print(
        "| workers | median time | rows/s | speed-up | runs (s) | best run speed-up "
        "| CPU s, whole processes and workers (median) |\n|---|---|---|---|---|---|---|"
    )
    for count in workers:
        median = statistics.median(times[count])
        print(
            f"| {count} | {median:.2f} s | {rows / median:,.0f} | {base / median:.2f}x "
            f"| {', '.join(f'{t:.2f}' for t in times[count])} "
            f"| {min(times[workers[0]]) / min(times[count]):.2f}x "
            f"| {statistics.median(cpu[count]):.1f} |"
        )


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += _tree(int(child))
    return found


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of one process, in KiB (0, 0 once it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    fields = {line.split(":")[0]: line.split()[1] for line in text.splitlines()[1:]}
    return int(fields.get("Rss", 0)), int(fields.get("Pss", 0))


def as_process(url: str, manifest: Path, workers: int) -> None:
    rows = sum(1 for _ in manifest.open(encoding="utf-8")) - 1
    out = manifest.with_name("out-cli.jsonl")
    command = [
        str(Path(sys.executable).with_name("accord")),
        "--db",
        url,
        "screen",
        "--file",
        str(manifest),
        "--out",
        str(out),
        "--workers",
        str(workers),
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_rss = peak_pss = peak_processes = 0
    # The peak so far at each tenth of the rows written (from the run's progress file):
    # constant memory is a peak that stops growing, whatever the manifest's length.
    tenths: dict[int, int] = {}
    progress = out.with_name(out.name + ".progress")
    while process.poll() is None:
        tree = _tree(process.pid)
        sizes = [_memory(pid) for pid in tree]
        peak_rss = max(peak_rss, sum(r for r, _ in sizes))
        peak_pss = max(peak_pss, sum(p for _, p in sizes))
        peak_processes = max(peak_processes, len(tree))
        try:
            written = int(json.loads(progress.read_bytes())["rows"])
        except (OSError, ValueError, KeyError):
            written = 0
        tenths.setdefault(written * 10 // max(rows, 1), peak_rss)
        time.sleep(0.2)
    took = time.perf_counter() - start
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    lines = sum(1 for _ in out.open("rb"))
    assert lines == rows, (lines, rows)
    print(
        f"\n`accord screen --file` ({rows:,} rows, --workers {workers}, the whole command: "
        f"start-up, index from its snapshot, counting and hashing the manifest, screening): "
        f"{took:.1f} s, {rows / took:,.0f} rows/s; {lines:,} output lines; "
        f"peak memory of the parent and its {peak_processes - 1} workers together: "
        f"RSS {peak_rss / 1024:.0f} MiB, PSS {peak_pss / 1024:.0f} MiB"
    )
    print("\n| rows written | peak RSS until then (parent and workers) |\n|---|---|")
    for tenth, rss in sorted(tenths.items()):
        print(f"| {tenth * rows // 10:,} | {rss / 1024:.0f} MiB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--memory", action="store_true", help="the CLI as a process, memory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="accord-manifest-") as folder:
        os.environ.setdefault("ACCORD_CACHE_DIR", str(Path(folder) / "cache"))
        url = register(Path(folder))
        from sqlalchemy import select

        from accord.screening.snapshot import open_index
        from accord.store.engine import make_engine
        from accord.store.schema import register_names

        engine = make_engine(url)
        with engine.connect() as connection:
            names = list(connection.execute(select(register_names.c.name)).scalars())
            open_index(connection)  # the snapshot every run then loads, as after an import
        engine.dispose()
        manifest = Path(folder) / "manifest.csv"
        write_manifest(manifest, args.rows, names)
        print(
            f"cores: {os.cpu_count()}; python {sys.version.split()[0]}; load average before: "
            f"{os.getloadavg()[0]:.2f}",
            flush=True,
        )
        counts = [int(w) for w in args.workers.split(",")]
        if args.memory:
            for count in counts:
                as_process(url, manifest, count)
        else:
            timed_runs(url, manifest, counts, args.runs)
        print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
