"""The scorer: cross-script matches score high and say how; conflicts and strangers score low."""

from __future__ import annotations

from accord.screening.score import compare


def test_cross_script_and_romanisation_match_with_reasons() -> None:
    xi = compare("习近平", "Xi Jinping")
    assert xi.score >= 0.9
    nusra = compare("Джебхат ан-Нусра", "Jabhat al-Nusra")
    assert nusra.score >= 0.8
    assert {p.how for p in nusra.pairs} <= {"exact", "romanisation", "edit distance", "skeleton"}
    assert nusra.explanation()["pairs"][0]["register"] in ("jabhat", "nusra")


def test_missing_parts_cost_little_conflicting_parts_cost_much() -> None:
    missing = compare("Sergei Lavrov", "Sergey Viktorovich Lavrov")
    conflict = compare("TAHA YASSIN RAMADAN AL-MOSULI", "TAHA YASSIN RAMADAN AL-JIZRAWI")
    assert missing.score > 0.7 > conflict.score
    assert conflict.unmatched_query == ["mosuli"] and conflict.unmatched_register == ["jizrawi"]


def test_legal_forms_and_split_words() -> None:
    assert compare("Bowne Global Solutions, S.A.R.L.", "Bowne Global Solutions SARL").score >= 0.9
    assert compare("Ramimakhlouf", "Rami Makhlouf").score >= 0.9
    assert compare("ICBC (Asia) Limited", "ICBC (London) plc").score < 0.7
    assert compare("", "anything").score == 0.0


def test_legal_forms_numbers_apostrophes_and_sounds() -> None:
    assert compare("Siemens Aktiengesellschaft", "Siemens AG").score >= 0.9
    assert compare("OAO Gazprom", "Open Joint Stock Company Gazprom").score >= 0.9
    assert compare("Brigade Forty-Four", "Brigade 44").score >= 0.9
    assert compare("1st International Bank", "First International Bank").score >= 0.9
    assert compare("Al Qaeda", "Al Qa'ida").score >= 0.8
    shi = compare("Shi Jinping", "Xi Jinping")
    assert shi.score >= 0.8 and "phonetic" in {p.how for p in shi.pairs}


def test_two_common_names_crossed_in_a_longer_name_are_a_namesake() -> None:
    # A public figure's two common names in another order, in a longer listed name.
    assert compare("Omar Sharif", "Mohammed, Shariff Omar", "person").score < 0.7
    assert compare("Mohammad Hafeez", "Hafez Mohammad Saeed", "person").score < 0.7
    # The whole name reordered is the same person; so is one name written twice.
    assert compare("Shariff Omar Mohammed", "Mohammed, Shariff Omar", "person").score >= 0.9
    assert compare("Shoigu Shoigu Sergey", "Sergey Shoigu", "person").score >= 0.9


def test_turkish_article() -> None:
    assert compare("Eymen ez-Zevahiri", "Al Zawahiri Ayman", "person").score >= 0.7
