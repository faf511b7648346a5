"""Cyber-observables (SCOs) through every door, on SQLite and PostgreSQL (issue 12, part 7).

A one-object bundle holding a domain-name crashed ``accord publish``: SCOs carry no
``modified``. Each door now takes them; a version of an SCO is its content (an identical
re-post, in any property order, is unchanged; a different body under the id is a new
version, the latest by arrival), and the reads name versions by content key (REST) or date
added (TAXII).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from stix2validator import ValidationOptions, validate_instance
from typer.testing import CliRunner

from accord import audit
from accord.acts import admin
from accord.acts.publish import publish_stream
from accord.api import create_app
from accord.cli import app as cli_app
from accord.config import Settings
from accord.federation.collections import collection_id
from accord.federation.sync import sync_peer
from accord.policy import Principal
from accord.stix.markings import Tlp
from accord.stix.observables import content_key, deterministic_id, is_content_key
from accord.store import directory
from accord.store.engine import make_engine, migrate
from accord.store.peers import add_peer, get_peer
from accord.store.schema import objects
from tests.conftest import PG_URL, Database, Node, _pg_schema
from tests.stix_factory import bundle, sco, sdo

TAXII = "application/taxii+json;version=2.1"
ACTOR = audit.Actor("test", None, "cli")
HOST = Principal(None, "cli", host_name="test")


def post(node: Node, account: str, *items: dict[str, Any], audience: str = "network") -> Any:
    return node.client.post(
        "/api/v1/objects",
        params={"audience": audience, "tlp": "green"},
        content=orjson.dumps(bundle(*items)),
        headers={**node.headers(account), "Content-Type": "application/json"},
    )


def get(node: Node, account: str, path: str, **params: Any) -> Any:
    return node.client.get(path, params=params, headers=node.headers(account))


def taxii(node: Node, account: str, path: str, **params: Any) -> Any:
    url = f"/taxii2/api/collections/{collection_id('network')}/{path}"
    return node.client.get(url, params=params, headers={**node.headers(account), "Accept": TAXII})


def taxii_add(node: Node, account: str, *items: dict[str, Any]) -> Any:
    return node.client.post(
        f"/taxii2/api/collections/{collection_id('network')}/objects/",
        content=orjson.dumps({"objects": list(items)}),
        headers={**node.headers(account), "Content-Type": TAXII, "Accept": TAXII},
    )


def test_deterministic_ids_are_those_of_the_oasis_library() -> None:
    stix2 = pytest.importorskip("stix2")
    made = [
        stix2.DomainName(value="cell.example"),
        stix2.IPv4Address(value="198.51.100.7"),
        stix2.EmailAddress(value="courier@cell.example"),
        stix2.URL(value="https://cell.example/drop?q=é"),
        stix2.File(name="drop.exe", hashes={"SHA-256": "a" * 64, "MD5": "b" * 32}),
        stix2.UserAccount(account_login="courier", user_id="1001", account_type="unix"),
    ]
    for obj in made:
        assert deterministic_id(orjson.loads(obj.serialize())) == obj.id
    assert deterministic_id({"type": "process", "pid": 4}) is None


def test_one_domain_name_over_rest_versions_by_content(trio: Node) -> None:
    domain = sco("domain-name", value="drop.example")
    first = post(trio, "kz", domain)
    assert first.status_code == 200, first.text
    result = first.json()["results"][0]
    assert result["status"] == "accepted" and result["version"] == content_key(domain)
    again = post(trio, "kz", domain)
    assert again.json()["unchanged"] == 1
    reordered = dict(reversed(list(domain.items())))
    assert post(trio, "kz", reordered).json()["unchanged"] == 1

    got = get(trio, "ru", f"/api/v1/objects/{domain['id']}").json()
    assert got["object"] == domain and got["version"] == content_key(domain)
    assert list(got["object"]) == list(domain), "stored exactly as first received"

    address = sco("ipv4-addr", value="203.0.113.9")
    changed = {**domain, "resolves_to_refs": [address["id"]]}
    later = post(trio, "kz", address, changed)
    assert later.status_code == 200 and later.json()["accepted"] == 2, later.text
    latest = get(trio, "ru", f"/api/v1/objects/{domain['id']}").json()
    assert latest["object"] == changed and latest["sharing"]["latest"]
    versions = get(trio, "ru", f"/api/v1/objects/{domain['id']}/versions").json()["versions"]
    assert [v["object"] for v in versions] == [domain, changed], "oldest arrival first"
    assert [v["sharing"]["latest"] for v in versions] == [False, True]

    by_key = get(trio, "ru", f"/api/v1/objects/{domain['id']}", version=content_key(domain))
    assert by_key.status_code == 200 and by_key.json()["object"] == domain
    added = versions[0]["sharing"]["added"]
    by_date = get(trio, "ru", f"/api/v1/objects/{domain['id']}", version=added)
    assert by_date.status_code == 200 and by_date.json()["object"] == domain
    assert get(trio, "ru", f"/api/v1/objects/{domain['id']}", version="sha256:0").status_code == 404
    assert get(trio, "ru", f"/api/v1/objects/{domain['id']}", version="junk").status_code == 400

    # An earlier body posted again is stored already: unchanged, and not the latest again.
    assert post(trio, "kz", domain).json()["unchanged"] == 1
    assert get(trio, "ru", f"/api/v1/objects/{domain['id']}").json()["object"] == changed
    # Another party posting the same observable holds its own (ids are namespaced by origin
    # party); kz's is untouched.
    theirs = post(trio, "ru", {**domain, "resolves_to_refs": []})
    assert theirs.status_code == 200 and theirs.json()["accepted"] == 1
    mine = get(trio, "kz", f"/api/v1/objects/{domain['id']}").json()
    assert mine["object"] == changed and mine["sharing"]["origin"] == "kz-knb"


def test_sdos_and_observables_in_one_bundle(trio: Node) -> None:
    domain = sco("domain-name", value="c2.example")
    indicator = sdo("indicator", pattern="[domain-name:value = 'c2.example']")
    relation = sdo(
        "relationship",
        relationship_type="based-on",
        source_ref=indicator["id"],
        target_ref=domain["id"],
    )
    sample = sco("file", name="loader.exe", hashes={"SHA-256": "c" * 64})
    account = sco("user-account", account_login="courier", account_type="unix", user_id="1001")
    mail = sco("email-addr", value="courier@c2.example")
    link = sco("url", value="https://c2.example/gate.php")
    response = post(trio, "kz", indicator, domain, relation, sample, account, mail, link)
    assert response.status_code == 200 and response.json()["accepted"] == 7, response.text
    listed = get(trio, "cn", "/api/v1/objects", type="domain-name,file").json()["items"]
    assert {i["object"]["id"] for i in listed} == {domain["id"], sample["id"]}
    options = ValidationOptions(version="2.1", strict=False)
    for item in get(trio, "cn", "/api/v1/objects").json()["items"]:
        checked = validate_instance(item["object"], options)
        assert checked.is_valid, (item["object"]["id"], [str(e) for e in checked.errors])


def test_two_versions_of_one_observable_in_one_payload(trio: Node) -> None:
    domain = sco("domain-name", value="twice.example")
    other = {**domain, "object_marking_refs": [Tlp.GREEN.marking_id]}
    response = post(trio, "kz", domain, other)
    assert response.status_code == 422
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert "one version of each per payload" in results[1]["errors"][0]["message"]


def test_ids_are_the_producers_whatever_their_uuid(trio: Node) -> None:
    """STIX 2.1 section 2.9: producers SHOULD use the deterministic UUIDv5; a UUIDv4, or a
    UUIDv5 that is not the one of the contributing properties, is accepted alike at every
    door (the id is the producer's; Accord's versions do not rely on it)."""
    random_id = sco("domain-name", value="v4.example", id=f"domain-name--{uuid.uuid4()}")
    wrong_v5 = sco("domain-name", value="v5.example")
    wrong_v5["id"] = deterministic_id({"type": "domain-name", "value": "other.example"})
    assert wrong_v5["id"] != deterministic_id(wrong_v5)
    assert post(trio, "kz", random_id, wrong_v5).json()["accepted"] == 2
    status = taxii_add(trio, "ru", sco("domain-name", value="v5.example", id=wrong_v5["id"]))
    assert status.status_code == 202
    assert status.json()["success_count"] == 1, "ru holds its own object under kz's id"
    fresh = sco("domain-name", value="ru.example")
    fresh["id"] = deterministic_id({"type": "domain-name", "value": "not-ru.example"})
    assert taxii_add(trio, "ru", fresh).json()["success_count"] == 1


def test_one_domain_name_over_taxii(trio: Node) -> None:
    domain = sco("domain-name", value="taxii.example")
    status = taxii_add(trio, "kz", domain)
    assert status.status_code == 202
    body = status.json()
    assert body["success_count"] == 1 and body["successes"][0]["message"] == "accepted"
    assert "version" not in body["successes"][0], "a TAXII version is a timestamp"
    again = taxii_add(trio, "kz", domain).json()
    assert again["success_count"] == 1 and again["successes"][0]["message"] == "unchanged"
    changed = {**domain, "object_marking_refs": [Tlp.GREEN.marking_id]}
    assert taxii_add(trio, "kz", changed).json()["success_count"] == 1

    served = taxii(trio, "ru", "objects/", **{"match[id]": domain["id"]})
    assert served.status_code == 200 and served.json()["objects"] == [changed]
    manifest = taxii(trio, "ru", "manifest/", **{"match[version]": "all"}).json()["objects"]
    assert len(manifest) == 2
    for record in manifest:  # no modified, no created: the version is the date added
        assert record["version"] == record["date_added"]
    first, last = sorted(record["version"] for record in manifest)
    listed = taxii(trio, "ru", f"objects/{domain['id']}/versions/").json()["versions"]
    assert listed == [first, last]
    one = taxii(trio, "ru", f"objects/{domain['id']}/", **{"match[version]": first}).json()
    assert one["objects"] == [domain]
    earliest = taxii(trio, "ru", f"objects/{domain['id']}/", **{"match[version]": "first"})
    assert earliest.json()["objects"] == [domain]
    latest = taxii(trio, "ru", f"objects/{domain['id']}/", **{"match[version]": "last"})
    assert latest.json()["objects"] == [changed]

    # Deleting the latest version makes the one before it the latest again.
    deleted = trio.client.delete(
        f"/taxii2/api/collections/{collection_id('network')}/objects/{domain['id']}/",
        params={"match[version]": last},
        headers={**trio.headers("kz"), "Accept": TAXII},
    )
    assert deleted.status_code == 200, deleted.text
    assert taxii(trio, "ru", "objects/", **{"match[id]": domain["id"]}).json()["objects"] == [
        domain
    ]
    options = ValidationOptions(version="2.1", strict=False)
    assert validate_instance(changed, options).is_valid


def test_cli_publish_of_a_one_domain_bundle(tmp_path: Path) -> None:
    """The report of issue 12: `accord publish` of one domain-name raised a KeyError."""
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str) -> str:
        result = runner.invoke(cli_app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("init")
    run("party", "add", "kz-knb", "--name", "KNB", "--jurisdiction", "KZ")
    run("account", "add", "alice", "--party", "kz-knb", "--role", "publisher")
    file = tmp_path / "domain.json"
    file.write_bytes(orjson.dumps(bundle(sco("domain-name", value="cli.example"))))
    args = ("publish", str(file), "--account", "alice", "--audience", "network", "--tlp", "green")
    assert "1 accepted" in run(*args)
    assert "1 unchanged" in run(*args)
    assert "intact" in run("audit", "verify")


def test_publish_stream_takes_observables(database: Database) -> None:
    """The CLI's path (validation in a worker process), on every backend."""
    with database.engine.begin() as connection:
        admin.add_party(connection, HOST, "kz-knb", "KNB", "KZ")
        admin.add_account(connection, HOST, "alice", "kz-knb", "publisher")
        account = directory.get_account(connection, "alice")
    domain = sco("domain-name", value="stream.example")
    changed = {**domain, "object_marking_refs": [Tlp.AMBER.marking_id]}
    payloads = [orjson.dumps(bundle(o)) for o in (domain, domain, changed)]
    reports = list(
        publish_stream(
            database.engine, account, payloads, audience="own", tlp=Tlp.AMBER, door="cli"
        )
    )
    assert [(r.count("accepted"), r.count("unchanged")) for r in reports] == [
        (1, 0),
        (0, 1),
        (1, 0),
    ]
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(objects.c.version_key, objects.c.is_latest, objects.c.modified)
            .where(objects.c.stix_id == domain["id"])
            .order_by(objects.c.pk)
        ).all()
    assert [(r.version_key, bool(r.is_latest)) for r in rows] == [
        (content_key(domain), False),
        (content_key(changed), True),
    ]
    assert all(r.modified is None and is_content_key(r.version_key) for r in rows)


