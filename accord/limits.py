"""One set of limits for every door: REST, TAXII, the console, the CLI, importers and peers.

Each limit is a setting (``accord.config.Settings``, documented in docs/configuration.md);
:class:`Limits` gathers them once so that a door asks ``limits.page(raw)`` or
``limits.publish()`` instead of reading settings of its own. Domain code (register,
screening, ingestion) takes the one number it needs, defaulting to :data:`DEFAULT_LIMITS`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from accord.config import Settings
from accord.errors import FieldError, InvalidInput, TooManyRequests

_DEFAULTS = Settings()
#: The largest integer a store column holds (SQLite and PostgreSQL BIGINT): a larger id or
#: sequence number in a request names nothing, and is refused before it reaches the store.
MAX_ROW_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Limits:
    """Every size and time limit of a node, read from its settings."""

    body_bytes: int = _DEFAULTS.max_body_bytes
    bundle_objects: int = _DEFAULTS.max_bundle_objects
    object_bytes: int = _DEFAULTS.max_object_bytes
    json_depth: int = _DEFAULTS.max_json_depth
    page_size: int = _DEFAULTS.max_page_size
    name_length: int = _DEFAULTS.max_name_length
    parameter_length: int = _DEFAULTS.max_parameter_length
    article_bytes: int = _DEFAULTS.max_article_bytes
    ingest_seconds: int = _DEFAULTS.ingest_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            body_bytes=settings.max_body_bytes,
            bundle_objects=settings.max_bundle_objects,
            object_bytes=settings.max_object_bytes,
            json_depth=settings.max_json_depth,
            page_size=settings.max_page_size,
            name_length=settings.max_name_length,
            parameter_length=settings.max_parameter_length,
            article_bytes=settings.max_article_bytes,
            ingest_seconds=settings.ingest_seconds,
        )

    def page(self, raw: int | str | None, name: str = "limit", default: int | None = None) -> int:
        """The page size to serve for a caller's ``limit``: below 1 (or not a number) is a 400
        naming the parameter; above the node's largest page is served as the largest page
        (TAXII 2.1 section 3.4.1 lets a server return fewer than asked)."""
        if raw is None or raw == "":
            return min(default or self.page_size, self.page_size)
        value = raw if isinstance(raw, int) else _integer(raw, name)
        if value < 1:
            raise InvalidInput(
                f"{name} {raw!r} must be a positive integer",
                errors=[FieldError(name, "must be a positive integer")],
            )
        return min(value, self.page_size)

    def check_name(self, name: str, where: str) -> None:
        """Refuse a name longer than the register holds, naming where it came from."""
        if len(name) > self.name_length:
            raise InvalidInput(
                f"{where}: a name of {len(name):,} characters; at most {self.name_length:,}",
                errors=[FieldError(where, f"longer than {self.name_length} characters")],
            )


def _integer(raw: str, name: str) -> int:
    text = raw.strip()
    try:
        if text.isascii() and text.lstrip("-").isdigit():
            return int(text)
    except ValueError:  # more digits than Python converts: a huge number, still a number
        return -1 if text.startswith("-") else 2**63
    raise InvalidInput(
        f"{name} {raw[:40]!r} must be a positive integer",
        errors=[FieldError(name, "must be a positive integer")],
    )


def row_id(raw: str, name: str) -> int:
    """A sequence number or row id from a request: digits, at most :data:`MAX_ROW_ID`."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ROW_ID:
        raise InvalidInput(
            f"{name} {raw[:40]!r} must be a whole number from 0 to {MAX_ROW_ID}",
            errors=[FieldError(name, f"must be a whole number from 0 to {MAX_ROW_ID}")],
        )
    return int(text)


DEFAULT_LIMITS = Limits()


@dataclass
class _Bucket:
    tokens: float
    at: float
    running: int = 0


@dataclass
class _Rule:
    """At most ``rate`` requests a second (bursts of ``2 * rate``) and ``concurrent`` at once;
    0 switches either off."""

    rate: int
    concurrent: int
    buckets: dict[str, _Bucket] = field(default_factory=dict)


