"""Applying a list to the register: records, names, designations and their dated events.

The caller runs one import in one transaction, so it completes or leaves the register as it
was. A snapshot list (the UN's) is complete: a record it no longer holds was delisted, no
later than the date the list was generated. Records are linked to an existing subject only on
more than a shared name: a shared reference number, or two or more shared names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from accord.errors import InvalidInput
from accord.limits import DEFAULT_LIMITS
from accord.register import links
from accord.register.csv_lists import read_designations_csv, read_national_csv
from accord.register.dates import ListDate
from accord.register.ftm import read_ftm
from accord.register.model import Designation, Record, normalise
from accord.register.un_xml import read_un_xml
from accord.stix.timestamps import now_timestamp
from accord.store import register as store


@dataclass
class ImportReport:
    file: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    delisted: int = 0
    relisted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "linked": self.linked,
            "delisted": self.delisted,
            "relisted": self.relisted,
            "rejected": [{"where": w, "reason": r} for w, r in self.rejected],
        }


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Linker:
    """Finds the subject a new record denotes, on more than a shared name."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.by_name: dict[str, set[int]] = {}
        self.sources: dict[int, set[str]] = {}
        for row in store.names_index(connection):
            self.by_name.setdefault(normalise(row.name), set()).add(row.subject_id)
            self.sources.setdefault(row.subject_id, set()).add(row.source)

    def find(self, record: Record) -> int | None:
        apart = links.kept_apart(self.connection, links.record_ref(record.source, record.key))

        def allowed(subject: int) -> bool:
            return not apart or not apart & set(links.records_of_subject(self.connection, subject))

        found = store.subjects_by_reference(self.connection, record.references)
        if found and allowed(next(iter(found.values()))):
            return next(iter(found.values()))
        counts: dict[int, int] = {}
        for key in {normalise(n.name) for n in record.names}:
            for subject in self.by_name.get(key, ()):
                counts[subject] = counts.get(subject, 0) + 1
        # Two entries of one list are two subjects: the list keeps them apart on purpose.
        strong = [
            subject
            for subject, shared in counts.items()
            if shared >= 2
            and record.source not in self.sources.get(subject, set())
            and allowed(subject)
        ]
        return strong[0] if len(strong) == 1 else None

    def learn(self, subject_id: int, record: Record) -> None:
        for name in record.names:
            self.by_name.setdefault(normalise(name.name), set()).add(subject_id)
        self.sources.setdefault(subject_id, set()).add(record.source)


def import_records(
    connection: Connection,
    *,
    kind: str,
    path: Path,
    records: list[Record],
    rejected: list[tuple[str, str]],
    generated_on: ListDate | None = None,
    snapshot_source: str | None = None,
    on_record: Callable[[], None] | None = None,
    over_limit: Sequence[tuple[str, str, str]] = (),
) -> ImportReport:
    """Apply ``records`` (already read and checked) in the caller's transaction.

    ``over_limit`` holds entries refused for a limit (where, why, ``source|key``): they are
    reported, and a complete list does not delist them (the list still holds them)."""
    report = ImportReport(path.name, rejected=list(rejected))
    if snapshot_source and rejected:
        reasons = "; ".join(f"{w}: {r}" for w, r in rejected[:5])
        raise InvalidInput(
            f"{path.name}: {len(rejected)} entries cannot be read, and a complete list with "
            f"entries missing would delist them: nothing was imported ({reasons})"
        )
    report.rejected += [(where, why) for where, why, _key in over_limit]
    today = now_timestamp()[:10]
    seen_on = str(generated_on) if generated_on else today
    import_id = store.start_import(
        connection, kind, path.name, file_digest(path), str(generated_on) if generated_on else None
    )
    linker = _Linker(connection)
    sources = {record.source for record in records} | ({snapshot_source} - {None})
    known: dict[str, tuple[int, int]] = {}
    for source in sources:
        if source:
            known.update(
                {f"{source}|{k}": v for k, v in store.records_of(connection, source).items()}
            )
    first_seen: dict[str, str] = {}
    for record in records:
        full_key = f"{record.source}|{record.key}"
        if full_key in first_seen:
            report.rejected.append((record.where, f"duplicate of {first_seen[full_key]}"))
            continue
        first_seen[full_key] = record.where
        existing = known.get(full_key)
        payload = record.payload | {"names": [n.name for n in record.names]}
        if existing is None:
            subject_id = linker.find(record)
            if subject_id is None:
                subject_id = store.create_subject(
                    connection, record.kind, record.primary, record.details
                )
            else:
                report.linked += 1
            record_id = store.create_record(
                connection, record.source, record.key, subject_id, payload, import_id
            )
            report.added += 1
        else:
            record_id, subject_id = existing
            changed = store.touch_record(connection, record_id, payload, import_id)
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1
        linker.learn(subject_id, record)
        store.replace_names(
            connection, subject_id, record_id, [(n.name, n.quality, n.script) for n in record.names]
        )
        for designation in record.designations:
            _apply(connection, report, subject_id, record_id, designation, import_id, seen_on)
        if on_record:
            on_record()
    if snapshot_source:
        present = set(first_seen) | {key for _where, _why, key in over_limit}
        _delist_missing(connection, report, snapshot_source, present, import_id, seen_on)
    report.linked += links.apply_decisions(connection)  # analysts' links outlive re-imports
    store.finish_import(connection, import_id, report.as_dict())
    return report


