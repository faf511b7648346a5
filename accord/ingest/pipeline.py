"""One article in, one structured result out: ``ingest(data, name, linker)``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from accord.errors import ValidationFailed
from accord.ingest import dates
from accord.ingest.clean import clean
from accord.ingest.extract import Reader
from accord.ingest.source import Document, decode, html_to_document, looks_like_html
from accord.limits import DEFAULT_LIMITS, Limits

_ENGLISH = frozenset("the and of to in is was that for on with by as said".split())
_OTHER = {
    "fr": frozenset("le la les des et est une dans pour que sur".split()),
    "de": frozenset("der die das und ist nicht mit den von ein eine".split()),
    "es": frozenset("el la los las y es una por con para del que".split()),
    "it": frozenset("il la le gli e è una per con del che della".split()),
    "tr": frozenset("ve bir bu ile için da de olarak çok".split()),
    "ru": frozenset("и в не на что с по как это из".split()),
}


def language(text: str) -> str:
    """A rough guess of the language: by script, then by common words."""
    letters = [c for c in text[:20000] if c.isalpha()]
    if not letters:
        return "unknown"
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
    han = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff")
    for share, code in ((cyrillic, "ru"), (arabic, "ar"), (han, "zh")):
        if share > len(letters) / 3:
            return code
    words = re.findall(r"[a-zà-ÿğışçöü]+", text[:20000].lower())
    scores = {"en": sum(1 for w in words if w in _ENGLISH)}
    for code, common in _OTHER.items():
        scores[code] = sum(1 for w in words if w in common)
    return max(scores, key=lambda code: scores[code])


def ingest(
    data: bytes | str,
    name: str = "article",
    linker: Any | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Read one article (plain text as scraped, or HTML) into the stable JSON shape, within
    the node's limits: ``article_bytes`` (413 above) and ``ingest_seconds`` of reading."""
    # Text given as a string is checked as the bytes a file would hold: one path for both.
    raw = data.encode("utf-8") if isinstance(data, str) else data
    text = decode(raw, name, limits.article_bytes)
    document = html_to_document(text) if looks_like_html(text) else Document(text)
    clean(document)
    body = "\n".join(document.text[s:e] for s, e in document.kept)
    lang = language(body or document.text)
    published = dates.publication_date(document.text, document.dropped, document.html_dates)
    anchor = dt.date.fromisoformat(published["date"]) if published["date"] else None
    title, title_source = _title(document)
    result: dict[str, Any] = {
        "source": name,
        "title": title,
        "title_source": title_source,
        "language": lang,
        "publication_date": published,
        "text_kind": "html" if document.is_html else "text",
        "evidence_offsets": "characters of the text as read"
        + (" (the HTML page's visible text, one block per line)" if document.is_html else ""),
        "kept": [{"start": s, "end": e} for s, e in document.kept],
        "boilerplate": [
            {"start": s, "end": e, "text": document.text[s:e], "why": why}
            for s, e, why in document.dropped
        ],
    }
    if not document.kept:
        result.update(persons=[], organisations=[], locations=[], incidents=[], dates=[])
        result["note"] = "no article body found (no line reads as prose)"
        return result
    reader = Reader(document.text, document.kept, anchor, linker, limits.ingest_seconds)
    if lang != "en":
        # Names of places and of the register can still be found; roles and incidents are
        # read from English sentence patterns only.
        result["note"] = (
            f"the article reads as {lang!r}, not English: only places, dates and register "
            "names are extracted"
        )
    try:
        reader.read()
    except ValidationFailed as error:
        raise ValidationFailed(f"{name}: {error.detail}") from None
    extracted = reader.result()
    if lang != "en":
        extracted["persons"] = []
        reader.incidents = []
    result.update(extracted)
    result["incidents"] = reader.incidents
    result["dates"] = [d.as_dict() for d in reader.event_dates]
    result["text"] = document.text
    return result


def _title(document: Document) -> tuple[str | None, str]:
    if document.title:
        start, end = document.title
        return document.text[start:end], "html heading" if document.is_html else "headline line"
    if document.html_title:
        return document.html_title, "html title"
    if document.kept:
        start, end = document.kept[0]
        first = re.split(r"(?<=[.!?])\s", document.text[start:end], maxsplit=1)[0]
        return first[:200], "first sentence of the body (the page shows no headline)"
    return None, "none"
