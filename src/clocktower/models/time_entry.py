"""Tracked time: the entry ledger, its per-target sync state, and focus sessions.

Every report counts `time_entries` and nothing else. A focus work session owns one
entry (source `focus`); breaks own none, so they are never tracked time. A time block
(seed 003) is an entry seen on a calendar: its title, colour, zone and calendar live on
the entry itself.
"""

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

# The value of `running_slot` on a user's running timer while the organisation allows one
# timer per user: the unique constraint below then admits a single running entry.
SINGLE_TIMER_SLOT = 0


class TimeEntry(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "time_entries"
    __table_args__ = (
        # One running timer per user, enforced by the database: a running entry holds
        # slot 0 when the organisation's single_active_timer setting is on, NULL
        # otherwise (NULLs never collide), and every stopped entry holds NULL.
        UniqueConstraint("organization_id", "user_id", "running_slot"),
        Index("ix_time_entries_org_user_start", "organization_id", "user_id", "start_at"),
        Index("ix_time_entries_org_start", "organization_id", "start_at"),
        Index("ix_time_entries_org_project_start", "organization_id", "project_id", "start_at"),
        # The ledger's totals per bill: without it SQLite walks the organisation's entries.
        Index("ix_time_entries_org_bill", "organization_id", "time_bill_id"),
        NEVER_REUSE_IDS,
    )

    # Entries are history: removing their user, project, task or client is refused.
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    project_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tasks.id", ondelete="RESTRICT"), index=True
    )
    # The project's client, copied on write (and moved with the project); an entry
    # without a project may still name a client.
    client_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    start_at: Mapped[datetime] = mapped_column()
    # NULL while the timer runs.
    end_at: Mapped[datetime | None] = mapped_column()
    duration_seconds: Mapped[int | None] = mapped_column()
    running_slot: Mapped[int | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    # Comma-separated, trimmed, without duplicates or empties (seed 002 sends "a,b").
    tags: Mapped[str | None] = mapped_column(String(1000))
    billable: Mapped[bool] = mapped_column(default=True)
    paid: Mapped[bool] = mapped_column(default=False)
    # manual | timer | focus | calendar | import | integration
    source: Mapped[str] = mapped_column(String(20), default="manual")
    # Seed 003 time-block fields.
    title: Mapped[str | None] = mapped_column(String(300))
    color: Mapped[str | None] = mapped_column(String(7))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # The calendar a block belongs to; its foreign key arrives with the calendar connector.
    calendar_id: Mapped[int | None] = mapped_column(BigId)
    # Where an imported or integrated entry came from (a Toggl id, a calendar event id).
    external_id: Mapped[str | None] = mapped_column(String(300))
    # The time bill this entry counts towards (S4.2) and the invoice that billed it
    # directly (an invoice drafted from entries). Either locks the entry when approved.
    time_bill_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("time_bills.id", ondelete="SET NULL"), index=True
    )
    invoice_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("invoices.id", ondelete="SET NULL"), index=True
    )

    @property
    def is_running(self) -> bool:
        return self.end_at is None


class TimeEntrySyncState(IdMixin, TenantMixin, Base):
    """Per-target sync status and external id of an entry (seed 003 calendar/invoicing)."""

    __tablename__ = "time_entry_sync_states"
    __table_args__ = (UniqueConstraint("time_entry_id", "target"),)

    time_entry_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("time_entries.id", ondelete="CASCADE"), index=True
    )
    # calendar | invoicing
    target: Mapped[str] = mapped_column(String(20))
    # pending | syncing | synced | failed | not_connected (no connector of that kind)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    external_id: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(String(500))
    synced_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class FocusSession(IdMixin, TimestampMixin, TenantMixin, Base):
    """Seed 001: a pomodoro-style session, break or long break."""

    __tablename__ = "focus_sessions"
    __table_args__ = (
        Index("ix_focus_sessions_org_user_start", "organization_id", "user_id", "start_at"),
        NEVER_REUSE_IDS,
    )

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    task_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tasks.id", ondelete="RESTRICT"), index=True
    )
    # session | break | long-break
    type: Mapped[str] = mapped_column(String(12))
    start_at: Mapped[datetime] = mapped_column()
    duration_seconds: Mapped[int] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    edited: Mapped[bool] = mapped_column(default=False)
    retro_added: Mapped[bool] = mapped_column(default=False)
    # The tracked time of a work session; NULL for breaks. Deleting the entry through
    # /time-entries deletes the session with it.
    time_entry_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("time_entries.id", ondelete="CASCADE"), unique=True
    )
