"""The screening index snapshot: loaded instead of rebuilt, caught up with the register,
ignored when damaged, of other code or of another database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from accord.screening import snapshot
from accord.screening.index import ScreeningIndex
from accord.screening.service import Query, screen
from accord.store.schema import register_names
from tests.conftest import Database
from tests.registers import load_un

UN_2025 = Path(__file__).resolve().parents[2] / "demo-data" / "consolidated-2025-08-02.xml"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "accord"


def _open(database: Database) -> tuple[ScreeningIndex, bool]:
    """The index and whether it came from a snapshot (no name was analysed to build it)."""
    built: list[int] = []
    original = ScreeningIndex.add_many

    def counting(self: ScreeningIndex, rows: object) -> None:
        rows = list(rows)  # type: ignore[call-overload]
        built.append(len(rows))
        original(self, rows)

    ScreeningIndex.add_many = counting  # type: ignore[method-assign]
    try:
        with database.engine.connect() as connection:
            index = snapshot.open_index(connection)
    finally:
        ScreeningIndex.add_many = original  # type: ignore[method-assign]
    return index, not built


def _best(index: ScreeningIndex, name: str) -> list[object]:
    return [(m["subject_id"], m["score"]) for m in screen(index, Query("1", name))["matches"]]


def test_a_second_process_loads_the_snapshot_and_answers_alike(database: Database) -> None:
    load_un(database)
    first, loaded = _open(database)
    assert not loaded and len(first) > 1000
    second, loaded = _open(database)
    assert loaded and len(second) == len(first)
    for name in ("Джебхат ан-Нусра", "Ayman al-Zawahiri", "Al Qaida", "Hasan Dahir Aweys"):
        assert _best(second, name) == _best(first, name)
    assert second.subjects.keys() == first.subjects.keys()


def test_a_changed_register_is_caught_up_and_saved_again(database: Database) -> None:
    load_un(database)
    first, _ = _open(database)
    victim = next(e for e in first.entries.values() if "Nusra" in e.name)
    with database.engine.begin() as connection:
        connection.execute(delete(register_names).where(register_names.c.id == victim.name_id))
    second, loaded = _open(database)
    assert loaded and victim.name_id not in second.entries  # the snapshot, then caught up
    third, loaded = _open(database)
    assert loaded and victim.name_id not in third.entries  # saved after catching up


def test_damaged_or_foreign_snapshots_are_ignored(database: Database, own_cache: Path) -> None:
    load_un(database)
    first, _ = _open(database)
    (path,) = own_cache.glob("screening-*.idx")
    data = path.read_bytes()
    path.write_bytes(data[:-10])  # truncated
    again, loaded = _open(database)
    assert not loaded and len(again) == len(first)
    path.write_bytes(data[: len(snapshot.MAGIC) + 40] + b"x" + data[len(snapshot.MAGIC) + 41 :])
    assert _open(database)[1] is False
    snapshot.code_digest.cache_clear()
    original = snapshot.CODE
    try:
        snapshot.CODE = ("index.py",)  # other code: the snapshot is void
        assert _open(database)[1] is False
    finally:
        snapshot.CODE = original
        snapshot.code_digest.cache_clear()
    assert path.stat().st_mode & 0o077 == 0, "readable by the user only"


def test_an_in_memory_database_has_no_snapshot(own_cache: Path) -> None:
    from accord.store.engine import make_engine, migrate

    engine = make_engine("sqlite:///:memory:")
    migrate(engine)
    with engine.connect() as connection:
        snapshot.open_index(connection)
    assert not own_cache.exists() or not list(own_cache.glob("screening-*"))
