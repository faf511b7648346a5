"""The cheap test that picks the sentences to parse (English): every sentence the parse
could read an attack or an attacker's name in is parsed, the others are not."""

from __future__ import annotations

import pytest

from accord.ingest.attackers import ATTACKER_FORMS, NAMING, may_name
from accord.ingest.nlp import english
from accord.ingest.parse import CHEAP, TRIGGER_FORMS, may_report


@pytest.mark.parametrize(
    "sentence",
    [
        "Somalia has not had a stable government for decades.",
        "An explosive device had been found at another station.",
        "Ministers discussed injuries at work and the cost of insurance.",
    ],
)
def test_words_that_only_begin_like_attack_words_are_not_parsed(sentence: str) -> None:
    assert CHEAP.search(sentence)  # the old test alone would have parsed them
    assert not may_report(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Gunmen opened fire on worshippers in the mosque.",
        "A bomb exploded near the market.",
        "Two policemen were wounded.",
        "The attacks were carried out at night.",
    ],
)
def test_sentences_with_an_attack_word_are_parsed(sentence: str) -> None:
    assert may_report(sentence)


def test_every_form_the_parse_reads_as_an_attack_passes_when_it_begins_like_one() -> None:
    for form in TRIGGER_FORMS:
        sentence = f"They said {form} there."
        if CHEAP.search(sentence):
            assert may_report(sentence), form


def test_a_sentence_naming_an_attacker_is_parsed() -> None:
    assert may_name("Police identified the attacker as Ahmed Karimov.")
    assert not may_name("Police identified three bodies at the attack site.")
    assert {"identified", "named"} <= NAMING
    assert "attacker" in ATTACKER_FORMS


def test_the_english_model_loads_only_the_components_the_reader_runs() -> None:
    assert english().pipe_names == ["tok2vec", "tagger", "parser", "ner"]
