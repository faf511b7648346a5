"""Which exercise a channel belongs to (pure: no storage).

An exercise's objects correlate and alert only within their exercise, never with real
intelligence nor with another exercise. The key is the exercise, not one channel: an
exercise has its channel ``exercise-<name>`` and sub-channels ``exercise-<name>--<k>`` (one
per narrower recipient set, :mod:`accord.exercise.channels`), and all of them are one scope.

A node that only takes part in an exercise directed elsewhere knows it only by its channels,
so the scope is read from the name alone: exercise names may not contain ``--``, so what
comes before the first ``--`` is the exercise (``a`` and ``a-b`` are two exercises, and
neither's channels read as the other's).
"""

from __future__ import annotations

from accord.exercise.channels import SUB

PREFIX = "exercise-"


def scope_of(channel_name: str | None) -> str | None:
    """The exercise ``channel_name`` belongs to; None for a channel that is not an
    exercise's (real intelligence)."""
    if not channel_name or not channel_name.startswith(PREFIX):
        return None
    return channel_name[len(PREFIX) :].split(SUB, 1)[0]