class RequestGuard:
    """Request rate and concurrent requests per account and per party, in this process.

    A request is admitted when neither its account nor its party is over a limit; its
    admission is released when the answer is done. The counts are this process's: with N
    worker processes a caller may reach N times a limit (docs/configuration.md)."""

    def __init__(
        self,
        account_rate: int,
        account_concurrent: int,
        party_rate: int,
        party_concurrent: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rules = {
            "account": _Rule(account_rate, account_concurrent),
            "party": _Rule(party_rate, party_concurrent),
        }
        self._clock = clock
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RequestGuard:
        return cls(
            settings.account_requests_per_second,
            settings.account_concurrent_requests,
            settings.party_requests_per_second,
            settings.party_concurrent_requests,
        )

    def admit(self, account: str, party: str) -> Callable[[], None]:
        """Admit one request, or raise :class:`TooManyRequests` naming the limit; returns
        the release to call once the answer is done."""
        keys = {"account": account, "party": party}
        with self._lock:
            now = self._clock()
            taken: list[_Bucket] = []
            for kind, rule in self._rules.items():
                bucket = rule.buckets.setdefault(keys[kind], _Bucket(2.0 * rule.rate, now))
                if rule.rate:
                    bucket.tokens = min(
                        2.0 * rule.rate, bucket.tokens + (now - bucket.at) * rule.rate
                    )
                    bucket.at = now
                    if bucket.tokens < 1:
                        wait = math.ceil((1 - bucket.tokens) / rule.rate)
                        self._undo(taken)
                        raise TooManyRequests(
                            f"{kind} {keys[kind]!r} is over {rule.rate} requests a second",
                            retry_after=wait,
                        )
                if rule.concurrent and bucket.running >= rule.concurrent:
                    self._undo(taken)
                    raise TooManyRequests(
                        f"{kind} {keys[kind]!r} already has {rule.concurrent} requests in progress",
                        retry_after=1,
                    )
                if rule.rate:
                    bucket.tokens -= 1
                bucket.running += 1
                taken.append(bucket)
        released = False

        def release() -> None:
            nonlocal released
            with self._lock:
                if not released:
                    released = True
                    for bucket in taken:
                        bucket.running -= 1

        return release

    @staticmethod
    def _undo(taken: list[_Bucket]) -> None:
        for bucket in taken:
            bucket.running -= 1
            bucket.tokens += 1


class FailureGuard:
    """Requests that fail authentication, counted per client address (in this process).

    Each address has a budget of ``per_minute`` failures (a token bucket of that size,
    refilled at ``per_minute`` a minute). An address that has spent it is refused (429) on
    every request that has to authenticate, before its credentials are looked at, until
    the bucket refills: a brute force learns nothing more and costs no more token lookups.
    Another address's requests are never counted here, so one address's bad requests
    cannot limit another's good ones. 0 switches it off. At most ``max_addresses`` are
    kept: past that, the addresses whose budget has refilled are forgotten first."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = 10_000,
    ) -> None:
        self.per_minute = per_minute
        self.max_addresses = max_addresses
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def _refilled(self, bucket: _Bucket, now: float) -> float:
        return min(
            float(self.per_minute), bucket.tokens + (now - bucket.at) * self.per_minute / 60.0
        )

    def check(self, address: str) -> None:
        """Raise :class:`TooManyRequests` when ``address`` has spent its failures."""
        if not self.per_minute:
            return
        with self._lock:
            bucket = self._buckets.get(address)
            if bucket is None:
                return
            now = self._clock()
            tokens = self._refilled(bucket, now)
            if tokens < 1:
                wait = math.ceil((1 - tokens) * 60.0 / self.per_minute)
                raise TooManyRequests(
                    f"too many requests from {address} failed authentication; "
                    f"at most {self.per_minute} a minute",
                    retry_after=wait,
                )

    def failed(self, address: str) -> None:
        """Count one failed authentication from ``address``."""
        if not self.per_minute:
            return
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(address)
            if bucket is None:
                if len(self._buckets) >= self.max_addresses:
                    self._forget(now)
                bucket = self._buckets[address] = _Bucket(float(self.per_minute), now)
            bucket.tokens = self._refilled(bucket, now) - 1
            bucket.at = now

    def _forget(self, now: float) -> None:
        full = [a for a, b in self._buckets.items() if self._refilled(b, now) >= self.per_minute]
        for address in full:
            del self._buckets[address]
        while len(self._buckets) >= self.max_addresses:  # every one still counting: oldest
            del self._buckets[min(self._buckets, key=lambda a: self._buckets[a].at)]
