"""TAXII 2.1 media types (section 1.6.8) and content negotiation as real clients need it:
a bare ``application/taxii+json``, ``*/*`` and q-valued lists are accepted."""

from __future__ import annotations

from accord.errors import NotAcceptable, UnsupportedMediaType

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"


def _parse(value: str) -> list[tuple[str, dict[str, str], float]]:
    entries = []
    for part in value.split(","):
        pieces = [p.strip() for p in part.split(";") if p.strip()]
        if not pieces:
            continue
        params: dict[str, str] = {}
        for piece in pieces[1:]:
            key, _, val = piece.partition("=")
            params[key.strip().lower()] = val.strip().strip('"')
        quality = params.pop("q", "1")
        try:
            q = float(quality)
        except ValueError:
            q = 0.0
        entries.append((pieces[0].lower(), params, q))
    return entries


def negotiate(accept: str | None) -> str:
    """The media type to answer with, or 406 when the Accept header excludes TAXII 2.1."""
    if not accept:
        return TAXII
    for media_type, params, q in sorted(_parse(accept), key=lambda e: -e[2]):
        if q <= 0:
            continue
        if media_type in ("*/*", "application/*", "application/json"):
            return TAXII
        if media_type == "application/taxii+json" and params.get("version", "2.1") == "2.1":
            return TAXII
    raise NotAcceptable(f"Accept {accept!r} admits no media type this server produces; use {TAXII}")


def check_content_type(content_type: str | None) -> None:
    """415 unless the body is a TAXII 2.1 envelope (a bare taxii+json is accepted)."""
    for media_type, params, _ in _parse(content_type or ""):
        if media_type == "application/taxii+json" and params.get("version", "2.1") == "2.1":
            return
    raise UnsupportedMediaType(
        f"Content-Type {content_type or '(none)'!r} is not accepted; send {TAXII}"
    )
