"""Property test: alerts and correlations shown to each account against an oracle written
from the sharing rules alone, on SQLite and on PostgreSQL.

Hypothesis draws parties, channels and a sequence of steps: objects published by random
parties to random audiences (own, network, a channel) under random TLPs (persons named from
a pool that writes each person in Latin and in Cyrillic, domain-name observables, indicators
whose patterns name the same domains; a second version, sometimes a revocation), watches on
names and values by random parties, reads that run the matcher, a party leaving a channel
and a deletion. The oracle knows the visibility rules (the origin always sees its own; the
network everyone; a channel its members as they are now) and when the matcher runs (every
read of alerts or correlations drains the queue first); it takes the correlating keys from
accord.correlate.keys.analyse, since what it checks is who is shown what, not normalisation.

Checked through the REST API for every account:
(a) every alert listed is on an object its party may see now;
(b) the alerts listed are exactly those the rules give: (watch, version) for a watch of the
    party active when the version was matched, the version then the latest and not revoked,
    the party among its recipients then, and now the version not deleted, still visible to
    the party, its object not revoked since;
(c) the correlations of every object the party may see list only objects it may see, and
    every visible object sharing a key (unless the key is flagged: warning list, too common);
(d) for an object it may not see, the correlations answer 404 exactly as for a random id.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.acts import admin
from accord.correlate.keys import analyse
from accord.correlate.values import parse_value_spec
from accord.correlate.warnings import warnings_for
from accord.federation.collections import collection_id
from accord.screening.score import compare
from tests.conftest import BACKENDS, HOST, Node
from tests.test_policy_oracle import _node_for

#: Each person as Latin and Cyrillic spellings; no two people score 0.7 against each other.
PEOPLE = [
    ("Abdulla Khasanov", "Абдулла Хасанов"),
    ("Rustam Nazarov", "Рустам Назаров"),
    ("Gulnara Ibragimova", "Гульнара Ибрагимова"),
]
NAMES = [(person, name) for person, spellings in enumerate(PEOPLE) for name in spellings]
#: Domains: two spellings of one value, others, and one on the MISP warning lists.
DOMAINS = ["alpha.example", "ALPHA.example.", "bravo.example", "charlie.example", "google.com"]
TLPS = ["clear", "green", "amber", "amber+strict", "red"]
KINDS = ["person", "domain", "indicator"]
TAXII = {"Accept": "application/taxii+json;version=2.1"}
STIX = {"Content-Type": "application/json"}


@dataclass
class Publish:
    publisher: int
    audience: int  # -1 own, -2 network, else a channel index
    tlp: str
    kind: str
    pick: int  # index into NAMES or DOMAINS
    versions: int = 1
    revoke: bool = False  # the second version revokes the object


@dataclass
class Watch:
    party: int
    by_name: bool
    pick: int


@dataclass
class Drain:
    reader: int


@dataclass
class Leave:
    channel: int
    party: int


@dataclass
class Delete:
    which: int  # index into the records published so far (modulo)


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    n_parties = draw(st.integers(3, 4))
    channels = draw(
        st.lists(
            st.sets(st.integers(0, n_parties - 1), min_size=2, max_size=n_parties),
            min_size=1,
            max_size=2,
        )
    )
    party = st.integers(0, n_parties - 1)
    publish = st.builds(
        Publish,
        publisher=party,
        audience=st.integers(-2, len(channels) - 1),
        tlp=st.sampled_from(TLPS),
        kind=st.sampled_from(KINDS),
        pick=st.integers(0, 9),
        versions=st.integers(1, 2),
        revoke=st.booleans(),
    )
    watch = st.builds(Watch, party=party, by_name=st.booleans(), pick=st.integers(0, 9))
    steps = draw(
        st.lists(
            st.one_of(
                publish,
                publish,
                watch,
                st.builds(Drain, reader=party),
                st.builds(Leave, channel=st.integers(0, len(channels) - 1), party=party),
                st.builds(Delete, which=st.integers(0, 20)),
            ),
            min_size=3,
            max_size=12,
        )
    )
    return {"parties": n_parties, "channels": [sorted(c) for c in channels], "steps": steps}


# --- the oracle ------------------------------------------------------------------------


@dataclass
class Version:
    body: dict[str, Any]
    keys: dict[tuple[str, str], bool] = field(default_factory=dict)  # (kind, value) -> warned
    latest: bool = True
    matched: bool = False


@dataclass
class Record:
    """One published object: its origin, audience and versions, as the oracle tracks them."""

    id: str
    kind: str
    origin: int
    audience: int
    versions: list[Version]
    person: int | None = None
    deleted: bool = False
    revoked: bool = False

    @property
    def latest(self) -> Version:
        return self.versions[-1]


@dataclass
class WatchState:
    party: int
    number: int
    by_name: bool
    person: int | None = None
    key: tuple[str, str] | None = None


@dataclass
class World:
    parties: int
    members: list[set[int]]
    records: list[Record] = field(default_factory=list)
    watches: list[WatchState] = field(default_factory=list)
    queue: list[tuple[Record, int]] = field(default_factory=list)
    alerts: list[tuple[WatchState, Record, int]] = field(default_factory=list)

    def sees(self, party: int, record: Record) -> bool:
        """The sharing rules: the origin, the network, the channel's members now."""
        if record.origin == party or record.audience == -2:
            return True
        return record.audience >= 0 and party in self.members[record.audience]

    def shown(self, party: int, record: Record) -> bool:
        return not record.deleted and self.sees(party, record)

    def drain(self) -> None:
        """The matcher: queued versions in order, against the watches and members now."""
        for record, index in self.queue:
            version = record.versions[index]
            if record.deleted or not version.latest or version.body.get("revoked"):
                continue
            for watch in self.watches:
                if not self.sees(watch.party, record):
                    continue
                if watch.by_name:
                    hit = record.person is not None and record.person == watch.person
                else:
                    hit = watch.key in version.keys
                if hit:
                    self.alerts.append((watch, record, index))
        self.queue = []

    def expected_alerts(self, party: int) -> Counter[tuple[int, str, str | None]]:
        return Counter(
            (watch.number, record.id, _version_label(record.versions[index].body))
            for watch, record, index in self.alerts
            if watch.party == party and self.shown(party, record) and not record.revoked
        )


