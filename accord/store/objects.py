"""Repository functions for STIX object versions.

Every read takes a ``visible`` predicate (from :func:`accord.policy.visible_to`) as a required
argument and puts it in the WHERE clause: there is no way to read intelligence here without
one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Connection,
    Row,
    String,
    and_,
    any_,
    case,
    cast,
    false,
    func,
    or_,
    select,
    true,
    update,
)

from accord.stix.observables import CONTENT_KEY_PREFIX
from accord.stix.timestamps import now_timestamp
from accord.stix.validate import identifier_key, is_identifier
from accord.store.exercises import not_in_exercise_channel
from accord.store.schema import objects, tombstones

CHUNK = 900

ITEM_COLUMNS = (
    objects.c.pk,
    objects.c.stix_id,
    objects.c.version_key,
    objects.c.modified,
    objects.c.type,
    objects.c.revoked,
    objects.c.is_latest,
    objects.c.audience_kind,
    objects.c.channel_id,
    objects.c.origin_party_id,
    objects.c.tlp,
    objects.c.added_key,
    objects.c.origin_node,
    objects.c.hops,
    objects.c.body,
    objects.c.shown_origin,
)


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """What the publish path needs to know about a version already in the store."""

    stix_id: str
    version_key: str
    is_latest: bool
    revoked: bool
    origin_party_id: int
    audience_kind: str
    channel_id: int | None
    deleted: bool = False
    #: An anonymised sighting's shown origin (its channel or the hub), kept by every version.
    shown_origin: str | None = None


@dataclass(slots=True)
class ObjectFilter:
    """Search criteria; every one is optional and they combine with AND."""

    types: Sequence[str] = ()
    ids: Sequence[str] = ()
    created_by_ref: str | None = None
    added_after_key: str | None = None
    text: str | None = None
    #: ("own" | "network" | "channel", channel id or None)
    audience: tuple[str, int | None] | None = None
    origin_party_id: int | None = None
    include_revoked: bool = False
    all_versions: bool = False
    #: TAXII ``match[version]``: any of "last", "first", "all" and sortable version keys;
    #: empty means the latest version only (or every version with all_versions).
    versions: Sequence[str] = ()
    #: TAXII ``match[spec_version]``: every stored object is STIX 2.1.
    spec_versions: Sequence[str] = ()
    extra: list[ColumnElement[bool]] = field(default_factory=list)
    #: The node passing objects on over federation (TAXII reads): the read act then leaves
    #: out what may not leave it (accord.policy.forwardable_to).
    forwarded_by: str | None = None
    #: Newest addition first (the console's inbox); cursors then walk backwards.
    newest_first: bool = False
    #: Disjoint predicates whose union is what to read (see accord.policy.slices_from): each
    #: is read through its own index in pk order and the pages are merged.
    slices: Sequence[ColumnElement[bool]] = ()
    #: The criteria match few rows through an index of their own (a subject's names): find
    #: them there and sort them, never walk the pk index (where a planner that overestimates
    #: the matches would look for them through the whole store).
    few_matches: bool = False


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def stored_versions(
    connection: Connection, stix_ids: Mapping[str, int], origin_party_id: int
) -> dict[str, list[StoredVersion]]:
    """Every stored version of the given ids that ``origin_party_id`` originated (publish
    path only). Ids are namespaced by origin party: what other parties hold under the same
    id is never read here, so nothing about it can shape the publisher's answer."""
    found: dict[str, list[StoredVersion]] = {}
    columns = (
        objects.c.stix_id,
        objects.c.version_key,
        objects.c.is_latest,
        objects.c.revoked,
        objects.c.origin_party_id,
        objects.c.audience_kind,
        objects.c.channel_id,
        objects.c.deleted,
        objects.c.shown_origin,
    )
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        # A bulk load outruns autovacuum's statistics, and a planner that believes the table
        # is empty scans all of it for every lookup. These lookups are always by the index.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    for chunk in _chunks(list(stix_ids.items())):
        query = select(*columns).where(
            _keyed_ids_in(connection, chunk), of_party(connection, origin_party_id)
        )
        for row in connection.execute(query):
            found.setdefault(row.stix_id, []).append(
                StoredVersion(
                    row.stix_id,
                    row.version_key,
                    bool(row.is_latest),
                    bool(row.revoked),
                    row.origin_party_id,
                    row.audience_kind,
                    row.channel_id,
                    bool(row.deleted),
                    row.shown_origin,
                )
            )
    if postgres:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return found


