"""TAXII collections as views of audiences: the caller's own party, the whole network, and
each channel the caller's party belongs to (TAXII 2.1 section 5.1).

Collection ids are UUIDv5 of the audience, the same on every node, so that a peer can ask
any node for "the kz-ru channel" by one id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from accord.errors import NotFound
from accord.store import directory
from accord.store.directory import Account

NAMESPACE = uuid.UUID("0b8c7f3e-2f4d-5a43-9a51-6c1e9c4f7d20")


def collection_id(audience: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"accord:audience:{audience}"))


@dataclass(frozen=True, slots=True)
class Collection:
    id: str
    audience: str  # own | network | a channel name
    title: str
    description: str
    can_write: bool

    def resource(self) -> dict[str, Any]:
        """The collection resource of TAXII 2.1 section 5.2.1."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "can_read": True,
            "can_write": self.can_write,
            "media_types": ["application/stix+json;version=2.1"],
        }


def collections_for(connection: Connection, account: Account) -> list[Collection]:
    """The collections ``account`` may read: own, network, and its party's channels."""
    writer = account.can("publisher")
    party = account.party
    found = [
        Collection(
            collection_id("own"),
            "own",
            f"{party.code}: own",
            f"Intelligence that {party.name} keeps to itself",
            writer,
        ),
        Collection(
            collection_id("network"),
            "network",
            "Network",
            "Intelligence shared with every party of the network",
            writer,
        ),
    ]
    for channel in directory.list_channels(connection, party.id):
        found.append(
            Collection(
                collection_id(channel.name),
                channel.name,
                f"Channel {channel.name}",
                channel.description or "Shared with " + ", ".join(channel.members),
                writer,
            )
        )
    return found


def collection_for(connection: Connection, account: Account, identifier: str) -> Collection:
    """One of the caller's collections; any other id is reported exactly as a missing one."""
    for collection in collections_for(connection, account):
        if collection.id == identifier:
            return collection
    raise NotFound(f"no collection {identifier!r}")
