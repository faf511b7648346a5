"""The sharing policy: the one place that decides who receives what and how far it may go.

Two questions, two rules:

* **Who receives** an object is decided by its *audience*, chosen by the originating party:
  ``own`` (the originating party only), a named channel (its member parties, as they are
  *now*: a change of membership changes visibility at once), or ``network`` (every party).
  The originating party always sees what it published.
* **How far a recipient may pass it on** is decided by its TLP 2.0 marking and by originator
  control. TLP:RED and TLP:AMBER+STRICT never leave the recipient party; TLP:AMBER never goes
  beyond the original audience; TLP:GREEN may go anywhere inside the network and TLP:CLEAR
  anywhere, but originator control caps both: a recipient may read, never widen the audience.
  Only the originating party publishes versions of an object, and never to another audience.

Visibility is a SQL predicate (:func:`visible_to`) that every query of intelligence includes;
nothing is filtered after the fetch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from sqlalchemy import ColumnElement, Connection, and_, or_, select

from accord.errors import Forbidden, NotFound, PolicyViolation
from accord.stix.markings import Tlp
from accord.store.directory import Account, Party
from accord.store.schema import channel_members, channels, objects, parties

AudienceKind = Literal["own", "channel", "network"]


@dataclass(frozen=True, slots=True)
class Audience:
    """Who receives an object: the originating party only, a channel's members, or everyone."""

    kind: AudienceKind
    channel_id: int | None = None
    channel_name: str | None = None

    @property
    def label(self) -> str:
        return self.channel_name if self.kind == "channel" and self.channel_name else self.kind


# --- Who may administer what ------------------------------------------------------------
#
# Roles: reader < publisher < admin < operator for the party's own intelligence (an operator
# reads and publishes as its party, like any account). Administration is split by scope:
# an ``admin`` manages its own party only (accounts, membership decisions, its audit view);
# the ``operator`` runs the node (parties, channels, peers, limits, the audit chain's
# integrity) and reads nothing beyond its own party's audience. The node's host (the CLI)
# acts as the operator. No administrative act gives any account more than its own party
# may see.


@dataclass(frozen=True, slots=True)
class Principal:
    """Who asks for an administrative act: an account (API, console), or the node's host
    (``account`` None: the CLI, which acts as the operator)."""

    account: Account | None
    door: str
    #: The host's name for the audit log (``cli:<user>``).
    host_name: str = "operator"

    @property
    def is_operator(self) -> bool:
        return self.account is None or self.account.role == "operator"

    @property
    def party(self) -> Party | None:
        return None if self.account is None else self.account.party


def require_operator(principal: Principal, what: str) -> None:
    """Node-wide acts (parties, channels, peers, the audit chain): the operator only."""
    if not principal.is_operator:
        raise Forbidden(f"{what} is the node operator's act; a party's admin cannot do it")


def require_party_admin(principal: Principal, what: str) -> Party:
    """Acts of a party on itself (its accounts, its membership decisions, its audit view):
    an admin (or the operator) of that party, acting through an account."""
    account = principal.account
    if account is None or not account.can("admin"):
        raise Forbidden(f"{what} needs an admin account of the party concerned")
    return account.party


def account_creation_refusal(
    principal: Principal, party: Party, role: str, *, party_has_admin: bool
) -> str | None:
    """Why ``principal`` may not create an account of ``role`` in ``party``, or None.

    A party's admin creates accounts of its own party, never stronger than itself (an
    admin cannot mint an operator). The operator may set up a party that has no admin yet
    (its first accounts, normally its first admin, who should rotate the token at once);
    from then on only the party's own admins add its accounts."""
    account = principal.account
    if role == "operator" and not principal.is_operator:
        return "only the node operator may create an operator account"
    if account is not None and account.can("admin") and account.party.id == party.id:
        return None
    if principal.is_operator and not party_has_admin:
        return None
    if principal.is_operator:
        return (
            f"party {party.code!r} has its own admin: only its admins add its accounts "
            "(the operator sets up a party only until its first admin exists)"
        )
    return "an admin adds accounts of its own party only"


def may_manage_account(principal: Principal, target_party_id: int) -> bool:
    """May ``principal`` revoke, rotate or change the expiry of an account of
    ``target_party_id``? Only that party's admins (an account acting on itself is handled
    by the caller). Anyone else is answered as if the account did not exist."""
    account = principal.account
    return account is not None and account.can("admin") and account.party.id == target_party_id


def may_see_channel(principal: Principal, member_party_ids: set[int]) -> bool:
    """A channel's name, members and existence are known to its members and to the node's
    operator, who creates channels; to nobody else."""
    party = principal.party
    return principal.is_operator or (party is not None and party.id in member_party_ids)