def _apply(
    connection: Connection,
    report: ImportReport,
    subject_id: int,
    record_id: int,
    designation: Designation,
    import_id: int,
    seen_on: str,
) -> None:
    existing = store.designation_of(connection, record_id, designation.jurisdiction)
    values = {
        "subject_id": subject_id,
        "record_id": record_id,
        "jurisdiction": designation.jurisdiction,
        "authority": designation.authority,
        "programme": designation.programme,
        "reference": designation.reference,
        "status": designation.status,
        "listed_on": str(designation.listed_on) if designation.listed_on else None,
        "delisted_on": str(designation.delisted_on) if designation.delisted_on else None,
        "legal_basis": designation.legal_basis,
        "source_url": designation.source_url,
    }
    if existing is not None and existing.status == "delisted" and designation.delisted_on is None:
        values["delisted_on"] = existing.delisted_on  # keep the date we learnt it on
    designation_id = store.save_designation(
        connection, values, existing.id if existing is not None else None
    )
    if existing is None:
        listed = designation.listed_on
        if designation.status != "listed" and listed is None:
            # Known only as no longer listed: one event, not an invented listing.
            _status_event(connection, designation_id, designation, import_id, seen_on)
            return
        store.add_event(
            connection,
            designation_id,
            listed.value.isoformat() if listed else seen_on,
            listed.precision if listed else "by",
            "listed",
            "" if listed else "listing date not given; listed by this date",
            import_id,
        )
        if designation.status != "listed":
            _status_event(connection, designation_id, designation, import_id, seen_on)
        return
    if existing.status != designation.status:
        if designation.status == "listed":
            report.relisted += 1
        elif designation.status == "delisted":
            report.delisted += 1
        _status_event(connection, designation_id, designation, import_id, seen_on)


def _status_event(
    connection: Connection,
    designation_id: int,
    designation: Designation,
    import_id: int,
    seen_on: str,
) -> None:
    # A relisting is dated when it was seen: the designation's listing date is the first one.
    when = designation.delisted_on if designation.status != "listed" else None
    store.add_event(
        connection,
        designation_id,
        when.value.isoformat() if when else seen_on,
        when.precision if when else "by",
        designation.status,
        "" if when else f"{designation.status} by this date",
        import_id,
    )


def _delist_missing(
    connection: Connection,
    report: ImportReport,
    source: str,
    present: set[str],
    import_id: int,
    seen_on: str,
) -> None:
    for row in store.designations_of_source(connection, source):
        if f"{source}|{row.record_key}" in present or row.status != "listed":
            continue
        values = {"status": "delisted", "delisted_on": seen_on}
        store.save_designation(connection, values, row.id)
        store.add_event(
            connection,
            row.id,
            seen_on,
            "by",
            "delisted",
            f"absent from the list generated {seen_on}",
            import_id,
        )
        report.delisted += 1


@dataclass
class ListFile:
    """A list read from a file and checked, ready for :func:`import_list`."""

    kind: str
    path: Path
    records: list[Record]
    refused: list[tuple[str, str]]
    generated_on: ListDate | None = None
    #: Set for a complete list (the UN's): what it no longer holds was delisted.
    snapshot_source: str | None = None
    #: Entries refused for a limit (where, why, ``source|key``): reported, never delisted.
    over_limit: list[tuple[str, str, str]] = field(default_factory=list)


def read_list(
    kind: str,
    path: Path,
    jurisdiction: str | None = None,
    *,
    max_name_length: int = DEFAULT_LIMITS.name_length,
) -> ListFile:
    """Read ``un-xml``, ``designations``, ``ftm``, or ``csv`` (a national list with its
    jurisdiction, or a file with designations.csv's columns, recognised by its header).
    A record with a name longer than ``max_name_length`` is refused, named in the report;
    the others are imported."""
    return _refuse_long_names(_read_list(kind, path, jurisdiction), max_name_length)


def _refuse_long_names(listed: ListFile, longest: int) -> ListFile:
    kept: list[Record] = []
    for record in listed.records:
        long = next((n.name for n in record.names if len(n.name) > longest), None)
        if long is None:
            kept.append(record)
        else:
            why = f"a name of {len(long):,} characters; at most {longest:,} (max_name_length)"
            listed.over_limit.append((record.where, why, f"{record.source}|{record.key}"))
    listed.records = kept
    return listed


def _read_list(kind: str, path: Path, jurisdiction: str | None) -> ListFile:
    if kind == "un-xml":
        generated, records, refused = read_un_xml(path)
        return ListFile(kind, path, records, refused, generated, snapshot_source="un-xml")
    if kind == "csv":
        header = path.read_text(encoding="utf-8", errors="replace").partition("\n")[0]
        if "group_name" in header and "jurisdiction" in header:
            kind = "designations"
        elif not jurisdiction:
            raise InvalidInput(f"{path.name}: a national list needs its jurisdiction")
        else:
            return ListFile(f"csv:{jurisdiction}", path, *read_national_csv(path, jurisdiction))
    if kind == "designations":
        return ListFile("designations-csv", path, *read_designations_csv(path))
    if kind == "ftm":
        return ListFile(kind, path, *read_ftm(path))
    raise InvalidInput(f"unknown list kind {kind!r}: use un-xml, designations, csv or ftm")


def import_list(
    connection: Connection, listed: ListFile, on_record: Callable[[], None] | None = None
) -> ImportReport:
    """Apply a read list in the caller's transaction (see :func:`import_records`)."""
    return import_records(
        connection,
        kind=listed.kind,
        path=listed.path,
        records=listed.records,
        rejected=listed.refused,
        generated_on=listed.generated_on,
        snapshot_source=listed.snapshot_source,
        on_record=on_record,
        over_limit=listed.over_limit,
    )
