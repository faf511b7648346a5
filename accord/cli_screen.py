"""``accord screen``: names against the register, from the command line or a manifest file."""

from __future__ import annotations

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
from accord.screening.batch import Batch, BatchFailed, Options, default_workers
from accord.screening.index import ScreeningIndex
from accord.screening.service import DEFAULT_THRESHOLD, MAX_NAME, Query, screen
from accord.screening.snapshot import open_index

console = Console()


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
    workers: Annotated[
        int | None,
        typer.Option(help="Processes screening --file [default: all cores]"),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted --file run into --out")
    ] = False,
) -> None:
    """Screen names against the register. A hit is a lead for a person to check, with reasons."""
    for name in names or []:
        if len(name) > MAX_NAME:
            raise typer.BadParameter(
                f"a name of {len(name):,} characters; the limit is {MAX_NAME:,}",
                param_hint="NAMES",
            )
    if workers is not None and workers < 1:
        raise typer.BadParameter(f"at least 1 (got {workers})", param_hint="--workers")
    if resume and file is None:
        raise typer.BadParameter("--resume continues a --file run", param_hint="--resume")
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
    _screen_file(engine, index, file, target, threshold, limit, workers, resume)


def _screen_file(
    engine: Any,
    index: ScreeningIndex,
    file: Path,
    target: Path,
    threshold: float,
    limit: int,
    workers: int | None,
    resume: bool,
) -> None:
    """The manifest through accord.screening.batch: in order, across processes, resumable."""
    options = Options(threshold, limit, target.suffix == ".csv")
    try:
        run = Batch(
            index, file, target, options, workers=workers or default_workers(), resume=resume
        )
    except InvalidInput as error:
        raise typer.BadParameter(error.detail) from None
    if run.notice:
        console.print(run.notice)
    try:
        with run, progress_bar(console) as progress:
            task = progress.add_task(f"screening {file.name}", total=run.total, completed=run.rows)
            summary = run.run(
                lambda rows: progress.advance(task, rows),
                lambda count: _audit(engine, count, None, [file.name]),
            )
    except BatchFailed as error:
        console.print(f"[red]error:[/red] {error.detail}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print(f"stopped: run again with --resume to continue into {target}")
        raise typer.Exit(130) from None
    if summary.interrupted:
        console.print(
            f"stopped after {summary.rows:,} of {run.total:,} rows; results so far in {target}: "
            "run again with --resume to continue"
        )
        raise typer.Exit(130)
    console.print(
        f"{summary.rows} rows screened, {summary.matched} with a match; results in {target}"
    )


def _audit(engine: Any, count: int, results: list[dict[str, Any]] | None, what: list[str]) -> None:
    with engine.begin() as connection:
        screen_acts.record(
            connection,
            audit.Actor("cli", None, "cli"),
            results or [],
            target=", ".join(what),
            queries=count,
        )
