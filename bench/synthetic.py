"""A realistic, deterministic mix of synthetic STIX 2.1 objects for benchmarks.

Cyber-observables (40 % by default: domains, addresses, file hashes, URLs, e-mail
addresses, accounts, with their deterministic ids) beside indicators, identities, threat
actors, relationships and reports in the proportions of a typical intelligence feed; reports
list observables among their objects. Every object is valid STIX 2.1 and passes
``stix2.parse``.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from typing import Any

from accord.stix.observables import deterministic_id

MIX = (
    ("indicator", 40),
    ("relationship", 25),
    ("identity", 15),
    ("threat-actor", 10),
    ("report", 10),
)
#: Observables by type, in the proportions of a feed.
OBSERVABLE_MIX = (
    ("domain-name", 30),
    ("ipv4-addr", 25),
    ("file", 15),
    ("url", 15),
    ("email-addr", 10),
    ("user-account", 5),
)
#: The share of observables among the objects (the issue's "realistic share").
OBSERVABLE_SHARE = 0.4
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _timestamp(rng: random.Random) -> str:
    return (
        f"20{rng.randint(15, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        f"T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        f".{rng.randint(0, 999):03d}Z"
    )


def observable(kind: str, rng: random.Random) -> dict[str, Any]:
    """One SCO with a value unique to the generator's state, and its deterministic id."""
    token = f"{rng.getrandbits(48):012x}"
    number = int(token[:8], 16)
    properties: dict[str, Any] = {
        "domain-name": {"value": f"h{token}.example"},
        "ipv4-addr": {"value": ".".join(str(b) for b in number.to_bytes(4, "big"))},
        "file": {
            "name": f"payload-{token}.bin",
            "hashes": {"SHA-256": hashlib.sha256(token.encode()).hexdigest()},
        },
        "url": {"value": f"https://h{token}.example/gate.php"},
        "email-addr": {"value": f"courier-{token}@mail.example"},
        "user-account": {"account_login": f"u{token}", "account_type": "unix"},
    }[kind]
    obj: dict[str, Any] = {"type": kind, "spec_version": "2.1", **properties}
    return {"type": kind, "spec_version": "2.1", "id": deterministic_id(obj), **properties}


def objects(
    count: int, seed: int = 7, observable_share: float = OBSERVABLE_SHARE
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    observable_kinds = [kind for kind, weight in OBSERVABLE_MIX for _ in range(weight)]
    identities: list[str] = []
    recent: list[str] = []
    out: list[dict[str, Any]] = []
    made = 0  # SDOs and SROs so far: they keep the proportions of MIX among themselves
    for n in range(count):
        if int((n + 1) * observable_share) > int(n * observable_share):
            sco = observable(observable_kinds[n % len(observable_kinds)], rng)
            recent.append(sco["id"])
            if len(recent) > 50:
                recent.pop(0)
            out.append(sco)
            continue
        kind = kinds[made % len(kinds)]
        made += 1
        created = _timestamp(rng)
        obj: dict[str, Any] = {
            "type": kind,
            "spec_version": "2.1",
            "id": f"{kind}--{_uuid(rng)}",
            "created": created,
            "modified": created,
        }
        if identities:
            obj["created_by_ref"] = rng.choice(identities)
        if kind == "indicator":
            obj.update(
                name=f"Domain used by cell {n}",
                pattern=f"[domain-name:value = 'host{n}.example']",
                pattern_type="stix",
                valid_from=created,
                indicator_types=["malicious-activity"],
                object_marking_refs=[AMBER],
            )
        elif kind == "identity":
            obj.update(name=f"Agency {n}", identity_class="organization")
            identities.append(obj["id"])
        elif kind == "threat-actor":
            obj.update(
                name=f"Group {n}",
                description="Synthetic group for benchmarks",
                threat_actor_types=["terrorist"],
                aliases=[f"G{n}", f"Группа {n}"],
            )
        elif kind == "relationship":
            source = rng.choice(recent) if recent else f"indicator--{_uuid(rng)}"
            obj.update(
                relationship_type="related-to",
                source_ref=source,
                target_ref=f"threat-actor--{_uuid(rng)}",
            )
        elif kind == "report":
            refs = rng.sample(recent, min(len(recent), 5)) or [f"indicator--{_uuid(rng)}"]
            obj.update(
                name=f"Report {n}",
                published=created,
                object_refs=refs,
                report_types=["threat-report"],
                description="Synthetic report",
            )
        if kind != "relationship":
            recent.append(obj["id"])
        if len(recent) > 50:
            recent.pop(0)
        out.append(obj)
    return out
