"""The ``accord`` command line (Typer). Long work shows Rich progress; errors exit non-zero."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import (
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import Connection, Engine

from accord import audit
from accord.acts import admin
from accord.acts.publish import publish_stream
from accord.cli_alerts import deliver_command, digest_command, webhook_app
from accord.cli_audit import partitions_app
from accord.cli_exercise import exercise_app
from accord.cli_ingest import ingest_command
from accord.cli_misp import misp_app
from accord.cli_progress import progress_bar
from accord.cli_register import register_app
from accord.cli_screen import screen_command
from accord.cli_watch import alerts_command, watch_app
from accord.config import DEFAULT_DATABASE_URL, Settings
from accord.errors import AccordError, StoreError, Unauthorized
from accord.limits import Limits
from accord.policy import Principal
from accord.prepare import PublishLimits
from accord.stix.markings import Tlp
from accord.store import directory
from accord.store.engine import is_initialised, is_postgres, make_engine, migrate
from accord.store.peers import list_peers

app = typer.Typer(
    help="Accord: federated counter-terrorism intelligence cooperation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
party_app = typer.Typer(help="Parties: agencies and hubs.", no_args_is_help=True)
account_app = typer.Typer(help="Accounts and their tokens.", no_args_is_help=True)
channel_app = typer.Typer(help="Channels: named audiences of parties.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(party_app, name="party")
app.add_typer(account_app, name="account")
app.add_typer(channel_app, name="channel")
app.add_typer(audit_app, name="audit")
audit_app.add_typer(partitions_app, name="partitions")
app.add_typer(register_app, name="register")
app.command("screen")(screen_command)
app.command("ingest")(ingest_command)
app.add_typer(webhook_app, name="webhook")
app.command("deliver")(deliver_command)
app.command("digest")(digest_command)
app.add_typer(watch_app, name="watch")
app.add_typer(exercise_app, name="exercise")
app.command("alerts")(alerts_command)
peer_app = typer.Typer(
    help="Peers: remote TAXII collections this node pulls from.", no_args_is_help=True
)
app.add_typer(peer_app, name="peer")
app.add_typer(misp_app, name="misp")

console = Console()
errors = Console(stderr=True)


class State:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None

    @property
    def raw_engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(
                self.settings.database_url, sqlite_synchronous=self.settings.sqlite_synchronous
            )
        return self._engine

    @property
    def engine(self) -> Engine:
        """The engine of an initialised store; a clear error when ``accord init`` is due."""
        engine = self.raw_engine
        if not is_initialised(engine):
            raise StoreError(
                f"the database {self.settings.database_url} is not initialised: run `accord init`"
            )
        return engine


def _state(ctx: typer.Context) -> State:
    state: State = ctx.obj
    return state


def _principal(connection: Connection, token: str | None) -> Principal:
    """The node's host acting as the operator, or, with ``--token``, the account it names
    (a party's admin deciding for its own party from the node's host)."""
    if not token:
        return Principal(None, "cli", host_name=f"cli:{getpass.getuser()}")
    account = directory.account_by_token(connection, token)
    if account is None:
        raise Unauthorized("the --token is not valid, or its account is disabled")
    return Principal(account, "cli")


AdminToken = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="ACCORD_TOKEN",
        help="Act as the account of this token (an admin of the party concerned) rather "
        "than as the node's operator",
    ),
]


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


@contextmanager
def _transaction(ctx: typer.Context) -> Iterator[Connection]:
    with _state(ctx).engine.begin() as connection:
        yield connection


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="ACCORD_DATABASE_URL",
            help=f"Database URL [default: {DEFAULT_DATABASE_URL}]",
        ),
    ] = None,
) -> None:
    ctx.obj = State(Settings.from_env(database_url=db))


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database, or migrate it to the newest schema."""
    migrate(_state(ctx).raw_engine)
    console.print(f"[green]database ready[/green] at {_state(ctx).settings.database_url}")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8700,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (PostgreSQL only; SQLite: 1)")
    ] = 1,
) -> None:
    """Run the node's HTTP server (REST API, OpenAPI docs at /docs)."""
    from accord.cli_serve import run_server

    state = _state(ctx)
    migrate(state.raw_engine)
    run_server(state.settings, state.engine, host=host, port=port, workers=workers, out=console)


