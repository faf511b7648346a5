"""``accord screen``: names against the register, from the command line or a manifest file."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from accord import audit
from accord.acts import screen as screen_acts
from accord.cli_progress import progress_bar
from accord.errors import InvalidInput
from accord.screening.manifest import CSV_OUT, query_of, read_rows, write_result
from accord.screening.service import DEFAULT_THRESHOLD, MAX_NAME, Query, screen
from accord.screening.snapshot import open_index

console = Console()


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str], str | None]]:
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        try:
            yield from read_rows(handle, path.name)
        except InvalidInput as error:
            raise typer.BadParameter(error.detail) from None


def screen_command(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Names to screen")] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="CSV with id,name[,type,birth_date,nationality]"
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Results: .jsonl or .csv (with --file)")] = None,
    threshold: Annotated[
        float, typer.Option(help="match = score >= threshold")
    ] = DEFAULT_THRESHOLD,
    limit: Annotated[int, typer.Option(help="Matches per query")] = 5,
    type: Annotated[str | None, typer.Option(help="Person or Organization")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines on standard output")] = False,
) -> None:
    """Screen names against the register. A hit is a lead for a person to check, with reasons."""
    for name in names or []:
        if len(name) > MAX_NAME:
            raise typer.BadParameter(
                f"a name of {len(name):,} characters; the limit is {MAX_NAME:,}",
                param_hint="NAMES",
            )
    engine = ctx.obj.engine
    with engine.connect() as connection:
        index = open_index(connection)
    if file is None:
        results = [
            screen(index, Query(str(n), name, type), threshold=threshold, limit=limit)
            for n, name in enumerate(names or [], start=1)
        ]
        _audit(engine, len(results), results, names or [])
        if as_json:
            for result in results:
                print(orjson.dumps(result).decode())
            return
        for name, result in zip(names or [], results, strict=True):
            table = Table(
                "score",
                "right at this score",
                "match",
                "subject",
                "matched name",
                "references",
                title=name,
            )
            for m in result["matches"]:
                seen = (m.get("calibration") or {}).get("observed_precision")
                table.add_row(
                    f"{m['score']:.2f}",
                    "" if seen is None else f"{seen:.0%}",
                    "yes" if m["match"] else "",
                    m["name"],
                    m["matched_name"],
                    ", ".join(m["references"]),
                )
            console.print(table if result["matches"] else f"{name}: no candidates")
        return
    target = out or file.with_suffix(".results.jsonl")
    total = sum(1 for _ in _rows(file))
    written = matched = 0
    try:
        opened = target.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise typer.BadParameter(
            f"cannot write {target}: {error.strerror or error}", param_hint="--out"
        ) from None
    with opened as sink, progress_bar(console) as progress:
        task = progress.add_task(f"screening {file.name}", total=total)
        writer = csv.writer(sink) if target.suffix == ".csv" else None
        if writer:
            writer.writerow(CSV_OUT)
        for line, row, problem in _rows(file):
            if problem:
                result = {"id": row.get("id") or f"line {line}", "error": problem, "matches": []}
                write_result(sink, writer, result)
                written += 1
                progress.advance(task)
                continue
            result = screen(index, query_of(line, row), threshold=threshold, limit=limit)
            matched += any(m["match"] for m in result["matches"])
            write_result(sink, writer, result)
            written += 1
            progress.advance(task)
    _audit(engine, written, None, [file.name])
    console.print(f"{written} rows screened, {matched} with a match; results in {target}")


def _audit(engine: Any, count: int, results: list[dict[str, Any]] | None, what: list[str]) -> None:
    with engine.begin() as connection:
        screen_acts.record(
            connection,
            audit.Actor("cli", None, "cli"),
            results or [],
            target=", ".join(what),
            queries=count,
        )
