"""The screening act's audit: who screened how many names, under which threshold, and how
many matched (the names themselves are personal data and stay out of the log)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from accord import audit


def record(
    connection: Connection,
    actor: audit.Actor,
    results: list[dict[str, Any]],
    *,
    threshold: float | None = None,
    target: str | None = None,
    queries: int | None = None,
) -> None:
    details: dict[str, Any] = {
        "queries": len(results) if queries is None else queries,
        "matches": sum(1 for r in results for m in r.get("matches", ()) if m["match"]),
    }
    if threshold is not None:
        details["threshold"] = threshold
    shown = target[:300] if target is not None else None
    audit.record(connection, audit.Entry(actor, "screen", shown, details))
