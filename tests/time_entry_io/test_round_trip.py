"""Export an organisation's entries, import the file into an empty organisation: the same
entries come back (times, durations, notes, tags, flags, names, users by email)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from clocktower.models import Client, Project, Task, TimeEntry, User
from clocktower.organization.repository import RoleRepository
from clocktower.organization.service import add_member
from tests.support import Api, Factory, Member
from tests.time_entry_io.conftest import EXPORT, IMPORT, add_entry, make_project, make_task

START = datetime(2024, 3, 9, 22, 45, 17, tzinfo=UTC)
NOTES = [
    None,
    "Plain",
    'Commas, "quotes" and\nnew lines',
    "Ünïcödé — naïve café ☕",
    "=1+1 looks like a formula",
    "Tabs\tinside; semi;colons",
]


async def described(factory: Factory, organization_id: int) -> list[tuple[Any, ...]]:
    """Each entry with names instead of ids, in a stable order."""
    entry_rows = await factory.session.execute(
        select(TimeEntry, User.email, Client.name, Project.name, Task.name)
        .join(User, User.id == TimeEntry.user_id)
        .outerjoin(Client, Client.id == TimeEntry.client_id)
        .outerjoin(Project, Project.id == TimeEntry.project_id)
        .outerjoin(Task, Task.id == TimeEntry.task_id)
        .where(TimeEntry.organization_id == organization_id)
        .execution_options(populate_existing=True)
    )
    return sorted(
        (
            (
                entry.start_at,
                entry.end_at,
                entry.duration_seconds,
                email,
                client,
                project,
                task,
                entry.notes,
                entry.tags,
                entry.billable,
                entry.paid,
            )
            for entry, email, client, project, task in entry_rows.all()
        ),
        key=repr,
    )


class TestRoundTrip:
    async def test_export_then_import_into_an_empty_organisation(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        organization = owner.organization
        acme = Client(organization_id=organization.id, name="Acme, Inc.")
        factory.session.add(acme)
        await factory.session.commit()
        web = await make_project(factory, organization, name="Web", client_id=acme.id)
        homepage = await make_task(factory, web, name="Homepage")
        internal = await make_project(factory, organization, name="Internal", billable=False)
        for i in range(12):
            who = owner if i % 3 else member
            project = (web, internal, None)[i % 3]
            entry = await add_entry(
                factory,
                who,
                START + timedelta(hours=7 * i, seconds=i),
                minutes=17 + 29 * i,
                project=project,
                task=homepage if i % 4 == 0 and project is web else None,
                notes=NOTES[i % len(NOTES)],
                tags=("deep work,Review", "client", None)[i % 3],
                billable=i % 2 == 0,
                paid=i % 5 == 0,
            )
            if project is None and i % 2:
                entry.client_id = acme.id  # time on a client without a project
                await factory.session.commit()
        before = await described(factory, organization.id)

        exported = await api.as_(owner).get(EXPORT)
        assert exported.status_code == 200, exported.text

        empty = await factory.organization(name="Empty Org")
        member_role = await RoleRepository(factory.session).by_moniker(
            empty.organization.id, "member"
        )
        assert member_role is not None
        # The same people belong to the new organisation: users travel by email.
        for person in (member.user, owner.user):
            await add_member(factory.session, empty.organization, person, member_role)
        await factory.session.commit()

        imported = await api.as_(empty).post(
            IMPORT,
            files={"file": ("export.csv", exported.content, "text/csv")},
        )

        assert imported.status_code == 201, imported.text
        assert imported.json()["imported"] == 12
        assert imported.json()["format"] == "clocktower"
        assert await described(factory, empty.organization.id) == before
        assert len(before) == 12
