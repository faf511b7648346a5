"""``accord register``: import lists, and read the register (show, history, divergence)."""

from __future__ import annotations

import csv
import io
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from accord import audit
from accord.acts import register as register_acts
from accord.cli_progress import progress_bar
from accord.errors import InvalidInput, NotFound
from accord.register import links, views
from accord.register.ftm import CSV_COLUMNS, export_ftm, export_rows
from accord.register.importer import ImportReport, ListFile, read_list
from accord.screening.snapshot import open_index

register_app = typer.Typer(help="The unified register of designations.", no_args_is_help=True)
import_app = typer.Typer(help="Import a list into the register.", no_args_is_help=True)
register_app.add_typer(import_app, name="import")
console = Console()
errors = Console(stderr=True)

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The list")]
STATUS_STYLE = {"listed": "red", "delisted": "green", "suspended": "yellow", "absent": "dim"}


def _engine(ctx: typer.Context) -> Engine:
    engine: Engine = ctx.obj.engine
    return engine


def _read(ctx: typer.Context, kind: str, file: Path, jurisdiction: str | None = None) -> ListFile:
    """The list, read under the node's limits (a record with an over-long name is refused)."""
    longest = ctx.obj.settings.max_name_length
    return read_list(kind, file, jurisdiction, max_name_length=longest)


def _run_import(ctx: typer.Context, listed: ListFile) -> None:
    with progress_bar(console) as progress:
        task = progress.add_task(f"importing {listed.path.name}", total=len(listed.records))
        with _engine(ctx).begin() as connection:
            report = register_acts.import_file(
                connection,
                audit.Actor(f"cli:{listed.kind}", None, "import"),
                listed,
                on_record=lambda: progress.advance(task),
            )
    _print_report(report)
    _refresh_screening(ctx)


def _refresh_screening(ctx: typer.Context) -> None:
    """Bring the screening index snapshot up to date now, so that the next process to screen
    (or the server's first screening) loads it instead of rebuilding."""
    with console.status("updating the screening index"), _engine(ctx).connect() as connection:
        index = open_index(connection)
    console.print(f"screening index: {len(index):,} names")


def _print_report(report: ImportReport) -> None:
    console.print(
        f"{report.file}: [green]{report.added} added[/green], {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.linked} linked to existing subjects, "
        f"[yellow]{report.delisted} delisted[/yellow], {report.relisted} relisted, "
        f"[red]{len(report.rejected)} rejected[/red]"
    )
    for where, reason in report.rejected:
        errors.print(f"  rejected {where}: {reason}")


@import_app.command("un-xml")
def import_un_xml(ctx: typer.Context, file: FileArg) -> None:
    """The UN Security Council Consolidated List (XML). Entries missing from a newer list are
    recorded as delisted, no later than the date that list was generated."""
    _run_import(ctx, _read(ctx, "un-xml", file))


@import_app.command("designations")
def import_designations(ctx: typer.Context, file: FileArg) -> None:
    """The multi-jurisdiction designations.csv (group_name, aliases, jurisdiction, listed,
    date_if_known, source_url)."""
    _run_import(ctx, _read(ctx, "designations", file))


@import_app.command("csv")
def import_csv(
    ctx: typer.Context,
    file: FileArg,
    jurisdiction: Annotated[
        str | None,
        typer.Option(help="ISO 3166 alpha-2 code, or UN, EU...; not needed for designations.csv"),
    ] = None,
) -> None:
    """One agency's national list in the documented CSV format (docs/register.md), or a
    multi-jurisdiction file with designations.csv's columns (recognised by its header)."""
    _run_import(ctx, _read(ctx, "csv", file, jurisdiction))


def _subject(ctx: typer.Context, subject: str) -> int:
    if subject.isdigit():
        return int(subject)
    with _engine(ctx).connect() as connection:
        found = views.find_subjects(connection, subject)
    if len(found) == 1:
        return found[0][0]
    if not found:
        raise NotFound(f"no subject has a name or reference containing {subject!r}")
    choices = "; ".join(f"{i} {n}" for i, n in found[:10])
    raise InvalidInput(f"{subject!r} matches {len(found)} subjects, give an id: {choices}")


