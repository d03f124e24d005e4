"""Users (global: one person may belong to several organisations) and their sign-in state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.models.base import Base, BigId, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __secret_columns__ = frozenset({"password_hash"})

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    username: Mapped[str | None] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Instance operator (created by `clocktower create-admin`); not an organisation role.
    is_superuser: Mapped[bool] = mapped_column(default=False)
    current_organization_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="SET NULL", use_alter=True)
    )
    image_url: Mapped[str | None] = mapped_column(String(2048))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    work_days: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["mon", "tue", "wed", "thu", "fri"]
    )
    work_hours_start: Mapped[str] = mapped_column(String(5), default="09:00")
    work_hours_end: Mapped[str] = mapped_column(String(5), default="17:00")
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where tasks created without a project go (seed 001).
    default_project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="SET NULL", use_alter=True)
    )
    github_username: Mapped[str | None] = mapped_column(String(100), index=True)
    cw_identifier: Mapped[str | None] = mapped_column(String(100))
    last_login_at: Mapped[datetime | None] = mapped_column()
    password_changed_at: Mapped[datetime | None] = mapped_column()


class AuthSession(IdMixin, Base):
    """One sign-in: the family every rotated refresh token of that sign-in belongs to."""

    __tablename__ = "auth_sessions"
    __audited__ = False

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    ip_address: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(IdMixin, Base):
    __tablename__ = "refresh_tokens"
    __audited__ = False

    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class PasswordResetToken(IdMixin, Base):
    __tablename__ = "password_reset_tokens"
    __audited__ = False

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
