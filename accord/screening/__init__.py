"""Screening: multilingual, explainable name matching against the register (issue 5).

So far: normalisation across scripts (normalise.py) and a pairwise scorer with explanations
(score.py), measured by ``make bench-screening``. Candidate retrieval from an index over the
register, qualifiers, and the API and CLI interfaces come next.
"""
