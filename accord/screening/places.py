"""Adjectives of places read as the places: a Russian adjective by its stem ("кабульский":
Kabul), an Arabic, Persian or Urdu nisba by the word less its ending ("الأوزبكي": Uzbekistan).
Each entry found says it is an adjective of the lexicon's entry for the place."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from accord.screening.normalise import tokens

if TYPE_CHECKING:
    from accord.screening.lexicon import Lexicon, Sense

_ADJECTIVE = re.compile(r"(?:ск|цк)ий$")
#: A Russian adjective of a place, less its ending: the place's stem ("кабульский": кабул,
#: "сирийский": сир, "корейский": коре, "узбекский": узбек).
_ADJECTIVE_STEM = re.compile(r"(?:ий|ь|й)?(?:ск|цк)ий$")
_PLACE_ENDINGS = ("", "а", "я", "ия", "ь", "истан", "стан")
#: An Arabic-script adjective of a place (a nisba), less its ending: "الليبية" Libya,
#: "الأوزبكي" Uzbekistan, "پاکستانی" Pakistan.
_NISBA = ("يه", "ي")
_NISBA_ENDINGS = ("", "ا", "يا", "ستان")


def _is_place(sense: Sense) -> bool:
    return sense.source.startswith(("CLDR territory", "CLDR exemplar", "curated"))


def _is_cldr_place(sense: Sense) -> bool:
    """A place by its source (CLDR's territories and cities) or by its English name (one the
    screening engine reads as a place: Africa, the Maghreb, Khorasan), never a word (Islam)."""
    if sense.source.startswith(("CLDR territory", "CLDR exemplar")):
        return True
    found = tokens(sense.concept)
    return bool(found) and all(t.role == "place" for t in found)


def place_adjective(lemmas: tuple[str, ...], found: Lexicon) -> Sense | None:
    """A Russian adjective of a place as the place ("туркестанская" -> Turkestan, "кавказский"
    -> Caucasus, "сирийский" -> Syria, "кабульский" -> Kabul): its stem is the stem of a place
    noun the lexicon knows (the noun less a closing vowel, soft sign or "-истан")."""
    for lemma in lemmas:
        if not _ADJECTIVE.search(lemma) or len(lemma) < 7:
            continue
        stems = dict.fromkeys((lemma[:-3], lemma[:-4], _ADJECTIVE_STEM.sub("", lemma)))
        for cut in stems:
            if len(cut) < 3:
                continue
            for ending in _PLACE_ENDINGS:
                sense = found.words.get(cut + ending)
                if sense is not None and _is_place(sense):
                    return _adjective(sense, lemma, "ru")
    return None


def nisba(keys: tuple[str, ...], found: Lexicon) -> Sense | None:
    """An Arabic, Persian or Urdu adjective of a place as the place (its nisba ending off)."""
    for key in keys:
        for ending in _NISBA:
            if not key.endswith(ending) or len(key) - len(ending) < 3:
                continue
            stem = key[: -len(ending)]
            for closing in _NISBA_ENDINGS:
                sense = found.words.get(stem + closing)
                if (
                    sense is not None
                    and _is_cldr_place(sense)
                    and sense.language in ("ar", "fa", "ur")
                ):
                    return _adjective(sense, key, sense.language)
    return None


def _adjective(place: Sense, form: str, language: str) -> Sense:
    return dataclasses.replace(
        place, form=form, language=language, source=f"{place.source}; adjective of it", also=()
    )
