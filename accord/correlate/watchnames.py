"""The names a node's analysts watch, as a screening index: an object's person and group
names are screened against it when stored, so that a watch on "Абдулла Хасанов" raises an
alert on a report naming "Abdulla Khasanov", with the screening engine's explanation.

One index per engine, rebuilt when the watches change (a cheap signature query per store);
watches number in the thousands, so a rebuild takes a fraction of a second.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy import Connection, Engine

from accord.screening.index import ScreeningIndex, Subject
from accord.screening.service import Query, screen
from accord.store import correlation as store

#: A name scoring this or more against a watched name raises an alert (the screening
#: engine's own threshold: its calibration says what such a score has meant).
THRESHOLD = 0.7
#: Watched names scored per reading of an object's name: the index's best few (a watched
#: name that matches shares its rarest words, so it is among them).
CANDIDATES = 5
#: Screened names remembered per index.
MEMO = 100_000


class WatchNames:
    def __init__(self) -> None:
        self.index = ScreeningIndex()
        self.signature: tuple[Any, ...] | None = None
        self.today: str | None = None
        self.party_of: dict[int, int] = {}
        #: The exercise of each exercise watch (a real watch is not in it).
        self.exercise_of: dict[int, str] = {}
        #: Names already screened against this index: feeds name the same people again.
        self.memo: dict[str, list[tuple[int, dict[str, Any]]]] = {}

    def refresh(self, connection: Connection, today: str) -> None:
        signature = store.watch_signature(connection)
        if signature == self.signature and today == self.today:
            return
        index = ScreeningIndex()
        party_of: dict[int, int] = {}
        exercise_of: dict[int, str] = {}
        rows = store.name_watches(connection, today)
        index.add_many((row.id, row.id, row.text, None) for row in rows)
        for row in rows:
            index.subjects[row.id] = Subject(row.text, "unknown", {})
            party_of[row.id] = row.party_id
            if row.exercise is not None:
                exercise_of[row.id] = row.exercise
        self.index, self.party_of, self.memo = index, party_of, {}
        self.exercise_of = exercise_of
        self.signature, self.today = signature, today

    def matches(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        """(watch id, screening match) for the watched names ``name`` matches."""
        if not self.index.entries:
            return []
        known = self.memo.get(name)
        if known is not None:
            return known
        found = screen(
            self.index, Query("object", name), threshold=THRESHOLD, limit=10, candidates=CANDIDATES
        )
        result = [(m["subject_id"], m) for m in found.get("matches", []) if m["match"]]
        if len(self.memo) >= MEMO:
            self.memo.clear()
        self.memo[name] = result
        return result


_INDEXES: weakref.WeakKeyDictionary[Engine, WatchNames] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def watch_names(connection: Connection, today: str) -> WatchNames:
    """The current watch-name index of the connection's database."""
    with _LOCK:
        names = _INDEXES.get(connection.engine)
        if names is None:
            names = _INDEXES[connection.engine] = WatchNames()
        names.refresh(connection, today)
        return names
