"""Dates as the lists give them: a day, a month or a year, or nothing.

A designation's date keeps its precision: "2006-11" is November 2006, not the first of it.
For "as of D" questions a partial date counts from its first day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True, slots=True)
class ListDate:
    value: date
    precision: str  # day | month | year

    def __str__(self) -> str:
        if self.precision == "year":
            return f"{self.value.year:04d}"
        if self.precision == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()


def parse_list_date(text: str | None) -> ListDate | None:
    """``2015-03-27``, ``2015-03-27-04:00`` (UN time-zone suffix), ``2006-11``, ``2008``;
    None for an empty value. Raises ValueError naming an impossible or unreadable date."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    match = _DATE.match(raw)
    rest = raw[match.end() :] if match else raw
    if match is None or (rest and not re.fullmatch(r"(?:T[\d:.]+)?(?:Z|[+-]\d\d:\d\d)?", rest)):
        raise ValueError(f"unreadable date {raw!r}: expected YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = match.groups()
    try:
        if day:
            return ListDate(date(int(year), int(month), int(day)), "day")
        if month:
            return ListDate(date(int(year), int(month), 1), "month")
        return ListDate(date(int(year), 1, 1), "year")
    except ValueError as exc:
        raise ValueError(f"impossible date {raw!r}: {exc}") from exc
