"""project.check_budget: emails owners and admins when a project reaches 80 % and 100 % of
its budget (rules in `project.budget`)."""

from __future__ import annotations

from typing import Any

from clocktower.project.budget import CHECK_BUDGET_JOB, check_budget
from clocktower.worker import JobContext, job


@job(CHECK_BUDGET_JOB)
async def check_project_budget(context: JobContext, payload: dict[str, Any]) -> None:
    if context.organization_id is None:
        return  # budget checks are always queued for an organisation
    await check_budget(
        context.session, context.settings, context.organization_id, int(payload["project_id"])
    )
