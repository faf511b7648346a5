"""One article in, one structured result out: ``read_article(data, name, linker)`` gives the
typed :class:`~accord.ingest.model.Article`, ``ingest`` its JSON."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from accord.errors import ValidationFailed
from accord.ingest import dates
from accord.ingest.clean import clean
from accord.ingest.extract import Reader
from accord.ingest.languages import detect
from accord.ingest.model import Article
from accord.ingest.native import as_result, reader_for
from accord.ingest.source import Document, decode, html_to_document, looks_like_html
from accord.limits import DEFAULT_LIMITS, Limits


def ingest(
    data: bytes | str,
    name: str = "article",
    linker: Any | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    models: bool = True,
) -> dict[str, Any]:
    """:func:`read_article` in the stable JSON shape (``Article.as_dict``)."""
    return read_article(data, name, linker, limits=limits, models=models).as_dict()


def read_article(
    data: bytes | str,
    name: str = "article",
    linker: Any | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    models: bool = True,
) -> Article:
    """Read one article (plain text as scraped, or HTML) into an :class:`Article`, within
    the node's limits: ``article_bytes`` (413 above) and ``ingest_seconds`` of reading.
    ``models=False`` reads with the rules alone (the benchmark's baseline)."""
    # Text given as a string is checked as the bytes a file would hold: one path for both.
    raw = data.encode("utf-8") if isinstance(data, str) else data
    text = decode(raw, name, limits.article_bytes)
    document = html_to_document(text) if looks_like_html(text) else Document(text)
    clean(document)
    lines = [document.text[s:e] for s, e in document.kept] or document.text.splitlines()
    detected = detect(lines)
    lang = detected.code
    published = dates.publication_date(
        document.text, document.dropped, document.html_dates, text if document.is_html else None
    )
    anchor = dt.date.fromisoformat(published["date"]) if published["date"] else None
    title, title_source = _title(document)
    result: dict[str, Any] = {
        "source": name,
        "title": title,
        "title_source": title_source,
        "language": lang,
        "language_detected": {
            "name": detected.name,
            "share": detected.share,
            "others": [{"language": c, "share": w} for c, w in detected.others],
        },
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
        return Article.from_reader(result)
    native = reader_for(lang) if models else None
    reader: Any
    if native is not None:
        reader = native(document.text, document.kept, anchor, linker, limits.ingest_seconds)
    else:
        reader = Reader(
            document.text, document.kept, anchor, linker, limits.ingest_seconds, models=models
        )
    english = lang == "en"
    if not english and native is None:
        # Places and register names written in Latin script can still be found; persons,
        # roles and incidents are read from English sentences only.
        result["note"] = (
            f"the article reads as {detected.name} ({lang!r}), which Accord cannot read: only "
            "places, dates and register names in Latin script are extracted"
        )
    try:
        reader.dropped = [(s, e) for s, e, _ in document.dropped]
        reader.read()
    except ValidationFailed as error:
        raise ValidationFailed(f"{name}: {error.detail}") from None
    extracted = as_result(reader) if native is not None else reader.result()
    if not english and native is None:
        extracted["persons"] = []
        reader.incidents = []
    result.update(extracted)
    result["incidents"] = reader.incidents
    result["dates"] = [d.as_dict() for d in reader.event_dates]
    result["text"] = document.text
    return Article.from_reader(result)


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
