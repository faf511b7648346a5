"""A snapshot of the screening index in the user's cache, so that a new process answers its
first query in about a second instead of rebuilding the index from every register name.

The snapshot is keyed by the database (URL and schema) and holds the register signature it
was made at, the names, the postings, the word counts and the subjects, as ``marshal`` data
behind a SHA-256 digest; the digest of the screening code is part of it, so that a change of
normalisation or keys makes it void. A snapshot that is missing, damaged, of other code or
of another database is ignored and replaced. After loading, :meth:`ScreeningIndex.refresh`
catches up with the register as usual, without a rebuild.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import icu
from sqlalchemy import Connection

from accord.cache import cache_dir, write_atomically
from accord.screening.index import Entry, ScreeningIndex, Subject

MAGIC = b"ACCORD-SCREENING-INDEX 1\n"
#: The modules whose rules shape the index: their source is part of the snapshot's identity.
CODE = (
    "normalise.py",
    "scripts.py",
    "words.py",
    "equivalents.py",
    "similarity.py",
    "rules.py",
    "eastasian.py",
    "lexicon.py",
    "index.py",
    "score.py",
    "snapshot.py",
    "data/lexicon.tsv",
    "data/acronyms.tsv",
)


@lru_cache(maxsize=1)
def code_digest() -> str:
    digest = hashlib.sha256()
    for name in CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    digest.update(str(icu.ICU_VERSION).encode())  # CLDR's names come with ICU
    return digest.hexdigest()


def database_key(connection: Connection) -> str | None:
    """What tells this database from another (None for one that lives in memory only)."""
    url = connection.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    key = url.render_as_string(hide_password=True)
    if connection.dialect.name == "postgresql":
        key += "#" + str(connection.exec_driver_sql("SELECT current_schema()").scalar())
    return key


def path_for(key: str) -> Path:
    return cache_dir() / f"screening-{hashlib.sha256(key.encode()).hexdigest()[:24]}.idx"


def save(index: ScreeningIndex, path: Path) -> bool:
    state = (
        code_digest(),
        index.signature,
        [(e.name_id, e.subject_id, e.name, e.acronyms) for e in index.entries.values()],
        dict(index.postings),
        dict(index.frequency),
        {
            subject_id: (s.name, s.kind, s.details, s.references)
            for subject_id, s in index.subjects.items()
        },
    )
    blob = marshal.dumps(state)
    return write_atomically(path, MAGIC + hashlib.sha256(blob).digest() + blob)


def load(index: ScreeningIndex, path: Path) -> bool:
    """Fill an empty ``index`` from the snapshot at ``path``; False if there is none usable."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    start = len(MAGIC) + 32
    if (
        not data.startswith(MAGIC)
        or hashlib.sha256(data[start:]).digest() != data[len(MAGIC) : start]
    ):
        return False
    # Millions of small objects, none in a cycle: the collector's passes over them while they
    # are made would take twice as long as making them (as in ScreeningIndex.add_many).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            state: Any = marshal.loads(data[start:])
            code, signature, entries, postings, frequency, subjects = state
        except (ValueError, EOFError, TypeError):
            return False
        if code != code_digest():
            return False
        index.entries = {row[0]: Entry(*row) for row in entries}
        index.postings.clear()
        index.postings.update(postings)
        index.frequency = Counter(frequency)
        index.subjects = {
            subject_id: Subject(name, kind, details, references)
            for subject_id, (name, kind, details, references) in subjects.items()
        }
        index.signature = signature
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()
    return True


def open_index(connection: Connection, index: ScreeningIndex | None = None) -> ScreeningIndex:
    """The register's index: from the snapshot when there is one, caught up with the register,
    and the snapshot written again when it was missing or the register had changed."""
    index = index if index is not None else ScreeningIndex()
    key = database_key(connection)
    path = path_for(key) if key else None
    loaded = bool(path and not len(index) and load(index, path))
    changed = index.refresh(connection)
    if path and (changed or not loaded):
        save(index, path)
    return index
