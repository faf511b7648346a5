"""What a screening score has meant: the share of matches in its score band that were right on
the frozen test part of the cross-lingual labelled set (``bench/crosslingual.py`` writes
``data/calibration.json``). Shown beside every score, so that an analyst knows what 0.8 means.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent / "data" / "calibration.json"


@cache
def table() -> dict[str, Any]:
    """The published table ({} when the file is missing: scores are then shown alone)."""
    try:
        found: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found


def band(score: float) -> dict[str, Any] | None:
    """The band a score falls in and the precision observed there, or None below the table."""
    found = table()
    for row in found.get("bands", ()):
        if row["from"] <= score < row["to"] or (row["to"] == 1.0 and score == 1.0):
            return {
                "band": f"{row['from']:.2f}-{row['to']:.2f}",
                "observed_precision": row["precision"],
                "matches_seen": row["matches"],
                "measured_on": found.get("set", ""),
            }
    return None
