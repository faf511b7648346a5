"""Language detection's letter and script counts, made fast (regex and C loops), against the
plain loops they replaced: the same counts and the same script for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.ingest import languages

#: Characters of every script the detector tells apart, and of others.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x7F),
        st.characters(min_codepoint=0xC0, max_codepoint=0x24F),
        st.characters(min_codepoint=0x250, max_codepoint=0x3FF),
        st.characters(min_codepoint=0x400, max_codepoint=0x4FF),
        st.characters(min_codepoint=0x600, max_codepoint=0x6FF),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0xAC00, max_codepoint=0xAD00),
    ),
    max_size=700,
)


def _script_loop(line: str) -> str:
    counts = {"latin": 0, "cyrillic": 0, "han": 0, "arabic": 0, "other": 0}
    for c in line[:400]:
        if not c.isalpha():
            continue
        if c.isascii() or "\u00c0" <= c <= "\u024f":
            counts["latin"] += 1
        elif "\u0400" <= c <= "\u04ff":
            counts["cyrillic"] += 1
        elif "\u4e00" <= c <= "\u9fff":
            counts["han"] += 3
        elif "\u0600" <= c <= "\u06ff":
            counts["arabic"] += 1
        else:
            counts["other"] += 1
    return max(counts, key=lambda k: counts[k])


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_counts_are_the_loops(text: str) -> None:
    assert languages._letters(text) == sum(1 for c in text if c.isalpha())
    assert languages._han(text) == sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    assert languages._script(text) == _script_loop(text)


def test_a_tie_goes_to_the_first_script() -> None:
    # Two Latin letters and two Cyrillic ones: Latin, as the loop's first key.
    assert languages._script("ab вг") == _script_loop("ab вг") == "latin"
    assert languages._script("中") == "han"
    assert languages._script("") == _script_loop("") == "latin"
