"""Screening queries against the register: candidates from the index, scored, qualified,
explained. A hit is a lead for a person, never a decision: every match says why."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from accord.limits import DEFAULT_LIMITS
from accord.screening import calibration
from accord.screening.explained import Score
from accord.screening.index import Entry, ScreeningIndex, Subject
from accord.screening.pieces import STOPWORDS
from accord.screening.score import (
    NEAR,
    PreparedName,
    compare_prepared,
    readings,
)

DEFAULT_THRESHOLD = 0.7
#: How many of the index's best candidates are scored in full.
CANDIDATES = 15
#: The longest name screened: the register refuses longer ones at import (accord.limits).
MAX_NAME = DEFAULT_LIMITS.name_length
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
KINDS = {
    "person": "person",
    "organization": "organization",
    "organisation": "organization",
    "company": "organization",
    "legalentity": "organization",
}


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    name: str
    type: str | None = None
    birth_date: str | None = None
    nationality: str | None = None


def check_query(query: Query) -> str | None:
    """Why a query cannot be screened, or None."""
    if not query.name or not query.name.strip():
        return "name is empty"
    if len(query.name) > MAX_NAME:
        return f"name is {len(query.name)} characters long; the limit is {MAX_NAME}"
    if query.type and query.type.strip().lower() not in KINDS:
        return f"type {query.type!r}: expected Person or Organization"
    if query.birth_date and not _DATE.match(query.birth_date.strip()):
        return f"birth_date {query.birth_date!r}: expected YYYY-MM-DD, YYYY-MM or YYYY"
    return None


#: What a name says of its own kind when the query gives none: an organisation's words
#: ("movement", "group", "jamaat"), or a person's patronymic or "bin".
KIND_PENALTY = 0.75


def _kind_of(reading: PreparedName) -> str | None:
    roles = {t.role for t in reading.tokens}
    if any(
        t.role == "generic" and t.text not in STOPWORDS and len(t.text) > 2 for t in reading.tokens
    ):
        return "organization"
    if "patronymic" in roles or "particle" in roles:
        return "person"
    return None


def _qualify(
    query: Query, subject: Subject, score: float, notes: list[str], looks: str | None
) -> float:
    """Birth date, nationality and type (given, or else the kind the query's name reads as:
    ``looks``) raise or lower a name score, and say so."""
    if not query.type:
        if looks is not None and looks != subject.kind:
            notes.append(
                f"kind: the query reads as a{'n' if looks[0] == 'o' else ''} {looks}'s name"
            )
            score *= KIND_PENALTY
    else:
        wanted = KINDS[query.type.strip().lower()]
        if wanted != subject.kind:
            notes.append(f"type: the query is a {wanted}, the subject a {subject.kind}")
            score *= 0.6
    details = subject.details
    if query.birth_date and details.get("birth_dates"):
        years = {str(d.get("DATE", d.get("YEAR", "")))[:4] for d in details["birth_dates"]}
        years.discard("")
        if years:
            if query.birth_date[:4] in years:
                notes.append(f"birth year {query.birth_date[:4]} matches")
                score = min(1.0, score + 0.05)
            else:
                notes.append(f"birth year {query.birth_date[:4]} differs from {sorted(years)}")
                score *= 0.75
    if query.nationality and details.get("nationalities"):
        wanted = query.nationality.strip().casefold()
        known = [n.casefold() for n in details["nationalities"]]
        if any(wanted == n or (len(wanted) > 3 and wanted in n) for n in known):
            notes.append(f"nationality {query.nationality} matches")
        else:
            notes.append(f"nationality {query.nationality} differs from {details['nationalities']}")
            score *= 0.85
    return score


def screen(
    index: ScreeningIndex,
    query: Query,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 5,
    candidates: int = CANDIDATES,
) -> dict[str, Any]:
    """The best matches of one query, best first; an error instead for an unusable query.
    ``candidates``: how many of the index's best candidates per reading are scored."""
    problem = check_query(query)
    if problem:
        return {"id": query.id, "error": problem, "matches": []}
    name = _CONTROL.sub(" ", query.name)
    # Every reading of the query (as written, letter by letter, translated) brings its own
    # candidates; each candidate is scored by the reading that fits it best.
    options = readings(name)
    entries: dict[int, Entry] = {}
    for number, reading in enumerate(options):
        if number and reading.tokens == options[0].tokens:
            continue  # an English name read as itself: the same candidates
        text = name if number == 0 else " ".join(t.text for t in reading.tokens)
        for entry in index.candidates(text, limit=candidates):
            entries.setdefault(entry.name_id, entry)
        for entry in index.sounding(reading.transcribed) if reading.transcribed else ():
            entries.setdefault(entry.name_id, entry)
    # The kind each reading of the query reads as, once per query (not per candidate).
    looks = {id(reading): _kind_of(reading) for reading in options}
    best: dict[int, tuple[float, Entry, Score, list[str]]] = {}
    for entry in entries.values():
        subject = index.subjects.get(entry.subject_id)
        if subject is None:
            continue
        scores = [compare_prepared(r, entry.prepared, subject.kind, index.rarity) for r in options]
        if not entry.name.isascii():
            # A register name in another script is also read translated.
            scores += [
                compare_prepared(mine, other, subject.kind, index.rarity)
                for other in readings(entry.name)[1:]
                for mine in options
            ]
        result = scores[0] if len(scores) == 1 else max(scores, key=lambda found: found.score)
        if result.score <= 0:
            continue
        notes: list[str] = []
        reading = result.reading or options[0]
        score = round(_qualify(query, subject, result.score, notes, looks.get(id(reading))), 4)
        known = best.get(entry.subject_id)
        if known is None or known[0] < score:
            best[entry.subject_id] = (score, entry, result, notes)
    _fuller_explains(best)
    if any(m[0] >= 0.97 for m in best.values()):
        # The register holds the name exactly: a Korean name a letter off is another person.
        for subject_id, (score, entry, result, notes) in list(best.items()):
            if result.capped == NEAR:
                notes.append("another name of the register matches exactly")
                best[subject_id] = (round(score * 0.8, 4), entry, result, notes)
    ranked = sorted(best.values(), key=lambda m: (-m[0], m[1].subject_id))[:limit]
    return {
        "id": query.id,
        "matches": [
            _match(index.subjects[entry.subject_id], entry, score, result, notes, threshold)
            for score, entry, result, notes in ranked
        ],
    }


