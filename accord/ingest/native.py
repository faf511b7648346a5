"""Readers of Russian and Chinese articles: the model proposes names (Natasha, jieba), the
rules bring them to one form, add places from the native-script gazetteer and names in
quotation marks, link groups to the register through the screening engine (which reads
them across languages: Исламское государство -> ISIL, 东伊运 -> ETIM) and keep the
designation claims the articles carry. Every item keeps its name in the original script and
a Latin alias (ICU); its evidence spans are offsets into the text as read.
"""

from __future__ import annotations

import re
from typing import Any

from accord.ingest import chinese, dates, russian
from accord.ingest.chinese_roles import ChineseIncidents
from accord.ingest.gazetteer import native_places
from accord.ingest.nlp import Proposal, chinese_entities, pieces, russian_entities
from accord.ingest.russian_roles import RussianIncidents
from accord.ingest.state import Item, ReaderBase
from accord.screening.scripts import ANY_LATIN, romanise_scripts

_QUOTED_RU = re.compile(r"«(?P<name>[А-ЯЁA-Z][^«»]{1,80})»")
_GROUP_BEFORE_RU = re.compile(
    r"(организаци\w*|группировк\w*|движени\w*|парти\w*|ячейк\w*|структур\w*|сообществ\w*)"
    r"\s*$",
    re.IGNORECASE,
)
#: Acronyms of common nouns, not of bodies: mass media, pre-trial jail, traffic police...
_GENERIC_RU = frozenset("СМИ СИЗО ДПС ИВС ЧП ЧС ОПГ ДТП НКО АЗС ТЦ ЖК".split())
_GROUP_AFTER_CLAIM = re.compile(r"организаци|группировк|движени|парти|сообществ|структур")
_SENTENCE_RU = re.compile(r"(?<=[.!?…])\s+(?=[«\"А-ЯЁA-Z0-9])")
_SENTENCE_ZH = re.compile(r"(?<=[。！？])")


def latin(name: str) -> str:
    """A Latin form of a name in another script, as an alias: BGN/PCGN for Cyrillic, pinyin
    (ICU) for Han, syllables of one name joined ("Xi Jinping")."""
    if any("\u0400" <= c <= "\u04ff" for c in name):
        words = str(ANY_LATIN.transliterate(romanise_scripts(name))).split()
        if name.isupper():
            return " ".join(w.upper() for w in words)  # an acronym stays one: ФСБ -> FSB
        return " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in words)
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        syllables = str(ANY_LATIN.transliterate(name.replace("·", " "))).split()
        return " ".join(s.capitalize() for s in syllables)
    return name


class NativeReader(ReaderBase):
    """What the Russian and the Chinese reader share."""

    language = ""

    def proposals(self) -> list[Proposal]:
        raise NotImplementedError

    def sentence_spans(self) -> list[tuple[int, int]]:
        pattern = _SENTENCE_RU if self.language == "ru" else _SENTENCE_ZH
        found = []
        for start, end in self.kept:
            cursor = start
            for match in pattern.finditer(self.text, start, end):
                if match.start() > cursor:
                    found.append((cursor, match.start()))
                cursor = match.end()
            if end > cursor:
                found.append((cursor, end))
        return found

    def read(self) -> None:
        self.native = native_places()
        proposals = sorted(self.proposals(), key=lambda p: (p.start, -(p.end - p.start)))
        taken: list[tuple[int, int]] = []
        singles: list[Proposal] = []
        for proposal in proposals:
            if any(s < proposal.end and proposal.start < e for s, e in taken):
                continue
            taken.append((proposal.start, proposal.end))
            if (
                proposal.kind == "person"
                and len(proposal.text.split()) == 1
                and self.language == "ru"
            ):
                singles.append(proposal)  # a surname alone: the full name may come first
                continue
            self._add(proposal)
            self.check_time()
        for proposal in singles:
            self._add(proposal)
        self.index_mentions()
        sentences = self.sentence_spans()
        for start, end in sentences:
            self._claims(start, end)
            self.event_dates += dates.event_dates(self.text, start, end, self.anchor)
        # A country named only as the jurisdiction of a claim ("запрещена в РФ") is the claim's
        # jurisdiction, not a place the article is about.
        for key, item in list(self.items.items()):
            if (
                item.kind == "location"
                and item.evidence
                and all(self.claim_spans.covers(m.start) for m in item.evidence)
            ):
                del self.items[key]
        self.index_mentions()
        self.read_incidents(sentences)

    def read_incidents(self, sentences: list[tuple[int, int]]) -> None:
        """Incidents of the article's sentences (none where the language has no parser)."""

    # -- items -----------------------------------------------------------------------------

    def _add(self, proposal: Proposal) -> None:
        name = " ".join((proposal.normal or proposal.text).split())
        if not name or len(name) < 2 or name in _GENERIC_RU:
            return
        if name.isupper() and len(name) > 3:
            # A dateline in capitals ("БИШКЕК"): the place, if the gazetteer knows it.
            titled = "-".join(p[:1] + p[1:].lower() for p in name.split("-"))
            if titled in self.native:
                proposal = Proposal(
                    "location", proposal.start, proposal.end, proposal.text, "dateline", titled
                )
                name = titled
        if proposal.kind == "location" or (proposal.kind == "organisation" and name in self.native):
            self._location(proposal, name)
        elif proposal.kind == "person":
            self._person(proposal, name)
        elif proposal.kind == "organisation":
            self._organisation(proposal, name)

    def _location(self, proposal: Proposal, name: str) -> None:
        self._place_item(name, self.native.get(name) or self.native.get(proposal.text)).cite(
            proposal.start, proposal.end, proposal.text
        )

    def _place_item(self, name: str, known: Any) -> Item:
        """The place item of a name, with the gazetteer's English name and country when it
        knows the place, a Latin alias when not."""
        item = self._item("location", known.name if known else name, name)
        if known is not None:
            item.country, item.place_kind = known.country, known.kind
            if known.name != name:
                item.aliases.add(known.name)
        else:
            item.aliases.add(latin(name))
        return item

    def _person(self, proposal: Proposal, name: str) -> None:
        item = None
        if len(name.split()) == 1:
            # "Бортников" after "Александр Бортников": the same person.
            for other in self.items.values():
                if other.kind == "person" and name in other.name.split()[1:]:
                    item = other
                    break
        if item is None:
            item = self._item("person", name, name)
            item.aliases.add(latin(name))
        item.cite(proposal.start, proposal.end, proposal.text)

    def _organisation(self, proposal: Proposal, name: str) -> None:
        linked = None
        if self.linker is not None:
            linked = self.linker(name, False) or (
                self.linker(proposal.text, False) if proposal.text != name else None
            )
        if linked is not None:
            item = self._item("organisation", "register:" + str(linked["subject_id"]), name)
            item.register = linked
            item.group = True
            item.aliases.add(linked["name"])
        else:
            item = self._item("organisation", name, name)
        item.aliases.add(latin(name))
        item.cite(proposal.start, proposal.end, proposal.text)

    def _claims(self, start: int, end: int) -> None:
        found = (
            russian.claims(self.text, start, end)
            if self.language == "ru"
            else (chinese.claims(self.text, start, end, self.native))
        )
        for claim in found:
            at = claim["evidence"]["start"]
            orgs = [
                (m.start, item)
                for item in self.items_between(start, end)
                if item.kind == "organisation"
                for m in self.mentions_between(item, start, end)
            ]
            end_at = claim["evidence"]["end"]
            # «запрещённой в РФ организации «Хизб ут-Тахрир»»: the body named right after.
            after = [
                pair
                for pair in orgs
                if end_at <= pair[0] <= end_at + 80
                and _GROUP_AFTER_CLAIM.search(self.text[end_at : pair[0]])
            ]
            before = [pair for pair in orgs if pair[0] < at]
            target = (
                min(after, key=lambda p: p[0])[1]
                if after
                else max(before, key=lambda p: p[0])[1]
                if before
                else min(orgs, key=lambda p: p[0])[1]
                if orgs
                else None
            )
            if target is not None:
                target.claims.append(claim)
                self.claim_spans.append((at, claim["evidence"]["end"]))


