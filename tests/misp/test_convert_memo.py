"""The conversion back to MISP is done once per content, and each caller gets its own copy."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from accord.misp import convert
from tests.misp import events


def _objects(seed: str) -> list[dict[str, Any]]:
    raw = orjson.loads(events.event(distribution=0, sharing_group=None, seed=seed).to_json())
    return convert.event_to_stix(raw.get("Event", raw))


def test_the_same_objects_are_converted_once_and_each_caller_gets_a_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(convert, "_converted", convert._Memo(4))
    calls: list[int] = []
    real = convert._stix_to_event

    def counted(objects: list[dict[str, Any]]) -> dict[str, Any]:
        calls.append(len(objects))
        return real(objects)

    monkeypatch.setattr(convert, "_stix_to_event", counted)
    one = _objects("memo-one")
    first = convert.stix_to_event(one)
    first["info"] = "changed by the first caller"
    second = convert.stix_to_event([dict(o) for o in one])  # equal content, other dicts
    assert len(calls) == 1
    assert second["info"] != "changed by the first caller" and second == real(one)
    convert.stix_to_event(_objects("memo-two"))  # other content: converted
    assert len(calls) == 2


def test_the_memo_keeps_only_its_size() -> None:
    memo = convert._Memo(2)
    for key in (b"a", b"b", b"c"):
        memo.put(key, key)
    assert memo.get(b"a") is None and memo.get(b"b") == b"b" and memo.get(b"c") == b"c"
