"""Billing: per-user rates, time bills, invoices, quotes and their numbering.

Money is integer minor units (`*_cents`, BIGINT); quantities are thousandths
(`*_milli`: 1.5 hours is 1500); tax rates are hundredths of a percent (`tax_rate_bp`:
21 % is 2100). Nothing here is a float.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clocktower.models.base import Base, BigId, IdMixin, TenantMixin, TimestampMixin


class ProjectUserRate(IdMixin, TimestampMixin, TenantMixin, Base):
    """A person's hourly rate on one project (S4.1), before the project's own rate."""

    __tablename__ = "project_user_rates"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    hourly_rate_cents: Mapped[int] = mapped_column(BigInteger)


class TimeBill(IdMixin, TimestampMixin, TenantMixin, Base):
    """Seed 000: the billable time of one user on one task (or project) on one local day.

    Built from the entries whose `time_bill_id` points here, in the transaction that
    changes them. `bill_key` makes the (user, project, task, day) bucket unique even where
    project or task is NULL.
    """

    __tablename__ = "time_bills"
    __table_args__ = (
        UniqueConstraint("organization_id", "bill_key"),
        Index("ix_time_bills_org_day", "organization_id", "day"),
        Index("ix_time_bills_org_user_day", "organization_id", "user_id", "day"),
        Index("ix_time_bills_org_status", "organization_id", "status"),
    )

    bill_key: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    client_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tasks.id", ondelete="RESTRICT"), index=True
    )
    # The user's local calendar day the entries started on.
    day: Mapped[date] = mapped_column()
    entry_count: Mapped[int] = mapped_column(default=0)
    # Tracked seconds as recorded, and after the organisation's rounding rule.
    seconds: Mapped[int] = mapped_column(default=0)
    billable_seconds: Mapped[int] = mapped_column(default=0)
    # The resolved hourly rate (NULL when none applies) and where it came from:
    # task | project_user | project | user | client | organization | none.
    rate_cents: Mapped[int | None] = mapped_column(BigInteger)
    rate_source: Mapped[str] = mapped_column(String(20), default="none")
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    # pending | approved | rejected | invoiced
    status: Mapped[str] = mapped_column(String(12), default="pending")
    memo: Mapped[str | None] = mapped_column(Text)
    rejection_note: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column()
    approved_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    rejected_at: Mapped[datetime | None] = mapped_column()
    invoice_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("invoices.id", ondelete="SET NULL"), index=True
    )


class AccountingPush(IdMixin, TenantMixin, Base):
    """The record of pushing an approved bill or an invoice to the accounting system
    (Xero, Moneybird). Written with the approval; the connector fills it in."""

    __tablename__ = "accounting_pushes"
    __table_args__ = (UniqueConstraint("organization_id", "object_type", "object_id"),)

    # time_bill | invoice
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(BigId)
    # xero | moneybird; NULL until a connector takes it.
    target: Mapped[str | None] = mapped_column(String(20))
    # pending | not_connected | pushed | failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    external_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class DocumentSequence(IdMixin, TenantMixin, Base):
    """Gap-free numbering per organisation, kind (invoice, quote) and period (`2024`,
    `2024-03`, or `` when the pattern has no date): the row is locked to take a number."""

    __tablename__ = "document_sequences"
    __audited__ = False
    __table_args__ = (UniqueConstraint("organization_id", "kind", "period"),)

    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(10), default="")
    last_value: Mapped[int] = mapped_column(default=0)


class Invoice(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("organization_id", "number"),
        Index("ix_invoices_org_status", "organization_id", "status"),
    )

    client_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    # NULL while a draft: the number is taken when the invoice is finalised (sent).
    number: Mapped[str | None] = mapped_column(String(64))
    # draft | sent | paid | void
    status: Mapped[str] = mapped_column(String(10), default="draft")
    issue_date: Mapped[date | None] = mapped_column()
    due_date: Mapped[date | None] = mapped_column()
    period_start: Mapped[date | None] = mapped_column()
    period_end: Mapped[date | None] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    subtotal_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # How lines were drafted: bill | project | task | user | day | entry | manual | quote
    grouping: Mapped[str] = mapped_column(String(10), default="bill")
    notes: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column()
    voided_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class InvoiceLine(IdMixin, TenantMixin, Base):
    __tablename__ = "invoice_lines"

    invoice_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(String(500))
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    # hours | units
    unit: Mapped[str] = mapped_column(String(16), default="hours")
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="SET NULL")
    )
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("tasks.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    day: Mapped[date | None] = mapped_column()


class Quote(IdMixin, TimestampMixin, TenantMixin, Base):
    """Seed 002 quotes: an offer to a client, accepted into a project or an invoice."""

    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("organization_id", "number"),
        Index("ix_quotes_org_status", "organization_id", "status"),
    )

    client_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # draft | sent | accepted | rejected | expired
    status: Mapped[str] = mapped_column(String(10), default="draft")
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    currency_code: Mapped[str] = mapped_column(String(3))
    valid_until: Mapped[date | None] = mapped_column()
    subtotal_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    rejected_at: Mapped[datetime | None] = mapped_column()
    # What accepting it made.
    project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="SET NULL")
    )
    invoice_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("invoices.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class QuoteItem(IdMixin, TenantMixin, Base):
    __tablename__ = "quote_items"

    quote_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(String(500))
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(16), default="units")
    unit_price_cents: Mapped[int] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
