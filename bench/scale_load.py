"""Bulk-load a PostgreSQL store to the scale of issue 17 (used by :mod:`bench.scale`).

Objects: ``templates`` synthetic objects (bench.synthetic, every id rewritten so that its
UUID starts with eight zeros) are published through the real publish path; the rest are
made inside PostgreSQL, replica ``r`` of a template getting ids whose UUIDs start with ``r``
in hex (its references to other templates rewritten the same way, so relationships stay
whole) and an origin party, audience and TLP drawn from a table of realistic ones (every
party publishes; network, channel and own audiences; TLP CLEAR to RED where policy allows).
Secondary indexes are dropped for the load and rebuilt after it, as an operator would.

Audit entries: a valid hash chain, computed here in Python from the store's head, streamed
to ``COPY`` 1,000,000 a transaction (each commit leaves log and head consistent), the log's
secondary indexes rebuilt at the end. Loading stops early when the disk would come within
``reserve`` bytes of full.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine, text

from accord import audit
from accord.acts import admin
from accord.acts.publish import publish_bytes
from accord.stix.markings import Tlp
from accord.store import audit_partitions, directory
from bench.run import HOST, LIMITS
from bench.synthetic import objects as synthetic_objects

#: pk of replica r of template t: r * STRIDE + t.pk (templates hold pk < STRIDE).
STRIDE = 100_000
SLOTS = 997
JURISDICTIONS = ("KZ", "RU", "CN", "KG", "TJ", "UZ", "IN", "PK", "IR", "BY")
_ID = re.compile(r"(?<!marking-definition)--[0-9a-f]{8}-(?=[0-9a-f]{4}-[0-9a-f]{4}-)")
MIN = "(-9223372036854775807 - 1)"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_bytes(path: str = "/work") -> int:
    return shutil.disk_usage(path).free


@dataclass
class Directory:
    parties: dict[str, int]
    channels: dict[str, int]
    members: dict[str, list[str]]
    #: party code -> (publisher account name, its id, token)
    publishers: dict[str, tuple[str, int, str]]
    readers: dict[str, str]
    admins: dict[str, str]


def make_directory(engine: Engine, parties: int, channels: int, seed: int = 11) -> Directory:
    """Parties of several jurisdictions, bilateral and regional channels, a publisher, a
    reader and an admin per party."""
    rng = random.Random(seed)
    codes = [f"p{n:02d}" for n in range(parties)]
    members: dict[str, list[str]] = {}
    with engine.begin() as connection:
        for n, code in enumerate(codes):
            admin.add_party(connection, HOST, code, code.upper(), JURISDICTIONS[n % 10])
        for n in range(channels):
            size = 2 if n < channels // 2 else rng.randint(3, 8)  # bilateral, then regional
            chosen = ["p00", "p01"] if n == 0 else rng.sample(codes, size)
            if n == 1:
                chosen = sorted(set(chosen) | {"p01"})
            members[f"c{n:02d}"] = chosen
            admin.add_channel(connection, HOST, f"c{n:02d}", chosen)
        publishers, readers, admins = {}, {}, {}
        for code in codes:
            account, token = admin.add_account(connection, HOST, f"pub-{code}", code, "publisher")
            publishers[code] = (account.name, account.id, token)
            readers[code] = admin.add_account(connection, HOST, f"read-{code}", code, "reader")[1]
            admins[code] = admin.add_account(connection, HOST, f"adm-{code}", code, "admin")[1]
        party_ids = {code: directory.get_party(connection, code).id for code in codes}
        channel_ids = {
            str(row.name): int(row.id)
            for row in connection.execute(text("SELECT id, name FROM channels"))
        }
    return Directory(party_ids, channel_ids, members, publishers, readers, admins)


def _slots(found: Directory, rng: random.Random) -> list[tuple[int, int, int, str, Any, int]]:
    """(slot, party_id, account_id, audience_kind, channel_id, tlp): 45 % network, 40 % a
    channel of the origin party, 15 % its own party; TLP:RED only off the network."""
    by_party: dict[str, list[str]] = {code: [] for code in found.parties}
    for channel, codes in found.members.items():
        for code in codes:
            by_party[code].append(channel)
    rows = []
    codes = sorted(found.parties)
    for slot in range(SLOTS):
        code = codes[rng.randrange(len(codes))]
        roll = rng.random()
        channel_id = None
        if roll < 0.45 or (roll < 0.85 and not by_party[code]):
            kind, tlp = "network", rng.choice([Tlp.CLEAR, Tlp.GREEN, Tlp.GREEN, Tlp.AMBER])
        elif roll < 0.85:
            kind = "channel"
            channel_id = found.channels[rng.choice(by_party[code])]
            tlp = rng.choice([Tlp.GREEN, Tlp.AMBER, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED])
        else:
            kind, tlp = "own", rng.choice([Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED])
        rows.append((slot, found.parties[code], found.publishers[code][1], kind, channel_id, tlp))
    return rows


def templates(count: int) -> list[dict[str, Any]]:
    """Synthetic objects whose every id (but official markings') starts with 00000000."""
    made = synthetic_objects(count, seed=17)
    rewritten = _ID.sub("--00000000-", orjson.dumps(made).decode())
    objs: list[dict[str, Any]] = orjson.loads(rewritten)
    return objs


def publish_templates(engine: Engine, found: Directory, objs: list[dict[str, Any]]) -> None:
    with engine.connect() as connection:
        account = directory.get_account(connection, found.publishers["p00"][0])
    for start in range(0, len(objs), 1000):
        bundle = orjson.dumps(
            {
                "type": "bundle",
                "id": f"bundle--{start:08d}-0000-4000-8000-000000000000",
                "objects": objs[start : start + 1000],
            }
        )
        with engine.begin() as connection:
            report = publish_bytes(
                connection,
                account,
                bundle,
                audience="network",
                tlp=Tlp.GREEN,
                door="cli",
                limits=LIMITS,
            )
            assert report.count("rejected") == 0, report.errors[:3]


def _key(column: str, replica: str) -> str:
    """A template's id key turned into replica ``replica``'s (only keys of template ids,
    whose first 32 bits are zero, change)."""
    return (
        f"CASE WHEN ({column} # {MIN}) BETWEEN 0 AND 4294967295 "
        f"THEN ((({replica})::bigint << 32) | ({column} # {MIN})) # {MIN} ELSE {column} END"
    )


def load_objects(engine: Engine, found: Directory, total: int, template_count: int) -> int:
    """Publish the templates, then replicate them inside PostgreSQL up to ``total`` rows."""
    rng = random.Random(23)
    start = time.perf_counter()
    publish_templates(engine, found, templates(template_count))
    say(f"published {template_count:,} template objects in {time.perf_counter() - start:.0f} s")
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        max_pk = int(run("SELECT max(pk) FROM objects").scalar_one())
        assert max_pk < STRIDE, max_pk
        templates_stored = int(run("SELECT count(*) FROM objects").scalar_one())
        run(
            "CREATE TABLE bench_slots (slot int PRIMARY KEY, party_id int, account_id int, "
            "kind varchar(8), channel_id int, tlp smallint)"
        )
        for row in _slots(found, rng):
            run("INSERT INTO bench_slots VALUES (%s, %s, %s, %s, %s, %s)", row)
        # The templates take their audiences from the slots too.
        run(
            "UPDATE objects t SET origin_party_id = s.party_id, account_id = s.account_id, "
            "audience_kind = s.kind, channel_id = s.channel_id, tlp = GREATEST(s.tlp, t.tlp), "
            f"added_key = to_char(timestamp '2022-01-01' + t.pk * interval '1 second', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '000Z' "
            f"FROM bench_slots s WHERE s.slot = mod(t.pk, {SLOTS})"
        )
        indexes = [
            (str(r.indexname), str(r.indexdef))
            for r in connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'objects' "
                    "AND schemaname = current_schema() AND indexname <> 'objects_pkey'"
                )
            )
        ]
        for name, _definition in indexes:
            run(f"DROP INDEX {name}")
    replicas = (total - templates_stored + templates_stored - 1) // templates_stored
    say(f"replicating {templates_stored:,} templates {replicas} times, indexes dropped")
    columns = (
        "pk, stix_id, id_key, version_key, modified, type, created_by_ref, name, description, "
        "revoked, is_latest, audience_kind, channel_id, origin_party_id, tlp, account_id, "
        "added_key, body, deleted, origin_node, hops, source_key, target_key, shown_origin"
    )
    prefix = "'--' || lpad(to_hex(r.n), 8, '0') || '-'"
    select = (
        f"SELECT r.n::bigint * {STRIDE} + t.pk, replace(t.stix_id, '--00000000-', {prefix}), "
        f"{_key('t.id_key', 'r.n')}, t.version_key, t.modified, t.type, "
        f"replace(t.created_by_ref, '--00000000-', {prefix}), "
        "t.name || ' r' || r.n, t.description, t.revoked, t.is_latest, s.kind, s.channel_id, "
        "s.party_id, GREATEST(s.tlp, t.tlp), s.account_id, "
        f"to_char(timestamp '2022-01-01' + (r.n::bigint * {STRIDE} + t.pk) * interval '1 second', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '000Z', "
        f"replace(t.body, '--00000000-', {prefix}), false, t.origin_node, t.hops, "
        f"{_key('t.source_key', 'r.n')}, {_key('t.target_key', 'r.n')}, NULL "
        f"FROM generate_series(%s::int, %s::int) r(n) CROSS JOIN objects t "
        f"JOIN bench_slots s ON s.slot = mod(r.n * 31 + t.pk, {SLOTS}) "
        f"WHERE t.pk < {STRIDE} ORDER BY 1"
    )
    done, step, began = templates_stored, 25, time.perf_counter()
    for first in range(1, replicas + 1, step):
        last = min(replicas, first + step - 1)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "SET LOCAL session_replication_role = replica"
            )  # no FK triggers
            connection.exec_driver_sql(f"INSERT INTO objects ({columns}) {select}", (first, last))
        done += (last - first + 1) * templates_stored
        rate = (done - templates_stored) / (time.perf_counter() - began)
        say(f"objects: {done:,} ({rate:,.0f}/s), disk free {free_bytes() / 1e9:.1f} GB")
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run(f"SELECT setval(pg_get_serial_sequence('objects', 'pk'), {(replicas + 1) * STRIDE})")
        run("SET LOCAL maintenance_work_mem = '1GB'")
        run("SET LOCAL max_parallel_maintenance_workers = 1")
        for name, definition in indexes:
            began = time.perf_counter()
            run(definition)
            say(f"index {name} rebuilt in {time.perf_counter() - began:.0f} s")
        run("DROP TABLE bench_slots")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE objects")
    return done


