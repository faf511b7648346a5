"""The user's cache directory for files Accord can always rebuild (the place gazetteer, the
screening index snapshot): ``$ACCORD_CACHE_DIR/accord``, ``$XDG_CACHE_HOME/accord`` or
``~/.cache/accord``."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("ACCORD_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "accord" if base else Path.home() / ".cache" / "accord"


def write_atomically(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file and a rename, readable by the user
    only; False when the directory cannot be written (a read-only home: rebuild each time)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + f".{os.getpid()}.tmp")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)
    except OSError:
        return False
    return True
