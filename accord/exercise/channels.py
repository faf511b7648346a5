"""Which channels an exercise has, and which one each inject goes to.

An inject is for the parties of its ``to`` roles; the director's party, which publishes it,
sees it too. Visibility is channel membership (:func:`accord.policy.visible_to`), so an
inject's audience is a channel whose members are exactly those parties:

* the exercise's own channel, ``exercise-<name>`` (the role parties and the director's), for
  an inject to every role, and for every answer a scenario asks for (``{exercise}``);
* one sub-channel per narrower recipient set, ``exercise-<name>--<k>``, numbered in the
  order the scenario's injects first use them.

The plan is computed from the scenario, the roles' parties and the director's party alone,
so every node (and every later reading of an ended exercise) finds the same channels.
"""

from __future__ import annotations

from dataclasses import dataclass

from accord.exercise.scenario import Scenario

#: Between the exercise's channel name and a sub-channel's number (exercise names may not
#: contain it, so no exercise's channel is another's sub-channel).
SUB = "--"
#: Room a sub-channel's suffix takes (``--`` and up to two digits).
SUFFIX_ROOM = len(SUB) + 2


@dataclass(frozen=True, slots=True)
class ExerciseChannel:
    name: str
    #: Party codes, sorted: exactly who may read what is published here.
    members: tuple[str, ...]
    #: The roles it is for (every role for the exercise's own channel; for a sub-channel,
    #: the ``to`` of the first inject sent to it).
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChannelPlan:
    channels: tuple[ExerciseChannel, ...]
    #: Inject id -> the name of the channel it is published to.
    of_inject: dict[str, str]

    @property
    def main(self) -> ExerciseChannel:
        return self.channels[0]

    def names(self) -> list[str]:
        return [c.name for c in self.channels]

    def including(self, party_codes: set[str]) -> list[ExerciseChannel]:
        """The channels any of ``party_codes`` is a member of."""
        return [c for c in self.channels if party_codes & set(c.members)]


def plan(scenario: Scenario, roles: dict[str, str], director: str, main: str) -> ChannelPlan:
    """The exercise's channels (its own first) and each inject's channel."""
    everyone = tuple(sorted({*roles.values(), director}))
    channels = [ExerciseChannel(main, everyone, tuple(scenario.roles))]
    by_members: dict[tuple[str, ...], str] = {everyone: main}
    of_inject: dict[str, str] = {}
    for inject in scenario.injects:
        members = tuple(sorted({*(roles[r] for r in inject.to if r in roles), director}))
        name = by_members.get(members)
        if name is None:
            name = f"{main}{SUB}{len(channels)}"
            by_members[members] = name
            channels.append(ExerciseChannel(name, members, tuple(inject.to)))
        of_inject[inject.id] = name
    return ChannelPlan(tuple(channels), of_inject)