def resolve_audience(connection: Connection, name: str, publisher: Party) -> Audience:
    """Turn ``own``, ``network`` or a channel name into an audience the publisher may use.

    A party may only publish to a channel it belongs to; a channel it does not belong to is
    reported exactly like one that does not exist.
    """
    if name == "own":
        return Audience("own")
    if name == "network":
        return Audience("network")
    row = connection.execute(
        select(channels.c.id, channels.c.name)
        .join(channel_members, channel_members.c.channel_id == channels.c.id)
        .where(channels.c.name == name, channel_members.c.party_id == publisher.id)
    ).first()
    if row is None:
        raise NotFound(
            f"audience {name!r}: expected own, network, or a channel party {publisher.code!r} "
            "belongs to"
        )
    return Audience("channel", row.id, row.name)


def check_marking(audience: Audience, tlp: Tlp) -> None:
    """Refuse a marking that contradicts the audience (TLP:RED is for named recipients)."""
    if tlp == Tlp.RED and audience.kind == "network":
        raise PolicyViolation(
            "TLP:RED is for named recipients only and cannot go to the whole network: "
            "choose own or a channel, or a less restrictive marking"
        )


def effective_tlp(requested: Tlp, embedded: int | None) -> Tlp:
    """The stricter of the marking asked for and any TLP marking the object already carries."""
    if embedded is None:
        return requested
    return max(requested, Tlp(embedded))


@lru_cache(maxsize=4096)
def visible_to(party_id: int) -> ColumnElement[bool]:
    """The SQL predicate over ``objects`` rows that ``party_id`` may read.

    Built once per party and process: the predicate holds no data (channel membership is a
    subquery, evaluated by every statement that uses it), and building it cost more than
    running the query it narrows."""
    column = objects.c
    return or_(
        column.audience_kind == "network",
        column.origin_party_id == party_id,
        and_(
            column.audience_kind == "channel",
            column.channel_id.in_(
                select(channel_members.c.channel_id).where(channel_members.c.party_id == party_id)
            ),
        ),
    )


def slices_from(
    connection: Connection, party_id: int, origin_party_id: int
) -> list[ColumnElement[bool]]:
    """What ``party_id`` may see of ``origin_party_id``'s objects, as disjoint predicates an
    index answers in ``pk`` order (origin, audience, channel): the network's, and those of
    each channel the reader belongs to. A page of another party's objects reads these slices
    instead of scanning all that party published (most of which the reader may not see).
    They only narrow :func:`visible_to`, which every query keeps."""
    column = objects.c
    mine = connection.execute(
        select(channel_members.c.channel_id).where(channel_members.c.party_id == party_id)
    ).scalars()
    slices = [
        and_(
            column.origin_party_id == origin_party_id,
            column.audience_kind == "network",
            column.channel_id.is_(None),
        )
    ]
    for channel_id in sorted(mine):
        slices.append(
            and_(
                column.origin_party_id == origin_party_id,
                column.audience_kind == "channel",
                column.channel_id == channel_id,
            )
        )
    return slices


def new_version_refusal(
    *, existing_kind: str, existing_channel: int | None, audience: Audience
) -> str | None:
    """Why a party may not add a version to an object it already holds, or None if it may.

    Ids are namespaced by origin party (see docs/architecture.md, "Identity"): the object
    compared here is always the publisher's own, so the answer never depends on what other
    parties hold under the same id."""
    if existing_kind != audience.kind or existing_channel != audience.channel_id:
        return (
            "originator control: every version of an object keeps the audience of its first "
            "version; publish a new object to share with another audience"
        )
    return None


def recipients(connection: Connection, audience: Audience, origin_party_id: int) -> set[int]:
    """The parties that receive an object published to ``audience`` (origin included)."""
    if audience.kind == "network":
        return set(connection.execute(select(parties.c.id)).scalars())
    if audience.kind == "own":
        return {origin_party_id}
    members = connection.execute(
        select(channel_members.c.party_id).where(
            channel_members.c.channel_id == audience.channel_id
        )
    ).scalars()
    return {origin_party_id, *members}


def may_pass_on(
    tlp: Tlp,
    *,
    origin_party_id: int,
    holder_party_id: int,
    target_party_id: int,
    audience_recipients: set[int],
) -> bool:
    """May the holder of an object give it to the target party (federation, re-sharing)?"""
    if target_party_id in (origin_party_id, holder_party_id):
        return True
    if tlp in (Tlp.RED, Tlp.AMBER_STRICT):
        return False  # never leaves the recipient party
    # AMBER never beyond the original audience; GREEN and CLEAR are capped there by
    # originator control.
    return target_party_id in audience_recipients


@lru_cache(maxsize=4096)
def forwardable_to(party_id: int, local_node: str) -> ColumnElement[bool]:
    """What this node may pass on to ``party_id`` over federation: TLP:RED and
    TLP:AMBER+STRICT objects it received from another node never leave the recipient party,
    so they go back only to their originator. Combined with :func:`visible_to`.

    An anonymised sighting (``shown_origin`` set: published as its channel or as the hub)
    never leaves the node, not even to its originator: a peer needs a real origin party to
    store an object, and would then show that party to its own readers."""
    column = objects.c
    return and_(
        column.shown_origin.is_(None),
        or_(
            column.origin_node == local_node,
            column.tlp < int(Tlp.AMBER_STRICT),
            column.origin_party_id == party_id,
        ),
    )
