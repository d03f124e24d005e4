"""Reads of the change log: what changed after a sequence number, in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, or_, select, update

from clocktower.kit.repository import TenantRepository
from clocktower.models import SyncChange, SyncCounter, SyncPush


class ChangeLogRepository(TenantRepository[SyncChange]):
    model = SyncChange

    async def counter(self, organization_id: int) -> tuple[int, int]:
        """The organisation's last sequence number and how far tombstones were pruned."""
        row = (
            await self.session.execute(
                select(SyncCounter.last_seq, SyncCounter.pruned_seq).where(
                    SyncCounter.organization_id == organization_id
                )
            )
        ).first()
        return (int(row[0]), int(row[1])) if row is not None else (0, 0)

    async def after(
        self,
        organization_id: int,
        user_id: int,
        after_seq: int,
        *,
        kinds: Sequence[str],
        limit: int,
        with_tombstones: bool,
    ) -> Sequence[SyncChange]:
        """Changes after `after_seq` that the user may see (shared objects and their own
        personal ones), oldest first: one range scan of the (organisation, seq) index."""
        statement = (
            self.in_organization(organization_id)
            .where(
                SyncChange.seq > after_seq,
                SyncChange.object_type.in_(kinds),
                or_(SyncChange.user_id.is_(None), SyncChange.user_id == user_id),
            )
            .order_by(SyncChange.seq)
            .limit(limit)
        )
        if not with_tombstones:
            statement = statement.where(SyncChange.deleted.is_(False))
        return await self.all(statement)

    async def latest(self, organization_id: int, kind: str, object_id: int) -> SyncChange | None:
        """The object's log row as committed now (re-read, not from the identity map)."""
        return await self.one_or_none(
            self.in_organization(organization_id)
            .where(SyncChange.object_type == kind, SyncChange.object_id == object_id)
            .execution_options(populate_existing=True)
        )

    async def versions(self, organization_id: int, kind: str, ids: Sequence[int]) -> dict[int, int]:
        """Each object's version: the sequence number of its latest change."""
        if not ids:
            return {}
        rows = await self.session.execute(
            select(SyncChange.object_id, SyncChange.seq).where(
                SyncChange.organization_id == organization_id,
                SyncChange.object_type == kind,
                SyncChange.object_id.in_(ids),
            )
        )
        return {int(object_id): int(seq) for object_id, seq in rows.all()}

    async def prune_tombstones(self, before: datetime) -> int:
        """Forgets deletions older than `before`; each organisation's counter remembers
        the highest pruned number, so older tokens are told to start over."""
        pruned = await self.session.execute(
            select(SyncChange.organization_id, SyncChange.seq)
            .where(SyncChange.deleted.is_(True), SyncChange.changed_at < before)
            .order_by(SyncChange.organization_id, SyncChange.seq)
        )
        highest: dict[int, int] = {}
        for organization_id, seq in pruned.all():
            highest[int(organization_id)] = int(seq)
        for organization_id, seq in highest.items():
            await self.session.execute(
                delete(SyncChange).where(
                    SyncChange.organization_id == organization_id,
                    SyncChange.deleted.is_(True),
                    SyncChange.seq <= seq,
                )
            )
            await self.session.execute(
                update(SyncCounter)
                .where(SyncCounter.organization_id == organization_id, SyncCounter.pruned_seq < seq)
                .values(pruned_seq=seq)
            )
        return len(highest)


def changed_since(organization_id: int, kind: str, instant: datetime) -> Select[Any]:
    """Ids of the organisation's objects of `kind` whose latest change committed after
    `instant`: seed 000's lastSyncTimestamp (`updated_since`) read from the change log."""
    return select(SyncChange.object_id).where(
        and_(
            SyncChange.organization_id == organization_id,
            SyncChange.object_type == kind,
            SyncChange.changed_at > instant,
            SyncChange.deleted.is_(False),
        )
    )


class PushLogRepository(TenantRepository[SyncPush]):
    model = SyncPush

    async def of_refs(
        self, organization_id: int, user_id: int, refs: Sequence[str]
    ) -> dict[str, SyncPush]:
        if not refs:
            return {}
        found = await self.all(
            self.in_organization(organization_id).where(
                SyncPush.user_id == user_id, SyncPush.client_ref.in_(refs)
            )
        )
        return {push.client_ref: push for push in found}

    async def forget_before(self, before: datetime) -> None:
        await self.session.execute(delete(SyncPush).where(SyncPush.created_at < before))
