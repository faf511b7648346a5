"""The tables of an Accord node, in SQLAlchemy Core.

Migrations in ``accord/store/migrations`` create exactly these tables; a test compares the
two so that they cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData()

#: A 64-bit key that is SQLite's rowid alias there (so it auto-increments in insert order).
BigKey = BigInteger().with_variant(Integer(), "sqlite")

parties = Table(
    "parties",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("jurisdiction", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(32), nullable=False),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
)

channel_members = Table(
    "channel_members",
    metadata,
    Column("channel_id", Integer, ForeignKey("channels.id"), primary_key=True),
    Column("party_id", Integer, ForeignKey("parties.id"), primary_key=True),
    Index("ix_channel_members_party", "party_id", "channel_id"),
)

#: Every stored STIX object version. ``pk`` order is the order in which versions were added.
objects = Table(
    "objects",
    metadata,
    Column("pk", BigKey, primary_key=True, autoincrement=True),
    Column("stix_id", String(300), nullable=False),
    # 60 random bits of the id's UUID as a signed 64-bit integer (accord.store.objects.id_key):
    # a small index on random keys, where an index on the id strings made every insert write
    # several times as many pages. Lookups check stix_id too.
    Column("id_key", BigInteger, nullable=False),
    Column("version_key", String(32), nullable=False),
    Column("modified", String(64)),
    Column("type", String(250), nullable=False),
    Column("created_by_ref", String(300)),
    Column("name", Text),
    Column("description", Text),
    Column("revoked", Boolean, nullable=False),
    Column("is_latest", Boolean, nullable=False),
    # Sharing: who may receive it (see accord.policy) and how far they may pass it on.
    Column("audience_kind", String(8), nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id")),
    Column("origin_party_id", Integer, ForeignKey("parties.id"), nullable=False),
    Column("tlp", SmallInteger, nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id")),
    Column("added_key", String(32), nullable=False),
    Column("body", Text, nullable=False),
    # A tombstone (TAXII DELETE by the originator): the row stays, readers no longer see it.
    Column("deleted", Boolean, nullable=False, server_default=false()),
    # Provenance: the node where the object was first published, and every node it passed.
    Column("origin_node", String(128), nullable=False, server_default=""),
    Column("hops", Text, nullable=False, server_default="[]"),
    Index("ix_objects_id_key", "id_key"),
    Index("ix_objects_type", "type", "pk"),
)

#: The hash-chained audit log (see accord.audit).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("account", String(128)),
    Column("party", String(64)),
    Column("door", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

#: One row: the sequence number and hash of the newest audit entry, so that a truncated
#: tail is detected, and a row to lock so that appends are serialised.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

#: TAXII status resources (TAXII 2.1 section 4.3), kept so that clients can poll them.
taxii_status = Table(
    "taxii_status",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("body", Text, nullable=False),
)

#: Remote TAXII collections this node pulls from (accord.federation.sync).
peers = Table(
    "peers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    # The TAXII API root, e.g. http://127.0.0.1:8701/taxii2/api/
    Column("url", Text, nullable=False),
    Column("collection_id", String(128), nullable=False),
    Column("token", Text, nullable=False),
    # accord: another Accord node (provenance travels); taxii: any other TAXII server.
    Column("kind", String(16), nullable=False),
    # For a taxii peer: the party its objects are attributed to and their local audience.
    Column("party_id", Integer, ForeignKey("parties.id")),
    Column("audience", String(128)),
    # Where the next pull starts: the server's next token (accord), or added_after (taxii).
    Column("cursor", Text),
    # The last tombstone received from an Accord peer.
    Column("tombstone_cursor", BigInteger, nullable=False, server_default="0"),
    Column("last_sync_at", String(32)),
    Column("last_error", Text),
    Column("created_at", String(32), nullable=False),
)

#: Deletions (tombstones) in the order they happened, so that they federate: a peer pulls
#: those after the last one it applied.
tombstones = Table(
    "tombstones",
    metadata,
    Column("seq", BigKey, primary_key=True, autoincrement=True),
    Column("stix_id", String(300), nullable=False),
    Column("id_key", BigInteger, nullable=False),
    Column("version_key", String(32), nullable=False),
    Column("at", String(32), nullable=False),
)
