"""Property test of the trust model: every door shows each account what an oracle says.

Random worlds of 2 to 4 parties (each with a reader, a publisher and an admin) and a hub
party with the node's operator; up to 3 channels; objects published to own, a channel or the
network in 1 or 2 versions (the second sometimes later), some under the SAME id as an
earlier object of another party, some deleted by their originator; then one membership
change (a join agreed by every member's admin, or a leave by the party's own admin).

The oracle is written from the rules only: a party sees an object it originated, one to the
network, or one to a channel it is a member of now; ids are namespaced by origin party; a
deleted object is gone; a read of one id shows the reader's own party's object first, else
the one published first. After setup and after the change it is compared with REST (list
with cursors, by id, by origin and version, versions, text search), TAXII collections, the
console (inbox, object page and its JSON), the admins' audit views and the directory.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.federation.collections import collection_id
from tests.conftest import BACKENDS, Node
from tests.console.test_console import ORIGIN
from tests.test_policy_oracle import _node_for

TLPS = ["clear", "green", "amber", "amber+strict", "red"]
WORDS = ["alpha", "bravo", "charlie"]
ROLES = ["reader", "publisher", "admin"]
TAXII = {"Accept": "application/taxii+json;version=2.1"}
HUB = "hub"
OPERATOR = "acct-operator-hub"
NAME = re.compile(r"\b(?:alpha|bravo|charlie) s\d+ v\d\b")


def acct(role: str, party: int) -> str:
    return f"acct-{role}-p{party}"


@dataclass
class Spec:
    publisher: int
    audience: int  # -1 own, -2 network, else a channel index
    tlp: str
    versions: int
    word: str
    collide: int | None  # reuse the id of an earlier object of another party
    late: bool  # the second version is published after every first version
    delete: bool


@dataclass
class Record:
    """One party's object under an id, as published."""

    index: int
    stix_id: str
    origin: int
    audience: int
    word: str
    objects: list[dict[str, Any]]
    posted: int = 0  # how many of its versions are stored
    deleted: bool = False
    readers: set[str] = field(default_factory=set)

    @property
    def audience_name(self) -> str:
        return {-1: "own", -2: "network"}.get(self.audience, f"c{self.audience}")

    @property
    def latest(self) -> dict[str, Any]:
        return self.objects[self.posted - 1]


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    n_parties = draw(st.integers(2, 4))
    channels = draw(
        st.lists(
            st.sets(st.integers(0, n_parties - 1), min_size=2, max_size=n_parties),
            max_size=3,
        )
    )
    specs = draw(
        st.lists(
            st.builds(
                Spec,
                publisher=st.integers(0, n_parties - 1),
                audience=st.integers(-2, len(channels) - 1),
                tlp=st.sampled_from(TLPS),
                versions=st.integers(1, 2),
                word=st.sampled_from(WORDS),
                collide=st.none() | st.integers(0, 9),
                late=st.booleans(),
                delete=st.integers(0, 3).map(lambda n: n == 0),
            ),
            min_size=1,
            max_size=8,
        )
    )
    change = None
    if channels:
        change = (draw(st.integers(0, len(channels) - 1)), draw(st.integers(0, n_parties - 1)))
    return {
        "parties": n_parties,
        "channels": [sorted(c) for c in channels],
        "specs": specs,
        "change": change,
    }


# --- The oracle -------------------------------------------------------------------------


