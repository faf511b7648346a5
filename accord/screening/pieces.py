"""The words left alone after pairing: initials and acronyms ("JC" / "Jean Claude", "PLA" /
"People's Liberation Army"), and one word written as two ("Patr ushev")."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from accord.screening.normalise import Token

STOPWORDS = frozenset({"of", "the", "and", "for", "in", "de"})


def _initials(short: Token, side: tuple[Token, ...], free: set[int]) -> list[int] | None:
    """Positions of consecutive free tokens whose first letters spell ``short`` (an acronym
    or initials: "PLA", "JC"), stop words skippable; None if there are none."""
    word = short.text
    if not 2 <= len(word) <= min(8, len(free)) or not word.isalpha():
        return None
    for start in range(len(side)):
        run: list[int] = []
        position = start
        while position < len(side) and len(run) < len(word) and position in free:
            token = side[position]
            if token.text[0] == word[len(run)]:
                run.append(position)
            elif token.text not in STOPWORDS:
                break
            position += 1
        if len(run) == len(word):
            return run
    return None


def pair_pieces(
    left: tuple[Token, ...],
    right: tuple[Token, ...],
    used_left: set[int],
    used_right: set[int],
) -> list[tuple[tuple[int, ...], tuple[int, ...], float, str]]:
    """Second pass over the words left alone: initials and acronyms ("JC" / "Jean Claude",
    "PLA" / "People's Liberation Army"), and one word written as two ("Patr ushev")."""
    found: list[tuple[tuple[int, ...], tuple[int, ...], float, str]] = []
    for one, other, used_one, used_other, flip in (
        (left, right, used_left, used_right, False),
        (right, left, used_right, used_left, True),
    ):
        for i, token in enumerate(one):
            if len(other) - len(used_other) < 2:
                break  # one free word or none: no initials of two letters, no word split
            if i in used_one or token.role == "number":
                continue
            free = {j for j in range(len(other)) if j not in used_other}
            how, similarity = "initials", 0.85
            run = _initials(token, other, free)
            if run is None:
                how, similarity = "written apart", 0.95
                run = _split(token, other, free)
            if run is None:
                continue
            used_one.add(i)
            used_other.update(run)
            mine, theirs = (i,), tuple(run)
            found.append(
                (theirs, mine, similarity, how) if flip else (mine, theirs, similarity, how)
            )
    return found


def _split(token: Token, side: tuple[Token, ...], free: set[int]) -> list[int] | None:
    """Two neighbouring free tokens that together spell ``token``, near enough."""
    if len(free) < 2:
        return None
    word = token.text
    for j in range(len(side) - 1):
        if j in free and j + 1 in free:
            joined = side[j].text + side[j + 1].text
            # A similarity of 0.9 needs lengths within a tenth of each other.
            if abs(len(joined) - len(word)) > 0.1 * max(len(joined), len(word)):
                continue
            if Levenshtein.normalized_similarity(joined, word) >= 0.9:
                return [j, j + 1]
    return None
