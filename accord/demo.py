"""Demo data for ``make run``: parties of several states and a regional hub, a bilateral and a
multilateral channel, accounts, and a little intelligence under each kind of audience.

The objects are fictional exercise material (indicators use the reserved ``.example`` domain)
around real, public designations; ids are stable so that the demo is the same every time.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from accord.acts import admin, watches
from accord.acts.publish import publish_objects
from accord.federation.collections import collection_id
from accord.policy import Principal
from accord.stix.markings import Tlp
from accord.store import directory

NAMESPACE = uuid.UUID("6f1d2a52-5c3b-4c52-9a8e-2f0f4f2c1a10")
CREATED = "2026-11-02T09:00:00.000Z"

PARTIES = [
    ("ru-nac", "National Anti-Terrorism Committee of the Russian Federation", "RU"),
    ("cn-mps", "Ministry of Public Security of the People's Republic of China", "CN"),
    ("kz-knb", "National Security Committee of the Republic of Kazakhstan", "KZ"),
    ("sco-rats", "SCO Regional Anti-Terrorist Structure (executive committee)", "SCO"),
]
CHANNELS = [
    ("ru-cn", ["ru-nac", "cn-mps"], "Bilateral Russia-China liaison"),
    ("sco-joint", ["ru-nac", "cn-mps", "kz-knb", "sco-rats"], "SCO RATS joint channel"),
]
ACCOUNTS = [
    # Each party's first admin is set up by the node's operator; the admin adds the rest.
    ("hub-operator", "sco-rats", "operator"),
    ("ru-admin", "ru-nac", "admin"),
    ("cn-admin", "cn-mps", "admin"),
    ("kz-admin", "kz-knb", "admin"),
    ("ru-analyst", "ru-nac", "publisher"),
    ("cn-analyst", "cn-mps", "publisher"),
    ("kz-analyst", "kz-knb", "publisher"),
    ("kz-reader", "kz-knb", "reader"),
    ("rats-admin", "sco-rats", "admin"),
    ("rats-liaison", "sco-rats", "publisher"),
    ("peer-ru-nac", "ru-nac", "reader"),
]
#: Watches set before the demo's intelligence arrives: cn-mps is alerted on ru-nac's
#: indicator (shared with it in ru-cn), kz-knb is not (it is outside that channel); kz-knb is
#: alerted on a network group by a Russian spelling of its name.
DEMO_WATCHES = [
    ("cn-analyst", watches.WatchRequest(value="domain-name:Recruit-Forum.example.")),
    ("kz-analyst", watches.WatchRequest(value="domain-name:recruit-forum.example")),
    ("kz-analyst", watches.WatchRequest(name="Джабхат ан-Нусра", note="demo watch")),
]
#: The demo's exercise scenario, imported and started (paused) by rats-liaison, made a
#: director by the hub's first admin, at 60x: the console's Exercises page shows it.
SCENARIO = Path(__file__).parent / "demo" / "embassy-attack-abroad.json"
EXERCISE_ROLES = {"host": "kz-knb", "partner": "cn-mps", "transit": "ru-nac", "hub": "sco-rats"}

#: What the demo's second node (run by ru-nac) pulls from the first.
PEER_AUDIENCES = ("network", "ru-cn", "sco-joint")


def stable_id(stix_type: str, name: str) -> str:
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, name)}"


def _sdo(stix_type: str, key: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": stable_id(stix_type, key),
        "created": CREATED,
        "modified": CREATED,
        **properties,
    }


def _identity(code: str, name: str) -> dict[str, Any]:
    return _sdo(
        "identity",
        code,
        name=name,
        identity_class="organization",
        sectors=["government-public-services"],
    )


def demo_publications() -> list[tuple[str, str, Tlp, list[dict[str, Any]]]]:
    """(account, audience, TLP, objects) for each demo publication."""
    ru, cn, rats = (stable_id("identity", c) for c in ("ru-nac", "cn-mps", "sco-rats"))
    etim = _sdo(
        "intrusion-set",
        "etim",
        created_by_ref=rats,
        name="Eastern Turkistan Islamic Movement",
        aliases=["ETIM", "Turkistan Islamic Party", "Исламское движение Восточного Туркестана"],
        description="Listed by the UN Security Council (QDe.088) since 2002-09-11.",
    )
    nusra = _sdo(
        "intrusion-set",
        "nusra",
        created_by_ref=rats,
        name="Al-Nusrah Front for the People of the Levant",
        aliases=["Jabhat al-Nusra", "Jabhat Fath al-Sham", "Джебхат ан-Нусра"],
        description="Listed by the UN Security Council (QDe.137) since 2013-05-14.",
    )
    indicator = _sdo(
        "indicator",
        "route-domain",
        created_by_ref=ru,
        name="Recruitment forum (exercise)",
        pattern="[domain-name:value = 'recruit-forum.example']",
        pattern_type="stix",
        valid_from=CREATED,
        indicator_types=["malicious-activity"],
    )
    indicates = _sdo(
        "relationship",
        "route-domain-indicates",
        created_by_ref=ru,
        relationship_type="indicates",
        source_ref=indicator["id"],
        target_ref=nusra["id"],
    )
    report = _sdo(
        "report",
        "travel-routes",
        created_by_ref=cn,
        name="Foreign fighter travel routes (exercise)",
        published=CREATED,
        report_types=["threat-report"],
        description="Joint exercise material: routes through Central Asia.",
        object_refs=[etim["id"], nusra["id"]],
    )
    note = _sdo(
        "note",
        "source-note",
        created_by_ref=ru,
        abstract="Source handling",
        content="Internal note: source protection applies (exercise).",
        object_refs=[indicator["id"]],
    )
    return [
        ("rats-liaison", "network", Tlp.CLEAR, [_identity(c, n) for c, n, _ in PARTIES]),
        ("rats-liaison", "network", Tlp.GREEN, [etim, nusra]),
        ("ru-analyst", "ru-cn", Tlp.AMBER, [indicator, indicates]),
        ("cn-analyst", "sco-joint", Tlp.AMBER, [report]),
        ("ru-analyst", "own", Tlp.RED, [note]),
    ]


def load_demo(
    connection: Connection, host: Principal, *, intelligence: bool = True, node: str = "node-1"
) -> list[tuple[str, str, str, str]]:
    """Create the demo directory and publish the demo objects; returns the accounts' tokens.

    The host (the operator) adds parties and channels and each party's first admin; each
    party's admin adds its other accounts, as on a real node."""
    for code, name, jurisdiction in PARTIES:
        admin.add_party(connection, host, code, name, jurisdiction)
    for name, members, description in CHANNELS:
        admin.add_channel(connection, host, name, members, description)
    tokens = []
    admins: dict[str, Principal] = {}
    for name, party, role in ACCOUNTS:
        by = admins.get(party, host)
        account, token = admin.add_account(connection, by, name, party, role)
        if role in ("admin", "operator") and party not in admins:
            admins[party] = Principal(account, host.door)
        tokens.append((name, party, role, token))
    if intelligence:
        for account_name, request in DEMO_WATCHES:
            account = directory.get_account(connection, account_name)
            watches.add_watch(connection, account, request, door="cli")
        for account_name, audience, tlp, items in demo_publications():
            account = directory.get_account(connection, account_name)
            publish_objects(
                connection, account, list(items), audience=audience, tlp=tlp, door="cli", node=node
            )
        _demo_exercise(connection, host, admins["sco-rats"])
    return tokens


def _demo_exercise(connection: Connection, host: Principal, hub_admin: Principal) -> None:
    from accord.acts import exercises

    exercises.grant_director(connection, hub_admin, "rats-liaison")
    exercises.import_scenario(connection, host, SCENARIO.read_bytes(), SCENARIO.name)
    director = Principal(directory.get_account(connection, "rats-liaison"), host.door)
    exercises.start_exercise(
        connection, director, "embassy-attack-abroad", "embassy-demo", EXERCISE_ROLES, speed=60
    )
    # Paused until someone runs it (`accord exercise resume embassy-demo`): a demo loaded
    # long before `accord serve` would otherwise find its whole scenario already past.
    exercises.set_state(connection, director, "embassy-demo", "pause")


def add_demo_peers(connection: Connection, host: Principal, url: str, token: str) -> None:
    """Make this (second) demo node pull the first node's shared collections."""
    for audience in PEER_AUDIENCES:
        admin.add_peer(connection, host, f"first-{audience}", url, collection_id(audience), token)