@register_app.command("show")
def show(
    ctx: typer.Context, subject: Annotated[str, typer.Argument(help="Id, name or reference")]
) -> None:
    """Names, designations and where each came from."""
    with _engine(ctx).connect() as connection:
        found = views.show(connection, _subject(ctx, subject))
    console.print(f"[bold]{found['name']}[/bold] ({found['kind']}, subject {found['id']})")
    names = Table("name", "quality", "script", "from", title="Names")
    for name in found["names"]:
        names.add_row(name["name"], name["quality"], name["script"], name["from"])
    console.print(names)
    table = Table(
        "jurisdiction",
        "status",
        "listed",
        "delisted",
        "reference",
        "programme",
        "from",
        title="Designations",
    )
    for d in found["designations"]:
        table.add_row(
            d["jurisdiction"],
            d["status"],
            d["listed_on"] or "",
            d["delisted_on"] or "",
            d["reference"] or "",
            d["programme"],
            d["from"],
        )
    console.print(table)


@register_app.command("history")
def history(
    ctx: typer.Context, subject: Annotated[str, typer.Argument(help="Id, name or reference")]
) -> None:
    """Every dated change of the subject's designations."""
    with _engine(ctx).connect() as connection:
        events = views.history(connection, _subject(ctx, subject))
    table = Table("date", "precision", "jurisdiction", "status", "reference", "detail")
    for e in events:
        table.add_row(
            e["on_date"],
            e["precision"],
            e["jurisdiction"],
            e["status"],
            e["reference"] or "",
            e["detail"],
        )
    console.print(table)


@register_app.command("divergence")
def divergence(
    ctx: typer.Context,
    jurisdictions: Annotated[str | None, typer.Option(help="e.g. UN,RU,CN,US")] = None,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today)")] = None,
    format: Annotated[str, typer.Option(help="table, csv or json")] = "table",
) -> None:
    """Subjects on which jurisdictions disagree, with each one's state as of a date."""
    chosen = [j.strip().upper() for j in jurisdictions.split(",")] if jurisdictions else None
    try:
        when = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise typer.BadParameter(f"{as_of!r}: use YYYY-MM-DD", param_hint="--as-of") from exc
    with _engine(ctx).connect() as connection:
        columns, rows = views.divergence(connection, chosen, when)
    if format == "json":
        print(
            orjson.dumps(
                {
                    "as_of": (when or date.today()).isoformat(),
                    "jurisdictions": columns,
                    "subjects": rows,
                },
                option=orjson.OPT_INDENT_2,
            ).decode()
        )
    elif format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["subject", "name", *columns])
        for row in rows:
            cells = [
                f"{c['status']} {c['since'] or ''}".strip() for c in row["jurisdictions"].values()
            ]
            writer.writerow([row["subject"], row["name"], *cells])
        sys.stdout.write(out.getvalue())
    elif format == "table":
        table = Table("subject", "name", *columns, title=f"Divergence as of {when or date.today()}")
        for row in rows:
            cells = []
            for cell in row["jurisdictions"].values():
                style = STATUS_STYLE.get(cell["status"], "")
                text = (
                    cell["status"]
                    if cell["status"] == "absent"
                    else f"{cell['status']} {cell['since']}"
                )
                cells.append(f"[{style}]{text}[/{style}]" if style else text)
            table.add_row(str(row["subject"]), row["name"], *cells)
        console.print(table)
        console.print(f"{len(rows)} subjects on which {', '.join(columns)} disagree")
    else:
        raise typer.BadParameter("use table, csv or json", param_hint="--format")


def _actor_name() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


@register_app.command("link")
def link(
    ctx: typer.Context,
    record_a: Annotated[str, typer.Argument(help="source:key, as register show lists them")],
    record_b: Annotated[str, typer.Argument(help="source:key of the other record")],
    different: Annotated[bool, typer.Option("--different", help="They are NOT the same")] = False,
    note: Annotated[str, typer.Option(help="Why, for the next analyst")] = "",
) -> None:
    """Decide that two records denote the same subject (or, with --different, not)."""
    decision = "different" if different else "same"
    with _engine(ctx).begin() as connection:
        made = register_acts.link(
            connection, audit.Actor(_actor_name(), None, "cli"), record_a, record_b, decision, note
        )
    console.print(f"link {made.id}: {record_a} and {record_b} are {decision}")


