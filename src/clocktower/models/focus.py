"""Which client each member is working for right now (S3.7 customer focus)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.kit.time import utcnow
from clocktower.models.base import NEVER_REUSE_IDS, Base, BigId, IdMixin, TenantMixin


class ClientFocus(IdMixin, TenantMixin, Base):
    """One current focus per member: moving it replaces the row, not adds one."""

    __tablename__ = "client_focus"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"), NEVER_REUSE_IDS)

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # The focus goes with its client: a deleted client is no one's focus.
    client_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))
