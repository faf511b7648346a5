"""Manifests of names to screen (CSV in) and their results (CSV or JSON lines out), shared by
``accord screen --file`` and the console's upload."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import orjson

from accord.errors import InvalidInput
from accord.screening.service import Query

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


def read_rows(
    lines: Iterable[str], source: str
) -> Iterator[tuple[int, dict[str, str], str | None]]:
    """The manifest's rows: (line, fields, None), or (line, what it could read, why the row
    cannot be screened) for a malformed row, so that one bad row never stops a manifest.

    Each line is one row, read on its own: a name never spans lines, so an unterminated
    quote is an error on its line, never a field that swallows the rows after it."""
    numbered = enumerate(lines, start=1)
    header: list[str] | None = None
    for number, line in numbered:
        if not line.strip():
            continue
        try:
            header = [column.strip().lower() for column in _fields(line)]
        except csv.Error as error:
            raise InvalidInput(f"{source}: no readable header (line {number}: {error})") from None
        break
    if header is None:
        raise InvalidInput(f"{source}: no readable header (the file is empty)")
    missing = {"id", "name"} - set(header)
    if missing:
        raise InvalidInput(f"{source} lacks columns {', '.join(sorted(missing))}")
    for number, line in numbered:
        if not line.strip():
            continue
        try:
            fields = _fields(line)
        except csv.Error as error:
            why = "unterminated quote" if "end of data" in str(error) else str(error)
            yield number, {}, f"line {number}: malformed CSV ({why})"
            continue
        row = dict(zip(header, fields, strict=False))
        if len(fields) != len(header):
            yield (
                number,
                row,
                f"line {number} has {len(fields)} fields; the header has {len(header)}",
            )
        elif any("\udc80" <= c <= "\udcff" for field in fields for c in field):
            yield number, {}, f"line {number} is not valid UTF-8"
        else:
            yield number, row, None


def _fields(line: str) -> list[str]:
    """One line's fields; csv.Error for a quote left open or misplaced."""
    return next(csv.reader([line], strict=True), [])


def query_of(line: int, row: dict[str, str]) -> Query:
    return Query(
        row.get("id") or f"line {line}",
        row.get("name") or "",
        row.get("type") or None,
        row.get("birth_date") or None,
        row.get("nationality") or None,
    )


def write_result(sink: TextIO, writer: Any, result: dict[str, Any]) -> None:
    if writer:
        write_csv_row(writer, result)
    else:
        sink.write(orjson.dumps(result).decode() + "\n")


def write_csv_row(writer: Any, result: dict[str, Any]) -> None:
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