#: How much a partial match weighs beside a register name that accounts for the query fully.
FULLER_PENALTY = 0.85


def _fuller_explains(best: dict[int, tuple[float, Entry, Score, list[str]]]) -> None:
    """Beside a strong match whose register name accounts for every part of the query and of
    itself, a match that leaves parts over is most likely another subject (a namesake with one
    name in common, a group's branch named after it): it weighs less, and says why."""
    if len(best) < 2:
        return
    top = max(best.values(), key=lambda m: m[0])
    if top[0] < 0.9 or top[2].parts_left_over > 0:
        return
    for subject_id, (score, entry, result, notes) in list(best.items()):
        if result is top[2] or score >= top[0] or result.parts_left_over == 0:
            continue
        notes.append("another register name accounts for the whole query")
        best[subject_id] = (round(score * FULLER_PENALTY, 4), entry, result, notes)


def _match(
    subject: Subject, entry: Entry, score: float, result: Score, notes: list[str], threshold: float
) -> dict[str, Any]:
    return {
        "subject_id": entry.subject_id,
        "name": subject.name,
        "matched_name": entry.name,
        "score": score,
        "match": score >= threshold,
        # What such a score has meant on labelled data nobody tuned to (None below 0.5).
        "calibration": calibration.band(score),
        "references": sorted(subject.references),
        "explanation": {
            **result.explanation(),
            "qualifiers": notes,
            "note": "a lead for a person to check, not a decision",
        },
    }
