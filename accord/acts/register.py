"""Register acts: importing a list, reading the register (find, show, history, divergence)
and analysts' link decisions, each audited here whatever the door (REST, console, CLI).

The register holds public designations, not any party's intelligence: every account may
read it; deciding links needs a publisher (the doors check the role they require).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection

from accord import audit
from accord.register import links, views
from accord.register.importer import ImportReport, ListFile, import_list


def import_file(
    connection: Connection,
    actor: audit.Actor,
    listed: ListFile,
    on_record: Callable[[], None] | None = None,
) -> ImportReport:
    report = import_list(connection, listed, on_record=on_record)
    audit.append(
        connection, actor, "register.import", target=listed.path.name, details=report.as_dict()
    )
    return report


def find(connection: Connection, actor: audit.Actor, text: str) -> list[tuple[int, str]]:
    found = views.find_subjects(connection, text)
    audit.record(connection, audit.Entry(actor, "register.find", details={"text": text}))
    return found


def show(connection: Connection, actor: audit.Actor, subject_id: int) -> dict[str, Any]:
    shown = views.show(connection, subject_id)
    audit.record(connection, audit.Entry(actor, "register.show", str(subject_id)))
    return shown


def history(connection: Connection, actor: audit.Actor, subject_id: int) -> list[dict[str, Any]]:
    events = views.history(connection, subject_id)
    audit.record(connection, audit.Entry(actor, "register.history", str(subject_id)))
    return events


def show_with_history(
    connection: Connection, actor: audit.Actor, subject_id: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A subject and its dated changes, one audit entry (the console's subject page)."""
    shown = views.show(connection, subject_id)
    events = views.history(connection, subject_id)
    audit.record(connection, audit.Entry(actor, "register.show", str(subject_id)))
    return shown, events


def divergence(
    connection: Connection,
    actor: audit.Actor,
    jurisdictions: list[str] | None,
    when: date | None,
    as_of: str | None,
) -> tuple[list[str], list[dict[str, Any]]]:
    columns, rows = views.divergence(connection, jurisdictions, when)
    audit.append(
        connection,
        actor,
        "register.divergence",
        details={"jurisdictions": columns, "as_of": as_of},
    )
    return columns, rows


def link(
    connection: Connection,
    actor: audit.Actor,
    record_a: str,
    record_b: str,
    decision: str,
    note: str = "",
) -> links.Link:
    made = links.decide(connection, record_a, record_b, decision, actor.account or "", note)
    audit.append(
        connection,
        actor,
        "register.link",
        target=f"{record_a} {record_b}",
        details={"decision": decision, "id": made.id},
    )
    return made


def undo_link(connection: Connection, actor: audit.Actor, link_id: int) -> links.Link:
    undone = links.undo(connection, link_id)
    audit.append(
        connection,
        actor,
        "register.unlink",
        target=str(link_id),
        details={"decision": undone.decision},
    )
    return undone


def apply_links(
    connection: Connection, actor: audit.Actor, rows: list[dict[str, str]], source: str
) -> int:
    """Analysts' decisions from a file (record_a, record_b, decision[, note])."""
    for row in rows:
        links.decide(
            connection,
            row["record_a"],
            row["record_b"],
            row.get("decision", "same") or "same",
            actor.account or "",
            row.get("note", ""),
        )
    audit.append(
        connection, actor, "register.links", target=source, details={"decisions": len(rows)}
    )
    return len(rows)