class World:
    def __init__(self, world: dict[str, Any]) -> None:
        self.n = world["parties"]
        self.members = [set(c) for c in world["channels"]]
        self.records: list[Record] = []

    def code(self, party: int | None) -> str:
        return HUB if party is None else f"p{party}"

    def sees(self, party: int | None, record: Record) -> bool:
        """Written from the rules: the origin, the network, a channel it is in now."""
        if record.deleted or record.posted == 0:
            return False
        if record.origin == party or record.audience == -2:
            return True
        return record.audience >= 0 and party in self.members[record.audience]

    def visible(self, party: int | None) -> list[Record]:
        return [r for r in self.records if self.sees(party, r)]

    def ids(self) -> list[str]:
        return list(dict.fromkeys(r.stix_id for r in self.records))

    def under(self, party: int | None, stix_id: str) -> list[Record]:
        return [r for r in self.visible(party) if r.stix_id == stix_id]

    def chosen(self, party: int | None, stix_id: str) -> Record | None:
        """The reader's own party's object, else the one published first."""
        found = self.under(party, stix_id)
        if not found:
            return None
        return min(found, key=lambda r: (r.origin != party, r.index))

    def hidden_ids(self, party: int | None) -> set[str]:
        shown = {r.stix_id for r in self.visible(party)}
        originated = {r.stix_id for r in self.records if r.origin == party}
        return set(self.ids()) - shown - originated

    def channels_of(self, party: int | None) -> set[str]:
        if party is None:  # the operator knows every channel
            return {f"c{i}" for i in range(len(self.members))}
        return {f"c{i}" for i, m in enumerate(self.members) if party in m}

    def accounts(self, party: int | None) -> list[tuple[str, int | None]]:
        if party is None:
            return [(OPERATOR, None)]
        return [(acct(role, party), party) for role in ROLES]

    def everyone(self) -> list[tuple[str, int | None]]:
        found = [a for p in range(self.n) for a in self.accounts(p)]
        return found + self.accounts(None)


# --- The doors --------------------------------------------------------------------------


def get(node: Node, account: str, path: str, **params: Any) -> Any:
    return node.client.get(path, params=params, headers=node.headers(account))


