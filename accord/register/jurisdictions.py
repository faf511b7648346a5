"""Jurisdictions: ISO 3166 alpha-2 codes for states, and the bodies that keep lists.

``designations.csv`` names jurisdictions in words ("Russia (Unified federal list of
terrorist organisations)"); :func:`jurisdiction_of` reads those into a code and the list.
"""

from __future__ import annotations

import re

from accord.store.directory import BLOC_JURISDICTIONS, check_jurisdiction

#: Words that open a jurisdiction label, and the code they stand for.
NAMED = {
    "un security council": "UN",
    "un": "UN",
    "usa": "US",
    "united states": "US",
    "pakistan": "PK",
    "india": "IN",
    "russia": "RU",
    "tajikistan": "TJ",
    "kazakhstan": "KZ",
    "eu": "EU",
    "european union": "EU",
    "kyrgyzstan": "KG",
    "turkey": "TR",
    "türkiye": "TR",
    "china": "CN",
    "sco rats": "SCO-RATS",
    "csto": "CSTO",
    "uzbekistan": "UZ",
    "united arab emirates": "AE",
    "uae": "AE",
    "united kingdom": "GB",
    "uk": "GB",
}
_LABEL = re.compile(r"\s*([^()]+?)\s*(?:\((.*)\))?\s*\Z", re.S)


def jurisdiction_of(label: str) -> tuple[str, str]:
    """(code, list or programme) from a label such as "USA (State Dept FTO list)" or a bare
    code such as "RU". Raises ValueError for a jurisdiction it does not know."""
    match = _LABEL.match(label)
    if match is None:
        raise ValueError(f"unknown jurisdiction {label!r}")
    head, programme = match.group(1).strip(), (match.group(2) or "").strip()
    code = NAMED.get(head.lower())
    if code is None:
        upper = head.upper()
        if upper in BLOC_JURISDICTIONS or re.fullmatch(r"[A-Z]{2}", head):
            code = check_jurisdiction(upper)
        else:
            raise ValueError(
                f"unknown jurisdiction {label!r}: use an ISO 3166 alpha-2 code or "
                f"one of {', '.join(sorted(BLOC_JURISDICTIONS))}"
            )
    return code, programme
