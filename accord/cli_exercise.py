"""``accord exercise ...``: joint exercises from the node's host.

The host acts as the operator (import and list scenarios, read and steer any exercise of
this node); ``--account NAME`` acts as that account instead (a director starting an
exercise: its injects are published as the director's account). The acts are
accord.acts.exercises and accord.acts.exercise_clock, door ``cli``.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from accord.acts import exercise_clock, exercise_links, exercise_report, exercises
from accord.acts.cli_accounts import acting_account
from accord.errors import AccordError, refused
from accord.exercise import cexf
from accord.policy import Principal
from accord.store import directory

exercise_app = typer.Typer(
    help="Joint exercises: scenarios, runs, their progress and report.", no_args_is_help=True
)
director_app = typer.Typer(help="Exercise directors (granted by a party's admin).")
exercise_app.add_typer(director_app, name="director")
console = Console()
errors = Console(stderr=True)

OPTIONS = {"as": "--as", "role": "--role", "speed": "--speed", "start": "--start"}


class Format(StrEnum):
    table = "table"
    json = "json"


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"


class ScenarioFormat(StrEnum):
    accord = "accord"
    cexf = "cexf"


AccountOption = Annotated[
    str | None,
    typer.Option("--account", help="Act as this account (a director, a player)"),
]


@contextmanager
def _acting(ctx: typer.Context, account: str | None) -> Iterator[tuple[Any, Principal]]:
    """A transaction and who acts in it; a refusal as one line and exit status 2."""
    try:
        with ctx.obj.engine.begin() as connection:
            if account:
                principal = Principal(acting_account(connection, account), "cli")
            else:
                principal = Principal(None, "cli", host_name=f"cli:{getpass.getuser()}")
            yield connection, principal
    except AccordError as exc:
        if exc.errors:
            first = exc.errors[0]
            message = f"{OPTIONS.get(first.field, first.field)}: {first.message}"
            for more in exc.errors[1:]:
                message += f"\n  {more.field}: {more.message}"
        else:
            message = exc.detail
        errors.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@exercise_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A scenario (JSON or YAML) or a MISP CEXF file")],
    account: AccountOption = None,
) -> None:
    """Check and store a scenario; it is then known by its name."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        errors.print(f"[red]error:[/red] {file}: {exc.strerror}")
        raise typer.Exit(2) from None
    with _acting(ctx, account) as (connection, principal):
        raw = cexf.to_scenario_bytes(raw)
        scenario = exercises.import_scenario(connection, principal, raw, file.name)
    console.print(
        f"scenario [bold]{scenario.name}[/bold]: {len(scenario.injects)} injects, "
        f"{len(scenario.expectations)} expectations, roles {', '.join(scenario.roles)}"
    )


@exercise_app.command("export")
def export_command(
    ctx: typer.Context,
    name: str,
    format: Annotated[ScenarioFormat, typer.Option("--format")] = ScenarioFormat.accord,
    out: Annotated[Path | None, typer.Option("--out")] = None,
    account: AccountOption = None,
) -> None:
    """Write a stored scenario, as imported or as MISP CEXF."""
    with _acting(ctx, account) as (connection, principal):
        document = exercises.scenario_document(connection, principal, name)
        if format == ScenarioFormat.cexf:
            document = cexf.from_scenario(document)
    raw = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    if out is None:
        console.print(raw.decode(), highlight=False, markup=False, soft_wrap=True)
    else:
        out.write_bytes(raw)


@exercise_app.command("list")
def list_command(
    ctx: typer.Context,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    account: AccountOption = None,
) -> None:
    """Scenarios (host and directors) and the exercises you may see."""
    with _acting(ctx, account) as (connection, principal):
        scenarios = []
        if principal.account is None or exercises.is_director(connection, principal):
            scenarios = exercises.list_scenarios(connection, principal)
        runs = exercises.list_exercises(connection, principal)
    if format == Format.json:
        console.print_json(orjson.dumps({"scenarios": scenarios, "exercises": runs}).decode())
        return
    table = Table("scenario", "title", "roles", "injects", "expectations")
    for item in scenarios:
        table.add_row(
            item["name"],
            item["title"],
            ", ".join(item["roles"]),
            str(item["injects"]),
            str(item["expectations"]),
        )
    console.print(table)
    runs_table = Table("exercise", "scenario", "state", "speed", "start", "view")
    for run in runs:
        runs_table.add_row(
            run["name"], run["scenario"], run["state"], str(run["speed"]), run["start"], run["view"]
        )
    console.print(runs_table)


