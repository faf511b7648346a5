"""Normalisation: one name written in several scripts and romanisations gives one key."""

from __future__ import annotations

import pytest

from accord.screening.normalise import fold, key, to_latin, tokens


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Xi Jinping", "习近平"),
        ("Jabhat al-Nusrah", "Jabhat an Nusra"),
        ("Mohammed Omar", "Muhammad Omar"),
        ("Tehrik-e-Taliban Pakistan", "Tehrik e Taleban Pakistan"),
        ("Eastern Turkestan Islamic Movement", "Eastern Turkistan Islamic Movement"),
        ("İSTANBUL", "istanbul"),
    ],
)
def test_variants_of_one_name_share_a_key(left: str, right: str) -> None:
    assert key(left).replace(" ", "") == key(right).replace(" ", "")


def test_cyrillic_romanisation_comes_within_a_vowel() -> None:
    # "Джебхат ан-Нусра": the article goes, Dzh/J fold; the e/a vowel is the scorer's job.
    assert key("Джебхат ан-Нусра") == "jebhat nusra"
    assert key("Jabhat al-Nusra") == "jabhat nusra"


def test_different_names_stay_different() -> None:
    assert key("Islamic Party of Turkestan") != key("Islamic Party of East Turkestan")
    assert key("Hizb ut-Tahrir") != key("Hizbollah")


def test_generic_words_are_marked_not_dropped() -> None:
    marked = {t.text: t.generic for t in tokens("Islamic Renaissance Party of Tajikistan")}
    assert marked["party"] is True and marked[fold("renaissance")] is False
    assert to_latin("  «Движение   Талибан» ") == "dvizhenie taliban"
    assert fold("Nusrah".lower()) == fold("nussra")
    assert to_latin("!!!") == ""