class RussianReader(NativeReader, RussianIncidents):
    language = "ru"

    def read_incidents(self, sentences: list[tuple[int, int]]) -> None:
        self._russian_incidents(sentences)

    def proposals(self) -> list[Proposal]:
        found = russian_entities(self.text, self.kept, self.check_time)
        # Names in «quotation marks» after "организация", "группировка": organisations the
        # model may cut or miss ("Хизб ут-Тахрир", "Джамаат Ансаруллах").
        for start, end in self.kept:
            for match in _QUOTED_RU.finditer(self.text, start, end):
                if _GROUP_BEFORE_RU.search(
                    self.text[max(start, match.start() - 40) : match.start()]
                ):
                    written = match.group("name")
                    found.append(
                        Proposal(
                            "organisation",
                            match.start("name"),
                            match.end("name"),
                            written,
                            "quoted",
                            written,  # a name in quotation marks is written as it is named
                        )
                    )
        return found


class ChineseReader(NativeReader, ChineseIncidents):
    language = "zh"

    def read_incidents(self, sentences: list[tuple[int, int]]) -> None:
        self._chinese_incidents(sentences)

    def proposals(self) -> list[Proposal]:
        #: Places by their name without the suffix: 白沙瓦 and 白沙瓦市 are one place.
        self.place_items: dict[str, tuple[Item, str]] = {}
        found: list[Proposal] = []
        for piece in pieces(self.kept, self.text):
            self.check_time()
            found += chinese.refine(self.text, [piece], chinese_entities(self.text, [piece]))
        return found

    def _add(self, proposal: Proposal) -> None:
        super()._add(proposal)
        if proposal.kind == "organisation":
            # 云南省昆明市中级人民法院: the court, and the places its name opens with.
            for place in chinese.leading_places(self.text, proposal):
                super()._add(place)

    def _location(self, proposal: Proposal, name: str) -> None:
        stem, suffix = chinese.place_stem(name)
        seen = self.place_items.get(stem)
        if seen is not None and (not suffix or not seen[1] or suffix == seen[1]):
            item = seen[0]
            if name != item.name:
                item.aliases.add(name)
            item.cite(proposal.start, proposal.end, proposal.text)
            return
        known = self.native.get(name) or self.native.get(proposal.text)
        if known is None and suffix:
            known = self.native.get(stem)
        item = self._place_item(name, known)
        self.place_items.setdefault(stem, (item, suffix))
        item.cite(proposal.start, proposal.end, proposal.text)


def reader_for(language: str) -> type[NativeReader] | None:
    return {"ru": RussianReader, "zh": ChineseReader}.get(language)


def as_result(reader: NativeReader) -> dict[str, Any]:
    """The items in the reader's JSON shape (as :meth:`accord.ingest.extract.Reader.result`)."""
    from accord.ingest.extract import Reader

    return Reader.result(reader)  # type: ignore[arg-type]


__all__ = ["ChineseReader", "Item", "RussianReader", "latin", "reader_for", "as_result"]
