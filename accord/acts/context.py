"""The node's context: what every act of one node shares, built once and injected.

``create_app`` builds one (or is given one) and the application's lifespan disposes of it;
the CLI builds its own. It holds the engine, the settings (node name, limits) and the
screening index with ingestion's register linker over it, both made lazily, once per
process, and caught up with the register when asked for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from accord.audit_batch import Batcher
from accord.config import Settings
from accord.prepare import PublishLimits
from accord.screening.index import ScreeningIndex
from accord.store.engine import make_engine


@dataclass
class NodeContext:
    settings: Settings
    engine: Engine
    #: Whether the context made the engine (and so disposes of it).
    owns_engine: bool = False
    _index: ScreeningIndex | None = field(default=None, repr=False)
    _linker: tuple[Any, Any] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _batcher: Batcher | None = field(default=None, repr=False)

    @classmethod
    def build(cls, settings: Settings, engine: Engine | None = None) -> NodeContext:
        if engine is not None:
            return cls(settings, engine)
        made = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        return cls(settings, made, owns_engine=True)

    @property
    def node(self) -> str:
        return self.settings.node_name

    @property
    def limits(self) -> PublishLimits:
        return PublishLimits.from_settings(self.settings)

    def screening_index(self) -> ScreeningIndex:
        """The node's index, caught up with the register (cheap when nothing changed): from
        its snapshot in the cache when there is one, else built; one per process."""
        from accord.screening.snapshot import open_index

        with self._lock:
            with self.engine.connect() as connection:
                if self._index is None:
                    self._index = open_index(connection)
                else:
                    self._index.refresh(connection)
            return self._index

    def register_linker(self) -> Any:
        """Ingestion's register linker over the index, made again only when the register
        changed (making it reads every name); None for an empty register."""
        from accord.ingest.extract import register_linker

        index = self.screening_index()
        with self._lock:
            if self._linker is not None and self._linker[0] == index.signature:
                return self._linker[1]
            linker = register_linker(index) if len(index) else None
            self._linker = (index.signature, linker)
            return linker

    def audit_batcher(self) -> Batcher | None:
        """The node's group commit of read entries (:mod:`accord.audit_batch`), or None
        when ``audit_group_commit`` is 0 or the store is an in-memory SQLite database (one
        connection, which a second thread may not share)."""
        if not self.settings.audit_group_commit or self.engine.url.database in (
            None,
            "",
            ":memory:",
        ):
            return None
        with self._lock:
            if self._batcher is None:
                self._batcher = Batcher(self.engine)
            return self._batcher

    def close(self) -> None:
        """Release what the context holds: the audit batcher (after committing what it
        holds) and the engine's pool, when the context made the engine."""
        if self._batcher is not None:
            self._batcher.close()
        if self.owns_engine:
            self.engine.dispose()
