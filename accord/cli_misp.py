"""``accord misp import|export|map-sharing-group|unmap-sharing-group|sharing-groups``.

Imports and exports act for an account (``--account NAME``): its party publishes what is
imported and the export holds what it may see. The acts are the API's
(:mod:`accord.acts.misp`), with door "cli": decided and audited the same way.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from accord.acts import misp as acts
from accord.acts import misp_export, misp_stream
from accord.acts.cli_accounts import acting_account
from accord.cli_errors import fail, reported
from accord.cli_progress import progress_bar
from accord.config import Settings
from accord.errors import AccordError
from accord.misp.convert import Converted, convert_stream, read_events
from accord.misp.pool import workers_of
from accord.policy import Principal
from accord.prepare import PublishLimits

misp_app = typer.Typer(
    help="MISP: import and export events, map sharing groups to channels.",
    no_args_is_help=True,
)
console = Console()
errors = Console(stderr=True)


def _files(paths: list[Path]) -> list[Path]:
    """The event files named, a directory standing for a MISP feed's event files (every
    ``*.json`` but its ``manifest.json``)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.glob("*.json") if p.name != "manifest.json")
        elif path.is_file():
            found.append(path)
        else:
            raise fail(f"{path}: no such file or directory")
    return found


def _converted_files(
    paths: list[Path], limit: int, workers: int
) -> Iterator[tuple[Path, list[Converted] | str]]:
    """Each file's converted events (or why the file is refused whole), in order; the events
    of every file go through one pool, several files in flight, so a feed directory of one
    event a file converts as fast as one file of many events."""
    plan: list[tuple[Path, int | str]] = []

    def events() -> Iterator[dict[str, Any]]:
        for path in paths:
            size = path.stat().st_size
            if size > limit:
                plan.append(
                    (path, f"{size:,} bytes; the limit is {limit:,} (ACCORD_MAX_BODY_BYTES)")
                )
                continue
            try:
                found = read_events(path.read_bytes())
            except AccordError as exc:
                plan.append((path, exc.detail))
                continue
            plan.append((path, len(found)))
            yield from found

    converted = convert_stream(events(), workers)
    buffer: deque[Converted] = deque()
    position = 0
    while True:
        while position >= len(plan):  # pulling on converts ahead and plans further files
            got = next(converted, None)
            if got is None:
                break
            buffer.append(got)
        if position >= len(plan):
            return
        path, what = plan[position]
        position += 1
        if isinstance(what, str):
            yield path, what
            continue
        batch: list[Converted] = []
        while len(batch) < what:
            batch.append(buffer.popleft() if buffer else next(converted))
        yield path, batch


@misp_app.command("import")
def import_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="MISP event JSON files, or a feed directory")],
    account: Annotated[str, typer.Option(help="Import as this account (and its party)")],
    workers: Annotated[
        int | None, typer.Option(help="Processes converting (0: one a core; ACCORD_MISP_WORKERS)")
    ] = None,
) -> None:
    """Import MISP events: each stored whole, or refused whole with the reason."""
    settings = ctx.obj.settings
    limits = PublishLimits.from_settings(settings)
    chosen = _files(files)
    stored = unchanged = refused = 0
    count = _workers(workers, settings)
    with progress_bar(console) as progress:
        task = progress.add_task("importing MISP events", total=len(chosen))
        # misp-stix in the pool, ahead of the store and outside any transaction
        for path, converted in _converted_files(chosen, settings.max_body_bytes, count):
            if isinstance(converted, str):
                errors.print(f"{path}: {converted}", markup=False)
                refused += 1
                progress.advance(task)
                continue
            try:
                with ctx.obj.engine.begin() as connection:
                    who = acting_account(connection, account)
                    report = acts.import_events(
                        connection,
                        who,
                        converted,
                        settings=settings,
                        door="cli",
                        limits=limits,
                    )
            except AccordError as exc:
                errors.print(f"{path}: {exc.detail}", markup=False)
                refused += 1
                progress.advance(task)
                continue
            stored += report.count("stored")
            unchanged += report.count("unchanged")
            refused += report.count("refused")
            for event in report.events:
                for error in event.errors[:3]:
                    errors.print(
                        f"{path}: event {event.uuid}: {error.field}: {error.message}", markup=False
                    )
                for hit in event.warnings:
                    console.print(
                        f"{path}: event {event.uuid}: {hit['value']!r} is on the "
                        f"warning lists {', '.join(hit['lists'])}",
                        markup=False,
                    )
            progress.advance(task)
    console.print(f"{stored} events stored, {unchanged} unchanged, {refused} refused")
    if refused:
        raise typer.Exit(1)


