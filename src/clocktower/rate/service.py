"""Rate use cases (S4.1): members' own rates, people's rates on projects, and which rate
applies (`rate.resolve`).

Setting a rate prices time from then on: it does not rewrite bills already made. A bill
takes the rate again when its entries change, or when the bills are recomputed
(`POST /time-bills/recompute`); approved and invoiced bills keep theirs for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.errors import InvalidReference, ValidationFailed
from clocktower.kit.money import to_cents
from clocktower.kit.pagination import Page, PageParams
from clocktower.models import Project, ProjectUserRate
from clocktower.project.errors import ProjectNotFound
from clocktower.rate.errors import ProjectUserRateNotFound
from clocktower.rate.repository import (
    MemberRate,
    PersonRate,
    ProjectUserRateRepository,
    RateReferences,
)
from clocktower.rate.resolve import RateKey, ResolvedRate, resolve_rate
from clocktower.user.errors import UserNotFound


@dataclass(frozen=True)
class Resolution:
    rate: ResolvedRate
    key: RateKey


# --- a member's own rate --------------------------------------------------------------


async def get_user_rate(session: AsyncSession, auth: AuthContext, user_id: int) -> MemberRate:
    """404 for anyone who is not a member of the organisation."""
    found = await RateReferences(session).member(auth.org_id, user_id)
    if found is None:
        raise UserNotFound(user_id)
    return found


async def set_user_rate(
    session: AsyncSession, auth: AuthContext, user_id: int, hourly_rate: Decimal | None
) -> MemberRate:
    """The member's own rate (None clears it)."""
    found = await get_user_rate(session, auth, user_id)
    found.membership.hourly_rate_cents = to_cents(hourly_rate)
    await session.flush()
    return found


# --- people's rates on a project ------------------------------------------------------


async def list_project_rates(
    session: AsyncSession, auth: AuthContext, project_id: int, params: PageParams
) -> Page[PersonRate]:
    project = await _project(session, auth, project_id)
    return await ProjectUserRateRepository(session).page(auth.org_id, project.id, params)


async def set_project_rate(
    session: AsyncSession,
    auth: AuthContext,
    project_id: int,
    user_id: int,
    hourly_rate: Decimal,
) -> tuple[PersonRate, bool]:
    """Creates or changes the person's rate on the project; True when created."""
    project = await _project(session, auth, project_id)
    member = await get_user_rate(session, auth, user_id)
    repository = ProjectUserRateRepository(session)
    cents = to_cents(hourly_rate)
    assert cents is not None
    existing = await repository.of_person(auth.org_id, project.id, user_id)
    if existing is None:
        rate = ProjectUserRate(
            organization_id=auth.org_id,
            project_id=project.id,
            user_id=user_id,
            hourly_rate_cents=cents,
        )
        try:
            # A savepoint of our own: a concurrent PUT that created it first wins the
            # insert, and this one changes that row instead.
            async with session.begin_nested():
                session.add(rate)
                await session.flush()
            return PersonRate(rate, member.user_name), True
        except IntegrityError:
            existing = await repository.of_person(auth.org_id, project.id, user_id)
            if existing is None:
                raise
    existing.hourly_rate_cents = cents
    await session.flush()
    return PersonRate(existing, member.user_name), False


async def delete_project_rate(
    session: AsyncSession, auth: AuthContext, project_id: int, user_id: int
) -> None:
    project = await _project(session, auth, project_id)
    await get_user_rate(session, auth, user_id)
    existing = await ProjectUserRateRepository(session).of_person(auth.org_id, project.id, user_id)
    if existing is None:
        raise ProjectUserRateNotFound()
    await session.delete(existing)
    await session.flush()


async def _project(session: AsyncSession, auth: AuthContext, project_id: int) -> Project:
    project = await RateReferences(session).project(auth.org_id, project_id, auth.client_id)
    if project is None:
        raise ProjectNotFound()
    return project


# --- which rate applies ---------------------------------------------------------------


async def resolve(
    session: AsyncSession,
    auth: AuthContext,
    *,
    user_id: int | None = None,
    project_id: int | None = None,
    task_id: int | None = None,
    client_id: int | None = None,
) -> Resolution:
    """The rate of an hour of the user's time (the caller's unless given) on the task,
    project or client. A task brings its project, a project its client; ids that do not
    resolve in the organisation are 422, ids that contradict each other 400."""
    who = user_id or auth.user_id
    await get_user_rate(session, auth, who)
    references = RateReferences(session)
    if task_id is not None:
        task = await references.task(auth.org_id, task_id)
        if task is None:
            raise InvalidReference("task_id", "Task not found")
        if project_id is not None and project_id != task.project_id:
            raise ValidationFailed.field("task_id", "The task does not belong to project_id")
        project_id = task.project_id
    if project_id is not None:
        project = await references.project(auth.org_id, project_id, auth.client_id)
        if project is None:
            raise InvalidReference("project_id", "Project not found")
        if client_id is not None and client_id != project.client_id:
            raise ValidationFailed.field("client_id", "The project belongs to another client")
        client_id = project.client_id
    elif client_id is not None:
        client = await references.client(auth.org_id, client_id)
        if client is None or (auth.client_id is not None and client.id != auth.client_id):
            raise InvalidReference("client_id", "Client not found")
    key = RateKey(user_id=who, project_id=project_id, task_id=task_id, client_id=client_id)
    return Resolution(await resolve_rate(session, auth.org_id, key), key)
