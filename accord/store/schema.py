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
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)

from accord.store.schema_base import BigKey as BigKey
from accord.store.schema_base import metadata as metadata

# The exercises' tables live in their own module, on the same metadata (re-exported here).
from accord.store.schema_exercises import exercise_directors as exercise_directors
from accord.store.schema_exercises import exercise_events as exercise_events
from accord.store.schema_exercises import exercise_links as exercise_links
from accord.store.schema_exercises import exercise_scenarios as exercise_scenarios
from accord.store.schema_exercises import exercises as exercises

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
    # Migration 0006: a token lives token_lifetime_days (set again by every rotation) and
    # is refused after token_expires_at or once revoked_at is set.
    Column("token_expires_at", String(32), nullable=False),
    Column("token_lifetime_days", Integer, nullable=False),
    Column("token_rotated_at", String(32)),
    Column("revoked_at", String(32)),
)

#: Console sessions: the SHA-256 of a random session id (the cookie holds the id itself),
#: its account, its last use (idle timeout) and its absolute deadline.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Index("ix_console_sessions_account", "account_id"),
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
    # The endpoints of a relationship (source, target) or sighting (sighting_of), as id keys:
    # how an object page finds its relationships without scanning.
    Column("source_key", BigInteger),
    Column("target_key", BigInteger),
    # Migration 0008: a sighting published anonymised shows this (its channel, or "hub")
    # instead of its origin party; the origin is kept for policy and the audit.
    Column("shown_origin", String(140)),
    Index("ix_objects_id_key", "id_key"),
    Index("ix_objects_type", "type", "pk"),
    Index(
        "ix_objects_source_key",
        "source_key",
        sqlite_where=text("source_key IS NOT NULL"),
        postgresql_where=text("source_key IS NOT NULL"),
    ),
    Index(
        "ix_objects_target_key",
        "target_key",
        sqlite_where=text("target_key IS NOT NULL"),
        postgresql_where=text("target_key IS NOT NULL"),
    ),
    Index("ix_objects_channel", "channel_id", "pk"),
    Index("ix_objects_origin", "origin_party_id", "pk"),
    Index("ix_objects_origin_audience", "origin_party_id", "audience_kind", "channel_id", "pk"),
    Index("ix_objects_added", "added_key"),
)
#: Intelligence about a register subject is found by its names, whatever their case.
Index("ix_objects_name_lower", func.lower(objects.c.name))
#: Search (``q``: ``name ILIKE '%word%' OR description ILIKE '%word%'``) on PostgreSQL: a
#: trigram index on each column (pg_trgm, migration 0015), which the planner ORs as two
#: bitmap scans instead of scanning the whole table for a rare word. PostgreSQL only:
#: SQLite has no trigram index and keeps its scan (``ddl_if``; the migrations test compares
#: these on PostgreSQL only).
POSTGRESQL_ONLY_INDEXES = ("ix_objects_name_trgm", "ix_objects_description_trgm")
for _name, _column in zip(
    POSTGRESQL_ONLY_INDEXES, (objects.c.name, objects.c.description), strict=True
):
    Index(
        _name,
        _column,
        postgresql_using="gin",
        postgresql_ops={_column.name: "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")

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
    # An object's audit trail (the console's object page, for admins) without a scan.
    Index("ix_audit_target", "target", "seq"),
    # A party's own view of the log (accord.audit_view): its accounts' entries, newest first.
    Index("ix_audit_party", "party", "seq"),
)
#: Read receipts: for each audited read, which party read which objects of each originating
#: party. An originator sees which parties (never which of their people) read its objects,
#: without scanning the log. One row per (read entry, origin party).
read_receipts = Table(
    "read_receipts",
    metadata,
    Column("id", BigKey, primary_key=True, autoincrement=True),
    Column("seq", BigInteger, nullable=False),
    Column("origin_party_id", Integer, ForeignKey("parties.id"), nullable=False),
    Column("reader_party", String(64), nullable=False),
    Column("door", String(16), nullable=False),
    Column("at", String(32), nullable=False),
    # JSON list of "id@version" read.
    Column("objects", Text, nullable=False),
    Index("ix_read_receipts_origin", "origin_party_id", "seq"),
)
#: Channel membership is an agreement: a party joins a channel only when the admin of every
#: current member party has agreed. One row per (channel, candidate, agreeing member).
channel_agreements = Table(
    "channel_agreements",
    metadata,
    Column("channel_id", Integer, ForeignKey("channels.id"), primary_key=True),
    Column("candidate_party_id", Integer, ForeignKey("parties.id"), primary_key=True),
    Column("member_party_id", Integer, ForeignKey("parties.id"), primary_key=True),
    Column("account", String(128), nullable=False),
    Column("at", String(32), nullable=False),
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

#: Heads of the audit chain found intact by a verification: ``audit verify --incremental``
#: starts from the newest instead of from entry 1 (accord.audit).
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("verified_at", String(32), nullable=False),
)

