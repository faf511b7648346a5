"""The translation rules of 2026-12-08 (issue 13): open-data names from CLDR, place adjectives,
Arabic plurals, other renderings and senses of a translated word, how a translation's
vocabulary and function words weigh, and an English rendering read as one. Each rule with a
hard negative: what it must not let through."""

from __future__ import annotations

from accord.screening.cldr import cities, languages
from accord.screening.lexicon import lexicon, translate
from accord.screening.places import nisba, place_adjective
from accord.screening.score import compare
from accord.screening.thesaurus import translated_similarity

THRESHOLD = 0.7


def _senses(name: str) -> list[tuple[str, str]]:
    return [(s.concept, s.source) for t in translate(name) for s in t.senses]


def test_a_city_from_cldr_translates_with_its_source() -> None:
    found = _senses("Бригада Дамаска")
    assert found[0][0] == "brigade"
    assert found[1][0] == "damascus"
    assert found[1][1].startswith("CLDR exemplar city Asia/Damascus (ICU ")
    assert [c for c, _ in _senses("Фронт Карачи")] == ["front", "karachi"]


def test_a_city_inside_a_transcribed_name_is_its_sounds() -> None:
    # 巴格达 is Baghdad, but in 巴格达迪 (Baghdadi) the characters transcribe a name.
    assert not any(concept == "baghdad" for concept, _ in _senses("阿布·贝克尔·巴格达迪"))
    assert ("kabul", "CLDR exemplar city Asia/Kabul") in [
        (c, s.split(" (")[0]) for c, s in _senses("喀布尔银行")
    ]


def test_latin_city_and_language_names_are_no_entries() -> None:
    # A Turkish or Uzbek city name is a spelling of the English one: no Latin entries.
    assert all(not form.isascii() for form, *_ in cities())
    assert all(any(not c.isascii() for c in form) for form, *_ in languages())
    assert "bagdat" not in lexicon().words


def test_a_language_name_is_the_peoples_adjective() -> None:
    assert [c for c, _ in _senses("Уйгурский джамаат")][0] == "uyghur"
    assert [c for c, _ in _senses("维吾尔伊斯兰运动")][0] == "uyghur"
    # A language name of one Han character is left out (韩语: 韩 is a syllable of names).
    assert all(len(form) >= 2 for form, *_ in languages())


def test_a_russian_adjective_of_a_city_is_the_city() -> None:
    assert [c for c, _ in _senses("Кабульский фронт")] == ["kabul", "front"]
    # An adjective whose stem names no place stays what it is.
    assert place_adjective(("красный",), lexicon()) is None


def test_an_arabic_adjective_of_a_place_is_the_place() -> None:
    assert [c for c, _ in _senses("الاتحاد الأوزبكي")] == ["union", "uzbekistan"]
    # The nisba of a word that is no place gives no place.
    assert nisba(("اسلامي",), lexicon()) is None


def test_an_arabic_plural_is_its_singular() -> None:
    assert "investment" in [c for c, _ in _senses("الشركة الليبية للاستثمارات الأفريقية")]
    # A name that only ends like a plural (هارون, Harun) is no word of the lexicon.
    assert translate("هارون") == ()


def test_another_rendering_or_one_stem() -> None:
    assert translated_similarity("army", "forces")[0] == 0.9
    assert translated_similarity("democratic", "democratiques")[0] == 0.9
    assert (
        compare(
            "Демократические силы освобождения Руанды",
            "FORCES DEMOCRATIQUES DE LIBERATION DU RWANDA (FDLR)",
            "organization",
        ).score
        >= 0.9
    )
    # A shared beginning with another ending is another word.
    assert translated_similarity("liberation", "liberal") == (0.0, "")
    assert translated_similarity("islamic", "islamabad") == (0.0, "")


def test_another_sense_of_a_translated_word() -> None:
    # 省 is a ministry or a province; المغرب is Morocco (CLDR) or the Maghreb.
    found = compare("呼罗珊省", "Khorasan Province", "organization")
    assert found.score >= 0.95
    assert any(p.how == "translated (another sense)" for p in found.pairs)
    assert compare("المغرب الإسلامي", "Islamic Maghreb", "organization").score >= 0.95
    entry = next(s for t in translate("利比亚伊斯兰战斗团") for s in t.senses if s.form == "团")
    assert entry.as_dict()["also"] == ["regiment"]
    assert compare("利比亚伊斯兰战斗团", "LIBYAN ISLAMIC FIGHTING GROUP").score >= 0.95
    # An English name is not read through a sense of a word it does not hold.
    english = compare("Libyan Islamic Fighting Regiment", "LIBYAN ISLAMIC FIGHTING GROUP")
    assert not any(p.how == "translated (another sense)" for p in english.pairs)


def test_a_translations_vocabulary_weighs_less_but_still_tells_bodies_apart() -> None:
    # The whole name translated: the function words of the French name weigh as particles.
    assert (
        compare("卢旺达解放民主力量", "FORCES DEMOCRATIQUES DE LIBERATION DU RWANDA").score >= 0.9
    )
    # Hard negative: one word of the vocabulary on each side without a partner (army, state)
    # is two bodies, whatever the lower weight of the words.
    assert compare("الجيش الإسلامي في العراق", "Islamic State of Iraq").score < THRESHOLD
    # A translation's "organisation" is not another kind of body's word ("Society").
    oic = compare("伊斯兰合作组织", "Society of Islamic Cooperation", "organization")
    assert oic.score < THRESHOLD


def test_an_english_rendering_is_read_against_the_registers_renderings() -> None:
    assert compare("Levant Liberation Committee", "Liberation of al-Sham Commission").score >= 0.9
    # Its numbers stay: "Management Company 23" is not "Management Company".
    assert compare("Management Company 23", "Management Company").score < THRESHOLD
    # English words only, none of the curated vocabulary: no reading of its own.
    assert translate("Kurdistan") == ()


def test_a_single_generic_word_never_reaches_the_threshold() -> None:
    assert compare("Фронт", "Front", "organization").score < THRESHOLD
    assert (
        compare("Исламское движение", "Al Harakat Al Islamiyya", "organization").score < THRESHOLD
    )
    assert compare("Фронт", "Al-Nusrah Front for the People of the Levant").score < THRESHOLD
