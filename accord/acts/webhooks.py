"""A party's webhooks (add, list, remove) and its daily digest of alerts, each audited.

Webhooks are the party's own: its admin (or the node's operator, setting a party up) manages
them, and they carry only the party's alerts (:mod:`accord.correlate.webhooks`). They are
numbered per party. The secret is a shared secret the receiver needs to check signatures: it
is stored as given, shown once when ``add`` makes it, and never listed. A URL is http or
https with a host and no credentials in it.

The digest is the party's alerts raised on one UTC day that it may still see and that were
not withdrawn: any account of the party (or the operator) may take it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection

from accord import audit
from accord.acts.admin import actor_of
from accord.acts.alerts import BATCH, match_pending
from accord.acts.watches import alert_json
from accord.correlate.webhooks import DeliveryPolicy
from accord.errors import Forbidden, NotFound, refused
from accord.policy import Principal, visible_to
from accord.stix.timestamps import now_timestamp
from accord.store import directory
from accord.store import webhooks as store
from accord.store.directory import Party

MAX_URL = 2000
MAX_HOOKS = 20
_SECRET = re.compile(r"^[\x21-\x7e]{16,128}$")


def check_url(url: str) -> str:
    """The URL if a webhook may use it, else a clear refusal."""
    url = url.strip()
    if not url or len(url) > MAX_URL or any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise refused("url", f"must be 1 to {MAX_URL} characters without spaces or controls")
    try:
        parts = urlsplit(url)
        _port = parts.port
    except ValueError as exc:
        raise refused("url", f"{url[:80]!r} is not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise refused("url", f"{url[:80]!r}: only http and https URLs")
    if not parts.hostname:
        raise refused("url", f"{url[:80]!r} names no host")
    if parts.username is not None or parts.password is not None:
        raise refused("url", "holds credentials (user:password@); give a secret instead")
    return url


def _where(url: str) -> str:
    """What the audit log keeps of a URL: scheme, host and port (a query may hold a key)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _party(connection: Connection, principal: Principal, code: str | None, what: str) -> Party:
    """The party whose webhooks (or digest) ``principal`` acts on."""
    account = principal.account
    if principal.is_operator:
        if not code:
            raise refused("party", "name the party (--party CODE)")
        return directory.get_party(connection, code)
    assert account is not None
    if code and code != account.party.code:
        raise Forbidden(f"{what}: an account acts only for its own party ({account.party.code})")
    return account.party


def _admin_party(
    connection: Connection, principal: Principal, code: str | None, what: str
) -> Party:
    account = principal.account
    if not principal.is_operator and (account is None or not account.can("admin")):
        raise Forbidden(f"{what} needs an admin account of the party concerned")
    return _party(connection, principal, code, what)


@dataclass(frozen=True, slots=True)
class NewWebhook:
    listing: dict[str, Any]
    #: The secret when ``add`` made it (shown once), else None.
    generated_secret: str | None


def add_webhook(
    connection: Connection,
    principal: Principal,
    party_code: str | None,
    url: str,
    secret: str | None = None,
) -> NewWebhook:
    party = _admin_party(connection, principal, party_code, "adding a webhook")
    url = check_url(url)
    generated = None
    if secret is None or not secret.strip():
        secret = generated = secrets.token_hex(32)
    elif not _SECRET.match(secret):
        raise refused("secret", "16 to 128 printable characters without spaces")
    held = store.party_hooks(connection, party.id)
    if len(held) >= MAX_HOOKS:
        raise refused("webhook", f"the party holds {len(held)} webhooks; the limit is {MAX_HOOKS}")
    hook = store.add(connection, party.id, url, secret, now_timestamp())
    audit.append(
        connection,
        actor_of(principal),
        "webhook.add",
        target=f"webhook:{hook.number}",
        details={"party": party.code, "url": _where(url)},
    )
    return NewWebhook(_listing(hook, _empty_state()), generated)


