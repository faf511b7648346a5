"""Dates in an article: when it was published, and when the events it reports happened.

The publication date is taken from a labelled date ("Published 20 December 2016", a page's
``article:published_time``) and never from a site banner or crawl date, which says when the
page was seen, not written. Event dates written relative to the article ("on Monday",
"yesterday", "last week") are resolved against the publication date, keeping the
expression, the date and its precision; with no publication date they are flagged, not
guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
)
ABSOLUTE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\s+(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>\d{{4}})"
    rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<m3>{_MONTH})\s+(?P<y3>\d{{4}}))\b",
    re.IGNORECASE,
)
RELATIVE = re.compile(
    r"\b(?:(?:on|last|this|next)\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)\b|\b(?P<day>yesterday|today|tonight|tomorrow)\b|\b(?P<span>last|this|"
    r"next)\s+(?P<unit>week|month|year)\b|\b(?P<ago>\d+|two|three|four|five|six|seven|"
    r"several|a few)\s+(?P<agounit>days?|weeks?|months?|years?)\s+ago\b|\b(?:on\s+)?"
    rf"(?P<m4>{_MONTH})\s+(?P<d4>\d{{1,2}})\b(?!,?\s+\d{{4}})",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"\b(published|posted|updated|first published|date)\s*:?\s*(on\s+)?", re.IGNORECASE
)
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


@dataclass(frozen=True, slots=True)
class Found:
    expression: str
    start: int
    end: int
    date: dt.date | None
    precision: str  # day | month | year | unknown
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "expression": self.expression,
            "date": self.date.isoformat() if self.date else None,
            "precision": self.precision,
            "evidence": {"start": self.start, "end": self.end, "text": self.expression},
            **({"note": self.note} if self.note else {}),
        }


def parse_absolute(match: re.Match[str]) -> tuple[dt.date | None, str]:
    groups = match.groupdict()
    try:
        if groups["iso"]:
            return dt.date.fromisoformat(groups["iso"]), "day"
        if groups["d1"]:
            month = MONTHS[groups["m1"].lower().rstrip(".")]
            return dt.date(int(groups["y1"]), month, int(groups["d1"])), "day"
        if groups["d2"]:
            month = MONTHS[groups["m2"].lower().rstrip(".")]
            return dt.date(int(groups["y2"]), month, int(groups["d2"])), "day"
        month = MONTHS[groups["m3"].lower().rstrip(".")]
        return dt.date(int(groups["y3"]), month, 1), "month"
    except (ValueError, KeyError):
        return None, "unknown"


def publication_date(
    text: str, dropped: list[tuple[int, int, str]], html_dates: list[tuple[str, str]]
) -> dict[str, Any]:
    """The publication date with its source and how sure we are, or why there is none."""
    for value, where in html_dates:
        found = ABSOLUTE.search(re.sub(r"(\d{4}-\d{2}-\d{2})T", r"\1 ", value))
        dated = _dated(found, where)
        if dated:
            return dated
    banners = {(s, e) for s, e, why in dropped if why == "site banner date"}
    for label in _LABEL.finditer(text[:4000]):
        found = ABSOLUTE.match(text, label.end())
        where = f"labelled date {text[label.start() : found.end()]!r}" if found else ""
        dated = _dated(found, where)
        if dated and found:
            return {**dated, "evidence": {"start": label.start(), "end": found.end()}}
    seen = [text[s:e] for s, e in sorted(banners)]
    return {
        "date": None,
        "precision": "unknown",
        "source": None,
        "confidence": "none",
        "note": "no labelled publication date"
        + (
            f"; the site banner date {seen[0]!r} is when the page was shown, not written"
            if seen
            else ""
        ),
    }


def _dated(found: re.Match[str] | None, source: str) -> dict[str, Any] | None:
    """A publication date read from ``found``, or None when it is not a date."""
    date, precision = parse_absolute(found) if found else (None, "unknown")
    if date is None:
        return None
    return {
        "date": date.isoformat(),
        "precision": precision,
        "source": source,
        "confidence": "high",
    }


def event_dates(text: str, start: int, end: int, anchor: dt.date | None) -> list[Found]:
    """Dates in ``text[start:end]``: absolute ones, and relative ones resolved on ``anchor``."""
    found: list[Found] = []
    for match in ABSOLUTE.finditer(text, start, end):
        date, precision = parse_absolute(match)
        found.append(Found(match.group(), match.start(), match.end(), date, precision))
    for match in RELATIVE.finditer(text, start, end):
        if any(f.start <= match.start() < f.end for f in found):
            continue
        date, precision = _resolve(match, anchor)
        note = "" if date else "relative date with no publication date to resolve it"
        found.append(
            Found(
                match.group(),
                match.start(),
                match.end(),
                date,
                precision,
                note,
            )
        )
    return sorted(found, key=lambda f: f.start)


def _resolve(match: re.Match[str], anchor: dt.date | None) -> tuple[dt.date | None, str]:
    groups = match.groupdict()
    if groups["weekday"]:
        if anchor is None:
            return None, "day"
        wanted = WEEKDAYS.index(groups["weekday"].lower())
        back = (anchor.weekday() - wanted) % 7
        if "next" in match.group().lower():
            return anchor + dt.timedelta(days=(wanted - anchor.weekday()) % 7 or 7), "day"
        return anchor - dt.timedelta(days=back), "day"  # news reports past days
    if groups["day"]:
        if anchor is None:
            return None, "day"
        shift = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[groups["day"].lower()]
        return anchor + dt.timedelta(days=shift), "day"
    if groups["span"]:
        if anchor is None:
            return None, groups["unit"].lower()
        unit, span = groups["unit"].lower(), groups["span"].lower()
        step = {"last": -1, "this": 0, "next": 1}[span]
        if unit == "week":
            monday = anchor - dt.timedelta(days=anchor.weekday()) + dt.timedelta(weeks=step)
            return monday, "week"
        if unit == "month":
            month = anchor.month + step
            year = anchor.year + (month - 1) // 12
            return dt.date(year, (month - 1) % 12 + 1, 1), "month"
        return dt.date(anchor.year + step, 1, 1), "year"
    if groups["ago"]:
        unit = groups["agounit"].lower().rstrip("s")
        if anchor is None:
            return None, unit
        raw = groups["ago"].lower()
        count = int(raw) if raw.isdigit() else _NUMBERS.get(raw)
        if count is None:
            return None, unit  # "several days ago": not a date
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * count
        return anchor - dt.timedelta(days=days), "day" if unit in ("day", "week") else unit
    if groups["m4"]:
        if anchor is None:
            return None, "day"
        month = MONTHS[groups["m4"].lower().rstrip(".")]
        year = anchor.year if month <= anchor.month else anchor.year - 1
        try:
            return dt.date(year, month, int(groups["d4"])), "day"
        except ValueError:
            return None, "day"
    return None, "unknown"
