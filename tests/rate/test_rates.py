"""/rates (S4.1): members' own rates, people's rates on projects, and `resolve` walking
task → person on project → project → person → client → organisation."""

from __future__ import annotations

from typing import Any

import pytest

from clocktower.models import Client, Project, Task
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import make_project, make_task, set_organization_settings

RATES = "/api/v1/rates"


def user_rate(user_id: int) -> str:
    return f"{RATES}/users/{user_id}"


def project_rate(project_id: int, user_id: int | None = None) -> str:
    return f"{RATES}/projects/{project_id}/users" + (f"/{user_id}" if user_id else "")


@pytest.fixture
async def initech(factory: Factory, owner: Member) -> Client:
    client = Client(
        organization_id=owner.organization.id,
        name="Initech",
        currency="USD",
        default_hourly_rate_cents=7000,
    )
    factory.session.add(client)
    await factory.session.commit()
    return client


@pytest.fixture
async def project(factory: Factory, owner: Member, initech: Client) -> Project:
    return await make_project(
        factory, owner.organization, name="TPS", client_id=initech.id, hourly_rate_cents=9000
    )


@pytest.fixture
async def task(factory: Factory, project: Project) -> Task:
    return await make_task(factory, project, name="Reports")


class TestUserRates:
    async def test_set_read_and_remove(self, api: Api, owner: Member, member: Member) -> None:
        empty = await api.as_(owner).get(user_rate(member.id))
        assert empty.json() == {
            "rate": {"user_id": member.id, "user_name": "Max Member", "hourly_rate": None}
        }

        saved = await api.as_(owner).put(user_rate(member.id), json={"hourly_rate": 75.5})
        assert saved.status_code == 200, saved.text
        assert saved.json()["message"] == "Rate updated"
        assert saved.json()["rate"]["hourly_rate"] == 75.5
        assert (await api.as_(owner).get(user_rate(member.id))).json()["rate"]["hourly_rate"] == (
            75.5
        )

        removed = await api.as_(owner).delete(user_rate(member.id))
        assert removed.json() == {
            "message": "Rate removed",
            "rate": {"user_id": member.id, "user_name": "Max Member", "hourly_rate": None},
        }

    @pytest.mark.parametrize(
        "body",
        [
            {"hourly_rate": -1},
            {"hourly_rate": 20_000_000.01},
            {"hourly_rate": 1.234},
            {"hourly_rate": "lots"},
            {"hourly_rate": None},
            {},
            {"hourly_rate": 1, "currency": "EUR"},
        ],
    )
    async def test_bad_amounts_are_400(
        self, api: Api, owner: Member, member: Member, body: dict[str, Any]
    ) -> None:
        response = await api.as_(owner).put(user_rate(member.id), json=body)

        assert response.status_code == 400
        assert response.json()["error_code"] == "validation_error"

    async def test_the_largest_amount_is_accepted(
        self, api: Api, owner: Member, member: Member
    ) -> None:
        response = await api.as_(owner).put(user_rate(member.id), json={"hourly_rate": 20_000_000})

        assert response.json()["rate"]["hourly_rate"] == 20_000_000.0

    async def test_another_organisations_user_is_404(
        self, api: Api, owner: Member, other_owner: Member
    ) -> None:
        for method in ("GET", "PUT", "DELETE"):
            response = await api.as_(owner).request(
                method,
                user_rate(other_owner.id),
                json={"hourly_rate": 1} if method == "PUT" else None,
            )

            assert response.status_code == 404
            assert response.json()["error_code"] == "not_found"

    async def test_members_need_rate_nodes(self, api: Api, member: Member, viewer: Member) -> None:
        read = await api.as_(member).get(user_rate(member.id))
        assert read.status_code == 403
        assert read.json()["required_permission"] == "rate.fetch"
        assert (await api.as_(viewer).get(user_rate(member.id))).status_code == 200
        write = await api.as_(viewer).put(user_rate(viewer.id), json={"hourly_rate": 1})
        assert write.status_code == 403
        assert write.json()["required_permission"] == "rate.update"


