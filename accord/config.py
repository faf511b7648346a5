"""One typed settings object, read from the environment (prefix ``ACCORD_``) once and passed in.

Nothing in the package reads the environment at import time: the CLI and the tests build a
:class:`Settings` and hand it to ``create_app`` and the store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///./var/accord.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of a node; each field can be set as ``ACCORD_<NAME>`` in the environment."""

    #: SQLAlchemy URL of the store: ``sqlite:///path`` or ``postgresql+psycopg://...``.
    database_url: str = DEFAULT_DATABASE_URL
    #: Name of this node, recorded in provenance and audit entries.
    node_name: str = "accord-node"
    #: Interface the server binds to; loopback unless an operator says otherwise.
    host: str = "127.0.0.1"
    #: TCP port of the server.
    port: int = 8700
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 64 * 1024 * 1024
    #: Largest number of objects in one published bundle.
    max_bundle_objects: int = 20_000
    #: Largest serialised size of one STIX object, in bytes.
    max_object_bytes: int = 1024 * 1024
    #: Deepest nesting of JSON containers inside one STIX object.
    max_json_depth: int = 32
    #: Largest page a caller may ask for; a larger ``limit`` is served as this many.
    max_page_size: int = 1000
    #: Longest name in the register or in a screening query, in characters.
    max_name_length: int = 1000
    #: Longest query or path parameter of any route, in characters.
    max_parameter_length: int = 4096
    #: Largest article ingestion reads, in bytes.
    max_article_bytes: int = 2 * 1024 * 1024
    #: Seconds of work ingestion may spend on one article before it stops with an error.
    ingest_seconds: int = 30
    #: Seconds between two pulls from every peer in ``accord serve`` (0: no background sync).
    sync_interval: int = 60
    #: Seconds between two steps of the exercise clock in ``accord serve`` (0: no clock).
    exercise_clock_interval: int = 1
    #: SQLite ``synchronous`` pragma: FULL makes every acknowledged commit durable.
    sqlite_synchronous: str = "FULL"
    #: Days a new or rotated account token lives unless an account is given its own lifetime.
    token_lifetime_days: int = 90
    #: Seconds of inactivity after which a console session ends.
    console_idle_timeout: int = 30 * 60
    #: Seconds after sign-in at which a console session ends, however active.
    console_absolute_timeout: int = 12 * 60 * 60
    #: 1: every stored object is correlated and matched against watches; 0: neither.
    correlation: int = 1
    #: A value shared by more objects than this that a reader may see is not listed as a
    #: correlation but flagged as too common (MISP's "5" matching 500,000 attributes).
    correlation_fanout: int = 100
    #: Audience of MISP events of distribution 1 ("this community"): own, network or a channel.
    misp_audience_community: str = "own"
    #: Audience of MISP events of distribution 2 ("connected communities").
    misp_audience_connected: str = "own"
    #: Audience of MISP events of distribution 3 ("all communities").
    misp_audience_all: str = "own"
    #: TLP of an imported MISP event that carries no TLP tag.
    misp_default_tlp: str = "amber"
    #: 1: imported MISP attributes are checked against the MISP warning lists; 0: not.
    misp_warning_lists: int = 1
    #: Processes converting MISP events with misp-stix (import, export, feeds); 0: one a
    #: core, 1: in the serving process itself.
    misp_workers: int = 0

    #: 1: the audit entries of concurrent reads are committed in batches (one transaction
    #: for many; each answer waits for its entry); 0: each read commits its own entry.
    audit_group_commit: int = 1

    #: Requests a second one account may make (bursts of twice as many); 0: no limit.
    account_requests_per_second: int = 200
    #: Requests one account may have in progress at once; 0: no limit.
    account_concurrent_requests: int = 32
    #: Requests a second all accounts of one party together may make; 0: no limit.
    party_requests_per_second: int = 1000
    #: Requests all accounts of one party may have in progress at once; 0: no limit.
    party_concurrent_requests: int = 128
    #: Requests from one client address that may fail authentication a minute (bursts of
    #: as many); past it that address gets 429 until the budget refills; 0: no limit.
    address_auth_failures_per_minute: int = 60

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``ACCORD_*`` variables, then apply explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = env.get(f"ACCORD_{field.name.upper()}")
            if raw is None:
                continue
            if field.type in ("int", int):
                try:
                    values[field.name] = int(raw)
                except ValueError as exc:
                    raise ValueError(
                        f"ACCORD_{field.name.upper()} must be an integer, got {raw!r}"
                    ) from exc
            else:
                values[field.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
