"""Names in any script to comparable Latin tokens: small pure functions.

NFKC and case folding first; ICU's ``Any-Latin; Latin-ASCII`` transliterates Cyrillic,
Arabic, Han (pinyin), Greek and the rest; then the common romanisation conventions of one
script are folded together (Russian "dzh"/"j", "kh"/"h"; the Arabic article "al-"/"el-"/
"ad-"/"an-"; Muhammad/Mohammed), so that one name written two ways gives the same tokens.
Each token carries its role in the name: a name part, a patronymic (Slavic -ovich/-ovna, or
an Arabic name after "bin"/"ibn", which names a forebear), a title, a legal form, a generic
organisation word (movement, front, party...), a number, a country. Generic words are kept but
marked, so that a scorer can weigh them down rather than drop them; a scorer can also refuse
to pair a person's own name with a forebear's ("Salman bin Muhammad" is not "Muhammad bin
Salman").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import icu

_TRANSLITERATOR = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
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

#: The Arabic definite article, as romanisations write it, assimilated or not.
ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "at", "an", "az", "ash", "ath", "ul", "ud"})

#: Words that name the kind of organisation rather than the organisation.
GENERIC_WORDS = frozenset(
    {
        "movement",
        "front",
        "party",
        "organization",
        "organisation",
        "group",
        "jamaat",
        "jamaah",
        "jamaa",
        "jamiat",
        "harakat",
        "hizb",
        "tanzim",
        "brigade",
        "brigades",
        "army",
        "battalion",
        "union",
        "council",
        "islamic",
        "of",
        "the",
        "for",
        "and",
        "in",
        "dvizhenie",
        "partiya",
        "partia",
        "organizatsiya",
        "organizacia",
        "tehrik",
        "tahrik",
        "jabhat",
        "jabha",
        # "Islamic", "movement", "society" as the names' own languages romanise them.
        "islami",
        "islamiya",
        "islamiyah",
        "islamiyya",
        "islamiyyah",
        "islamia",
        "islamiah",
        "islamiyeh",
        "harkat",
        "haraka",
        "harakah",
        "haraket",
        "hareket",
        "harakati",
        "jamat",
        "jama",
        "jamatu",
        "jamah",
        "jemaah",
        "jemaa",
        "jamiyat",
        "jamiyah",
        "jamia",
        "tehreek",
        "tanzeem",
        "society",
        "foundation",
        "association",
        "network",
        "country",
        "countries",
        "land",
        "government",
    }
)

#: Spellings of one name that romanisation conventions disagree on.
SPELLINGS = {
    "mohammed": "muhammad",
    "mohammad": "muhammad",
    "mohamed": "muhammad",
    "muhammed": "muhammad",
    "mohamad": "muhammad",
    "muhamad": "muhammad",
    "ahmed": "ahmad",
    "husein": "husayn",
    "hussein": "husayn",
    "hussain": "husayn",
    "osama": "usama",
    "abdullah": "abdallah",
    "abdulla": "abdallah",
    "turkestan": "turkistan",
    "taleban": "taliban",
    # Demonyms name the same place as the country: "Egyptian Islamic Jihad" is Egypt's.
    "egyptian": "egypt",
    "libyan": "libya",
    "tunisian": "tunisia",
    "moroccan": "morocco",
    "algerian": "algeria",
    "somali": "somalia",
    "nigerian": "nigeria",
    "iraqi": "iraq",
    "syrian": "syria",
    "afghan": "afghanistan",
    "pakistani": "pakistan",
    "uzbek": "uzbekistan",
    "tajik": "tajikistan",
    "kazakh": "kazakhstan",
    "kyrgyz": "kyrgyzstan",
    "turkmen": "turkmenistan",
    "chechen": "chechnya",
    "caucasian": "caucasus",
    "indonesian": "indonesia",
    "filipino": "philippines",
    "philippine": "philippines",
    "yemeni": "yemen",
    "palestinian": "palestine",
    "lebanese": "lebanon",
    "saudi": "saudi",
    "bangladeshi": "bangladesh",
    "malian": "mali",
    "sudanese": "sudan",
    "kenyan": "kenya",
    "iranian": "iran",
    "kurdish": "kurdistan",
    "levantine": "levant",
    "maghrebi": "maghreb",
    "turkistani": "turkistan",
    # Compass adjectives name the same place as the nouns: East/Eastern Turkistan.
    "ebu": "abu",  # Turkish spelling of Arabic names: Ebu Bekir, Ebu Muhammed
    "eastern": "east",
    "western": "west",
    "northern": "north",
    "southern": "south",
}

# Russian (and other Cyrillic) romanisations, folded to one form: Dzh/J, Kh/H, Zh/J, Ts/C...
_CYRILLIC_FOLDS = (
    ("dzh", "j"),
    ("dz", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("ts", "c"),
    ("sch", "sh"),
    ("yu", "u"),
    ("ya", "a"),
    ("iy", "i"),
    ("yi", "i"),
)


#: Forms of address and ranks: they say who a person is, not which person.
TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "president",
        "prime",
        "minister",
        "general",
        "gen",
        "colonel",
        "col",
        "major",
        "commander",
        "sheikh",
        "shaykh",
        "shaikh",
        "sheik",
        "mullah",
        "mulla",
        "maulana",
        "mawlawi",
        "maulvi",
        "mawlavi",
        "haji",
        "hajji",
        "alhaji",
        "qari",
        "imam",
        "hafiz",
        "ustad",
        "ustadh",
        "jr",
        "sr",
        # "First / middle / last name unknown", as lists write a missing part.
        "fnu",
        "mnu",
        "lnu",
    }
)

#: "Son of" / "daughter of": what follows names a forebear (Arabic nasab, Maghrebi "ben").
PARTICLES = frozenset({"bin", "ibn", "bint", "binti", "ben", "ould", "walad", "ibnu", "bn"})

#: Legal forms and company words: they say what kind of body, not which.
COMPANY_WORDS = frozenset(
    {
        "limited",
        "ltd",
        "plc",
        "inc",
        "llc",
        "co",
        "corp",
        "corporation",
        "company",
        "jsc",
        "ojsc",
        "pjsc",
        "ooo",
        "ao",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "bv",
        "ab",
        "as",
        "lp",
        "holding",
        "holdings",
        "group",
        "joint",
        "stock",
        "trading",
        "international",
        "industries",
        "enterprise",
        "bank",
        "development",
        "investment",
        "cjsc",
        "intl",
        "sp",
        "z",
        "oo",
    }
)
#: Roman numerals of two letters or more (a lone "V" or "X" is more often an initial), save
#: those that are as often syllables of names (Chinese "Xi", "Li"; Vietnamese "Vi").
_ROMAN_NUMERAL = re.compile(r"^(?=[ivxl]{2,}$)(?!(?:xi|li|vi)$)(xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50}


def _roman(word: str) -> int:
    """The value of a Roman numeral ("xiii" -> 13)."""
    values = [_ROMAN_VALUES[c] for c in word]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


_PATRONYMIC = re.compile(
    r"[a-z]{3,}(?:ovich|evich|ovych|evych|ovna|evna|ivna|ichna|ogly|kyzy|uly)$"
)


def _countries() -> frozenset[str]:
    """One-word country names in English, from ICU's locale data (no list kept here)."""
    english = icu.Locale("en")
    names = set()
    for code in icu.Locale.getISOCountries():
        name = to_latin(icu.Locale("", code).getDisplayCountry(english))
        if name and " " not in name:
            names.add(name)
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a name: its folded form, its role, and whether it names a forebear.

    Roles: ``name``, ``patronymic``, ``title``, ``particle``, ``legal`` (legal form or company
    word), ``generic`` (organisation word), ``number``, ``place`` (a country), ``acronym`` (the
    list's own acronym of the name, in brackets after it).
    """

    text: str
    role: str = "name"
    lineage: bool = False
    #: The word as written (after transliteration), before romanisation folding.
    raw: bool = True
    #: What the scorer's pairing loop reads, made once per token (tokens are shared by every
    #: name holding the word): (text, is a number, as written, lineage).
    cell: tuple[str, bool, bool, bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cell = (self.text, self.role == "number", self.raw, self.lineage)
        object.__setattr__(self, "cell", cell)

    @property
    def generic(self) -> bool:
        """Weighed down by a scorer and never posted in an index."""
        return self.role in ("generic", "legal", "title", "particle")


_APOSTROPHE = re.compile(r"(?<=[a-z])['\u2019\u02bc\u02bb\u02b9\u02ba`](?=[a-z])")
_INITIALISM = re.compile(r"\b(?:[a-z0-9]\.\s?){2,}")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"([a-z])\1+")
#: A "y" or "j" closing a syllable (Russian "й", Arabic "ي" after a vowel) as other
#: romanisations write it, "i": Sergey/Sergej/Sergei, Tsoy/Tsoi, Zayd/Zaid.
_GLIDE = re.compile(r"(?<=[aeiou])[yj](?![aeiouy])")


_ICU_ONLY = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def scholarly_latin(name: str) -> str | None:
    """A Cyrillic name transliterated letter by letter as ICU does ("Кх" as "kh", "Й" as "j"),
    where that differs from English usage; None for a name without Cyrillic."""
    if name.isascii() or not _HAS_CYRILLIC.search(name):
        return None
    return str(_ICU_ONLY.transliterate(unicodedata.normalize("NFKC", name)))


@lru_cache(maxsize=100_000)
def to_latin(name: str) -> str:
    """Any script to lower-case ASCII words separated by single spaces ("" for junk)."""
    text = unicodedata.normalize("NFKC", name)
    if not text.isascii():
        if _HAS_CYRILLIC.search(text):
            text = text.casefold().translate(_CYRILLIC)
        if _HANGUL.search(text):
            text = _HANGUL.sub(_hangul, text)
        if _ARABIC_WORD.search(text):
            text = _ARABIC_WORD.sub(_arabic, text)
    text = _TRANSLITERATOR.transliterate(text).casefold()
    # Marks ICU leaves on upper case ("ЬЮ" -> "'\u0331U"): dropped.
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    # Apostrophes and okinas belong to the word: "Qa'ida" is one word, not "qa ida".
    text = _APOSTROPHE.sub("", text)
    # Initialisms written with dots or spaces are one word: "S.A.R.L." -> "sarl".
    if "." in text:
        text = _INITIALISM.sub(lambda m: "".join(m.group().split()).replace(".", "") + " ", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())


_ARABIC_WORD = re.compile("[\u0621-\u064a\u0671-\u06d3\u06ba-\u06ff]+")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
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
    word = _ARABIC_MARKS.sub("", match.group())
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


#: Legal forms and their usual abbreviations, spelt out: folded to the abbreviation.
LEGAL_FORMS = (
    ("obshchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("tovarishchestvo s ogranichennoy otvetstvennostyu", "llc"),
    ("publichnoe aktsionernoe obshchestvo", "pjsc"),
    ("otkrytoe aktsionernoe obshchestvo", "ojsc"),
    ("zakrytoe aktsionernoe obshchestvo", "cjsc"),
    ("aktsionernoe obshchestvo", "jsc"),
    ("obsestvo s ogranicennoj otvetstvennostu", "llc"),
    ("tovarisestvo s ogranicennoj otvetstvennostu", "llc"),
    ("publicnoe akcionernoe obsestvo", "pjsc"),
    ("otkrytoe akcionernoe obsestvo", "ojsc"),
    ("zakrytoe akcionernoe obsestvo", "cjsc"),
    ("akcionernoe obsestvo", "jsc"),
    ("sp z oo", "llc"),
    ("open joint stock company", "ojsc"),
    ("public joint stock company", "pjsc"),
    ("closed joint stock company", "cjsc"),
    ("joint stock company", "jsc"),
    ("limited liability company", "llc"),
    ("public limited company", "plc"),
    ("societatea cu raspundere limitata", "srl"),
    ("societe anonyme", "sa"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("aktiengesellschaft", "ag"),
    ("aktiengeselschaft", "ag"),
    ("limited", "ltd"),
    ("corporation", "corp"),
    ("incorporated", "inc"),
    ("company", "co"),
    ("international", "intl"),
    ("oao", "ojsc"),
    ("zao", "cjsc"),
    ("ooo", "llc"),
    ("pao", "pjsc"),
    ("ao", "jsc"),
)
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
}


_NUMBER_WORDS = frozenset(_NUMBERS)


def _numbers(words: list[str]) -> list[str]:
    """Number words to digits: "forty four" -> "44", "first" -> "1"."""
    out: list[str] = []
    for word in words:
        value = _NUMBERS.get(word)
        if value is None and word.isdigit() and out and out[-1].isdigit() and out[-1].endswith("0"):
            out[-1] = str(int(out[-1]) + int(word))  # "40 4" -> "44"
            continue
        if value is None:
            out.append(word)
        elif (
            value < 10 and out and out[-1].isdigit() and out[-1].endswith("0") and len(out[-1]) == 2
        ):
            out[-1] = str(int(out[-1]) + value)
        else:
            out.append(str(value))
    return out


@lru_cache(maxsize=500_000)
def fold(word: str) -> str:
    """One romanisation of a word: known spellings, then Cyrillic digraphs, doubled letters."""
    word = SPELLINGS.get(word, word)
    for source, target in _CYRILLIC_FOLDS:
        word = word.replace(source, target)
    if _DOUBLED.search(word):
        word = _DOUBLED.sub(r"\1", word)  # "jabhatt", "nusrah"/"nussra"; not "44"
    if "y" in word or "j" in word:
        word = _GLIDE.sub("i", word)  # "Sergey"/"Sergei", "Tsoy"/"Tsoi", "Zayd"/"Zaid"
    if len(word) > 3 and word.endswith("h") and word[-2] in "aeiou":
        word = word[:-1]  # "Nusrah" / "Nusra"
    return SPELLINGS.get(word, word)


_LEGAL_FIRST = frozenset(spelt.split()[0] for spelt, _ in LEGAL_FORMS)


@lru_cache(maxsize=500_000)
def _role(word: str, folded: str, first: bool) -> str:
    if word.isdigit():
        return "number"
    if not first and _ROMAN_NUMERAL.match(word):
        return "number"
    if folded in GENERIC_WORDS or word in GENERIC_WORDS:
        return "generic"
    if word in COMPANY_WORDS or folded in COMPANY_WORDS:
        return "legal"
    if word in TITLES:
        return "title"
    if word in PARTICLES and not first:
        return "particle"
    if word in COUNTRIES or folded in COUNTRIES:
        return "place"
    if _PATRONYMIC.match(word):
        return "patronymic"
    return "name"


#: "Abd al-Aziz", "Abdul Aziz", "Abdelaziz", "عبد العزيز": "servant of" + a word, however
#: written, becomes the two words "abd aziz".
_ABD = frozenset(
    {"abd", "bd", "abdul", "abdel", "abdal", "abdol", "abdu", "abdur", "abdus", "abdar"}
)
_ABD_JOINED = re.compile(r"^abd(?:ul|el|al|ol|ur|ar|us|as|ud|ad|u)(?=[a-z]{3,}$)")


def _servant_names(words: list[str]) -> list[str]:
    """Theophoric "Abd al-X" names in one form: "abd" and the word it governs."""
    out: list[str] = []
    article_follows = False
    for word in words:
        if article_follows and word in ARTICLES:
            article_follows = False
            continue
        if article_follows and word in _ALLAH:
            out[-1] = "abdallah"  # "Abd Allah", "Abd al-Lah": Abdallah, one name
            article_follows = False
            continue
        article_follows = False
        if word in _ABD:
            out.append("abd")
            article_follows = True
            continue
        if word in _ABDALLAH:
            out.append("abdallah")
            continue
        joined = _ABD_JOINED.match(word)
        if joined:
            out += ["abd", word[joined.end() :]]
            continue
        out.append(word)
    return out


#: Abdallah however written, one word: it is "servant of God", but as a name it is one name.
_ALLAH = frozenset({"allah", "alla", "lah", "la", "llah", "ullah", "ulla", "illah", "lh", "llh"})
_ABDALLAH = frozenset(
    {"abdallah", "abdalla", "abdullah", "abdulla", "abdulah", "abdula", "abdalah", "abdillah"}
)


@lru_cache(maxsize=200_000)
def tokens(name: str) -> tuple[Token, ...]:
    """The folded tokens of a name, with roles; the Arabic article is split off ("al-Nusra" ->
    nusra); "bin"/"ibn" becomes a particle and what follows it a forebear's name."""
    out: list[Token] = []
    if name.count(",") == 1:  # "SURNAME, Given" as lists write it: the person's order
        family, given = name.split(",")
        if given.strip() and family.strip():
            name = f"{given} {family}"
    acronym = None
    trailing = _TRAILING_ACRONYM.search(name)
    if trailing and " " in name[: trailing.start()].strip():
        # "HAQQANI NETWORK (HQN)": the list's own acronym of the name, not a word of it.
        acronym = to_latin(trailing.group(1)).replace(" ", "")
        name = name[: trailing.start()]
    text = " " + to_latin(name) + " "
    if not _LEGAL_FIRST.isdisjoint(text.split()):
        for spelt, short in LEGAL_FORMS:
            text = text.replace(f" {spelt} ", f" {short} ")
    words = text.split()
    if not _NUMBER_WORDS.isdisjoint(words) or any(w.isdigit() for w in words):
        words = _numbers(words)
    if any(w.startswith(("abd", "bd")) for w in words):
        words = _servant_names(words)
    lineage = False
    last = len(words) - 1
    for position, word in enumerate(words):
        if word in ARTICLES:
            continue
        if word in _EZAFE and 0 < position < last:
            out.append(_EZAFE_TOKEN)  # "Lashkar-e-Tayyiba", "Hizb-i-Islami": "of", not a name
            continue
        token = _token(word, not out, lineage)
        lineage = lineage or token.role == "particle"
        out.append(token)
    if acronym:
        out.append(Token(acronym, "acronym", False))
    return tuple(out)


_TRAILING_ACRONYM = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9./-]{1,9})\s*\)\s*$")

