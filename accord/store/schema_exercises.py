"""The tables of joint exercises (accord.exercise), on the schema's one ``MetaData``.

Re-exported by :mod:`accord.store.schema`, which every other module imports them from.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from accord.store.schema_base import BigKey, metadata

# Migration 0009: joint exercises (accord.exercise). A scenario is a checked file kept as
# imported; an exercise is a run of one, directed by an account of its party.
exercise_scenarios = Table(
    "exercise_scenarios",
    metadata,
    Column("id", Integer, primary_key=True),
    #: The importing director's party (None: imported by the node's host, for every party).
    Column("party_id", Integer, ForeignKey("parties.id")),
    Column("name", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("imported_at", String(32), nullable=False),
    Column("imported_by", String(128), nullable=False),
    UniqueConstraint("party_id", "name", name="uq_exercise_scenarios_party_name"),
)

#: Accounts a party's admin made exercise directors (a grant beside the account's role).
exercise_directors = Table(
    "exercise_directors",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("granted_by", String(128), nullable=False),
    Column("granted_at", String(32), nullable=False),
)

exercises = Table(
    "exercises",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("scenario_id", Integer, ForeignKey("exercise_scenarios.id"), nullable=False),
    Column("party_id", Integer, ForeignKey("parties.id"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("channel_name", String(128), nullable=False),
    #: JSON: role -> party code.
    Column("roles", Text, nullable=False),
    Column("speed", Integer, nullable=False),
    Column("start_at", String(32), nullable=False),
    #: scheduled | running | paused | ended
    Column("state", String(16), nullable=False),
    Column("paused_at", String(32)),
    Column("paused_ms", BigInteger, nullable=False, server_default="0"),
    #: The last objects.pk the clock looked at for answers.
    Column("seen_pk", BigInteger, nullable=False, server_default="0"),
    Column("created_at", String(32), nullable=False),
    Column("ended_at", String(32)),
)

#: What happened: injects sent, expectations met or missed, lessons entered.
exercise_events = Table(
    "exercise_events",
    metadata,
    Column("id", BigKey, primary_key=True, autoincrement=True),
    Column("exercise_id", Integer, ForeignKey("exercises.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("item", String(64), nullable=False),
    Column("party_id", Integer, ForeignKey("parties.id")),
    Column("status", String(16), nullable=False),
    Column("at", String(32), nullable=False),
    Column("scenario_seconds", Integer, nullable=False),
    Column("points", Integer, nullable=False, server_default="0"),
    Column("details", Text, nullable=False, server_default="{}"),
    Index("ix_exercise_events", "exercise_id", "kind", "item"),
)

#: 0013: exercises joined from another node (accord.acts.exercise_links); JSON lists.
exercise_links = Table(
    "exercise_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("exercise", String(64), nullable=False),
    Column("channel_name", String(128), nullable=False, unique=True),
    Column("director_party_id", Integer, ForeignKey("parties.id"), nullable=False),
    Column("channels", Text, nullable=False),
    Column("peers", Text, nullable=False),
    Column("joined_at", String(32), nullable=False),
    Column("ended_at", String(32)),
)
