"""``accord audit partitions list|create|detach|check-archive``: the audit log's partitions
on PostgreSQL (accord.store.audit_partitions, accord.audit_archive).

Appends make the next partition on their own; ``create`` makes more ahead for an operator
who wants room before a busy period. ``detach`` archives the oldest partition to a file and
drops it from the store once it is wholly before the newest verified checkpoint.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from accord import audit, audit_archive
from accord.cli_errors import fail, reported
from accord.store import audit_partitions

partitions_app = typer.Typer(
    help="The audit log's partitions (PostgreSQL): list, make ahead, archive and detach.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)

_SQLITE = "the audit log is one table on SQLite: partitions are PostgreSQL's (migration 0012)"


@partitions_app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON")] = False,
) -> None:
    """The partitions, their ranges, estimated entries and size; what was archived."""
    with reported(), ctx.obj.engine.connect() as connection:
        if not audit_partitions.is_partitioned(connection):
            console.print(_SQLITE, markup=False)
            return
        found = audit_partitions.stats(connection)
        head = audit.head_seq(connection)
        checkpoint = audit.latest_checkpoint(connection)
        archived_to, _hash = audit_archive.boundary(connection)
    listed: list[dict[str, Any]] = [
        {
            "name": s.partition.name,
            "first_seq": s.partition.first_seq,
            "last_seq": s.partition.last_seq,
            "estimated_entries": s.estimated_entries,
            "bytes": s.bytes,
            "state": _state(s.partition, head, checkpoint),
        }
        for s in found
    ]
    if as_json:
        found_json = {"partitions": listed, "head_seq": head, "archived_to": archived_to}
        print(orjson.dumps(found_json, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table("partition", "entries", "estimated", "size", "state")
    for item in listed:
        table.add_row(
            str(item["name"]),
            f"{item['first_seq']:,}-{item['last_seq']:,}",
            "?" if item["estimated_entries"] < 0 else f"{item['estimated_entries']:,}",
            f"{int(item['bytes']) / 2**20:,.1f} MiB",
            str(item["state"]),
        )
    console.print(table)
    if archived_to:
        console.print(f"entries 1-{archived_to:,} archived (see `accord audit partitions list`)")


def _state(
    partition: audit_partitions.Partition, head: int, checkpoint: tuple[int, str] | None
) -> str:
    if partition.first_seq > head:
        return "ahead"
    if checkpoint is not None and partition.last_seq < checkpoint[0]:
        return "archivable"
    return "current" if partition.last_seq >= head else "filled"


@partitions_app.command("create")
def create_command(
    ctx: typer.Context,
    ahead: Annotated[int, typer.Option(help="Empty partitions to have after the head")] = 1,
) -> None:
    """Make partitions ahead of the head (appends make the next one on their own)."""
    if not 1 <= ahead <= 100:
        raise fail(f"--ahead must be between 1 and 100, not {ahead}")
    with reported(), ctx.obj.engine.begin() as connection:
        if not audit_partitions.is_partitioned(connection):
            raise fail(_SQLITE)
        made = audit_archive.make_ahead(connection, ahead)
    console.print(f"made {', '.join(made)}" if made else "enough partitions ahead already")


@partitions_app.command("detach")
def detach_command(
    ctx: typer.Context,
    partition: Annotated[str, typer.Argument(help="The oldest partition, wholly archivable")],
    archive: Annotated[Path, typer.Option(help="The archive file to write (a new file)")],
    keep_table: Annotated[
        bool, typer.Option(help="Keep the detached table in the database instead of dropping it")
    ] = False,
) -> None:
    """Archive a partition before the newest checkpoint to a file, then detach it."""
    actor = audit.Actor(f"cli:{getpass.getuser()}", None, "cli")
    with reported():
        try:
            done = audit_archive.archive_partition(
                ctx.obj.engine, partition, archive, actor, keep_table=keep_table
            )
        except OSError as exc:
            raise fail(f"{archive}: {exc.strerror or exc}") from None
    console.print(
        f"archived {done.entries:,} entries ({done.first_seq:,}-{done.last_seq:,}) to "
        f"{done.file}, sha256 {done.file_sha256}; boundary hash {done.last_hash}; "
        f"recorded as audit entry {done.entry_seq}",
        markup=False,
    )


@partitions_app.command("check-archive")
def check_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An archive written by `detach`")],
    alone: Annotated[
        bool, typer.Option("--alone", help="Check the file only, not against this store")
    ] = False,
) -> None:
    """Recompute an archive's chain and compare it with what the store recorded."""
    if not file.is_file():
        raise fail(f"{file}: no such file")
    with reported():
        if alone:
            report = audit_archive.check_file(file)
        else:
            with ctx.obj.engine.connect() as connection:
                report = audit_archive.check_file(file, connection)
    if report.ok:
        console.print(
            f"archive intact: entries {report.first_seq:,}-{report.last_seq:,}, "
            f"last hash {report.last_hash}",
            markup=False,
        )
        return
    # Exit 1, as `audit verify` does on a broken chain.
    errors.print(f"archive tampered: {len(report.problems)} problem(s)", markup=False)
    for problem in report.problems[:20]:
        errors.print(f"  {problem}", markup=False)
    raise typer.Exit(1)