#: The Persian and Urdu "of" (ezafe) that romanisations write as a word between two others.
_EZAFE = frozenset({"e", "i", "ye", "yi"})
_EZAFE_TOKEN = Token("e", "generic", False)


@lru_cache(maxsize=500_000)
def _token(word: str, first: bool, lineage: bool) -> Token:
    """One word's token: made once per distinct word and place, and shared by every name that
    holds it (a register of a million names holds far fewer words)."""
    role = _role(word, fold(word), first)
    if role == "particle":
        return Token("bin", role, False)
    if role == "number":
        return Token(word if word.isdigit() else str(_roman(word)), role, lineage)
    if role == "legal":
        return Token(word, role, lineage)
    folded = fold(word)
    return Token(folded, role, lineage, folded == word)


#: Regions, provinces and cities that organisations name themselves after, as places: a body
#: "in Khorasan" or "in Benghazi" is another body than the one without (curated, English).
REGIONS = frozenset(
    """
    levant sham maghreb sahel sahara sinai kashmir caucasus turkistan turkestan xinjiang
    chechnya dagestan ingushetia mindanao sulu punjab bengal balochistan baluchistan khorasan
    khurasan waziristan kurdistan mesopotamia hind barqa fezzan tripolitania tarablus
    benghazi derna aden hadramawt mosul anbar idlib aleppo damascus gaza jerusalem quds
    mombasa zanzibar ogaden puntland jubaland africa asia europe arabia
    """.split()
)
COUNTRIES = _countries() | REGIONS


def key(name: str) -> str:
    """A comparison key: the folded tokens, sorted, generic words included."""
    return " ".join(sorted(t.text for t in tokens(name)))
