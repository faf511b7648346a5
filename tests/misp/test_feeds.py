"""MISP feeds both ways: a feed in PyMISP's format served over HTTP on loopback and pulled
incrementally (new, updated, deleted event; a lying manifest); Accord's own feed read back
by PyMISP."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
from pymisp.tools.feed import feed_meta_generator

from accord.acts import admin
from accord.config import Settings
from accord.federation.collections import collection_id
from accord.federation.sync import SyncError, sync_all, sync_peer
from accord.store.peers import Peer, get_peer
from tests.conftest import HOST, Node
from tests.misp.events import _keep_timestamps, as_json, event, load
from tests.misp.test_import_export import export, post

SETTINGS = Settings(misp_warning_lists=0, misp_workers=1)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def feed_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over HTTP on loopback, and its URL."""
    folder = tmp_path / "feed"
    folder.mkdir()
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def write_feed(folder: Path, *events: Any) -> None:
    """The feed as PyMISP writes one: each event's to_feed(), then feed_meta_generator."""
    for old in folder.glob("*"):
        old.unlink()
    for e in events:
        _keep_timestamps(e)
        (folder / f"{e.uuid}.json").write_bytes(orjson.dumps(e.to_feed()))
    feed_meta_generator(folder)


def add_feed_peer(node: Node, url: str) -> Peer:
    with node.engine.begin() as connection:
        return admin.add_peer(
            connection,
            HOST,
            "misp-ru",
            url,
            "",
            "",
            kind="misp-feed",
            party="ru-nac",
            audience="kz-ru",
            tlp="green",
        )


def event_object(node: Node, account: str, uuid: str) -> Any:
    """The grouping (or report: misp-stix makes a published event a report) of an event."""
    for kind in ("grouping", "report"):
        found = node.client.get(f"/api/v1/objects/{kind}--{uuid}", headers=node.headers(account))
        if found.status_code != 404:
            return found
    return found


def pull(node: Node) -> Any:
    with node.engine.connect() as connection:
        peer = get_peer(connection, "misp-ru")
    return sync_peer(node.engine, peer, local_node="node-a", settings=SETTINGS)


def test_a_feed_is_pulled_incrementally(misp_node: Node, feed_dir: tuple[Path, str]) -> None:
    folder, url = feed_dir
    add_feed_peer(misp_node, url)
    untagged, amber, clear = (
        event(seed="f1", tags=()),
        event(seed="f2", tags=("tlp:amber",)),
        event(seed="f3", tags=("tlp:clear",)),
    )
    write_feed(folder, untagged, amber, clear)
    first = pull(misp_node)
    assert (first.received, first.rejected) == (3, 0), first.reasons
    seen = {e["Event"]["uuid"]: e for e in export(misp_node, "kz-reader")}
    assert set(seen) == {untagged.uuid, amber.uuid, clear.uuid}
    tlps = {
        uuid: {t["name"] for t in body["Event"]["Tag"] if t["name"].startswith("tlp:")}
        for uuid, body in seen.items()
    }
    # the peer's TLP for an untagged event, and no event less restricted than it
    assert tlps == {
        untagged.uuid: {"tlp:green"},
        amber.uuid: {"tlp:amber"},
        clear.uuid: {"tlp:green"},
    }
    origin = {t["name"] for t in seen[amber.uuid]["Event"]["Tag"]}
    assert 'accord:origin="ru-nac"' in origin and 'accord:audience="kz-ru"' in origin
    grouping = event_object(misp_node, "kz-reader", amber.uuid).json()
    assert grouping["sharing"]["origin_node"] == "misp-ru"
    assert grouping["sharing"]["hops"] == ["misp-ru", "node-a"]
    for other in ("cn", "cn-reader", "cn-admin"):
        assert export(misp_node, other) == []

    assert pull(misp_node).received == 0  # nothing changed

    updated = event(seed="f2", tags=("tlp:amber",), timestamp=1_700_090_000)
    new = event(seed="f4", tags=())
    write_feed(folder, untagged, updated, new)  # clear is deleted
    second = pull(misp_node)
    assert (second.received, second.rejected) == (2, 0), second.reasons
    assert second.deleted > 0
    seen = {e["Event"]["uuid"]: e for e in export(misp_node, "kz-reader")}
    assert set(seen) == {untagged.uuid, amber.uuid, new.uuid}
    assert seen[amber.uuid]["Event"]["timestamp"] == "1700090000"
    assert event_object(misp_node, "kz", clear.uuid).status_code == 404


