"""Rules about persons' names that the scorer applies after pairing words: caps on weak
evidence (a given name alone, common names alone), relatives by Arabic naming, kunyas, and
which parts left over are conflicts."""

from __future__ import annotations

from accord.screening.equivalents import COMMON_GIVEN_NAMES
from accord.screening.normalise import Token

PairIndices = tuple[tuple[int, ...], tuple[int, ...], float, str]
#: Routes that pair words a letter or a sound apart.
LOOSE_ROUTES = frozenset({"edit distance", "phonetic", "skeleton", "sound correspondence"})
#: Routes that pair words by their sound alone.
SOUND_ROUTES = frozenset({"phonetic", "skeleton", "sound correspondence"})
_PART_ROLES = frozenset({"name", "place", "patronymic"})


def paired(pairs: list[PairIndices]) -> tuple[set[int], set[int]]:
    """The positions of each side that found a partner."""
    return {i for q, _, _, _ in pairs for i in q}, {j for _, r, _, _ in pairs for j in r}


def parts_left_over(
    left: tuple[Token, ...], right: tuple[Token, ...], used_left: set[int], used_right: set[int]
) -> int:
    """Name parts (names, places, patronymics) of either side without a partner."""
    return sum(1 for i, t in enumerate(left) if i not in used_left and t.role in _PART_ROLES) + sum(
        1 for j, t in enumerate(right) if j not in used_right and t.role in _PART_ROLES
    )


#: Words that begin a name but name nobody on their own: "servant of", "father of".
_NOT_A_PART = frozenset({"abd", "abu", "abou", "umm", "um"})


def _part(token: Token) -> bool:
    """Whether a token is a part of a person's own name (a country's name is, in a person's
    name; "Abd" of "Abd al-Aziz" and "Abu" of a kunya are not parts on their own)."""
    return token.role in ("name", "place") and token.text not in _NOT_A_PART


def common_names_only(
    pairs: list[PairIndices], left: tuple[Token, ...], right: tuple[Token, ...]
) -> str | None:
    """Why a person's match rests on common given names alone, or None: every part paired is
    one of the commonest given names, and the other parts of the names tell them apart
    ("Mohammad Nabi" / "Mohammed Omar Ghulam Nabi")."""
    named = [left[q[0]].text for q, _, _, _ in pairs if _part(left[q[0]])]
    if not named or any(text not in COMMON_GIVEN_NAMES for text in named):
        return None
    used_left, used_right = paired(pairs)
    over_left = sum(1 for i, t in enumerate(left) if i not in used_left and _part(t))
    over_right = sum(1 for j, t in enumerate(right) if j not in used_right and _part(t))
    # Two common names in common say little when either name has a part more ("Mohammed bin
    # Salman" / "Muhammad Da'ud Salman"); three in common are evidence unless two parts or
    # more are left over.
    over = max(over_left, over_right)
    if over >= 2 or (over >= 1 and len(named) < 3):
        return "only common given names in common"
    return None


def given_name_only(
    pairs: list[PairIndices], left: tuple[Token, ...], right: tuple[Token, ...]
) -> str | None:
    """Why a person's match rests on one name part alone, or None: one part paired, and a
    common given name, or one part of a longer name, or one word unlike or short on both
    sides ("Hani Kassab" / "Hani", "Kim" / "Kim Jong Un")."""
    named = [
        (q, r, s if h not in SOUND_ROUTES else 0.0) for q, r, s, h in pairs if _part(left[q[0]])
    ]
    # "Abd" and "Abu" count as parts where they do not govern the next part on both sides
    # ("Abdul Noorzai" / "Abdul Haq Noorzai": two parts in common; "Abdelaziz" / "Abdul
    # Aziz": one).
    paired = {q[0]: r[0] for q, r, _, _ in pairs if len(q) == 1 and len(r) == 1}
    for i, token in enumerate(left):
        j = paired.get(i)
        if token.text in _NOT_A_PART and j is not None and paired.get(i + 1) != j + 1:
            named.append(((i,), (j,), 1.0))
    if len(named) != 1 or len(named[0][0]) != 1 or len(named[0][1]) != 1:
        return None  # several parts, or one word written as two ("SergeiLavrov")
    (q, r, similarity) = named[0]
    if left[q[0]].text in COMMON_GIVEN_NAMES:
        return "only a common given name in common"
    parts_left = [i for i, t in enumerate(left) if _part(t) or t.role == "patronymic"]
    parts_right = [j for j, t in enumerate(right) if _part(t) or t.role == "patronymic"]
    if len(parts_left) == len(parts_right):
        if len(parts_left) == 1 and similarity < 0.85:
            return "one word alone on both sides, and not the same"
        if len(parts_left) == 1 and len(left[q[0]].text) <= 3:
            return "one short word alone on both sides"
        return None
    # The first part of a longer name ("Hani Kassab" / "Hani", "Kim" / "Kim Jong Un"): a
    # given name alone. (A family name or a nom de guerre alone, "Godane", may be a lead.)
    longer, position = (
        (parts_left, q[0])
        if len(parts_left) > len(parts_right)
        else (
            parts_right,
            r[0],
        )
    )
    if longer and longer[0] == position:
        return "only a given name in common"
    return None


