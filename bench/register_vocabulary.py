"""The vocabulary of the register's organisation names that the screening lexicon lacks.

    python -m bench.register_vocabulary [--all]
    python -m bench.register_vocabulary --gaps   # concepts the names carry, languages lacking

Reads only the register (never a labelled query): the English names and aliases of the
entities of the UN consolidated list (``ENTITY/FIRST_NAME``, ``ENTITY_ALIAS/ALIAS_NAME``) and
the organisations of the shared designations table (``group_name`` and its Latin-script
aliases). Every word is folded as the lexicon folds a Latin word and counted; a word is
covered when it is a word of a concept of the lexicon (curated, usage or a CLDR territory
name; an acronym's expansion does not count: it translates no word). Prints the uncovered
words, commonest first, with how many names carry them and one name as an example: the list
a maintainer reads to decide which words are vocabulary (to translate) and which are names
(to transliterate only).
"""

from __future__ import annotations

import argparse
import csv
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from accord.screening.lexicon import _plain, _rows, lexicon

ROOT = Path(__file__).resolve().parent.parent
UN_LIST = ROOT / "demo-data" / "consolidated-2025-08-02.xml"
DESIGNATIONS = ROOT.parent / "shared" / "data" / "designations" / "designations.csv"
_WORD = re.compile(r"[a-z]+")


def register_names() -> list[str]:
    """The English names and aliases of the register's organisations."""
    names: list[str] = []
    tree = ET.parse(UN_LIST)
    for entity in tree.getroot().iter("ENTITY"):
        first = entity.findtext("FIRST_NAME")
        if first:
            names.append(first)
        for alias in entity.iter("ENTITY_ALIAS"):
            text = alias.findtext("ALIAS_NAME")
            if text:
                names.append(text)
    if DESIGNATIONS.exists():
        with DESIGNATIONS.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                names.append(row["group_name"])
                names += [a for a in row["aliases"].split(";") if a.strip().isascii()]
    return [n for n in (" ".join(n.split()) for n in names) if n]


def covered_words() -> set[str]:
    """Every folded word of a concept of the lexicon."""
    found = lexicon()
    senses = [*found.words.values(), *found.phrases.values(), *found.han.values()]
    return {w for s in senses for w in _WORD.findall(_plain(s.concept))}


LANGUAGES = ("ru", "zh", "ar", "fa", "ur", "tr", "uz", "kk", "ky")


def gaps(names: list[str]) -> list[tuple[str, int, list[str]]]:
    """Each concept of the lexicon that the register's names carry, how many names do, and
    the languages with no row of it in ``lexicon.tsv`` (Arabic script counts for ar, fa and
    ur alike: the three share one lookup; CLDR's territory names are not counted)."""
    languages: dict[str, set[str]] = {}
    for concept, language, _forms, _source in _rows("lexicon.tsv"):
        languages.setdefault(concept, set()).add("ar" if language in ("fa", "ur") else language)
    counts: Counter[str] = Counter()
    for name in names:
        words = " ".join(_WORD.findall(_plain(name)))
        for concept in languages:
            if f" {concept} " in f" {words} ":
                counts[concept] += 1
    rows = []
    for concept, count in counts.most_common():
        have = languages[concept] | ({"fa", "ur"} if "ar" in languages[concept] else set())
        rows.append((concept, count, [x for x in LANGUAGES if x not in have]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="also words of one letter or two")
    parser.add_argument(
        "--gaps", action="store_true", help="the register's concepts and the languages lacking them"
    )
    args = parser.parse_args()
    if args.gaps:
        for concept, count, missing in gaps(register_names()):
            print(f"{concept}\t{count}\t{' '.join(missing) or '-'}")
        return
    known = covered_words()
    counts: Counter[str] = Counter()
    example: dict[str, str] = {}
    for name in register_names():
        for word in set(_WORD.findall(_plain(name))):
            if word in known or (len(word) < 3 and not args.all):
                continue
            counts[word] += 1
            example.setdefault(word, name)
    for word, count in counts.most_common():
        print(f"{word}\t{count}\t{example[word][:70]}")


if __name__ == "__main__":
    main()