def list_all(node: Node, account: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": 2, **params, **({"cursor": cursor} if cursor else {})}
        response = get(node, account, "/api/v1/objects", **query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 2
        items.extend(body["items"])
        if not body["more"]:
            assert body["next"] is None
            return items
        cursor = body["next"]


def taxii_objects(node: Node, account: str, audience: str) -> Any:
    """Every object of one collection, page by page, or the 404 response."""
    headers = {**node.headers(account), **TAXII}
    url = f"/taxii2/api/collections/{collection_id(audience)}/objects/"
    found: list[tuple[str, str]] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        response = node.client.get(url, params=params, headers=headers)
        if response.status_code != 200:
            return response
        body = response.json()
        found += [(o["id"], o["name"]) for o in body.get("objects", [])]
        if not body["more"]:
            return sorted(found)
        params = {"limit": 2, "next": body["next"]}


def same_404(got: Any, absent: Any, shown: str, missing: str) -> None:
    assert got.status_code == absent.status_code == 404, got.text
    assert got.json()["detail"].replace(shown, missing) == absent.json()["detail"]


def check_reads(node: Node, w: World, account: str, party: int | None) -> None:
    """REST, TAXII and the console of one account, against the oracle."""
    code = w.code(party)
    visible = w.visible(party)
    listed = list_all(node, account)
    assert sorted(
        (i["object"]["id"], i["sharing"]["origin"], i["object"]["name"]) for i in listed
    ) == sorted((r.stix_id, w.code(r.origin), r.latest["name"]) for r in visible)
    for word in WORDS:
        hits = list_all(node, account, q=word)
        assert sorted((i["object"]["id"], i["sharing"]["origin"]) for i in hits) == sorted(
            (r.stix_id, w.code(r.origin)) for r in visible if r.word == word
        )
    missing = f"threat-actor--{uuid.uuid4()}"
    absent = get(node, account, f"/api/v1/objects/{missing}")
    absent_versions = get(node, account, f"/api/v1/objects/{missing}/versions")
    for stix_id in w.ids():
        base = f"/api/v1/objects/{stix_id}"
        chosen = w.chosen(party, stix_id)
        got = get(node, account, base)
        versions = get(node, account, f"{base}/versions")
        if chosen is None:  # indistinguishable from an object that does not exist
            same_404(got, absent, stix_id, missing)
            same_404(versions, absent_versions, stix_id, missing)
        else:
            assert got.status_code == 200, got.text
            assert (got.json()["sharing"]["origin"], got.json()["object"]["name"]) == (
                w.code(chosen.origin),
                chosen.latest["name"],
            )
            assert versions.status_code == 200
            assert sorted(
                (v["sharing"]["origin"], v["object"]["modified"])
                for v in versions.json()["versions"]
            ) == sorted(
                (w.code(r.origin), o["modified"])
                for r in w.under(party, stix_id)
                for o in r.objects[: r.posted]
            )
        for record in (r for r in w.records if r.stix_id == stix_id):
            origin = w.code(record.origin)
            seen = w.sees(party, record)
            by_origin = get(node, account, base, origin=origin)
            assert by_origin.status_code == (200 if seen else 404), by_origin.text
            if seen:
                assert by_origin.json()["object"]["name"] == record.latest["name"]
            for obj in record.objects[:1] if record.posted else []:
                old = get(node, account, base, origin=origin, version=obj["modified"])
                assert old.status_code == (200 if seen else 404)
    # TAXII: its own audience, the network, the channels it is in now; others do not exist.
    for audience in ["own", "network", *(f"c{i}" for i in range(len(w.members)))]:
        if (
            audience.startswith("c")
            and audience not in w.channels_of(party)
            or (audience.startswith("c") and party is None)
        ):
            hidden = taxii_objects(node, account, audience)
            unknown = taxii_objects(node, account, f"nothing-{uuid.uuid4()}")
            assert hidden.status_code == unknown.status_code == 404
            continue
        expected = sorted(
            (r.stix_id, r.latest["name"])
            for r in visible
            if r.audience_name == audience and (audience != "own" or r.origin == party)
        )
        assert taxii_objects(node, account, audience) == expected, audience
    # The console: the inbox and the object pages.
    node.client.cookies.clear()
    signed = node.client.post(
        "/ui/sign-in", data={"token": node.tokens[account]}, headers={"Origin": ORIGIN}
    )
    assert signed.status_code == 200, signed.text
    try:
        inbox = node.client.get("/ui/inbox")
        assert inbox.status_code == 200
        assert sorted(NAME.findall(inbox.text)) == sorted(r.latest["name"] for r in visible)
        for stix_id in w.ids():
            chosen = w.chosen(party, stix_id)
            page = node.client.get(f"/ui/objects/{stix_id}")
            as_json = node.client.get(f"/ui/objects/{stix_id}/json")
            assert page.status_code == as_json.status_code == (404 if chosen is None else 200)
            if chosen is not None:
                heading = re.search(r"<h1>(.*?) <", page.text)
                assert heading and heading.group(1) == chosen.latest["name"], code
                assert as_json.json()["name"] == chosen.latest["name"]
            for record in (r for r in w.records if r.stix_id == stix_id):
                shown = node.client.get(
                    f"/ui/objects/{stix_id}", params={"origin": w.code(record.origin)}
                )
                assert shown.status_code == (200 if w.sees(party, record) else 404)
    finally:
        node.client.cookies.clear()


def check_directory(node: Node, w: World, account: str, party: int | None, role: str) -> None:
    listed = get(node, account, "/api/v1/channels").json()["channels"]
    assert {c["name"] for c in listed} == w.channels_of(party)
    missing = get(node, account, "/api/v1/channels/nothing")
    for index in range(len(w.members)):
        name = f"c{index}"
        one = get(node, account, f"/api/v1/channels/{name}")
        if name in w.channels_of(party):
            assert one.status_code == 200
            assert set(one.json()["members"]) == {f"p{m}" for m in w.members[index]}
        else:
            same_404(one, missing, f"'{name}'", "'nothing'")
    accounts = get(node, account, "/api/v1/accounts")
    if role in ("reader", "publisher"):
        assert accounts.status_code == 403
        return
    assert accounts.status_code == 200
    assert {a["name"] for a in accounts.json()["accounts"]} == {a for a, _ in w.accounts(party)}


def check_audit(node: Node, w: World, account: str, party: int | None) -> None:
    code = w.code(party)
    response = get(node, account, "/api/v1/audit", limit=1000)
    assert response.status_code == 200
    for entry in response.json()["entries"]:
        assert entry["party"] == code or (party is None and entry["party"] is None), entry
    hidden = w.hidden_ids(party)
    leaked = {i for i in hidden if i in response.text}
    assert not leaked, (code, leaked)
    receipts = get(node, account, "/api/v1/audit/receipts", limit=1000)
    assert receipts.status_code == 200
    mine = {r.stix_id for r in w.records if r.origin == party}
    for receipt in receipts.json()["receipts"]:
        assert receipt["party"] != code
        assert {ref.partition("@")[0] for ref in receipt["objects"]} <= mine
    names = {a for a, _ in w.everyone()}
    assert not {n for n in names if n in receipts.text}
    for record in (r for r in w.records if r.origin == party):
        trail = get(node, account, "/api/v1/audit/receipts", target=record.stix_id, limit=1000)
        assert {r["party"] for r in trail.json()["receipts"]} == record.readers, record


def check_all(node: Node, w: World, phase: int) -> None:
    for account, party in w.everyone():
        role = "operator" if party is None else account.split("-")[1]
        # Reads are decided by party: the full set of doors for one account of each party
        # (a different role in each phase), the listing for the others.
        full = party is None or ROLES[(party + phase) % 3] == role
        if full:
            check_reads(node, w, account, party)
        else:
            listed = list_all(node, account)
            assert sorted((i["object"]["id"], i["sharing"]["origin"]) for i in listed) == sorted(
                (r.stix_id, w.code(r.origin)) for r in w.visible(party)
            )
        for record in w.visible(party):
            if record.origin != party:
                record.readers.add(w.code(party))
        check_directory(node, w, account, party, role)
    for account, party in w.everyone():
        if account.startswith(("acct-admin", OPERATOR)):
            check_audit(node, w, account, party)


# --- Acts -------------------------------------------------------------------------------


def post(node: Node, account: str, audience: str, tlp: str, objects: list[Any]) -> Any:
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    return node.client.post(
        "/api/v1/objects",
        params={"audience": audience, "tlp": tlp},
        content=orjson.dumps(bundle),
        headers={**node.headers(account), "Content-Type": "application/json"},
    )


def delete(node: Node, account: str, audience: str, stix_id: str) -> Any:
    url = f"/taxii2/api/collections/{collection_id(audience)}/objects/{stix_id}/"
    return node.client.delete(url, headers={**node.headers(account), **TAXII})


def publish_all(node: Node, w: World, specs: list[Spec]) -> None:
    later: list[Record] = []
    for index, spec in enumerate(specs):
        if spec.audience >= 0 and spec.publisher not in w.members[spec.audience]:
            spec.audience = -1  # a party publishes only to its own channels
        stix_id = f"threat-actor--{uuid.uuid4()}"
        if spec.collide is not None:
            held = {r.stix_id for r in w.records if r.origin == spec.publisher}
            others = [
                r.stix_id for r in w.records if r.origin != spec.publisher and r.stix_id not in held
            ]
            if others:
                stix_id = others[spec.collide % len(others)]
        objects = [
            {
                "type": "threat-actor",
                "spec_version": "2.1",
                "id": stix_id,
                "created": "2026-01-01T00:00:00Z",
                "modified": f"2026-01-0{v + 1}T00:00:00Z",
                "name": f"{spec.word} s{index} v{v}",
            }
            for v in range(spec.versions)
        ]
        record = Record(index, stix_id, spec.publisher, spec.audience, spec.word, objects)
        now = 1 if spec.late and spec.versions == 2 else spec.versions
        publisher = acct("publisher", spec.publisher)
        response = post(node, publisher, record.audience_name, spec.tlp, objects[:now])
        if spec.tlp == "red" and spec.audience == -2:
            assert response.status_code == 422
            continue
        # An id another party holds answers exactly as a fresh id.
        assert response.status_code == 200, response.text
        assert (response.json()["accepted"], response.json()["unchanged"]) == (now, 0)
        record.posted = now
        w.records.append(record)
        if now < spec.versions:
            later.append(record)
    for record in later:
        tlp = next(s.tlp for i, s in enumerate(specs) if i == record.index)
        response = post(
            node, acct("publisher", record.origin), record.audience_name, tlp, record.objects[1:]
        )
        assert response.status_code == 200 and response.json()["accepted"] == 1, response.text
        record.posted = 2
    for record in w.records:
        if not specs[record.index].delete:
            continue
        # Another party that does not hold the id cannot delete it, nor can a reader.
        holders = {r.origin for r in w.records if r.stix_id == record.stix_id}
        stranger = next((p for p in range(w.n) if p not in holders), None)
        if stranger is not None:
            refused = delete(node, acct("publisher", stranger), "network", record.stix_id)
            assert refused.status_code == 404
        reader = delete(node, acct("reader", record.origin), record.audience_name, record.stix_id)
        assert reader.status_code == 404
        done = delete(node, acct("publisher", record.origin), record.audience_name, record.stix_id)
        assert done.status_code == 200, done.text
        record.deleted = True


def change_membership(node: Node, w: World, channel: int, party: int) -> None:
    name, code = f"c{channel}", f"p{party}"
    path = f"/api/v1/channels/{name}"
    if party in w.members[channel]:  # leaving is at once, by its own admin
        response = node.client.patch(
            path, json={"remove": [code]}, headers=node.headers(acct("admin", party))
        )
        assert response.status_code == 200 and response.json()["removed"] == [code]
        w.members[channel].discard(party)
        return
    deciders = sorted(w.members[channel])
    for number, decider in enumerate(deciders):
        if number == len(deciders) - 1:  # nobody else agrees for the last member
            for who in (OPERATOR, acct("publisher", decider)):
                refused = node.client.patch(path, json={"add": [code]}, headers=node.headers(who))
                assert refused.status_code in (403, 404)
            outsider = get(node, acct("admin", party), path)
            assert outsider.status_code == 404
        response = node.client.patch(
            path, json={"add": [code]}, headers=node.headers(acct("admin", decider))
        )
        assert response.status_code == 200, response.text
        body = response.json()
        if number < len(deciders) - 1:
            assert body["added"] == []
            assert code in {p["party"] for p in body["pending"]}
        else:
            assert body["added"] == [code] and body["pending"] == []
    w.members[channel].add(party)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(world=worlds())
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_door_equals_the_trust_oracle(
    backend: str, tmp_path: Path, world: dict[str, Any]
) -> None:
    node, cleanup = _node_for(backend, tmp_path)
    try:
        w = World(world)
        for party in range(w.n):
            node.party(f"p{party}")
            for role in ("admin", "publisher", "reader"):
                node.account(acct(role, party), f"p{party}", role)
        node.party(HUB)
        node.account(OPERATOR, HUB, "operator")
        for index, members in enumerate(world["channels"]):
            node.channel(f"c{index}", *(f"p{p}" for p in members))
        # An admin cannot make accounts in another party.
        intruder = node.client.post(
            "/api/v1/accounts",
            json={"name": "acct-mole", "party": "p1", "role": "reader"},
            headers=node.headers(acct("admin", 0)),
        )
        assert intruder.status_code == 403
        publish_all(node, w, world["specs"])
        check_all(node, w, 0)
        if world["change"] is not None:
            change_membership(node, w, *world["change"])
            check_all(node, w, 1)
    finally:
        node.client.close()
        node.engine.dispose()
        if cleanup is not None:
            for _ in cleanup:
                pass