def _version_label(body: dict[str, Any]) -> str | None:
    """How an alert names its version: an SDO's modified; an SCO's content key (None here)."""
    return body.get("modified")


def _keys(body: dict[str, Any]) -> dict[tuple[str, str], bool]:
    return {(k.kind, k.value): bool(warnings_for(k)) for k in analyse(body)["keys"]}


def _bodies(spec: Publish) -> tuple[str, list[dict[str, Any]], int | None]:
    """The versions one publish step sends (an SDO's in one bundle, in order)."""
    person = None
    if spec.kind == "person":
        person, name = NAMES[spec.pick % len(NAMES)]
        first: dict[str, Any] = {
            "type": "identity",
            "spec_version": "2.1",
            "id": f"identity--{uuid.uuid4()}",
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z",
            "name": name,
            "identity_class": "individual",
        }
    elif spec.kind == "indicator":
        domain = DOMAINS[spec.pick % len(DOMAINS)]
        first = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z",
            "pattern": f"[domain-name:value = '{domain}']",
            "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z",
        }
    else:
        first = {
            "type": "domain-name",
            "spec_version": "2.1",
            "id": f"domain-name--{uuid.uuid4()}",
            "value": DOMAINS[spec.pick % len(DOMAINS)],
        }
        second = {**first, "defanged": True}
        return first["id"], [first, second][: spec.versions], None
    later = {**first, "modified": "2026-01-02T00:00:00.000Z"}
    if spec.revoke:
        later["revoked"] = True
    return first["id"], [first, later][: spec.versions], person


# --- the node --------------------------------------------------------------------------


def post(node: Node, spec: Publish, audience: str, objects: list[dict[str, Any]]) -> Any:
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    return node.client.post(
        "/api/v1/objects",
        params={"audience": audience, "tlp": spec.tlp},
        content=orjson.dumps(bundle),
        headers={**node.headers(f"a{spec.publisher}"), **STIX},
    )


def audience_name(index: int) -> str:
    return {-1: "own", -2: "network"}.get(index, f"c{index}")


