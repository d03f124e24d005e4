"""Demo data for `clocktower demo`: the "Northwind Digital" organisation, built step by step.

Everything goes through the service layer, so the demo obeys the same rules (and leaves
the same audit trail) as the API. Each domain adds its own step to `STEPS`; a step gets
the `DemoData` the earlier steps built and adds to it; later domains (bills, invoices)
append theirs.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.account.service import normalize_email
from clocktower.api_token import service as api_token_service
from clocktower.api_token.schemas import ApiTokenCreate
from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import role_grants
from clocktower.auth.passwords import hash_password
from clocktower.auth.permissions import PermissionSet
from clocktower.client import service as client_service
from clocktower.client.schemas import ClientCreate
from clocktower.config import Settings
from clocktower.kit.time import utcnow
from clocktower.models import Organization, User
from clocktower.organization.membership import set_roles
from clocktower.organization.repository import MembershipRepository, RoleRepository
from clocktower.organization.service import add_member, create_organization_for
from clocktower.project import service as project_service
from clocktower.project.schemas import ProjectCreate
from clocktower.role import service as role_service
from clocktower.role.schemas import RoleCreate
from clocktower.task import service as task_service
from clocktower.task.schemas import TaskCreate
from clocktower.time_entry import service as entry_service
from clocktower.time_entry.service import NewEntry

DEMO_ORGANIZATION = "Northwind Digital"
DEMO_OWNER_EMAIL = "demo@clocktower.local"


class DemoExists(Exception):
    """The demo organisation (or its owner) is already there; the demo runs once."""


class NotAMember(Exception):
    """The user has no membership in that organisation."""


async def member_context(session: AsyncSession, user: User, organization_id: int) -> AuthContext:
    """A member acting outside any request (CLI, demo): their real roles, no token scopes."""
    membership = await MembershipRepository(session).of_user(organization_id, user.id)
    if membership is None:
        raise NotAMember(f"{user.email} is not a member of organisation {organization_id}")
    grants = [grant for role in membership.roles for grant in role_grants(role)]
    return AuthContext(
        user=user,
        organization_id=organization_id,
        membership_id=membership.id,
        roles=tuple(role.moniker for role in membership.roles),
        grants=PermissionSet([*grants, *membership.permissions]),
        scopes=None,
        api_token_id=None,
        session_id=None,
        client_id=membership.client_id,
    )


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    role: str
    timezone: str = "Europe/London"


@dataclass
class DemoData:
    """What the steps built so far, and what the command prints at the end."""

    session: AsyncSession
    settings: Settings
    password: str
    password_hash: str
    organization: Organization | None = None
    owner: User | None = None
    people: dict[str, User] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)

    @property
    def org(self) -> Organization:
        assert self.organization is not None, "the organisation step runs first"
        return self.organization

    async def owner_context(self) -> AuthContext:
        assert self.owner is not None
        return await member_context(self.session, self.owner, self.org.id)


DemoStep = Callable[[DemoData], Awaitable[None]]

OWNER = DemoPerson("Nora Whitfield", DEMO_OWNER_EMAIL, "owner")
TEAM = (
    DemoPerson("Arjun Patel", "arjun.patel@northwind-digital.example", "admin"),
    DemoPerson("Mei Chen", "mei.chen@northwind-digital.example", "member", "Europe/Amsterdam"),
    DemoPerson("Lucas Moreau", "lucas.moreau@northwind-digital.example", "member", "Europe/Paris"),
    DemoPerson("Sara Lindqvist", "sara.lindqvist@northwind-digital.example", "viewer"),
)
PROJECT_LEAD_PERMISSIONS = [
    "organization.fetch",
    "team.fetch.many",
    "user.read.other",
    "role.read",
    "client.fetch",
    "client.fetch.many",
    "project.*",
    "task.*",
    "time_entry.*",
    "report.fetch",
    "obj.*",
]
DEMO_TOKEN_SCOPES = ["read:projects", "read:time_entries", "write:time_entries", "read:reports"]


async def _new_user(data: DemoData, person: DemoPerson) -> User:
    now = utcnow()
    user = User(
        name=person.name,
        email=normalize_email(person.email),
        password_hash=data.password_hash,
        password_changed_at=now,
        timezone=person.timezone,
    )
    data.session.add(user)
    await data.session.flush()
    return user


async def organization_step(data: DemoData) -> None:
    """The organisation and its owner (who gets every built-in role with it)."""
    owner = await _new_user(data, OWNER)
    data.organization = await create_organization_for(
        data.session, owner, name=DEMO_ORGANIZATION, timezone="Europe/London", currency="GBP"
    )
    data.organization.billing_email = "accounts@northwind-digital.example"
    data.owner = owner
    data.people[OWNER.email] = owner
    data.summary.append(f"Organisation {DEMO_ORGANIZATION!r} (id {data.org.id})")


async def team_step(data: DemoData) -> None:
    """An admin, two members and a viewer, through the same rule as an invitation."""
    roles = RoleRepository(data.session)
    for person in TEAM:
        user = await _new_user(data, person)
        role = await roles.by_moniker(data.org.id, person.role)
        assert role is not None, f"built-in role {person.role!r} is missing"
        await add_member(data.session, data.org, user, role)
        user.current_organization_id = data.org.id
        data.people[person.email] = user
    await data.session.flush()
    for person in (OWNER, *TEAM):
        data.summary.append(f"  {person.role:<8} {person.name:<16} {person.email}")


async def custom_role_step(data: DemoData) -> None:
    """A custom role next to the built-in ones, held by one of the members."""
    auth = await data.owner_context()
    view = await role_service.create_role(
        data.session,
        auth,
        RoleCreate(
            title="Project lead",
            moniker="project_lead",
            description="Runs projects: plans tasks and reviews the team's time on them",
            permissions=PROJECT_LEAD_PERMISSIONS,
        ),
    )
    lead = data.people[TEAM[1].email]
    membership = await MembershipRepository(data.session).of_user(data.org.id, lead.id)
    assert membership is not None
    await set_roles(data.session, auth, membership, [*membership.roles, view.role])
    data.summary.append(f"Custom role 'Project lead' (id {view.role.id}), held by {lead.name}")


async def api_token_step(data: DemoData) -> None:
    """An integration token of the owner, shown once like every new token."""
    created = await api_token_service.create_api_token(
        data.session,
        await data.owner_context(),
        ApiTokenCreate(
            name="Demo integration",
            description="Created by `clocktower demo`",
            scopes=DEMO_TOKEN_SCOPES,
        ),
    )
    data.summary.append(
        f"API token {created.token.name!r} (scopes {', '.join(created.token.scopes)}): "
        f"{created.plaintext}"
    )


DEMO_CLIENTS = (
    ("Harbour Lights Ltd", "GBP", Decimal("95.00"), ("Website relaunch", "Support retainer")),
    ("Blue Fern Studio", "EUR", Decimal("110.00"), ("Brand refresh",)),
)
DEMO_TASKS = ("Discovery workshop", "Design review", "Build", "QA and fixes")
DEMO_NOTES = ("Client call", "Implementation", "Code review", "Planning", "Bug fixing")
DEMO_WORKDAYS = 10


async def work_step(data: DemoData) -> None:
    """Clients, projects and tasks, two working weeks of tracked time for the team, and one
    running timer; all through the services, so every ledger rule holds."""
    auth = await data.owner_context()
    tasks: list[int] = []
    for name, currency, rate, project_names in DEMO_CLIENTS:
        client = await client_service.create_client(
            data.session,
            auth,
            ClientCreate(name=name, currency=currency, default_hourly_rate=rate),
        )
        for project_name in project_names:
            created = await project_service.create_project(
                data.session,
                auth,
                ProjectCreate(
                    name=project_name,
                    client_id=client.client.id,
                    budget_type="hours",
                    budget_hours=Decimal(120),
                ),
            )
            for task_name in DEMO_TASKS:
                task = await task_service.create_task(
                    data.session,
                    auth,
                    TaskCreate(name=task_name, project_id=created.project.id),
                )
                tasks.append(task.task.id)
    chooser = random.Random(7)  # noqa: S311  (not a secret: the same demo every time)
    workers = [data.people[person.email] for person in TEAM[:3]]
    today = utcnow().date()
    days = [today - timedelta(days=offset) for offset in range(1, 22)]
    weekdays = [day for day in days if day.weekday() < 5][:DEMO_WORKDAYS]
    count = 0
    for worker in workers:
        context = await member_context(data.session, worker, data.org.id)
        for day in weekdays:
            start = datetime.combine(day, time(9), tzinfo=ZoneInfo(worker.timezone))
            for _ in range(3):
                minutes = chooser.choice((45, 60, 90, 120, 150))
                end = start + timedelta(minutes=minutes)
                references = await entry_service.resolve_references(
                    data.session,
                    context,
                    project_id=None,
                    task_id=chooser.choice(tasks),
                    client_id=None,
                )
                await entry_service.add_entry(
                    data.session,
                    context,
                    NewEntry(
                        user=worker,
                        references=references,
                        start_at=start,
                        end_at=end,
                        notes=chooser.choice(DEMO_NOTES),
                        tags="demo",
                    ),
                )
                count += 1
                start = end + timedelta(minutes=15)
    runner = workers[1]
    await entry_service.start_timer(
        data.session,
        await member_context(data.session, runner, data.org.id),
        task_id=tasks[0],
        notes="Working on it",
        start_at=utcnow() - timedelta(minutes=25),
    )
    data.summary.append(
        f"{len(DEMO_CLIENTS)} clients, {len(tasks)} tasks, {count} time entries; "
        f"{runner.name} has a timer running"
    )


# Later domains append their steps (bills, invoices...).
STEPS: list[DemoStep] = [
    organization_step,
    team_step,
    custom_role_step,
    api_token_step,
    work_step,
]


async def demo_exists(session: AsyncSession) -> bool:
    organization = await session.execute(
        select(Organization.id).where(Organization.name == DEMO_ORGANIZATION).limit(1)
    )
    owner = await session.execute(select(User.id).where(User.email == DEMO_OWNER_EMAIL))
    return organization.first() is not None or owner.first() is not None


async def seed_demo(session: AsyncSession, settings: Settings) -> DemoData:
    """Run every step in the caller's transaction: all of the demo, or none of it."""
    if await demo_exists(session):
        raise DemoExists(
            f"The demo organisation {DEMO_ORGANIZATION!r} (or {DEMO_OWNER_EMAIL}) already exists"
        )
    password = secrets.token_urlsafe(12)
    data = DemoData(
        session=session,
        settings=settings,
        password=password,
        password_hash=await hash_password(password),
    )
    for step in STEPS:
        await step(data)
    return data
