# TEMPORARY stand-in (not to be committed)
from __future__ import annotations

from dataclasses import dataclass

from accord.correlate.values import Key


@dataclass(frozen=True, slots=True)
class Warning:
    list_name: str
    description: str


def warnings_for(key: Key) -> tuple[Warning, ...]:
    return (Warning("List of known public DNS resolvers", "x"),) if key.value == "8.8.8.8" else ()
