"""Delta sync (S6.1, S6.2): the per-organisation change log, its counter, and offline pushes.

Every write to a syncable object (client, project, task, time entry, focus session,
customer focus) leaves one row in `sync_changes` for that object, carrying the sequence
number of its latest change: the row is replaced, not added to, so the log grows with
the number of objects and a sync costs what changed since its token. Sequence numbers
come from the organisation's `sync_counters` row, incremented in the writing transaction
just before it commits: the row lock makes sequence order commit order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.kit.time import utcnow
from clocktower.models.base import Base, BigId, IdMixin, TenantMixin


class SyncCounter(Base):
    __tablename__ = "sync_counters"
    __audited__ = False

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # Tombstones up to here were pruned: an older token must start over with a snapshot.
    pruned_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class SyncChange(IdMixin, TenantMixin, Base):
    __tablename__ = "sync_changes"
    __audited__ = False
    __table_args__ = (
        UniqueConstraint("organization_id", "object_type", "object_id"),
        UniqueConstraint("organization_id", "seq"),
        Index("ix_sync_changes_org_type_changed", "organization_id", "object_type", "changed_at"),
    )

    # client | project | task | time_entry | focus_session | customer_focus
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    # The owner of a personal object (entries, focus sessions); NULL for shared ones.
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncPush(IdMixin, TenantMixin, Base):
    """One offline change applied (or refused): a replay of its `client_ref` answers
    `result` again and changes nothing."""

    __tablename__ = "sync_pushes"
    __audited__ = False
    __table_args__ = (UniqueConstraint("organization_id", "user_id", "client_ref"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    client_ref: Mapped[str] = mapped_column(String(36))
    object_type: Mapped[str] = mapped_column(String(20))
    # The object the change made or touched; NULL when it was refused before that.
    object_id: Mapped[int | None] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