ACTIONS = (
    ("read.object", 50),
    ("read.objects", 30),
    ("taxii.objects", 12),
    ("publish", 5),
    ("read.screen", 3),
)


def _entries(
    rng: random.Random,
    ids: list[str],
    actors: list[tuple[str, str]],
    actions: list[str],
    seq: int,
    count: int,
    prev: str,
) -> tuple[bytes, str]:
    """COPY text of entries seq+1 .. seq+count chained from ``prev``; and the last hash."""
    sha, dumps, lines = hashlib.sha256, orjson.dumps, []
    at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1_640_995_200 + seq // 50))
    for number in range(seq + 1, seq + count + 1):
        if number % 50 == 0:
            at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1_640_995_200 + number // 50))
        account, party = actors[rng.randrange(len(actors))]
        action = actions[rng.randrange(len(actions))]
        target = None
        if action == "read.object":
            base = ids[rng.randrange(len(ids))]
            target = f"{base[:-36]}{rng.randrange(1000):08x}{base[-28:]}"
        details = '{"count":50}' if action != "read.object" else "{}"
        canonical = dumps([number, at, account, party, "api", action, target, details])
        digest = sha(prev.encode() + b"\n" + canonical).hexdigest()
        lines.append(
            f"{number}\t{at}\t{account}\t{party}\tapi\t{action}\t{target or chr(92) + 'N'}\t"
            f"{details}\t{prev}\t{digest}\n"
        )
        prev = digest
    return "".join(lines).encode(), prev


