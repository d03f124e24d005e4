"""Clients (seed 000 customers, seed 004 companies), their contacts, and leads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.models.base import (
    NEVER_REUSE_IDS,
    Base,
    BigId,
    IdMixin,
    TenantMixin,
    TimestampMixin,
)


class Client(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "clients"
    __table_args__ = (Index("ix_clients_org_name", "organization_id", "name"), NEVER_REUSE_IDS)

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    company: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # Null: the organisation's currency and default rate apply (S4.1).
    currency: Mapped[str | None] = mapped_column(String(3))
    default_hourly_rate_cents: Mapped[int | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(default=True)
    # Seed 003's external_id, and the connectors' own ids (S7).
    external_id: Mapped[str | None] = mapped_column(String(100))
    xero_contact_id: Mapped[str | None] = mapped_column(String(100))
    moneybird_contact_id: Mapped[str | None] = mapped_column(String(100))
    connectwise_company_id: Mapped[str | None] = mapped_column(String(100))


class ClientContact(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "client_contacts"

    client_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    is_primary: Mapped[bool] = mapped_column(default=False)


class Lead(IdMixin, TimestampMixin, TenantMixin, Base):
    """A contact request from a marketing site's form (seed 000 POST /api/leads)."""

    __tablename__ = "leads"

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    company: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    message: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    # new → contacted → converted | discarded
    status: Mapped[str] = mapped_column(String(20), default="new")
    client_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="SET NULL")
    )
    converted_at: Mapped[datetime | None] = mapped_column()
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))


class LeadForm(IdMixin, TimestampMixin, TenantMixin, Base):
    """The public key a marketing site posts leads with: names the organisation."""

    __tablename__ = "lead_forms"
    __table_args__ = (UniqueConstraint("public_key"),)

    name: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
