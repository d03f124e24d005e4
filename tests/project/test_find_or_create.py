"""Find-or-create by title (S2.5, seed 001) next to projects on hold: an active project
wins; else the one on hold is answered as it is (never a 409, never a twin that would
slip new time past the hold); archived projects never match."""

from __future__ import annotations

from clocktower.models import Client
from tests.project.conftest import make_project
from tests.support import Api, Factory, Member

FIND = "/api/v1/projects/find-or-create"


async def test_on_hold_namesake_is_answered_not_a_409(
    api: Api, admin: Member, factory: Factory
) -> None:
    held = await make_project(factory, admin.organization, name="Deep Work", status="on_hold")

    response = await api.as_(admin).post(FIND, json={"title": "deep work"})

    assert response.status_code == 200
    assert response.json()["created"] is False
    assert response.json()["project"]["id"] == held.id
    assert response.json()["project"]["status"] == "on_hold"


async def test_new_time_on_it_is_refused_with_project_inactive(
    api: Api, admin: Member, factory: Factory
) -> None:
    await make_project(factory, admin.organization, name="Deep Work", status="on_hold")
    found = (await api.as_(admin).post(FIND, json={"title": "Deep Work"})).json()["project"]

    response = await api.as_(admin).post(
        "/api/v1/time-entries",
        json={
            "project_id": found["id"],
            "start_time": "2024-01-15T09:00:00Z",
            "end_time": "2024-01-15T10:00:00Z",
        },
    )

    assert response.status_code == 400
    assert response.json()["error_code"] == "project_inactive"


async def test_an_active_namesake_wins_over_an_older_one_on_hold(
    api: Api, admin: Member, factory: Factory, acme: Client
) -> None:
    await make_project(factory, admin.organization, name="Deep Work", status="on_hold")
    active = await make_project(factory, admin.organization, name="DEEP WORK", client=acme)

    response = await api.as_(admin).post(FIND, json={"title": "Deep Work"})

    assert response.status_code == 200
    assert response.json()["project"]["id"] == active.id


async def test_on_hold_wins_over_archived_and_of_a_client_too(
    api: Api, admin: Member, factory: Factory, acme: Client
) -> None:
    await make_project(factory, admin.organization, name="Deep Work", status="archived")
    held = await make_project(
        factory, admin.organization, name="Deep Work", client=acme, status="on_hold"
    )

    response = await api.as_(admin).post(FIND, json={"title": "Deep Work"})

    assert response.status_code == 200
    assert response.json()["project"]["id"] == held.id
    assert response.json()["project"]["client"] == {"id": acme.id, "name": "Acme Corp"}


async def test_only_archived_namesakes_make_a_new_project(
    api: Api, admin: Member, factory: Factory
) -> None:
    old = await make_project(factory, admin.organization, name="Deep Work", status="archived")

    response = await api.as_(admin).post(FIND, json={"title": "Deep Work"})

    assert response.status_code == 201
    assert response.json()["created"] is True
    assert response.json()["project"]["id"] != old.id


async def test_another_organisations_project_on_hold_is_not_found(
    api: Api, admin: Member, other_owner: Member, factory: Factory
) -> None:
    theirs = await make_project(
        factory, other_owner.organization, name="Deep Work", status="on_hold"
    )

    response = await api.as_(admin).post(FIND, json={"title": "Deep Work"})

    assert response.status_code == 201
    assert response.json()["project"]["id"] != theirs.id
