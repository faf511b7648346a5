"""Screening across languages: translated organisation names, romanisation families, caps on
weak evidence, explanations that say "translated", calibration beside every score, bad input.

The register is the UN list alone (2025-08-02), as the issue tried it. The examples are the
issue's own; the labelled set's figures are a benchmark (bench/crosslingual.py), not a test.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.screening import calibration
from accord.screening.index import ScreeningIndex
from accord.screening.lexicon import lexicon, translate
from accord.screening.score import compare
from accord.screening.service import DEFAULT_THRESHOLD, Query, screen
from accord.screening.similarity import sound_keys, word_similarity
from tests import registers


@pytest.fixture(scope="module")
def un_index(tmp_path_factory: pytest.TempPathFactory) -> ScreeningIndex:
    return registers.un_index(tmp_path_factory.mktemp("xl"))


def best(index: ScreeningIndex, name: str) -> dict[str, object]:
    matches = screen(index, Query("q", name))["matches"]
    assert matches, f"{name}: no candidates"
    return matches[0]


@pytest.mark.parametrize(
    ("query", "reference"),
    [
        ("Исламское движение Узбекистана", "QDe.010"),
        ("Исламского движения Узбекистана", "QDe.010"),
        ("东突厥斯坦伊斯兰运动", "QDe.088"),
        ("東突厥斯坦伊斯蘭運動", "QDe.088"),
        ("东伊运", "QDe.088"),
        ("Аль-Каида в странах исламского Магриба", "QDe.014"),
        ("Египетский исламский джихад", "QDe.003"),
        ("Исламское государство Ирака и Леванта", "QDe.115"),
        ("ИГИЛ", "QDe.115"),
        ("ДАИШ", "QDe.115"),
        ("Лашкар-и-Тайба", "QDe.118"),
        ("Общество возрождения исламского наследия", "QDe.070"),
        ("Lee Chun Song", "KPi.075"),
        ("Yi Song Hyok", "KPi.077"),
        ("Bak Tochun", "KPi.050"),
        ("Gang Cholsu", "KPi.059"),
        ("Аль-Каида", "QDe.004"),
        ("Аль-Джихад", "QDe.003"),
        ("لشکر تایبه", "QDe.118"),
        ("Рашид Таан Казим", "IQi.049"),
        ("Omar Mahmud Usman", "QDi.031"),
    ],
)
def test_the_issues_queries_find_their_subjects(
    un_index: ScreeningIndex, query: str, reference: str
) -> None:
    match = best(un_index, query)
    assert reference in match["references"], (query, match["matched_name"], match["score"])
    assert match["match"], (query, match["score"])


@pytest.mark.parametrize(
    ("query", "near"),
    [("Hani Kassab", "Hani"), ("KHALID SAIDOV", "Khalid"), ("Юсуф Садат", "Yusuf")],
)
def test_a_shared_given_name_alone_is_never_a_match(
    un_index: ScreeningIndex, query: str, near: str
) -> None:
    matches = screen(un_index, Query("q", query))["matches"]
    assert not any(m["match"] for m in matches)
    found = next(m for m in matches if m["matched_name"] == near)
    assert found["explanation"]["capped"]  # and it says why it was held down


def test_only_generic_words_are_never_a_match(un_index: ScreeningIndex) -> None:
    for query in ("Islamic Movement", "Исламское движение", "伊斯兰运动", "Jamaat"):
        matches = screen(un_index, Query("q", query))["matches"]
        assert not any(m["match"] for m in matches), query


def test_a_translation_scores_as_high_as_the_transliteration() -> None:
    translated = compare("Исламское движение Узбекистана", "Islamic Movement of Uzbekistan")
    written = compare("Islamic Movement of Uzbekistan", "Islamic Movement of Uzbekistan")
    assert translated.score >= 0.9 and written.score >= translated.score


def test_the_explanation_says_translated_with_the_entries_used(
    un_index: ScreeningIndex,
) -> None:
    match = best(un_index, "Исламское движение Узбекистана")
    explanation = match["explanation"]
    assert explanation["reading"] == "translated"
    entries = {e["form"]: e for e in explanation["translation"]["entries"]}
    assert entries["движение"]["english"] == "movement"
    assert entries["движение"]["source"] == "curated"
    assert entries["Узбекистан"]["source"].startswith("CLDR territory UZ")
    assert any(p["how"] == "translated" for p in explanation["pairs"])


def test_every_score_carries_its_calibration(un_index: ScreeningIndex) -> None:
    match = best(un_index, "Lee Chun Song")
    band = match["calibration"]
    assert band is not None and 0.0 <= band["observed_precision"] <= 1.0
    assert band["measured_on"].endswith("frozen test part")
    assert calibration.band(0.1) is None  # below the table: no claim made


def test_romanisation_families(un_index: ScreeningIndex) -> None:
    assert compare("Gang Cholsu", "KANG CHOL SU", "person").score >= DEFAULT_THRESHOLD
    # A Korean given name a letter off is a weak lead alone, and another person beside the
    # exact name.
    assert compare("Kim Songchol", "KIM YONG CHOL", "person").score < 0.75
    matches = screen(un_index, Query("q", "Kim Songchol"))["matches"]
    assert matches[0]["matched_name"] == "KIM SONG CHOL"
    assert not any(m["match"] for m in matches[1:])
    assert compare("Ryu Hyun-jin", "RYU JIN", "person").score < DEFAULT_THRESHOLD
    assert compare("리춘성", "RI CHUN SONG", "person").score >= 0.95  # Hangul
    assert not sound_keys("kathim").isdisjoint(sound_keys("kadhim"))
    assert not sound_keys("uthman").isdisjoint(sound_keys("osman"))
    assert not sound_keys("jamal").isdisjoint(sound_keys("gamal"))
    # "Dj" opens as "j" does: the correspondence is tried (it was refused by a second,
    # letter-only opening test).
    assert word_similarity("djamil", "gamil", False, False, 4)[1] == "sound correspondence"
    assert compare("Mahmoud Abbas", "Muhammad Abbas", "person").score < DEFAULT_THRESHOLD
    # Chinese: Wade-Giles and pinyin, every syllable counting.
    assert compare("Mao Tse-tung", "Mao Zedong", "person").score >= 0.9
    assert compare("Teng Hsiao-ping", "Deng Xiaoping", "person").score >= 0.9
    assert compare("Jiang Wen", "Jiang Wen-ji", "person").score < DEFAULT_THRESHOLD


def test_every_lexicon_entry_names_its_source() -> None:
    found = lexicon()
    senses = [*found.words.values(), *found.phrases.values(), *found.han.values()]
    senses += [s for group in found.acronyms.values() for s in group]
    assert len(senses) > 2000
    assert all(s.source for s in senses)
    assert {s.language for s in senses} >= {"ru", "zh", "ar", "fa", "ur", "tr", "uz", "kk", "ky"}


@pytest.mark.parametrize(
    "name",
    [
        "Ислам Movement 运动",  # mixed scripts
        "ისლამური მოძრაობა",  # a language the lexicon does not know (Georgian)
        "Islamic Movement",
        "‮ИГИЛ‬",  # bidirectional controls
        "\u200bАль-Каида\u200b",
    ],
)
def test_bad_input_gets_a_clear_answer(un_index: ScreeningIndex, name: str) -> None:
    result = screen(un_index, Query("q", name))
    assert "error" not in result
    assert all(0.0 <= m["score"] <= 1.0 for m in result["matches"])


def test_syllable_patterns_never_backtrack_without_end() -> None:
    # "ang" repeated is pinyin-like all along and fails at its end: a pattern with
    # overlapping alternatives would take minutes on it.
    for name in ("Wang " + "ang" * 40 + "x", "Kim " + "ong" * 40 + "x", "ang" * 60):
        assert 0.0 <= compare(name, "Wang Angang").score <= 1.0


def test_a_huge_name_is_a_clear_error(un_index: ScreeningIndex) -> None:
    result = screen(un_index, Query("q", "Исламское движение " * 600))
    assert "limit" in result["error"] and result["matches"] == []


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_any_text_translates_and_scores_without_error(text: str) -> None:
    for reading in translate(text):
        assert isinstance(reading.text, str)
    assert 0.0 <= compare(text, "Islamic Movement of Uzbekistan").score <= 1.0