#: Archived audit partitions' boundaries, file digests and chain entries (accord.audit_archive).
audit_archives = Table(
    "audit_archives",
    metadata,
    Column("last_seq", BigInteger, primary_key=True, autoincrement=False),
    Column("first_seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("partition", String(64), nullable=False),
    Column("entries", BigInteger, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("entry_seq", BigInteger, nullable=False),
    Column("archived_at", String(32), nullable=False),
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
    # The last tombstone received from an Accord peer (unused since migration 0007).
    Column("tombstone_cursor", BigInteger, nullable=False, server_default="0"),
    # The opaque position after the last tombstone received from an Accord peer.
    Column("tombstone_after", Text),
    Column("last_sync_at", String(32)),
    Column("last_error", Text),
    Column("created_at", String(32), nullable=False),
    # misp-feed peers: the TLP of events that carry none (and the least any is given).
    Column("tlp", String(16)),
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
    # Ids are namespaced by origin party: the deleted version is (origin, id, version).
    Column("origin_party_id", Integer),
)

# --- The unified register (accord.register) --------------------------------------------

#: One import of one file: what it was, and its closing report.
register_imports = Table(
    "register_imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    # The date the list itself was generated (UN dateGenerated), when it says so.
    Column("generated_on", String(10)),
    Column("at", String(32), nullable=False),
    Column("report", Text, nullable=False),
)

#: A designated person or organisation. Records from several lists may denote one subject.
register_subjects = Table(
    "register_subjects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # organization | person
    Column("name", Text, nullable=False),
    # Persons: dates and places of birth, nationalities, documents (JSON).
    Column("details", Text, nullable=False, server_default="{}"),
    Column("created_at", String(32), nullable=False),
    # Set when an analyst's link moved this subject's records into another one.
    Column("merged_into", Integer),
)

#: One entry of one source list, as imported; ``record_key`` is stable across imports
#: (a UN reference number, or a jurisdiction and name for national lists).
register_records = Table(
    "register_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(32), nullable=False),
    Column("record_key", String(300), nullable=False),
    Column("subject_id", Integer, ForeignKey("register_subjects.id"), nullable=False),
    Column("payload", Text, nullable=False),
    Column("first_import_id", Integer, ForeignKey("register_imports.id"), nullable=False),
    Column("last_import_id", Integer, ForeignKey("register_imports.id"), nullable=False),
    UniqueConstraint("source", "record_key", name="uq_register_records_key"),
)

register_names = Table(
    "register_names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subject_id", Integer, ForeignKey("register_subjects.id"), nullable=False),
    Column("record_id", Integer, ForeignKey("register_records.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("quality", String(16), nullable=False),  # primary | strong | weak | former
    Column("script", String(16), nullable=False),
    Index("ix_register_names_subject", "subject_id"),
)

#: One jurisdiction's designation of a subject, from one record, with its current state.
register_designations = Table(
    "register_designations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subject_id", Integer, ForeignKey("register_subjects.id"), nullable=False),
    Column("record_id", Integer, ForeignKey("register_records.id"), nullable=False),
    Column("jurisdiction", String(16), nullable=False),
    Column("authority", Text, nullable=False, server_default=""),
    Column("programme", Text, nullable=False, server_default=""),
    Column("reference", String(64)),
    Column("status", String(16), nullable=False),  # listed | delisted | suspended
    Column("listed_on", String(10)),
    Column("delisted_on", String(10)),
    Column("legal_basis", Text, nullable=False, server_default=""),
    Column("source_url", Text, nullable=False, server_default=""),
    UniqueConstraint("record_id", "jurisdiction", name="uq_register_designation"),
    Index("ix_register_designations_subject", "subject_id"),
)

#: Every dated change of a designation: the register answers "as of date D" from these.
register_events = Table(
    "register_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("designation_id", Integer, ForeignKey("register_designations.id"), nullable=False),
    # When it took effect (first day of a partial date), and how precisely it is known:
    # day | month | year | by (no later than: seen absent from a list of that date).
    Column("on_date", String(10), nullable=False),
    Column("precision", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Column("import_id", Integer, ForeignKey("register_imports.id"), nullable=False),
    Index("ix_register_events_designation", "designation_id", "on_date"),
)

#: An analyst's decision that two records denote the same subject, or different ones. Kept
#: across re-imports (records are named by source and key); undoing one deactivates it.
register_links = Table(
    "register_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_a", String(340), nullable=False),
    Column("record_b", String(340), nullable=False),
    Column("decision", String(16), nullable=False),  # same | different
    Column("active", Boolean, nullable=False),
    Column("decided_by", String(128), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("at", String(32), nullable=False),
)

# --- Correlation, watches and alerts (accord.correlate) --------------------------------

#: What each stored object version shares with others: one row per (version, value), so
#: that the store grows with the number of values held, never with the pairs among objects
#: that share one (MISP stores every pair). ``value_key`` is a 63-bit digest of the kind and
#: the normalised value; IP addresses and networks also carry their first and last address
#: as fixed-width hex (``lo``, ``hi``) for containment. Who may see a correlation is decided
#: when it is read, through the objects it joins (accord.policy.visible_to).
correlation_keys = Table(
    "correlation_keys",
    metadata,
    Column("id", BigKey, primary_key=True, autoincrement=True),
    Column("object_pk", BigInteger, nullable=False),
    # domain | url | ipv4 | ipv4-net | ipv6 | ipv6-net | email | phone | hash | crypto |
    # document | name | subject
    Column("kind", String(16), nullable=False),
    Column("value", Text, nullable=False),
    Column("value_key", BigInteger, nullable=False),
    Column("lo", String(32)),
    Column("hi", String(32)),
    Column("source", String(64), nullable=False, server_default=""),
    Index("ix_correlation_value", "value_key", "object_pk"),
    Index("ix_correlation_object", "object_pk"),
    Index(
        "ix_correlation_range",
        "kind",
        "lo",
        sqlite_where=text("lo IS NOT NULL"),
        postgresql_where=text("lo IS NOT NULL"),
    ),
)

#: An analyst's watch: a name (any script), a register subject, or an observable value.
watches = Table(
    "watches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    # What the party calls it: numbered per party, so that no number counts another's.
    Column("number", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # name | subject | value
    # As the analyst gave it, and as it is matched (normalised; its digest for subjects and
    # values, and the first and last address of an IP network).
    Column("text", Text, nullable=False),
    Column("value_kind", String(16), nullable=False),
    Column("value", Text, nullable=False),
    Column("value_key", BigInteger),
    Column("lo", String(32)),
    Column("hi", String(32)),
    Column("note", Text, nullable=False, server_default=""),
    Column("expires_on", String(10)),
    Column("created_at", String(32), nullable=False),
    Column("removed_at", String(32)),
    # The exercise the watch belongs to (its name): it then matches only that exercise's
    # objects, and a real watch (NULL) only real intelligence (accord.acts.alerts).
    Column("exercise", String(63)),
    UniqueConstraint("party_id", "number", name="uq_watches_number"),
    Index("ix_watches_value", "value_key"),
    Index("ix_watches_exercise", "exercise"),
)

#: An alert: something a watch's party may see matched it. Raised once per (watch, object
#: version); every read checks again that the party may still see the object.
alerts = Table(
    "alerts",
    metadata,
    Column("id", BigKey, primary_key=True, autoincrement=True),
    Column("watch_id", Integer, ForeignKey("watches.id"), nullable=False),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=False),
    # Numbered per party (ids, cursors), so that no number counts another party's alerts.
    Column("number", Integer, nullable=False),
    Column("object_pk", BigInteger, nullable=False),
    Column("stix_id", String(300), nullable=False),
    # JSON: which part of the object matched, and how (as screening explains a name).
    Column("reason", Text, nullable=False),
    Column("raised_at", String(32), nullable=False),
    Column("acknowledged_at", String(32)),
    Column("acknowledged_by", String(128)),
    # Withdrawn: its object was revoked, deleted or (a register subject) delisted.
    Column("withdrawn_at", String(32)),
    Column("withdrawn", String(16)),
    UniqueConstraint("watch_id", "object_pk", name="uq_alerts_watch_object"),
    UniqueConstraint("party_id", "number", name="uq_alerts_number"),
    Index("ix_alerts_object", "object_pk"),
)

#: Stored versions waiting to be matched against the watches (accord.acts.alerts): written
#: in the transaction that stored them, removed in the one that raised their alerts, so that
#: a version is matched exactly once even across a crash.
alert_queue = Table(
    "alert_queue",
    metadata,
    Column("object_pk", BigInteger, primary_key=True, autoincrement=False),
    Column("queued_at", String(32), nullable=False),
)

#: A party's webhook: alerts are POSTed to ``url`` with an HMAC-SHA256 of the body under
#: ``secret`` (accord.correlate.webhooks).
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("disabled_at", String(32)),
    Index("ix_webhooks_party", "party_id"),
)

#: The outbox: one row per (webhook, alert event), written in the transaction that raised or
#: withdrew the alert, so that nothing is lost across a restart; a row is done once its
#: receiver acknowledged it (2xx) and that was committed.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigKey, primary_key=True, autoincrement=True),
    Column("webhook_id", Integer, ForeignKey("webhooks.id"), nullable=False),
    Column("alert_id", BigInteger, nullable=False),
    Column("event", String(16), nullable=False),  # alert | withdrawn
    Column("created_at", String(32), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", String(32), nullable=False),
    Column("delivered_at", String(32)),
    Column("last_error", Text),
    Index("ix_deliveries_due", "delivered_at", "next_attempt_at"),
)

#: MISP sharing groups mapped by the operator to the channel of the same parties
#: (accord.misp.distribution): an event shared with an unmapped group is refused.
misp_sharing_groups = Table(
    "misp_sharing_groups",
    metadata,
    Column("uuid", String(36), primary_key=True),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("created_at", String(32), nullable=False),
)

#: The events of a misp-feed peer stored here: the manifest timestamp last pulled (the
#: incremental pull's position) and the STIX ids stored for it (a deleted event's).
misp_feed_events = Table(
    "misp_feed_events",
    metadata,
    Column("peer_id", Integer, ForeignKey("peers.id"), primary_key=True),
    Column("event_uuid", String(36), primary_key=True),
    Column("timestamp", String(20), nullable=False),
    Column("stix_ids", Text, nullable=False),
)