@misp_app.command("export")
def export_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="Export what this account may see")],
    out: Annotated[Path, typer.Option(help="A directory (one {uuid}.json per event) or a file")],
    collection: Annotated[
        str | None, typer.Option(help="A collection id, or own, network, a channel")
    ] = None,
    added_after: Annotated[str | None, typer.Option(help="Only objects added after")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes converting (0: one a core; ACCORD_MISP_WORKERS)")
    ] = None,
) -> None:
    """Export what the account may see as MISP events (JSON PyMISP and MISP load)."""
    settings = ctx.obj.settings
    with reported(), ctx.obj.engine.begin() as connection:
        who = acting_account(connection, account)
        criteria = misp_export.criteria_for(
            connection,
            who,
            collection=collection,
            added_after=added_after,
            node_name=settings.node_name,
        )
    # Each event written as it is converted (misp-stix in ``workers`` processes, outside
    # any transaction); each page of the store read, and audited, in its own.
    events = misp_stream.stream_events(
        ctx.obj.engine, who, criteria, door="cli", workers=_workers(workers, settings)
    )
    count = 0
    with reported():
        if out.is_dir():
            for event in events:
                (out / f"{event['Event']['uuid']}.json").write_bytes(orjson.dumps(event))
                count += 1
        else:
            with out.open("wb") as sink:  # as orjson.OPT_INDENT_2 writes the whole list
                sink.write(b"[")
                for event in events:
                    text = orjson.dumps(event, option=orjson.OPT_INDENT_2)
                    indented = b"\n".join(b"  " + line for line in text.split(b"\n"))
                    sink.write((b",\n" if count else b"\n") + indented)
                    count += 1
                sink.write(b"\n]" if count else b"]")
    console.print(f"{count} events written to {out}")


def _workers(option: int | None, settings: Settings) -> int:
    try:
        return workers_of(settings.misp_workers if option is None else option)
    except ValueError as exc:
        raise fail(f"--workers: {exc}") from None


def _host() -> Principal:
    import getpass

    return Principal(None, "cli", host_name=f"cli:{getpass.getuser()}")


@misp_app.command("map-sharing-group")
def map_command(
    ctx: typer.Context,
    uuid: Annotated[str, typer.Argument(help="The MISP sharing group's UUID")],
    channel: Annotated[str, typer.Argument(help="The channel of the same parties")],
) -> None:
    """Map a MISP sharing group to the channel whose members are the same parties."""
    with reported(), ctx.obj.engine.begin() as connection:
        acts.map_sharing_group(connection, _host(), uuid, channel)
    console.print(f"sharing group {uuid} -> channel {channel}", markup=False)


@misp_app.command("unmap-sharing-group")
def unmap_command(ctx: typer.Context, uuid: str) -> None:
    """Remove a mapping: events of that sharing group are refused from then on."""
    with reported(), ctx.obj.engine.begin() as connection:
        done = acts.unmap_sharing_group(connection, _host(), uuid)
    console.print(f"sharing group {uuid} " + ("unmapped" if done else "was not mapped"))


@misp_app.command("sharing-groups")
def list_command(ctx: typer.Context) -> None:
    """The sharing-group mapping."""
    with reported(), ctx.obj.engine.begin() as connection:
        mapping = acts.sharing_groups(connection, _host())
    for uuid, channel in sorted(mapping.items()):
        console.print(f"{uuid}  {channel}", markup=False)