@party_app.command("add")
def party_add(
    ctx: typer.Context,
    code: str,
    name: Annotated[str, typer.Option(help="Full name of the agency or hub")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166 alpha-2, or UN, EU, SCO...")],
) -> None:
    """Add a party (an agency of a state, or a hub)."""
    with _transaction(ctx) as connection:
        party = admin.add_party(connection, _principal(connection, None), code, name, jurisdiction)
    console.print(f"party [bold]{party.code}[/bold] ({party.jurisdiction}) added")


@party_app.command("list")
def party_list(ctx: typer.Context) -> None:
    """List parties."""
    with _state(ctx).engine.connect() as connection:
        rows = directory.list_parties(connection)
    table = Table("code", "name", "jurisdiction")
    for party in rows:
        table.add_row(party.code, party.name, party.jurisdiction)
    console.print(table)


@account_app.command("add")
def account_add(
    ctx: typer.Context,
    name: str,
    party: Annotated[str, typer.Option(help="Code of the account's party")],
    role: Annotated[str, typer.Option(help="reader, publisher, admin or operator")] = "reader",
    expires_days: Annotated[
        int | None,
        typer.Option(help="Days the token lives [default: ACCORD_TOKEN_LIFETIME_DAYS, 90]"),
    ] = None,
    token: AdminToken = None,
) -> None:
    """Add an account and print its API token once (only its hash is stored).

    The operator sets up a party until it has an admin; from then on its admins add its
    accounts (--token)."""
    days = _state(ctx).settings.token_lifetime_days if expires_days is None else expires_days
    with _transaction(ctx) as connection:
        account, new_token = admin.add_account(
            connection, _principal(connection, token), name, party, role, days
        )
    console.print(
        f"account [bold]{account.name}[/bold] ({account.role} of {account.party.code}) added"
    )
    _print_token(new_token, account.token_expires_at)


def _print_token(token: str, expires_at: str) -> None:
    console.print(f"token (shown once, keep it safe; expires {expires_at}):")
    print(token)


@account_app.command("revoke")
def account_revoke(ctx: typer.Context, name: str, token: AdminToken = None) -> None:
    """Revoke an account's token at once and end its console sessions (rotate to restore)."""
    with _transaction(ctx) as connection:
        account = admin.revoke_account(connection, _principal(connection, token), name)
    console.print(f"token of [bold]{account.name}[/bold] revoked at {account.revoked_at}")


@account_app.command("rotate")
def account_rotate(
    ctx: typer.Context,
    name: str,
    expires_days: Annotated[
        int | None, typer.Option(help="A new lifetime in days [default: the account's]")
    ] = None,
    token: AdminToken = None,
) -> None:
    """Give an account a new token, printed once; the old one stops working at once."""
    with _transaction(ctx) as connection:
        account, token = admin.rotate_token(
            connection, _principal(connection, token), name, lifetime_days=expires_days
        )
    console.print(f"token of [bold]{account.name}[/bold] rotated; the old one no longer works")
    _print_token(token, account.token_expires_at)


@account_app.command("expire")
def account_expire(
    ctx: typer.Context,
    name: str,
    days: Annotated[int, typer.Option(help="The token expires this many days from now")],
    token: AdminToken = None,
) -> None:
    """Set an account's token lifetime: it expires DAYS from now, and so will rotated ones."""
    with _transaction(ctx) as connection:
        account = admin.set_token_lifetime(connection, _principal(connection, token), name, days)
    console.print(f"token of [bold]{account.name}[/bold] expires {account.token_expires_at}")


@account_app.command("list")
def account_list(ctx: typer.Context) -> None:
    """List accounts (never their tokens)."""
    with _state(ctx).engine.connect() as connection:
        rows = directory.list_accounts(connection)
    table = Table("name", "party", "role", "disabled", "token expires", "revoked")
    for account in rows:
        table.add_row(
            account.name,
            account.party.code,
            account.role,
            str(account.disabled),
            account.token_expires_at,
            account.revoked_at or "",
        )
    console.print(table)


@channel_app.command("add")
def channel_add(
    ctx: typer.Context,
    name: str,
    members: Annotated[str, typer.Option(help="Comma-separated party codes")],
    description: Annotated[str, typer.Option(help="What the channel is for")] = "",
) -> None:
    """Add a bilateral or multilateral channel."""
    codes = _codes(members)
    with _transaction(ctx) as connection:
        channel = admin.add_channel(
            connection, _principal(connection, None), name, codes, description
        )
    console.print(f"channel [bold]{channel.name}[/bold]: {', '.join(channel.members)}")


@channel_app.command("members")
def channel_members(
    ctx: typer.Context,
    name: str,
    add: Annotated[str, typer.Option(help="Comma-separated party codes to add")] = "",
    remove: Annotated[str, typer.Option(help="Comma-separated party codes to remove")] = "",
    token: AdminToken = None,
) -> None:
    """Agree that parties join a channel (they join once every member party's admin has
    agreed: --token of an admin of a member party), or take parties out (at once)."""
    with _transaction(ctx) as connection:
        change = admin.change_members(
            connection, _principal(connection, token), name, _codes(add), _codes(remove)
        )
    console.print(
        f"channel [bold]{change.channel.name}[/bold]: {', '.join(change.channel.members)}"
    )
    for code, waiting in change.pending.items():
        console.print(f"{code} joins once these agree: {', '.join(waiting)}")


@channel_app.command("list")
def channel_list(ctx: typer.Context) -> None:
    """List channels and their members."""
    with _state(ctx).engine.connect() as connection:
        rows = directory.list_channels(connection)
    table = Table("name", "members", "description")
    for channel in rows:
        table.add_row(channel.name, ", ".join(channel.members), channel.description)
    console.print(table)


@app.command()
def publish(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="STIX bundles or objects")
    ],
    account: Annotated[str, typer.Option(help="Publish as this account")],
    audience: Annotated[str, typer.Option(help="own, network, or a channel name")],
    tlp: Annotated[str, typer.Option(help="clear, green, amber, amber+strict or red")],
) -> None:
    """Publish STIX 2.1 files to an audience under a TLP marking, one transaction per file."""
    state = _state(ctx)
    try:
        level = Tlp.from_label(tlp)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--tlp") from exc
    settings = state.settings
    limits = PublishLimits.from_settings(settings)
    with state.engine.connect() as connection:
        publisher = directory.get_account(connection, account)
    rejected = 0
    payloads = (file.read_bytes() for file in files)
    stream = publish_stream(
        state.engine,
        publisher,
        payloads,
        audience=audience,
        tlp=level,
        door="cli",
        limits=limits,
        node=settings.node_name,
    )
    with progress_bar(console, transient=len(files) == 1) as progress:
        task = progress.add_task("publishing", total=len(files))
        for file, report in zip(files, stream, strict=False):
            progress.console.print(
                f"{file.name}: [green]{report.count('accepted')} accepted[/green], "
                f"{report.count('unchanged')} unchanged, "
                f"[red]{report.count('rejected')} rejected[/red] "
                f"(audience {report.audience}, TLP:{report.tlp.upper()})"
            )
            for error in report.errors:
                where = f"object {error.index} {error.object_id or ''}".rstrip()
                errors.print(f"  {file.name}: {where}: {error.field}: {error.message}")
            rejected += report.count("rejected")
            progress.advance(task)
    if rejected:
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    expect: Annotated[str | None, typer.Option(help="Head hash recorded earlier")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    incremental: Annotated[
        bool,
        typer.Option(
            help="Check from the last checkpoint, not from entry 1, and keep the new head "
            "as a checkpoint when intact"
        ),
    ] = False,
) -> None:
    """Check the whole audit chain; exit 1 and say where when it was tampered with."""
    engine = _state(ctx).engine
    # One snapshot for the entries and the head (PostgreSQL; SQLite's transaction is one).
    options = {"isolation_level": "REPEATABLE READ"} if is_postgres(engine) else {}
    with engine.connect().execution_options(**options) as connection:
        report = audit.verify(connection, expect_head=expect, incremental=incremental)
    if incremental:
        with engine.begin() as connection:
            audit.record_checkpoint(connection, report)
    if as_json:
        print(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())
    elif report.ok:
        console.print(
            f"[green]audit log intact[/green]: {report.entries} entries, "
            f"head {report.head_seq} {report.head_hash}"
            + (f" (entries 1-{report.archived_to} archived)" if report.archived_to else "")
        )
    else:
        errors.print(
            f"[red]audit log tampered[/red]: {len(report.problems)} problem(s) "
            f"in {report.entries} entries"
        )
        for problem in report.problems:
            errors.print(f"  entry {problem['seq']}: {problem['problem']}")
    if not report.ok:
        raise typer.Exit(1)