def relative(
    pairs: list[tuple[tuple[int, ...], tuple[int, ...], float, str]],
    left: tuple[Token, ...],
    right: tuple[Token, ...],
) -> bool:
    """Whether one side's first name part is left over while the other side's first part
    matched a later part of it: a parent or child, by Arabic (and Korean) naming."""
    first_left = next((i for i, t in enumerate(left) if t.role == "name"), None)
    first_right = next((j for j, t in enumerate(right) if t.role == "name"), None)
    if first_left is None or first_right is None:
        return False
    matched = {q[0]: r[0] for q, r, _, _ in pairs}
    back = {r[0]: q[0] for q, r, _, _ in pairs}
    later_right = matched.get(first_left, -1) > first_right and first_right not in back
    later_left = back.get(first_right, -1) > first_left and first_left not in matched
    if not (later_right or later_left):
        return False
    # A chain of names shifted by one generation: the shorter name's parts match a run of
    # neighbouring parts of the longer one. (A Western name used by its middle part, "Boris
    # Johnson" in "Alexandre Boris de Pfeffel Johnson", matches parts apart.)
    positions = sorted(matched.values()) if later_right else sorted(back.values())
    if len(positions) >= 2 and positions[-1] - positions[0] == len(positions) - 1:
        return True
    # An Arabic name, "bin" on either side: its second part names the father whatever follows
    # ("Hamza Usama Muhammad bin Laden" is Usama bin Laden's son).
    longer = right if later_right else left
    first = first_right if later_right else first_left
    arabic = any(t.role == "particle" for t in (*left, *right))
    second = next((k for k in range(first + 1, len(longer)) if longer[k].role == "name"), None)
    return arabic and len(positions) >= 2 and positions[0] == second


def crossed_with_parts_over(
    pairs: list[PairIndices], left: tuple[Token, ...], right: tuple[Token, ...]
) -> bool:
    """Whether a person's parts in common, a common given name among them, stand in the
    other order in a longer register name: two common names shared by another person more
    often than one person's name reordered (a reordered name keeps all its parts)."""
    single = sorted(
        (q[0], r[0])
        for q, r, _, _ in pairs
        if len(q) == 1 and len(r) == 1 and _part(left[q[0]]) and _part(right[r[0]])
    )
    if len(single) < 2:
        return False
    if not any(a[1] > b[1] for a, b in zip(single, single[1:], strict=False)):
        return False
    # A common given name among them, and the query's own parts all paired: the register's
    # name is longer ("Shoigu Shoigu Sergey" / "Sergey Shoigu" has a part over on the query's
    # side: one name written twice; "Boris Johnson" / "Alexandre Boris de Pfeffel Johnson" has
    # no common given name in common).
    if not any(left[i].text in COMMON_GIVEN_NAMES for i, _ in single):
        return False
    used_left, used_right = paired(pairs)
    if any(_part(t) for i, t in enumerate(left) if i not in used_left):
        return False
    return any(_part(t) for j, t in enumerate(right) if j not in used_right)


_KUNYA = frozenset({"abu", "abou", "umm", "um"})


def kunya_crossed(
    pairs: list[PairIndices], left: tuple[Token, ...], right: tuple[Token, ...]
) -> int:
    """Pairs joining a person's own name on one side with the name a kunya governs on the
    other ("Mohamed Salah" / "Abou Mohamed Salah": the second is the father of a Mohamed)."""
    crossed = 0
    for q, r, _, _ in pairs:
        i, j = q[0], r[0]
        kunya_left = i > 0 and left[i - 1].text in _KUNYA
        kunya_right = j > 0 and right[j - 1].text in _KUNYA
        if kunya_left != kunya_right:
            crossed += 1
    return crossed


def conflicting(token: Token, kind: str | None) -> bool:
    """Whether a part found on both sides without a partner means another subject."""
    return token.role in ("name", "patronymic") or (token.role == "place" and kind == "person")