def _second_database(database: Database, tmp_path: Path) -> tuple[Database, Any]:
    if database.backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'peer.db'}"
        engine = make_engine(url)
        migrate(engine)
        return Database("sqlite", url, None, engine), None
    assert PG_URL
    schemas = _pg_schema(PG_URL)
    schema = next(schemas)
    engine = make_engine(PG_URL, schema=schema)
    migrate(engine)
    return Database("postgresql", PG_URL, schema, engine), schemas


def test_sync_from_a_peer_with_observables(trio: Node, tmp_path: Path) -> None:
    """A peer's page with observables is stored with their version keys and provenance;
    pulled again it is unchanged, and a new version follows by arrival."""
    peer_reader = trio.account("peer-ru", "ru-nac", "reader")
    domain = sco("domain-name", value="sync.example")
    address = sco("ipv4-addr", value="192.0.2.44")
    assert post(trio, "kz", domain, address).status_code == 200
    here, cleanup = _second_database(trio.database, tmp_path)
    try:
        with here.engine.begin() as connection:
            for code in ("kz-knb", "ru-nac", "cn-mps"):
                admin.add_party(connection, HOST, code, code, "KZ")
            add_peer(
                connection,
                "hub",
                "http://testserver/taxii2/api/",
                collection_id("network"),
                peer_reader,
            )

        def pull() -> Any:
            with here.engine.connect() as connection:
                peer = get_peer(connection, "hub")
            return sync_peer(here.engine, peer, local_node="node-b", client=trio.client)

        first = pull()
        assert (first.accepted, first.rejected) == (2, 0), first.reasons
        assert pull().accepted == 0
        changed = {**domain, "resolves_to_refs": [address["id"]]}
        assert post(trio, "kz", changed).status_code == 200
        later = pull()
        assert (later.accepted, later.rejected) == (1, 0), later.reasons
        with here.engine.connect() as connection:
            rows = connection.execute(
                select(objects.c.version_key, objects.c.is_latest, objects.c.hops)
                .where(objects.c.stix_id == domain["id"])
                .order_by(objects.c.pk)
            ).all()
        assert [(r.version_key, bool(r.is_latest)) for r in rows] == [
            (content_key(domain), False),
            (content_key(changed), True),
        ]
        assert orjson.loads(rows[-1].hops)[-1] == "node-b"
        with here.engine.begin() as connection:
            _account, token = admin.add_account(connection, HOST, "b-ru", "ru-nac", "reader")
        app = create_app(Settings(database_url=here.url, node_name="node-b"), here.engine)
        with TestClient(app) as client:
            got = client.get(
                f"/api/v1/objects/{domain['id']}", headers={"Authorization": f"Bearer {token}"}
            )
        assert got.status_code == 200 and got.json()["object"] == changed
        assert got.json()["sharing"]["origin"] == "kz-knb"
    finally:
        here.engine.dispose()
        if cleanup is not None:
            for _ in cleanup:
                pass


