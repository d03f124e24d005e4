"""Organisations (tenants), their members, roles and invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clocktower.models.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin
from clocktower.models.user import User


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    billing_email: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[str | None] = mapped_column(Text)
    subscription_status: Mapped[str] = mapped_column(String(20), default="active")
    # Typed by setting.schemas.OrganizationSettings; new settings need no migration.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))


class OrganizationLogo(Base):
    """The logo printed on the organisation's invoices and quotes (PNG or JPEG)."""

    __tablename__ = "organization_logos"
    __audited__ = False

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column()


class Role(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("organization_id", "moniker"),)

    title: Mapped[str] = mapped_column(String(100))
    moniker: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(500))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_builtin: Mapped[bool] = mapped_column(default=False)


class MembershipRole(Base):
    __tablename__ = "membership_roles"
    __audited__ = False

    membership_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Membership(IdMixin, TenantMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Customer (client-portal) members see only this client's data.
    client_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    # Direct permission nodes on top of the roles (seed 004 PATCH /user/users/:id).
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The member's own hourly rate (S4.1): below task, project-member and project
    # rates, above the client's default.
    hourly_rate_cents: Mapped[int | None] = mapped_column(BigInteger)
    joined_at: Mapped[datetime] = mapped_column()

    user: Mapped[User] = relationship(lazy="raise")
    roles: Mapped[list[Role]] = relationship(secondary="membership_roles", lazy="raise")


class Invitation(IdMixin, TenantMixin, Base):
    __tablename__ = "invitations"
    __secret_columns__ = frozenset({"token_hash"})

    email: Mapped[str] = mapped_column(String(320), index=True)
    role_id: Mapped[int] = mapped_column(BigId, ForeignKey("roles.id", ondelete="CASCADE"))
    client_id: Mapped[int | None] = mapped_column(BigId)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column()
    last_sent_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    role: Mapped[Role] = relationship(lazy="raise")
