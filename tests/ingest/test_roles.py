"""Incident roles read from the sentence's structure (English): sentences written for these
tests, each role asserted."""

from __future__ import annotations

from typing import Any

from accord.ingest.pipeline import ingest


def own(text: str) -> list[dict[str, Any]]:
    return [i for i in ingest(text, "test-article")["incidents"] if not i["background"]]


def names(incidents: list[dict[str, Any]], role: str) -> set[str]:
    return {ref["name"].lower() for i in incidents for ref in i[role]}


def test_the_agent_of_a_passive_attack_noun_is_the_perpetrator() -> None:
    found = own(
        "Officials told reporters that the attack was carried out by a 25-year-old suspect "
        "on a police convoy in Quetta on Monday."
    )
    assert any("25-year-old suspect" in n for n in names(found, "perpetrators"))
    assert any("convoy" in n for n in names(found, "victims"))
    assert "quetta" in names(found, "places")
    assert "officials" not in names(found, "perpetrators")


def test_a_group_behind_the_attack_is_its_perpetrator_not_the_ministry_that_said_so() -> None:
    found = own(
        "The interior ministry said the Islamic State group was behind the attack on the "
        "church in Homs."
    )
    perpetrators = names(found, "perpetrators")
    assert any("islamic state" in n for n in perpetrators)
    assert not any("ministry" in n for n in perpetrators)
    assert "homs" in names(found, "places")


def test_a_place_the_attack_took_place_in_is_read_through_called_and_of() -> None:
    found = own("The attack took place in a village called Tindoulaye, the sources said.")
    assert "tindoulaye" in names(found, "places")
    found = own("Militants attacked a convoy of border guards in Qaraghun on Thursday.")
    assert "militants" in names(found, "perpetrators")
    assert any("convoy of border guards" in n for n in names(found, "victims"))
    assert "qaraghun" in names(found, "places")


def test_an_attack_only_plotted_and_an_operation_against_militants_are_no_incidents() -> None:
    assert not own("Police arrested four men suspected of plotting an attack in Ghent.")
    assert not own("Security forces killed six militants in a raid on a house in Osh.")


def test_an_attack_years_before_the_news_is_background() -> None:
    text = (
        "Gunmen kill two guards at a bank in Mombasa\n\n"
        "March 3, 2024\n\n"
        "Gunmen killed two guards at a bank in Mombasa on Saturday, police said. "
        "In 2019, a bomb on a bus killed five passengers in Garissa."
    )
    found = own(text)
    assert "gunmen" in names(found, "perpetrators")
    assert "mombasa" in names(found, "places")
    assert "garissa" not in names(found, "places")
    assert not any("passengers" in n for n in names(found, "victims"))


def test_the_named_killed_and_the_group_attackers_belong_to() -> None:
    found = own(
        "Two guards, Tomas Varga and Peter Holub, killed by the blast in Mopti were buried on "
        "Friday."
    )
    victims = names(found, "victims")
    assert {"tomas varga", "peter holub"} <= victims
    assert "mopti" in names(found, "places")
    found = own(
        "The attack was carried out by militants belonging to the Harakat al-Ahrar group, "
        "which has claimed responsibility for numerous attacks on soldiers in the region."
    )
    perpetrators = names(found, "perpetrators")
    assert any("harakat al-ahrar" in n for n in perpetrators)
    assert "militants" in perpetrators
    assert "soldiers" not in names(found, "victims")  # the group's past, not this attack


def test_attackers_killed_in_the_attack_are_not_its_agents() -> None:
    found = own(
        "Nine soldiers and four assailants were killed in an attack on an army base in "
        "Kidal on Sunday."
    )
    assert not names(found, "perpetrators")
    assert "soldiers" in names(found, "victims")
    assert any("army base" in n for n in names(found, "victims"))
    assert "kidal" in names(found, "places")


def test_an_attack_named_only_by_its_trial_or_blame_gives_no_roles() -> None:
    assert not own(
        "A court in Tashkent sentenced the perpetrators of the attack on the Grand Bazaar "
        "to life terms."
    )
    assert not own("The government blames the Free Hills Front for attacks in Vorland.")


def test_the_part_of_a_target_stands_for_the_whole_and_the_building_refers_back() -> None:
    found = own(
        "Militants rammed the gates of an army base in Gao with a truck, then stormed the building."
    )
    victims = names(found, "victims")
    assert any("army base" in n for n in victims)
    assert not any("gate" in n for n in victims)
    assert "building" not in victims
    assert "militants" in names(found, "perpetrators")


def test_a_place_noun_with_its_name_is_where_not_whom() -> None:
    found = own("Two people were killed in an attack on the small town of Saint-Ribaut.")
    assert "saint-ribaut" in names(found, "places")
    assert not any("town" in n for n in names(found, "victims"))


def test_an_operation_that_killed_and_detained_militants_is_no_incident() -> None:
    assert not own(
        "Security forces killed and detained militants who were planning a series of attacks "
        "in Osh."
    )


def test_unnamed_attackers_written_two_ways_are_one_party() -> None:
    text = (
        "Assailants kill 29 in China\n\n"
        "Assailants killed 29 people at the railway station in Kunming on Saturday. "
        "Witnesses said the assailants stabbed passengers at the station."
    )
    article = ingest(text, "test-article")
    refs = [
        ref for i in article["incidents"] for ref in i["perpetrators"] if ref["kind"] == "unnamed"
    ]
    assert refs
    # One name however the headline capitalised it ...
    assert len({ref["name"] for ref in refs}) == 1
    # ... and each mention keeps its own evidence, quoting the text as written.
    for ref in refs:
        span = ref["evidence"]
        assert text[span["start"] : span["end"]] == span["text"]
        assert span["text"].lower() == "assailants"
