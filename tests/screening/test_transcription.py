"""Foreign names transcribed in Chinese characters, compared with Latin words by sound."""

from __future__ import annotations

import pytest

from accord.screening.lexicon import translate
from accord.screening.score import compare, readings
from accord.screening.transcription import (
    TRANSCRIBED,
    latin_key,
    pinyin_key,
    skeleton_guesses,
    transcription_similarity,
)


@pytest.mark.parametrize(
    ("syllables", "word"),
    [
        ("nu si la", "nusra"),  # 努斯拉
        ("ha ka ni", "haqani"),  # 哈卡尼
        ("yi si lan", "islam"),  # 伊斯兰: the nasal coda is the m
        ("ba ge da di", "baghdadi"),  # 巴格达迪
        ("ta li ban", "taliban"),  # 塔利班
        ("mu han mo de", "muhamad"),  # 穆罕默德
        ("sha mu", "sham"),  # 沙姆
    ],
)
def test_a_transcription_sounds_like_its_original(syllables: str, word: str) -> None:
    assert transcription_similarity(syllables, word) >= 0.85


@pytest.mark.parametrize(
    ("syllables", "word"),
    [
        ("nu si la", "nasir"),  # same consonants, other vowels
        ("ha ma si", "hamis"),
        ("ha ma si", "hamati"),
        ("ha ka ni", "hakimi"),
        ("ba ge da di", "bakr"),
    ],
)
def test_other_names_do_not(syllables: str, word: str) -> None:
    assert transcription_similarity(syllables, word) == 0.0


def test_keys() -> None:
    assert pinyin_key("nu si la") == "NUSELA"  # the i of si is no vowel of the original
    assert latin_key("nusrah") == "NUSLA"  # a closing h is not written
    assert "nsr" in skeleton_guesses("nu si la")
    # A run that may be two words together ("Abu Sayyaf"): the second word's skeleton too.
    assert "sf" in skeleton_guesses("a bu sha ye fu")
    assert skeleton_guesses("not pinyin at all") == []


def test_translated_name_with_a_transcribed_word() -> None:
    found = compare("努斯拉阵线", "Al-Nusrah Front", "organization")
    assert found.score >= 0.85
    routes = {p.how for p in found.pairs}
    assert TRANSCRIBED in routes and "translated" in routes


def test_a_transcribed_run_against_two_words() -> None:
    found = compare("阿布沙耶夫组织", "Abu Sayyaf Group", "organization")
    assert found.score >= 0.7
    assert any(p.how == TRANSCRIBED and p.register == "abu sayaf" for p in found.pairs)


def test_a_foreign_person_in_chinese_characters() -> None:
    # Chinese writes the parts of a foreign name apart by a middle dot.
    found = compare("阿布·贝克尔·巴格达迪", "Abu Bakr al-Baghdadi", "person")
    assert found.score >= 0.85
    assert found.reading is not None and found.reading.reading == "transcribed"
    assert compare("阿布·贝克尔·巴格达迪", "Abu Bakr al-Iraqi", "person").score < 0.7


def test_a_chinese_name_is_not_read_as_a_transcription() -> None:
    # A Chinese family name first, three characters: a name in Chinese characters.
    assert translate("李洙墉") == ()
    assert [r.reading for r in readings("李洙墉")] == ["as written"]


def test_pinyin_letters_are_not_compared_by_edit_distance() -> None:
    # 哈玛斯 (Hamas) is not "al-Hamati": "hamasi" is pinyin, not a spelling.
    found = compare("哈玛斯", "Al-Hamati, Muhammad", "person")
    assert found.score < 0.5
