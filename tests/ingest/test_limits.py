"""Ingestion within the node's limits: an article over ``max_article_bytes`` is refused
naming it, and reading stops after ``ingest_seconds``; the cost grows linearly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from accord.errors import PayloadTooLarge, ValidationFailed
from accord.ingest.pipeline import ingest
from accord.limits import Limits

ARTICLE = Path(__file__).resolve().parents[1] / "data" / "articles"
TEXT = next(ARTICLE.glob("*.txt")).read_bytes()


def test_an_article_over_the_size_limit_is_refused_naming_it() -> None:
    with pytest.raises(PayloadTooLarge, match="big.txt"):
        ingest(TEXT, "big.txt", limits=Limits(article_bytes=len(TEXT) - 1))


def test_reading_stops_at_the_time_budget() -> None:
    with pytest.raises(ValidationFailed, match="slow.txt: .*ingest_seconds"):
        ingest(TEXT, "slow.txt", limits=Limits(ingest_seconds=0))


def test_reading_costs_about_linear_time_in_the_article_length() -> None:
    """Twenty copies of an article cost about twenty times one copy, not four hundred (a scan
    of every earlier mention per word made a 1.8 MB article cost over a minute)."""
    one_copy = TEXT.decode("utf-8")
    # CPU time is what is compared; the node's wall-clock budget is not under test here (on a
    # loaded machine forty copies pass its 30 s of wall time).
    unbounded = Limits(ingest_seconds=10**6)
    started = time.process_time()
    ingest(one_copy * 4, "four", limits=unbounded)
    four = time.process_time() - started
    started = time.process_time()
    ingest(one_copy * 40, "forty", limits=unbounded)
    forty = time.process_time() - started
    assert forty < 25 * max(four, 0.05), (four, forty)
