"""A score and the reasons behind it, spelled out only when a person is shown them: the
pairs of words and how each matched, the words of each side left over, the reading of the
query that scored (as written, letter by letter, translated) and the cap that held it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accord.screening.normalise import Token
from accord.screening.rules import PairIndices, paired
from accord.screening.rules import parts_left_over as count_left_over

if TYPE_CHECKING:
    from accord.screening.score import PreparedName


@dataclass(frozen=True, slots=True)
class Pair:
    query: str
    register: str
    how: str  # exact | romanisation | skeleton | edit distance | initial
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "register": self.register,
            "how": self.how,
            "similarity": round(self.similarity, 3),
        }


@dataclass(slots=True)
class Score:
    """A score and its reasons; the reasons are spelled out only when asked for (most scores
    of a screening run rank below the results shown)."""

    score: float
    _pairs: list[Pair] | None = None
    _unmatched_query: list[str] | None = None
    _unmatched_register: list[str] | None = None
    #: (query tokens, register tokens, paired positions) to spell the reasons out from.
    _found: tuple[tuple[Token, ...], tuple[Token, ...], list[PairIndices]] | None = None
    #: The query's reading that gave the score, and why a cap held it down, if one did.
    reading: PreparedName | None = None
    capped: str | None = None
    _left_over: int = 0

    def _spell_out(self) -> None:
        if self._found is None:
            return
        left, right, pairs = self._found
        self._found = None
        self._pairs = [
            Pair(_shown(left, q), _shown(right, r), how, similarity)
            for q, r, similarity, how in sorted(pairs, key=lambda p: p[0][0])
        ]
        used_left, used_right = paired(pairs)
        self._left_over = count_left_over(left, right, used_left, used_right)
        self._unmatched_query = [t.text for i, t in enumerate(left) if i not in used_left]
        self._unmatched_register = [t.text for j, t in enumerate(right) if j not in used_right]

    @property
    def parts_left_over(self) -> int:
        """Name parts (names, places, patronymics) of either name without a partner."""
        if self._found is None:
            return self._left_over
        left, right, pairs = self._found
        return count_left_over(left, right, *paired(pairs))

    @property
    def pairs(self) -> list[Pair]:
        self._spell_out()
        return self._pairs or []

    @property
    def unmatched_query(self) -> list[str]:
        self._spell_out()
        return self._unmatched_query or []

    @property
    def unmatched_register(self) -> list[str]:
        self._spell_out()
        return self._unmatched_register or []

    def explanation(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "pairs": [p.as_dict() for p in self.pairs],
            "unmatched_query": self.unmatched_query,
            "unmatched_register": self.unmatched_register,
        }
        reading = self.reading
        if reading is not None and reading.reading != "as written":
            found["reading"] = reading.reading
            if reading.translation is not None:
                found["translation"] = {
                    "text": " ".join(t.text for t in reading.tokens),
                    "entries": [sense.as_dict() for sense in reading.translation.senses],
                }
        if self.capped:
            found["capped"] = self.capped
        return found


def _shown(side: tuple[Token, ...], positions: tuple[int, ...]) -> str:
    return " ".join(side[p].text for p in positions)
