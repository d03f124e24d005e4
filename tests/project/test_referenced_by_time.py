"""Tracked time keeps its project: a permanent delete is refused while entries point at
it (409 naming them); archiving stays possible."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.project.conftest import make_project
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, create_entry, make_task

PROJECTS = "/api/v1/projects"
ENTRIES = "/api/v1/time-entries"
MONDAY = datetime(2024, 1, 15, 9, tzinfo=UTC)


async def test_permanent_delete_with_time_entries_is_409(
    api: Api, admin: Member, member: Member, factory: Factory
) -> None:
    project = await make_project(factory, admin.organization)
    await add_entry(factory, member, MONDAY, project=project)
    await add_entry(factory, admin, MONDAY, project=project, minutes=None)  # running counts

    response = await api.as_(admin).delete(f"{PROJECTS}/{project.id}?permanent=true")

    assert response.status_code == 409
    body = response.json()
    assert body["error_code"] == "project_in_use"
    assert body["usages"] == {"time_entries": 2}
    assert "2 time_entries" in body["message"]
    assert (await api.as_(admin).get(f"{PROJECTS}/{project.id}")).status_code == 200


async def test_tasks_and_entries_are_both_named(api: Api, admin: Member, factory: Factory) -> None:
    project = await make_project(factory, admin.organization)
    task = await make_task(factory, project)
    await add_entry(factory, admin, MONDAY, task=task)

    response = await api.as_(admin).delete(f"{PROJECTS}/{project.id}?permanent=true")

    assert response.status_code == 409
    assert response.json()["usages"] == {"tasks": 1, "time_entries": 1}


async def test_deletable_once_its_entries_are_gone(
    api: Api, admin: Member, factory: Factory
) -> None:
    project = await make_project(factory, admin.organization)
    entry = await create_entry(api, admin, project_id=project.id)
    assert (await api.as_(admin).delete(f"{PROJECTS}/{project.id}?permanent=true")).status_code == (
        409
    )

    assert (await api.as_(admin).delete(f"{ENTRIES}/{entry['id']}")).status_code == 200
    response = await api.as_(admin).delete(f"{PROJECTS}/{project.id}?permanent=true")

    assert response.status_code == 200
    assert response.json() == {"message": "Project deleted"}


async def test_a_project_with_time_can_still_be_archived(
    api: Api, admin: Member, factory: Factory
) -> None:
    project = await make_project(factory, admin.organization)
    entry = await create_entry(api, admin, project_id=project.id)

    response = await api.as_(admin).delete(f"{PROJECTS}/{project.id}")

    assert response.status_code == 200
    assert response.json()["project"]["status"] == "archived"
    kept = await api.as_(admin).get(f"{ENTRIES}/{entry['id']}")
    assert kept.json()["time_entry"]["project_id"] == project.id


async def test_another_organisations_entries_do_not_count(
    api: Api, owner: Member, other_owner: Member, factory: Factory
) -> None:
    ours = await make_project(factory, owner.organization)
    theirs = await make_project(factory, other_owner.organization)
    await add_entry(factory, other_owner, MONDAY, project=theirs)

    response = await api.as_(owner).delete(f"{PROJECTS}/{ours.id}?permanent=true")

    assert response.status_code == 200
    kept = await api.as_(other_owner).get(f"{PROJECTS}/{theirs.id}")
    assert kept.status_code == 200
