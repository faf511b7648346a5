"""An ingested article as a STIX 2.1 bundle: a report and what it names, each with evidence.

Objects: the ``report`` (the article), ``identity`` for persons and organisations,
``location`` for places, ``intrusion-set`` for groups (with the register subject they were
linked to, and its reference numbers as external references), ``incident`` for attacks and
plots, and ``relationship`` objects: incident ``targets`` victim, ``attributed-to``
perpetrator, ``located-at`` place. Each object carries the
character spans that support it in a property extension declared by Accord's
``extension-definition`` (STIX 2.1 section 7.3). Ids are UUIDv5 of the article's digest and
the item, so the same article gives the same bundle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from accord.ingest.model import Article, Incident, Span
from accord.stix.own import property_extension, system_identity

NAMESPACE = uuid.UUID("0b7d54a2-3c8e-5f19-9a61-2e4c8d7f1b35")
EXTENSION_ID = "extension-definition--3a9c1e57-8b2d-4f60-a4e3-6d1f0c9b7e28"
AUTHOR_ID = "identity--5e1b7c3a-9d42-4f8e-b6a0-3c2d1e9f8a74"
REGISTER_SOURCES = {"QD": "UN Security Council", "TA": "UN Security Council"}


def extension_definition() -> dict[str, Any]:
    return property_extension(
        EXTENSION_ID,
        AUTHOR_ID,
        "Accord evidence",
        "Where in an ingested article a fact stands: evidence, a list of "
        "{start, end, text} character spans of the article's text as read; for a group, the "
        "register subject it was linked to; for a report, the article's publication date "
        "and its source.",
        "docs/ingest.md#stix",
    )


def author() -> dict[str, Any]:
    return system_identity(AUTHOR_ID, "Accord ingestion")


def to_bundle(
    article: Article, now: dt.datetime | None = None, *, party: str = ""
) -> dict[str, Any]:
    """The STIX 2.1 bundle of an article that :func:`accord.ingest.pipeline.read_article` read.

    Ids derive from the article's text and, when given, the publishing ``party``: two
    parties ingesting one article make different ids, so an id never tells anyone which
    other party read the same article (see docs/architecture.md, "Identity")."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    digest = hashlib.sha256((article.text or "").encode()).hexdigest()
    namespace_parts = (party, digest) if party else (digest,)

    def ident(kind: str, *parts: str) -> str:
        return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join((*namespace_parts, kind, *parts)))}"

    def base(kind: str, identifier: str, evidence: tuple[Span, ...]) -> dict[str, Any]:
        return {
            "type": kind,
            "spec_version": "2.1",
            "id": identifier,
            "created": stamp,
            "modified": stamp,
            "created_by_ref": AUTHOR_ID,
            "extensions": {
                EXTENSION_ID: {
                    "extension_type": "property-extension",
                    "evidence": [span.as_dict() for span in evidence],
                }
            },
        }

    objects: list[dict[str, Any]] = []
    refs: dict[tuple[str, str], str] = {}
    for person in article.persons:
        obj = base("identity", ident("identity", "person", person.name), person.evidence)
        obj.update(name=person.name, identity_class="individual")
        if person.roles:
            obj["roles"] = [r.role for r in person.roles]
        objects.append(obj)
        refs[("person", person.name)] = obj["id"]
    for org in article.organisations:
        if org.kind == "group":
            obj = base("intrusion-set", ident("intrusion-set", org.name), org.evidence)
            obj["name"] = org.name
            if org.aliases:
                obj["aliases"] = list(org.aliases)
            subject = org.register_subject
            if subject:
                extension = obj["extensions"][EXTENSION_ID]
                extension["register_subject"] = {
                    "subject_id": subject.subject_id,
                    "name": subject.name,
                    "references": list(subject.references),
                    "score": subject.score,
                }
                obj["external_references"] = [
                    {
                        "source_name": REGISTER_SOURCES.get(r[:2], "Accord register"),
                        "external_id": r,
                    }
                    for r in subject.references
                ] or [{"source_name": "Accord register", "external_id": str(subject.subject_id)}]
            if org.claims:
                obj["extensions"][EXTENSION_ID]["claims"] = [c.as_dict() for c in org.claims]
        else:
            obj = base("identity", ident("identity", "organisation", org.name), org.evidence)
            obj.update(name=org.name, identity_class="organization")
        objects.append(obj)
        refs[("organisation", org.name)] = obj["id"]
    for place in article.locations:
        if not place.country:
            continue  # a region with no country: STIX wants a country, region or position
        obj = base("location", ident("location", place.name), place.evidence)
        obj.update(name=place.name, country=place.country)
        objects.append(obj)
        refs[("location", place.name)] = obj["id"]
    relationships: list[dict[str, Any]] = []
    for number, incident in enumerate(article.incidents):
        obj = base("incident", ident("incident", str(number)), incident.evidence)
        what = incident.type
        where = ", ".join(p.name for p in incident.places)
        obj["name"] = f"{what} in {where}" if where else what
        obj["description"] = _describe(incident)
        objects.append(obj)
        for parties, kind in (
            (incident.victims, "targets"),
            (incident.perpetrators, "attributed-to"),
            (incident.places, "located-at"),
        ):
            for involved in parties:
                target = refs.get((involved.kind, involved.name))
                if target is None:
                    continue
                relationship = base(
                    "relationship",
                    ident("relationship", obj["id"], kind, target),
                    (involved.evidence,),
                )
                relationship.update(relationship_type=kind, source_ref=obj["id"], target_ref=target)
                if kind == "attributed-to":
                    relationship["description"] = f"attribution: {incident.attribution}"
                relationships.append(relationship)
    objects += relationships
    date = article.publication_date.as_dict()
    published = date["date"]
    report = base("report", ident("report"), ())
    report["extensions"][EXTENSION_ID] = {
        "extension_type": "property-extension",
        "publication_date": {k: v for k, v in date.items() if v is not None},
        "source": article.source or "unnamed",
        "language": article.language or "unknown",
    }
    report.update(
        name=article.title or article.source or "article",
        report_types=["threat-report"],
        published=f"{published}T00:00:00.000Z" if published else stamp,
        object_refs=[o["id"] for o in objects] or [AUTHOR_ID],
        description=(
            "Read from an open-source article by Accord's rule-based ingestion; each object "
            "carries its evidence. "
            + (
                ""
                if published
                else "The article shows no publication date: 'published' is when it was read."
            )
        ).strip(),
    )
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(NAMESPACE, party + digest + stamp)}",
        "objects": [author(), extension_definition(), report, *objects],
    }


def _describe(incident: Incident) -> str:
    parts = [incident.type]
    if incident.victims:
        parts.append("against " + ", ".join(v.name for v in incident.victims))
    if incident.perpetrators:
        parts.append("by " + ", ".join(p.name for p in incident.perpetrators))
    if incident.date_expression:
        when = incident.date.isoformat() if incident.date else "date unknown"
        parts.append(f"({incident.date_expression}: {when})")
    parts.append(f"attribution {incident.attribution}")
    if incident.background:
        parts.append("(background: an earlier event the article recalls)")
    return " ".join(parts)