def _roles(values: list[str]) -> dict[str, str]:
    roles: dict[str, str] = {}
    for value in values:
        role, _, party = value.partition("=")
        if not role or not party:
            raise refused("role", f"{value!r}: expected ROLE=PARTY, such as host=kz-knb")
        if role in roles:
            raise refused("role", f"role {role!r} is given twice")
        roles[role.strip()] = party.strip()
    return roles


def _start_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise refused(
            "start", f"{text!r}: expected an ISO 8601 time such as 2026-12-03T09:00Z"
        ) from None
    if moment.tzinfo is None:
        raise refused("start", "give the time zone (for example 2026-12-03T09:00:00Z)")
    return moment


@exercise_app.command("start")
def start_command(
    ctx: typer.Context,
    scenario: str,
    name: Annotated[str, typer.Option("--as", help="The exercise's name")],
    role: Annotated[list[str], typer.Option("--role", help="ROLE=PARTY, once per role")],
    speed: Annotated[int, typer.Option("--speed", help="1: real time; 60: an hour a minute")] = 1,
    start: Annotated[str | None, typer.Option("--start", help="ISO time (default: now)")] = None,
    account: AccountOption = None,
) -> None:
    """Start a run of a scenario (as a director: --account, or the node's only director)."""
    with _acting(ctx, account) as (connection, principal):
        if principal.account is None:
            principal = Principal(exercises.only_director(connection), "cli")
        started = exercises.start_exercise(
            connection,
            principal,
            scenario,
            name,
            _roles(role),
            speed=speed,
            start=_start_time(start),
        )
    console.print(
        f"exercise [bold]{started['name']}[/bold] {started['state']} (channel {started['channel']})"
    )


@exercise_app.command("status")
def status_command(
    ctx: typer.Context,
    name: str,
    format: Annotated[Format, typer.Option("--format")] = Format.table,
    account: AccountOption = None,
) -> None:
    """Injects sent and due, each expectation met, missed or pending."""
    with _acting(ctx, account) as (connection, principal):
        state = exercise_clock.status(connection, principal, name)
    if format == Format.json:
        console.print_json(orjson.dumps(state).decode())
        return
    console.print(
        f"[bold]{state['name']}[/bold] ({state['title']}): {state['state']}, "
        f"T+{state['scenario_seconds'] // 60}m at {state['speed']}x"
    )
    injects = Table("inject", "status", "sent at")
    for inject in state["injects"]:
        injects.add_row(inject["id"], inject["status"], inject["sent_at"] or "")
    console.print(injects)
    expectations = Table("expectation", "role", "party", "status", "points", "response")
    for item in state["expectations"]:
        response = "" if item["response_seconds"] is None else f"{item['response_seconds']}s"
        expectations.add_row(
            item["id"],
            item["role"],
            str(item["party"]),
            item["status"],
            f"{item['points']}/{item['max_points']}",
            response,
        )
    console.print(expectations)


def _steer(ctx: typer.Context, name: str, action: str, account: str | None) -> None:
    with _acting(ctx, account) as (connection, principal):
        done = exercises.set_state(connection, principal, name, action)
    console.print(f"exercise [bold]{name}[/bold] {done['state']}")


@exercise_app.command("pause")
def pause_command(ctx: typer.Context, name: str, account: AccountOption = None) -> None:
    """Stop the exercise's clock."""
    _steer(ctx, name, "pause", account)


@exercise_app.command("resume")
def resume_command(ctx: typer.Context, name: str, account: AccountOption = None) -> None:
    """Start the clock again where it stopped."""
    _steer(ctx, name, "resume", account)


@exercise_app.command("end")
def end_command(ctx: typer.Context, name: str, account: AccountOption = None) -> None:
    """End the exercise: its channel and objects are purged; its events and audit stay."""
    _steer(ctx, name, "end", account)


@exercise_app.command("purge")
def purge_command(ctx: typer.Context, name: str) -> None:
    """On a node taking part in an exercise directed elsewhere: purge its channel and objects
    once it is over (the node's host; the audit keeps what happened)."""
    with _acting(ctx, None) as (connection, principal):
        purged = exercises.purge_received(connection, principal, name)
    console.print(f"exercise-{name}: {purged} versions purged")


