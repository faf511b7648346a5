"""National lists as CSV: the multi-jurisdiction ``designations.csv`` and a documented format
any agency can export its list to (docs/register.md).

A row that cannot be read (an unknown jurisdiction, an impossible date, no name) is refused
with its line number and reason; the others are imported. A file that is not UTF-8 is refused
whole, naming the byte.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from accord.errors import InvalidInput
from accord.register.dates import parse_list_date
from accord.register.jurisdictions import jurisdiction_of
from accord.register.model import STATUSES, Designation, Name, Record, normalise, script_of

UN_REFERENCE = re.compile(r"[A-Z]{2}[ie]\.\d{3}\Z")
NATIONAL_COLUMNS = (
    "name",
    "aliases",
    "kind",
    "status",
    "listed_on",
    "delisted_on",
    "reference",
    "programme",
    "legal_basis",
    "source_url",
)
LISTED = {
    "yes": "listed",
    "listed": "listed",
    "no": "delisted",
    "delisted": "delisted",
    "suspended": "suspended",
}


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name}: not UTF-8: byte {exc.start} cannot be decoded") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"{path.name}: missing columns {', '.join(missing)}")
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
    except csv.Error as exc:
        raise InvalidInput(f"{path.name}: line {reader.line_num}: {exc}") from exc
    return rows


def _names(primary: str, aliases: str) -> tuple[list[Name], list[str]]:
    names = [Name(primary, "primary", script_of(primary))]
    references = []
    for alias in re.split(r";\s*", aliases):
        alias = " ".join(alias.split()).strip("\"'«» ")
        if not alias:
            continue
        if UN_REFERENCE.match(alias):
            references.append(alias)
        elif normalise(alias) != normalise(primary):
            names.append(Name(alias, "strong", script_of(alias)))
    return names, references


def read_designations_csv(path: Path) -> tuple[list[Record], list[tuple[str, str]]]:
    """``group_name, aliases, jurisdiction, listed, date_if_known, source_url``."""
    records, refused = [], []
    required = ("group_name", "aliases", "jurisdiction", "listed", "date_if_known", "source_url")
    for line, row in _rows(path, required):
        where = f"{path.name}: line {line}"
        try:
            if not row["group_name"]:
                raise ValueError("group_name is empty")
            code, programme = jurisdiction_of(row["jurisdiction"])
            status = LISTED.get(row["listed"].lower())
            if status is None:
                raise ValueError(f"listed {row['listed']!r}: expected yes, no or delisted")
            when = parse_list_date(row["date_if_known"])
        except ValueError as exc:
            refused.append((where, str(exc)))
            continue
        names, references = _names(row["group_name"], row["aliases"])
        designation = Designation(
            jurisdiction=code,
            status=status,
            programme=programme,
            authority=programme,
            listed_on=when if status == "listed" else None,
            delisted_on=when if status != "listed" else None,
            source_url=row["source_url"],
        )
        # Each jurisdiction's rows are a list of their own: two rows of one list are two subjects.
        key = normalise(row["group_name"])
        records.append(
            Record(
                f"designations:{code}",
                key,
                "organization",
                names,
                [designation],
                where,
                payload={"row": row},
                references=references,
            )
        )
    return records, refused


def read_national_csv(path: Path, jurisdiction: str) -> tuple[list[Record], list[tuple[str, str]]]:
    """One agency's list: columns ``name`` (required), ``aliases`` (;-separated), ``kind``
    (organization or person), ``status`` (listed, delisted, suspended), ``listed_on``,
    ``delisted_on``, ``reference``, ``programme``, ``legal_basis``, ``source_url``."""
    try:
        code, _ = jurisdiction_of(jurisdiction)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    records, refused = [], []
    for line, row in _rows(path, ("name",)):
        where = f"{path.name}: line {line}"
        try:
            if not row.get("name"):
                raise ValueError("name is empty")
            kind = row.get("kind") or "organization"
            if kind not in ("organization", "person"):
                raise ValueError(f"kind {kind!r}: expected organization or person")
            status = row.get("status") or "listed"
            if status not in STATUSES:
                raise ValueError(f"status {status!r}: expected one of {', '.join(STATUSES)}")
            listed = parse_list_date(row.get("listed_on"))
            delisted = parse_list_date(row.get("delisted_on"))
            if listed and delisted and delisted.value < listed.value:
                raise ValueError("delisted_on is before listed_on")
        except ValueError as exc:
            refused.append((where, str(exc)))
            continue
        names, references = _names(row["name"], row.get("aliases", ""))
        reference = row.get("reference") or None
        designation = Designation(
            jurisdiction=code,
            status=status,
            programme=row.get("programme", ""),
            reference=reference,
            listed_on=listed,
            delisted_on=delisted,
            legal_basis=row.get("legal_basis", ""),
            source_url=row.get("source_url", ""),
        )
        key = reference or normalise(row["name"])
        records.append(
            Record(
                f"csv:{code}",
                key,
                kind,
                names,
                [designation],
                where,
                payload={"row": row},
                references=references,
            )
        )
    return records, refused
