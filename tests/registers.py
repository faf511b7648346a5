"""The demo UN list as a screening index on a store of its own, for tests that read the
register but do not test the store (module-scoped: built once per test module)."""

from __future__ import annotations

from pathlib import Path

from accord.register.importer import import_list, read_list
from accord.screening.index import ScreeningIndex
from accord.store.engine import make_engine, migrate

UN_2025 = Path(__file__).resolve().parents[1] / "demo-data" / "consolidated-2025-08-02.xml"


def un_index(folder: Path) -> ScreeningIndex:
    """A screening index over the UN list of 2025-08-02, imported into SQLite in ``folder``."""
    engine = make_engine(f"sqlite:///{folder / 'un.db'}", sqlite_synchronous="OFF")
    migrate(engine)
    with engine.begin() as connection:
        import_list(connection, read_list("un-xml", UN_2025))
    index = ScreeningIndex()
    with engine.connect() as connection:
        index.refresh(connection)
    engine.dispose()
    return index
