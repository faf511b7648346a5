"""``accord screen``: names against the register, from the command line or a manifest file."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import orjson
import typer
from rich.console import Console
from rich.table import Table

from accord import audit
from accord.cli_progress import progress_bar
from accord.screening.index import ScreeningIndex
from accord.screening.service import DEFAULT_THRESHOLD, Query, screen

console = Console()
CSV_OUT = (
    "id",
    "subject_id",
    "name",
    "matched_name",
    "score",
    "match",
    "references",
    "explanation",
    "error",
)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str], str | None]]:
    """The manifest's rows: (line, fields, None), or (line, what it could read, why the row
    cannot be screened) for a malformed row, so that one bad row never stops a manifest."""
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [column.strip().lower() for column in next(reader)]
        except (StopIteration, csv.Error) as error:
            raise typer.BadParameter(f"{path.name}: no readable header ({error})") from None
        missing = {"id", "name"} - set(header)
        if missing:
            raise typer.BadParameter(f"{path.name} lacks columns {', '.join(sorted(missing))}")
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield reader.line_num, {}, f"line {reader.line_num}: malformed CSV ({error})"
                continue
            if not fields:
                continue
            row = dict(zip(header, fields, strict=False))
            if len(fields) != len(header):
                yield (
                    reader.line_num,
                    row,
                    f"line {reader.line_num} has {len(fields)} fields; the header has "
                    f"{len(header)}",
                )
            elif any("\udc80" <= c <= "\udcff" for field in fields for c in field):
                yield reader.line_num, {}, f"line {reader.line_num} is not valid UTF-8"
            else:
                yield reader.line_num, row, None


def screen_command(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Names to screen")] = None,
    file: Annotated[
        Path | None, typer.Option(help="CSV with id,name[,type,birth_date,nationality]")
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
    engine = ctx.obj.engine
    index = ScreeningIndex()
    with engine.connect() as connection:
        index.refresh(connection)
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
            table = Table("score", "match", "subject", "matched name", "references", title=name)
            for m in result["matches"]:
                table.add_row(
                    f"{m['score']:.2f}",
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
    with (
        target.open("w", encoding="utf-8", newline="") as sink,
        progress_bar(console) as progress,
    ):
        task = progress.add_task(f"screening {file.name}", total=total)
        writer = csv.writer(sink) if target.suffix == ".csv" else None
        if writer:
            writer.writerow(CSV_OUT)
        for line, row, problem in _rows(file):
            if problem:
                result = {"id": row.get("id") or f"line {line}", "error": problem, "matches": []}
                _write(sink, writer, result)
                written += 1
                progress.advance(task)
                continue
            query = Query(
                row.get("id") or f"line {line}",
                row.get("name") or "",
                row.get("type") or None,
                row.get("birth_date") or None,
                row.get("nationality") or None,
            )
            result = screen(index, query, threshold=threshold, limit=limit)
            matched += any(m["match"] for m in result["matches"])
            _write(sink, writer, result)
            written += 1
            progress.advance(task)
    _audit(engine, written, None, [file.name])
    console.print(f"{written} rows screened, {matched} with a match; results in {target}")


def _write(sink: TextIO, writer: Any, result: dict[str, Any]) -> None:
    if writer:
        _write_csv(writer, result)
    else:
        sink.write(orjson.dumps(result).decode() + "\n")


def _write_csv(writer: Any, result: dict[str, Any]) -> None:
    if not result["matches"]:
        writer.writerow([result["id"], "", "", "", "", "", "", "", result.get("error", "")])
    for m in result["matches"]:
        writer.writerow(
            [
                result["id"],
                m["subject_id"],
                m["name"],
                m["matched_name"],
                m["score"],
                m["match"],
                ";".join(m["references"]),
                orjson.dumps(m["explanation"]).decode(),
                "",
            ]
        )


def _audit(engine: Any, count: int, results: list[dict[str, Any]] | None, what: list[str]) -> None:
    matches = sum(1 for r in results or [] for m in r["matches"] if m["match"])
    with engine.begin() as connection:
        audit.append(
            connection,
            audit.Actor("cli", None, "cli"),
            "screen",
            target=", ".join(what)[:300],
            details={"queries": count, "matches": matches},
        )
