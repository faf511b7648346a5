"""Guard rails for sharing, in plain words: who will receive an object published to an
audience under a marking, and why a contradictory choice is refused (the policy decides;
this only says what it decided)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from accord.console.render import TLP_MEANING
from accord.errors import AccordError
from accord.policy import check_marking, recipients, resolve_audience
from accord.stix.markings import Tlp
from accord.store.directory import Account, list_parties


@dataclass(frozen=True, slots=True)
class Guard:
    ok: bool
    message: str
    recipients: list[str]

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "message": self.message, "recipients": self.recipients}


def explain(connection: Connection, account: Account, audience: str, tlp: str) -> Guard:
    """What publishing to ``audience`` under ``tlp`` would do, or why it is refused."""
    if not account.can("publisher"):
        return Guard(False, f"Account {account.name} is a {account.role}: it may not publish.", [])
    try:
        level = Tlp.from_label(tlp)
        chosen = resolve_audience(connection, audience, account.party)
        check_marking(chosen, level)
    except (AccordError, ValueError) as error:
        return Guard(False, getattr(error, "detail", str(error)), [])
    parties = {p.id: p for p in list_parties(connection)}
    receiving = sorted(recipients(connection, chosen, account.party.id))
    names = [f"{parties[i].code} ({parties[i].name})" for i in receiving if i in parties]
    if chosen.kind == "own":
        who = f"Only your own party, {account.party.code}, will receive it."
    elif chosen.kind == "network":
        who = f"Every party of the network will receive it: {', '.join(names)}."
    else:
        who = f"The members of channel {chosen.channel_name} will receive it: {', '.join(names)}."
    rule = (
        f"Under TLP:{level.label.upper()} each recipient {TLP_MEANING[level.label]}; "
        "Accord itself never passes it beyond this audience, and only your party can publish "
        "new versions of it."
    )
    return Guard(True, f"{who} {rule}", names)
