"""Stored first responses for Idempotency-Key replays (24 h per token)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.models.base import Base, IdMixin


class IdempotencyKey(IdMixin, Base):
    __tablename__ = "idempotency_keys"
    __audited__ = False
    __table_args__ = (UniqueConstraint("scope", "key"),)

    # "token:<id>" for API tokens, "session:<id>" for signed-in users.
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column()
    content_type: Mapped[str | None] = mapped_column(String(100))
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
