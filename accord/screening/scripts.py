"""Scripts other than Latin, romanised as English usage writes names before ICU takes the
rest: Cyrillic (BGN/PCGN), Arabic, Persian and Urdu script (read without short vowels),
Hangul (syllable by syllable, as the DPRK lists spell it); and ICU's own letter-by-letter
reading of Cyrillic, which the scorer keeps as a second reading."""

from __future__ import annotations

import re
import unicodedata

import icu

_HANGUL_LATIN = icu.Transliterator.createInstance("Hangul-Latin; Latin-ASCII")

#: Cyrillic letters as English renders Russian and Central Asian names (BGN/PCGN), before ICU:
#: ICU's scholarly output ("š", "č", "ž") loses the digraphs once reduced to ASCII, and
#: "Рашид" would read "rasid", "Шабааб" "sabaab". Kazakh, Kyrgyz, Uzbek and Tajik letters too.
_CYRILLIC = str.maketrans(
    {
        "ш": "sh",
        "щ": "shch",
        "ч": "ch",
        "ж": "zh",
        "х": "kh",
        "ц": "ts",
        "й": "y",
        "ю": "yu",
        "я": "ya",
        "ё": "yo",
        "э": "e",
        "ы": "y",
        "ь": "",
        "ъ": "",
        "қ": "q",
        "ғ": "gh",
        "ҳ": "h",
        "һ": "h",
        "ң": "ng",
        "ө": "o",
        "ү": "u",
        "ұ": "u",
        "ә": "a",
        "і": "i",
        "ў": "o",
        "ҷ": "j",
        "ӣ": "i",
        "ӯ": "u",
    }
)
_HAS_CYRILLIC = re.compile("[\u0400-\u04ff]")
_HANGUL = re.compile("[\uac00-\ud7a3]+")

#: ICU's own transliteration of any script to ASCII (the rest of a name, after the scripts
#: above), and Traditional Chinese to Simplified: one instance each, shared.
ANY_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
_SIMPLIFIED = icu.Transliterator.createInstance("Traditional-Simplified")


def simplified(text: str) -> str:
    """Han characters in their simplified forms."""
    return str(_SIMPLIFIED.transliterate(text))


def scholarly_latin(name: str) -> str | None:
    """A Cyrillic name transliterated letter by letter as ICU does ("Кх" as "kh", "Й" as "j"),
    where that differs from English usage; None for a name without Cyrillic."""
    if name.isascii() or not _HAS_CYRILLIC.search(name):
        return None
    return str(ANY_LATIN.transliterate(unicodedata.normalize("NFKC", name)))


_ARABIC_WORD = re.compile("[\u0621-\u064a\u0671-\u06d3\u06ba-\u06ff]+")
ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
#: Arabic, Persian and Urdu consonants as English usage writes them (ICU's scholarly marks
#: lost in ASCII would read ش "s" and ث "t").
_ARABIC_LETTERS = {
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ک": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ہ": "h",
    "ھ": "h",
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "گ": "g",
    "ڈ": "d",
    "ٹ": "t",
    "ڑ": "r",
    "ں": "n",
    "ء": "",
    "ئ": "",
    "ؤ": "",
    "ځ": "dz",
    "څ": "ts",
    "ښ": "sh",
    "ږ": "zh",
    "ډ": "d",
    "ټ": "t",
    "ړ": "r",
    "ڼ": "n",
    "ګ": "g",
}
_ALIF = frozenset("اأإآٱى")
_WAW = frozenset("و")
_YA = frozenset("يیېےۍ")
_TA_MARBUTA = frozenset("ةۃ")


def _arabic(match: re.Match[str]) -> str:
    """One word in Arabic script, romanised as it is read without its short vowels: the
    article split off ("السنوسي" -> "al snusi"), waw and ya as the long vowels they write
    between consonants, a closing ta marbuta (or Persian and Urdu closing he) as "a"."""
    word = ARABIC_MARKS.sub("", match.group())
    article = ""
    for prefix in ("وال", "بال", "لل", "ال"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            article, word = "al ", word[len(prefix) :]
            break
    out: list[str] = []
    last = len(word) - 1
    for position, letter in enumerate(word):
        before = word[position - 1] if position else ""
        after = word[position + 1] if position < last else ""
        vowel_next = after in _ALIF or after in _WAW or after in _YA
        if letter in _ALIF:
            out.append("a" if letter != "إ" else "i")
        elif letter in _TA_MARBUTA:
            out.append("a")
        elif letter in ("ه", "ہ") and position == last and position > 1 and before not in _ALIF:
            out.append("a")
        elif letter in _WAW:
            out.append("w" if position == 0 or before in _ALIF or vowel_next else "u")
        elif letter in _YA:
            out.append("y" if position == 0 or before in _ALIF or vowel_next else "i")
        else:
            out.append(_ARABIC_LETTERS.get(letter, letter))
    return " " + article + "".join(out) + " "


#: Revised Romanisation (what ICU gives) to the McCune-Reischauer spelling without marks that
#: lists of the DPRK's names use ("박도춘" -> "pak tochun", as "PAK TO CHUN"): initial
#: consonants unvoiced, "eo"/"eu" as "o"/"u".
_RR_INITIALS = (("g", "k"), ("d", "t"), ("b", "p"), ("j", "ch"), ("l", "r"))


def _hangul(match: re.Match[str]) -> str:
    """A run of Hangul as a Korean name: each syllable a word, in the lists' spelling (the
    scorer pairs "chun song" with "Chunsong" and "Chun-song" alike)."""
    run = match.group()
    syllables = []
    for syllable in run:
        latin = str(_HANGUL_LATIN.transliterate(syllable))
        for rr, mr in _RR_INITIALS:
            if latin.startswith(rr):
                latin = mr + latin[len(rr) :]
                break
        latin = latin.replace("eo", "o").replace("eu", "u")
        if latin.endswith("g") and not latin.endswith("ng"):
            latin = latin[:-1] + "k"
        syllables.append(latin)
    return " " + " ".join(syllables) + " "


def romanise_scripts(text: str) -> str:
    """Cyrillic, Hangul and Arabic-script runs of a (NFKC) text in English usage; the rest
    is left to ICU."""
    if _HAS_CYRILLIC.search(text):
        text = text.casefold().translate(_CYRILLIC)
    if _HANGUL.search(text):
        text = _HANGUL.sub(_hangul, text)
    if _ARABIC_WORD.search(text):
        text = _ARABIC_WORD.sub(_arabic, text)
    return text
