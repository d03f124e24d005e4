"""Budget alerts (S2.3): tracked time on a budgeted project queues a check of its burn.

The check (job `project.check_budget`, registered in `project.jobs`) emails the
organisation's owners and admins once at 80 % and once at 100 % of the budget.

- Tracked time is the project's *finished* entries. A running timer counts once it stops
  (stopping is an entry write, which queues a check): a check then sees the same total
  whenever it runs, and a timer discarded by mistake never sends an alert.
- An `hours` budget counts every finished entry, billable or not.
- A `money` budget counts billable entries at their hourly rate: the task's, else the
  project's, else the client's default, else the organisation's default
  (`default_hourly_rate_cents`). Time without any rate adds nothing. Sums are integer
  cent-seconds (duration * rate in cents), so thresholds compare exactly.
- Each threshold is announced once per budget: `budget_alert_80_sent_at` and
  `budget_alert_100_sent_at` record it. A project that jumps past 100 % in one step gets
  the 100 % alert only (both marks are set). Changing the budget (type or amount) through
  the project API clears both marks and queues a fresh check.
- At-least-once delivery: the check locks the project row and reads the marks under the
  lock, so a repeated or concurrent run sends nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.config import Settings
from clocktower.email.service import queue_email
from clocktower.kit.money import CENT
from clocktower.kit.time import utcnow
from clocktower.models import Client, Organization, Project
from clocktower.project.repository import ProjectRepository
from clocktower.setting.schemas import OrganizationSettings
from clocktower.worker import enqueue_job

CHECK_BUDGET_JOB = "project.check_budget"
TEMPLATE = "budget_alert"
SECONDS_PER_HOUR = 3600


def needs_budget_check(project: Project) -> bool:
    return project.budget_type != "none" and project.budget_alert_100_sent_at is None


async def queue_budget_check(session: AsyncSession, project: Project) -> None:
    """Called in the transaction that changed the project's tracked time or budget."""
    if needs_budget_check(project):
        await enqueue_job(
            session,
            CHECK_BUDGET_JOB,
            organization_id=project.organization_id,
            project_id=project.id,
        )


def budget_of(project: Project) -> tuple[str, int | None, int | None]:
    """What a budget is made of: a change to any part re-arms its alerts."""
    return project.budget_type, project.budget_minutes, project.budget_amount_cents


def rearm_alerts(project: Project) -> None:
    project.budget_alert_80_sent_at = None
    project.budget_alert_100_sent_at = None


@dataclass(frozen=True)
class Burn:
    """How much of a budget is used, in exact units: seconds (hours budgets) or
    cent-seconds (money budgets), against the limit in the same unit."""

    used: int
    limit: int

    def reached(self, percent: int) -> bool:
        return self.used * 100 >= self.limit * percent

    @property
    def percent(self) -> int:
        return self.used * 100 // self.limit


async def check_budget(
    session: AsyncSession, settings: Settings, organization_id: int, project_id: int
) -> int:
    """Sends the alert a project's burn calls for; returns its threshold (80 or 100), or
    0 when there is nothing new to say. Safe to repeat."""
    repository = ProjectRepository(session)
    project = await repository.locked(organization_id, project_id)
    organization = await session.get(Organization, organization_id)
    if project is None or organization is None or not needs_budget_check(project):
        return 0
    org_settings = OrganizationSettings.of(organization)
    tracked_seconds, cent_seconds = await repository.budget_usage(
        project, org_settings.default_hourly_rate_cents
    )
    if project.budget_type == "hours" and project.budget_minutes:
        burn = Burn(used=tracked_seconds, limit=project.budget_minutes * 60)
    elif project.budget_type == "money" and project.budget_amount_cents:
        burn = Burn(used=cent_seconds, limit=project.budget_amount_cents * SECONDS_PER_HOUR)
    else:
        return 0
    now = utcnow()
    if burn.reached(100):
        threshold = 100
        project.budget_alert_100_sent_at = now
        project.budget_alert_80_sent_at = project.budget_alert_80_sent_at or now
    elif burn.reached(80) and project.budget_alert_80_sent_at is None:
        threshold = 80
        project.budget_alert_80_sent_at = now
    else:
        return 0
    client = await session.get(Client, project.client_id) if project.client_id else None
    currency = (client.currency if client else None) or organization.currency
    await _send_alert(session, settings, project, client, burn, threshold, currency)
    await session.flush()
    return threshold


async def _send_alert(
    session: AsyncSession,
    settings: Settings,
    project: Project,
    client: Client | None,
    burn: Burn,
    threshold: int,
    currency: str,
) -> None:
    of_client = f" for {client.name}" if client is not None else ""
    if threshold == 100:
        subject = f"Budget alert: {project.name}{of_client} has used its whole budget"
    else:
        subject = f"Budget alert: {project.name}{of_client} reached 80 % of its budget"
    if project.budget_type == "hours":
        used = _hours(burn.used)
        limit = _hours(burn.limit)
        amounts = f"{used} of {limit} hours tracked"
    else:
        used = _money(burn.used)
        limit = _money(burn.limit)
        amounts = f"{used} of {limit} {currency} of billable time"
    recipients = await ProjectRepository(session).budget_recipients(project.organization_id)
    for recipient in recipients:
        body = (
            f"Hello {recipient.name},\n\n"
            f"The project {project.name!r}{of_client} has used {burn.percent} % of its "
            f"budget: {amounts}.\n\n"
            f"— {settings.app_name}\n"
        )
        await queue_email(
            session,
            settings,
            organization_id=project.organization_id,
            to=recipient.email,
            subject=subject,
            template=TEMPLATE,
            body=body,
        )


def _hours(seconds: int) -> str:
    return str((Decimal(seconds) / SECONDS_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP))


def _money(cent_seconds: int) -> str:
    cents = (Decimal(cent_seconds) / SECONDS_PER_HOUR).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{(cents / 100).quantize(CENT):,}"
