"""The caller's recent (project, task) pairs, aggregated in one statement.

A window over each pair numbers its entries newest first (the latest one's notes, tags
and billable flag ride along) and counts them; the outer query keeps row 1 of every pair.
ROW_NUMBER and COUNT(*) OVER need SQLite ≥ 3.25 or PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from clocktower.kit.repository import TenantRepository
from clocktower.models import Project, Task, TimeEntry


@dataclass(frozen=True)
class RecentPair:
    project_id: int
    project_name: str
    task_id: int | None
    task_name: str | None
    notes: str | None
    tags: str | None
    billable: bool
    last_started_at: datetime
    uses: int


class SuggestionRepository(TenantRepository[TimeEntry]):
    model = TimeEntry

    async def recent_pairs(
        self, organization_id: int, user_id: int, *, search: str | None, limit: int
    ) -> list[RecentPair]:
        """The user's pairs on active projects, most recently used first, then most used."""
        pair = (TimeEntry.project_id, TimeEntry.task_id)
        newest_first = (TimeEntry.start_at.desc(), TimeEntry.id.desc())
        statement = (
            self.in_organization(organization_id)
            .join(
                Project,
                (Project.id == TimeEntry.project_id) & (Project.organization_id == organization_id),
            )
            .where(TimeEntry.user_id == user_id, Project.status == "active")
        )
        if search:
            statement = statement.where(
                or_(
                    Project.name.icontains(search, autoescape=True),
                    TimeEntry.notes.icontains(search, autoescape=True),
                )
            )
        ranked = statement.with_only_columns(
            TimeEntry.project_id,
            Project.name.label("project_name"),
            TimeEntry.task_id,
            TimeEntry.notes,
            TimeEntry.tags,
            TimeEntry.billable,
            TimeEntry.start_at,
            func.count().over(partition_by=pair).label("uses"),
            func.row_number().over(partition_by=pair, order_by=newest_first).label("position"),
        ).subquery("ranked")
        latest = (
            select(
                ranked.c.project_id,
                ranked.c.project_name,
                ranked.c.task_id,
                Task.name,
                ranked.c.notes,
                ranked.c.tags,
                ranked.c.billable,
                ranked.c.start_at,
                ranked.c.uses,
            )
            .outerjoin(
                Task, (Task.id == ranked.c.task_id) & (Task.organization_id == organization_id)
            )
            .where(ranked.c.position == 1)
            .order_by(
                ranked.c.start_at.desc(),
                ranked.c.uses.desc(),
                ranked.c.project_id,
                func.coalesce(ranked.c.task_id, 0),
            )
            .limit(limit)
        )
        rows = (await self.session.execute(latest)).all()
        return [RecentPair(*row) for row in rows]
