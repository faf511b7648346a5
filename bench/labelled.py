"""A labelled screening set built from public facts: the UN Consolidated List (2025-08-02).

For a fixed sample of its entries: the name in its original script (mostly Arabic, given by
the list), the name written in Cyrillic, the name with its words reordered, with one part
missing (a person's middle name; a body's legal form or generic word), with a typo: each
should find its entry. Hard negatives: the name with one part replaced by a part of another
entry's name (another person or group), which should not.
Chinese: every entry with a name in Han script is asked for by that name and by its pinyin
(the list's Latin spelling is not reused), a few entries only, since the list holds few.

A variant that is, once normalised, exactly a name of another entry ("AHMAD HASSAN" with a
part dropped is another listed Ahmad Hasan) names that entry too, and so does any variant of
an entry that shares a whole name with another (the UN lists some persons twice, under two
regimes: Hassan Dahir Aweys is QDi.042 and SOi.001): their references are kept in ``also``,
and a match on them is right.

    python -m bench.labelled     # writes tests/data/screening-labelled.csv
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import icu

from accord.register.un_xml import read_un_xml
from accord.screening.normalise import key, tokens

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "demo-data" / "consolidated-2025-08-02.xml"
TARGET = ROOT / "tests" / "data" / "screening-labelled.csv"


def _generic(word: str) -> bool:
    found = tokens(word)
    return bool(found) and all(t.generic for t in found)


def build(sample: int = 120, seed: int = 29) -> list[dict[str, str]]:
    _, records, _ = read_un_xml(SOURCE)
    rng = random.Random(seed)
    cyrillic = icu.Transliterator.createInstance("Latin-Cyrillic")
    chosen = rng.sample([r for r in records if len(r.primary.split()) >= 2], sample)
    all_words = [w for r in records for w in r.primary.split() if len(w) > 3]
    rows: list[dict[str, str]] = []
    by_key: dict[str, set[str]] = {}
    for record in records:
        for name in record.names:
            by_key.setdefault(key(name.name), set()).add(record.key)

    twins: dict[str, set[str]] = {}  # records sharing a whole name: one subject listed twice
    for record in records:
        for name in record.names:
            twins.setdefault(record.key, set()).update(by_key[key(name.name)])

    def add(query: str, expected: str, variant: str, derived_from: str = "") -> None:
        also = by_key.get(key(query), set()) | (twins.get(expected, set()) if expected else set())
        also = sorted(also - {expected, derived_from})
        if not expected and also:
            return  # a "stranger" that is in fact a listed name: no negative
        rows.append(
            {
                "query": query,
                "expected": expected,
                "variant": variant,
                "derived_from": derived_from or expected,
                "also": " ".join(also),
            }
        )

    pinyin = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII")
    for record in records:
        for name in record.names:
            if name.script == "Han":
                han = "".join(c for c in name.name if "\u4e00" <= c <= "\u9fff")
                add(han, record.key, "Chinese (Han script)")
                syllables = pinyin.transliterate(han).split()
                add(" ".join(syllables).title(), record.key, "Chinese (pinyin, by syllable)")

    for record in chosen:
        words = record.primary.split()
        reference = record.key
        original = next((n.name for n in record.names[1:] if n.script != "Latin"), None)
        if original:
            add(original, reference, f"original script ({record.names[1].script})")
        add(cyrillic.transliterate(record.primary.title()), reference, "Cyrillic")
        # Reordered as lists and manifests do: family name first ("SURNAME Given Middle"),
        # or with a comma where the name has "bin"/"ben" (whose order carries meaning).
        particles = {"BIN", "BEN", "IBN", "BINT", "OULD"} & {w.upper() for w in words}
        comma = "," if particles else ""
        add(f"{words[-1]}{comma} {' '.join(words[:-1])}", reference, "reordered")
        if len(words) >= 3:
            missing = list(words)
            dropped = rng.randrange(1, len(words) - 1)
            if record.kind == "person":
                del missing[dropped]  # a middle name left out
                add(" ".join(missing), reference, "missing part")
            else:
                # A body is written without its legal form or kind of body ("Co", "Trading
                # Company"); without one of its distinctive words it is more often another
                # body (the Afghan branch of Al-Haramain is not its Kenyan one).
                generic = [i for i, t in enumerate(missing) if _generic(t)]
                if generic:
                    del missing[generic[-1]]
                    add(" ".join(missing), reference, "missing legal form or generic word")
        long_words = [i for i, w in enumerate(words) if len(w) >= 5]
        if long_words:
            i = rng.choice(long_words)
            word = words[i]
            j = rng.randrange(1, len(word) - 1)
            typo = word[:j] + word[j + 1] + word[j] + word[j + 2 :]  # swapped letters
            add(" ".join(words[:i] + [typo] + words[i + 1 :]), reference, "typo")
        stranger = list(words)
        k = max(range(len(words)), key=lambda n: len(words[n]))
        stranger[k] = rng.choice([w for w in all_words if w[:2] != words[k][:2]])
        add(" ".join(stranger), "", "hard negative: one part of another name", reference)
    return rows


def main() -> None:
    rows = build()
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["query", "expected", "variant", "derived_from", "also"]
        )
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} labelled queries written to {TARGET}")


if __name__ == "__main__":
    main()
