"""Names that CLDR keeps in every language, read through ICU, for the screening lexicon: the
names of countries and territories, of the cities CLDR names time zones by (Aden, Kabul,
Tripoli, Pyongyang...), and of languages, which Russian writes as the adjective organisation
names use ("арабский", "узбекский", "уйгурский") and Chinese as the people's name with 语
("维吾尔语": 维吾尔, Uyghur).

Each entry is (form, language, English concept, source); the source names the CLDR table and
the ICU version, so an entry can be traced to the open data it came from. Nothing here is
written by hand or drawn from a labelled query.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

import icu

#: Languages whose CLDR names are read (ICU locale ids).
CLDR_LOCALES = {
    "ru": "ru",
    "zh": "zh_Hans",
    "zh-Hant": "zh_Hant",
    "ar": "ar",
    "fa": "fa",
    "ur": "ur",
    "tr": "tr",
    "uz": "uz",
    "uz-Cyrl": "uz_Cyrl",
    "kk": "kk",
    "ky": "ky",
    "tg": "tg",
}
#: The languages whose names are read: those of the regions the register's subjects come
#: from and their neighbours (a language name in an organisation's name is a people's).
LANGUAGES = (
    "ar fa ps ur tr uz kk ky tg tk az ug ku so sw ha am ti ber ru zh ko ja ms id tl bn hi "
    "pa sd bal ckb he el fr en de es it pt nl sq bs sr hr"
).split()
#: The endings Chinese and Turkish add to a people's name to name its language (维吾尔语,
#: Arapça): the name of the people is the form kept.
_LANGUAGE_ENDINGS = ("语", "語", "文", "ça", "çe", "ca", "ce")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
Entry = tuple[str, str, str, str]
#: The time zones read: those of the continents the register's subjects come from.
_REGIONS = ("Asia/", "Africa/", "Europe/")


def _latin(form: str) -> bool:
    """A form in Latin letters: a city's or a language's name in Turkish or Uzbek is a
    spelling of the English one (Bağdat, Qobul), which the spelling routes already match;
    as an entry it would only send more Latin queries through translation."""
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") for c in form)


def _english(name: str) -> str:
    """A CLDR English name as the register writes it (no parentheses, "&" as "and")."""
    name = re.sub(r"\s*\(.*?\)", "", name).replace("&", "and")
    return " ".join(name.split())


def territories() -> Iterator[Entry]:
    """Country and territory names (CLDR's territory display names)."""
    english = icu.Locale("en")
    version = icu.ICU_VERSION
    codes = list(icu.Locale.getISOCountries())
    for language, locale_id in CLDR_LOCALES.items():
        locale = icu.Locale(locale_id)
        for code in codes:
            territory = icu.Locale("", code)
            name = territory.getDisplayCountry(locale)
            concept = _english(territory.getDisplayCountry(english))
            if name and name != code and concept:
                source = f"CLDR territory {code} (ICU {version})"
                for form in {name, _english(name)}:
                    yield form, language, concept.lower(), source


@cache
def _zones() -> tuple[str, ...]:
    """Canonical time zones of Asia, Africa and Europe, named after a city (Asia/Aden)."""
    found = []
    for zone in icu.TimeZone.createEnumeration():
        if not zone.startswith(_REGIONS):
            continue
        found.append(zone)
    return tuple(found)


def cities() -> Iterator[Entry]:
    """City names (CLDR's exemplar cities of time zones), in the scripts other than Latin: a
    form of three letters or fewer, or of one Han character, is left out (too often a
    syllable or a word of something else)."""
    version = icu.ICU_VERSION
    english = icu.TimeZoneNames.createInstance(icu.Locale("en"))
    names = {zone: english.getExemplarLocationName(zone) for zone in _zones()}
    for language, locale_id in CLDR_LOCALES.items():
        local = icu.TimeZoneNames.createInstance(icu.Locale(locale_id))
        for zone, concept in names.items():
            if not concept:
                continue
            form = local.getExemplarLocationName(zone)
            if not form or form.casefold() == concept.casefold():
                continue
            if len(form) < (2 if _HAN.fullmatch(form) else 4) or _latin(form):
                continue
            yield (
                form,
                language,
                _english(concept).lower(),
                f"CLDR exemplar city {zone} (ICU {version})",
            )


def languages() -> Iterator[Entry]:
    """Language names as the adjective or people's name they are in organisation names, in
    the scripts other than Latin."""
    version = icu.ICU_VERSION
    english = icu.Locale("en")
    for language, locale_id in CLDR_LOCALES.items():
        locale = icu.Locale(locale_id)
        for code in LANGUAGES:
            concept = _english(icu.Locale(code).getDisplayLanguage(english)).lower()
            form = icu.Locale(code).getDisplayLanguage(locale)
            if not form or form == code or not concept or " " in concept:
                continue
            source = f"CLDR language {code} (ICU {version})"
            for ending in _LANGUAGE_ENDINGS:
                if form.endswith(ending) and len(form) - len(ending) >= 2:
                    form = form[: -len(ending)]
                    break
            if len(form) < (2 if _HAN.fullmatch(form) else 4) or _latin(form):
                continue
            yield form, language, concept, source
