"""Precision, recall and F1 of scored pairs: shared by Accord's benchmark and the logic-v2
baseline, which runs in its own interpreter and so imports nothing else of Accord."""

from __future__ import annotations


def f1(scores: list[tuple[float, bool]], threshold: float) -> tuple[float, float, float]:
    """(precision, recall, F1) when a pair matches at ``score >= threshold``."""
    tp = sum(1 for s, m in scores if s >= threshold and m)
    fp = sum(1 for s, m in scores if s >= threshold and not m)
    fn = sum(1 for s, m in scores if s < threshold and m)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall)) if tp else 0.0
