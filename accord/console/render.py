"""Rendering pages: one Jinja2 environment (autoescaped), the header every page carries."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from accord import __version__
from accord.acts import watches
from accord.api.auth import engine_of, settings_of
from accord.errors import InvalidInput
from accord.stix.markings import Tlp
from accord.store.directory import Account, list_channels

#: TLP 2.0 colours (FIRST, TLP 2.0 standard): the label's colour on a black background.
TLP_COLOURS = {
    "clear": "#FFFFFF",
    "green": "#33FF00",
    "amber": "#FFC000",
    "amber+strict": "#FFC000",
    "red": "#FF2B2B",
}
TLP_LABELS = [t.label for t in sorted(Tlp)]
#: How far a recipient may pass each marking on (TLP 2.0), in plain words.
TLP_MEANING = {
    "clear": "no limit on further disclosure",
    "green": "may be shared within their community, not made public",
    "amber": "may be shared within their organisation and its clients, on a need-to-know basis",
    "amber+strict": "may be shared within their organisation only",
    "red": "for the named recipients only: no further disclosure",
}


def tlp_label(value: Any) -> str:
    if isinstance(value, int):
        return Tlp(value).label
    return str(value).lower().removeprefix("tlp:")


def parse_day(value: str | None, name: str) -> date | None:
    """A date from a form or query (YYYY-MM-DD), or an error naming the field."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} {value!r}: use a date such as 2026-11-26") from exc


def web_link(value: Any) -> str | None:
    """``value`` when it is an http(s) address, else None: an address from a shared object
    is shown as text, never followed, unless it is plainly a web page."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return None


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("accord.console", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tlp"] = tlp_label
    env.filters["web_link"] = web_link
    env.globals["TLP_COLOURS"] = TLP_COLOURS
    env.globals["TLP_LABELS"] = TLP_LABELS
    env.globals["TLP_MEANING"] = TLP_MEANING
    env.globals["version"] = __version__
    return env


def header(request: Request, account: Account) -> dict[str, Any]:
    """Who is signed in, their party, and what they may see: on every page."""
    channels: list[str] | None = getattr(request.state, "channels", None)
    with engine_of(request).connect() as connection:
        if channels is None:
            channels = [c.name for c in list_channels(connection, account.party.id)]
        unread = watches.unread(connection, account)  # the header's "Alerts (n)"
    return {
        "account": account,
        "party": account.party,
        "audiences": ["own party", "network", *channels],
        "channels": channels,
        "unread": unread,
        "csrf": getattr(request.state, "csrf", ""),
    }


def render(
    request: Request,
    template: str,
    account: Account | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    values: dict[str, Any] = {
        "request": request,
        "node": settings_of(request).node_name,
        "path": request.url.path,
        "account": None,
    }
    if account is not None:
        values.update(header(request, account))
    values.update(context)
    html = environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


#: Pages load nothing from elsewhere, and cannot be framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    """An error on a console page, as a page (the API answers problem details instead)."""
    from accord.console.session import sign_in_redirect

    if status == 401:
        return sign_in_redirect(request)
    account = getattr(request.state, "account", None)
    return render(request, "error.html", account, status_code=status, title=title, detail=detail)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
