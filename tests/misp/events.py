"""MISP events built with PyMISP, as a MISP instance exports them."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import orjson
from pymisp import (
    MISPEvent,
    MISPEventReport,
    MISPGalaxy,
    MISPGalaxyCluster,
    MISPOrganisation,
    MISPSharingGroup,
)

TIMESTAMP = 1_700_000_000
ORG = "55f6ea5e-2c60-40e5-964f-47a8950d210f"
SHARING_GROUP = "5d6d3b30-9db0-44b9-8869-7f56a5e29d2b"


def event(
    *,
    distribution: int = 4,
    sharing_group: str | None = SHARING_GROUP,
    tags: tuple[str, ...] = ("tlp:amber", "PAP:GREEN"),
    timestamp: int = TIMESTAMP,
    info: str = "Explosives purchase network",
    seed: str = "one",
) -> MISPEvent:
    """An event with attributes of many types, objects person, domain-ip and file, a
    threat-actor galaxy cluster, tags, a sharing group and an event report. UUIDs come
    from ``seed``, so that the same seed is the same event."""

    def uid(name: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}:{name}"))

    e = MISPEvent()
    e.uuid = uid("event")
    e.info = info
    e.date = "2023-11-14"
    e.timestamp = timestamp
    e.analysis = 1
    e.threat_level_id = 2
    e.distribution = distribution
    org = MISPOrganisation()
    org.from_dict(name="KNB CERT", uuid=ORG)
    e.Orgc = org
    if sharing_group is not None:
        group = MISPSharingGroup()
        group.from_dict(name="KZ-RU bilateral", uuid=sharing_group, releasability="kz, ru")
        e.SharingGroup = group
        e.sharing_group_id = 7
    for tag in tags:
        e.add_tag(tag)
    values = [
        ("ip-dst", "203.0.113.7"),
        ("ip-src", "2001:db8::5"),
        ("domain", "shop-fireworks.example"),
        ("hostname", "cdn.shop-fireworks.example"),
        ("url", "https://shop-fireworks.example/order?id=1"),
        ("email-src", "buyer@mail.example"),
        ("md5", "9e107d9d372bb6826bd81d3542a419d6"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("filename", "manual.pdf"),
        ("btc", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
        ("phone-number", "+77011234567"),
        ("text", "Payment through a courier"),
    ]
    for position, (kind, value) in enumerate(values):
        attribute = e.add_attribute(kind, value)
        attribute.uuid = uid(f"attribute:{position}")
        attribute.timestamp = timestamp
    person = e.add_object(name="person")
    person.uuid = uid("person")
    person.add_attribute("first-name", "Arman")
    person.add_attribute("last-name", "Seitkali")
    domain_ip = e.add_object(name="domain-ip")
    domain_ip.uuid = uid("domain-ip")
    domain_ip.add_attribute("domain", "drop.example")
    domain_ip.add_attribute("ip", "198.51.100.20")
    file_object = e.add_object(name="file")
    file_object.uuid = uid("file")
    file_object.add_attribute("filename", "invoice.exe")
    file_object.add_attribute("md5", "d41d8cd98f00b204e9800998ecf8427e")
    for misp_object in e.objects:
        misp_object.timestamp = timestamp
        for position, attribute in enumerate(misp_object.attributes):
            attribute.uuid = uid(f"{misp_object.uuid}:{position}")
            attribute.timestamp = timestamp
    report = MISPEventReport()
    report.from_dict(name="Summary", content="# Courier payments\nSeen twice.", uuid=uid("report"))
    report.distribution = 5
    report.timestamp = timestamp
    e.EventReport = [report]
    galaxy = MISPGalaxy()
    galaxy.from_dict(
        uuid=uid("galaxy"),
        name="Threat Actor",
        type="threat-actor",
        namespace="misp",
        description="Threat actors",
    )
    cluster = MISPGalaxyCluster()
    cluster.from_dict(
        uuid=uid("cluster"),
        value="Steppe Couriers",
        type="threat-actor",
        tag_name='misp-galaxy:threat-actor="Steppe Couriers"',
        description="A courier network",
        meta={},
    )
    galaxy.clusters.append(cluster)
    e.galaxies.append(galaxy)
    return e


def _keep_timestamps(e: MISPEvent) -> None:
    """PyMISP drops the timestamp of what was edited (MISP then sets it); an export from
    MISP carries every timestamp."""
    e.force_timestamp = True
    for item in [*e.attributes, *e.objects, *e.event_reports]:
        item.force_timestamp = True
    for misp_object in e.objects:
        for attribute in misp_object.attributes:
            attribute.force_timestamp = True


def as_json(*events: MISPEvent) -> bytes:
    """MISP's export JSON: one ``{"Event": ...}``, or a list of them."""
    for e in events:
        _keep_timestamps(e)
    items = [orjson.loads(e.to_json()) for e in events]
    wrapped = [{"Event": i} for i in items]
    return orjson.dumps(wrapped[0] if len(wrapped) == 1 else wrapped)


def load(body: Any) -> MISPEvent:
    loaded = MISPEvent()
    loaded.load(copy.deepcopy(body))  # PyMISP pops what it reads
    return loaded