#: The indexed key of an identifier (see accord.stix.validate.identifier_key). The uniqueness
#: of (stix_id, version_key) is kept by the publish path, which checks what is stored while
#: it holds the store's write lock (see accord.audit.lock_head).
id_key = identifier_key


def same_id(stix_id: str) -> ColumnElement[bool]:
    """The rows of one identifier; nothing for a string that is not an identifier."""
    if not is_identifier(stix_id):
        return false()
    return and_(objects.c.id_key == id_key(stix_id), objects.c.stix_id == stix_id)


def of_party(connection: Connection, origin_party_id: int) -> ColumnElement[bool]:
    """``origin_party_id = ?`` beside a lookup by ids, kept out of SQLite's choice of index.

    SQLite cannot estimate how many rows ``id_key IN (SELECT value FROM json_each(?))``
    matches and, without statistics, prefers ``ix_objects_origin`` for the equality on the
    party: a walk of every row the party ever stored, for each publish (the MISP import's
    per-event cost grew with the store, 2026-12-08). ``+ 0`` makes the party a filter on
    the rows found by id; PostgreSQL plans the ``= ANY`` arrays by the id index already."""
    if connection.dialect.name == "sqlite":
        return objects.c.origin_party_id + 0 == origin_party_id
    return objects.c.origin_party_id == origin_party_id


def _id_in(connection: Connection, chunk: Sequence[str]) -> ColumnElement[bool]:
    return _keyed_ids_in(connection, [(stix_id, id_key(stix_id)) for stix_id in chunk])


def _keyed_ids_in(connection: Connection, pairs: Sequence[tuple[str, int]]) -> ColumnElement[bool]:
    """``stix_id IN (...)`` through the id_key index; on PostgreSQL one array parameter
    (``= ANY``), which plans as an index lookup per element."""
    keys = sorted({key for _, key in pairs})
    chunk = [stix_id for stix_id, _ in pairs]
    if connection.dialect.name == "postgresql":
        return and_(
            objects.c.id_key == any_(cast(keys, ARRAY(BigInteger))),
            objects.c.stix_id == any_(cast(list(chunk), ARRAY(String))),
        )
    # SQLite: one JSON parameter each, rather than a statement with hundreds of parameters.
    key_values = func.json_each(orjson.dumps(keys).decode()).table_valued("value")
    id_values = func.json_each(orjson.dumps(list(chunk)).decode()).table_valued("value")
    return and_(
        objects.c.id_key.in_(select(key_values.c.value)),
        objects.c.stix_id.in_(select(id_values.c.value)),
    )


def stored_bodies(
    connection: Connection, keys: Sequence[tuple[str, str]], origin_party_id: int
) -> dict[tuple[str, str], str]:
    """The stored serialisation of given (id, version) pairs of one origin party, to tell a
    re-post from a clash."""
    found: dict[tuple[str, str], str] = {}
    for chunk in _chunks(keys):
        condition = or_(*(and_(same_id(i), objects.c.version_key == v) for i, v in chunk))
        for row in connection.execute(
            select(objects.c.stix_id, objects.c.version_key, objects.c.body).where(
                condition, of_party(connection, origin_party_id)
            )
        ):
            found[(row.stix_id, row.version_key)] = row.body
    return found


def demote_latest(connection: Connection, stix_ids: Sequence[str], origin_party_id: int) -> None:
    """Clear ``is_latest`` on the given ids of one origin party before newer versions are
    inserted."""
    for chunk in _chunks(stix_ids):
        connection.execute(
            update(objects)
            .where(
                _id_in(connection, chunk),
                of_party(connection, origin_party_id),
                objects.c.is_latest == true(),
            )
            .values(is_latest=False)
        )


