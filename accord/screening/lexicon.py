"""Translation of the words organisation names are made of, so that a name written in Russian,
Chinese, Arabic, Persian, Urdu, Turkish, Uzbek, Kazakh or Kyrgyz finds the English name a list
gives ("Исламское движение Узбекистана" -> "islamic movement uzbekistan").

Three sources, each entry keeping its own:
- CLDR's names of countries and territories in every one of those languages, through ICU
  (the library the screening engine already uses to transliterate);
- a small curated list (``data/lexicon.tsv``) of the vocabulary of organisation names (Islamic,
  movement, party, front, state, army, liberation, jihad, society...), regions CLDR does not
  name (Levant, Maghreb, Caucasus, East Turkestan, Khorasan) and demonyms;
- cross-lingual acronyms and short names (``data/acronyms.tsv``: ИГИЛ, ДАИШ, 东伊运, ИДУ...).

Inflected forms are brought to the dictionary form first: Russian words by pymorphy3's
analyser (every analysis it offers is tried), Turkic words by stripping their case and
possessive endings, Arabic-script words by dropping the article and letter variants, Chinese
by the longest entries found in the run of characters. A translation is a second reading of a
query, never a replacement: the scorer compares both and says which one matched.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import icu

from accord.screening.cldr import cities, languages, territories
from accord.screening.equivalents import CHINESE_FAMILY_NAMES
from accord.screening.normalise import fold
from accord.screening.places import nisba, place_adjective
from accord.screening.scripts import ARABIC_MARKS, simplified

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Sense:
    """One lexicon entry: a form in a language and the English words it stands for."""

    form: str
    language: str
    concept: str
    source: str
    #: The other English words the form stands for (省: ministry, or province; المغرب: the
    #: Maghreb, or Morocco), from the other entries of the same form.
    also: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "form": self.form,
            "language": self.language,
            "english": self.concept,
            "source": self.source,
        }
        if self.also:
            found["also"] = list(self.also)
        return found


@dataclass(frozen=True, slots=True)
class Translation:
    """A query's translated reading: the English text and the entries used to make it."""

    text: str
    senses: tuple[Sense, ...]
    #: Each untranslated word kept as written (a name: Nusra, Tayyiba), for the explanation.
    kept: tuple[str, ...] = ()
    #: Characters that transcribe a foreign name's sounds, as (the word of the reading, its
    #: pinyin syllables): "努斯拉" gives ("nusila", "nu si la"), compared by sound.
    transcribed: tuple[tuple[str, str], ...] = ()