@peer_app.command("add")
def peer_add(
    ctx: typer.Context,
    name: str,
    url: Annotated[str, typer.Option(help="TAXII API root, or a MISP feed's URL")],
    collection: Annotated[str, typer.Option(help="Collection id on the peer")] = "",
    token: Annotated[str, typer.Option(help="Token of this node's account on the peer")] = "",
    kind: Annotated[str, typer.Option(help="accord, taxii (any server), misp-feed")] = "accord",
    party: Annotated[str | None, typer.Option(help="taxii, misp-feed: whose they are")] = None,
    audience: Annotated[str | None, typer.Option(help="taxii, misp-feed: who sees them")] = None,
    tlp: Annotated[str | None, typer.Option(help="misp-feed: TLP of untagged events")] = None,
) -> None:
    """Add a peer to pull from."""
    with _transaction(ctx) as connection:
        peer = admin.add_peer(
            connection,
            _principal(connection, None),
            name,
            url,
            collection,
            token,
            kind=kind,
            party=party,
            audience=audience,
            tlp=tlp,
        )
    console.print(f"peer [bold]{peer.name}[/bold] ({peer.kind}) at {peer.url}")


@peer_app.command("list")
def peer_list(ctx: typer.Context) -> None:
    """List peers, where each pull stands and the last error."""
    with _state(ctx).engine.connect() as connection:
        rows = list_peers(connection)
    table = Table("name", "kind", "url", "collection", "last sync", "last error")
    for peer in rows:
        table.add_row(
            peer.name,
            peer.kind,
            peer.url,
            peer.collection_id,
            peer.last_sync_at or "never",
            peer.last_error or "",
        )
    console.print(table)