def insert_versions(
    connection: Connection, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert many versions, values in the order of ``columns``: the hot path of every
    publish."""
    unknown = set(columns) - set(objects.c.keys())
    if unknown:
        raise ValueError(f"not columns of objects: {sorted(unknown)}")
    bulk_insert(connection, "objects", columns, rows)


def bulk_insert(
    connection: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert many rows straight through the driver (executemany on SQLite, COPY on
    PostgreSQL); ``table`` and ``columns`` are the caller's constants, never input."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _conditions(
    visible: ColumnElement[bool], criteria: ObjectFilter, *, include_deleted: bool = False
) -> list[ColumnElement[bool]]:
    column = objects.c
    conditions: list[ColumnElement[bool]] = [visible]
    if not include_deleted:
        conditions.append(column.deleted == false())
    if criteria.versions:
        conditions.append(_version_match(criteria.versions))
    elif not criteria.all_versions:
        conditions.append(column.is_latest == true())
    if criteria.spec_versions and "2.1" not in criteria.spec_versions:
        conditions.append(false())
    if not criteria.include_revoked:
        conditions.append(column.revoked == false())
    if criteria.types:
        conditions.append(column.type.in_(list(criteria.types)))
    if criteria.ids:
        conditions.append(column.id_key.in_([id_key(i) for i in criteria.ids if is_identifier(i)]))
        conditions.append(column.stix_id.in_(list(criteria.ids)))
    if criteria.created_by_ref:
        conditions.append(column.created_by_ref == criteria.created_by_ref)
    if criteria.added_after_key:
        conditions.append(column.added_key > criteria.added_after_key)
    if criteria.text:
        pattern = "%" + _escape_like(criteria.text.lower()) + "%"
        conditions.append(
            or_(
                column.name.ilike(pattern, escape="\\"),
                column.description.ilike(pattern, escape="\\"),
            )
        )
    if criteria.audience is not None:
        kind, channel_id = criteria.audience
        conditions.append(column.audience_kind == kind)
        if kind == "channel":
            conditions.append(column.channel_id == channel_id)
    if criteria.audience is None or criteria.audience[0] != "channel":
        # An exercise's objects are shown only when its channel is asked for by name.
        conditions.append(not_in_exercise_channel())
    if criteria.origin_party_id is not None:
        # An anonymised sighting is never found by its real origin party.
        conditions.append(column.origin_party_id == criteria.origin_party_id)
        conditions.append(column.shown_origin.is_(None))
    conditions.extend(criteria.extra)
    return conditions


def _content_keyed(table: Any = objects) -> ColumnElement[bool]:
    """The rows of observables (SCOs), whose version key is a digest of their content."""
    condition: ColumnElement[bool] = table.c.version_key.startswith(
        CONTENT_KEY_PREFIX, autoescape=True
    )
    return condition


def _version_order(table: Any = objects) -> ColumnElement[str]:
    """The order of versions: by version key (``modified``), except observables', which
    carry no timestamp and are ordered by arrival (pk, the second sort key)."""
    return case((_content_keyed(table), ""), else_=table.c.version_key)


def _version_match(tokens: Sequence[str]) -> ColumnElement[bool]:
    """TAXII 2.1 section 3.4.2 ``match[version]``: last, first, all, or given versions. An
    object without ``modified`` or ``created`` (an observable) is versioned by its date
    added, as its manifest says; its content key matches too."""
    if "all" in tokens:
        return true()
    column = objects.c
    earlier = objects.alias("earlier")
    choices: list[ColumnElement[bool]] = []
    if "last" in tokens:
        choices.append(column.is_latest == true())
    if "first" in tokens:
        choices.append(
            ~select(earlier.c.pk)
            .where(
                earlier.c.id_key == column.id_key,
                earlier.c.stix_id == column.stix_id,
                earlier.c.origin_party_id == column.origin_party_id,
                earlier.c.deleted == false(),
                or_(
                    _version_order(earlier) < _version_order(),
                    and_(_version_order(earlier) == _version_order(), earlier.c.pk < column.pk),
                ),
            )
            .exists()
        )
    keys = [t for t in tokens if t not in ("last", "first")]
    if keys:
        choices.append(column.version_key.in_(keys))
        choices.append(and_(_content_keyed(), column.added_key.in_(keys)))
    return or_(*choices) if choices else false()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def page(
    connection: Connection,
    visible: ColumnElement[bool],
    criteria: ObjectFilter,
    *,
    after_pk: int | None,
    limit: int,
) -> list[Row[Any]]:
    """Up to ``limit`` visible versions after ``after_pk``, oldest addition first (or newest
    first, with ``criteria.newest_first``)."""
    conditions = _conditions(visible, criteria)
    pk = objects.c.pk
    if after_pk is not None:
        conditions.append(pk < after_pk if criteria.newest_first else pk > after_pk)
    key = (pk + 0) if criteria.few_matches else pk  # pk + 0: not answerable by the pk index
    order = key.desc() if criteria.newest_first else key
    if not criteria.slices:
        query = select(*ITEM_COLUMNS).where(*conditions).order_by(order).limit(limit)
        return list(connection.execute(query))
    # A slice fixes origin, audience and channel: ordered by all four columns of its index,
    # it is read in index order, which a planner misjudging how many rows match would not.
    columns = (objects.c.origin_party_id, objects.c.audience_kind, objects.c.channel_id, pk)
    slice_order = [c.desc() for c in columns] if criteria.newest_first else list(columns)
    rows: list[Row[Any]] = []
    for part in criteria.slices:
        query = select(*ITEM_COLUMNS).where(*conditions, part).order_by(*slice_order).limit(limit)
        rows.extend(connection.execute(query))
    rows.sort(key=lambda row: row.pk, reverse=criteria.newest_first)
    return rows[:limit]


def related(
    connection: Connection, visible: ColumnElement[bool], stix_id: str, limit: int
) -> list[Row[Any]]:
    """The latest visible relationships and sightings with ``stix_id`` at either end."""
    key = id_key(stix_id)
    column = objects.c
    conditions = _conditions(visible, ObjectFilter())
    ends = or_(column.source_key == key, column.target_key == key)
    query = select(*ITEM_COLUMNS).where(ends, *conditions).order_by(column.pk.desc()).limit(limit)
    return list(connection.execute(query))


def position_of(
    connection: Connection,
    visible: ColumnElement[bool],
    stix_id: str,
    version_key: str,
    origin: int | str,
) -> int | None:
    """The ``pk`` of a version the caller may see: how a cursor becomes a position.
    ``origin`` is the origin party's id, or for an anonymised sighting its shown origin
    (a cursor never carries the party behind it)."""
    if isinstance(origin, str):
        whose = objects.c.shown_origin == origin
    else:
        whose = and_(objects.c.origin_party_id == origin, objects.c.shown_origin.is_(None))
    return connection.execute(
        select(objects.c.pk)
        .where(visible, same_id(stix_id), objects.c.version_key == version_key, whose)
        .order_by(objects.c.pk)
        .limit(1)
    ).scalar_one_or_none()


def versions(connection: Connection, visible: ColumnElement[bool], stix_id: str) -> list[Row[Any]]:
    """Every visible, undeleted version of one id, oldest first (by origin party, then
    version, an observable's by arrival: each origin party holds its own object under an
    id)."""
    query = (
        select(*ITEM_COLUMNS)
        .where(visible, same_id(stix_id), objects.c.deleted == false())
        .order_by(objects.c.origin_party_id, _version_order(), objects.c.pk)
    )
    return list(connection.execute(query))


def tombstone(
    connection: Connection,
    visible: ColumnElement[bool],
    stix_id: str,
    origin_party_id: int,
    versions: Sequence[str] = (),
    audience: tuple[str, int | None] | None = None,
) -> int:
    """Mark versions of an object deleted (all, or the given version keys); only rows the
    caller sees and its party originated. Returns how many rows were marked."""
    conditions = [
        visible,
        same_id(stix_id),
        of_party(connection, origin_party_id),
        objects.c.deleted == false(),
    ]
    if versions:
        conditions.append(_version_match(versions))
    if audience is not None:
        conditions.append(objects.c.audience_kind == audience[0])
        if audience[0] == "channel":
            conditions.append(objects.c.channel_id == audience[1])
    doomed = connection.execute(
        select(objects.c.stix_id, objects.c.id_key, objects.c.version_key).where(*conditions)
    ).all()
    if not doomed:
        return 0
    mine = and_(same_id(stix_id), of_party(connection, origin_party_id))
    connection.execute(
        update(objects)
        .where(mine, objects.c.version_key.in_([row.version_key for row in doomed]))
        .values(deleted=True, is_latest=False)
    )
    now = now_timestamp()
    connection.execute(
        tombstones.insert(),
        [
            {
                "stix_id": r.stix_id,
                "id_key": r.id_key,
                "version_key": r.version_key,
                "at": now,
                "origin_party_id": origin_party_id,
            }
            for r in doomed
        ],
    )
    marked = len(doomed)
    if marked:  # the newest version left, if any, becomes the latest
        newest = connection.execute(
            select(objects.c.version_key)
            .where(mine, objects.c.deleted == false())
            .order_by(_version_order().desc(), objects.c.pk.desc())
            .limit(1)
        ).scalar_one_or_none()
        if newest is not None:
            connection.execute(
                update(objects).where(mine, objects.c.version_key == newest).values(is_latest=True)
            )
    return marked


def tombstone_position(
    connection: Connection,
    visible: ColumnElement[bool],
    criteria: ObjectFilter,
    entry: tuple[str, str, int | str],
) -> int | None:
    """The sequence number of a deletion the caller may see, from its (id, version, origin
    party): how the opaque position of a tombstone feed becomes a place in it. Positions are
    never sequence numbers on the wire, whose gaps would count others' deletions."""
    rows = _tombstones_seen(connection, visible, criteria)
    stix_id, version_key, origin = entry
    if not is_identifier(stix_id):
        return None
    query = rows.where(
        tombstones.c.id_key == id_key(stix_id),
        tombstones.c.stix_id == stix_id,
        tombstones.c.version_key == version_key,
        objects.c.shown_origin == origin
        if isinstance(origin, str)
        else and_(tombstones.c.origin_party_id == origin, objects.c.shown_origin.is_(None)),
    )
    found = connection.execute(query.order_by(tombstones.c.seq.desc()).limit(1)).first()
    return None if found is None else int(found.seq)


def _tombstones_seen(
    connection: Connection, visible: ColumnElement[bool], criteria: ObjectFilter
) -> Any:
    every = replace(criteria, versions=["all"], include_revoked=True)
    conditions = _conditions(visible, every, include_deleted=True)
    return (
        select(
            tombstones.c.seq,
            tombstones.c.stix_id,
            tombstones.c.version_key,
            objects.c.origin_party_id,
            objects.c.shown_origin,
        )
        .join(
            objects,
            and_(
                objects.c.id_key == tombstones.c.id_key,
                objects.c.stix_id == tombstones.c.stix_id,
                objects.c.version_key == tombstones.c.version_key,
                objects.c.origin_party_id == tombstones.c.origin_party_id,
            ),
        )
        .where(*conditions)
    )


def tombstones_after(
    connection: Connection,
    visible: ColumnElement[bool],
    criteria: ObjectFilter,
    after: int,
    limit: int,
) -> list[Row[Any]]:
    """Deletions after ``after`` of versions the caller sees in an audience, oldest first."""
    query = (
        _tombstones_seen(connection, visible, criteria)
        .where(tombstones.c.seq > after)
        .order_by(tombstones.c.seq)
        .limit(limit)
    )
    return list(connection.execute(query))
