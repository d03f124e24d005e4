"""Project use cases: list, fetch, create, update (with deactivation notices, status
events, budget re-arming, entries following a new client), archive, delete, and
find-or-create by title (seed 001)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.audit.recorder import record_event
from clocktower.auth.context import AuthContext
from clocktower.client.repository import ClientRepository
from clocktower.config import Settings
from clocktower.email.service import queue_email
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.kit.money import to_cents
from clocktower.kit.pagination import Page, PageParams
from clocktower.kit.time import utcnow
from clocktower.models import Client, Project
from clocktower.project.budget import budget_of, queue_budget_check, rearm_alerts
from clocktower.project.errors import ProjectInUse, ProjectNameTaken, ProjectNotFound
from clocktower.project.repository import ProjectRepository, ProjectWithClient
from clocktower.project.schemas import ProjectCreate, ProjectStatusChangedEvent, ProjectUpdate
from clocktower.webhook.events import emit

ACTIVE = "active"
ARCHIVED = "archived"
_STATUS_WORDS = {"on_hold": "put on hold", "archived": "archived"}


async def list_projects(
    session: AsyncSession,
    auth: AuthContext,
    params: PageParams,
    *,
    status: str | None = None,
    client_id: int | None = None,
    active: bool | None = None,
    search: str | None = None,
) -> Page[ProjectWithClient]:
    repository = ProjectRepository(session)
    statement = repository.listing(
        auth.org_id,
        auth.client_id,
        status=status,
        client_id=client_id,
        active=active,
        search=search,
    )
    return await repository.page_with_clients(statement, params)


async def get_project(
    session: AsyncSession, auth: AuthContext, project_id: int
) -> ProjectWithClient:
    found = await ProjectRepository(session).get_with_client(
        auth.org_id, auth.client_id, project_id
    )
    if found is None:
        raise ProjectNotFound()
    return found


async def create_project(
    session: AsyncSession, auth: AuthContext, data: ProjectCreate
) -> ProjectWithClient:
    client = await _resolve_client(session, auth, data.client_id)
    project = Project(organization_id=auth.org_id, status=data.status)
    _apply(project, data.model_dump())
    project.client_id = client.id if client is not None else None
    if project.status == ARCHIVED:
        project.archived_at = utcnow()
    _check_budget(project)
    await _check_name(session, auth, project)
    session.add(project)
    await session.flush()
    return ProjectWithClient(project, client)


async def update_project(
    session: AsyncSession,
    auth: AuthContext,
    project_id: int,
    data: ProjectUpdate,
    *,
    settings: Settings,
) -> ProjectWithClient:
    found = await get_project(session, auth, project_id)
    project, client = found.project, found.client
    changes = data.model_dump(exclude_unset=True)
    if "client_id" in changes:
        client = await _resolve_client(session, auth, changes["client_id"])
    previous_status = project.status
    previous_client_id = project.client_id
    previous_budget = budget_of(project)
    previous_rate = project.hourly_rate_cents
    _apply(project, changes)
    if "client_id" in changes:
        project.client_id = client.id if client is not None else None
    _check_budget(project)
    if changes.keys() & {"name", "client_id", "status"}:
        await _check_name(session, auth, project)
    await _status_changed(session, auth, settings, project, client, previous_status)
    budget_changed = budget_of(project) != previous_budget
    if budget_changed:
        # A new budget is a new story: its 80 % and 100 % alerts may fire again.
        rearm_alerts(project)
    await session.flush()
    moved = project.client_id != previous_client_id
    if moved:
        await _move_entries(session, auth, project, previous_client_id)
    # The client's default rate or the project's may price the time differently now.
    rate_changed = moved or project.hourly_rate_cents != previous_rate
    if budget_changed or (rate_changed and project.budget_type == "money"):
        await queue_budget_check(session, project)
    return ProjectWithClient(project, client)


async def archive_project(
    session: AsyncSession, auth: AuthContext, project_id: int, *, settings: Settings
) -> ProjectWithClient:
    """Seed 002's DELETE: the project stays, archived; archiving twice changes nothing."""
    return await update_project(
        session, auth, project_id, ProjectUpdate(status=ARCHIVED), settings=settings
    )


async def delete_project(session: AsyncSession, auth: AuthContext, project_id: int) -> None:
    """Permanently delete a project nothing refers to any more."""
    project = (await get_project(session, auth, project_id)).project
    usages = await ProjectRepository(session).usages(auth.org_id, project.id)
    if usages:
        raise ProjectInUse(usages)
    await session.delete(project)
    await session.flush()


async def find_or_create_project(
    session: AsyncSession, auth: AuthContext, *, title: str
) -> tuple[Project, bool]:
    """The project named `title` (any case), or a new one (seed 001 sessions)."""
    found = await find_or_create_project_with_client(session, auth, title=title)
    return found[0].project, found[1]


async def find_or_create_project_with_client(
    session: AsyncSession, auth: AuthContext, *, title: str
) -> tuple[ProjectWithClient, bool]:
    """The oldest active project of that title, else the oldest one on hold (returned as it
    is: new time on it is refused with `project_inactive`, the hold is not bypassed by a
    twin), else a new active project. Archived projects never match."""
    title = title.strip()
    existing = await ProjectRepository(session).namesake(auth.org_id, auth.client_id, title)
    if existing is not None:
        return existing, False
    return await create_project(session, auth, ProjectCreate(name=title)), True


