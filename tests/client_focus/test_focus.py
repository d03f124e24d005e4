"""Customer focus (S3.7, seed 000 "Customer Focus Routes"): set, move, clear, list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from clocktower.models import Client, ClientFocus
from tests.api_token.support import issue_token
from tests.client.conftest import customer_of
from tests.client_focus.conftest import FOCUS_LIST, focus_url
from tests.support import Api, Factory, Member


async def focus_rows(factory: Factory) -> list[ClientFocus]:
    found = await factory.session.execute(
        select(ClientFocus).order_by(ClientFocus.id).execution_options(populate_existing=True)
    )
    return list(found.scalars().all())


async def put_focus(api: Api, who: Any, client: Client, **body: Any) -> Any:
    return await api.as_(who).put(focus_url(client.id), json=body or None)


class TestSetFocus:
    async def test_sets_focus_with_note(self, api: Api, member: Member, acme: Client) -> None:
        response = await put_focus(api, member, acme, note="Release week")

        assert response.status_code == 200, response.text
        focus = response.json()["focus"]
        assert focus["user"] == {"id": member.id, "name": "Max Member"}
        assert focus["client"] == {"id": acme.id, "name": "Acme Corp"}
        assert focus["note"] == "Release week"
        assert focus["started_at"].endswith("Z")

    async def test_body_is_optional(self, api: Api, member: Member, acme: Client) -> None:
        response = await api.as_(member).put(focus_url(acme.id))

        assert response.status_code == 200, response.text
        assert response.json()["focus"]["note"] is None

    async def test_moving_keeps_one_row_per_member(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        owner: Member,
        acme: Client,
        globex: Client,
    ) -> None:
        first = (await put_focus(api, member, acme, note="a")).json()["focus"]
        again = (await put_focus(api, member, acme)).json()["focus"]
        moved = (await put_focus(api, member, globex)).json()["focus"]
        await put_focus(api, owner, acme)

        assert again["started_at"] == first["started_at"]  # same client: same stint
        assert again["note"] is None
        assert moved["client"]["id"] == globex.id
        rows = await focus_rows(factory)
        assert sorted((row.user_id, row.client_id) for row in rows) == sorted(
            [(member.id, globex.id), (owner.id, acme.id)]
        )

    async def test_bad_body_is_400(self, api: Api, member: Member, acme: Client) -> None:
        for body in ({"note": "x" * 501}, {"colour": "red"}):
            response = await api.as_(member).put(focus_url(acme.id), json=body)
            assert response.status_code == 400, body

    async def test_unknown_client_is_404(self, api: Api, member: Member) -> None:
        response = await api.as_(member).put(focus_url(999_999))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    async def test_other_organisations_client_is_404_and_unchanged(
        self, api: Api, factory: Factory, member: Member, other_client: Client
    ) -> None:
        response = await put_focus(api, member, other_client)

        assert response.status_code == 404
        assert await focus_rows(factory) == []

    async def test_customer_is_refused(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        customer = await customer_of(factory, owner, acme, "client.fetch", "client.fetch.many")

        response = await put_focus(api, customer, acme)

        assert response.status_code == 403
        assert response.json()["error_code"] == "internal_only"
        assert await focus_rows(factory) == []

    async def test_token_needs_read_clients(self, api: Api, admin: Member, acme: Client) -> None:
        reader, _ = await issue_token(api, admin, scopes=["read:clients"])
        other, _ = await issue_token(api, admin, scopes=["read:projects"])

        assert (await put_focus(api, reader, acme)).status_code == 200
        denied = await put_focus(api, other, acme)
        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "read:clients"

    async def test_anonymous_is_401(self, api: Api, acme: Client) -> None:
        assert (await api.put(focus_url(acme.id))).status_code == 401


class TestClearFocus:
    async def test_clears_own_focus(
        self, api: Api, factory: Factory, member: Member, owner: Member, acme: Client
    ) -> None:
        await put_focus(api, member, acme)
        await put_focus(api, owner, acme)

        response = await api.as_(member).delete(focus_url(acme.id))

        assert response.status_code == 200, response.text
        assert response.json() == {"message": "Focus cleared"}
        assert [row.user_id for row in await focus_rows(factory)] == [owner.id]

    async def test_focus_on_another_client_is_404_and_kept(
        self, api: Api, factory: Factory, member: Member, acme: Client, globex: Client
    ) -> None:
        await put_focus(api, member, acme)

        response = await api.as_(member).delete(focus_url(globex.id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "focus_not_found"
        assert [row.client_id for row in await focus_rows(factory)] == [acme.id]

    async def test_no_focus_is_404(self, api: Api, member: Member, acme: Client) -> None:
        response = await api.as_(member).delete(focus_url(acme.id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "focus_not_found"

    async def test_other_organisations_client_is_404_and_unchanged(
        self,
        api: Api,
        factory: Factory,
        member: Member,
        other_owner: Member,
        other_client: Client,
    ) -> None:
        await put_focus(api, other_owner, other_client)

        response = await api.as_(member).delete(focus_url(other_client.id))

        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"
        assert [row.user_id for row in await focus_rows(factory)] == [other_owner.id]

    async def test_customer_is_refused(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        customer = await customer_of(factory, owner, acme, "client.fetch", "client.fetch.many")

        response = await api.as_(customer).delete(focus_url(acme.id))

        assert response.status_code == 403
        assert response.json()["error_code"] == "internal_only"


class TestListFocus:
    async def test_lists_colleagues_focus_by_name(
        self,
        api: Api,
        member: Member,
        owner: Member,
        viewer: Member,
        other_owner: Member,
        acme: Client,
        globex: Client,
        other_client: Client,
    ) -> None:
        await put_focus(api, member, acme, note="Invoices")
        await put_focus(api, owner, globex)
        await put_focus(api, other_owner, other_client)

        response = await api.as_(viewer).get(FOCUS_LIST)

        assert response.status_code == 200, response.text
        body = response.json()
        assert [(f["user"]["id"], f["client"]["id"]) for f in body["focus"]] == sorted(
            [(member.id, acme.id), (owner.id, globex.id)],
            key=lambda pair: {member.id: "max member", owner.id: owner.user.name.lower()}[pair[0]],
        )
        assert body["pagination"]["total"] == 2

    async def test_client_filter(
        self, api: Api, member: Member, owner: Member, acme: Client, globex: Client
    ) -> None:
        await put_focus(api, member, acme)
        await put_focus(api, owner, globex)

        body = (await api.as_(owner).get(FOCUS_LIST, params={"client_id": acme.id})).json()

        assert [f["user"]["id"] for f in body["focus"]] == [member.id]

    async def test_bad_filter_is_400(self, api: Api, owner: Member) -> None:
        response = await api.as_(owner).get(FOCUS_LIST, params={"client_id": "x"})

        assert response.status_code == 400

    async def test_customer_is_refused(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        customer = await customer_of(factory, owner, acme, "client.fetch", "client.fetch.many")

        response = await api.as_(customer).get(FOCUS_LIST)

        assert response.status_code == 403
        assert response.json()["error_code"] == "internal_only"

    async def test_token_needs_read_clients(self, api: Api, admin: Member) -> None:
        other, _ = await issue_token(api, admin, scopes=["read:projects"])

        denied = await api.as_(other).get(FOCUS_LIST)

        assert denied.status_code == 403
        assert denied.json()["required_scope"] == "read:clients"

    async def test_query_count_does_not_grow_with_rows(
        self, api: Api, factory: Factory, owner: Member, acme: Client, queries: Any
    ) -> None:
        await put_focus(api, owner, acme)
        with queries:
            one = await api.as_(owner).get(FOCUS_LIST)
        single = queries.count
        for number in range(6):
            colleague = await factory.member(owner.organization, "member", name=f"M {number}")
            client = await factory.client(owner.organization, name=f"Client {number}")
            await put_focus(api, colleague, client)
        with queries:
            many = await api.as_(owner).get(FOCUS_LIST)

        assert len(one.json()["focus"]) == 1
        assert len(many.json()["focus"]) == 7
        assert queries.count == single


class TestClientDeletion:
    async def test_focus_goes_with_its_client(
        self, api: Api, factory: Factory, owner: Member, acme: Client
    ) -> None:
        await put_focus(api, owner, acme)

        response = await api.as_(owner).delete(f"/api/v1/clients/{acme.id}")

        assert response.json()["message"] == "Client deleted"
        count = await factory.session.execute(select(func.count(ClientFocus.id)))
        assert count.scalar_one() == 0