class TestProjectRates:
    async def test_create_change_list_and_remove(
        self, api: Api, owner: Member, member: Member, admin: Member, project: Project
    ) -> None:
        created = await api.as_(owner).put(
            project_rate(project.id, member.id), json={"hourly_rate": 110}
        )
        assert created.status_code == 201, created.text
        assert created.json()["message"] == "Rate created"
        changed = await api.as_(owner).put(
            project_rate(project.id, member.id), json={"hourly_rate": 115.25}
        )
        assert changed.status_code == 200
        assert changed.json()["rate"]["hourly_rate"] == 115.25
        await api.as_(owner).put(project_rate(project.id, admin.id), json={"hourly_rate": 99})

        listed = await api.as_(owner).get(project_rate(project.id))

        body = listed.json()
        assert [(r["user_name"], r["hourly_rate"]) for r in body["rates"]] == [
            ("Ada Admin", 99.0),
            ("Max Member", 115.25),
        ]
        assert body["pagination"]["total"] == 2
        removed = await api.as_(owner).delete(project_rate(project.id, member.id))
        assert removed.json() == {"message": "Rate removed"}
        again = await api.as_(owner).delete(project_rate(project.id, member.id))
        assert again.status_code == 404

    async def test_unknown_project_or_person_is_404(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        other_owner: Member,
        project: Project,
    ) -> None:
        theirs = await make_project(factory, other_owner.organization, name="Theirs")
        for url in (
            project_rate(theirs.id, member.id),
            project_rate(project.id, other_owner.id),
            project_rate(999_999, member.id),
        ):
            response = await api.as_(owner).put(url, json={"hourly_rate": 1})

            assert response.status_code == 404, url
        assert (await api.as_(owner).get(project_rate(theirs.id))).status_code == 404

    async def test_customers_see_only_their_clients_projects(
        self, api: Api, factory: Factory, owner: Member, initech: Client, project: Project
    ) -> None:
        from tests.role.conftest import give_role

        other = await make_project(factory, owner.organization, name="Elsewhere")
        customer = await factory.member(owner.organization, "customer", client_id=initech.id)
        await give_role(factory, customer, ["rate.fetch"])

        assert (await api.as_(customer).get(project_rate(project.id))).status_code == 200
        assert (await api.as_(customer).get(project_rate(other.id))).status_code == 404


class TestResolve:
    async def resolved(self, api: Api, who: Member, **params: Any) -> dict[str, Any]:
        response = await api.as_(who).get(f"{RATES}/resolve", params=params)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def test_each_level_in_order(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        member: Member,
        initech: Client,
        project: Project,
        task: Task,
    ) -> None:
        ask = {"user_id": member.id, "task_id": task.id}
        await set_organization_settings(api, owner, default_hourly_rate=50)
        await api.as_(owner).put(user_rate(member.id), json={"hourly_rate": 60})
        await api.as_(owner).put(project_rate(project.id, member.id), json={"hourly_rate": 110})
        task.hourly_rate_cents = 12000
        await factory.session.commit()

        steps = []
        steps.append(await self.resolved(api, owner, **ask))
        task.hourly_rate_cents = None
        await factory.session.commit()
        steps.append(await self.resolved(api, owner, **ask))
        await api.as_(owner).delete(project_rate(project.id, member.id))
        steps.append(await self.resolved(api, owner, **ask))
        project.hourly_rate_cents = None
        await factory.session.commit()
        steps.append(await self.resolved(api, owner, **ask))
        await api.as_(owner).delete(user_rate(member.id))
        steps.append(await self.resolved(api, owner, **ask))
        initech.default_hourly_rate_cents = None
        await factory.session.commit()
        steps.append(await self.resolved(api, owner, **ask))
        await set_organization_settings(api, owner, default_hourly_rate=None)
        steps.append(await self.resolved(api, owner, **ask))

        assert [(step["hourly_rate"], step["source"]) for step in steps] == [
            (120.0, "task"),
            (110.0, "project_user"),
            (90.0, "project"),
            (60.0, "user"),
            (70.0, "client"),
            (50.0, "organization"),
            (None, "none"),
        ]
        assert {step["currency"] for step in steps} == {"USD"}
        assert steps[0] | {"project_id": project.id, "client_id": initech.id} == steps[0]

    async def test_the_callers_own_time_without_anything_named(
        self, api: Api, owner: Member
    ) -> None:
        await set_organization_settings(api, owner, default_hourly_rate=42)

        answer = await self.resolved(api, owner)

        assert answer == {
            "hourly_rate": 42.0,
            "source": "organization",
            "currency": "EUR",
            "user_id": owner.id,
            "project_id": None,
            "task_id": None,
            "client_id": None,
        }

    async def test_a_client_alone_prices_with_its_default(
        self, api: Api, owner: Member, initech: Client
    ) -> None:
        answer = await self.resolved(api, owner, client_id=initech.id)

        assert (answer["hourly_rate"], answer["source"], answer["currency"]) == (
            70.0,
            "client",
            "USD",
        )

    async def test_ids_that_do_not_resolve_or_disagree(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        other_owner: Member,
        initech: Client,
        project: Project,
        task: Task,
    ) -> None:
        theirs = await make_project(factory, other_owner.organization, name="Theirs")
        other_client = await factory.client(owner.organization, name="Other")
        cases = [
            ({"user_id": other_owner.id}, 404, "not_found"),
            ({"project_id": theirs.id}, 422, "invalid_reference"),
            ({"task_id": 999_999}, 422, "invalid_reference"),
            ({"client_id": 999_999}, 422, "invalid_reference"),
            ({"task_id": task.id, "project_id": theirs.id}, 400, "validation_error"),
            ({"project_id": project.id, "client_id": other_client.id}, 400, "validation_error"),
            ({"project_id": 0}, 400, "validation_error"),
        ]
        for params, status, code in cases:
            response = await api.as_(owner).get(f"{RATES}/resolve", params=params)

            assert response.status_code == status, params
            assert response.json()["error_code"] == code

    async def test_resolving_needs_rate_fetch(self, api: Api, member: Member) -> None:
        response = await api.as_(member).get(f"{RATES}/resolve")

        assert response.status_code == 403
        assert response.json()["required_permission"] == "rate.fetch"