async def _move_entries(
    session: AsyncSession, auth: AuthContext, project: Project, previous_client_id: int | None
) -> None:
    """A project's time entries and time bills follow it to its new client, one UPDATE
    each; the audit log gets one row for the lot (a bulk statement bypasses the per-row
    recorder)."""
    repository = ProjectRepository(session)
    moved = await repository.move_entries(auth.org_id, project.id, project.client_id)
    bills = await repository.move_bills(auth.org_id, project.id, project.client_id)
    if moved or bills:
        await record_event(
            session,
            "time_entry.moved_with_project",
            organization_id=auth.org_id,
            object_type="project",
            object_id=project.id,
            details={
                "entries": moved,
                "time_bills": bills,
                "from_client_id": previous_client_id,
                "to_client_id": project.client_id,
            },
        )


async def _resolve_client(
    session: AsyncSession, auth: AuthContext, client_id: int | None
) -> Client | None:
    """Ids from a payload resolve inside the caller's organisation only."""
    if client_id is None:
        return None
    client = await ClientRepository(session).get(auth.org_id, client_id)
    if client is None:
        raise InvalidReference("client_id", "Client not found")
    return client


_MINUTE_FIELDS = {"estimated_hours": "estimated_minutes", "budget_hours": "budget_minutes"}
_CENT_FIELDS = {"hourly_rate": "hourly_rate_cents", "budget_amount": "budget_amount_cents"}
_PLAIN_FIELDS = frozenset(
    {"name", "description", "status", "color", "billable", "budget_type", "external_id"}
)


def _apply(project: Project, values: dict[str, Any]) -> None:
    """Copy request values onto the row: hours as minutes, money as cents."""
    for field, value in values.items():
        if field in _MINUTE_FIELDS:
            setattr(project, _MINUTE_FIELDS[field], _minutes(value))
        elif field in _CENT_FIELDS:
            setattr(project, _CENT_FIELDS[field], to_cents(value))
        elif field in _PLAIN_FIELDS:
            setattr(project, field, value.upper() if field == "color" and value else value)


def _minutes(hours: Decimal | None) -> int | None:
    return None if hours is None else int((hours * 60).to_integral_value())


def _check_budget(project: Project) -> None:
    """A budget names exactly the limit of its kind: hours, money, or none."""
    errors: dict[str, list[str]] = {}
    kind = project.budget_type
    if kind == "hours" and not project.budget_minutes:
        errors["budget_hours"] = ["budget_hours (> 0) is required when budget_type is hours"]
    if kind == "money" and not project.budget_amount_cents:
        errors["budget_amount"] = ["budget_amount (> 0) is required when budget_type is money"]
    if kind != "hours" and project.budget_minutes is not None:
        errors["budget_hours"] = ["budget_hours is only allowed when budget_type is hours"]
    if kind != "money" and project.budget_amount_cents is not None:
        errors["budget_amount"] = ["budget_amount is only allowed when budget_type is money"]
    if errors:
        raise ValidationFailed(errors, message="The budget is inconsistent")


async def _check_name(session: AsyncSession, auth: AuthContext, project: Project) -> None:
    """Names are unique among a client's non-archived projects, whatever their case."""
    if project.status == ARCHIVED:
        return
    taken = await ProjectRepository(session).name_taken(
        auth.org_id, client_id=project.client_id, name=project.name, exclude_id=project.id
    )
    if taken:
        raise ProjectNameTaken(project.name)


async def _status_changed(
    session: AsyncSession,
    auth: AuthContext,
    settings: Settings,
    project: Project,
    client: Client | None,
    previous: str,
) -> None:
    if project.status == previous:
        return
    event = ProjectStatusChangedEvent(
        id=project.id,
        name=project.name,
        client_id=project.client_id,
        old_status=previous,
        new_status=project.status,
    )
    await emit(session, auth.org_id, "project.status_changed", event.model_dump(mode="json"))
    if project.status == ARCHIVED:
        project.archived_at = utcnow()
    elif previous == ARCHIVED:
        project.archived_at = None
    if previous == ACTIVE:
        await _tell_internal_members(session, auth, settings, project, client)


async def _tell_internal_members(
    session: AsyncSession,
    auth: AuthContext,
    settings: Settings,
    project: Project,
    client: Client | None,
) -> None:
    """Seed 000: a deactivated pillar is announced to every internal (non-customer) user."""
    what = _STATUS_WORDS.get(project.status, project.status)
    of_client = f" for {client.name}" if client is not None else ""
    subject = f"Project {project.name}{of_client} was {what}"
    for recipient in await ProjectRepository(session).internal_recipients(auth.org_id):
        body = (
            f"Hello {recipient.name},\n\n"
            f"{auth.user.name} {what} the project {project.name!r}{of_client}; "
            "it is no longer active.\n\n"
            f"— {settings.app_name}\n"
        )
        await queue_email(
            session,
            settings,
            organization_id=auth.org_id,
            to=recipient.email,
            subject=subject,
            template="project_deactivated",
            body=body,
        )
