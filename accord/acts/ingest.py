"""Ingestion as the CLI and the API run it: the register's linker, output formats, publishing
the STIX bundle of a successful read only, and the audit of every run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from rich.table import Table
from sqlalchemy import Connection, Engine

from accord import audit
from accord.ingest.extract import register_linker
from accord.ingest.model import Article, Incident, Location, Organisation, Person
from accord.ingest.stix import to_bundle
from accord.screening.index import ScreeningIndex
from accord.screening.snapshot import open_index
from accord.stix.markings import Tlp

if TYPE_CHECKING:
    from accord.acts.publish import PublishReport
    from accord.store.directory import Account

FORMATS = ("json", "stix", "table")


def linker_for(engine: Engine, index: ScreeningIndex | None = None) -> Any:
    """A register linker over the node's register (an index built here if none is given)."""
    with engine.connect() as connection:
        if index is None:
            index = open_index(connection)
        else:
            index.refresh(connection)
    return register_linker(index) if len(index) else None


def public(article: Article) -> dict[str, Any]:
    """The JSON shape printed and served: the article's text itself left out (each piece of
    evidence quotes its own span)."""
    return article.public()


def render_json(article: Article) -> str:
    return orjson.dumps(public(article)).decode()


def render_stix(article: Article) -> str:
    return orjson.dumps(to_bundle(article), option=orjson.OPT_INDENT_2).decode()


def render_table(article: Article) -> Table:
    date = article.publication_date
    table = Table(
        "kind",
        "name",
        "details",
        "evidence",
        title=f"{article.title or article.source}\n"
        f"published: {date.date or 'unknown'} ({date.confidence}); "
        f"language: {article.language}",
    )
    for person in article.persons:
        roles = "; ".join(r.role for r in person.roles)
        table.add_row("person", person.name, roles, _spans(person))
    for org in article.organisations:
        subject = org.register_subject
        linked = f"register: {subject.name} {', '.join(subject.references)}" if subject else ""
        claims = "; ".join(c.claim for c in org.claims)
        table.add_row(org.kind, org.name, " ".join(x for x in (linked, claims) if x), _spans(org))
    for place in article.locations:
        table.add_row(
            "place", place.name, f"{place.type}, {place.country_name or ''}", _spans(place)
        )
    for incident in article.incidents:
        who = ", ".join(p.name for p in incident.perpetrators)
        whom = ", ".join(v.name for v in incident.victims)
        where = ", ".join(p.name for p in incident.places)
        when = incident.date or (incident.date_expression or "")
        table.add_row(
            "incident" + (" (background)" if incident.background else ""),
            incident.type,
            f"by {who or '?'} against {whom or '?'} in {where or '?'} {when}; "
            f"attribution {incident.attribution}",
            _spans(incident),
        )
    return table


def _spans(item: Person | Organisation | Location | Incident) -> str:
    return " ".join(f"{e.start}-{e.end}" for e in item.evidence[:3])


def publish(
    connection: Connection,
    account: Account,
    article: Article,
    *,
    audience: str,
    tlp: Tlp,
    door: str,
    node: str,
) -> PublishReport:
    """Publish an article's STIX bundle through the ordinary path (policy, versions, audit)."""
    from accord.acts.publish import publish_objects

    bundle = to_bundle(article, party=account.party.code)
    objects = orjson.loads(orjson.dumps(bundle["objects"]))
    return publish_objects(
        connection, account, objects, audience=audience, tlp=tlp, door=door, node=node
    )


def record(
    engine: Engine, actor: audit.Actor, articles: list[str], failed: int, published: int
) -> None:
    with engine.begin() as connection:
        audit.append(
            connection,
            actor,
            "ingest",
            details={
                "articles": articles[:50],
                "count": len(articles),
                "failed": failed,
                "published_objects": published,
            },
        )


def record_article(
    connection: Connection,
    actor: audit.Actor,
    name: str,
    article: Article,
    published: int = 0,
) -> None:
    """The audit entry of one article read through the API or the console."""
    audit.append(
        connection,
        actor,
        "ingest",
        target=name[:300],
        details={
            "persons": len(article.persons),
            "organisations": len(article.organisations),
            "incidents": len(article.incidents),
            "published": published,
        },
    )
