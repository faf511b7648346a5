"""Screening: multilingual, explainable name matching against the register (issue 5).

Only normalisation exists so far; candidate retrieval, scoring and the interfaces come next.
"""