def test_a_lying_manifest_stores_nothing(misp_node: Node, feed_dir: tuple[Path, str]) -> None:
    folder, url = feed_dir
    add_feed_peer(misp_node, url)
    honest, liar = event(seed="h", tags=()), event(seed="l", tags=())
    write_feed(folder, honest, liar)
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    manifest[liar.uuid]["timestamp"] = "1800000000"
    (folder / "manifest.json").write_bytes(orjson.dumps(manifest))
    with pytest.raises(SyncError, match="manifest lies"):
        pull(misp_node)
    assert export(misp_node, "kz") == []
    with misp_node.engine.connect() as connection:
        assert "manifest lies" in (get_peer(connection, "misp-ru").last_error or "")
    # a file that holds another event than the manifest names
    write_feed(folder, honest, liar)
    (folder / f"{liar.uuid}.json").write_bytes(orjson.dumps(honest.to_feed()))
    with pytest.raises(SyncError, match="manifest lies"):
        pull(misp_node)
    # a file that is missing
    write_feed(folder, honest, liar)
    (folder / f"{liar.uuid}.json").unlink()
    with pytest.raises(SyncError, match="HTTP 404"):
        pull(misp_node)
    assert export(misp_node, "kz") == []
    # honest again: both stored, and `accord sync`'s path (sync_all) pulls it too
    write_feed(folder, honest, liar)
    [outcome] = sync_all(misp_node.engine, local_node="node-a", settings=SETTINGS)
    assert not isinstance(outcome, SyncError) and outcome.received == 2


def test_a_feed_event_with_an_unmapped_sharing_group_is_refused(
    misp_node: Node, feed_dir: tuple[Path, str]
) -> None:
    folder, url = feed_dir
    add_feed_peer(misp_node, url)
    e = event(seed="sg", sharing_group="0b0c7d1e-1111-4222-8333-944455556666")
    _keep_timestamps(e)
    (folder / f"{e.uuid}.json").write_bytes(orjson.dumps(e.to_feed(with_distribution=False)))
    body = orjson.loads((folder / f"{e.uuid}.json").read_bytes())
    body["Event"].update(
        distribution="4", SharingGroup={"uuid": "0b0c7d1e-1111-4222-8333-944455556666"}
    )
    (folder / f"{e.uuid}.json").write_bytes(orjson.dumps(body))
    feed_meta_generator(folder)
    result = pull(misp_node)
    assert result.rejected == 1 and "mapped to no channel" in result.reasons[0]
    assert export(misp_node, "kz") == []


def test_accords_feed_is_read_by_pymisp(misp_node: Node) -> None:
    e = event()
    post(misp_node, "kz", as_json(e))
    channel = collection_id("kz-ru")
    base = f"/misp/feeds/{channel}/"
    headers = misp_node.headers("ru-reader")
    manifest = misp_node.client.get(base + "manifest.json", headers=headers).json()
    assert list(manifest) == [e.uuid]
    assert manifest[e.uuid]["timestamp"] == 1_700_000_000
    assert manifest[e.uuid]["info"] == e.info
    loaded = load(misp_node.client.get(base + f"{e.uuid}.json", headers=headers).json())
    assert loaded.uuid == e.uuid and len(loaded.attributes) == len(e.attributes)
    hashes = misp_node.client.get(base + "hashes.csv", headers=headers).text.splitlines()
    assert sorted(hashes) == sorted(f"{h},{e.uuid}" for h in loaded.attributes_hashes("md5"))
    # the audience name stands for the collection too
    assert (
        misp_node.client.get("/misp/feeds/kz-ru/manifest.json", headers=headers).json() == manifest
    )


def test_a_feed_of_objects_not_from_misp_is_stable(misp_node: Node) -> None:
    from tests.stix_factory import bundle, sdo

    response = misp_node.client.post(
        "/api/v1/objects",
        params={"audience": "network", "tlp": "green"},
        content=orjson.dumps(bundle(sdo("indicator"), sdo("threat-actor"))),
        headers={**misp_node.headers("kz"), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    base = f"/misp/feeds/{collection_id('network')}/"
    headers = misp_node.headers("cn-reader")
    first = misp_node.client.get(base + "manifest.json", headers=headers).json()
    assert misp_node.client.get(base + "manifest.json", headers=headers).json() == first
    [(uuid, entry)] = first.items()
    body = misp_node.client.get(base + f"{uuid}.json", headers=headers)
    assert body.status_code == 200
    assert int(body.json()["Event"]["timestamp"]) == entry["timestamp"]
    assert 'accord:origin="kz-knb"' in {t["name"] for t in entry["Tag"]}