@app.command()
def sync(
    ctx: typer.Context,
    peer: Annotated[str | None, typer.Option(help="Only this peer")] = None,
) -> None:
    """Pull what is new from every peer (or one), with a progress bar."""
    from accord.federation.sync import SyncResult, sync_all

    state = _state(ctx)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("syncing", total=None)

        def on_page(result: SyncResult) -> None:
            progress.update(
                task,
                description=f"{result.peer}: {result.pages} pages, {result.received} objects "
                f"({result.accepted} new, {result.unchanged} known, {result.rejected} refused)",
            )

        outcomes = sync_all(
            state.engine,
            local_node=state.settings.node_name,
            only=peer,
            on_page=on_page,
            limits=Limits.from_settings(state.settings),
            settings=state.settings,
        )
    failed = False
    for outcome in outcomes:
        if isinstance(outcome, SyncResult):
            console.print(
                f"{outcome.peer}: {outcome.received} received, [green]{outcome.accepted} new"
                f"[/green], {outcome.unchanged} known, [red]{outcome.rejected} refused[/red]"
            )
            for reason in outcome.reasons:
                errors.print(f"  refused {reason}")
        else:
            failed = True
            errors.print(f"[red]error:[/red] {outcome.detail}")
    if failed:
        raise typer.Exit(1)


@app.command()
def demo(
    ctx: typer.Context,
    peer_of: Annotated[
        str | None, typer.Option(help="Make a second node: the first node's TAXII API root")
    ] = None,
    token: Annotated[str | None, typer.Option(help="With --peer-of: peer-ru-nac's token")] = None,
) -> None:
    """Fill an empty database with demo parties, channels, accounts and intelligence; with
    --peer-of, a second node (run by ru-nac) that pulls the first node's shared collections."""
    from accord.demo import add_demo_peers, load_demo

    state = _state(ctx)
    migrate(state.raw_engine)
    if peer_of and not token:
        raise typer.BadParameter("--peer-of needs --token", param_hint="--token")
    with _transaction(ctx) as connection:
        tokens = load_demo(
            connection,
            _principal(connection, None),
            intelligence=peer_of is None,
            node=state.settings.node_name,
        )
        if peer_of and token:
            add_demo_peers(connection, _principal(connection, None), peer_of, token)
    console.print("[bold]Demo accounts[/bold] (tokens are new each time the demo is loaded):")
    for name, party, role, token in tokens:
        print(f"  {name:<13} {party:<9} {role:<10} {token}")


def main() -> None:
    try:
        app()
    except AccordError as exc:
        errors.print(f"[red]error:[/red] {exc.detail}")
        for error in exc.errors:
            errors.print(f"  {error.field}: {error.message}")
        sys.exit(2)
    except OSError as exc:  # a file that cannot be read or written: one line, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        errors.print(f"[red]error:[/red] {where}{exc.strerror or exc}")
        sys.exit(1)
