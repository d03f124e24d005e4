"""Budget alerts (S2.3): tracked time on a budgeted project queues a check of its burn.

The check (job `project.check_budget`, in `project.jobs`) emails the organisation's
admins once at 80 % and once at 100 % of the budget.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.models import Project
from clocktower.worker import enqueue_job

CHECK_BUDGET_JOB = "project.check_budget"


def needs_budget_check(project: Project) -> bool:
    return project.budget_type != "none" and project.budget_alert_100_sent_at is None


async def queue_budget_check(session: AsyncSession, project: Project) -> None:
    """Called in the transaction that changed the project's tracked time."""
    if needs_budget_check(project):
        await enqueue_job(
            session,
            CHECK_BUDGET_JOB,
            organization_id=project.organization_id,
            project_id=project.id,
        )
