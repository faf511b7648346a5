"""``accord watch add|list|remove`` and ``accord alerts``: a party's watches and the alerts
they raise, from the node's host, on behalf of an account (``--account NAME``).

Watches and alerts are numbered per party, so every command names the account (and through
it the party) it acts for. The acts are those of the API (accord.acts.watches), with door
"cli": decided and audited the same way.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from accord.acts import watches as watch_acts
from accord.acts.cli_accounts import acting_account
from accord.cli_errors import fail, reported

watch_app = typer.Typer(
    help="Watches: names, register subjects and values your party is told about.",
    no_args_is_help=True,
)
console = Console()

#: The act's field names as the options that carry them.
OPTIONS = {
    "account": "--account",
    "name": "--name",
    "subject": "--subject",
    "value": "--value",
    "note": "--note",
    "expires": "--expires",
    "query": "--query",
    "types": "--types",
    "watch": "--name/--subject/--value/--query",
    "next": "--after",
}


class Format(StrEnum):
    table = "table"
    json = "json"


AccountOption = Annotated[
    str | None,
    typer.Option("--account", help="Act for this account (and its party)", show_default=False),
]
FormatOption = Annotated[Format, typer.Option("--format", help="table or json")]
ExerciseOption = Annotated[
    str | None,
    typer.Option(
        "--exercise",
        help="An exercise the party takes part in: its watches and alerts only (marked EXERCISE)",
        show_default=False,
    ),
]


def _required(account: str | None, command: str) -> str:
    if not account:
        raise fail(
            f"--account: required ({command} acts for an account: watches and alerts are "
            "numbered per party)"
        )
    return account


def _print_json(value: Any) -> None:
    print(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode())


@watch_app.command("add")
def watch_add(
    ctx: typer.Context,
    account: AccountOption = None,
    name: Annotated[str | None, typer.Option(help="A person or group name, any script")] = None,
    subject: Annotated[str | None, typer.Option(help="A register reference, e.g. QDe.088")] = None,
    value: Annotated[
        str | None,
        typer.Option(help="TYPE:VALUE, e.g. domain-name:example.org or ipv4-addr:10.0.0.0/8"),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(help="A saved search: text found in objects' names and descriptions"),
    ] = None,
    types: Annotated[
        str, typer.Option(help="With --query: only these STIX types (comma-separated)")
    ] = "",
    note: Annotated[str, typer.Option(help="Why the party watches it")] = "",
    expires: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD, the last day the watch holds")
    ] = None,
    exercise: ExerciseOption = None,
    output: FormatOption = Format.table,
) -> None:
    """Watch a name, a register subject, a value or a saved search: an alert whenever an
    object your party may see holds it."""
    who = _required(account, "watch add")
    options = (("--name", name), ("--subject", subject), ("--value", value), ("--query", query))
    given = [flag for flag, text in options if text is not None]
    if len(given) != 1:
        raise fail(
            "--name/--subject/--value/--query: give exactly one"
            + (f" (got {', '.join(given)})" if given else "")
        )
    request = watch_acts.WatchRequest(
        name=name,
        subject=subject,
        value=value,
        query=query,
        types=tuple(t.strip() for t in types.split(",") if t.strip()),
        note=note,
        expires=expires,
        exercise=exercise,
    )
    with reported(OPTIONS), ctx.obj.engine.begin() as connection:
        added = watch_acts.add_watch(
            connection, acting_account(connection, who), request, door="cli"
        )
    if output is Format.json:
        _print_json(added)
        return
    console.print(
        f"watch [bold]{added['id']}[/bold] added: {added['kind']} {added['text']!r} "
        f"(matched as {added['matched_as']['kind']} {added['matched_as']['value']!r})",
        highlight=False,
    )


@watch_app.command("list")
def watch_list(
    ctx: typer.Context,
    account: AccountOption = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only the account's own watches")] = False,
    output: FormatOption = Format.table,
) -> None:
    """List the party's watches."""
    who = _required(account, "watch list")
    with reported(OPTIONS), ctx.obj.engine.begin() as connection:
        found = watch_acts.list_watches(
            connection, acting_account(connection, who), mine=mine, door="cli"
        )
    if output is Format.json:
        _print_json(found)
        return
    table = Table("id", "kind", "text", "matched as", "note", "expires", "created", "by")
    for watch in found:
        table.add_row(
            str(watch["id"]),
            watch["kind"],
            watch["text"],
            f"{watch['matched_as']['kind']}: {watch['matched_as']['value']}",
            watch["note"],
            watch["expires"] or "",
            watch["created"],
            watch["account"],
        )
    console.print(table if found else "no watches")


@watch_app.command("remove")
def watch_remove(
    ctx: typer.Context,
    watch_id: Annotated[int, typer.Argument(metavar="ID", help="The watch's number", min=1)],
    account: AccountOption = None,
) -> None:
    """Remove a watch: of the party of --account (its author, or an admin of the party); or,
    without --account, as the node's host, the one watch of that number."""
    with reported(OPTIONS), ctx.obj.engine.begin() as connection:
        if account:
            acting = acting_account(connection, account)
            watch_acts.remove_watch(connection, acting, watch_id, door="cli")
            party = acting.party.code
        else:
            party = watch_acts.remove_watch_on_host(
                connection, watch_id, host=ctx.obj.settings.node_name
            )
    console.print(f"watch [bold]{watch_id}[/bold] removed ({party})")


def alerts_command(
    ctx: typer.Context,
    account: AccountOption = None,
    unacknowledged: Annotated[
        bool, typer.Option("--unacknowledged", help="Only those nobody acknowledged")
    ] = False,
    withdrawn: Annotated[
        bool, typer.Option("--withdrawn", help="Include withdrawn alerts")
    ] = False,
    after: Annotated[
        str | None, typer.Option("--after", help="The cursor a previous page gave")
    ] = None,
    limit: Annotated[int, typer.Option(help="Alerts per page", min=1, max=1000)] = 100,
    exercise: ExerciseOption = None,
    output: FormatOption = Format.table,
) -> None:
    """The party's alerts, oldest first: what its watches found in objects it may see."""
    who = _required(account, "alerts")
    with reported(OPTIONS), ctx.obj.engine.begin() as connection:
        page = watch_acts.list_alerts(
            connection,
            acting_account(connection, who),
            after=after,
            limit=limit,
            unacknowledged=unacknowledged,
            withdrawn=withdrawn,
            exercise=exercise,
            door="cli",
        )
    if output is Format.json:
        _print_json(page.as_json())
        return
    title = f"EXERCISE {exercise}: not real intelligence" if exercise else None
    table = Table(
        "id", "watch", "object", "origin", "why", "raised", "acknowledged", "withdrawn", title=title
    )
    for alert in page.items:
        reason = alert["reason"]
        why = f"{reason.get('how', '')}: {reason.get('value', '')}"
        if "score" in reason:
            why += f" ({reason['score']:.2f})"
        shown = alert["exercise"]
        table.add_row(
            f"{alert['id']} {shown['marking']}" if shown else str(alert["id"]),
            f"{alert['watch']['id']} {alert['watch']['text']}",
            f"{alert['object']['type']} {alert['object']['name'] or alert['object_id']}",
            alert["object"]["origin"],
            why,
            alert["raised"],
            alert["acknowledged_by"] or "",
            alert["withdrawn"] or "",
        )
    console.print(table if page.items else "no alerts")
    console.print(f"{page.unread} unacknowledged", highlight=False)
    if page.next:
        console.print(f"more: --after {page.next}", highlight=False)
