"""Projects (seed 000 pillars) and their tasks."""

from __future__ import annotations

from datetime import date, datetime

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


class Project(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_org_status", "organization_id", "status"), NEVER_REUSE_IDS)

    client_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # active | on_hold | archived
    status: Mapped[str] = mapped_column(String(20), default="active")
    color: Mapped[str | None] = mapped_column(String(7))
    billable: Mapped[bool] = mapped_column(default=True)
    hourly_rate_cents: Mapped[int | None] = mapped_column()
    estimated_minutes: Mapped[int | None] = mapped_column()
    # none | hours | money; alerts at 80 % and 100 % are sent once each.
    budget_type: Mapped[str] = mapped_column(String(10), default="none")
    budget_minutes: Mapped[int | None] = mapped_column()
    budget_amount_cents: Mapped[int | None] = mapped_column()
    budget_alert_80_sent_at: Mapped[datetime | None] = mapped_column()
    budget_alert_100_sent_at: Mapped[datetime | None] = mapped_column()
    external_id: Mapped[str | None] = mapped_column(String(100))
    # The "General Support" project created with its client (seed 000).
    is_default_for_client: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None] = mapped_column()


class Task(IdMixin, TimestampMixin, TenantMixin, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("organization_id", "external_ref"),
        Index("ix_tasks_org_project_status", "organization_id", "project_id", "status"),
        NEVER_REUSE_IDS,
    )

    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # todo | in_progress | review | done
    status: Mapped[str] = mapped_column(String(20), default="todo")
    priority: Mapped[int] = mapped_column(default=0)
    assignee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None] = mapped_column()
    estimated_minutes: Mapped[int | None] = mapped_column()
    # Task-level rate override (S4.1), before the project's.
    hourly_rate_cents: Mapped[int | None] = mapped_column()
    external_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    completed_at: Mapped[datetime | None] = mapped_column()
