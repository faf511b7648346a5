"""The reader's outputs on every labelled article, to prove a speed change changes none
(``python -m bench.ingest_outputs record FILE`` before, ``... check FILE`` after).

Every article of tests/data/ingest-unseen (development and test parts, all languages) and
tests/data/ingest-labelled.json, read with the demo register as the linker, with the models
and with the rules alone; the JSON of each is written, one line per article and system. Only
the outputs are compared: nothing here scores or prints an article's errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from accord.ingest.pipeline import ingest
from accord.limits import DEFAULT_LIMITS
from bench.ingest import demo_linker
from bench.ingest_unseen import articles


def outputs(part: str = "both") -> list[str]:
    """One JSON line per (article, system), in a fixed order; ``part`` "dev" or "test"
    keeps one part of tests/data/ingest-unseen (the own excerpts are development data)."""
    linker = demo_linker()
    # No time budget: on a loaded machine an article may pass the node's 30 s, and the
    # outputs compared must not depend on the machine's load.
    limits = replace(DEFAULT_LIMITS, ingest_seconds=10**6)
    lines: list[str] = []
    for article in articles():
        if part != "both" and article["part"] != part:
            continue
        for models in (True, False):
            result: dict[str, Any] = ingest(
                article["text"], article["url"], linker, limits=limits, models=models
            )
            lines.append(
                json.dumps(
                    {"url": article["url"], "models": models, "result": result},
                    ensure_ascii=False,
                    sort_keys=True,
                )
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=("record", "check"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--part", choices=("dev", "test", "both"), default="both")
    args = parser.parse_args()
    lines = outputs(args.part)
    if args.action == "record":
        args.file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} outputs recorded in {args.file}")
        return
    before = args.file.read_text(encoding="utf-8").splitlines()
    differ = [
        json.loads(a)["url"] + (" (models)" if json.loads(a)["models"] else " (rules)")
        for a, b in zip(before, lines, strict=False)
        if a != b
    ]
    if len(before) != len(lines):
        differ.append(f"{len(before)} outputs recorded, {len(lines)} now")
    if differ:
        print(f"{len(differ)} of {len(lines)} outputs differ:")
        for item in differ:
            print(f"  {item}")
        sys.exit(1)
    print(f"all {len(lines)} outputs identical")


if __name__ == "__main__":
    main()