@exercise_app.command("channels")
def channels_command(
    ctx: typer.Context,
    name: str,
    party: Annotated[
        list[str], typer.Option("--party", help="A party the partner node hosts (repeat)")
    ],
    out: Annotated[Path | None, typer.Option("--out")] = None,
    account: AccountOption = None,
) -> None:
    """Export, for a partner node, the exercise's channels its parties are members of (the
    partner's operator then runs ``accord exercise join FILE``)."""
    with _acting(ctx, account) as (connection, principal):
        document = exercise_links.channels_document(
            connection, principal, name, party, ctx.obj.settings.node_name
        )
    raw = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    if out is None:
        console.print(raw.decode(), highlight=False, markup=False, soft_wrap=True)
    else:
        out.write_bytes(raw)


@exercise_app.command("join")
def join_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file of accord exercise channels")],
    url: Annotated[str, typer.Option("--url", help="The other node's TAXII API root")],
    token: Annotated[
        list[str],
        typer.Option("--token", help="PARTY=TOKEN: a local party's account there (repeat)"),
    ],
) -> None:
    """Take part in an exercise directed on another node: create its channels here and a
    peer pulling each (the director's end then purges them here by sync). On the
    director's node, with a partner node's URL: pull the answers back."""
    tokens: dict[str, str] = {}
    for value in token:
        code, sep, secret = value.partition("=")
        if not sep or not code or not secret:
            errors.print("[red]error:[/red] --token: expected PARTY=TOKEN")
            raise typer.Exit(2)
        tokens[code] = secret
    try:
        document = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        errors.print(f"[red]error:[/red] {file}: {exc}")
        raise typer.Exit(2) from None
    with _acting(ctx, None) as (connection, principal):
        joined = exercise_links.join(connection, principal, document, url, tokens)
    console.print(
        f"exercise [bold]{joined['exercise']}[/bold]: channels {', '.join(joined['channels'])}"
        f" ({len(joined['created'])} created), peers {', '.join(joined['peers']) or 'none'}"
    )


@exercise_app.command("mark")
def mark_command(
    ctx: typer.Context,
    name: str,
    expectation: str,
    status: Annotated[str, typer.Option("--status", help="met or missed")] = "met",
    account: AccountOption = None,
) -> None:
    """Mark an open expectation met or missed (the director, for free tasks)."""
    with _acting(ctx, account) as (connection, principal):
        exercise_clock.mark(connection, principal, name, expectation, status)
    console.print(f"{expectation}: {status}")


@exercise_app.command("lesson")
def lesson_command(
    ctx: typer.Context,
    name: str,
    text: str,
    account: Annotated[str, typer.Option("--account", help="The player entering it")],
) -> None:
    """Enter a lesson learned (a player of the exercise)."""
    with _acting(ctx, account) as (connection, principal):
        exercise_clock.add_lesson(connection, principal, name, text)
    console.print("lesson recorded")


@exercise_app.command("tick")
def tick_command(ctx: typer.Context) -> None:
    """Step every live exercise's clock once now (``accord serve`` does it every second)."""
    try:
        count = exercise_clock.tick(ctx.obj.engine, directory.utc_now())
    except AccordError as exc:
        errors.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(2) from None
    console.print(f"{count} events recorded")


@exercise_app.command("report")
def report_command(
    ctx: typer.Context,
    name: str,
    out: Annotated[Path, typer.Option("--out", help="The file to write")],
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.html,
    account: AccountOption = None,
) -> None:
    """The after-action report: objectives, timeline, scores, sharing, misses, lessons."""
    with _acting(ctx, account) as (connection, principal):
        report = exercise_report.report(connection, principal, name)
    out.write_bytes(exercise_report.render(report, format.value))
    console.print(f"report of [bold]{name}[/bold] written to {out}")


AdminToken = Annotated[
    str,
    typer.Option("--token", envvar="ACCORD_TOKEN", help="The token of your party's admin"),
]


@contextmanager
def _as_admin(ctx: typer.Context, token: str) -> Iterator[tuple[Any, Principal]]:
    from accord.cli import _principal as principal_of  # the CLI's one rule for --token

    with _acting(ctx, None) as (connection, _host):
        yield connection, principal_of(connection, token)


@director_app.command("grant")
def grant_command(
    ctx: typer.Context,
    account_name: Annotated[str, typer.Argument(help="An account of your party")],
    token: AdminToken,
) -> None:
    """Make an account of your party an exercise director (its admin's act)."""
    with _as_admin(ctx, token) as (connection, principal):
        exercises.grant_director(connection, principal, account_name)
    console.print(f"{account_name} is an exercise director")


@director_app.command("revoke")
def revoke_command(ctx: typer.Context, account_name: str, token: AdminToken) -> None:
    """Take the exercise director grant back."""
    with _as_admin(ctx, token) as (connection, principal):
        exercises.revoke_director(connection, principal, account_name)
    console.print(f"{account_name} is no longer an exercise director")
