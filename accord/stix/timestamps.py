"""STIX 2.1 timestamps (section 3.2): RFC 3339, UTC, ``Z`` suffix, optional fraction.

The original string is always kept: TAXII version matching is exact. For ordering, a
timestamp is turned into a fixed-width key with nine fraction digits, so that string order
is time order and ``...:00Z`` and ``...:00.000Z`` denote the same instant.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z\Z")


def timestamp_key(value: object) -> str | None:
    """A sortable key for a STIX timestamp, or None when ``value`` is not a valid one."""
    if not isinstance(value, str):
        return None
    key = _KEYS.get(value, _MISSING)
    if key is _MISSING:
        key = _string_key(value)
        if len(_KEYS) >= 100_000:
            _KEYS.clear()
        _KEYS[value] = key
    return key  # type: ignore[return-value]


# Timestamps repeat within and across objects (created, modified, valid_from...).
_KEYS: dict[str, str | None] = {}
_MISSING = object()


def _string_key(value: str) -> str | None:
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        # Range checks (month 13, 30 February...); leap second 60 is folded into 59.
        datetime(int(year), int(month), int(day), int(hour), int(minute), min(int(second), 59))
    except ValueError:
        return None
    return f"{value[:19]}.{(fraction or '').ljust(9, '0')}Z"


def now_timestamp() -> str:
    """The current time as a STIX timestamp with millisecond precision."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_key() -> str:
    """The current time as a sortable key (see :func:`timestamp_key`), microsecond precision."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def key_to_timestamp(key: str) -> str:
    """Turn a sortable key back into a STIX timestamp with microsecond precision."""
    return key[:26] + "Z"
