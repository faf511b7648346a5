"""Russian articles: Natasha proposes the names, pymorphy3 brings them to the nominative,
rules add the designation claims Russian reporting carries and the register links.

"Бортникова" is Бортников: a person's words are each put in the nominative of their own
gender and number; an organisation's words up to and including its head noun are, and
the genitive that follows is left as written ("Федеральной службы безопасности" ->
"Федеральная служба безопасности"); a place is its dictionary form ("Москве" -> "Москва").
"""

from __future__ import annotations

import re
from typing import Any

from accord.screening.lexicon import morphology

_WORD = re.compile(r"[А-Яа-яЁё]+|[^\s]+")

#: «запрещена в России», «признана террористической и запрещена в РФ», «деятельность
#: которой запрещена на территории России», «внесена в перечень террористических».
CLAIM = re.compile(
    r"(?P<claim>(?:(?:признан\w*|объявлен\w*)\s+(?:судом\s+)?(?:террористическ\w+|экстремистск\w+)"
    r"(?:\s+организаци\w+)?(?:\s+и\s+)?)?(?:запрещен\w*|запрещён\w*)?\s*"
    r"(?:(?:в|на\s+территории)\s+(?P<where>РФ|России|Росс\w+|Казахстан\w*|Киргизи\w*|"
    r"Кыргызстан\w*|Узбекистан\w*|Таджикистан\w*|Беларус\w*|Белорусси\w*|Туркменистан\w*|"
    r"Азербайджан\w*|Армени\w*|Китае|КНР|США|Евросоюз\w*|ЕС)))",
    re.IGNORECASE,
)
_WHERE = {
    "рф": "RU",
    "росс": "RU",
    "казахстан": "KZ",
    "киргизи": "KG",
    "кыргызстан": "KG",
    "узбекистан": "UZ",
    "таджикистан": "TJ",
    "беларус": "BY",
    "белорусси": "BY",
    "туркменистан": "TM",
    "азербайджан": "AZ",
    "армени": "AM",
    "китае": "CN",
    "кнр": "CN",
    "сша": "US",
    "евросоюз": "EU",
    "ес": "EU",
}


def jurisdiction(where: str) -> str | None:
    lower = where.lower()
    for stem, code in _WHERE.items():
        if lower.startswith(stem):
            return code
    return None


_CASES = {"Nom": "nomn", "Gen": "gent", "Dat": "datv", "Acc": "accs", "Ins": "ablt", "Loc": "loct"}
_GENDERS = {"Masc": "masc", "Fem": "femn", "Neut": "neut"}
_CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё-]+")


def _parse(word: str, kind: str, feats: dict[str, str] | None) -> Any:
    """pymorphy3's reading of the word that agrees with the morphology Natasha gave it in
    context (case, gender), preferring names, surnames and places for those kinds."""
    parses = morphology().parse(word)
    wanted = {"person": ("Name", "Surn", "Patr"), "location": ("Geox",)}.get(kind, ())
    case = _CASES.get((feats or {}).get("Case", ""))
    gender = _GENDERS.get((feats or {}).get("Gender", ""))
    number = {"Sing": "sing", "Plur": "plur"}.get((feats or {}).get("Number", ""))

    def fits(p: Any) -> int:
        return (
            (2 if case and case in p.tag else 0)
            + (1 if gender and gender in p.tag else 0)
            + (1 if number and number in p.tag else 0)
            + (1 if any(t in p.tag for t in wanted) else 0)
        )

    return max(parses, key=lambda p: (fits(p), p.score))


def _cap(form: str, like: str) -> str:
    if like[:1].isupper():
        return "-".join(part[:1].upper() + part[1:] for part in form.split("-"))
    return form


def _inflect(word: str, kind: str, feats: dict[str, str] | None, extra: set[str]) -> str:
    if not _CYRILLIC_WORD.fullmatch(word) or word.isupper():
        return word  # acronyms (ФСБ, ИГИЛ) and other scripts stay as written
    parse = _parse(word, kind, feats)
    if "nomn" in parse.tag and not extra - {"nomn"}:
        return word
    if kind == "person":
        gender = _GENDERS.get((feats or {}).get("Gender", ""))
        if gender and gender not in parse.tag:
            return word  # a name that does not decline (Фаридуни): as written
    inflected = parse.inflect({"nomn", *extra}) or parse.inflect({"nomn"})
    return _cap(inflected.word if inflected is not None else word, word)


def nominative(name: str, kind: str, feats: list[dict[str, str]] | None = None) -> str:
    """The name in the nominative (see the module's note); ``feats`` are Natasha's
    morphological features of its words in context, where known."""
    words = name.split()
    if not words:
        return name
    given = feats if feats is not None and len(feats) == len(words) else [{} for _ in words]
    if kind in ("person", "location"):
        return " ".join(_inflect(w, kind, f, set()) for w, f in zip(words, given, strict=True))
    # An organisation: the words before its head noun agree with it; the rest stays.
    head = None
    for n, (word, f) in enumerate(zip(words, given, strict=True)):
        bare = word.strip("«»\"'")
        if _CYRILLIC_WORD.fullmatch(bare) and not bare.isupper():
            parses = morphology().parse(bare)
            adjective = any("ADJF" in p.tag or "PRTF" in p.tag for p in parses)
            last = n == len(words) - 1
            if "NOUN" in _parse(bare, kind, f).tag and (not adjective or last):
                head = n
                break
    if head is None:
        return name
    bare_head = words[head].strip("«»\"'")
    parse = _parse(bare_head, kind, given[head])
    nominal = parse.inflect({"nomn"}) or parse
    agree = {g for g in ("masc", "femn", "neut", "sing", "plur") if g in nominal.tag}
    if "plur" in agree:
        agree -= {"masc", "femn", "neut"}
    out = []
    for n, (word, f) in enumerate(zip(words, given, strict=True)):
        if n > head:
            out.append(word)
            continue
        bare = word.strip("«»\"'")
        form = _cap(nominal.word, bare) if n == head else _inflect(bare, kind, f, agree)
        out.append(word.replace(bare, form) if bare else word)
    return " ".join(out)


def claims(text: str, start: int, end: int) -> list[dict[str, Any]]:
    """Designation claims in ``text[start:end]``, each with its jurisdiction and span."""
    found = []
    for match in CLAIM.finditer(text, start, end):
        claim = match.group("claim").strip()
        words = claim.lower()
        if not ("запрещ" in words or "признан" in words or "объявлен" in words):
            continue
        where = jurisdiction(match.group("where"))
        if where is None:
            continue
        begin = match.start("claim") + (
            len(match.group("claim")) - len(match.group("claim").lstrip())
        )
        found.append(
            {
                "claim": " ".join(claim.split()),
                "jurisdiction": where,
                "source": "the article",
                "evidence": {"start": begin, "end": begin + len(claim), "text": claim},
            }
        )
    return found