def _empty_state() -> dict[str, Any]:
    return {"pending": 0, "failed": 0, "delivered": 0, "last_error": None}


def _listing(hook: store.Webhook, state: dict[str, Any]) -> dict[str, Any]:
    return {"id": hook.number, "url": hook.url, "created": hook.created_at, **state}


def list_webhooks(
    connection: Connection, principal: Principal, party_code: str | None
) -> list[dict[str, Any]]:
    """The party's active webhooks with their outbox: pending, failed (given up), delivered,
    and the newest error; never their secrets."""
    party = _admin_party(connection, principal, party_code, "listing webhooks")
    hooks = store.party_hooks(connection, party.id)
    state = store.outbox_state(connection, [h.id for h in hooks], DeliveryPolicy().max_attempts)
    audit.append(
        connection,
        actor_of(principal),
        "read.webhooks",
        details={"party": party.code, "count": len(hooks)},
    )
    return [_listing(hook, state[hook.id]) for hook in hooks]


def remove_webhook(
    connection: Connection, principal: Principal, party_code: str | None, number: int
) -> None:
    """Disable a webhook of the party: nothing more is queued or sent to it."""
    party = _admin_party(connection, principal, party_code, "removing a webhook")
    hook = next((h for h in store.party_hooks(connection, party.id) if h.number == number), None)
    if hook is None:
        raise NotFound(f"no webhook {number} of {party.code}")
    store.disable(connection, hook.id, now_timestamp())
    audit.append(
        connection,
        actor_of(principal),
        "webhook.remove",
        target=f"webhook:{number}",
        details={"party": party.code, "url": _where(hook.url)},
    )


def parse_day(raw: str | None) -> date:
    """``--date``: a UTC day YYYY-MM-DD (yesterday when not given)."""
    if raw is None or not raw.strip():
        return datetime.now(UTC).date() - timedelta(days=1)
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise refused("date", f"{raw[:40]!r} is not a date YYYY-MM-DD") from exc


def digest(
    connection: Connection, principal: Principal, party_code: str | None, day: date
) -> dict[str, Any]:
    """The party's alerts raised on ``day`` (UTC) that it may still see, not withdrawn."""
    party = _party(connection, principal, party_code, "a digest of alerts")
    while match_pending(connection) == BATCH:  # what the matcher still holds, first
        pass
    since = f"{day.isoformat()}T00:00:00.000Z"
    until = f"{(day + timedelta(days=1)).isoformat()}T00:00:00.000Z"
    rows = store.day_alerts(connection, visible_to(party.id), party.id, since, until)
    codes = store.party_codes(connection)
    audit.append(
        connection,
        actor_of(principal),
        "alerts.digest",
        details={"party": party.code, "date": day.isoformat(), "alerts": [r.number for r in rows]},
    )
    return {
        "party": party.code,
        "date": day.isoformat(),
        "generated": now_timestamp(),
        "count": len(rows),
        "alerts": [alert_json(row, codes) for row in rows],
    }


def _cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")[:200]


def digest_markdown_head(found: dict[str, Any]) -> list[str]:
    return [
        f"# Alerts of {found['party']} on {found['date']} (UTC)",
        "",
        f"{found['count']} alert(s), generated {found['generated']}. Each is a lead for an "
        "analyst to check, never a decision; the JSON file holds every field.",
        "",
        "| # | raised | watch | object | origin | matched |",
        "|---|---|---|---|---|---|",
    ]


def digest_markdown_line(alert: dict[str, Any]) -> str:
    reason = alert["reason"]
    obj = alert["object"]
    watch = alert["watch"]
    return (
        f"| {alert['id']} | {_cell(alert['raised'])} | {_cell(watch['kind'])}: "
        f"{_cell(watch['text'])} | {_cell(obj['type'])} {_cell(obj['name'] or alert['object_id'])}"
        f" | {_cell(obj['origin'])} | {_cell(reason.get('value'))} ({_cell(reason.get('how'))}) |"
    )