@register_app.command("undo-link")
def undo_link(ctx: typer.Context, link_id: int) -> None:
    """Undo an analyst's link decision."""
    with _engine(ctx).begin() as connection:
        register_acts.undo_link(connection, audit.Actor(_actor_name(), None, "cli"), link_id)
    console.print(f"link {link_id} undone")


@register_app.command("apply-links")
def apply_links(ctx: typer.Context, file: FileArg) -> None:
    """Apply a file of decisions: CSV with record_a, record_b, decision (same|different), note."""
    rows = list(csv.DictReader(io.StringIO(file.read_text(encoding="utf-8"))))
    with _engine(ctx).begin() as connection:
        register_acts.apply_links(
            connection, audit.Actor(_actor_name(), None, "cli"), rows, file.name
        )
    console.print(f"{len(rows)} link decisions applied from {file.name}")
    _refresh_screening(ctx)


@register_app.command("links")
def list_links_command(ctx: typer.Context) -> None:
    """Every link decision, active or undone."""
    with _engine(ctx).connect() as connection:
        found = links.list_links(connection)
    table = Table("id", "record a", "record b", "decision", "active", "by", "note")
    for item in found:
        table.add_row(
            str(item.id),
            item.record_a,
            item.record_b,
            item.decision,
            str(item.active),
            item.decided_by,
            item.note,
        )
    console.print(table)


@import_app.command("ftm")
def import_ftm(ctx: typer.Context, file: FileArg) -> None:
    """FollowTheMoney JSON lines: entities, and a Sanction per designation."""
    _run_import(ctx, _read(ctx, "ftm", file))


@register_app.command("export")
def export(
    ctx: typer.Context,
    format: Annotated[str, typer.Argument(help="ftm (JSON lines) or csv")],
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output)")
    ] = None,
) -> None:
    """Write the register out as FollowTheMoney JSON lines or CSV."""
    buffer = io.StringIO()
    with _engine(ctx).connect() as connection:
        if format == "ftm":
            for entity in export_ftm(connection):
                buffer.write(orjson.dumps(entity).decode() + "\n")
        elif format == "csv":
            writer = csv.writer(buffer)
            writer.writerow(CSV_COLUMNS)
            writer.writerows(export_rows(connection))
        else:
            raise typer.BadParameter("use ftm or csv", param_hint="FORMAT")
    if out is None:
        sys.stdout.write(buffer.getvalue())
    else:
        out.write_text(buffer.getvalue(), encoding="utf-8")
        console.print(f"register written to {out}")


@register_app.command("publish")
def publish_register(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="Publish as this account")],
    audience: Annotated[str, typer.Option(help="own, network, or a channel")] = "network",
    tlp: Annotated[str, typer.Option(help="clear, green, amber, amber+strict or red")] = "clear",
    print_only: Annotated[bool, typer.Option("--print", help="Print the STIX bundle only")] = False,
) -> None:
    """Share the register as STIX: subjects with their designations (an extension)."""
    from accord.acts.publish import publish_objects
    from accord.register.stix import subjects_as_stix
    from accord.stix.markings import Tlp
    from accord.store import directory

    with _engine(ctx).begin() as connection:
        publisher = directory.get_account(connection, account)
        objects = subjects_as_stix(connection, publisher.party.code)
        if print_only:
            bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
            print(orjson.dumps(bundle, option=orjson.OPT_INDENT_2).decode())
            return
        report = publish_objects(
            connection,
            publisher,
            objects,
            audience=audience,
            tlp=Tlp.from_label(tlp),
            door="cli",
            node=ctx.obj.settings.node_name,
        )
    console.print(
        f"register: {report.count('accepted')} new or changed, "
        f"{report.count('unchanged')} unchanged, {report.count('rejected')} rejected"
    )
    for error in report.errors:
        errors.print(f"  {error.object_id}: {error.field}: {error.message}")
