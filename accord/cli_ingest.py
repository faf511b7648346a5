"""``accord ingest``: articles (scraped text or HTML) to structured, evidenced intelligence."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from accord import audit
from accord.cli_progress import progress_bar
from accord.errors import AccordError
from accord.limits import Limits
from accord.stix.markings import Tlp

console = Console()
errors = Console(stderr=True)


def ingest_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Articles: scraped text or HTML files")],
    output: Annotated[
        str, typer.Option("--format", help="json (a line per article), stix or table")
    ] = "json",
    publish: Annotated[bool, typer.Option(help="Publish each article's STIX bundle")] = False,
    account: Annotated[str | None, typer.Option(help="Publish as this account")] = None,
    audience: Annotated[str | None, typer.Option(help="own, network, or a channel")] = None,
    tlp: Annotated[str | None, typer.Option(help="clear, green, amber, amber+strict, red")] = None,
) -> None:
    """Read articles into persons, organisations, places and incidents, each with evidence;
    groups are linked to the register. A failed article is reported and never published."""
    from accord.acts import ingest as service  # imported here: other commands start faster
    from accord.ingest.pipeline import read_article

    if output not in ("json", "stix", "table"):
        raise typer.BadParameter(f"{output!r}: use json, stix or table", param_hint="--format")
    level = None
    if publish:
        if not (account and audience and tlp):
            raise typer.BadParameter("--publish needs --account, --audience and --tlp")
        try:
            level = Tlp.from_label(tlp)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--tlp") from exc
    state = ctx.obj
    limits = Limits.from_settings(state.settings)
    engine = state.engine
    linker = service.linker_for(engine)
    publisher = None
    if publish:
        from accord.store import directory

        with engine.connect() as connection:
            publisher = directory.get_account(connection, account or "")
    failed = published = 0
    done: list[str] = []
    with progress_bar(errors, transient=len(files) == 1) as progress:
        task = progress.add_task("ingesting", total=len(files))
        for file in files:
            progress.advance(task)
            try:
                if not file.is_file():
                    raise AccordError(f"{file}: no such file")
                article = read_article(file.read_bytes(), file.name, linker, limits=limits)
            except AccordError as error:
                failed += 1
                errors.print(f"[red]{file}: {error.detail}[/red]")
                continue
            done.append(file.name)
            if output == "json":
                sys.stdout.write(service.render_json(article) + "\n")
            elif output == "stix":
                sys.stdout.write(service.render_stix(article) + "\n")
            else:
                console.print(service.render_table(article))
            if publisher is not None and level is not None:
                with engine.begin() as connection:
                    report = service.publish(
                        connection,
                        publisher,
                        article,
                        audience=audience or "",
                        tlp=level,
                        door="cli",
                        node=state.settings.node_name,
                    )
                published += report.count("accepted")
                errors.print(
                    f"{file.name}: published {report.count('accepted')} objects to "
                    f"{report.audience} (TLP:{report.tlp.upper()}), "
                    f"{report.count('rejected')} rejected"
                )
    actor = audit.Actor(account or f"cli:{getpass.getuser()}", None, "cli")
    service.record(engine, actor, done, failed, published)
    if failed:
        raise typer.Exit(1)
