"""Synthetic MISP events for the benchmark, built with PyMISP from a seed: the same number
and seed give the same event.

About ``attributes`` attributes an event, of mixed types as a CERT's events carry them:
network indicators (ip-dst, ip-src, domain, hostname, url, email-src, email-dst), hashes
(md5, sha1, sha256), filename, btc, phone-number, text, a few with tags of their own; about
a tenth of them in objects (``domain-ip``, ``file``, ``person``); the event tagged with a TLP
(1.0 and 2.0 spellings) and sometimes PAP, a ``threat-actor`` galaxy cluster drawn from a
small set (so events share clusters), and every tenth an event report.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from typing import Any

import orjson
from pymisp import MISPEvent, MISPEventReport, MISPGalaxy, MISPGalaxyCluster, MISPOrganisation

BASE = 1_700_000_000
ORGS = [
    ("KNB CERT", "55f6ea5e-2c60-40e5-964f-47a8950d210f"),
    ("Regional CTU", "1f0b3c58-5d0a-4b59-9c6e-2a0c7a1d9e42"),
]
TLPS = ["tlp:green", "tlp:amber", "tlp:white", "tlp:clear", "TLP:AMBER+STRICT"]
ACTORS = [f"Courier network {n}" for n in range(20)]


def _hex(rng: random.Random, size: int) -> str:
    return hashlib.sha256(rng.randbytes(16)).hexdigest()[:size]


def _value(kind: str, rng: random.Random, number: int, i: int) -> str:
    match kind:
        case "ip-dst" | "ip-src":
            if rng.random() < 0.1:
                return f"2001:db8:{number % 65536:x}::{i:x}"
            return f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{number % 256}.{i % 256}"
        case "domain":
            return f"d{i}-{_hex(rng, 6)}.e{number}.example"
        case "hostname":
            return f"h{i}.cdn-{_hex(rng, 4)}.example"
        case "url":
            return f"https://u{i}.e{number}.example/{_hex(rng, 8)}?id={rng.randint(1, 999)}"
        case "email-src" | "email-dst":
            return f"m{i}.{_hex(rng, 4)}@mail{number % 97}.example"
        case "md5":
            return _hex(rng, 32)
        case "sha1":
            return _hex(rng, 40)
        case "sha256":
            return _hex(rng, 64)
        case "filename":
            return f"doc_{_hex(rng, 6)}.{rng.choice(['pdf', 'exe', 'docx', 'zip'])}"
        case "btc":
            return "1" + _hex(rng, 33)
        case "phone-number":
            return f"+770{rng.randint(10_000_000, 99_999_999)}"
        case _:
            return f"Courier seen near site {rng.randint(1, 500)}"


#: (type, weight): what a plain attribute is.
KINDS = [
    ("ip-dst", 14),
    ("ip-src", 6),
    ("domain", 14),
    ("hostname", 6),
    ("url", 12),
    ("email-src", 6),
    ("email-dst", 3),
    ("md5", 10),
    ("sha1", 5),
    ("sha256", 8),
    ("filename", 6),
    ("btc", 3),
    ("phone-number", 3),
    ("text", 4),
]
CATEGORY = {
    "md5": "Payload delivery",
    "sha1": "Payload delivery",
    "sha256": "Payload delivery",
    "filename": "Payload delivery",
    "btc": "Financial fraud",
    "phone-number": "Other",
    "text": "Other",
}


def event(number: int, attributes: int = 100, seed: int = 18) -> MISPEvent:
    """Event ``number`` of the set: about ``attributes`` attributes (plain and in objects)."""
    rng = random.Random(f"{seed}:{number}")
    namespace = uuid.UUID(int=rng.getrandbits(128))

    def uid(name: str) -> str:
        return str(uuid.uuid5(namespace, name))

    stamp = BASE + number * 60
    e = MISPEvent()
    e.uuid = uid("event")
    e.info = f"Synthetic event {number}: courier network activity"
    e.date = "2023-11-14"
    e.timestamp = stamp
    e.analysis = rng.randint(0, 2)
    e.threat_level_id = rng.randint(1, 4)
    e.distribution = 0
    name, org_uuid = ORGS[number % len(ORGS)]
    org = MISPOrganisation()
    org.from_dict(name=name, uuid=org_uuid)
    e.Orgc = org
    e.add_tag(TLPS[number % len(TLPS)])
    if rng.random() < 0.3:
        e.add_tag("PAP:GREEN")
    in_objects = attributes // 10
    kinds, weights = zip(*KINDS, strict=True)
    for i in range(attributes - in_objects):
        kind = rng.choices(kinds, weights)[0]
        attribute = e.add_attribute(
            kind, _value(kind, rng, number, i), category=CATEGORY.get(kind, "Network activity")
        )
        attribute.uuid = uid(f"a{i}")
        attribute.timestamp = stamp
        attribute.to_ids = kind != "text"
        if rng.random() < 0.05:
            attribute.add_tag("tlp:amber")
    made = 0
    while made < in_objects:
        which = rng.choice(["domain-ip", "file", "person"])
        misp_object = e.add_object(name=which)
        misp_object.uuid = uid(f"o{made}")
        if which == "domain-ip":
            misp_object.add_attribute("domain", _value("domain", rng, number, made))
            misp_object.add_attribute("ip", _value("ip-dst", rng, number, made))
        elif which == "file":
            misp_object.add_attribute("filename", _value("filename", rng, number, made))
            misp_object.add_attribute("md5", _value("md5", rng, number, made))
            misp_object.add_attribute("sha256", _value("sha256", rng, number, made))
        else:
            misp_object.add_attribute("first-name", rng.choice(["Arman", "Dana", "Timur"]))
            misp_object.add_attribute("last-name", rng.choice(["Seitkali", "Omarova"]))
        misp_object.timestamp = stamp
        for position, attribute in enumerate(misp_object.attributes):
            attribute.uuid = uid(f"o{made}:{position}")
            attribute.timestamp = stamp
        made += len(misp_object.attributes)
    if number % 10 == 0:
        report = MISPEventReport()
        report.from_dict(name="Summary", content=f"# Event {number}\nSeen twice.", uuid=uid("r"))
        report.distribution = 5
        report.timestamp = stamp
        e.EventReport = [report]
    actor = ACTORS[rng.randrange(len(ACTORS))]
    galaxy = MISPGalaxy()
    galaxy.from_dict(
        uuid="698774c7-8022-42c4-917f-8d6e4f06ada3",
        name="Threat Actor",
        type="threat-actor",
        namespace="misp",
        description="Threat actors",
    )
    cluster = MISPGalaxyCluster()
    cluster.from_dict(
        uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-actor:{actor}")),
        value=actor,
        type="threat-actor",
        tag_name=f'misp-galaxy:threat-actor="{actor}"',
        description="A courier network",
        meta={},
    )
    galaxy.clusters.append(cluster)
    e.galaxies.append(galaxy)
    return e


def as_dict(e: MISPEvent) -> dict[str, Any]:
    """The event as MISP exports it (every timestamp kept: PyMISP drops edited ones)."""
    e.force_timestamp = True
    for item in [*e.attributes, *e.objects, *e.event_reports]:
        item.force_timestamp = True
    for misp_object in e.objects:
        for attribute in misp_object.attributes:
            attribute.force_timestamp = True
    decoded: dict[str, Any] = orjson.loads(e.to_json())
    return decoded.get("Event", decoded)


def events(first: int, count: int, attributes: int = 100, seed: int = 18) -> list[dict[str, Any]]:
    return [as_dict(event(n, attributes, seed)) for n in range(first, first + count)]


def attribute_count(e: dict[str, Any]) -> int:
    return len(e.get("Attribute") or []) + sum(
        len(o.get("Attribute") or []) for o in e.get("Object") or []
    )
