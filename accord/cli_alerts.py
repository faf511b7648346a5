"""``accord webhook add|list|remove``, ``accord deliver`` and ``accord digest``.

The digest writes two files: ``--out FILE`` holds the day's alerts as JSON (``party``,
``date``, ``generated``, ``count``, ``alerts``: each alert as ``GET /api/v1/alerts`` shows
it), and FILE with the suffix ``.md`` a short Markdown table of them for a person to read.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, Engine

from accord.acts import webhooks as acts
from accord.cli_progress import progress_bar
from accord.correlate.webhooks import DeliveryPolicy, DeliveryRound, deliver_forever, deliver_once
from accord.errors import FieldError, InvalidInput
from accord.policy import Principal

webhook_app = typer.Typer(
    help="Webhooks: where a party's alerts are POSTed, signed.", no_args_is_help=True
)
console = Console()

Token = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="ACCORD_TOKEN",
        help="Act as the account of this token (an admin of its party) rather than as the "
        "node's operator",
    ),
]
PartyOption = Annotated[
    str | None,
    typer.Option("--party", help="The party's code (with --token: the token's party)"),
]
#: Markdown lines past which the digest shows a progress bar.
LONG_DIGEST = 500


def _engine(ctx: typer.Context) -> Engine:
    engine: Engine = ctx.obj.engine
    return engine


def _principal(connection: Connection, token: str | None) -> Principal:
    from accord.cli import _principal as principal_of  # the CLI's one rule for --token

    return principal_of(connection, token)


@webhook_app.command("add")
def webhook_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Option("--url", help="http(s) URL the alerts are POSTed to")],
    party: PartyOption = None,
    secret: Annotated[
        str | None,
        typer.Option("--secret", help="The shared signing secret [default: a new random one]"),
    ] = None,
    token: Token = None,
) -> None:
    """Add a webhook for a party; a secret it makes is printed once, never again."""
    with _engine(ctx).begin() as connection:
        made = acts.add_webhook(connection, _principal(connection, token), party, url, secret)
    console.print(f"webhook [bold]{made.listing['id']}[/bold] added: {made.listing['url']}")
    if made.generated_secret:
        console.print("signing secret (shown once; the receiver needs it):")
        print(made.generated_secret)


@webhook_app.command("list")
def webhook_list(
    ctx: typer.Context,
    party: PartyOption = None,
    token: Token = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON")] = False,
) -> None:
    """A party's webhooks and their outbox: pending, failed (given up), delivered, the
    newest error. Secrets are never shown."""
    with _engine(ctx).begin() as connection:
        found = acts.list_webhooks(connection, _principal(connection, token), party)
    if as_json:
        print(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table("id", "url", "created", "pending", "failed", "delivered", "last error")
    for hook in found:
        table.add_row(
            str(hook["id"]),
            hook["url"],
            hook["created"],
            str(hook["pending"]),
            str(hook["failed"]),
            str(hook["delivered"]),
            hook["last_error"] or "",
        )
    console.print(table)


@webhook_app.command("remove")
def webhook_remove(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="ID", help="The webhook's id in its party")],
    party: PartyOption = None,
    token: Token = None,
) -> None:
    """Remove (disable) a webhook: nothing more is queued or sent to it."""
    with _engine(ctx).begin() as connection:
        acts.remove_webhook(connection, _principal(connection, token), party, number)
    console.print(f"webhook {number} removed")


def _say(done: DeliveryRound) -> None:
    console.print(
        f"{done.sent} delivered, {done.failed} failed (retried later), "
        f"{done.settled} withdrawn before delivery"
    )
    for error in done.errors:
        console.print(f"  {error}")


def deliver_command(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due, then stop")] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between rounds when idle")
    ] = 5.0,
    lease: Annotated[
        float,
        typer.Option(
            "--lease",
            min=1.0,
            hidden=True,
            help="Seconds a claimed delivery is held before another worker may take it",
        ),
    ] = 60.0,
) -> None:
    """Deliver queued alerts to the webhooks (one worker per SQLite database)."""
    engine = _engine(ctx)
    policy = DeliveryPolicy(lease=lease)
    if once:
        total = DeliveryRound()
        while True:
            done = deliver_once(engine, policy=policy)
            total.sent += done.sent
            total.failed += done.failed
            total.settled += done.settled
            total.errors += done.errors
            if not (done.sent or done.settled):
                break
        _say(total)
        return
    stop = threading.Event()
    console.print("delivering alerts to webhooks; Ctrl-C stops")
    try:
        deliver_forever(engine, stop, interval=interval, policy=policy, on_round=_say)
    except KeyboardInterrupt:
        stop.set()


def digest_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="The JSON file to write")],
    party: PartyOption = None,
    day: Annotated[
        str | None, typer.Option("--date", help="UTC day YYYY-MM-DD [default: yesterday]")
    ] = None,
    token: Token = None,
) -> None:
    """Write a party's alerts of one UTC day (still visible, not withdrawn) to --out as JSON,
    and a Markdown table of them beside it (same name, suffix .md)."""
    if out.suffix.lower() == ".md":
        message = "names the JSON file; the Markdown goes beside it with the suffix .md"
        raise InvalidInput(f"--out: {message}", errors=[FieldError("--out", message)])
    when = acts.parse_day(day)
    with _engine(ctx).begin() as connection:
        found = acts.digest(connection, _principal(connection, token), party, when)
    out.write_bytes(orjson.dumps(found, option=orjson.OPT_INDENT_2))
    markdown = out.with_suffix(".md")
    alerts = found["alerts"]
    with markdown.open("w", encoding="utf-8") as file:
        file.write("\n".join(acts.digest_markdown_head(found)) + "\n")
        with progress_bar(console, transient=True) as progress:
            task = progress.add_task(
                "writing", total=len(alerts), visible=len(alerts) > LONG_DIGEST
            )
            for alert in alerts:
                file.write(acts.digest_markdown_line(alert) + "\n")
                progress.advance(task)
    console.print(
        f"{found['count']} alert(s) of {found['party']} on {found['date']}: {out}, {markdown}"
    )