def listed_alerts(node: Node, party: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        response = node.client.get(
            "/api/v1/alerts", params=params, headers=node.headers(f"a{party}")
        )
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if not body["more"]:
            return items
        params = {"limit": 3, "next": body["next"]}


def run_step(node: Node, world: World, step: Any) -> None:
    if isinstance(step, Publish):
        if step.audience >= 0 and step.publisher not in world.members[step.audience]:
            step.audience = -1  # a party publishes only to the channels it is in
        stix_id, bodies, person = _bodies(step)
        payloads = [[body] for body in bodies] if step.kind == "domain" else [bodies]
        responses = [post(node, step, audience_name(step.audience), p) for p in payloads]
        if step.tlp == "red" and step.audience == -2:
            assert all(r.status_code == 422 for r in responses)
            return
        for response in responses:
            assert response.status_code == 200, response.text
        record = Record(
            stix_id,
            step.kind,
            step.publisher,
            step.audience,
            [Version(body, _keys(body)) for body in bodies],
            person=person,
            revoked=any(body.get("revoked") for body in bodies),
        )
        for version in record.versions[:-1]:
            version.latest = False
        world.records.append(record)
        world.queue += [(record, index) for index in range(len(bodies))]
        return
    if isinstance(step, Watch):
        number = 1 + sum(1 for w in world.watches if w.party == step.party)
        if step.by_name:
            person, name = NAMES[step.pick % len(NAMES)]
            body = {"name": name}
            state = WatchState(step.party, number, True, person=person)
        else:
            spec = f"domain-name:{DOMAINS[step.pick % len(DOMAINS)]}"
            key = parse_value_spec(spec)
            body = {"value": spec}
            state = WatchState(step.party, number, False, key=(key.kind, key.value))
        response = node.client.post(
            "/api/v1/watches", json=body, headers=node.headers(f"a{step.party}")
        )
        assert response.status_code == 201, response.text
        assert response.json()["id"] == number
        world.watches.append(state)
        return
    if isinstance(step, Drain):
        listed_alerts(node, step.reader)
        world.drain()
        return
    if isinstance(step, Leave):
        if step.party not in world.members[step.channel]:
            return
        with node.engine.begin() as connection:
            admin.change_members(connection, HOST, f"c{step.channel}", [], [f"p{step.party}"])
        world.members[step.channel].discard(step.party)
        return
    if isinstance(step, Delete):
        live = [r for r in world.records if not r.deleted]
        if not live:
            return
        record = live[step.which % len(live)]
        if record.audience >= 0 and record.origin not in world.members[record.audience]:
            return  # its origin no longer reads that channel's collection
        url = f"/taxii2/api/collections/{collection_id(audience_name(record.audience))}"
        response = node.client.delete(
            f"{url}/objects/{record.id}/", headers={**node.headers(f"a{record.origin}"), **TAXII}
        )
        assert response.status_code == 200, response.text
        record.deleted = True
        return
    raise AssertionError(step)


def check_alerts(node: Node, world: World) -> None:
    world.drain()  # the first read below drains the queue
    by_id = {record.id: record for record in world.records}
    for party in range(world.parties):
        items = listed_alerts(node, party)
        # (a) only objects the party may see now.
        for alert in items:
            record = by_id.get(alert["object_id"])
            assert record is not None and world.shown(party, record), (party, alert)
            assert alert["object"]["origin"] == f"p{record.origin}"
        # (b) exactly the alerts the rules give.
        got = Counter(
            (
                alert["watch"]["id"],
                alert["object_id"],
                None if alert["object"]["type"] == "domain-name" else alert["object"]["version"],
            )
            for alert in items
        )
        assert got == world.expected_alerts(party), (party, items)
        for alert in items:
            if alert["watch"]["kind"] == "name":
                assert alert["reason"]["how"] == "screening"
                assert alert["reason"]["score"] >= 0.7


def check_correlations(node: Node, world: World) -> None:
    missing = f"identity--{uuid.uuid4()}"
    for party in range(world.parties):
        headers = node.headers(f"a{party}")
        absent = node.client.get(f"/api/v1/objects/{missing}/correlations", headers=headers)
        assert absent.status_code == 404
        for record in world.records:
            response = node.client.get(f"/api/v1/objects/{record.id}/correlations", headers=headers)
            if not world.shown(party, record):
                # (d) indistinguishable from an object that does not exist.
                assert response.status_code == 404, (party, record.id, response.text)
                detail = response.json()["detail"].replace(record.id, missing)
                assert detail == absent.json()["detail"]
                continue
            assert response.status_code == 200, response.text
            body = response.json()
            got = {
                (c["kind"], c["value"], o["id"]) for c in body["correlations"] for o in c["objects"]
            }
            flagged = {(f["kind"], f["value"]) for f in body["flagged"]}
            # (c) only visible objects, and every visible one sharing an unflagged key.
            required: set[tuple[str, str, str]] = set()
            allowed: set[tuple[str, str, str]] = set()
            for other in world.records:
                if other is record or not world.shown(party, other):
                    continue
                for key, warned in record.latest.keys.items():
                    if key in other.latest.keys and not warned:
                        allowed.add((*key, other.id))
                        if not other.revoked and not record.revoked:
                            required.add((*key, other.id))
            origins = {o["id"]: o["origin"] for c in body["correlations"] for o in c["objects"]}
            assert all(origins[r.id] == f"p{r.origin}" for r in world.records if r.id in origins)
            assert required <= got <= allowed, (party, record.id, got, required, allowed)
            warned_keys = {key for key, warned in record.latest.keys.items() if warned}
            assert flagged <= set(record.latest.keys)
            assert warned_keys <= flagged
            assert all(f["reason"] == "warninglist" for f in body["flagged"])


def test_the_name_pool_keeps_people_apart() -> None:
    """The oracle's premise: each person's spellings match, no two people do."""
    for (one, a), (other, b) in ((x, y) for x in NAMES for y in NAMES):
        score = compare(a, b).score
        assert (score >= 0.7) == (one == other), (a, b, score)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(drawn=worlds())
@pytest.mark.parametrize("backend", BACKENDS)
def test_alerts_and_correlations_equal_the_oracle(
    backend: str, tmp_path: Path, drawn: dict[str, Any]
) -> None:
    node, cleanup = _node_for(backend, tmp_path)
    try:
        for party in range(drawn["parties"]):
            node.party(f"p{party}")
            node.account(f"a{party}", f"p{party}")
        for index, members in enumerate(drawn["channels"]):
            node.channel(f"c{index}", *(f"p{p}" for p in members))
        world = World(drawn["parties"], [set(c) for c in drawn["channels"]])
        for step in drawn["steps"]:
            run_step(node, world, step)
        check_alerts(node, world)
        check_correlations(node, world)
    finally:
        node.client.close()
        node.engine.dispose()
        if cleanup is not None:
            for _ in cleanup:
                pass


def test_an_id_two_origins_hold_shows_only_the_visible_copy(trio: Node) -> None:
    """A domain's deterministic id held by two parties: a reader who sees one copy gets its
    correlations; asking for the hidden copy's origin answers as for a missing object."""
    value = "alpha.example"
    same = {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": f"domain-name--{uuid.uuid5(uuid.NAMESPACE_DNS, value)}",
        "value": value,
    }
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern": f"[domain-name:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    for account, obj, audience in (
        ("ru", same, "kz-ru"),
        ("cn", same, "own"),
        ("cn", indicator, "own"),
    ):
        response = trio.client.post(
            f"/api/v1/objects?audience={audience}&tlp=amber",
            content=orjson.dumps(obj),
            headers={**trio.headers(account), **STIX},
        )
        assert response.status_code == 200, response.text
    url = f"/api/v1/objects/{same['id']}/correlations"
    seen = trio.client.get(url, headers=trio.headers("kz"))
    assert seen.status_code == 200, seen.text
    assert seen.json()["object"]["origin"] == "ru-nac"
    assert seen.json()["correlations"] == []  # cn's copy and indicator are cn's own
    hidden = trio.client.get(url, params={"origin": "cn-mps"}, headers=trio.headers("kz"))
    absent = trio.client.get(
        f"/api/v1/objects/domain-name--{uuid.uuid4()}/correlations", headers=trio.headers("kz")
    )
    assert hidden.status_code == absent.status_code == 404
    # cn, outside kz-ru, reads its own copy: correlated with its own indicator only.
    mine = trio.client.get(url, params={"origin": "cn-mps"}, headers=trio.headers("cn"))
    assert mine.status_code == 200, mine.text
    ids = {o["id"] for c in mine.json()["correlations"] for o in c["objects"]}
    assert ids == {indicator["id"]}
