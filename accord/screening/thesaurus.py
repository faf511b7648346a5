"""How a word of a translated name may stand for a register's word of another form: another
English rendering of the same word ("forces" / "army", "foundation" / "institution",
``data/synonyms.tsv``, each family with its source), or a derivation of one stem across the
languages lists write in ("democratic" / "démocratiques", "salafi" / "salafist", "islamic" /
"islamiyah"). Only a word that came from the lexicon is compared so: an English name's own
words keep their spelling routes.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from accord.screening.normalise import fold

DATA = Path(__file__).resolve().parent / "data"
#: Similarity of a word to another rendering of it: as the lexicon's loanword links.
SYNONYM = 0.9
#: Endings one stem takes in English, French and the romanisations lists use (adjectives,
#: plurals, nisbas): past a shared stem of five letters or more, both words must end so.
DERIVATIONS = frozenset(
    "s es n an ian ians ans c ic ics ical k ist ists ism i is ia iya iyah iyya iyyah ya yah "
    "st sts e que ques ique iques ite ites ese a ah iy".split()
    + [""]
)
#: The shortest stem two words of a derivation share.
STEM = 5


@cache
def families() -> dict[str, frozenset[int]]:
    """Each folded word and the numbers of the synonym families that hold it."""
    found: dict[str, set[int]] = {}
    lines = (DATA / "synonyms.tsv").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        words, _source = line.split("\t")
        for word in words.split():
            found.setdefault(fold(word), set()).add(number)
    return {word: frozenset(numbers) for word, numbers in found.items()}


def _shared_stem(x: str, y: str) -> int:
    size = 0
    for a, b in zip(x, y, strict=False):
        if a != b:
            break
        size += 1
    return size


@lru_cache(maxsize=100_000)
def translated_similarity(x: str, y: str) -> tuple[float, str]:
    """How a translated word ``x`` stands for a register word ``y`` (folded), beyond an exact
    match: (0.0, "") when it does not."""
    mine = families().get(x)
    if mine is not None and mine & families().get(y, frozenset()):
        return SYNONYM, "translated (another rendering)"
    stem = _shared_stem(x, y)
    if stem >= STEM and x[stem:] in DERIVATIONS and y[stem:] in DERIVATIONS:
        return SYNONYM, "translated (one stem)"
    return 0.0, ""


#: What a word of the lexicon's vocabulary weighs beside a name part when a translation is
#: compared: translations render the descriptive words of a name variously ("charity
#: foundation" / "foundation"), its names (Haramain, Aden) hardly at all.
VOCABULARY_WEIGHT = 0.5
#: Function words of the languages lists write names in (English, French, Spanish, romanised
#: Arabic, Persian, Urdu and Turkish): beside a translation, which renders them or drops
#: them at will, they weigh as particles.
FUNCTION_WORDS = frozenset(
    """of the and for in on to a an de du des la le les d l el al wa wal ul ud fi li bi lil
    e i y da di del ve va""".split()
)
FUNCTION_WEIGHT = 0.1


@cache
def vocabulary() -> frozenset[str]:
    """The folded English words of the lexicon's curated concepts and of the synonym
    families: the vocabulary organisation names are made of (not the names of places)."""
    from accord.screening.lexicon import lexicon
    from accord.screening.normalise import tokens

    found = lexicon()
    senses = [*found.words.values(), *found.phrases.values(), *found.han.values()]
    words = {
        token.text
        for sense in senses
        if sense.source == "curated"
        for token in tokens(sense.concept)
    }
    return frozenset(words | set(families()))