_PINYIN = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII")
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ك": "ك",
        "ک": "ك",
        "ة": "ه",
        "ۀ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "ؤ": "و",
        "ئ": "ي",
    }
)
#: Turkic case and possessive endings, longest first (Turkish, Uzbek, Kazakh, Kyrgyz).
_TURKIC_ENDINGS = tuple(
    sorted(
        {
            "ning",
            "ni",
            "dagi",
            "daki",
            "deki",
            "nın",
            "nin",
            "nun",
            "nün",
            "sı",
            "si",
            "su",
            "sü",
            "ı",
            "i",
            "u",
            "ü",
            "ның",
            "нің",
            "дың",
            "дің",
            "тың",
            "тің",
            "нын",
            "нин",
            "дын",
            "дин",
            "сы",
            "сі",
            "су",
            "ы",
            "і",
            "у",
            "ндағы",
            "sy",
            "yasy",
            "даги",
            "нинг",
            "си",
            "и",
        },
        key=len,
        reverse=True,
    )
)
_WORD = re.compile(r"[^\W\d_]+(?:['’‘ʼʻ][^\W\d_]+)?", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_ASCII_WORD = re.compile(r"[a-z]+")
_PIECE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\W\d_]+(?:['’‘ʼʻ][^\W\d_]+)?|\d+")
#: Articles and particles that carry no meaning across languages: dropped from a reading.
_SKIP = frozenset({"аль", "ал", "ас", "аш", "ад", "ан", "ат", "ар", "аз", "эль", "ul", "ud"})


#: Arabic plural endings (feminine sound plural, masculine sound plural in both cases).
_ARABIC_PLURALS = ("ات", "ين", "ون")


def _arabic_key(word: str) -> str:
    word = ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", word)).translate(_ARABIC_LETTERS)
    return word


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" for c in word)


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)


class Lexicon:
    """Every form, keyed by script: Cyrillic and Latin by lower-case form, Arabic by a
    normalised form, Han by simplified characters."""

    def __init__(self) -> None:
        self.words: dict[str, Sense] = {}
        self.phrases: dict[tuple[str, ...], Sense] = {}
        self.han: dict[str, Sense] = {}
        self.acronyms: dict[str, tuple[Sense, ...]] = {}
        self.longest_han = 1
        #: The first three letters of every Latin-script form (a quick no for most words).
        self.latin_starts: set[str] = set()
        #: Every word of the English concepts: a Latin name made of them alone is English.
        self.english: set[str] = set()
        #: The words of the curated concepts (the vocabulary of bodies' names, not places).
        self.curated: set[str] = set()
        #: Phrases by their first word, to try a phrase only where one may start.
        self.phrase_starts: dict[str, list[tuple[tuple[str, ...], Sense]]] = {}

    def add(self, sense: Sense, *, replace: bool = False) -> None:
        """Add an entry; with ``replace``, it becomes the form's first sense and the sense it
        replaces (another concept) one of its others."""
        form = sense.form
        if _HAN.fullmatch(form):
            key = simplified(form)
            if replace or key not in self.han:
                self.han[key] = _senses(sense, self.han.get(key))
                self.longest_han = max(self.longest_han, len(key))
            return
        words = tuple(_lookup_key(w) for w in _WORD.findall(form.casefold()))
        if not words:
            return
        for word in words:
            if word.isascii():
                self.latin_starts.add(word[:3])
        if len(words) == 1:
            if replace or words[0] not in self.words:
                self.words[words[0]] = _senses(sense, self.words.get(words[0]))
        elif replace or words not in self.phrases:
            self.phrases[words] = _senses(sense, self.phrases.get(words))

    def __len__(self) -> int:
        return len(self.words) + len(self.phrases) + len(self.han) + len(self.acronyms)


def _senses(sense: Sense, before: Sense | None) -> Sense:
    """``sense``, holding the concepts of the entry of the same form it replaces."""
    if before is None or before.language.split("-")[0] != sense.language.split("-")[0]:
        return sense
    others = [c for c in (before.concept, *before.also) if c != sense.concept]
    others = [c for c in dict.fromkeys((*sense.also, *others)) if c != sense.concept]
    return dataclasses.replace(sense, also=tuple(others)) if others else sense


def _lookup_key(word: str) -> str:
    if _is_arabic(word):
        return _arabic_key(word)
    if _is_cyrillic(word):
        return word.casefold().replace("ё", "е")
    return _plain(word)


def _plain(word: str) -> str:
    """A Latin word without case or marks: "İslami" and "islami", "Doğu" and "dogu" alike."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ı", "i")


def _rows(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


@cache
def lexicon() -> Lexicon:
    """The lexicon, built once per process (about 3,000 entries, a few milliseconds)."""
    found = Lexicon()
    # Territories first: a city or a language of the same form never displaces a country.
    for form, language, concept, source in chain(territories(), cities(), languages()):
        found.add(Sense(form, language, concept, source))
    # Curated entries come after CLDR and win where both give a form.
    for concept, language, forms, source in _rows("lexicon.tsv"):
        for form in forms.split("|"):
            found.add(Sense(form, language, concept, source), replace=True)
    for form, language, expansions, source in _rows("acronyms.tsv"):
        senses = tuple(
            Sense(form, language, expansion, f"acronym ({source})")
            for expansion in expansions.split("|")
        )
        key = simplified(form) if _HAN.fullmatch(form) else form.casefold()
        found.acronyms[key] = senses
        if " " in key:
            found.acronyms[_short_key(key)] = senses
    for words, sense in found.phrases.items():
        found.phrase_starts.setdefault(words[0], []).append((words, sense))
    for sense in [*found.words.values(), *found.phrases.values(), *found.han.values()]:
        found.english.update(_ASCII_WORD.findall(_plain(sense.concept)))
        if sense.source == "curated":
            found.curated.update(_ASCII_WORD.findall(_plain(sense.concept)))
    return found


@cache
def morphology() -> Any:
    """pymorphy3's Russian analyser, one per process (screening and ingestion share it)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=50_000)
def _cyrillic_lemmas(word: str) -> tuple[str, ...]:
    """The dictionary forms pymorphy3 offers for a Russian word, most likely first, then
    the word with Turkic endings stripped (Kazakh, Kyrgyz, Uzbek in Cyrillic)."""
    analyser = morphology()
    lemmas = [p.normal_form.replace("ё", "е") for p in analyser.parse(word)]
    lemmas += _stems(word)
    return tuple(dict.fromkeys([word, *lemmas]))


def _stems(word: str) -> list[str]:
    stems = []
    for ending in _TURKIC_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            stems.append(word[: -len(ending)])
    return stems


def _candidates(word: str) -> tuple[str, ...]:
    """Lookup keys of one word, most literal first (none for a Latin word whose first
    three letters begin no Latin form of the lexicon: most English and names)."""
    if word.isascii() and word[:3].casefold() not in lexicon().latin_starts:
        return ()
    if _is_cyrillic(word):
        return _cyrillic_lemmas(word.casefold().replace("ё", "е"))
    if _is_arabic(word):
        key = _arabic_key(word)
        keys = [key]
        for prefix in ("وال", "بال", "لل", "ال", "و", "ب", "ل"):
            if key.startswith(prefix) and len(key) - len(prefix) >= 3:
                keys.append(key[len(prefix) :])
        for suffix in ("ي", "ه", "ی"):  # Persian ezafe and nisba endings
            if key.endswith(suffix) and len(key) > 4:
                keys += [k[: -len(suffix)] for k in list(keys) if k.endswith(suffix)]
        for suffix in _ARABIC_PLURALS:  # "استثمارات" investment, "مجاهدين" mujahid
            keys += [
                k[: -len(suffix)] + closing
                for k in list(keys)
                if k.endswith(suffix) and len(k) - len(suffix) >= 3
                for closing in ("", "ه")
            ]
        return tuple(dict.fromkeys(keys))
    folded = _plain(word)
    return tuple(dict.fromkeys([folded, *_stems(folded)]))


@lru_cache(maxsize=50_000)
def translate(name: str) -> tuple[Translation, ...]:
    """The translated readings of a name (none when no word of it is in the lexicon, or when
    it is plain English). An acronym that stands for several bodies gives one reading each."""
    text = unicodedata.normalize("NFKC", name)
    found = lexicon()
    whole = text.strip().casefold()
    if text.isascii() and whole not in found.acronyms:
        # Most queries: Latin letters, no word of which begins a Latin form of the lexicon.
        starts = found.latin_starts
        ascii_words = _ASCII_WORD.findall(whole)
        if not any(w[:3] in starts for w in ascii_words):
            return ()
        if all(w in found.english for w in ascii_words):
            # English words only ("Levant Liberation Committee"): an English rendering of a
            # name, read as itself, so that another rendering of its words still counts.
            return _english_reading(text, found)
    acronym = found.acronyms.get(simplified(whole) if _HAN.search(whole) else whole)
    if acronym:
        return tuple(Translation(s.concept, (s,)) for s in acronym)
    pieces: list[str] = []
    senses: list[Sense] = []
    kept: list[str] = []
    transcribed: list[tuple[str, str]] = []
    for match in _PIECE.finditer(text):
        piece = match.group()
        if _HAN.fullmatch(piece):
            _translate_han(simplified(piece), found, pieces, senses, kept, transcribed)
        else:
            pieces.append(piece)
    words, word_senses, word_kept = _translate_words(pieces, found)
    senses += word_senses
    kept += word_kept
    dotted = any(dot in text for dot in _NAME_DOTS)
    transcribed = [t for t in transcribed if dotted or _foreign(t[1])]
    if not senses and not transcribed:
        return ()
    text = " ".join(words)
    found_text = Translation(text, tuple(senses), tuple(kept), tuple(transcribed))
    if not senses:
        return (found_text,)  # a foreign name in Chinese characters, by its sounds alone
    short = found.acronyms.get(_short_key(text))
    if short:  # a short name, once translated ("Исламское государство": "Islamic State")
        return (found_text, *(Translation(s.concept, (*senses, s), tuple(kept)) for s in short))
    return (found_text,)


def _english_reading(text: str, found: Lexicon) -> tuple[Translation, ...]:
    """A name in English words alone, as a translated reading of itself (none when no word
    of it is of the curated vocabulary)."""
    words = _ASCII_WORD.findall(_plain(text))
    senses = tuple(
        Sense(word, "en", word, "English vocabulary") for word in words if word in found.curated
    )
    return (Translation(text, senses),) if senses else ()


#: Words a short name may carry or leave out in any order ("Islamic State organisation").
_FILLERS = frozenset({"organization", "organisation", "group", "the", "of", "in", "al"})


def _short_key(text: str) -> str:
    """A short name's key: its words less fillers, sorted ("state islamic" for "Islamic
    State" and for "Organisation of the Islamic State" alike)."""
    return " ".join(sorted(w for w in text.casefold().split() if w not in _FILLERS))


#: The dots Chinese writes between the parts of a foreign name (阿布·贝克尔·巴格达迪).
_NAME_DOTS = ("·", "・", "•", "‧", "･")


def _foreign(syllables: str) -> bool:
    """Whether characters no entry covers transcribe a foreign name rather than spell a
    Chinese one: a run of four syllables or more, or of two or three whose first is no
    Chinese family name (哈马斯 Hamas; 李洙墉 is a name in Chinese characters)."""
    first = syllables.split()
    return len(first) >= 4 or (len(first) >= 2 and fold(first[0]) not in CHINESE_FAMILY_NAMES)


def _translate_han(
    run: str,
    found: Lexicon,
    pieces: list[str],
    senses: list[Sense],
    kept: list[str],
    transcribed: list[tuple[str, str]],
) -> None:
    """Longest entries first, left to right; characters no entry covers stay as written
    (they are transliterated later: a name's sounds, such as 努斯拉)."""
    start = 0
    rest = ""
    while start < len(run):
        for size in range(min(found.longest_han, len(run) - start), 0, -1):
            piece = run[start : start + size]
            sense = found.han.get(piece) or (
                found.acronyms[piece][0] if piece in found.acronyms and size > 1 else None
            )
            # One character alone is a syllable of a name more often than a word, save
            # the few function words and kinds of body that close a name (党, 军, 旅).
            if sense is not None and sense.source.startswith("CLDR exemplar"):
                # A city's characters inside a transcribed name (巴格达 in 巴格达迪,
                # Baghdadi) are its sounds: a city counts where an entry or the run follows.
                after = start + size
                if after < len(run) and not any(
                    run[after : after + n] in found.han for n in range(1, found.longest_han + 1)
                ):
                    sense = None
            if sense is not None and (
                size > 1
                or start + size == len(run)
                or piece in "的和与在"
                or _between_entries(run, start, rest, pieces, found)
            ):
                if rest:
                    _keep(rest, pieces, kept, transcribed)
                    rest = ""
                pieces.append("\x00" + sense.concept)
                senses.append(sense)
                start += size
                break
        else:
            rest += run[start]
            start += 1
    if rest:
        _keep(rest, pieces, kept, transcribed)


def _between_entries(run: str, start: int, rest: str, pieces: list[str], found: Lexicon) -> bool:
    """Whether one character stands between two entries (人民军战略: people's, army,
    strategic): a word there, not a syllable of a name, which would run on uncovered."""
    if rest or not pieces or not pieces[-1].startswith("\x00"):
        return False
    after = start + 1
    return any(run[after : after + n] in found.han for n in range(2, found.longest_han + 1))


def _keep(run: str, pieces: list[str], kept: list[str], transcribed: list[tuple[str, str]]) -> None:
    """Characters that transcribe a foreign name ("努斯拉": Nusra) as one word of pinyin,
    its syllables kept to be compared by sound."""
    syllables = " ".join(str(_PINYIN.transliterate(run)).split())
    word = syllables.replace(" ", "")
    pieces.append(word)
    kept.append(run)
    transcribed.append((word, syllables))


def _translate_words(pieces: list[str], found: Lexicon) -> tuple[list[str], list[Sense], list[str]]:
    words: list[str] = []
    senses: list[Sense] = []
    kept: list[str] = []
    index = 0
    keys = [() if p.startswith("\x00") else _candidates(p) for p in pieces]
    # Short Latin words are read as Turkish or Uzbek only beside a longer word that is.
    turkic = any(
        not p.isascii() and not _is_cyrillic(p) and not _is_arabic(p) or len(p) >= 5
        for p, k in zip(pieces, keys, strict=True)
        if any(
            k2 in found.words and found.words[k2].language in ("tr", "uz", "kk", "ky") for k2 in k
        )
    )
    while index < len(pieces):
        piece = pieces[index]
        if piece.startswith("\x00"):
            words.append(piece[1:])
            index += 1
            continue
        if piece.casefold() in _SKIP:
            index += 1
            continue
        phrase = _phrase(keys, index, found)
        if phrase is not None:
            sense, size = phrase
            words.append(sense.concept)
            senses.append(sense)
            index += size
            continue
        whole = found.acronyms.get(piece.casefold())
        if whole and len(pieces) > 1 and not piece.isascii():
            # An acronym within a longer name ("داعش خراسان": ISIL, Khorasan).
            words.append(whole[0].concept)
            senses.append(whole[0])
            index += 1
            continue
        word = _word_senses(keys[index], found)
        if word is None and _is_cyrillic(piece):
            word = place_adjective(keys[index], found)
        elif word is None and _is_arabic(piece):
            word = nisba(keys[index], found)
        if (
            word is not None
            and piece.isascii()
            and (word.language in ("ru", "zh", "ar") or (len(piece) < 5 and not turkic))
        ):
            word = None  # a short English-looking word is English, not Turkish ("ag", "ve")
        if word is not None:
            words.append(word.concept)
            senses.append(word)
        else:
            words.append(piece)
            kept.append(piece)
        index += 1
    return words, senses, kept


def _word_senses(keys: tuple[str, ...], found: Lexicon) -> Sense | None:
    """The entry of a word's most literal lookup key, holding the concepts of its other keys'
    entries as other senses ("المغرب": Morocco, and "مغرب" without the article: the Maghreb)."""
    hits = [found.words[k] for k in keys if k in found.words]
    if len(hits) < 2:
        return hits[0] if hits else None
    first = hits[0]
    others = [c for hit in hits for c in (hit.concept, *hit.also) if c != first.concept]
    return dataclasses.replace(first, also=tuple(dict.fromkeys(others))) if others else first


def _phrase(keys: list[tuple[str, ...]], index: int, found: Lexicon) -> tuple[Sense, int] | None:
    """The longest phrase of the lexicon that starts at ``index``, each of its words one of
    the lookup keys of the word there (a phrase is tried only from a word that begins one)."""
    best: tuple[Sense, int] | None = None
    for first in keys[index]:
        for words, sense in found.phrase_starts.get(first, ()):
            size = len(words)
            if index + size > len(keys) or (best is not None and best[1] >= size):
                continue
            if all(words[n] in keys[index + n] for n in range(1, size)):
                best = (sense, size)
    return best