def test_console_publishes_and_shows_an_observable(trio: Node) -> None:
    from tests.console.test_console import sign_in

    token = sign_in(trio, "kz")
    domain = sco("domain-name", value="console.example")
    text = orjson.dumps(bundle(domain)).decode()
    done = trio.client.post(
        "/ui/publish", data={"csrf": token, "audience": "network", "tlp": "green", "text": text}
    )
    assert done.status_code == 200 and "1 published" in done.text, done.text[:2000]
    page = trio.client.get(f"/ui/objects/{domain['id']}")
    assert page.status_code == 200 and "console.example" in page.text
    assert content_key(domain) in page.text
    shared = trio.client.post(
        f"/ui/objects/{domain['id']}/share",
        data={"csrf": token, "audience": "network", "tlp": "amber"},
    )
    assert shared.status_code == 200, shared.text[:2000]
    versions = get(trio, "kz", f"/api/v1/objects/{domain['id']}/versions").json()["versions"]
    assert len(versions) == 2
    assert "modified" not in versions[-1]["object"] and "created" not in versions[-1]["object"]
    raw = trio.client.get(
        f"/ui/objects/{domain['id']}/json", params={"version": content_key(domain)}
    )
    assert raw.status_code == 200 and orjson.loads(raw.content) == domain
