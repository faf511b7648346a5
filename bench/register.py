"""Register benchmarks: importing real lists (time, peak memory) and divergence at scale.

    python -m bench.register [--subjects 100000] [--jurisdictions 20] [--runs 3]

Each import runs in a fresh process on a fresh SQLite store, so its peak resident memory
(ru_maxrss) is its own. Divergence: synthetic subjects, each designated by a random subset
of the jurisdictions with a listing and, for some, a delisting; the figure is one full
``register divergence`` computation (all subjects, as of today).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from accord.register import views
from accord.stix.timestamps import now_timestamp
from accord.store.engine import make_engine, migrate
from accord.store.schema import (
    register_designations,
    register_events,
    register_imports,
    register_records,
    register_subjects,
)

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demo-data"
CHILD = """
import resource, sys, time
from pathlib import Path
from typer.testing import CliRunner
from accord.cli import app
db, kind, *files = sys.argv[1:]
runner = CliRunner()
assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
start = time.perf_counter()
for f in files:
    result = runner.invoke(app, ["--db", db, "register", "import", kind, f])
    assert result.exit_code == 0, result.output
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def timed_import(kind: str, *files: Path) -> tuple[float, float]:
    folder = tempfile.mkdtemp(prefix="accord-register-")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, f"sqlite:///{folder}/r.db", kind, *map(str, files)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1]) / 1024  # seconds, MiB


def synthetic_divergence(subjects: int, jurisdictions: int) -> tuple[float, int, int]:
    folder = tempfile.mkdtemp(prefix="accord-divergence-")
    engine = make_engine(f"sqlite:///{folder}/d.db", sqlite_synchronous="OFF")
    migrate(engine)
    codes = [f"J{n:02d}" for n in range(jurisdictions)]
    rng = random.Random(11)
    now = now_timestamp()
    designations: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    with engine.begin() as connection:
        import_id = connection.execute(
            register_imports.insert().values(
                kind="synthetic", file_name="-", sha256="-", at=now, report="{}"
            )
        ).inserted_primary_key[0]
        connection.execute(
            register_subjects.insert(),
            [
                {"id": i, "kind": "organization", "name": f"Group {i}", "created_at": now}
                for i in range(1, subjects + 1)
            ],
        )
        connection.execute(
            register_records.insert(),
            [
                {
                    "id": i,
                    "source": "synthetic",
                    "record_key": str(i),
                    "subject_id": i,
                    "payload": "{}",
                    "first_import_id": import_id,
                    "last_import_id": import_id,
                }
                for i in range(1, subjects + 1)
            ],
        )
        next_id = 1
        for subject in range(1, subjects + 1):
            for code in rng.sample(codes, rng.randint(1, min(8, jurisdictions))):
                listed = date(rng.randint(2001, 2024), rng.randint(1, 12), rng.randint(1, 28))
                delisted = rng.random() < 0.2
                designations.append(
                    {
                        "id": next_id,
                        "subject_id": subject,
                        "record_id": subject,
                        "jurisdiction": code,
                        "status": "delisted" if delisted else "listed",
                    }
                )
                events.append(
                    {
                        "designation_id": next_id,
                        "on_date": listed.isoformat(),
                        "precision": "day",
                        "status": "listed",
                        "import_id": import_id,
                    }
                )
                if delisted:
                    events.append(
                        {
                            "designation_id": next_id,
                            "on_date": "2025-01-01",
                            "precision": "day",
                            "status": "delisted",
                            "import_id": import_id,
                        }
                    )
                next_id += 1
        connection.execute(register_designations.insert(), designations)
        connection.execute(register_events.insert(), events)
    with engine.connect() as connection:
        start = time.perf_counter()
        _, rows = views.divergence(connection)
        elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, len(designations), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--jurisdictions", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| measure | median time | peak memory (RSS) | runs (s) |\n|---|---|---|---|")
    for label, kind, files in (
        (
            "import the UN list of 2025-08-02 (879 entries)",
            "un-xml",
            [DEMO / "consolidated-2025-08-02.xml"],
        ),
        (
            "import designations.csv (360 rows, 13 jurisdictions)",
            "designations",
            [DEMO / "designations.csv"],
        ),
    ):
        runs = [timed_import(kind, *files) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in runs)
        memory = statistics.median(r[1] for r in runs)
        print(
            f"| {label} | {seconds:.2f} s | {memory:.0f} MiB | "
            f"{', '.join(f'{r[0]:.2f}' for r in runs)} |",
            flush=True,
        )
    runs = [synthetic_divergence(args.subjects, args.jurisdictions) for _ in range(args.runs)]
    seconds = statistics.median(r[0] for r in runs)
    print(
        f"| divergence, {args.subjects:,} subjects x {args.jurisdictions} jurisdictions "
        f"({runs[0][1]:,} designations; {runs[0][2]:,} diverge) | {seconds:.2f} s | — | "
        f"{', '.join(f'{r[0]:.2f}' for r in runs)} |"
    )


if __name__ == "__main__":
    main()