def load_audit(
    engine: Engine,
    found: Directory,
    target_entries: int,
    reserve: int,
    deadline: float,
    per_entry: int = 400,
) -> int:
    """Append a valid chain of ``target_entries`` entries; fewer when the disk would come
    within ``reserve`` bytes (counting a third of ``per_entry`` bytes an entry for the
    indexes still to build) or at ``deadline`` (``time.time()``). One thread computes the
    next chunk's hashes while the current one is copied."""
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(31)
    with engine.connect() as connection:
        ids = [
            str(r[0])
            for r in connection.execute(text("SELECT stix_id FROM objects WHERE pk < 100000"))
        ]
    actors = [(f"read-{c}", c) for c in found.parties] + [(f"pub-{c}", c) for c in found.parties]
    actions = [a for a, weight in ACTIONS for _ in range(weight)]
    with engine.begin() as connection:
        for index in ("ix_audit_target", "ix_audit_party"):
            connection.exec_driver_sql(f"DROP INDEX {index}")
    with engine.connect() as connection:
        seq = audit.head_seq(connection)
        prev = str(connection.execute(text("SELECT hash FROM audit_head")).scalar_one())
    start_seq, began, chunk = seq, time.perf_counter(), 500_000
    pool = ThreadPoolExecutor(1)
    count = min(chunk, target_entries)
    pending = pool.submit(_entries, rng, ids, actors, actions, seq, count, prev)
    while True:
        data, prev = pending.result()
        loaded = seq - start_seq + count
        next_count = min(chunk, target_entries - loaded)
        stop = next_count <= 0 or time.time() > deadline
        if free_bytes() - reserve < (chunk + loaded) * per_entry // 3:
            say(f"audit: stopping at {loaded:,} entries: the disk reserve would be reached")
            stop = True
        if not stop:  # the next chunk's hashes while this one is copied
            pending = pool.submit(
                _entries, rng, ids, actors, actions, seq + count, next_count, prev
            )
        with engine.begin() as connection:
            audit.lock_head(connection)
            audit_partitions.make_room(connection, seq + count)
            raw = connection.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cursor:
                with cursor.copy(
                    "COPY audit_log (seq, at, account, party, door, action, target, details, "
                    "prev_hash, hash) FROM STDIN"
                ) as copy:
                    for block in range(0, len(data), 1 << 22):
                        copy.write(data[block : block + (1 << 22)])
            connection.execute(
                text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
                {"seq": seq + count, "hash": prev},
            )
        seq += count
        rate = (seq - start_seq) / (time.perf_counter() - began)
        say(f"audit: {seq - start_seq:,} entries ({rate:,.0f}/s), free {free_bytes() / 1e9:.1f} GB")
        if stop:
            break
        count = next_count
    pool.shutdown()
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run("SET LOCAL maintenance_work_mem = '1GB'")
        for definition in (
            "CREATE INDEX ix_audit_target ON audit_log (target, seq)",
            "CREATE INDEX ix_audit_party ON audit_log (party, seq)",
        ):
            began_index = time.perf_counter()
            run(definition)
            say(f"{definition.split(' ON')[0]} built in {time.perf_counter() - began_index:.0f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE audit_log")
    return seq - start_seq
