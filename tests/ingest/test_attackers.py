"""Incident roles read from the structure around the attack sentence (English): attackers
named after the fact, arrested for the act, a dateline's place, and the words that only
look like roles. Sentences written for these tests, each role asserted."""

from __future__ import annotations

import pytest

from accord.ingest.pipeline import ingest
from tests.ingest.test_roles import names, own


def test_an_attacker_identified_later_is_a_perpetrator_of_the_attack_before() -> None:
    found = own(
        "Gunmen attacked a police station in Tikrit on Monday, killing two officers. "
        "Police identified the attacker as Ahmed Karimov, a 24-year-old from Mosul."
    )
    assert "ahmed karimov" in names(found, "perpetrators")
    found = own(
        "A gunman killed four people in central Vienna on Monday night. "
        "The suspected killer, who was shot dead by police, was named by the authorities as "
        "Kujtim Fejzulai."
    )
    assert "kujtim fejzulai" in names(found, "perpetrators")


def test_a_suspect_named_in_a_report_of_arrests_only_is_no_perpetrator() -> None:
    article = ingest(
        "Police in Tikrit detained three men on Monday. Police identified the suspect as "
        "Ahmed Karimov, a 24-year-old from Mosul.",
        "test-article",
    )
    assert not names(article["incidents"], "perpetrators")


def test_the_one_arrested_on_suspicion_of_the_attack_is_its_suspected_perpetrator() -> None:
    found = own(
        "Swedish police arrested a 39-year-old Uzbek man on suspicion of ramming a hijacked "
        "truck into crowds in central Stockholm, killing four people."
    )
    refs = [ref for i in found for ref in i["perpetrators"]]
    assert any("uzbek man" in ref["name"].lower() for ref in refs)
    assert all(ref["attribution"] == "suspected" for ref in refs)
    assert not own("Police arrested a man on suspicion of plotting to bomb a church in Lyon.")
    assert not own("Police detained a man suspected of planning to bomb a church in Lyon.")


def test_the_dateline_is_the_place_only_when_the_sentence_names_none() -> None:
    found = own("VIENNA, Nov 3 — A gunman killed four people on Monday night, police said.")
    assert "vienna" in names(found, "places")
    found = own(
        "PARIS – A knife-wielding attacker killed one person and injured two others in a school "
        "in northern France on Friday."
    )
    assert "paris" not in names(found, "places")


def test_who_was_not_hurt_is_no_victim() -> None:
    found = own("A bomb exploded outside a school in Arras on Friday. No students were injured.")
    assert "students" not in names(found, "victims")


def test_a_former_state_in_a_description_does_not_make_the_attack_background() -> None:
    found = own(
        "A suicide bomber born in the former Soviet republic of Kyrgyzstan was behind a blast "
        "on the subway in Novosibirsk that killed 13 people, investigators said."
    )
    assert "suicide bomber" in names(found, "perpetrators")


def test_the_attacker_in_an_article_with_a_bomber_is_that_bomber() -> None:
    found = own(
        "A suicide bomber attacked a security convoy in Peshawar on Friday, killing six people. "
        "Police said the attacker was targeting a senior police official."
    )
    assert names(found, "perpetrators") == {"suicide bomber"}


def test_carrying_a_bomb_is_not_carrying_out_an_attack() -> None:
    found = own(
        "A bomb exploded at a market in Quetta on Friday. Police suspect that the man killed "
        "in the blast was carrying the bomb."
    )
    assert "man" not in names(found, "perpetrators")


def test_attackers_written_with_their_group_are_the_group() -> None:
    found = own("IS fighters opened fire on civilians outside the airport in Kabul, he added.")
    perpetrators = names(found, "perpetrators")
    assert "islamic state" in perpetrators
    assert "fighters" not in perpetrators


def test_a_group_a_gunman_only_supported_is_not_the_perpetrator() -> None:
    found = own(
        "Police said a gunman who killed four people in Vienna on Monday was an Islamic State "
        "supporter."
    )
    assert "gunman" in names(found, "perpetrators")
    assert not any("islamic state" in n for n in names(found, "perpetrators"))


def test_a_state_of_a_federation_is_no_armed_group() -> None:
    found = own(
        "Insurgents attacked an army base in Gajiram in the Nganzai Local Government Area of "
        "Borno State on Monday."
    )
    assert not any("borno" in n for n in names(found, "perpetrators"))


def test_counting_words_are_not_part_of_a_victim() -> None:
    found = own("Several police have been killed in clashes with militants in Grozny.")
    assert "police" in names(found, "victims")
    assert "several police" not in names(found, "victims")


@pytest.mark.parametrize(
    "sentence",
    [
        "The engineers were on their way to Kohistan from the federal capital Islamabad when a "
        "car bomb rammed into their vehicle.",
        "A bomb exploded at the police headquarters, about 20 km from the regional capital of "
        "Islamabad, on Monday.",
    ],
)
def test_a_place_one_came_from_or_a_distance_is_measured_from_is_not_where(
    sentence: str,
) -> None:
    assert "islamabad" not in names(own(sentence), "places")


def test_a_named_square_is_where_and_a_village_is_not_a_victim() -> None:
    found = own("At least 32 people were killed by the bombings at a market near Tayaran Square.")
    assert "tayaran square" in names(found, "places")
    assert "tayaran square" not in names(found, "victims")
    found = own("Jihadists attacked soldiers in a village called Kankanfogouol on Monday.")
    assert "village" not in names(found, "victims")
    assert "kankanfogouol" in names(found, "places")


def test_an_attack_named_only_by_investigations_into_it_gives_no_place() -> None:
    assert not own("China's embassy in Pakistan demanded investigations into the attack.")


def test_the_seat_of_a_body_that_spoke_is_not_where_the_attack_was() -> None:
    found = own(
        "The bomb went off in a crowded market on Monday, killing nine people, said Oleg "
        "Yelnikov, a spokesman for the Interior Ministry in Moscow."
    )
    assert "moscow" not in names(found, "places")
    found = own("Gunmen attacked the Interior Ministry in Kabul on Monday.")
    assert "kabul" in names(found, "places")


def test_an_attack_the_accused_are_accused_of_gives_no_roles() -> None:
    assert not own("The court accused the suspects of committing the attack on the Grand Bazaar.")
