"""Records every change to a followed object in the change log, in the writing transaction.

Installed once on SQLAlchemy's Session class (like the audit recorder), so ORM writes
cannot forget it: a flush notes the objects it created, changed or deleted. Set-based
statements (bulk edits, imports, a project's entries following it to another client)
are invisible to the ORM, so their code calls `note` or `note_objects` itself.

Notes wait in the session. Just before the outermost transaction commits, each
organisation's counter row is incremented by the number of changed objects (an upsert
that takes the row's lock until the commit), and every object's log row is replaced by
one carrying its new sequence number. Taking the counter last means the lock is held
only for the commit itself and is never waited on while holding it, so it cannot
deadlock with the writers' other row locks; and since no second transaction can take a
number until the first commits, sequence order is commit order. A rolled-back savepoint
drops the notes made inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from clocktower.changelog.kinds import (
    FOCUS_SESSION,
    KIND_OF_MODEL,
    MODEL_OF_KIND,
    PERSONAL,
    TIME_ENTRY,
)
from clocktower.db import began_within, current_transaction
from clocktower.kit.time import utcnow
from clocktower.models import FocusSession, SyncChange, SyncCounter, TimeEntry

CHUNK = 1000  # ids per IN list, rows per multi-row statement
_PENDING = "changelog_pending"
_VERSIONS = "changelog_versions"
_installed = False

Key = tuple[int, str, int]  # organisation, object type, object id


@dataclass(frozen=True)
class _Note:
    transaction: SessionTransaction | None
    key: Key
    owner: int | None
    owner_known: bool
    deleted: bool


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        _installed = True


def note(
    session: AsyncSession,
    organization_id: int,
    object_type: str,
    ids: Iterable[int],
    *,
    owners: Mapping[int, int] | None = None,
    deleted: bool = False,
) -> None:
    """Objects a set-based statement changed (or deleted). Personal objects name their
    owner through `owners`; for changed ones it may be left out and is read at commit."""
    if object_type not in MODEL_OF_KIND:
        raise ValueError(f"not a followed object type: {object_type!r}")
    personal = object_type in PERSONAL
    sync = session.sync_session
    for object_id in ids:
        owner = owners.get(object_id) if owners is not None else None
        if personal and deleted and owner is None:
            raise ValueError("a deleted personal object needs its owner")
        _add(
            sync,
            (organization_id, object_type, int(object_id)),
            owner=owner if personal else None,
            owner_known=not personal or owner is not None,
            deleted=deleted,
        )


def note_owned(
    session: AsyncSession,
    organization_id: int,
    object_type: str,
    rows: Iterable[Any],
    *,
    deleted: bool = False,
) -> int:
    """`note` for the `(id, user_id)` rows a set-based statement RETURNING them answered.
    Returns how many objects that is."""
    owners = {int(object_id): int(user_id) for object_id, user_id in rows}
    note(session, organization_id, object_type, owners, owners=owners, deleted=deleted)
    return len(owners)


def note_objects(session: AsyncSession, objects: Iterable[Any], *, deleted: bool = False) -> None:
    """Followed ORM objects written by a set-based statement (an INSERT … RETURNING)."""
    sync = session.sync_session
    for obj in objects:
        _note_object(sync, obj, deleted=deleted)


async def note_entries_removed(session: AsyncSession, entry_ids: Iterable[int]) -> None:
    """Before a set-based DELETE of time entries: the focus sessions the database will
    delete with them (a cascade no ORM event sees) become tombstones too."""
    ids = list(entry_ids)
    await session.run_sync(lambda sync: _note_sessions_of(sync, ids, deleted=True))


async def assign_now(session: AsyncSession) -> dict[tuple[str, int], int]:
    """Numbers what the transaction changed so far, now instead of at commit, and answers
    every number this transaction gave out by (object type, id). For an answer that must
    carry versions (offline push); the counter stays locked until the commit."""
    await session.flush()
    await session.run_sync(_write)
    versions: dict[tuple[str, int], int] = session.sync_session.info.get(_VERSIONS, {})
    return dict(versions)


# --- listeners ----------------------------------------------------------------------------


def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    # A work session goes with its entry by a database cascade: note it while it exists.
    removed = [obj.id for obj in session.deleted if isinstance(obj, TimeEntry)]
    if removed:
        _note_sessions_of(session, removed, deleted=True)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    for obj in session.new:
        _note_object(session, obj, deleted=False)
    for obj in session.dirty:
        if type(obj) in KIND_OF_MODEL and session.is_modified(obj, include_collections=False):
            _note_object(session, obj, deleted=False)
    for obj in session.deleted:
        _note_object(session, obj, deleted=True)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its notes wait for the outer commit
    if session.info.get(_PENDING) or session.new or session.dirty or session.deleted:
        session.flush()
        _write(session)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    pending: list[_Note] | None = session.info.get(_PENDING)
    if pending:
        pending[:] = [n for n in pending if not began_within(n.transaction, previous)]


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # The session's transaction is over, however it ended (a close without a rollback
        # too): what it noted and numbered must not leak into the session's next one.
        session.info.pop(_PENDING, None)
        session.info.pop(_VERSIONS, None)


# --- helpers ------------------------------------------------------------------------------


def _note_object(session: Session, obj: Any, *, deleted: bool) -> None:
    kind = KIND_OF_MODEL.get(type(obj))
    if kind is None or obj.id is None or obj.organization_id is None:
        return
    personal = kind in PERSONAL
    owner = obj.user_id if personal else None
    _add(
        session,
        (int(obj.organization_id), kind, int(obj.id)),
        owner=owner,
        owner_known=True,
        deleted=deleted,
    )


def _add(
    session: Session, key: Key, *, owner: int | None, owner_known: bool, deleted: bool
) -> None:
    transaction = current_transaction(session)
    pending: list[_Note] = session.info.setdefault(_PENDING, [])
    pending.append(_Note(transaction, key, owner, owner_known, deleted))


def _note_sessions_of(session: Session, entry_ids: list[int], *, deleted: bool) -> None:
    """Work sessions show their entry's times and note, so a change to the entry is a
    change to its session."""
    connection = session.connection()
    for start in range(0, len(entry_ids), CHUNK):
        rows = connection.execute(
            select(FocusSession.organization_id, FocusSession.id, FocusSession.user_id).where(
                FocusSession.time_entry_id.in_(entry_ids[start : start + CHUNK])
            )
        )
        for organization_id, session_id, user_id in rows:
            _add(
                session,
                (int(organization_id), FOCUS_SESSION, int(session_id)),
                owner=int(user_id),
                owner_known=True,
                deleted=deleted,
            )


def _write(session: Session) -> None:
    pending: list[_Note] = session.info.get(_PENDING, [])
    if not pending:
        return
    changed_entries = [n.key[2] for n in pending if n.key[1] == TIME_ENTRY and not n.deleted]
    if changed_entries:
        _note_sessions_of(session, changed_entries, deleted=False)
    pending = session.info.pop(_PENDING, [])
    latest: dict[Key, _Note] = {}
    for item in pending:
        previous = latest.get(item.key)
        if previous is not None and not item.owner_known and previous.owner_known:
            # A later set-based change does not forget the owner an ORM write named.
            item = _Note(item.transaction, item.key, previous.owner, True, item.deleted)
        latest.pop(item.key, None)  # keep first-noted order, latest content
        latest[item.key] = item
    connection = session.connection()
    owners = _read_owners(connection, [n for n in latest.values() if not n.owner_known])
    versions: dict[tuple[str, int], int] = session.info.setdefault(_VERSIONS, {})
    by_organization: dict[int, list[_Note]] = {}
    for item in latest.values():
        by_organization.setdefault(item.key[0], []).append(item)
    # Counters in one order everywhere, so two transactions never wait on each other.
    for organization_id in sorted(by_organization):
        notes = by_organization[organization_id]
        last = _advance(connection, organization_id, len(notes))
        # Stamped once the counter is ours, not before waiting for it: a listing made while
        # this transaction waited did not see it, so `updated_since` must find it after.
        now = utcnow()
        rows = []
        for seq, item in enumerate(notes, start=last - len(notes) + 1):
            _, kind, object_id = item.key
            owner = item.owner if item.owner_known else owners.get((kind, object_id))
            # A personal object gone before its owner was read: nobody's to hand out.
            deleted = item.deleted or (not item.owner_known and (kind, object_id) not in owners)
            rows.append(
                {
                    "organization_id": organization_id,
                    "object_type": kind,
                    "object_id": object_id,
                    "seq": seq,
                    "user_id": owner,
                    "deleted": deleted,
                    "changed_at": now,
                }
            )
            versions[(kind, object_id)] = seq
        _replace_rows(connection, rows)


def _read_owners(connection: Connection, notes: list[_Note]) -> dict[tuple[str, int], int]:
    owners: dict[tuple[str, int], int] = {}
    by_kind: dict[str, list[int]] = {}
    for item in notes:
        by_kind.setdefault(item.key[1], []).append(item.key[2])
    for kind, ids in by_kind.items():
        model = MODEL_OF_KIND[kind]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = connection.execute(select(model.id, model.user_id).where(model.id.in_(chunk)))
            owners.update({(kind, int(row[0])): int(row[1]) for row in rows})
    return owners


def _dialect_insert(connection: Connection) -> Any:
    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert


def _advance(connection: Connection, organization_id: int, count: int) -> int:
    """Adds `count` to the organisation's counter (creating it at 0 first) and answers the
    new last number; the row stays locked until the transaction ends."""
    statement = _dialect_insert(connection)(SyncCounter).values(
        organization_id=organization_id, last_seq=count, pruned_seq=0
    )
    statement = statement.on_conflict_do_update(
        index_elements=[SyncCounter.organization_id],
        set_={"last_seq": SyncCounter.last_seq + statement.excluded.last_seq},
    ).returning(SyncCounter.last_seq)
    return int(connection.execute(statement).scalar_one())


def _replace_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        statement = _dialect_insert(connection)(SyncChange)
        statement = statement.on_conflict_do_update(
            index_elements=[
                SyncChange.organization_id,
                SyncChange.object_type,
                SyncChange.object_id,
            ],
            set_={
                "seq": statement.excluded.seq,
                "user_id": statement.excluded.user_id,
                "deleted": statement.excluded.deleted,
                "changed_at": statement.excluded.changed_at,
            },
        )
        connection.execute(statement, rows[start : start + CHUNK])
