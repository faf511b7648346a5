"""Which exercise a channel belongs to (pure: no storage).

An exercise's objects correlate and alert only within their exercise, never with real
intelligence nor with another exercise. The key is the exercise, not one channel: an
exercise has its channel ``exercise-<name>`` and may have sub-channels named
``exercise-<name>-...`` (per recipient, for instance), and all of them are one scope.

A node that only takes part in an exercise directed elsewhere knows it only by its channels,
so the scope is read from the names: the exercise of a channel is the shortest ``X`` such
that the node holds a channel ``exercise-X`` and the channel is ``exercise-X`` or starts
with ``exercise-X-``. Two exercises whose names would overlap so (``a`` and ``a-b``) are
refused when started on one node (:func:`overlapping`); on a node that receives both from
different directors they would be one scope (a residual in docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable

PREFIX = "exercise-"


def scope_of(channel_name: str | None, channel_names: Iterable[str]) -> str | None:
    """The exercise ``channel_name`` belongs to, given every channel name the node holds;
    None for a channel that is not an exercise's (real intelligence)."""
    if not channel_name or not channel_name.startswith(PREFIX):
        return None
    rest = channel_name[len(PREFIX) :]
    candidates = [
        name[len(PREFIX) :]
        for name in channel_names
        if name.startswith(PREFIX)
        and (rest == name[len(PREFIX) :] or rest.startswith(name[len(PREFIX) :] + "-"))
    ]
    return min(candidates, key=len) if candidates else rest


def overlapping(name: str, channel_names: Iterable[str]) -> str | None:
    """An existing exercise channel a new exercise ``name`` would share a scope with (its
    own channel's name is a prefix of it, or the reverse), or None."""
    mine = PREFIX + name
    for other in channel_names:
        if not other.startswith(PREFIX) or other == mine:
            continue
        if other.startswith(mine + "-") or mine.startswith(other + "-"):
            return other
    return None
