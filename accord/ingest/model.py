"""The article as read: typed records, one shape in one place.

The reader's findings become an :class:`Article` here (``pipeline.read_article``); the STIX
writer, the table, the API and the console's review page take the Article, and
:meth:`Article.as_dict` is the stable JSON of docs/ingest.md. :meth:`Article.from_dict` reads
that JSON back (the console's review form carries it) and refuses, naming the field, any
value of the wrong type and any evidence that does not quote the article's text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn, TypeVar

from accord.errors import FieldError, ValidationFailed

T = TypeVar("T")
ORGANISATION_KINDS = ("group", "organisation")
ATTRIBUTIONS = ("claimed", "suspected", "stated", "unknown")


class _Record:
    """A record's JSON: its fields in order, nested records and lists as JSON, dates in ISO
    form; the fields named in ``OPTIONAL`` left out when they are None."""

    __slots__ = ()
    OPTIONAL: ClassVar[tuple[str, ...]] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if value is None and field.name in self.OPTIONAL:
                continue
            out[field.name] = _plain(value)
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.as_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class Offsets(_Record):
    """A stretch of the text by its character offsets (a kept line; where a date stands)."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Span(_Record):
    """Evidence: characters ``start`` to ``end`` of the text as read, and what they say."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Role(_Record):
    role: str
    nationality: str | None
    evidence: Span


@dataclass(frozen=True, slots=True)
class Claim(_Record):
    """A designation the article states ("outlawed in Russia") and where it holds."""

    claim: str
    jurisdiction: str
    source: str
    evidence: Span


@dataclass(frozen=True, slots=True)
class RegisterSubject(_Record):
    """The register subject a group was linked to, and the article's name that matched."""

    subject_id: int
    name: str
    references: tuple[str, ...]
    score: float
    matched_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Person(_Record):
    name: str
    aliases: tuple[str, ...] = ()
    evidence: tuple[Span, ...] = ()
    roles: tuple[Role, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Organisation(_Record):
    name: str
    aliases: tuple[str, ...] = ()
    evidence: tuple[Span, ...] = ()
    kind: str = "organisation"  # group | organisation
    register_subject: RegisterSubject | None = None
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Location(_Record):
    name: str
    aliases: tuple[str, ...] = ()
    evidence: tuple[Span, ...] = ()
    type: str | None = None  # country | city | region | place
    country: str | None = None
    country_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Party(_Record):
    """One place, perpetrator or victim of an incident: an item by name and kind (person,
    organisation, location) or an unnamed one (kind "unnamed", "target", "people")."""

    OPTIONAL = ("register_subject", "attribution")
    name: str
    kind: str
    evidence: Span
    register_subject: int | None = None
    attribution: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident(_Record):
    OPTIONAL = ("date_note", "read_from")
    type: str
    date: dt.date | None = None
    date_expression: str | None = None
    date_precision: str | None = None
    date_note: str | None = None
    places: tuple[Party, ...] = ()
    perpetrators: tuple[Party, ...] = ()
    victims: tuple[Party, ...] = ()
    attribution: str = "unknown"  # claimed | suspected | stated | unknown
    background: bool = False
    read_from: str | None = None
    evidence: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PublicationDate(_Record):
    """When the article was published, from where, how sure; or why it is not known."""

    OPTIONAL = ("note", "evidence")
    date: dt.date | None = None
    precision: str = "unknown"
    source: str | None = None
    confidence: str = "none"  # high | none
    note: str | None = None
    evidence: Offsets | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EventDate(_Record):
    """A date the article writes, resolved on the publication date when it is relative."""

    OPTIONAL = ("note",)
    expression: str
    date: dt.date | None
    precision: str
    evidence: Span
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Boilerplate(_Record):
    """A line dropped from the body, and why (a menu, a share button, a banner date)."""

    start: int
    end: int
    text: str
    why: str


@dataclass(frozen=True, slots=True)
class Detected:
    """The language the body reads as: its name, its share of the lines, the others."""

    name: str
    share: float
    others: tuple[tuple[str, float], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "share": self.share,
            "others": [{"language": code, "share": share} for code, share in self.others],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One article as read. ``text`` is None when no body was found (nothing is extracted
    and the JSON has no ``text``); every evidence span quotes ``text``."""

    source: str
    title: str | None
    title_source: str
    language: str
    language_detected: Detected
    publication_date: PublicationDate
    text_kind: str  # html | text
    evidence_offsets: str
    kept: tuple[Offsets, ...] = ()
    boilerplate: tuple[Boilerplate, ...] = ()
    persons: tuple[Person, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    locations: tuple[Location, ...] = ()
    incidents: tuple[Incident, ...] = ()
    dates: tuple[EventDate, ...] = ()
    text: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape (docs/ingest.md), ``text`` included when there is one."""
        out: dict[str, Any] = {
            "source": self.source,
            "title": self.title,
            "title_source": self.title_source,
            "language": self.language,
            "language_detected": self.language_detected.as_dict(),
            "publication_date": self.publication_date.as_dict(),
            "text_kind": self.text_kind,
            "evidence_offsets": self.evidence_offsets,
            "kept": _plain(self.kept),
            "boilerplate": _plain(self.boilerplate),
        }
        # Where the note stands is as it always stood: before the items when the body was
        # read, last when none was found.
        if self.note is not None and self.text is not None:
            out["note"] = self.note
        for key in ("persons", "organisations", "locations", "incidents", "dates"):
            out[key] = _plain(getattr(self, key))
        if self.text is not None:
            out["text"] = self.text
        elif self.note is not None:
            out["note"] = self.note
        return out

    def public(self) -> dict[str, Any]:
        """The JSON printed and served: the text itself left out (evidence quotes it)."""
        out = self.as_dict()
        out.pop("text", None)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Article:
        """The article of :meth:`as_dict`'s shape, checked: every field of its type, no field
        unknown, every evidence span inside the text and quoting it. Raises
        :class:`ValidationFailed` naming the first field that is wrong."""
        return _read_article(data, _Reading(data, quotes=True))

    @classmethod
    def from_reader(cls, data: dict[str, Any]) -> Article:
        """The article the reader assembled (``pipeline.read_article``), with every check of
        :meth:`from_dict` but the quoting one: a reader's span that misquotes its text is
        the reader's bug to fix, not a reason to fail the article (the review form, which
        :meth:`from_dict` reads, refuses it)."""
        return _read_article(data, _Reading(data, quotes=False))


# -- reading the JSON back -----------------------------------------------------------------


def _fail(path: str, problem: str) -> NoReturn:
    raise ValidationFailed(f"{path}: {problem}", errors=[FieldError(path, problem)])


class _Object:
    """One JSON object being read: its fields by type, each error naming its path."""

    def __init__(self, value: Any, path: str, fields: str, optional: str = "") -> None:
        if not isinstance(value, dict):
            _fail(path or "article", "not an object")
        self.value, self.path = value, path
        known = set(fields.split()) | set(optional.split())
        for key in value:
            if key not in known:
                _fail(self.at(str(key)), "unknown field")
        for key in fields.split():
            if key not in value:
                _fail(self.at(key), "missing")

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def string(self, key: str) -> str:
        value = self.value.get(key)
        if not isinstance(value, str):
            _fail(self.at(key), "not a string")
        return value

    def opt_string(self, key: str) -> str | None:
        return None if self.value.get(key) is None else self.string(key)

    def integer(self, key: str) -> int:
        return _int(self.value.get(key), self.at(key))

    def number(self, key: str) -> float:
        value = self.value.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            _fail(self.at(key), "not a number")
        return float(value)

    def flag(self, key: str) -> bool:
        value = self.value.get(key)
        if not isinstance(value, bool):
            _fail(self.at(key), "not true or false")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.string(key)
        if value not in allowed:
            _fail(self.at(key), f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.value.get(key)
        if value is None:
            return None
        if isinstance(value, str) and len(value) == 10:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        _fail(self.at(key), "not a date (YYYY-MM-DD)")

    def items(self, key: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
        value = self.value.get(key)
        if not isinstance(value, list):
            _fail(self.at(key), "not a list")
        return tuple(read(item, f"{self.at(key)}[{n}]") for n, item in enumerate(value))

    def strings(self, key: str) -> tuple[str, ...]:
        return self.items(key, _string)


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, "not an integer")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        _fail(path, "not a string")
    return value


class _Reading:
    """The readers of each record, holding the article's text to check evidence against."""

    def __init__(self, data: Any, *, quotes: bool) -> None:
        text = data.get("text") if isinstance(data, dict) else None
        self.text = text if isinstance(text, str) else None
        self.quotes = quotes

    def offsets(self, value: Any, path: str) -> Offsets:
        fields = _Object(value, path, "start end")
        found = Offsets(fields.integer("start"), fields.integer("end"))
        self._within(found.start, found.end, path)
        return found

    def _within(self, start: int, end: int, path: str) -> None:
        if self.text is None:
            return  # no body was found: nothing is extracted (see _read_article)
        if start < 0:
            _fail(f"{path}.start", "before the start of the text")
        if end < start:
            _fail(f"{path}.end", "before its start")
        if end > len(self.text):
            _fail(f"{path}.end", f"past the end of the text ({len(self.text)} characters)")

    def span(self, value: Any, path: str) -> Span:
        fields = _Object(value, path, "start end text")
        found = Span(fields.integer("start"), fields.integer("end"), fields.string("text"))
        self._within(found.start, found.end, path)
        if (
            self.quotes
            and self.text is not None
            and self.text[found.start : found.end] != found.text
        ):
            _fail(f"{path}.text", "does not quote the article's text at start..end")
        return found

    def evidence(self, fields: _Object) -> Span:
        return self.span(fields.value["evidence"], fields.at("evidence"))

    def role(self, value: Any, path: str) -> Role:
        fields = _Object(value, path, "role nationality evidence")
        return Role(
            fields.string("role"),
            fields.opt_string("nationality"),
            self.evidence(fields),
        )

    def claim(self, value: Any, path: str) -> Claim:
        fields = _Object(value, path, "claim jurisdiction source evidence")
        return Claim(
            fields.string("claim"),
            fields.string("jurisdiction"),
            fields.string("source"),
            self.evidence(fields),
        )

    def subject(self, value: Any, path: str) -> RegisterSubject | None:
        if value is None:
            return None
        fields = _Object(value, path, "subject_id name references score matched_name")
        return RegisterSubject(
            fields.integer("subject_id"),
            fields.string("name"),
            fields.strings("references"),
            fields.number("score"),
            fields.string("matched_name"),
        )

    def person(self, value: Any, path: str) -> Person:
        fields = _Object(value, path, "name aliases evidence roles")
        return Person(
            name=fields.string("name"),
            aliases=fields.strings("aliases"),
            evidence=fields.items("evidence", self.span),
            roles=fields.items("roles", self.role),
        )

    def organisation(self, value: Any, path: str) -> Organisation:
        fields = _Object(value, path, "name aliases evidence kind register_subject claims")
        return Organisation(
            name=fields.string("name"),
            aliases=fields.strings("aliases"),
            evidence=fields.items("evidence", self.span),
            kind=fields.choice("kind", ORGANISATION_KINDS),
            register_subject=self.subject(
                fields.value["register_subject"], fields.at("register_subject")
            ),
            claims=fields.items("claims", self.claim),
        )

    def location(self, value: Any, path: str) -> Location:
        fields = _Object(value, path, "name aliases evidence type country country_name")
        return Location(
            name=fields.string("name"),
            aliases=fields.strings("aliases"),
            evidence=fields.items("evidence", self.span),
            type=fields.opt_string("type"),
            country=fields.opt_string("country"),
            country_name=fields.opt_string("country_name"),
        )

    def party(self, value: Any, path: str) -> Party:
        fields = _Object(value, path, "name kind evidence", "register_subject attribution")
        subject = fields.value.get("register_subject")
        attribution = fields.value.get("attribution")
        return Party(
            name=fields.string("name"),
            kind=fields.string("kind"),
            evidence=self.evidence(fields),
            register_subject=None
            if subject is None
            else _int(subject, fields.at("register_subject")),
            attribution=None if attribution is None else fields.choice("attribution", ATTRIBUTIONS),
        )

    def incident(self, value: Any, path: str) -> Incident:
        fields = _Object(
            value,
            path,
            "type date date_expression date_precision places perpetrators victims "
            "attribution background evidence",
            "date_note read_from",
        )
        return Incident(
            type=fields.string("type"),
            date=fields.date("date"),
            date_expression=fields.opt_string("date_expression"),
            date_precision=fields.opt_string("date_precision"),
            places=fields.items("places", self.party),
            perpetrators=fields.items("perpetrators", self.party),
            victims=fields.items("victims", self.party),
            attribution=fields.choice("attribution", ATTRIBUTIONS),
            background=fields.flag("background"),
            evidence=fields.items("evidence", self.span),
            date_note=fields.opt_string("date_note"),
            read_from=fields.opt_string("read_from"),
        )

    def event_date(self, value: Any, path: str) -> EventDate:
        fields = _Object(value, path, "expression date precision evidence", "note")
        return EventDate(
            expression=fields.string("expression"),
            date=fields.date("date"),
            precision=fields.string("precision"),
            evidence=self.evidence(fields),
            note=fields.opt_string("note"),
        )

    def boilerplate(self, value: Any, path: str) -> Boilerplate:
        fields = _Object(value, path, "start end text why")
        span = self.span({k: fields.value[k] for k in ("start", "end", "text")}, path)
        return Boilerplate(span.start, span.end, span.text, fields.string("why"))

    def publication_date(self, value: Any, path: str) -> PublicationDate:
        fields = _Object(value, path, "date precision source confidence", "note evidence")
        evidence = fields.value.get("evidence")
        return PublicationDate(
            date=fields.date("date"),
            precision=fields.string("precision"),
            source=fields.opt_string("source"),
            confidence=fields.string("confidence"),
            note=fields.opt_string("note"),
            evidence=None if evidence is None else self.offsets(evidence, fields.at("evidence")),
        )


def _detected(value: Any, path: str) -> Detected:
    fields = _Object(value, path, "name share others")

    def other(item: Any, at: str) -> tuple[str, float]:
        entry = _Object(item, at, "language share")
        return entry.string("language"), entry.number("share")

    return Detected(fields.string("name"), fields.number("share"), fields.items("others", other))


def _read_article(data: Any, reading: _Reading) -> Article:
    fields = _Object(
        data,
        "",
        "source title title_source language language_detected publication_date text_kind "
        "evidence_offsets kept boilerplate persons organisations locations incidents dates",
        "text note",
    )
    text = fields.opt_string("text")
    if text is None:
        for key in ("persons", "organisations", "locations", "incidents", "dates"):
            if data[key]:
                _fail("text", "missing, and the article has items whose evidence must quote it")
    return Article(
        source=fields.string("source"),
        title=fields.opt_string("title"),
        title_source=fields.string("title_source"),
        language=fields.string("language"),
        language_detected=_detected(data["language_detected"], "language_detected"),
        publication_date=reading.publication_date(data["publication_date"], "publication_date"),
        text_kind=fields.choice("text_kind", ("html", "text")),
        evidence_offsets=fields.string("evidence_offsets"),
        kept=fields.items("kept", reading.offsets),
        boilerplate=fields.items("boilerplate", reading.boilerplate),
        persons=fields.items("persons", reading.person),
        organisations=fields.items("organisations", reading.organisation),
        locations=fields.items("locations", reading.location),
        incidents=fields.items("incidents", reading.incident),
        dates=fields.items("dates", reading.event_date),
        text=text,
        note=fields.opt_string("note"),
    )
